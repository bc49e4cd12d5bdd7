//! What a credential chain reads from outside: environment variables, and files found through
//! `HOME`. One value, passed to the chain, so that tests give it a made-up environment and home
//! instead of touching the process's (no `set_var` races between test threads).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment a credential chain reads: variables (HOME included) and the directory that
/// stands for `/` when a system-wide file such as `/etc/tencentcloud/credentials` is looked up.
///
/// [`ChainEnv::from_process`] snapshots the process environment; [`ChainEnv::from_vars`] builds
/// one from given values only, for tests and for hosts that keep configuration elsewhere.
/// `Debug` shows variable names, never values.
#[derive(Clone, Default)]
pub struct ChainEnv {
    vars: BTreeMap<String, String>,
    /// Variables that are set but not valid UTF-8: reported, never used.
    not_unicode: BTreeSet<String>,
    system_root: Option<PathBuf>,
}

impl fmt::Debug for ChainEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainEnv")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("not_unicode", &self.not_unicode)
            .field("system_root", &self.system_root)
            .finish()
    }
}

impl ChainEnv {
    /// A snapshot of this process's environment, with the real `/` for system files.
    pub fn from_process() -> ChainEnv {
        let mut env = ChainEnv {
            system_root: Some(PathBuf::from("/")),
            ..ChainEnv::default()
        };
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str().map(str::to_owned) else {
                continue;
            };
            match value.into_string() {
                Ok(value) => {
                    env.vars.insert(name, value);
                }
                Err(_) => {
                    env.not_unicode.insert(name);
                }
            }
        }
        env
    }

    /// Only these variables (set `HOME` to point the chain at a home directory), and no system
    /// files at all until [`ChainEnv::with_system_root`] names a directory for `/`.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> ChainEnv {
        ChainEnv {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            ..ChainEnv::default()
        }
    }

    /// The same environment with `name` set to `value`.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> ChainEnv {
        let name = name.into();
        self.not_unicode.remove(&name);
        self.vars.insert(name, value.into());
        self
    }

    /// The same environment without `name`.
    pub fn without_var(mut self, name: &str) -> ChainEnv {
        self.vars.remove(name);
        self.not_unicode.remove(name);
        self
    }

    /// The same environment looking up system-wide files (`/etc/...`) under `root` instead.
    pub fn with_system_root(mut self, root: impl Into<PathBuf>) -> ChainEnv {
        self.system_root = Some(root.into());
        self
    }

    /// The value of `name`; an empty value counts as not set, as in the official tools.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// True when `name` is set to `true` (any case) or `1`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.var(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// True when `name` is set but is not valid UTF-8.
    pub(crate) fn is_not_unicode(&self, name: &str) -> bool {
        self.not_unicode.contains(name)
    }

    /// The home directory: `HOME`, else `USERPROFILE` (Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }

    /// `path` (absolute, such as `/etc/tencentcloud/credentials`) under the system root, or
    /// `None` when this environment has no system files.
    pub(crate) fn system_file(&self, path: &str) -> Option<PathBuf> {
        let root = self.system_root.as_deref()?;
        Some(root.join(Path::new(path.trim_start_matches('/'))))
    }
}

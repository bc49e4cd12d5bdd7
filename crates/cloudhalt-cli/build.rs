//! Records the commit the CLI is built from, for `cloudhalt --version`: a bug report then names
//! the exact source, not only a version shared by every build between two releases.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A packager building from a tarball knows the commit even though git does not.
    println!("cargo:rerun-if-env-changed=CLOUDHALT_COMMIT");
    let commit = std::env::var("CLOUDHALT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_owned())
        .or_else(from_cargo_package)
        .or_else(from_git)
        .unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo:rustc-env=CLOUDHALT_COMMIT={commit}");
}

/// A crate packaged by `cargo package` (crates.io, vendored sources) has no .git but records the
/// commit in `.cargo_vcs_info.json`; without this, a vendored copy inside some other repository
/// would report that repository's commit.
fn from_cargo_package() -> Option<String> {
    let info = std::fs::read_to_string(".cargo_vcs_info.json").ok()?;
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    let start = info.find("\"sha1\"")?;
    let rest = &info[start + 6..];
    let open = rest.find('"')? + 1;
    let sha: String = rest[open..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (sha.len() >= 12).then(|| sha[..12].to_owned())
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn from_git() -> Option<String> {
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    // `--git-path` rather than ".git/HEAD": in a worktree .git is a file and the branch refs
    // live in the main repository's directory.
    for path in ["HEAD", "packed-refs"] {
        rerun_if_changed(git(&["rev-parse", "--git-path", path]));
    }
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        rerun_if_changed(git(&["rev-parse", "--git-path", &reference]));
    }
    Some(commit)
}

fn rerun_if_changed(path: Option<String>) {
    if let Some(path) = path
        && Path::new(&path).exists()
    {
        println!("cargo:rerun-if-changed={path}");
    }
}

//! `cloudhalt_chain_options`: how a credential chain runs (profile, metadata and STS addresses,
//! proxy and CA bundle), for cloudhalt_tencent_from_chain() and cloudhalt_alibaba_from_chain().

use std::ffi::c_char;
use std::sync::Mutex;

use cloudhalt::{BaseUrl, ChainOptions, Error};

use crate::boundary::null_out;
use crate::client::{check_network, proxy_setting};
use crate::handle::{Handle, write_out};
use crate::status::cloudhalt_status;

/// Options for a credential chain: cloudhalt_tencent_from_chain(), cloudhalt_alibaba_from_chain().
///
/// Ownership: created by cloudhalt_chain_options_new(), released with
/// cloudhalt_chain_options_free(); a client made from it does not keep it. Every setting starts
/// unset, which is the default chain (as cloudhalt_tencent_from_env()). The setters may be called
/// from any thread (the options are behind a lock), but a chain started on another thread uses
/// the settings it found.
pub struct cloudhalt_chain_options(Mutex<ChainOptions>);

impl Handle for cloudhalt_chain_options {}

impl cloudhalt_chain_options {
    /// A copy of the options, for running the chain without holding the lock.
    pub(crate) fn get(&self) -> ChainOptions {
        // A poisoned lock only means a panic elsewhere; the options inside are still whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the options with `f(current)`; on error they are unchanged.
    fn update(
        &self,
        f: impl FnOnce(ChainOptions) -> Result<ChainOptions, Error>,
    ) -> Result<(), Error> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *guard = f(guard.clone())?;
        Ok(())
    }
}

/// A base URL option: NULL unsets it, anything else must parse as `scheme://host[:port]`.
fn url_option(url: Option<&str>, field: &str) -> Result<Option<String>, Error> {
    match url {
        None => Ok(None),
        Some(u) => match BaseUrl::parse(u) {
            Ok(_) => Ok(Some(u.to_owned())),
            Err(e) => Err(Error::invalid_input(
                field,
                format!("{field}: {}", e.message()),
            )),
        },
    }
}

/// Creates chain options with nothing set: the default chain over this process's environment.
///
/// Returns CLOUDHALT_INVALID_INPUT when `out` is NULL. On CLOUDHALT_OK, `*out` receives options
/// owned by the caller (release with cloudhalt_chain_options_free()).
///
/// # Safety
/// `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_new(
    out: *mut *mut cloudhalt_chain_options,
) -> cloudhalt_status {
    boundary!(fallible {
        if out.is_null() {
            return Err(null_out("out"));
        }
        let options = cloudhalt_chain_options(Mutex::new(ChainOptions::new()));
        // SAFETY: `out` checked non-NULL above, valid for writes by contract.
        unsafe { write_out(out, options) };
        Ok(())
    })
}

/// Uses the profile `profile` of the tools' files (tccli's `~/.tccli/<profile>.credential` and
/// the SDK file's `[profile]` section; aliyun-cli's profile and the INI `[profile]` section).
/// A named profile skips the credential environment variables, as the CLIs do for `--profile`.
/// NULL: back to the default (`TENCENTCLOUD_PROFILE` / `TCCLI_PROFILE` / `default`;
/// `ALIBABA_CLOUD_PROFILE` / the file's `current`).
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` is NULL, or `profile` is "" or not UTF-8 (the
/// last error names `profile`; the options are unchanged).
///
/// # Safety
/// `options` is NULL or live options; `profile` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_set_profile(
    options: *mut cloudhalt_chain_options,
    profile: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let options = arg_handle!(options, "options");
        let profile = arg_opt_str!(profile, "profile");
        if profile == Some("") {
            return Err(Error::invalid_input(
                "profile",
                "profile is empty: give a profile name such as \"default\", or NULL for the \
                 default profile",
            ));
        }
        options.update(|mut o| {
            o.profile = profile.map(str::to_owned);
            Ok(o)
        })
    })
}

/// Asks the instance metadata service at `url` (base URL, e.g. `http://127.0.0.1:8123`) instead
/// of the provider's (`http://metadata.tencentyun.com`, `http://100.100.100.200`): for tests and
/// private networks. NULL: back to `CLOUDHALT_TENCENT_METADATA_ENDPOINT` /
/// `CLOUDHALT_ALIBABA_METADATA_ENDPOINT`, else the provider's address.
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` is NULL or `url` is not a base URL (the last
/// error names `metadata_endpoint`; the options are unchanged).
///
/// # Safety
/// `options` is NULL or live options; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_set_metadata_endpoint(
    options: *mut cloudhalt_chain_options,
    url: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let options = arg_handle!(options, "options");
        let url = url_option(arg_opt_str!(url, "url"), "metadata_endpoint")?;
        options.update(|mut o| {
            o.metadata_endpoint = url;
            Ok(o)
        })
    })
}

/// Sends the chain's STS calls (AssumeRole, AssumeRoleWithWebIdentity / WithOIDC) to `url`
/// (base URL) instead of the provider's public STS host. NULL: back to
/// `CLOUDHALT_TENCENT_STS_ENDPOINT` / `CLOUDHALT_ALIBABA_STS_ENDPOINT`, else the public host.
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` is NULL or `url` is not a base URL (the last
/// error names `sts_endpoint`; the options are unchanged).
///
/// # Safety
/// `options` is NULL or live options; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_set_sts_endpoint(
    options: *mut cloudhalt_chain_options,
    url: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let options = arg_handle!(options, "options");
        let url = url_option(arg_opt_str!(url, "url"), "sts_endpoint")?;
        options.update(|mut o| {
            o.sts_endpoint = url;
            Ok(o)
        })
    })
}

/// Sends the chain's STS and credentials-URI calls, and every call of the client made from
/// these options, through the proxy `url` (`http://proxy.example:3128`, optionally with
/// `user:password@`; HTTPS goes through it with CONNECT; `NO_PROXY` does not apply). "" turns
/// every proxy off, whatever the environment says. NULL: back to the environment's
/// (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, minus `NO_PROXY`). Metadata calls never use a
/// proxy.
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` is NULL or `url` is not a proxy URL (the last
/// error names `proxy`, with any password hidden; the options are unchanged).
///
/// # Safety
/// `options` is NULL or live options; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_set_proxy(
    options: *mut cloudhalt_chain_options,
    url: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let options = arg_handle!(options, "options");
        let proxy = proxy_setting(arg_opt_str!(url, "url"));
        options.update(|mut o| {
            o.network.proxy = proxy;
            check_network(&o.network)?;
            Ok(o)
        })
    })
}

/// Trusts only the CA certificates of the PEM file `path` for the chain's STS and
/// credentials-URI calls and every call of the client made from these options. The bundle
/// REPLACES the built-in roots: for corporate TLS inspection, give a file holding both the
/// system roots and the inspecting CA (on most Linux systems
/// `/etc/ssl/certs/ca-certificates.crt` already does). NULL: back to `SSL_CERT_FILE` if set,
/// else the built-in (Mozilla) roots. The file is read now, to check it, and again by each
/// client made.
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` is NULL or the file cannot be read or holds
/// no PEM certificate (the last error names `ca_bundle`; the options are unchanged).
///
/// # Safety
/// `options` is NULL or live options; `path` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_set_ca_bundle(
    options: *mut cloudhalt_chain_options,
    path: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let options = arg_handle!(options, "options");
        let path = arg_opt_str!(path, "path");
        options.update(|mut o| {
            o.network.ca_bundle = path.map(std::path::PathBuf::from);
            check_network(&o.network)?;
            Ok(o)
        })
    })
}

/// Releases chain options. NULL is a no-op. Clients made from them are unaffected.
///
/// # Safety
/// `options` is NULL or live options, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_chain_options_free(options: *mut cloudhalt_chain_options) {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { cloudhalt_chain_options::free(options) }
    })
}

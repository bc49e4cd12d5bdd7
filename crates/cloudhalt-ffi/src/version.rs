//! The library version.

use std::ffi::c_char;

/// The version of this library, from Cargo.toml (`"0.1.0"`): the same as the header's
/// `CLOUDHALT_VERSION` when header and library match.
///
/// Ownership: static; never free it. Thread-safe. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_version() -> *const c_char {
    boundary!({ concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast() })
}

//! C strings in and out: validation of every input string, and owned output strings.

use std::ffi::{CStr, CString, c_char};
use std::sync::Mutex;

use cloudhalt::Error;

/// A `CString` from text that came from the core or the provider; an interior NUL (which C could
/// not see past) becomes U+FFFD rather than truncating the text silently.
pub(crate) fn to_c_string(text: &str) -> CString {
    if text.contains('\0') {
        return CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default();
    }
    // One allocation, with room for the NUL (CString::new would grow the copy to add it).
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    CString::new(bytes).unwrap_or_default()
}

/// A NUL-terminated copy of `name`, made on first use and kept for the life of the process, for
/// the static strings C receives (kind and send-state names, status names). They are copies of
/// the core's own spellings (`ErrorKind::as_str`, `SendState::as_str`), so there is no second
/// list to keep in step. Only those few fixed names come here, so what is kept stays small.
pub(crate) fn static_c_str(name: &str) -> &'static CStr {
    static INTERNED: Mutex<Vec<&'static CStr>> = Mutex::new(Vec::new());
    // A poisoned lock only means a panic elsewhere; the list itself is always whole.
    let mut interned = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = interned.iter().find(|c| c.to_bytes() == name.as_bytes()) {
        return found;
    }
    let made: &'static CStr = Box::leak(to_c_string(name).into_boxed_c_str());
    interned.push(made);
    made
}

/// An owned string for C, released with [`cloudhalt_string_free`].
pub(crate) fn into_owned_c_string(text: &str) -> *mut c_char {
    to_c_string(text).into_raw()
}

fn null_error(name: &str) -> Error {
    Error::invalid_input(
        name,
        format!("{name} is NULL: pass a NUL-terminated UTF-8 string"),
    )
}

fn utf8_error(name: &str, err: std::str::Utf8Error) -> Error {
    // Only the position is given, never the bytes: the argument may be a secret.
    Error::invalid_input(
        name,
        format!(
            "{name} is not valid UTF-8 (bad byte at offset {}): pass UTF-8 text",
            err.valid_up_to()
        ),
    )
}

/// A required string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(null_error(name));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(p) };
    bytes.to_str().map_err(|e| utf8_error(name, e))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As [`arg_str()`].
pub(crate) unsafe fn arg_opt_str<'a>(
    p: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { arg_str(p, name) }.map(Some)
    }
}

/// A required string argument that is (or may be) a secret: errors never quote it. [`arg_str()`]
/// already never quotes the value; this name marks the call sites.
///
/// # Safety
/// As [`arg_str()`].
pub(crate) unsafe fn arg_secret<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    // SAFETY: forwarded contract.
    unsafe { arg_str(p, name) }
}

/// A list argument of `n` strings, of any length: the core checks the whole list (shape,
/// duplicates) and splits it into requests of the provider's size. Only a count no array can
/// have (more bytes of pointers than the address space holds) is refused, before the array is
/// read, since building a slice of it would already be undefined behaviour.
/// NULL with `n == 0` is an empty list (which the operation's own validation refuses where a list
/// is required).
///
/// # Safety
/// `p` is NULL or points to `n` pointers, each NULL or a NUL-terminated string, that outlive the call.
pub(crate) unsafe fn arg_list(
    p: *const *const c_char,
    n: usize,
    name: &str,
) -> Result<Vec<String>, Error> {
    let largest = isize::MAX as usize / std::mem::size_of::<*const c_char>();
    if n > largest {
        return Err(Error::invalid_input(
            name,
            format!(
                "{name} has n = {n} entries, more than any array can hold: pass the number of \
                 strings in the array"
            ),
        ));
    }
    if p.is_null() {
        if n == 0 {
            return Ok(Vec::new());
        }
        return Err(Error::invalid_input(
            name,
            format!("{name} is NULL but n = {n}: pass an array of n strings"),
        ));
    }
    // SAFETY: `p` points to `n` entries by the caller's contract.
    let items = unsafe { std::slice::from_raw_parts(p, n) };
    items
        .iter()
        .enumerate()
        .map(|(i, &item)| {
            if item.is_null() {
                return Err(Error::invalid_input(
                    name,
                    format!("{name}[{i}] is NULL: every entry must be a NUL-terminated string"),
                ));
            }
            // SAFETY: non-NULL entry, NUL-terminated by contract.
            let s = unsafe { CStr::from_ptr(item) };
            s.to_str().map(str::to_owned).map_err(|e| {
                Error::invalid_input(
                    name,
                    format!(
                        "{name}[{i}] is not valid UTF-8 (bad byte at offset {}): pass UTF-8 text",
                        e.valid_up_to()
                    ),
                )
            })
        })
        .collect()
}

/// How an operation that may act on "every instance" reads its instance list.
#[derive(Clone, Copy)]
pub(crate) enum Instances {
    /// The `_instances` functions: one or more IDs; `(NULL, 0)` and `n == 0` are refused, since
    /// they are how C writes an empty array (a `grep` that matched nothing).
    Listed,
    /// The `_all_instances` functions: no list, every instance.
    All,
    /// The deprecated original functions: `(NULL, 0)` means every instance.
    NullMeansAll,
}

/// The instance list of an operation that may act on every instance: `None` for every instance.
/// `all_fn` names the function to call instead of passing an empty list.
///
/// # Safety
/// As [`arg_list()`].
pub(crate) unsafe fn arg_instances(
    p: *const *const c_char,
    n: usize,
    name: &str,
    mode: Instances,
    all_fn: &str,
) -> Result<Option<Vec<String>>, Error> {
    match mode {
        Instances::All => Ok(None),
        Instances::NullMeansAll if p.is_null() && n == 0 => Ok(None),
        Instances::Listed if n == 0 => Err(Error::invalid_input(
            name,
            format!(
                "{name} is empty (n = 0): give one or more instance IDs, or call {all_fn}() to \
                 act on every instance"
            ),
        )),
        // SAFETY: forwarded contract.
        Instances::Listed | Instances::NullMeansAll => unsafe { arg_list(p, n, name) }.map(Some),
    }
}

/// Releases a string that cloudhalt returned as *owned* (the `out_json` of the `_call_json`
/// functions). NULL is a no-op. Never pass it to `free()`, and never pass it a string cloudhalt
/// did not hand over as owned.
///
/// # Safety
/// `s` is NULL or a string returned as owned by cloudhalt and not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_string_free(s: *mut c_char) {
    boundary!({
        if !s.is_null() {
            // SAFETY: `s` came from `CString::into_raw` by the caller's contract.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_refused_without_quoting_the_bytes() {
        let bad = b"AKID\xffsecret\0";
        let err = unsafe { arg_secret(bad.as_ptr().cast(), "secret_key") }.unwrap_err();
        assert_eq!(err.kind(), cloudhalt::ErrorKind::InvalidInput);
        assert!(err.message().contains("secret_key"));
        assert!(err.message().contains("offset 4"));
        assert!(!err.message().contains("secret\""), "{}", err.message());
        assert!(!err.message().contains("AKID"), "{}", err.message());
    }

    #[test]
    fn a_count_no_array_can_have_is_refused_before_reading() {
        // A dangling pointer: reading it would crash, so passing proves it was not read.
        let dangling = std::ptr::NonNull::<*const c_char>::dangling().as_ptr();
        for n in [usize::MAX, isize::MAX as usize] {
            let err = unsafe { arg_list(dangling, n, "instance_ids") }.unwrap_err();
            assert!(err.message().contains("instance_ids"), "{}", err.message());
            assert!(err.message().contains("any array"), "{}", err.message());
        }
    }

    #[test]
    fn a_list_longer_than_one_request_is_read_whole() {
        // The core splits batches: the binding no longer stops at the provider's 100.
        let ids: Vec<std::ffi::CString> = (0..250)
            .map(|i| std::ffi::CString::new(format!("ins-run{i:05}")).unwrap())
            .collect();
        let ptrs: Vec<*const c_char> = ids.iter().map(|s| s.as_ptr()).collect();
        let read = unsafe { arg_list(ptrs.as_ptr(), ptrs.len(), "instance_ids") }.unwrap();
        assert_eq!(read.len(), 250);
        assert_eq!(read[249], "ins-run00249");
    }

    #[test]
    fn null_entries_and_null_arrays_name_the_argument() {
        let items = [c"ins-r8hr2upy".as_ptr(), std::ptr::null()];
        let err = unsafe { arg_list(items.as_ptr(), 2, "instance_ids") }.unwrap_err();
        assert!(
            err.message().contains("instance_ids[1] is NULL"),
            "{}",
            err.message()
        );
        let err = unsafe { arg_list(std::ptr::null(), 3, "instance_ids") }.unwrap_err();
        assert!(
            err.message().contains("instance_ids is NULL"),
            "{}",
            err.message()
        );
        let ok = unsafe { arg_list(items.as_ptr(), 1, "instance_ids") }.unwrap();
        assert_eq!(ok, vec!["ins-r8hr2upy".to_owned()]);
    }

    #[test]
    fn static_names_are_made_once_and_keep_their_spelling() {
        let a = static_c_str("state_conflict");
        let b = static_c_str("state_conflict");
        assert_eq!(a.to_str().unwrap(), "state_conflict");
        assert!(
            std::ptr::eq(a, b),
            "the same name is handed out as the same string"
        );
        assert_ne!(static_c_str("not_sent").as_ptr(), a.as_ptr());
    }

    #[test]
    fn interior_nul_does_not_truncate() {
        assert_eq!(to_c_string("a\0b").to_str().unwrap(), "a\u{FFFD}b");
    }
}

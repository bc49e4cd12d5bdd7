//! The JSON entry points' conversions: `params_json` in, the provider's answer out as an owned string.

use std::ffi::c_char;

use cloudhalt::{Error, Response};

use crate::strings::into_owned_c_string;

/// Parses the `params_json` argument of the `_call_json` functions (a name given twice in one
/// object is refused). The message gives only a position, never the text, so a secret pasted by
/// mistake is not echoed.
pub(crate) fn parse_params(text: &str) -> Result<serde_json::Value, Error> {
    cloudhalt::params_from_json(text).map_err(|e| {
        Error::invalid_input(
            "params_json",
            format!(
                "params_json is not valid JSON ({e}): pass the provider's parameters as a JSON \
                 object, e.g. {{\"InstanceIds\":[\"ins-r8hr2upy\"]}}"
            ),
        )
    })
}

/// Hands the provider's whole answer to C as an owned string (freed with cloudhalt_string_free).
///
/// # Safety
/// `out_json` is NULL (the answer is not wanted) or valid for writes.
pub(crate) unsafe fn write_json(out_json: *mut *mut c_char, response: &Response) {
    if !out_json.is_null() {
        // SAFETY: valid for writes by the caller's contract.
        unsafe { *out_json = into_owned_c_string(&response.data().to_string()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_json_names_the_argument_without_echoing_it() {
        let err = parse_params("{\"SecretKey\": hunter2}").unwrap_err();
        assert_eq!(err.kind(), cloudhalt::ErrorKind::InvalidInput);
        assert!(err.message().starts_with("params_json is not valid JSON"));
        assert!(!err.message().contains("hunter2"), "{}", err.message());
    }

    #[test]
    fn a_parameter_given_twice_is_refused() {
        let err =
            parse_params(r#"{"InstanceIds":["ins-aaaaaaaa"],"InstanceIds":["ins-r8hr2upy"]}"#)
                .unwrap_err();
        assert_eq!(err.kind(), cloudhalt::ErrorKind::InvalidInput);
        assert!(
            err.message().contains("is given twice"),
            "{}",
            err.message()
        );
    }
}

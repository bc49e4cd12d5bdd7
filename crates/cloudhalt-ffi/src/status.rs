//! `cloudhalt_status`, and the one table from the core's error kinds to it.

use std::ffi::{CStr, c_char};
use std::os::raw::c_int;

use cloudhalt::{ErrorKind, SendState};

use crate::strings::static_c_str;

/// The result of every fallible cloudhalt call. `CLOUDHALT_OK` is 0; every other value names a
/// class of failure, with details from the `cloudhalt_last_error_*` functions.
///
/// Values only grow at the end and are never reused (a retired value stays reserved), so a
/// program may store them. Kinds match `tests/vectors/errors.json` ("kinds"[].cStatus).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cloudhalt_status {
    /// Success: the outputs were written.
    CLOUDHALT_OK = 0,
    /// A bad argument (NULL, invalid UTF-8, a malformed ID, a list too long ...), caught before
    /// anything was sent. The message names the argument.
    CLOUDHALT_INVALID_INPUT = 1,
    /// Missing or malformed credentials, caught before anything was sent.
    CLOUDHALT_CREDENTIALS = 2,
    /// The request could not be delivered, or no usable HTTP answer came back. It may have
    /// reached the provider: check cloudhalt_last_error_send_state() before sending it again.
    CLOUDHALT_TRANSPORT = 3,
    /// Connecting, or the whole exchange, took longer than the timeout. It may have been sent.
    CLOUDHALT_TIMEOUT = 4,
    /// The provider refused the signature, key, token or permission.
    CLOUDHALT_AUTH = 5,
    /// The provider's rate limit was hit: retry later.
    CLOUDHALT_THROTTLED = 6,
    /// A named resource (instance, invocation, activity) does not exist.
    CLOUDHALT_NOT_FOUND = 7,
    /// The resource's state does not allow the operation (kind `state_conflict`). Also spelled
    /// CLOUDHALT_CONFLICT, the original name, kept as an alias with the same value.
    CLOUDHALT_STATE_CONFLICT = 8,
    /// The provider rejected a parameter value or combination.
    CLOUDHALT_INVALID_PARAMETER = 9,
    /// An account quota or limit was exceeded.
    CLOUDHALT_QUOTA = 10,
    /// The provider had an internal error or was unavailable.
    CLOUDHALT_SERVER = 11,
    /// Any other provider error: see cloudhalt_last_error_code().
    CLOUDHALT_API = 12,
    /// An answer came back that is not the provider's documented shape.
    CLOUDHALT_UNEXPECTED_RESPONSE = 13,
    /// A bug in cloudhalt, caught at the boundary: please report it with the message.
    CLOUDHALT_PANIC = 14,
    /// The audit log could not be written (kind `audit`); the request it was to record was not
    /// sent. The per-ID outcomes on the last error say what earlier requests of the call did.
    CLOUDHALT_AUDIT = 15,
    /// A wait (cloudhalt_tencent_set_wait(), cloudhalt_tencent_wait_instances() ...) reached its
    /// deadline before every ID reached success (kind `wait_timeout`). The write was sent once
    /// and is not sent again; the states reached are on the last error
    /// (cloudhalt_last_error_state()), and so are the write's per-ID outcomes.
    CLOUDHALT_WAIT_TIMEOUT = 16,
    /// A wait saw an ID reach a failure state (kind `wait_failed`): the provider's operation
    /// FAILED, the instance vanished, it was too late to cancel. The message names the IDs and
    /// why; the states are on the last error (cloudhalt_last_error_state()).
    CLOUDHALT_WAIT_FAILED = 17,
}

use cloudhalt_status::*;

/// Every status, in value order (index == value).
pub(crate) const ALL_STATUSES: [cloudhalt_status; 18] = [
    CLOUDHALT_OK,
    CLOUDHALT_INVALID_INPUT,
    CLOUDHALT_CREDENTIALS,
    CLOUDHALT_TRANSPORT,
    CLOUDHALT_TIMEOUT,
    CLOUDHALT_AUTH,
    CLOUDHALT_THROTTLED,
    CLOUDHALT_NOT_FOUND,
    CLOUDHALT_STATE_CONFLICT,
    CLOUDHALT_INVALID_PARAMETER,
    CLOUDHALT_QUOTA,
    CLOUDHALT_SERVER,
    CLOUDHALT_API,
    CLOUDHALT_UNEXPECTED_RESPONSE,
    CLOUDHALT_PANIC,
    CLOUDHALT_AUDIT,
    CLOUDHALT_WAIT_TIMEOUT,
    CLOUDHALT_WAIT_FAILED,
];

/// Older C spellings, kept working in the header as `#define`s with the same value.
#[cfg(test)]
const ALIASES: [(&str, cloudhalt_status); 1] = [("CLOUDHALT_CONFLICT", CLOUDHALT_STATE_CONFLICT)];

/// THE table from core error kinds to C statuses (checked against errors.json by a test).
const KIND_TO_STATUS: [(ErrorKind, cloudhalt_status); 16] = [
    (ErrorKind::InvalidInput, CLOUDHALT_INVALID_INPUT),
    (ErrorKind::Credentials, CLOUDHALT_CREDENTIALS),
    (ErrorKind::Transport, CLOUDHALT_TRANSPORT),
    (ErrorKind::Timeout, CLOUDHALT_TIMEOUT),
    (ErrorKind::Auth, CLOUDHALT_AUTH),
    (ErrorKind::Throttled, CLOUDHALT_THROTTLED),
    (ErrorKind::NotFound, CLOUDHALT_NOT_FOUND),
    (ErrorKind::StateConflict, CLOUDHALT_STATE_CONFLICT),
    (ErrorKind::InvalidParameter, CLOUDHALT_INVALID_PARAMETER),
    (ErrorKind::Quota, CLOUDHALT_QUOTA),
    (ErrorKind::Server, CLOUDHALT_SERVER),
    (ErrorKind::Api, CLOUDHALT_API),
    (ErrorKind::UnexpectedResponse, CLOUDHALT_UNEXPECTED_RESPONSE),
    (ErrorKind::Audit, CLOUDHALT_AUDIT),
    (ErrorKind::WaitTimeout, CLOUDHALT_WAIT_TIMEOUT),
    (ErrorKind::WaitFailed, CLOUDHALT_WAIT_FAILED),
];

/// The status for a core error kind. A kind added to the core later and not yet in the table is
/// reported as `CLOUDHALT_API` ("any other provider error") rather than guessed.
pub(crate) fn status_for(kind: ErrorKind) -> cloudhalt_status {
    KIND_TO_STATUS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(CLOUDHALT_API, |(_, s)| *s)
}

impl cloudhalt_status {
    /// The status with this value, if any.
    pub(crate) fn from_int(value: c_int) -> Option<cloudhalt_status> {
        usize::try_from(value)
            .ok()
            .and_then(|i| ALL_STATUSES.get(i).copied())
    }

    /// The C spelling, NUL-terminated: `CLOUDHALT_` and the kind's name from the core in capitals
    /// (`CLOUDHALT_NOT_FOUND` for `not_found`), so C and the core cannot spell a kind differently.
    pub(crate) fn name(self) -> &'static CStr {
        match self {
            CLOUDHALT_OK => c"CLOUDHALT_OK",
            CLOUDHALT_PANIC => c"CLOUDHALT_PANIC",
            status => match KIND_TO_STATUS.iter().find(|(_, s)| *s == status) {
                Some((kind, _)) => {
                    static_c_str(&format!("CLOUDHALT_{}", kind.as_str().to_ascii_uppercase()))
                }
                // Every status but OK and PANIC is in the table (a test checks it).
                None => c"CLOUDHALT_UNKNOWN_STATUS",
            },
        }
    }
}

/// The kind of a core error as C sees it (`"not_found"`), from the core's own spelling.
pub(crate) fn kind_name(kind: ErrorKind) -> &'static CStr {
    static_c_str(kind.as_str())
}

/// How far a request got, as C sees it (`"not_sent"`), from the core's own spelling.
pub(crate) fn send_state_name(state: SendState) -> &'static CStr {
    static_c_str(state.as_str())
}

/// The C name of `status` (`"CLOUDHALT_NOT_FOUND"`), or `"CLOUDHALT_UNKNOWN_STATUS"` for a value
/// this library does not know (it takes an `int` so that any value is safe to pass).
///
/// Ownership: the string is static; never free it. Thread-safe. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_status_name(status: c_int) -> *const c_char {
    boundary!({
        cloudhalt_status::from_int(status)
            .map_or(c"CLOUDHALT_UNKNOWN_STATUS", cloudhalt_status::name)
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_json() -> serde_json::Value {
        let text = include_str!("../../../tests/vectors/errors.json");
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn every_kind_maps_to_the_c_status_errors_json_names() {
        let doc = errors_json();
        let kinds = doc["kinds"].as_array().unwrap();
        assert_eq!(kinds.len(), ErrorKind::ALL.len());
        for entry in kinds {
            let kind = ErrorKind::from_name(entry["kind"].as_str().unwrap()).unwrap();
            let named = entry["cStatus"].as_str().unwrap();
            // errors.json may still use an alias (CLOUDHALT_CONFLICT): it names the same value.
            let expected = ALIASES
                .iter()
                .find(|(alias, _)| *alias == named)
                .map_or(named, |(_, status)| status.name().to_str().unwrap());
            assert_eq!(
                status_for(kind).name().to_str().unwrap(),
                expected,
                "{kind}"
            );
        }
    }

    #[test]
    fn names_are_the_core_kind_names_in_capitals() {
        for kind in ErrorKind::ALL {
            let name = status_for(kind).name().to_str().unwrap();
            assert_eq!(name, format!("CLOUDHALT_{}", kind.as_str().to_uppercase()));
            assert_eq!(kind_name(kind).to_str().unwrap(), kind.as_str());
        }
        for state in [
            SendState::NotBuilt,
            SendState::NotSent,
            SendState::SentNoAnswer,
            SendState::Answered,
        ] {
            assert_eq!(send_state_name(state).to_str().unwrap(), state.as_str());
        }
        // The documented spelling of kind state_conflict; CLOUDHALT_CONFLICT is its alias.
        assert_eq!(CLOUDHALT_STATE_CONFLICT.name(), c"CLOUDHALT_STATE_CONFLICT");
        assert_eq!(ALIASES[0].1 as i32, 8);
    }

    #[test]
    fn the_table_covers_every_core_kind_once() {
        for kind in ErrorKind::ALL {
            let n = KIND_TO_STATUS.iter().filter(|(k, _)| *k == kind).count();
            assert_eq!(n, 1, "{kind}");
        }
    }

    #[test]
    fn values_are_0_to_17_in_the_documented_order() {
        for (i, s) in ALL_STATUSES.iter().enumerate() {
            assert_eq!(*s as usize, i);
            assert_eq!(cloudhalt_status::from_int(i as c_int), Some(*s));
        }
        assert_eq!(CLOUDHALT_PANIC as i32, 14);
        // Appended after PANIC: values never move.
        assert_eq!(CLOUDHALT_AUDIT as i32, 15);
        // The confirm issue's wait kinds, appended after AUDIT.
        assert_eq!(CLOUDHALT_WAIT_TIMEOUT as i32, 16);
        assert_eq!(CLOUDHALT_WAIT_FAILED as i32, 17);
        assert_eq!(cloudhalt_status::from_int(18), None);
        assert_eq!(cloudhalt_status::from_int(-1), None);
    }

    #[test]
    fn status_name_maps_unknown_values() {
        let name = |v| {
            unsafe { CStr::from_ptr(cloudhalt_status_name(v)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(0), "CLOUDHALT_OK");
        assert_eq!(name(8), "CLOUDHALT_STATE_CONFLICT");
        assert_eq!(name(14), "CLOUDHALT_PANIC");
        assert_eq!(name(15), "CLOUDHALT_AUDIT");
        assert_eq!(name(16), "CLOUDHALT_WAIT_TIMEOUT");
        assert_eq!(name(17), "CLOUDHALT_WAIT_FAILED");
        assert_eq!(name(18), "CLOUDHALT_UNKNOWN_STATUS");
        assert_eq!(name(-7), "CLOUDHALT_UNKNOWN_STATUS");
        assert_eq!(name(c_int::MAX), "CLOUDHALT_UNKNOWN_STATUS");
    }
}

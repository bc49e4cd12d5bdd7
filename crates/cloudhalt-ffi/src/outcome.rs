//! `cloudhalt_outcome`, and [`Record`]: the per-ID outcomes, RequestIds and attempts of a call,
//! and the states a wait reached, as C reads them, kept by a `cloudhalt_response` and by the
//! thread's last error alike.

use std::ffi::{CStr, CString, c_char};
use std::os::raw::c_int;
use std::ptr;

use cloudhalt::{IdOutcome, IdState, Outcome};

use crate::strings::{static_c_str, to_c_string};

/// What happened to one ID of a call (`cloudhalt_response_outcome()`,
/// `cloudhalt_last_error_outcome()`).
///
/// Values only grow at the end and are never reused, so a program may store them. The order is
/// the core's `Outcome::ALL`; the names are those of cloudhalt_outcome_name().
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cloudhalt_outcome {
    /// Its request succeeded (`"done"`).
    CLOUDHALT_OUTCOME_DONE = 0,
    /// After a retry that followed an ambiguous failure, the provider answered that it was
    /// already done: the first attempt took effect (`"already"`). A success.
    CLOUDHALT_OUTCOME_ALREADY = 1,
    /// Its request failed: the outcome's code and RequestId say why; nothing was done
    /// (`"failed"`).
    CLOUDHALT_OUTCOME_FAILED = 2,
    /// Its request may have reached the provider but no answer says what happened: check the
    /// resource's state before sending it again (`"unknown"`).
    CLOUDHALT_OUTCOME_UNKNOWN = 3,
}

/// The C value of a core outcome: its index in `Outcome::ALL`, so C and the core cannot order
/// them differently. An outcome added to the core later and not yet known here is `unknown`
/// (the most cautious reading) rather than guessed.
pub(crate) fn outcome_value(outcome: Outcome) -> c_int {
    Outcome::ALL
        .iter()
        .position(|o| *o == outcome)
        .and_then(|i| c_int::try_from(i).ok())
        .unwrap_or(cloudhalt_outcome::CLOUDHALT_OUTCOME_UNKNOWN as c_int)
}

/// The value an outcome accessor answers out of range, and after a panic: never a real outcome,
/// so a caller cannot mistake it for `done`.
pub(crate) const NO_OUTCOME: c_int = -1;

/// One ID's outcome, with C strings ready to lend.
struct IdRecord {
    id: CString,
    outcome: c_int,
    code: Option<CString>,
    request_id: Option<CString>,
}

/// The state one ID reached in a wait, with C strings ready to lend.
struct StateRecord {
    id: CString,
    state: CString,
    result: CString,
    then: &'static CStr,
}

/// The per-ID record of a call: every input ID once, in input order; every RequestId in order;
/// the number of requests sent; the state each waited ID reached. Empty when nothing was sent.
#[derive(Default)]
pub(crate) struct Record {
    outcomes: Vec<IdRecord>,
    request_ids: Vec<CString>,
    attempts: u32,
    states: Vec<StateRecord>,
}

fn opt_ptr(s: Option<&CString>) -> *const c_char {
    s.map_or(ptr::null(), |s| s.as_ptr())
}

impl Record {
    pub(crate) fn new(
        outcomes: &[IdOutcome],
        request_ids: &[String],
        attempts: u32,
        states: &[IdState],
    ) -> Record {
        Record {
            states: states
                .iter()
                .map(|s| StateRecord {
                    id: to_c_string(s.id()),
                    state: to_c_string(s.state()),
                    result: to_c_string(s.result()),
                    then: static_c_str(s.then().as_str()),
                })
                .collect(),
            outcomes: outcomes
                .iter()
                .map(|o| IdRecord {
                    id: to_c_string(o.id()),
                    outcome: outcome_value(o.outcome()),
                    code: o.code().map(to_c_string),
                    request_id: o.request_id().map(to_c_string),
                })
                .collect(),
            request_ids: request_ids.iter().map(|s| to_c_string(s)).collect(),
            attempts,
        }
    }

    pub(crate) fn outcome_count(&self) -> usize {
        self.outcomes.len()
    }

    pub(crate) fn outcome_id(&self, i: usize) -> *const c_char {
        opt_ptr(self.outcomes.get(i).map(|o| &o.id))
    }

    pub(crate) fn outcome(&self, i: usize) -> c_int {
        self.outcomes.get(i).map_or(NO_OUTCOME, |o| o.outcome)
    }

    pub(crate) fn outcome_code(&self, i: usize) -> *const c_char {
        opt_ptr(self.outcomes.get(i).and_then(|o| o.code.as_ref()))
    }

    pub(crate) fn outcome_request_id(&self, i: usize) -> *const c_char {
        opt_ptr(self.outcomes.get(i).and_then(|o| o.request_id.as_ref()))
    }

    pub(crate) fn request_id_count(&self) -> usize {
        self.request_ids.len()
    }

    pub(crate) fn request_id_at(&self, i: usize) -> *const c_char {
        opt_ptr(self.request_ids.get(i))
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    pub(crate) fn state_count(&self) -> usize {
        self.states.len()
    }

    pub(crate) fn state_id(&self, i: usize) -> *const c_char {
        opt_ptr(self.states.get(i).map(|s| &s.id))
    }

    pub(crate) fn state(&self, i: usize) -> *const c_char {
        opt_ptr(self.states.get(i).map(|s| &s.state))
    }

    pub(crate) fn state_result(&self, i: usize) -> *const c_char {
        opt_ptr(self.states.get(i).map(|s| &s.result))
    }

    pub(crate) fn state_then(&self, i: usize) -> *const c_char {
        self.states.get(i).map_or(ptr::null(), |s| s.then.as_ptr())
    }
}

/// The name of outcome `outcome` as the core spells it: `"done"`, `"already"`, `"failed"` or
/// `"unknown"`; NULL for a value this library does not know (it takes an `int` so that any
/// value, including the -1 of an out-of-range accessor, is safe to pass).
///
/// Ownership: static; never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_outcome_name(outcome: c_int) -> *const c_char {
    boundary!({
        usize::try_from(outcome)
            .ok()
            .and_then(|i| Outcome::ALL.get(i))
            .map_or(ptr::null(), |o| static_c_str(o.as_str()).as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn values_follow_the_core_order_and_names() {
        assert_eq!(Outcome::ALL.len(), 4);
        let c = [
            cloudhalt_outcome::CLOUDHALT_OUTCOME_DONE,
            cloudhalt_outcome::CLOUDHALT_OUTCOME_ALREADY,
            cloudhalt_outcome::CLOUDHALT_OUTCOME_FAILED,
            cloudhalt_outcome::CLOUDHALT_OUTCOME_UNKNOWN,
        ];
        for (i, (outcome, value)) in Outcome::ALL.iter().zip(c).enumerate() {
            assert_eq!(outcome_value(*outcome), value as c_int);
            assert_eq!(value as usize, i);
            let name = unsafe { CStr::from_ptr(cloudhalt_outcome_name(value as c_int)) };
            assert_eq!(name.to_str().unwrap(), outcome.as_str());
            assert_eq!(
                format!("CLOUDHALT_OUTCOME_{}", outcome.as_str().to_uppercase()),
                format!("{value:?}")
            );
        }
        assert!(cloudhalt_outcome_name(-1).is_null());
        assert!(cloudhalt_outcome_name(4).is_null());
        assert!(cloudhalt_outcome_name(c_int::MAX).is_null());
    }

    #[test]
    fn an_empty_record_answers_nothing_out_of_range() {
        let r = Record::default();
        assert_eq!(r.outcome_count(), 0);
        assert!(r.outcome_id(0).is_null());
        assert_eq!(r.outcome(0), NO_OUTCOME);
        assert!(r.outcome_code(usize::MAX).is_null());
        assert!(r.request_id_at(0).is_null());
        assert_eq!(r.attempts(), 0);
        assert_eq!(r.state_count(), 0);
        assert!(r.state_id(0).is_null());
        assert!(r.state(0).is_null());
        assert!(r.state_result(usize::MAX).is_null());
        assert!(r.state_then(0).is_null());
    }
}

//! Exit codes and the one-line error report.

use std::process::ExitCode;

use cloudhalt::{Error, ErrorKind, SendState};

/// The shared table (`tests/vectors/errors.json`): each kind's `cliExit`, so the command agrees
/// with the C and Python bindings by construction.
const ERROR_TABLE: &str = include_str!("../../../tests/vectors/errors.json");

/// The exit code for an error of `kind`: the `cliExit` of its row in `errors.json`; 1 for a kind
/// the table does not know (never expected: a test checks every kind has a row).
pub fn code_for(kind: ErrorKind) -> u8 {
    let table: serde_json::Value = match serde_json::from_str(ERROR_TABLE) {
        Ok(v) => v,
        Err(_) => return 1,
    };
    table["kinds"]
        .as_array()
        .and_then(|kinds| kinds.iter().find(|k| k["kind"] == kind.as_str()))
        .and_then(|k| k["cliExit"].as_u64())
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(1)
}

/// What the caller should know about how far the request got.
pub fn send_state_words(state: SendState) -> &'static str {
    match state {
        SendState::NotBuilt => "not sent: nothing left this machine",
        SendState::NotSent => "not sent: the connection failed before the request went out",
        SendState::SentNoAnswer => {
            "MAY HAVE BEEN SENT: no answer came back; it may have taken effect, check the state before retrying"
        }
        SendState::Answered => "sent and answered by the provider",
        _ => "MAY HAVE BEEN SENT: check the state before retrying",
    }
}

/// Prints `err` of the call `(provider, action)` to stderr as one line and returns its exit code.
pub fn report(err: &Error, call: (&str, &str)) -> ExitCode {
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let mut line = String::from("cloudhalt: error:");
    // Input errors are found before the core tags them with the call: name it from the command.
    let provider = err.provider().map_or(call.0, |p| p.as_str());
    let action = err.action().unwrap_or(call.1);
    line.push_str(&format!(" {provider} {action}:"));
    if let Some(code) = err.code() {
        line.push_str(&format!(" {}:", one_line(code)));
    }
    line.push_str(&format!(" {}", one_line(err.message())));
    let mut details = vec![format!("kind {}", err.kind())];
    if let Some(id) = err.request_id() {
        details.push(format!("RequestId {}", one_line(id)));
    }
    if let Some(status) = err.http_status() {
        details.push(format!("HTTP {status}"));
    }
    details.push(format!("request {}", send_state_words(err.send_state())));
    line.push_str(&format!(" [{}]", details.join("; ")));
    eprintln!("{line}");
    ExitCode::from(code_for(err.kind()))
}

/// A usage or input problem found by the command itself (exit 2).
pub fn usage(message: &str) -> ExitCode {
    eprintln!("cloudhalt: error: {message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_the_documented_exit_code() {
        let expected = [
            (ErrorKind::InvalidInput, 2),
            (ErrorKind::Credentials, 3),
            (ErrorKind::Transport, 7),
            (ErrorKind::Timeout, 7),
            (ErrorKind::Auth, 3),
            (ErrorKind::Throttled, 4),
            (ErrorKind::NotFound, 5),
            (ErrorKind::StateConflict, 6),
            (ErrorKind::InvalidParameter, 2),
            (ErrorKind::Quota, 1),
            (ErrorKind::Server, 1),
            (ErrorKind::Api, 1),
            (ErrorKind::UnexpectedResponse, 7),
        ];
        assert_eq!(expected.len(), ErrorKind::ALL.len());
        for (kind, code) in expected {
            assert_eq!(code_for(kind), code, "{kind}");
        }
    }
}

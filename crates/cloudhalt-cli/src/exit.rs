//! Exit codes and the error report: one readable line, or one JSON object with `--output json`.

use std::process::ExitCode;

use cloudhalt::{Error, ErrorKind, SendState};

use crate::Output;

/// The shared table (`tests/vectors/errors.json`): each kind's `cliExit`, and the
/// `cliExitMayHaveBeenSent` rule, so the command agrees with the C and Python bindings and with
/// the documentation by construction.
const ERROR_TABLE: &str = include_str!("../../../tests/vectors/errors.json");

/// The exit code for an error of `kind` whose request got as far as `state`: the
/// `cliExitMayHaveBeenSent` code when the table lists both the kind and the state there (the
/// request may have taken effect), else the `cliExit` of the kind's row. 1 for a kind the table
/// does not know (never expected: a test checks every kind has a row).
pub fn code_for(kind: ErrorKind, state: SendState) -> u8 {
    let table: serde_json::Value = match serde_json::from_str(ERROR_TABLE) {
        Ok(v) => v,
        Err(_) => return 1,
    };
    let lists = |v: &serde_json::Value, name: &str| {
        v.as_array()
            .is_some_and(|items| items.iter().any(|i| i == name))
    };
    let sent = &table["cliExitMayHaveBeenSent"];
    if lists(&sent["kinds"], kind.as_str())
        && lists(&sent["sendStates"], state.as_str())
        && let Some(code) = sent["cliExit"].as_u64().and_then(|c| u8::try_from(c).ok())
    {
        return code;
    }
    table["kinds"]
        .as_array()
        .and_then(|kinds| kinds.iter().find(|k| k["kind"] == kind.as_str()))
        .and_then(|k| k["cliExit"].as_u64())
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(1)
}

/// The exit code of an ID whose request may have been sent and taken effect (outcome `unknown`):
/// the table's `cliExitMayHaveBeenSent` code.
pub fn may_have_been_sent_code() -> u8 {
    serde_json::from_str::<serde_json::Value>(ERROR_TABLE)
        .ok()
        .and_then(|t| t["cliExitMayHaveBeenSent"]["cliExit"].as_u64())
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(8)
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

/// `text` made inert for a terminal: provider text (and IDs a user typed) is shown as it came, and
/// an ESC, BEL or C1 control in it would otherwise reach the terminal and rewrite the screen, the
/// title or the clipboard. Line breaks and tabs become a space, which keeps the report on one line;
/// every other control character (C0, DEL, C1) becomes U+FFFD, so the user still sees that the
/// provider sent something odd.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Everything the command says about a failure, already cleaned for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    kind: ErrorKind,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    http_status: Option<u16>,
    send_state: SendState,
    provider: String,
    action: String,
}

impl Report {
    fn from_error(err: &Error, call: (&str, &str)) -> Report {
        Report {
            kind: err.kind(),
            code: err.code().map(clean),
            message: clean(err.message()),
            request_id: err.request_id().map(clean),
            http_status: err.http_status(),
            send_state: err.send_state(),
            // Input errors are found before the core tags them with the call: name it from the
            // command.
            provider: clean(err.provider().map_or(call.0, |p| p.as_str())),
            action: clean(err.action().unwrap_or(call.1)),
        }
    }

    /// A usage problem the command found itself, after clap accepted the command line.
    fn usage(message: &str, call: (&str, &str)) -> Report {
        Report {
            kind: ErrorKind::InvalidInput,
            code: None,
            message: clean(message),
            request_id: None,
            http_status: None,
            send_state: SendState::NotBuilt,
            provider: clean(call.0),
            action: clean(call.1),
        }
    }

    fn text(&self) -> String {
        let mut line = format!("cloudhalt: error: {} {}:", self.provider, self.action);
        if let Some(code) = &self.code {
            line.push_str(&format!(" {code}:"));
        }
        line.push_str(&format!(" {}", self.message));
        let mut details = vec![format!("kind {}", self.kind)];
        if let Some(id) = &self.request_id {
            details.push(format!("RequestId {id}"));
        }
        if let Some(status) = self.http_status {
            details.push(format!("HTTP {status}"));
        }
        details.push(format!("request {}", send_state_words(self.send_state)));
        line.push_str(&format!(" [{}]", details.join("; ")));
        line
    }

    fn json(&self) -> String {
        self.value().to_string()
    }

    fn value(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind.as_str(),
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "http_status": self.http_status,
            "send_state": self.send_state.as_str(),
            "provider": self.provider,
            "action": self.action,
        })
    }

    fn render(&self, output: Output) -> String {
        match output {
            Output::Json => self.json(),
            Output::Text => self.text(),
        }
    }

    fn exit_code(&self) -> ExitCode {
        ExitCode::from(code_for(self.kind, self.send_state))
    }
}

/// Prints `err` of the call `(provider, action)` to stderr, as one line of text or one JSON
/// object, and returns its exit code.
pub fn report(err: &Error, call: (&str, &str), output: Output) -> ExitCode {
    print(err, call, output);
    Report::from_error(err, call).exit_code()
}

/// Prints `err` of the call `(provider, action)` to stderr, as one line of text or one JSON
/// object (the exit code is the caller's: a batch exits with its worst outcome's).
pub fn print(err: &Error, call: (&str, &str), output: Output) {
    eprintln!("{}", Report::from_error(err, call).render(output));
}

/// The JSON error object of `err` (the keys of `--output json` errors), for a batch summary.
pub fn error_value(err: &Error, call: (&str, &str)) -> serde_json::Value {
    Report::from_error(err, call).value()
}

/// A usage or input problem of the call `(provider, action)` found by the command itself
/// (exit 2), printed like any other error.
pub fn usage(message: &str, call: (&str, &str), output: Output) -> ExitCode {
    let report = Report::usage(message, call);
    eprintln!("{}", report.render(output));
    report.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [SendState; 4] = [
        SendState::NotBuilt,
        SendState::NotSent,
        SendState::SentNoAnswer,
        SendState::Answered,
    ];

    fn table() -> serde_json::Value {
        serde_json::from_str(ERROR_TABLE).unwrap()
    }

    #[test]
    fn every_kind_has_the_documented_exit_code() {
        // (kind, exit when nothing was sent, exit when it may have been sent)
        let expected = [
            (ErrorKind::InvalidInput, 2, 2),
            (ErrorKind::Credentials, 3, 3),
            (ErrorKind::Transport, 7, 8),
            (ErrorKind::Timeout, 7, 8),
            (ErrorKind::Auth, 3, 3),
            (ErrorKind::Throttled, 4, 4),
            (ErrorKind::NotFound, 5, 5),
            (ErrorKind::StateConflict, 6, 6),
            (ErrorKind::InvalidParameter, 2, 2),
            (ErrorKind::Quota, 1, 1),
            (ErrorKind::Server, 1, 1),
            (ErrorKind::Api, 1, 1),
            (ErrorKind::UnexpectedResponse, 7, 8),
            (ErrorKind::Audit, 9, 9),
            (ErrorKind::WaitTimeout, 10, 10),
            (ErrorKind::WaitFailed, 11, 11),
        ];
        assert_eq!(expected.len(), ErrorKind::ALL.len());
        for (kind, not_sent, sent) in expected {
            for state in STATES {
                let want = if state.may_have_been_sent() {
                    sent
                } else {
                    not_sent
                };
                assert_eq!(code_for(kind, state), want, "{kind} {}", state.as_str());
            }
        }
    }

    #[test]
    fn the_may_have_been_sent_rule_is_the_core_s() {
        let rule = &table()["cliExitMayHaveBeenSent"];
        let states: Vec<&str> = rule["sendStates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let core: Vec<&str> = STATES
            .iter()
            .filter(|s| s.may_have_been_sent())
            .map(|s| s.as_str())
            .collect();
        assert_eq!(states, core);
        for kind in rule["kinds"].as_array().unwrap() {
            assert!(
                ErrorKind::from_name(kind.as_str().unwrap()).is_some(),
                "{kind}"
            );
        }
        // Appended, never renumbered: no kind's own row uses the new code.
        let code = &rule["cliExit"];
        assert!(
            table()["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .all(|k| &k["cliExit"] != code)
        );
    }

    #[test]
    fn help_lists_every_exit_code_of_the_table() {
        let doc = table();
        let mut codes: Vec<u64> = doc["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["cliExit"].as_u64().unwrap())
            .collect();
        codes.push(doc["cliExitMayHaveBeenSent"]["cliExit"].as_u64().unwrap());
        codes.push(0);
        for code in codes {
            let listed = crate::AFTER_HELP
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} ")));
            assert!(listed, "exit code {code} is not explained in --help");
        }
    }

    #[test]
    fn control_characters_become_visible_and_inert() {
        assert_eq!(clean("plain text: ok"), "plain text: ok");
        assert_eq!(clean("a\r\nb\tc"), "a  b c");
        assert_eq!(
            clean("\u{1b}[2J\u{7}\u{0}\u{7f}\u{9b}31m"),
            "\u{FFFD}[2J\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}31m"
        );
        // Printable non-ASCII text is the provider's language, not a threat.
        assert_eq!(clean("实例不存在 é"), "实例不存在 é");
    }

    #[test]
    fn a_json_error_has_every_key_and_null_where_unknown() {
        let err = Error::new(
            ErrorKind::Timeout,
            "timed out\u{1b}]0;x\u{7}",
            SendState::SentNoAnswer,
        );
        let report = Report::from_error(&err, ("tencent", "StopInstances"));
        let line = report.render(Output::Json);
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "action",
                "code",
                "http_status",
                "kind",
                "message",
                "provider",
                "request_id",
                "send_state"
            ]
        );
        assert_eq!(v["kind"], "timeout");
        assert_eq!(v["send_state"], "sent_no_answer");
        assert_eq!(v["provider"], "tencent");
        assert_eq!(v["action"], "StopInstances");
        assert_eq!(v["message"], "timed out\u{FFFD}]0;x\u{FFFD}");
        assert!(v["code"].is_null() && v["request_id"].is_null() && v["http_status"].is_null());
        assert_eq!(code_for(report.kind, report.send_state), 8);
    }

    #[test]
    fn a_text_error_is_one_line() {
        let err = Error::new(
            ErrorKind::Transport,
            "could not connect\r\nX-Fake: 1",
            SendState::NotSent,
        );
        let line = Report::from_error(&err, ("alibaba", "StopInvocation")).render(Output::Text);
        assert_eq!(
            line,
            "cloudhalt: error: alibaba StopInvocation: could not connect  X-Fake: 1 [kind \
             transport; request not sent: the connection failed before the request went out]"
        );
    }

    #[test]
    fn a_usage_error_is_invalid_input_not_built() {
        let report = Report::usage("no IDs", ("tencent", "CancelInvocation"));
        assert_eq!(report.kind, ErrorKind::InvalidInput);
        assert_eq!(report.send_state, SendState::NotBuilt);
        assert_eq!(code_for(report.kind, report.send_state), 2);
        let v: serde_json::Value = serde_json::from_str(&report.render(Output::Json)).unwrap();
        assert_eq!(v["message"], "no IDs");
        assert_eq!(v["action"], "CancelInvocation");
    }
}

//! The one error type: a kind a caller can branch on, what the provider said, and whether the
//! request may have reached the provider.

use std::fmt;
use std::sync::OnceLock;

use crate::batch::IdOutcome;
use crate::wait::IdState;

/// Which cloud an operation or error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Tencent Cloud (TC3-HMAC-SHA256).
    Tencent,
    /// Alibaba Cloud (ACS3-HMAC-SHA256).
    Alibaba,
}

impl Provider {
    /// `"tencent"` or `"alibaba"`, the spelling used in `errors.json` and by the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Tencent => "tencent",
            Provider::Alibaba => "alibaba",
        }
    }

    /// `"Tencent Cloud"` or `"Alibaba Cloud"`, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Tencent => "Tencent Cloud",
            Provider::Alibaba => "Alibaba Cloud",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, coarse enough to branch on. Provider codes map to kinds through the table in
/// `tests/vectors/errors.json`, which every binding shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bad argument, caught before anything was sent.
    InvalidInput,
    /// Missing or malformed credentials, caught before anything was sent.
    Credentials,
    /// The request could not be delivered, or no usable HTTP answer came back.
    Transport,
    /// Connecting, or the whole exchange, took longer than the configured timeout.
    Timeout,
    /// The provider refused the signature, key, token or permission.
    Auth,
    /// The provider's rate limit was hit.
    Throttled,
    /// A named resource does not exist.
    NotFound,
    /// The resource's state does not allow the operation.
    StateConflict,
    /// The provider rejected a parameter value or combination.
    InvalidParameter,
    /// An account quota or limit was exceeded.
    Quota,
    /// The provider had an internal error or was unavailable.
    Server,
    /// Any other provider error code.
    Api,
    /// An answer came back that is not the provider's documented shape.
    UnexpectedResponse,
    /// The audit log could not be written; the request it was to record was not sent.
    Audit,
    /// A wait's deadline came before every ID reached its success state (the write was sent
    /// once and is not re-sent; the states reached are attached).
    WaitTimeout,
    /// A wait saw an ID reach a failure state (the provider's operation failed, the instance
    /// vanished, too late to cancel).
    WaitFailed,
}

impl ErrorKind {
    /// Every kind, in the order of the C status values.
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::InvalidInput,
        ErrorKind::Credentials,
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::Auth,
        ErrorKind::Throttled,
        ErrorKind::NotFound,
        ErrorKind::StateConflict,
        ErrorKind::InvalidParameter,
        ErrorKind::Quota,
        ErrorKind::Server,
        ErrorKind::Api,
        ErrorKind::UnexpectedResponse,
        ErrorKind::Audit,
        ErrorKind::WaitTimeout,
        ErrorKind::WaitFailed,
    ];

    /// The snake_case name used in `errors.json` (`"not_found"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Credentials => "credentials",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Auth => "auth",
            ErrorKind::Throttled => "throttled",
            ErrorKind::NotFound => "not_found",
            ErrorKind::StateConflict => "state_conflict",
            ErrorKind::InvalidParameter => "invalid_parameter",
            ErrorKind::Quota => "quota",
            ErrorKind::Server => "server",
            ErrorKind::Api => "api",
            ErrorKind::UnexpectedResponse => "unexpected_response",
            ErrorKind::Audit => "audit",
            ErrorKind::WaitTimeout => "wait_timeout",
            ErrorKind::WaitFailed => "wait_failed",
        }
    }

    /// The kind named `name` in `errors.json`, if any.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// True for the kinds that carry a provider error code.
    pub fn is_api(self) -> bool {
        matches!(
            self,
            ErrorKind::Auth
                | ErrorKind::Throttled
                | ErrorKind::NotFound
                | ErrorKind::StateConflict
                | ErrorKind::InvalidParameter
                | ErrorKind::Quota
                | ErrorKind::Server
                | ErrorKind::Api
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a request got: what a caller needs to know before deciding to send it again.
///
/// It is read from the transport's record of the exchange (resolved, connected, request bytes
/// written, answer started), never guessed: from the first request byte handed to the connection
/// on, the request "may have been sent".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SendState {
    /// The request was never built (bad input or credentials): nothing left this process.
    NotBuilt,
    /// The request was built but the exchange failed before any byte of it was written (name
    /// resolution, connecting, a proxy's CONNECT, the TLS handshake): sending it again is safe.
    NotSent,
    /// The request may have reached the provider, but no answer came back: it may have taken effect.
    SentNoAnswer,
    /// The provider answered.
    Answered,
}

impl SendState {
    /// Every state, in the order of the C values.
    pub const ALL: [SendState; 4] = [
        SendState::NotBuilt,
        SendState::NotSent,
        SendState::SentNoAnswer,
        SendState::Answered,
    ];

    /// `"not_built"`, `"not_sent"`, `"sent_no_answer"` or `"answered"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SendState::NotBuilt => "not_built",
            SendState::NotSent => "not_sent",
            SendState::SentNoAnswer => "sent_no_answer",
            SendState::Answered => "answered",
        }
    }

    /// True when the request may have reached the provider (and so may have taken effect).
    pub fn may_have_been_sent(self) -> bool {
        matches!(self, SendState::SentNoAnswer | SendState::Answered)
    }
}

/// The error every cloudhalt call returns. It never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    provider: Option<Provider>,
    action: Option<String>,
    field: Option<String>,
    code: Option<String>,
    request_id: Option<String>,
    http_status: Option<u16>,
    send_state: SendState,
    headers: Vec<(String, String)>,
    outcomes: Vec<IdOutcome>,
    request_ids: Vec<String>,
    attempts: u32,
    states: Vec<IdState>,
}

impl Error {
    /// Bad input for `field`, caught before anything was built or sent. `message` names the bad
    /// value (never a secret) and the rule.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message, SendState::NotBuilt).with_field(field)
    }

    /// Missing or malformed credentials.
    pub fn credentials(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Credentials, message, SendState::NotBuilt)
    }

    /// An error of any kind; the bindings use [`Error::invalid_input`] and friends instead.
    pub fn new(kind: ErrorKind, message: impl Into<String>, send_state: SendState) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            provider: None,
            action: None,
            field: None,
            code: None,
            request_id: None,
            http_status: None,
            send_state,
            headers: Vec::new(),
            outcomes: Vec::new(),
            request_ids: Vec::new(),
            attempts: 0,
            states: Vec::new(),
        }))
    }

    /// A provider's error answer: the kind comes from the shared code table.
    pub(crate) fn api(
        provider: Provider,
        code: String,
        message: String,
        request_id: Option<String>,
        http_status: u16,
    ) -> Error {
        let kind = classify(provider, &code);
        Error(Box::new(Inner {
            kind,
            message,
            provider: Some(provider),
            action: None,
            field: None,
            code: Some(code),
            request_id,
            http_status: Some(http_status),
            send_state: SendState::Answered,
            headers: Vec::new(),
            outcomes: Vec::new(),
            request_ids: Vec::new(),
            attempts: 0,
            states: Vec::new(),
        }))
    }

    pub(crate) fn with_field(mut self, field: impl Into<String>) -> Error {
        self.0.field = Some(field.into());
        self
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Error {
        self.0.http_status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Error {
        self.0.request_id = request_id;
        self
    }

    pub(crate) fn with_headers(mut self, headers: Vec<(String, String)>) -> Error {
        self.0.headers = headers;
        self
    }

    /// Attaches the record of a whole call: every ID's outcome, every RequestId, the attempts.
    pub(crate) fn with_record(
        mut self,
        outcomes: Vec<IdOutcome>,
        request_ids: Vec<String>,
        attempts: u32,
    ) -> Error {
        self.0.outcomes = outcomes;
        self.0.request_ids = request_ids;
        self.0.attempts = attempts;
        self
    }

    /// Attaches the states a wait reached.
    pub(crate) fn with_states(mut self, states: Vec<IdState>) -> Error {
        self.0.states = states;
        self
    }

    /// Adds a sentence to the message (what to do next).
    pub(crate) fn with_note(mut self, note: &str) -> Error {
        let message = &mut self.0.message;
        if !message.is_empty() && !message.ends_with(['.', ' ']) {
            message.push('.');
        }
        if !message.is_empty() {
            message.push(' ');
        }
        message.push_str(note);
        self
    }

    /// Replaces every occurrence of a known secret in the provider's text with `<redacted>`: a
    /// peer that echoes the token it received must not get it printed.
    pub(crate) fn redact(mut self, secrets: &[&str]) -> Error {
        let inner = &mut *self.0;
        redact_in(&mut inner.message, secrets);
        for text in [&mut inner.code, &mut inner.request_id]
            .into_iter()
            .flatten()
        {
            redact_in(text, secrets);
        }
        for (_, value) in &mut inner.headers {
            redact_in(value, secrets);
        }
        for id in &mut inner.request_ids {
            redact_in(id, secrets);
        }
        for outcome in &mut inner.outcomes {
            outcome.redact(secrets);
        }
        self
    }

    pub(crate) fn with_provider(mut self, provider: Provider) -> Error {
        self.0.provider = Some(provider);
        self
    }

    pub(crate) fn for_call(mut self, provider: Provider, action: &str) -> Error {
        self.0.provider = Some(provider);
        self.0.action = Some(action.to_owned());
        self
    }

    /// What went wrong, coarsely.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The human-readable message: for input errors it names the field, the bad value and the rule;
    /// for provider errors it is the provider's message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The provider of the call that failed, when known.
    pub fn provider(&self) -> Option<Provider> {
        self.0.provider
    }

    /// The provider's operation name (`StopInstances`, ...), when known.
    pub fn action(&self) -> Option<&str> {
        self.0.action.as_deref()
    }

    /// For input errors: the offending field, spelled as the provider spells it (`InstanceIds`).
    pub fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// The provider's error code (`InvalidInstanceId.NotFound`), when the provider answered one.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The provider's RequestId, when the provider answered one.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The HTTP status of the answer, when one came back.
    pub fn http_status(&self) -> Option<u16> {
        self.0.http_status
    }

    /// How far the request got.
    pub fn send_state(&self) -> SendState {
        self.0.send_state
    }

    /// The answer's HTTP headers (names lower-cased), when an answer came back: e.g. Alibaba's
    /// `x-acs-retry-after`.
    pub fn headers(&self) -> &[(String, String)] {
        &self.0.headers
    }

    /// For an operation call: the outcome of every input ID, once each and in input order
    /// (empty when the call was refused before anything was sent).
    pub fn outcomes(&self) -> &[IdOutcome] {
        &self.0.outcomes
    }

    /// When a wait ran: the state each ID reached (the provider's state and what it means),
    /// including those that reached success before the wait gave up.
    pub fn states(&self) -> &[IdState] {
        &self.0.states
    }

    /// For an operation call: every RequestId the provider answered, in order, over all
    /// requests and attempts (empty when nothing was answered).
    pub fn request_ids(&self) -> &[String] {
        &self.0.request_ids
    }

    /// For an operation call: how many attempts were made, over all its requests (0 when
    /// nothing was sent; an attempt that failed before its first byte was written counts).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The value of the answer header `name` (case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.0
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Shortens and quotes a user value for an error message, so a huge or binary input cannot flood it.
pub(crate) fn quoted(value: &str) -> String {
    const MAX: usize = 64;
    if value.chars().count() > MAX {
        let head: String = value.chars().take(MAX).collect();
        format!("{head:?}... ({} characters)", value.chars().count())
    } else {
        format!("{value:?}")
    }
}

/// Secrets shorter than this are not searched for: a 1-character "secret" would redact every
/// occurrence of that letter. Real keys and tokens are far longer.
const MIN_REDACTED_LEN: usize = 6;

/// Whether `text` holds any of `secrets` (of those long enough to be searched for).
pub(crate) fn holds_secret(text: &str, secrets: &[&str]) -> bool {
    secrets
        .iter()
        .any(|secret| secret.len() >= MIN_REDACTED_LEN && text.contains(secret))
}

/// Replaces each of `secrets` found in `text` with `<redacted>`.
pub(crate) fn redact_in(text: &mut String, secrets: &[&str]) {
    for secret in secrets {
        if secret.len() >= MIN_REDACTED_LEN && text.contains(secret) {
            let mut replaced = text.replace(secret, "<redacted>");
            std::mem::swap(text, &mut replaced);
            zeroize::Zeroize::zeroize(&mut replaced);
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.provider, &self.0.action) {
            (Some(p), Some(a)) => write!(f, "{p} {a}: ")?,
            (Some(p), None) => write!(f, "{p}: ")?,
            _ => {}
        }
        if let Some(code) = &self.0.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.0.message)?;
        if let Some(id) = &self.0.request_id {
            write!(f, " (RequestId {id})")?;
        }
        if let Some(status) = self.0.http_status
            && self.0.code.is_none()
        {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// One row of the shared classification table.
struct Rule {
    provider: Provider,
    matcher: Match,
    code: String,
    kind: ErrorKind,
}

enum Match {
    Exact,
    Prefix,
    Suffix,
}

/// The shared table, kept as data so every binding's tests read the same file.
const ERROR_TABLE: &str = include_str!("../../../tests/vectors/errors.json");

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(ERROR_TABLE).expect("errors.json is valid JSON (tested)");
        doc["rules"]
            .as_array()
            .expect("errors.json has rules (tested)")
            .iter()
            .map(|r| Rule {
                provider: match r["provider"].as_str() {
                    Some("tencent") => Provider::Tencent,
                    _ => Provider::Alibaba,
                },
                matcher: match r["match"].as_str() {
                    Some("exact") => Match::Exact,
                    Some("prefix") => Match::Prefix,
                    _ => Match::Suffix,
                },
                code: r["code"].as_str().unwrap_or_default().to_owned(),
                kind: r["kind"]
                    .as_str()
                    .and_then(ErrorKind::from_name)
                    .expect("errors.json names known kinds (tested)"),
            })
            .collect()
    })
}

/// Maps a provider error code to its kind: the first matching rule of `errors.json` wins, and an
/// unknown code is [`ErrorKind::Api`].
pub fn classify(provider: Provider, code: &str) -> ErrorKind {
    rules()
        .iter()
        .filter(|r| r.provider == provider)
        .find(|r| match r.matcher {
            Match::Exact => code == r.code,
            Match::Prefix => code.starts_with(r.code.as_str()),
            Match::Suffix => code.ends_with(r.code.as_str()),
        })
        .map_or(ErrorKind::Api, |r| r.kind)
}

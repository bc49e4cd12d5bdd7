//! The five operations: typed requests, their validation, and the provider answer.
//!
//! Each request type checks every documented rule before anything is built, and returns an
//! [`Error`] of kind [`InvalidInput`](crate::ErrorKind::InvalidInput) that names the provider's
//! field, the bad value and the rule.

pub mod alibaba;
pub mod tencent;

use crate::error::{Error, Provider};

/// A successful answer: the provider's RequestId and its whole JSON answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub(crate) provider: Provider,
    pub(crate) action: &'static str,
    pub(crate) request_id: String,
    pub(crate) data: serde_json::Value,
    pub(crate) sent_headers: Vec<(String, String)>,
}

impl Response {
    /// The provider that answered.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The operation, as the provider names it (`StopInstances`, `StopInvocation`, ...).
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The provider's RequestId: quote it when asking the provider about this call.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The provider's whole answer (`{"Response": {...}}` for Tencent, `{"RequestId": ...}` for
    /// Alibaba).
    pub fn data(&self) -> &serde_json::Value {
        &self.data
    }

    /// The request headers that were sent, in order, with session tokens redacted: a record of
    /// exactly what was signed (the `Authorization` signature is not a secret).
    pub fn sent_headers(&self) -> &[(String, String)] {
        &self.sent_headers
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

/// Checks a list's size and that no entry repeats.
pub(crate) fn check_list<S: AsRef<str>>(
    field: &str,
    items: &[S],
    max: usize,
    check_item: impl Fn(&str, &str) -> Result<(), Error>,
) -> Result<(), Error> {
    if items.is_empty() {
        return Err(Error::invalid_input(
            field,
            format!("{field} is empty: give 1 to {max} IDs"),
        ));
    }
    if items.len() > max {
        return Err(Error::invalid_input(
            field,
            format!(
                "{field} has {} IDs, more than the provider's limit of {max} per request: split \
                 them into batches of at most {max}",
                items.len()
            ),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item = item.as_ref();
        check_item(&format!("{field}[{i}]"), item)?;
        if !seen.insert(item) {
            return Err(Error::invalid_input(
                field,
                format!(
                    "{field}[{i}] {} appears more than once: give each ID once",
                    quoted(item)
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a Tencent resource ID: one of `prefixes` followed by exactly 8 lower-case letters or digits.
pub(crate) fn check_tencent_id(
    field: &str,
    value: &str,
    prefixes: &[&str],
    what: &str,
    example: &str,
) -> Result<(), Error> {
    let ok = prefixes.iter().any(|p| {
        value.strip_prefix(p).is_some_and(|rest| {
            rest.len() == 8
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    });
    if ok {
        return Ok(());
    }
    let shape = prefixes
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let field_name = field.split('[').next().unwrap_or(field);
    Err(Error::invalid_input(
        field_name,
        format!(
            "{field} {} is not a {what}: expected {shape} followed by 8 lower-case letters or \
             digits, e.g. {example}",
            quoted(value)
        ),
    ))
}

/// Checks an Alibaba resource ID: only its prefix and a safe character set, because Alibaba ID
/// shapes vary (`i-bp67acfmxazb4p0001`, `t-hz0jdfwd9f0001`, 32-hex task IDs ...).
pub(crate) fn check_alibaba_id(
    field: &str,
    value: &str,
    prefix: &str,
    what: &str,
    example: &str,
) -> Result<(), Error> {
    let ok = value.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty()
            && value.len() <= 128
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if ok {
        return Ok(());
    }
    let field_name = field.split('[').next().unwrap_or(field);
    Err(Error::invalid_input(
        field_name,
        format!(
            "{field} {} is not an {what}: expected \"{prefix}\" followed by letters, digits, '-' \
             or '_' (at most 128 characters), e.g. {example}",
            quoted(value)
        ),
    ))
}

/// Parses one provider enum value, naming the field and every allowed value on failure.
pub(crate) fn parse_enum<T: Copy>(
    field: &str,
    value: &str,
    allowed: &[(&str, T)],
) -> Result<T, Error> {
    allowed
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names = allowed
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ");
            Error::invalid_input(
                field,
                format!("{field} {} is not valid: use one of {names}", quoted(value)),
            )
        })
}

/// Turns a serde error about the JSON parameters of `action` into an input error.
pub(crate) fn params_error(action: &str, err: serde_json::Error) -> Error {
    Error::invalid_input(
        "params",
        format!("parameters for {action} are not valid: {err}"),
    )
}

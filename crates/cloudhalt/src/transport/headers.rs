//! Headers as cloudhalt holds them: a request's fields as built, an answer's as ureq read them,
//! turned into `(name, value)` strings only when someone asks for them; and the header names
//! cloudhalt sends, parsed once.

use std::borrow::Cow;
use std::sync::OnceLock;

/// A header as cloudhalt builds one: a name of the operation table, and a value that is often
/// a fixed string too (the action, the version, the content type).
pub(crate) type Field = (&'static str, Cow<'static, str>);

/// Headers (sent or answered), kept as they were built or read and turned into `(name, value)`
/// strings the first time they are asked for. Most callers never look at them: making the
/// strings for every call was more allocations than any other step of a call.
#[derive(Clone, Default)]
pub(crate) struct HeaderList {
    source: Source,
    /// The strings, once made.
    list: OnceLock<Vec<(String, String)>>,
}

#[derive(Clone, Default)]
enum Source {
    /// None, or only the strings.
    #[default]
    Strings,
    /// An answer's, as ureq read them (`http` keeps names lower-cased). Boxed: a response is
    /// moved from the transport through the runner to the caller, and the map is most of it.
    Read(Box<ureq::http::HeaderMap>),
    /// A request's record, as built.
    Sent(Vec<Field>),
}

impl HeaderList {
    /// An answer's headers, as ureq read them.
    pub(crate) fn read(map: ureq::http::HeaderMap) -> HeaderList {
        HeaderList {
            source: Source::Read(Box::new(map)),
            list: OnceLock::new(),
        }
    }

    /// The record of a request's fields, as built.
    pub(crate) fn sent(fields: Vec<Field>) -> HeaderList {
        HeaderList {
            source: Source::Sent(fields),
            list: OnceLock::new(),
        }
    }

    /// The headers as `(name, value)` strings, in order (an answer's value that is not UTF-8 is
    /// shown lossily).
    pub(crate) fn list(&self) -> &[(String, String)] {
        self.list.get_or_init(|| self.source.strings())
    }

    /// [`HeaderList::list`], taken.
    pub(crate) fn into_list(self) -> Vec<(String, String)> {
        match self.list.into_inner() {
            Some(list) => list,
            None => self.source.strings(),
        }
    }

    /// The value of the header `name` (any case), without making the strings.
    pub(crate) fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(list) = self.list.get() {
            return list
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| Cow::Borrowed(v.as_str()));
        }
        match &self.source {
            Source::Strings => None,
            Source::Read(map) => map.get(name).map(|v| String::from_utf8_lossy(v.as_bytes())),
            Source::Sent(fields) => fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| Cow::Borrowed(v.as_ref())),
        }
    }

    /// Replaces each of `secrets` in the values with `<redacted>`. The values are searched
    /// where they are; strings are made only when one is found.
    pub(crate) fn redact(&mut self, secrets: &[&str]) {
        use crate::error::holds_secret;
        let found = match (self.list.get(), &self.source) {
            (Some(list), _) => list.iter().any(|(_, v)| holds_secret(v, secrets)),
            (None, Source::Strings) => false,
            (None, Source::Read(map)) => map
                .values()
                .any(|v| holds_secret(&String::from_utf8_lossy(v.as_bytes()), secrets)),
            (None, Source::Sent(fields)) => fields.iter().any(|(_, v)| holds_secret(v, secrets)),
        };
        if found {
            let mut list = std::mem::take(self).into_list();
            for (_, value) in &mut list {
                crate::error::redact_in(value, secrets);
            }
            *self = HeaderList::from(list);
        }
    }
}

impl Source {
    fn strings(&self) -> Vec<(String, String)> {
        match self {
            Source::Strings => Vec::new(),
            Source::Read(map) => header_strings(map),
            Source::Sent(fields) => fields
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone().into_owned()))
                .collect(),
        }
    }
}

impl From<Vec<(String, String)>> for HeaderList {
    fn from(list: Vec<(String, String)>) -> HeaderList {
        HeaderList {
            source: Source::Strings,
            list: OnceLock::from(list),
        }
    }
}

impl PartialEq for HeaderList {
    fn eq(&self, other: &HeaderList) -> bool {
        self.list() == other.list()
    }
}

impl std::fmt::Debug for HeaderList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.list()).finish()
    }
}

/// `(name, value)` strings of `map`, in order; `http` keeps names lower-cased.
fn header_strings(map: &ureq::http::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_owned(), value)
        })
        .collect()
}

/// The header names cloudhalt sends, parsed once (a test checks that every name the two
/// clouds' requests carry is here).
static SENT_NAMES: [ureq::http::HeaderName; 15] = {
    use ureq::http::HeaderName;
    use ureq::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
    [
        AUTHORIZATION,
        CONTENT_TYPE,
        ACCEPT,
        HeaderName::from_static("x-tc-action"),
        HeaderName::from_static("x-tc-version"),
        HeaderName::from_static("x-tc-timestamp"),
        HeaderName::from_static("x-tc-region"),
        HeaderName::from_static("x-tc-language"),
        HeaderName::from_static("x-tc-token"),
        HeaderName::from_static("x-acs-action"),
        HeaderName::from_static("x-acs-version"),
        HeaderName::from_static("x-acs-date"),
        HeaderName::from_static("x-acs-signature-nonce"),
        HeaderName::from_static("x-acs-content-sha256"),
        HeaderName::from_static("x-acs-security-token"),
    ]
};

/// A header name, taken from [`SENT_NAMES`] (already parsed, lower-cased, shared) or else
/// parsed. `HeaderName::from_bytes` allocates for every name that is not one of HTTP's standard
/// ones, which is each `X-TC-*` and `x-acs-*` header, on every call.
pub(super) fn header_name(name: &str) -> Result<ureq::http::HeaderName, ureq::http::Error> {
    match SENT_NAMES
        .iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(name))
    {
        Some(known) => Ok(known.clone()),
        None => Ok(ureq::http::HeaderName::from_bytes(name.as_bytes())?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_name_the_clouds_send_is_taken_ready_made() {
        use crate::engine::private::Wire;
        use crate::ops::Request;
        let tencent = crate::Tencent::new(
            crate::TencentCredentials::new("AKIDexample", "secretexample", Some("token".into()))
                .unwrap(),
        )
        .with_language(Some(crate::Language::EnUs));
        let call = crate::StopInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()])
            .to_call()
            .unwrap();
        let creds = tencent.config().credentials.current().unwrap();
        let sent = crate::TencentCloud::prepare(tencent.config(), &creds.creds, &call, 1);
        let alibaba = crate::Alibaba::new(
            crate::AlibabaCredentials::new("LTAIexample", "secretexample", Some("token".into()))
                .unwrap(),
        );
        let call = crate::StopInvocation::on_instances(
            "cn-hangzhou",
            "t-hz0jdfwd9f0001",
            vec!["i-bp67acfmxazb4p0001".into()],
        )
        .to_call()
        .unwrap();
        let creds = alibaba.config().credentials.current().unwrap();
        let sent_too = crate::AlibabaCloud::prepare(alibaba.config(), &creds.creds, &call, 1);
        let names: Vec<&str> = sent
            .headers
            .iter()
            .chain(&sent_too.headers)
            .map(|(n, _)| *n)
            .collect();
        assert!(names.contains(&"X-TC-Language") && names.contains(&"x-acs-security-token"));
        for name in names {
            assert!(
                SENT_NAMES
                    .iter()
                    .any(|k| k.as_str().eq_ignore_ascii_case(name)),
                "{name} is parsed on every call: add it to SENT_NAMES"
            );
            assert!(
                header_name(name)
                    .unwrap()
                    .as_str()
                    .eq_ignore_ascii_case(name)
            );
        }
    }

    fn answer_headers(pairs: &[(&'static str, &[u8])]) -> HeaderList {
        let mut map = ureq::http::HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, ureq::http::HeaderValue::from_bytes(value).unwrap());
        }
        HeaderList::read(map)
    }

    #[test]
    fn answer_headers_read_as_strings_in_order_and_compare_by_them() {
        let headers = answer_headers(&[
            ("x-acs-request-id", b"7F1C"),
            ("set-cookie", b"a=1"),
            ("set-cookie", b"b=\xff"),
        ]);
        let list = [
            ("x-acs-request-id".to_owned(), "7F1C".to_owned()),
            ("set-cookie".to_owned(), "a=1".to_owned()),
            ("set-cookie".to_owned(), "b=\u{fffd}".to_owned()),
        ];
        assert_eq!(headers.list(), list);
        assert_eq!(format!("{headers:?}"), format!("{list:?}"));
        assert_eq!(headers, HeaderList::from(list.to_vec()));
        assert_eq!(headers.clone().into_list(), list);
    }

    #[test]
    fn a_secret_in_an_answer_header_is_redacted_whether_read_yet_or_not() {
        const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
        let echoed = format!("token={KEY};");
        let fresh = || answer_headers(&[("date", b"today"), ("x-echo", echoed.as_bytes())]);
        let read = fresh();
        let _ = read.list();
        for mut headers in [fresh(), read] {
            headers.redact(&[KEY]);
            assert_eq!(headers.list()[1].1, "token=<redacted>;");
            assert_eq!(headers.list()[0].1, "today");
            assert!(!format!("{headers:?}").contains(KEY));
        }
        let mut clean = fresh();
        clean.redact(&["not-in-any-header"]);
        assert_eq!(clean.list()[1].1, echoed);
    }
}

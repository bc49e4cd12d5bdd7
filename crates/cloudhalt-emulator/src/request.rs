//! What was received: one request, read completely, as the signature checks and the handlers see
//! it. Its own module so that the verifier and the server both depend on it, not on each other.

/// Requests larger than this are refused: every real request of these operations is tiny.
pub(crate) const MAX_BODY: u64 = 1024 * 1024;

/// One received request, read completely.
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    /// The query exactly as sent (still percent-encoded): both signatures are computed over it.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Incoming {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query decoded into pairs, in the order sent.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        decode_query(&self.query)
    }
}

/// Decodes a URL query into pairs, accepting `%20` and `+` for a space (the Python SDKs send `+`).
fn decode_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

//! One client connection, served on its own thread: HTTP/1.1 requests read one after another
//! (keep-alive, `Connection: close`, pipelining), each routed and answered before the next is
//! read. Owning the socket is what lets the `close` and `truncate` faults cut the connection
//! mid-exchange and lets a TLS client be turned away at its first byte.
//!
//! Request bodies are read by `Content-Length` or, if the client sends one, a `chunked`
//! `Transfer-Encoding` (decoded here; trailers are read and ignored). Any other transfer coding
//! is refused with 501 and the connection closed, as the body's end could not be found.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

use crate::answer::{Answer, reason};
use crate::model::FaultKind;
use crate::request::{Incoming, MAX_BODY};
use crate::shared::Shared;
use crate::{control, dispatch};

/// The first byte of every TLS connection: the record type of a handshake (the ClientHello).
/// No HTTP request starts with it: a method is ASCII letters.
const TLS_HANDSHAKE: u8 = 0x16;

/// Bytes asked of the socket at a time. Large enough for a whole ClientHello record in
/// practice, so that turning one away reads it all and the close is a clean FIN rather than a
/// reset for unread data.
const READ_CHUNK: usize = 16 * 1024 + 5;

/// A request line and headers larger than this are refused (431): real ones are a few hundred
/// bytes.
const MAX_HEAD: usize = 64 * 1024;

/// Headers per request beyond which the request is refused (431).
const MAX_HEADERS: usize = 100;

/// Serves requests on `stream` until the client closes it, asks to close it, a fault cuts it,
/// or the server stops (which shuts the socket down from outside).
pub(crate) fn serve(mut stream: TcpStream, public: SocketAddr, shared: &Shared) {
    let mut conn = Connection {
        stream: &mut stream,
        buf: Vec::new(),
    };
    match conn.fill() {
        Ok(true) if conn.buf[0] == TLS_HANDSHAKE => {
            turn_away_tls(conn.stream, public);
            return;
        }
        Ok(true) => {}
        _ => return,
    }
    while !shared.stopping() {
        let request = match conn.read_request() {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(Refusal::Io) => return,
            Err(Refusal::Answer(status, message)) => {
                let answer = Answer::control(status, serde_json::json!({ "error": message }));
                let _ = write_answer(conn.stream, &answer, false);
                let _ = conn.stream.shutdown(Shutdown::Both);
                return;
            }
        };
        let answer = if request.incoming.path.starts_with("/_emulator") {
            control::handle(shared, &request.incoming)
        } else if request.incoming.path.starts_with("/latest/") {
            crate::issued::metadata(shared, &request.incoming)
        } else {
            dispatch::handle(shared, &request.incoming)
        };
        if let Some(kind) = answer.cut {
            cut(conn.stream, &answer, kind);
            return;
        }
        let keep_alive = request.keep_alive && !shared.stopping();
        if write_answer(conn.stream, &answer, keep_alive).is_err() || !keep_alive {
            let _ = conn.stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// One line on stderr saying what happened and which URL to use, and the connection closed.
fn turn_away_tls(stream: &TcpStream, public: SocketAddr) {
    let from = stream
        .peer_addr()
        .map_or_else(|_| "an unknown address".to_owned(), |a| a.to_string());
    eprintln!(
        "cloudhalt-emulator: TLS ClientHello on the plain-http port from {from}: closed; use http://{public}"
    );
    let _ = stream.shutdown(Shutdown::Both);
}

/// A request read from the connection.
struct Request {
    incoming: Incoming,
    /// Whether the client lets the connection carry another request after this one.
    keep_alive: bool,
}

/// Why no request could be read.
enum Refusal {
    /// The connection broke or ended mid-request: nobody to answer.
    Io,
    /// A malformed or unsupported request: answer this status and message, then close.
    Answer(u16, String),
}

impl From<std::io::Error> for Refusal {
    fn from(_: std::io::Error) -> Refusal {
        Refusal::Io
    }
}

/// The socket and the bytes read from it but not used yet (the start of the next request when
/// a client pipelines).
struct Connection<'a> {
    stream: &'a mut TcpStream,
    buf: Vec<u8>,
}

impl Connection<'_> {
    /// Reads more bytes onto `buf`; false at the end of the stream.
    fn fill(&mut self) -> std::io::Result<bool> {
        let start = self.buf.len();
        self.buf.resize(start + READ_CHUNK, 0);
        let n = loop {
            match self.stream.read(&mut self.buf[start..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        self.buf.truncate(start + *n.as_ref().unwrap_or(&0));
        Ok(n? > 0)
    }

    /// Reads the next request; `None` when the client closed the connection between requests.
    fn read_request(&mut self) -> Result<Option<Request>, Refusal> {
        let (head_len, mut incoming, version) = loop {
            if let Some(parsed) = parse_head(&self.buf)? {
                break parsed;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Refusal::Answer(
                    431,
                    format!("the request line and headers exceed {MAX_HEAD} bytes"),
                ));
            }
            if !self.fill()? {
                // A clean end between requests, or a request cut short: either way, no answer.
                return Ok(None);
            }
        };
        self.buf.drain(..head_len);
        let connection = incoming.header("connection").unwrap_or("").to_owned();
        let has_token = |token: &str| {
            connection
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        let keep_alive = if version == 0 {
            has_token("keep-alive")
        } else {
            !has_token("close")
        };
        if incoming
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        {
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        incoming.body = self.read_body(&incoming)?;
        Ok(Some(Request {
            incoming,
            keep_alive,
        }))
    }

    /// Reads the body that the headers announce. Only the first `MAX_BODY + 1` bytes are kept
    /// (enough for the handlers to refuse an oversized request); the rest is read and dropped
    /// so that the connection stays usable.
    fn read_body(&mut self, incoming: &Incoming) -> Result<Vec<u8>, Refusal> {
        let mut body = Vec::new();
        if let Some(coding) = incoming.header("transfer-encoding") {
            if !coding.trim().eq_ignore_ascii_case("chunked") {
                return Err(Refusal::Answer(
                    501,
                    format!(
                        "Transfer-Encoding {coding:?} is not supported: send Content-Length or chunked"
                    ),
                ));
            }
            loop {
                let line = self.read_line()?;
                let size = line.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(size, 16)
                    .map_err(|_| Refusal::Answer(400, format!("bad chunk size line {line:?}")))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while !self.read_line()?.is_empty() {}
                    return Ok(body);
                }
                self.read_exact_into(size, &mut body)?;
                if !self.read_line()?.is_empty() {
                    return Err(Refusal::Answer(
                        400,
                        "a chunk is longer than its size line says".into(),
                    ));
                }
            }
        }
        let lengths: Vec<&str> = incoming
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.trim())
            .collect();
        let length = match lengths.as_slice() {
            [] => 0,
            [first, rest @ ..] if rest.iter().all(|l| l == first) => {
                first.parse::<u64>().map_err(|_| {
                    Refusal::Answer(400, format!("bad Content-Length {first:?}: send a number"))
                })?
            }
            _ => {
                return Err(Refusal::Answer(
                    400,
                    format!("conflicting Content-Length headers {lengths:?}"),
                ));
            }
        };
        self.read_exact_into(length, &mut body)?;
        Ok(body)
    }

    /// Reads exactly `n` body bytes, appending to `body` while it is at most `MAX_BODY + 1`.
    fn read_exact_into(&mut self, mut n: u64, body: &mut Vec<u8>) -> Result<(), Refusal> {
        while n > 0 {
            if self.buf.is_empty() && !self.fill()? {
                return Err(Refusal::Io);
            }
            let take = self.buf.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            let keep = take.min((MAX_BODY as usize + 1).saturating_sub(body.len()));
            body.extend_from_slice(&self.buf[..keep]);
            self.buf.drain(..take);
            n -= take as u64;
        }
        Ok(())
    }

    /// Reads one CRLF-terminated line (of a chunked body), without its line end.
    fn read_line(&mut self) -> Result<String, Refusal> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 2);
                return Ok(line);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Refusal::Answer(400, "a chunk size line is too long".into()));
            }
            if !self.fill()? {
                return Err(Refusal::Io);
            }
        }
    }
}

/// Parses a request line and headers at the start of `buf`: their length, the request without
/// its body, and the HTTP minor version. `None` while incomplete.
fn parse_head(buf: &[u8]) -> Result<Option<(usize, Incoming, u8)>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::Answer(
                431,
                format!("more than {MAX_HEADERS} headers"),
            ));
        }
        Err(e) => return Err(Refusal::Answer(400, format!("malformed HTTP request: {e}"))),
    };
    let target = req.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let incoming = Incoming {
        method: req.method.unwrap_or("").to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: req
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_owned(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
    };
    Ok(Some((len, incoming, req.version.unwrap_or(1))))
}

/// Writes a complete answer; `Connection: close` when the connection ends after it.
fn write_answer(stream: &mut TcpStream, answer: &Answer, keep_alive: bool) -> std::io::Result<()> {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: {connection}\r\n\r\n",
        answer.status,
        reason(answer.status),
        answer.content_type,
        answer.body.len(),
        extra_headers(answer),
    );
    // One write, so that a small answer leaves in one segment.
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&answer.body);
    stream.write_all(&bytes)?;
    stream.flush()
}

/// The answer's extra header lines, each ending in CRLF.
fn extra_headers(answer: &Answer) -> String {
    answer
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect()
}

/// Ends the exchange without a (complete) answer: `close` and `drop_before_apply` send
/// nothing, `truncate` sends the headers with the full Content-Length and half of the body.
/// Either way the connection closes.
fn cut(stream: &mut TcpStream, answer: &Answer, kind: FaultKind) {
    if kind == FaultKind::Truncate {
        let head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}\r\n",
            answer.status,
            reason(answer.status),
            answer.content_type,
            answer.body.len(),
            extra_headers(answer),
        );
        let half = &answer.body[..answer.body.len() / 2];
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(half);
        let _ = stream.flush();
    }
    let _ = stream.shutdown(Shutdown::Both);
}

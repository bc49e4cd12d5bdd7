//! A loopback peer for the exports' tests: it answers one request with a canned success and hands
//! back the request it read, so a test can check what an export put on the wire.

use std::ffi::CString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

/// A server on an ephemeral loopback port that answers one request.
pub(crate) struct OneShot {
    /// `http://127.0.0.1:PORT`, NUL-terminated, for `_set_endpoint`.
    pub(crate) url: CString,
    thread: JoinHandle<String>,
}

impl OneShot {
    /// Answers the next request with HTTP 200 and `answer` (a JSON body).
    pub(crate) fn start(answer: &'static str) -> OneShot {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = CString::new(format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{answer}",
                answer.len()
            );
            reader.get_mut().write_all(reply.as_bytes()).unwrap();
            head + &String::from_utf8_lossy(&body)
        });
        OneShot { url, thread }
    }

    /// The request the server read (head and body).
    pub(crate) fn request(self) -> String {
        self.thread.join().unwrap()
    }
}

/// A Tencent success answer.
pub(crate) const TENCENT_OK: &str =
    r#"{"Response":{"RequestId":"6a1b2c3d-0000-4000-8000-000000000001"}}"#;

/// An Alibaba success answer.
pub(crate) const ALIBABA_OK: &str = r#"{"RequestId":"6A1B2C3D-0000-4000-8000-000000000002"}"#;

//! The send state of a failed request comes from how far the exchange got, never from a guess.
//!
//! Each test starts its own loopback peer (stopped by the test, bounded in time) that fails at one
//! phase, sends TerminateInstances — the operation where a wrong "not sent" becomes a blind
//! re-send that destroys a prepaid instance — and checks the state the error reports.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cloudhalt::{ErrorKind, Retry, SendState, Tencent, TencentCredentials, TerminateInstances};

fn client(url: &str, total: Option<Duration>) -> Tencent {
    let c = Tencent::new(
        TencentCredentials::new("AKIDphases", "phases-secret-key-0123456789", None).unwrap(),
    )
    .with_endpoint_url(url)
    .unwrap()
    // These tests read the phase record of one attempt; retries have their own tests.
    .with_retry(Retry::never())
    .unwrap();
    match total {
        Some(t) => c.with_timeout(t).unwrap(),
        None => c,
    }
}

fn terminate(c: &Tencent) -> cloudhalt::Error {
    c.terminate_instances(&TerminateInstances::new(
        "ap-guangzhou",
        vec!["ins-r8hr2upy".into()],
    ))
    .expect_err("the peer never answers properly")
}

fn assert_state(err: &cloudhalt::Error, kind: ErrorKind, state: SendState) {
    assert_eq!(err.send_state(), state, "{err}");
    assert_eq!(err.kind(), kind, "{err}");
    let words = if state == SendState::NotSent {
        "sending it again is safe"
    } else {
        "check its state before sending it again"
    };
    assert!(err.message().contains(words), "{err}");
}

/// Reads one HTTP request (headers and Content-Length body) from `s`.
fn read_request(s: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap_or(0));
            if buf.len() >= end + 4 + len {
                return;
            }
        }
    }
}

/// A one-connection server running `handle` on its own thread.
fn serve_once(handle: impl FnOnce(TcpStream) + Send + 'static) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        if let Ok((s, _)) = listener.accept() {
            handle(s);
        }
    });
    (url, thread)
}

#[test]
fn a_port_nothing_listens_on_is_not_sent() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = terminate(&client(&format!("http://127.0.0.1:{port}"), None));
    assert_state(&err, ErrorKind::Transport, SendState::NotSent);
}

#[test]
fn an_unresolvable_host_is_not_sent() {
    let err = terminate(&client(
        "http://cloudhalt-no-such-host.invalid:80",
        Some(Duration::from_secs(10)),
    ));
    assert_state(&err, ErrorKind::Transport, SendState::NotSent);
    assert!(err.message().contains("resolving"), "{err}");
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so connecting times out.
struct NeverAccepts {
    addr: SocketAddr,
    _listener: socket2::Socket,
    _queued: Vec<TcpStream>,
}

impl NeverAccepts {
    fn new() -> NeverAccepts {
        use socket2::{Domain, Socket, Type};
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        listener
            .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .unwrap();
        listener.listen(0).unwrap();
        let addr = listener.local_addr().unwrap().as_socket().unwrap();
        // Fill the queue (backlog 0 holds one); further SYNs are dropped, not refused.
        let mut queued = Vec::new();
        for _ in 0..2 {
            if let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
                queued.push(s);
            }
        }
        NeverAccepts {
            addr,
            _listener: listener,
            _queued: queued,
        }
    }
}

#[test]
fn a_connect_that_times_out_is_not_sent_with_a_short_total() {
    let peer = NeverAccepts::new();
    let started = Instant::now();
    let err = terminate(&client(
        &format!("http://{}", peer.addr),
        Some(Duration::from_secs(2)),
    ));
    assert_state(&err, ErrorKind::Timeout, SendState::NotSent);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "connect budget < total"
    );
}

#[test]
fn a_connect_that_times_out_is_not_sent_with_the_default_timeouts() {
    let peer = NeverAccepts::new();
    let err = terminate(&client(&format!("http://{}", peer.addr), None));
    assert_state(&err, ErrorKind::Timeout, SendState::NotSent);
}

#[test]
fn a_peer_that_closes_before_reading_may_have_been_sent() {
    // The request bytes were handed to the socket before the close was seen: whether the peer's
    // application read them cannot be known, so the honest answer is "may have been sent".
    let (url, server) = serve_once(drop);
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    server.join().unwrap();
    assert_state(&err, ErrorKind::Transport, SendState::SentNoAnswer);
}

#[test]
fn a_reset_after_the_request_was_read_may_have_been_sent() {
    let (url, server) = serve_once(|mut s| {
        read_request(&mut s);
        // SO_LINGER 0: close answers with RST instead of FIN.
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    });
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    server.join().unwrap();
    assert_state(&err, ErrorKind::Transport, SendState::SentNoAnswer);
}

#[test]
fn an_answer_that_stalls_after_its_headers_may_have_been_sent() {
    let (url, server) = serve_once(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Resp");
        std::thread::sleep(Duration::from_millis(2500));
        let _ = s.shutdown(Shutdown::Both);
    });
    let err = terminate(&client(&url, Some(Duration::from_secs(1))));
    server.join().unwrap();
    assert_state(&err, ErrorKind::Timeout, SendState::SentNoAnswer);
    assert!(err.message().contains("reading the answer"), "{err}");
}

#[test]
fn a_peer_that_never_answers_may_have_been_sent() {
    let (url, server) = serve_once(|mut s| {
        read_request(&mut s);
        std::thread::sleep(Duration::from_millis(1500));
    });
    let err = terminate(&client(&url, Some(Duration::from_secs(1))));
    server.join().unwrap();
    assert_state(&err, ErrorKind::Timeout, SendState::SentNoAnswer);
}

#[test]
fn a_certificate_the_client_does_not_trust_is_not_sent() {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into()),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut got_request_bytes = false;
        while conn.is_handshaking() {
            if conn.complete_io(&mut tcp).is_err() {
                break;
            }
        }
        let mut buf = [0u8; 64];
        if let Ok(n) = conn.reader().read(&mut buf) {
            got_request_bytes = n > 0;
        }
        got_request_bytes
    });
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    let server_got_bytes = server.join().unwrap();
    assert!(!server_got_bytes, "the server never saw a request byte");
    assert_state(&err, ErrorKind::Transport, SendState::NotSent);
    assert!(err.message().contains("certificate"), "{err}");
    // The advice for the usual cause: a proxy that inspects TLS with its own CA.
    assert!(
        err.message()
            .contains("not signed by a CA this client trusts: if a proxy or firewall"),
        "{err}"
    );
    assert!(err.message().contains("the ca_bundle setting"), "{err}");
}

#[test]
fn a_reused_connection_that_fails_after_the_write_may_have_been_sent() {
    // The first request is answered on a keep-alive connection; the server then reads the second
    // request on the same connection and resets it. The second error must never say "not sent".
    let (url, server) = serve_once(|mut s| {
        read_request(&mut s);
        let body = br#"{"Response":{"RequestId":"first-0000"}}"#;
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(body);
        read_request(&mut s);
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    });
    let c = client(&url, Some(Duration::from_secs(5)));
    let request = TerminateInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);
    let first = c.terminate_instances(&request).unwrap();
    assert_eq!(first.request_id(), "first-0000");
    let err = c.terminate_instances(&request).unwrap_err();
    server.join().unwrap();
    assert_state(&err, ErrorKind::Transport, SendState::SentNoAnswer);
}

#[test]
fn answer_headers_are_kept_on_success_and_on_error() {
    let (url, server) = serve_once(|mut s| {
        read_request(&mut s);
        let body = br#"{"Response":{"RequestId":"r-1","Error":{"Code":"RequestLimitExceeded","Message":"slow down"}}}"#;
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nX-Custom-Hint: 7\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(body);
    });
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    server.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.header("x-custom-hint"), Some("7"));
}

#[test]
fn timeouts_out_of_range_are_refused_before_anything_is_sent() {
    let c = client("http://127.0.0.1:9", None);
    for bad in [Duration::ZERO, Duration::from_secs(86_401), Duration::MAX] {
        let err = c.with_timeout(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        assert_eq!(err.field(), Some("timeout"));
    }
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e19, 86_400.5] {
        let err = cloudhalt::Timeouts::from_secs_f64(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert!(err.message().contains("timeout"), "{err}");
    }
    let err = c
        .with_timeouts(cloudhalt::Timeouts {
            connect: Duration::ZERO,
            total: Duration::from_secs(30),
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("connect_timeout"), "{err}");
    assert!(cloudhalt::Timeouts::from_secs_f64(86_400.0).is_ok());
    assert!(cloudhalt::Timeouts::from_secs_f64(0.001).is_ok());
}

/// A peer that echoes the token and key it should never have seen back in its answer: cloudhalt
/// replaces them with `<redacted>` in the error and in a success's data.
#[test]
fn a_peer_that_echoes_secrets_gets_them_redacted() {
    const TOKEN: &str = "session-token-ECHOED-0123456789";
    const KEY: &str = "phases-secret-key-0123456789";
    for success in [false, true] {
        let (url, server) = serve_once(move |mut s| {
            read_request(&mut s);
            let inner = if success {
                format!(r#""RequestId":"r-{TOKEN}","Note":"key {KEY}""#)
            } else {
                format!(
                    r#""RequestId":"r-2","Error":{{"Code":"AuthFailure.{TOKEN}","Message":"bad token {TOKEN} for key {KEY}"}}"#
                )
            };
            let body = format!(r#"{{"Response":{{{inner}}}}}"#);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nX-Echo: {TOKEN}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        });
        let c =
            Tencent::new(TencentCredentials::new("AKIDphases", KEY, Some(TOKEN.into())).unwrap())
                .with_endpoint_url(&url)
                .unwrap()
                .with_retry(Retry::never())
                .unwrap();
        let result = c.terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ));
        server.join().unwrap();
        let shown = match result {
            Ok(r) => {
                assert!(r.request_id().contains("<redacted>"));
                format!("{} {:?} {:?}", r.data(), r.request_id(), r.sent_headers())
            }
            Err(e) => {
                assert!(e.message().contains("<redacted>"), "{e}");
                format!("{e} {e:?} {:?}", e.headers())
            }
        };
        assert!(!shown.contains(TOKEN) && !shown.contains(KEY), "{shown}");
    }
}

/// The same with the token's `/` escaped as JSON allows (`\/`): the parsed text is searched.
#[test]
fn a_json_escaped_echo_is_redacted_too() {
    const TOKEN: &str = "tok/with/slashes-0123456789";
    let (url, server) = serve_once(move |mut s| {
        read_request(&mut s);
        let escaped = TOKEN.replace('/', "\\/");
        let body = format!(r#"{{"Response":{{"RequestId":"r-1","Note":"{escaped}"}}}}"#);
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let c = Tencent::new(
        TencentCredentials::new(
            "AKIDphases",
            "phases-secret-key-0123456789",
            Some(TOKEN.into()),
        )
        .unwrap(),
    )
    .with_endpoint_url(&url)
    .unwrap()
    .with_retry(Retry::never())
    .unwrap();
    let r = c
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap();
    server.join().unwrap();
    assert_eq!(r.data()["Response"]["Note"], "<redacted>");
}

/// Writes a keep-alive success answer with `request_id` on `s`.
fn answer_keep_alive(s: &mut TcpStream, request_id: &str) {
    let body = format!(r#"{{"Response":{{"RequestId":"{request_id}"}}}}"#);
    let _ = write!(
        s,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
}

/// A server for two calls: the first on one connection, which `between` then spoils while the
/// test waits (closes it, or writes bytes nobody asked for, each time after the first answer was
/// read), the second on a new connection. Answers the server thread and a sender that lets it go
/// on once the first call returned.
fn spoiled_between_calls(
    between: impl FnOnce(&mut TcpStream) + Send + 'static,
) -> (
    String,
    std::sync::mpsc::Sender<()>,
    std::sync::mpsc::Receiver<()>,
    JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (first_done, wait_first) = std::sync::mpsc::channel::<()>();
    let (spoiled, wait_spoiled) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let (mut first, _) = listener.accept().unwrap();
        first
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        read_request(&mut first);
        answer_keep_alive(&mut first, "first-0000");
        wait_first.recv_timeout(Duration::from_secs(10)).unwrap();
        between(&mut first);
        // Give loopback time to deliver the FIN or the bytes before the client looks.
        std::thread::sleep(Duration::from_millis(50));
        spoiled.send(()).unwrap();
        let (mut second, _) = listener.accept().unwrap();
        second
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        read_request(&mut second);
        answer_keep_alive(&mut second, "second-0000");
        // Held open until the client is done, so that nothing else can explain a failure.
        read_request(&mut second);
        drop(first);
    });
    (url, first_done, wait_spoiled, thread)
}

fn terminate_twice_around(between: impl FnOnce(&mut TcpStream) + Send + 'static) {
    let (url, first_done, wait_spoiled, server) = spoiled_between_calls(between);
    let c = client(&url, Some(Duration::from_secs(5)));
    let request = TerminateInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);
    let first = c.terminate_instances(&request).unwrap();
    assert_eq!(first.request_id(), "first-0000");
    first_done.send(()).unwrap();
    wait_spoiled.recv_timeout(Duration::from_secs(10)).unwrap();
    // Retries are off: a second call written on the spoiled connection would fail ambiguously
    // (or read the stray answer), never come back from the second connection.
    let second = c.terminate_instances(&request).unwrap();
    assert_eq!(second.request_id(), "second-0000");
    drop(c);
    server.join().unwrap();
}

#[test]
fn a_kept_alive_connection_the_peer_closed_is_not_used_again() {
    terminate_twice_around(|s| {
        let _ = s.shutdown(Shutdown::Both);
    });
}

#[test]
fn a_kept_alive_connection_that_got_stray_bytes_is_not_used_again() {
    // A whole answer nobody asked for: written on the old connection, the next request would
    // take it for its own.
    terminate_twice_around(|s| answer_keep_alive(s, "stray-0000"));
}

/// Answers one request with `head` and then `body` (in 64 KiB writes, stopping when the client
/// closes), then closes.
fn answer_with(head: &'static str, body: impl Iterator<Item = Vec<u8>> + Send + 'static) -> String {
    let (url, _server) = serve_once(move |mut s| {
        read_request(&mut s);
        if s.write_all(head.as_bytes()).is_err() {
            return;
        }
        for piece in body {
            if s.write_all(&piece).is_err() {
                return;
            }
        }
    });
    url
}

fn assert_too_large(err: &cloudhalt::Error) {
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err}");
    assert_eq!(err.send_state(), SendState::Answered, "{err}");
    assert!(err.message().contains("larger than 1048576 bytes"), "{err}");
}

#[test]
fn an_answer_larger_than_the_limit_is_refused_as_answered() {
    // 2 MiB with its length given: read up to the limit, then refused; never held whole.
    let url = answer_with(
        "HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n",
        std::iter::repeat_n(vec![b' '; 64 * 1024], 32),
    );
    assert_too_large(&terminate(&client(&url, Some(Duration::from_secs(10)))));
}

#[test]
fn an_endless_chunked_answer_is_refused_as_answered() {
    let chunk = {
        let mut c = b"10000\r\n".to_vec();
        c.extend(std::iter::repeat_n(b' ', 0x10000));
        c.extend_from_slice(b"\r\n");
        c
    };
    let url = answer_with(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        std::iter::repeat(chunk),
    );
    assert_too_large(&terminate(&client(&url, Some(Duration::from_secs(10)))));
}

#[test]
fn a_content_length_of_a_terabyte_reserves_nothing() {
    // A lying length must not become an allocation: the answer is short, then the peer closes.
    let url = answer_with(
        "HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n",
        std::iter::once(br#"{"Response":{"RequestId":"r-1"}}"#.to_vec()),
    );
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    assert_eq!(err.send_state(), SendState::SentNoAnswer, "{err}");
    assert!(
        err.message()
            .contains("check its state before sending it again"),
        "{err}"
    );
}

#[test]
fn an_answer_cut_short_may_have_been_sent() {
    let url = answer_with(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        std::iter::once(br#"{"Response":{"Req"#.to_vec()),
    );
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    assert_state(&err, ErrorKind::Transport, SendState::SentNoAnswer);
    assert!(err.message().contains("reading the answer"), "{err}");
}

#[test]
fn a_chunked_answer_is_read_whole() {
    let url = answer_with(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        [
            b"10\r\n{\"Response\":{\"Re\r\n".to_vec(),
            b"11\r\nquestId\":\"r-c1\"}}\r\n0\r\n\r\n".to_vec(),
        ]
        .into_iter(),
    );
    let ok = client(&url, Some(Duration::from_secs(5)))
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .expect("a chunked answer is an answer");
    assert_eq!(ok.request_id(), "r-c1");
}

#[test]
fn an_answer_head_larger_than_the_limit_is_refused_as_too_big() {
    // 40 KiB of headers, then the peer waits: the client stops reading when the head passes its
    // limit and says so (it used to wait for room in a full buffer, then call the peer gone).
    let (url, server) = serve_once(|mut s| {
        read_request(&mut s);
        let mut head = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', 40 * 1024));
        head.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\n{}");
        let _ = s.write_all(&head);
        std::thread::sleep(Duration::from_secs(2));
    });
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    assert_state(&err, ErrorKind::Transport, SendState::SentNoAnswer);
    assert!(
        err.message().contains("response header is too big"),
        "{err}"
    );
    server.join().unwrap();
}

#[test]
fn a_lost_answer_says_whether_the_operation_is_safe_to_send_again() {
    let reset_after_reading = |mut s: TcpStream| {
        read_request(&mut s);
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    };
    let (url, server) = serve_once(reset_after_reading);
    let err = client(&url, Some(Duration::from_secs(5)))
        .stop_instances(&cloudhalt::StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .expect_err("the peer resets");
    server.join().unwrap();
    assert_eq!(err.send_state(), SendState::SentNoAnswer, "{err}");
    assert!(
        err.message()
            .ends_with("again. StopInstances is harmless to repeat: sending it again is safe"),
        "{err}"
    );
    let (url, server) = serve_once(reset_after_reading);
    let err = terminate(&client(&url, Some(Duration::from_secs(5))));
    server.join().unwrap();
    assert!(
        err.message()
            .contains("again. TerminateInstances is never repeated after a failure"),
        "{err}"
    );
}

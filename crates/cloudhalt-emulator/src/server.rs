//! The server: the tiny_http workers that read, route and answer each request, and shutdown. The byte relay in front of tiny_http is in `relay.rs`.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::answer::{Answer, reason};
use crate::model::FaultKind;
use crate::request::{Incoming, MAX_BODY};
use crate::shared::Shared;
use crate::{control, dispatch, relay};

/// The running threads.
pub(crate) struct Threads {
    pub public_addr: SocketAddr,
    handles: Vec<JoinHandle<()>>,
    server: Arc<tiny_http::Server>,
}

/// Binds the public listener on `127.0.0.1:port` and starts the relay and `workers` handlers.
pub(crate) fn start(shared: Arc<Shared>, port: u16, workers: usize) -> std::io::Result<Threads> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let public_addr = listener.local_addr()?;
    let server = tiny_http::Server::http("127.0.0.1:0")
        .map_err(|e| std::io::Error::other(format!("cannot start the HTTP server: {e}")))?;
    let inner_addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| std::io::Error::other("the HTTP server has no IP address"))?;
    let server = Arc::new(server);
    let mut handles = Vec::new();
    {
        let shared = shared.clone();
        handles.push(std::thread::spawn(move || {
            relay::accept(listener, inner_addr, &shared)
        }));
    }
    for _ in 0..workers.max(1) {
        let shared = shared.clone();
        let server = server.clone();
        handles.push(std::thread::spawn(move || {
            while !shared.stopping() {
                match server.recv_timeout(Duration::from_millis(100)) {
                    Ok(Some(request)) => serve(&shared, request),
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    Ok(Threads {
        public_addr,
        handles,
        server,
    })
}

impl Threads {
    /// Stops accepting, closes every client connection and joins the threads.
    pub fn stop(self, shared: &Shared) {
        shared.begin_stop();
        // Wake the accept loop.
        let _ = TcpStream::connect(self.public_addr);
        for stream in shared.connections().values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        self.server.unblock();
        for handle in self.handles {
            let _ = handle.join();
        }
    }
}

/// Reads, routes and answers one request.
fn serve(shared: &Shared, mut request: tiny_http::Request) {
    let remote = request.remote_addr().copied();
    let url = request.url().to_owned();
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (url.clone(), String::new()),
    };
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let incoming = Incoming {
        method: request.method().as_str().to_owned(),
        path,
        query,
        headers,
        body,
    };
    let answer = if read.is_err() {
        Answer::control(
            400,
            serde_json::json!({"error": "could not read the request body"}),
        )
    } else if incoming.path.starts_with("/_emulator") {
        control::handle(shared, &incoming)
    } else {
        dispatch::handle(shared, &incoming)
    };
    match answer.cut {
        Some(kind) => cut(shared, request, remote, &answer, kind),
        None => {
            let response = tiny_http::Response::from_data(answer.body)
                .with_status_code(answer.status)
                .with_header(
                    tiny_http::Header::from_bytes("Content-Type", answer.content_type)
                        .expect("static header is valid"),
                );
            let _ = request.respond(response);
        }
    }
}

/// Ends the exchange without a (complete) answer: `close` sends nothing, `truncate` sends the
/// headers with the full Content-Length and half of the body. Either way the connection closes.
fn cut(
    shared: &Shared,
    request: tiny_http::Request,
    remote: Option<SocketAddr>,
    answer: &Answer,
    kind: FaultKind,
) {
    let client = remote.and_then(|r| shared.connections().remove(&r));
    // Take tiny_http's writer so that it sends nothing for this request.
    drop(request.into_writer());
    let Some(mut client) = client else { return };
    if kind == FaultKind::Truncate {
        let head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
            answer.status,
            reason(answer.status),
            answer.content_type,
            answer.body.len()
        );
        let half = &answer.body[..answer.body.len() / 2];
        let _ = client.write_all(head.as_bytes());
        let _ = client.write_all(half);
        let _ = client.flush();
    }
    let _ = client.shutdown(Shutdown::Both);
}

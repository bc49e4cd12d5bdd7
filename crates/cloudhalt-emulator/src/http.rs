//! The HTTP side: tiny_http parses and answers every request; a byte-level relay in front of it
//! owns the client sockets, so that the `close` and `truncate` faults can end a keep-alive
//! connection mid-exchange, which tiny_http alone cannot do.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::model::{Fault, FaultKind, FaultProvider, Model, SettingsUpdate};
use crate::{alibaba, tencent, verify};

/// Requests larger than this are refused: every real request of these operations is tiny.
const MAX_BODY: u64 = 1024 * 1024;

/// One received request, read completely.
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
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
}

/// What to send back.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    /// `close`/`truncate`: what happens to the connection instead of a normal answer.
    cut: Option<FaultKind>,
}

impl Answer {
    fn json(status: u16, content_type: &'static str, value: &serde_json::Value) -> Answer {
        Answer {
            status,
            content_type,
            body: value.to_string().into_bytes(),
            cut: None,
        }
    }

    fn control(status: u16, value: serde_json::Value) -> Answer {
        Answer::json(status, "application/json", &value)
    }
}

/// The content type Tencent answers with: the Python SDK accepts only exactly this.
const TENCENT_CONTENT_TYPE: &str = "application/json";
const ALIBABA_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// State shared by every thread.
pub(crate) struct Shared {
    pub model: Mutex<Model>,
    pub tencent_credentials: Vec<(String, String)>,
    pub alibaba_credentials: Vec<(String, String)>,
    /// Client sockets by the relay's upstream address (what tiny_http reports as remote).
    connections: Mutex<HashMap<SocketAddr, TcpStream>>,
    stopping: AtomicBool,
}

impl Shared {
    pub fn new(
        model: Model,
        tencent_credentials: Vec<(String, String)>,
        alibaba_credentials: Vec<(String, String)>,
    ) -> Shared {
        Shared {
            model: Mutex::new(model),
            tencent_credentials,
            alibaba_credentials,
            connections: Mutex::new(HashMap::new()),
            stopping: AtomicBool::new(false),
        }
    }

    /// The model, even if a thread panicked while holding it (the data stays consistent
    /// because every change is made after all checks passed).
    pub fn model(&self) -> MutexGuard<'_, Model> {
        self.model.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn connections(&self) -> MutexGuard<'_, HashMap<SocketAddr, TcpStream>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }
}

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
            relay(listener, inner_addr, &shared)
        }));
    }
    for _ in 0..workers.max(1) {
        let shared = shared.clone();
        let server = server.clone();
        handles.push(std::thread::spawn(move || {
            while !shared.stopping.load(Ordering::SeqCst) {
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
        shared.stopping.store(true, Ordering::SeqCst);
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

/// Accepts client connections and relays each to tiny_http over its own loopback connection.
fn relay(listener: TcpListener, inner: SocketAddr, shared: &Arc<Shared>) {
    for client in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = client else { continue };
        let Ok(upstream) = TcpStream::connect(inner) else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let (Ok(key), Ok(client_clone)) = (upstream.local_addr(), client.try_clone()) else {
            continue;
        };
        shared.connections().insert(key, client_clone);
        let (Ok(mut c_read), Ok(mut u_write)) = (client.try_clone(), upstream.try_clone()) else {
            continue;
        };
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut c_read, &mut u_write);
            let _ = u_write.shutdown(Shutdown::Write);
        });
        let shared = shared.clone();
        let (mut u_read, mut c_write) = (upstream, client);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut u_read, &mut c_write);
            let _ = c_write.shutdown(Shutdown::Both);
            shared.connections().remove(&key);
        });
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
        control(shared, &incoming)
    } else {
        provider(shared, &incoming)
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

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// The control endpoints under `/_emulator/`.
fn control(shared: &Shared, req: &Incoming) -> Answer {
    let body_json = || -> Result<serde_json::Value, Answer> {
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::json!({}));
        }
        serde_json::from_slice(&req.body).map_err(|e| {
            Answer::control(
                400,
                serde_json::json!({"error": format!("the body is not JSON: {e}")}),
            )
        })
    };
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/_emulator/state") => Answer::control(200, shared.model().snapshot()),
        ("POST", "/_emulator/reset") => {
            shared.model().reset();
            Answer::control(200, serde_json::json!({"ok": true}))
        }
        ("GET", "/_emulator/faults") => Answer::control(
            200,
            serde_json::to_value(&shared.model().faults).unwrap_or_default(),
        ),
        ("POST", "/_emulator/faults") => {
            let value = match body_json() {
                Ok(v) => v,
                Err(a) => return a,
            };
            match serde_json::from_value::<Fault>(value)
                .map_err(|e| format!("not a fault spec: {e}"))
                .and_then(|f| f.validate().map(|()| f))
            {
                Ok(fault) => {
                    shared.model().faults.push_back(fault);
                    Answer::control(200, serde_json::json!({"ok": true}))
                }
                Err(e) => Answer::control(400, serde_json::json!({"error": e})),
            }
        }
        ("DELETE", "/_emulator/faults") => {
            shared.model().faults.clear();
            Answer::control(200, serde_json::json!({"ok": true}))
        }
        ("GET", "/_emulator/config") => Answer::control(
            200,
            serde_json::to_value(&shared.model().settings).unwrap_or_default(),
        ),
        ("POST", "/_emulator/config") => {
            let value = match body_json() {
                Ok(v) => v,
                Err(a) => return a,
            };
            match serde_json::from_value::<SettingsUpdate>(value) {
                Ok(update) => {
                    let mut model = shared.model();
                    model.advance();
                    model.settings.apply(update);
                    Answer::control(
                        200,
                        serde_json::to_value(&model.settings).unwrap_or_default(),
                    )
                }
                Err(e) => Answer::control(
                    400,
                    serde_json::json!({"error": format!("not a config update: {e}; use transitionMs, rateLimits, timestampWindowSecs, alibabaTimestampWindowSecs")}),
                ),
            }
        }
        _ => Answer::control(
            404,
            serde_json::json!({"error": format!("no control endpoint {} {}: use GET /_emulator/state, POST /_emulator/reset, POST|DELETE /_emulator/faults, POST /_emulator/config", req.method, req.path)}),
        ),
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A fresh RequestId (a random UUID, lower case).
fn request_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        use std::sync::atomic::AtomicU64;
        static N: AtomicU64 = AtomicU64::new(1);
        b[..8].copy_from_slice(&N.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        b[8..].copy_from_slice(&unix_now().to_le_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Routes a cloud API request by its action header.
fn provider(shared: &Shared, req: &Incoming) -> Answer {
    if let Some(action) = req.header("x-tc-action") {
        let action = action.to_owned();
        with_fault(shared, FaultProvider::Tencent, &action, || {
            tencent_call(shared, req, &action)
        })
    } else if let Some(action) = req.header("x-acs-action") {
        let action = action.to_owned();
        with_fault(shared, FaultProvider::Alibaba, &action, || {
            alibaba_call(shared, req, &action)
        })
    } else {
        Answer::control(
            400,
            serde_json::json!({"error": "not a cloud API request: send X-TC-Action (Tencent Cloud) or x-acs-action (Alibaba Cloud), or use /_emulator/state"}),
        )
    }
}

/// Applies the next matching fault, if any, around the real handling.
fn with_fault(
    shared: &Shared,
    provider: FaultProvider,
    action: &str,
    handle: impl FnOnce() -> Answer,
) -> Answer {
    let fault = shared.model().take_fault(provider, action);
    let Some(fault) = fault else { return handle() };
    match fault.kind {
        FaultKind::Throttle => throttled(provider),
        FaultKind::Error => {
            let code = fault.code.unwrap_or_default();
            let message = fault
                .message
                .unwrap_or_else(|| format!("{code} (injected by the emulator)"));
            match provider {
                FaultProvider::Tencent => {
                    tencent_error(fault.http_status.unwrap_or(200), &code, &message)
                }
                FaultProvider::Alibaba => {
                    alibaba_error(fault.http_status.unwrap_or(500), &code, &message, None)
                }
            }
        }
        FaultKind::HttpStatus => Answer {
            status: fault.http_status.unwrap_or(502),
            content_type: "text/plain",
            body: fault.body.unwrap_or_default().into_bytes(),
            cut: None,
        },
        FaultKind::Latency => {
            std::thread::sleep(Duration::from_millis(fault.ms.unwrap_or(0)));
            handle()
        }
        FaultKind::Close | FaultKind::Truncate => {
            let mut answer = handle();
            answer.cut = Some(fault.kind);
            answer
        }
    }
}

fn throttled(provider: FaultProvider) -> Answer {
    match provider {
        FaultProvider::Tencent => tencent_error(
            200,
            "RequestLimitExceeded",
            "Your current request times equals to `limit` in this second; please retry later.",
        ),
        FaultProvider::Alibaba => alibaba_error(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
            None,
        ),
    }
}

fn tencent_error(status: u16, code: &str, message: &str) -> Answer {
    Answer::json(
        status,
        TENCENT_CONTENT_TYPE,
        &serde_json::json!({"Response": {
            "Error": {"Code": code, "Message": message},
            "RequestId": request_id(),
        }}),
    )
}

fn alibaba_error(status: u16, code: &str, message: &str, region: Option<&str>) -> Answer {
    let id = request_id().to_uppercase();
    let host = region.map_or_else(
        || "ecs.aliyuncs.com".to_owned(),
        |r| format!("ecs.{r}.aliyuncs.com"),
    );
    Answer::json(
        status,
        ALIBABA_CONTENT_TYPE,
        &serde_json::json!({
            "RequestId": id,
            "HostId": host,
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={id}"),
        }),
    )
}

fn tencent_call(shared: &Shared, req: &Incoming, action: &str) -> Answer {
    if req.body.len() as u64 > MAX_BODY {
        return tencent_error(
            200,
            "RequestSizeLimitExceeded",
            "The request body exceeds the size limit.",
        );
    }
    let Some(info) = tencent::action_info(action) else {
        return tencent_error(
            200,
            "InvalidAction",
            &format!("The action `{action}` does not exist or is not supported."),
        );
    };
    match req.header("x-tc-version") {
        Some(v) if v == info.version => {}
        other => {
            return tencent_error(
                200,
                "NoSuchVersion",
                &format!(
                    "The API version `{}` of action `{action}` does not exist: use {}.",
                    other.unwrap_or(""),
                    info.version
                ),
            );
        }
    }
    if req.method != "POST" {
        return tencent_error(
            200,
            "UnsupportedProtocol",
            "This emulator answers HTTP POST requests only.",
        );
    }
    let now = unix_now();
    let window = shared.model().settings.timestamp_window_secs;
    let auth = match verify::tencent(req, info.service, &shared.tencent_credentials, now, window) {
        Ok(a) => a,
        Err(r) => return tencent_error(r.status, r.code, &r.message),
    };
    let mut model = shared.model();
    if !model.admit(action, now) {
        return throttled(FaultProvider::Tencent);
    }
    model.advance();
    let region = req.header("x-tc-region");
    match tencent::handle(&mut model, action, region, &req.body) {
        Ok(()) => {
            if model.settings.transition_ms == 0 {
                model.advance();
            }
            model.count(action);
            let id = request_id();
            model.last_tencent = Some(crate::model::LastCall {
                action: action.to_owned(),
                key_id: auth.secret_id,
                token_present: req.header("x-tc-token").is_some(),
                signed_headers: auth.signed_headers,
                request_id: id.clone(),
            });
            Answer::json(
                200,
                TENCENT_CONTENT_TYPE,
                &serde_json::json!({"Response": {"RequestId": id}}),
            )
        }
        Err(e) => tencent_error(200, e.code, &e.message),
    }
}

fn alibaba_call(shared: &Shared, req: &Incoming, action: &str) -> Answer {
    let params = alibaba::decode_query(&req.query);
    let region = params
        .iter()
        .find(|(k, _)| k == "RegionId")
        .map(|(_, v)| v.clone());
    let region = region.as_deref();
    let Some(version) = alibaba::action_version(action) else {
        return alibaba_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
            region,
        );
    };
    if req.header("x-acs-version") != Some(version) {
        return alibaba_error(
            400,
            "InvalidVersion",
            &format!("Specified parameter Version is not valid: use {version}."),
            region,
        );
    }
    let now = unix_now();
    let window = shared.model().settings.alibaba_timestamp_window_secs;
    let auth = match verify::alibaba(req, &params, &shared.alibaba_credentials, now, window) {
        Ok(a) => a,
        Err(r) => return alibaba_error(r.status, r.code, &r.message, region),
    };
    let mut model = shared.model();
    if !model.use_nonce(&auth.nonce, auth.timestamp, now) {
        return alibaba_error(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
            region,
        );
    }
    if !model.admit(action, now) {
        return throttled(FaultProvider::Alibaba);
    }
    model.advance();
    match alibaba::stop_invocation(&mut model, &params) {
        Ok(()) => {
            model.count(action);
            let id = request_id().to_uppercase();
            model.last_alibaba = Some(crate::model::LastCall {
                action: action.to_owned(),
                key_id: auth.access_key_id,
                token_present: req.header("x-acs-security-token").is_some(),
                signed_headers: auth.signed_headers,
                request_id: id.clone(),
            });
            Answer::json(
                200,
                ALIBABA_CONTENT_TYPE,
                &serde_json::json!({"RequestId": id}),
            )
        }
        Err(e) => alibaba_error(e.status, e.code, &e.message, region),
    }
}

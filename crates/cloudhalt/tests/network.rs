//! Proxy and CA settings on loopback: a CONNECT proxy started by the test, a TLS server with a
//! CA the test generates, and one the client does not trust. Every client here names its proxy
//! (or none) explicitly, so the process environment plays no part.

mod support;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use support::{OK, read_head, tls_server, tls_server_answering};

use cloudhalt::{ErrorKind, Network, SendState, StopInstances, Tencent, TencentCredentials};

fn client(url: &str, network: Network) -> Result<Tencent, cloudhalt::Error> {
    Tencent::new(TencentCredentials::new("AKIDnet", "net-secret-key-0000", None).unwrap())
        .with_endpoint_url(url)?
        .with_retry(cloudhalt::Retry::never())?
        .with_timeout(Duration::from_secs(5))?
        .with_network(network)
}

fn stop(client: &Tencent) -> Result<cloudhalt::Response, cloudhalt::Error> {
    client.stop_instances(&StopInstances::new(
        "ap-guangzhou",
        vec!["ins-r8hr2upy".into()],
    ))
}

/// A plain HTTP server answering one request with `OK`.
fn plain_server() -> (String, std::thread::JoinHandle<String>) {
    answering(OK.to_vec())
}

/// A plain HTTP server answering one request with `answer` (a whole HTTP answer).
fn answering(answer: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let head = read_head(&mut s);
        s.write_all(&answer).unwrap();
        head
    });
    (url, t)
}

fn http_json(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A proxy for one client: its URL, and a thread that accepts the client, reads its request head
/// and hands both to `serve`.
fn proxy<T: Send + 'static>(
    serve: impl FnOnce(TcpStream, String) -> T + Send + 'static,
) -> (String, std::thread::JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let t = std::thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let head = read_head(&mut client);
        serve(client, head)
    });
    (url, t)
}

/// A CONNECT proxy for one tunnel: it reads the CONNECT line, connects to the target and pipes
/// bytes both ways. Answers the CONNECT line it saw.
fn connect_proxy() -> (String, std::thread::JoinHandle<String>) {
    proxy(|mut client, head| {
        let line = head.lines().next().unwrap_or_default().to_owned();
        let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
        let upstream = TcpStream::connect(&target).unwrap();
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
        let up = std::thread::spawn(move || {
            let _ = std::io::copy(&mut c2, &mut u2);
            let _ = u2.shutdown(std::net::Shutdown::Write);
        });
        let (mut u1, mut c1) = (upstream, client);
        let _ = std::io::copy(&mut u1, &mut c1);
        let _ = c1.shutdown(std::net::Shutdown::Both);
        let _ = up.join();
        line
    })
}

#[test]
fn a_request_through_an_explicit_connect_proxy_passes() {
    let (target, server) = plain_server();
    let (proxy, proxy_thread) = connect_proxy();
    let c = client(&target, Network::new().with_proxy(&proxy)).unwrap();
    let response = stop(&c).unwrap();
    assert_eq!(response.request_id(), "net-rid-1");
    let host = target.trim_start_matches("http://");
    assert_eq!(
        proxy_thread.join().unwrap(),
        format!("CONNECT {host} HTTP/1.1")
    );
    let head = server.join().unwrap();
    assert!(head.starts_with("POST / HTTP/1.1"), "{head}");
}

/// A proxy that answers every CONNECT with `status`, then closes.
fn refusing_proxy(status: &'static str) -> (String, std::thread::JoinHandle<()>) {
    proxy(move |mut client, _| {
        let _ = write!(client, "HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
    })
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_not_sent_and_says_what_to_do() {
    for (status, advice) in [
        (
            "407 Proxy Authentication Required",
            "the proxy asks for credentials: give them in the proxy URL",
        ),
        (
            "502 Bad Gateway",
            "the proxy would not open a tunnel to the endpoint",
        ),
    ] {
        let (proxy, proxy_thread) = refusing_proxy(status);
        let c = client("https://localhost:9", Network::new().with_proxy(&proxy)).unwrap();
        let err = stop(&c).unwrap_err();
        proxy_thread.join().unwrap();
        assert_eq!(err.send_state(), SendState::NotSent, "{err}");
        assert!(err.message().contains(advice), "{err}");
    }
}

#[test]
fn a_proxy_url_that_does_not_parse_is_refused() {
    let err = client(
        "http://127.0.0.1:9",
        Network::new().with_proxy("::not a url::"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("proxy"));
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("cloudhalt-net-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_tls_server_signed_by_the_custom_ca_bundle_passes() {
    let (url, ca_pem, server) = tls_server();
    let bundle = temp_file("ca.pem", &ca_pem);
    let network = Network::new().without_proxy().with_ca_bundle(&bundle);
    let response = stop(&client(&url, network).unwrap()).unwrap();
    assert_eq!(response.request_id(), "net-rid-1");
    assert!(server.join().unwrap(), "the server got the request");
    let _ = std::fs::remove_file(bundle);
}

#[test]
fn a_copy_with_other_timeouts_trusts_the_roots_read_when_the_client_was_made() {
    // The bundle is read once: a copy with another timeout keeps trusting what was read, even
    // after the file is gone (before, each copy read the bundle again, and here would fail).
    let (url, ca_pem, server) = tls_server();
    let bundle = temp_file("ca-once.pem", &ca_pem);
    let network = Network::new().without_proxy().with_ca_bundle(&bundle);
    let made = client(&url, network).unwrap();
    std::fs::remove_file(&bundle).unwrap();
    let copy = made.with_timeout(Duration::from_secs(7)).unwrap();
    let response = stop(&copy).unwrap();
    assert_eq!(response.request_id(), "net-rid-1");
    assert!(server.join().unwrap(), "the server got the request");
    // Other network settings are read afresh: the bundle named is gone.
    let err = made
        .with_network(Network::new().without_proxy().with_ca_bundle(&bundle))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

#[test]
fn a_certificate_for_another_host_name_says_so() {
    // The test server's certificate is for `localhost`: reached as 127.0.0.1, it is for another
    // name, trusted CA or not.
    let (url, ca_pem, server) = tls_server();
    let bundle = temp_file("ca-name.pem", &ca_pem);
    let network = Network::new().without_proxy().with_ca_bundle(&bundle);
    let by_address = url.replace("localhost", "127.0.0.1");
    let err = stop(&client(&by_address, network).unwrap()).unwrap_err();
    assert_eq!(err.send_state(), SendState::NotSent, "{err}");
    assert!(
        err.message()
            .contains("the server's certificate is for another host name"),
        "{err}"
    );
    drop(server);
    let _ = std::fs::remove_file(bundle);
}

#[test]
fn a_tls_connection_is_kept_alive_across_calls() {
    // The server accepts one connection only: a second call that did not reuse it would wait
    // for a handshake nobody answers and time out.
    let keep_alive = |rid: &str| {
        let body = format!(r#"{{"Response":{{"RequestId":"{rid}"}}}}"#);
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let (url, ca_pem, server) =
        tls_server_answering(vec![keep_alive("tls-1"), keep_alive("tls-2")]);
    let bundle = temp_file("keepalive-ca.pem", &ca_pem);
    let network = Network::new().without_proxy().with_ca_bundle(&bundle);
    let c = client(&url, network).unwrap();
    assert_eq!(stop(&c).unwrap().request_id(), "tls-1");
    assert_eq!(stop(&c).unwrap().request_id(), "tls-2");
    assert!(
        server.join().unwrap(),
        "both requests came on the one connection"
    );
    let _ = std::fs::remove_file(bundle);
}

#[test]
fn a_tls_server_the_client_does_not_trust_fails_as_not_sent() {
    // The built-in roots do not know the test's CA.
    let (url, _, server) = tls_server();
    let err = stop(&client(&url, Network::new().without_proxy()).unwrap()).unwrap_err();
    assert_eq!(err.send_state(), SendState::NotSent, "{err}");
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(
        !server.join().unwrap(),
        "no request byte reached the server"
    );
}

#[test]
fn an_unreadable_or_empty_ca_bundle_is_refused() {
    let missing = std::env::temp_dir().join("cloudhalt-net-no-such-bundle.pem");
    let err = client(
        "https://localhost:9",
        Network::new().without_proxy().with_ca_bundle(&missing),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("cannot be read"), "{err}");
    let empty = temp_file("empty.pem", "no certificates here\n");
    let err = client(
        "https://localhost:9",
        Network::new().without_proxy().with_ca_bundle(&empty),
    )
    .unwrap_err();
    assert!(err.message().contains("holds no certificate"), "{err}");
    let _ = std::fs::remove_file(empty);
}

/// A home with a tccli profile that assumes a role, removed at the end.
struct RoleHome(std::path::PathBuf);

impl RoleHome {
    fn new() -> RoleHome {
        let dir = std::env::temp_dir().join(format!("cloudhalt-net-home-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".tccli")).unwrap();
        std::fs::write(
            dir.join(".tccli/default.credential"),
            r#"{"secretId": "AKIDrole", "secretKey": "role-key-0000", "role-arn": "qcs::cam::uin/1:roleName/r"}"#,
        )
        .unwrap();
        RoleHome(dir)
    }
}

impl Drop for RoleHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn sts_refreshes_go_through_the_chains_proxy_and_metadata_never_does() {
    let sts_answer = http_json(
        &serde_json::json!({"Response": {
            "Credentials": {"Token": "t", "TmpSecretId": "AKIDviaproxy", "TmpSecretKey": "k"},
            "ExpiredTime": 4_000_000_000i64, "RequestId": "r"
        }})
        .to_string(),
    );
    let (sts, server) = answering(sts_answer);
    let (proxy, proxy_thread) = connect_proxy();
    let home = RoleHome::new();
    let env = cloudhalt::ChainEnv::from_vars([("HOME", home.0.display().to_string())])
        .with_var("CLOUDHALT_TENCENT_STS_ENDPOINT", &sts);
    let options = cloudhalt::ChainOptions::new()
        .with_env(env)
        .with_network(Network::new().with_proxy(&proxy));
    let client = Tencent::from_chain(&options).unwrap();
    assert_eq!(client.key_id(), "AKIDviaproxy");
    let host = sts.trim_start_matches("http://");
    assert_eq!(
        proxy_thread.join().unwrap(),
        format!("CONNECT {host} HTTP/1.1")
    );
    let head = server.join().unwrap().to_ascii_lowercase();
    assert!(head.contains("x-tc-action: assumerole"), "{head}");
    assert_eq!(
        client.network().proxy,
        cloudhalt::ProxySetting::Url(proxy.clone())
    );

    // The CVM role, with the same (now dead) proxy: metadata goes direct.
    let metadata_answer = |body: &str| http_json(body);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let metadata = format!("http://{}", listener.local_addr().unwrap());
    let peer = std::thread::spawn(move || {
        let bodies = [
            "role".to_owned(),
            serde_json::json!({"TmpSecretId": "AKIDdirect", "TmpSecretKey": "k", "Token": "t",
                "ExpiredTime": 4_000_000_000i64, "Code": "Success"})
            .to_string(),
        ];
        for body in bodies {
            let (mut s, _) = listener.accept().unwrap();
            read_head(&mut s);
            s.write_all(&metadata_answer(&body)).unwrap();
        }
    });
    let empty = std::env::temp_dir().join(format!("cloudhalt-net-empty-{}", std::process::id()));
    let env = cloudhalt::ChainEnv::from_vars([("HOME", empty.display().to_string())])
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", &metadata);
    let options = cloudhalt::ChainOptions::new()
        .with_env(env)
        .with_network(Network::new().with_proxy(&proxy));
    assert_eq!(
        Tencent::from_chain(&options).unwrap().key_id(),
        "AKIDdirect"
    );
    peer.join().unwrap();
}

#[test]
fn threads_sharing_a_client_keep_their_connections() {
    // ureq's default pool keeps 3 idle connections per host: 8 threads calling at once through
    // one client would open new connections (under TLS, new handshakes) for most calls.
    const THREADS: usize = 8;
    const ROUNDS: usize = 10;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&accepted);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { break };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::spawn(move || {
                let body = r#"{"Response":{"RequestId":"pooled"}}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                // Keep-alive: one answer per request until the client closes.
                while !read_head(&mut s).is_empty() {
                    if s.write_all(answer.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    // Unpaced, or the 10 requests/s of StopInstances would space the rounds out.
    let c = client(&url, Network::new().without_proxy())
        .unwrap()
        .with_rate_limit(cloudhalt::Pacing::Off)
        .unwrap();
    let barrier = std::sync::Barrier::new(THREADS);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..ROUNDS {
                    // All threads call at once, so that all their connections are in use.
                    barrier.wait();
                    assert_eq!(stop(&c).unwrap().request_id(), "pooled");
                }
            });
        }
    });
    let n = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        n <= THREADS,
        "{n} connections for {} calls from {THREADS} threads",
        THREADS * ROUNDS
    );
}

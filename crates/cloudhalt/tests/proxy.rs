//! A proxy that refuses CONNECT: the request to the provider never left, so it is "not sent".
//!
//! Its own test binary with a single test, because the proxy comes from the environment
//! (`HTTPS_PROXY`, read when a client is made) and no other test may see it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use cloudhalt::{ErrorKind, SendState, Tencent, TencentCredentials, TerminateInstances};

#[test]
fn a_proxy_that_refuses_connect_is_not_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = s.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        String::from_utf8_lossy(&got).into_owned()
    });
    // SAFETY: this test binary runs this one test, on this thread, before any client exists.
    unsafe {
        for name in [
            "ALL_PROXY",
            "all_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            std::env::remove_var(name);
        }
        std::env::set_var("HTTPS_PROXY", &proxy);
    }
    let client = Tencent::new(
        TencentCredentials::new("AKIDproxy", "proxy-secret-key-0123456789", None).unwrap(),
    )
    .with_timeout(Duration::from_secs(5))
    .unwrap();
    let err = client
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap_err();
    let seen = server.join().unwrap();
    assert!(
        seen.starts_with("CONNECT cvm.tencentcloudapi.com:443"),
        "the client asked the proxy to CONNECT: {seen:?}"
    );
    assert_eq!(err.send_state(), SendState::NotSent, "{err}");
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
}

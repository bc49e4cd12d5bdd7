//! `SSL_CERT_FILE` names the CA bundle when no option does. Its own test binary with a single
//! test, because it sets the process environment.

mod support;

use std::time::Duration;

use cloudhalt::{ErrorKind, Network, SendState, StopInstances, Tencent, TencentCredentials};

fn stop(network: Network, url: &str) -> Result<cloudhalt::Response, cloudhalt::Error> {
    Tencent::new(TencentCredentials::new("AKIDssl", "ssl-secret-key-0000", None).unwrap())
        .with_endpoint_url(url)?
        .with_retry(cloudhalt::Retry::never())?
        .with_timeout(Duration::from_secs(5))?
        .with_network(network)?
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
}

#[test]
fn ssl_cert_file_is_the_default_ca_bundle_and_an_unreadable_one_is_refused() {
    let (url, ca_pem, server) = support::tls_server();
    let bundle = std::env::temp_dir().join(format!("cloudhalt-ssl-{}.pem", std::process::id()));
    std::fs::write(&bundle, ca_pem).unwrap();
    // SAFETY: this test binary runs this one test, on this thread, before any client exists.
    unsafe { std::env::set_var("SSL_CERT_FILE", &bundle) };
    let response = stop(Network::new().without_proxy(), &url).unwrap();
    assert_eq!(response.request_id(), "net-rid-1");
    assert!(server.join().unwrap());

    let missing = std::env::temp_dir().join("cloudhalt-ssl-no-such-file.pem");
    unsafe { std::env::set_var("SSL_CERT_FILE", &missing) };
    let err = stop(Network::new().without_proxy(), "https://localhost:9").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("from SSL_CERT_FILE"), "{err}");
    // A client made without naming a network fails every request, unsent, rather than fall
    // back to other roots.
    let plain = Tencent::new(TencentCredentials::new("AKIDssl", "k", None).unwrap())
        .with_endpoint_url("https://localhost:9")
        .unwrap();
    let err = plain
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap_err();
    assert_eq!(err.send_state(), SendState::NotSent, "{err}");
    assert!(err.message().contains("SSL_CERT_FILE"), "{err}");
    let _ = std::fs::remove_file(bundle);
}

//! Round trips through a local HTTP server that records what arrived: method, path, query,
//! headers, body; the signature is recomputed on the server side from what arrived, by the
//! vectors' rules. Then the answer parsing: every provider shape and every failure mode.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use cloudhalt::sign::{acs3, sha256_hex, tc3};
use cloudhalt::{
    Alibaba, AlibabaCredentials, CancelInstanceRefresh, CancelInvocation, ErrorKind, Provider,
    SendState, StopInstances, StopInvocation, StopType, StoppedMode, Tencent, TencentCredentials,
    TerminateInstances,
};

const TC_ID: &str = "AKIDroundtrip";
const TC_KEY: &str = "roundtrip-tencent-key";
const ALI_ID: &str = "LTAIroundtrip";
const ALI_KEY: &str = "roundtrip-alibaba-secret";

#[derive(Debug)]
struct Arrived {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Arrived {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

enum Answer {
    Json(u16, &'static str),
    Raw(u16, Vec<u8>),
    Sleep(Duration),
}

/// Serves one canned answer per request, in order, and reports what arrived.
fn serve(answers: Vec<Answer>) -> (String, mpsc::Receiver<Arrived>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for answer in answers {
            let Ok(mut request) = server.recv() else {
                return;
            };
            let mut body = Vec::new();
            request.as_reader().read_to_end(&mut body).unwrap();
            let arrived = Arrived {
                method: request.method().to_string(),
                url: request.url().to_owned(),
                headers: request
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string(), h.value.to_string()))
                    .collect(),
                body,
            };
            let _ = tx.send(arrived);
            let (status, bytes) = match answer {
                Answer::Json(s, b) => (s, b.as_bytes().to_vec()),
                Answer::Raw(s, b) => (s, b),
                Answer::Sleep(d) => {
                    thread::sleep(d);
                    (200, b"{}".to_vec())
                }
            };
            let response = tiny_http::Response::from_data(bytes)
                .with_status_code(status)
                .with_header(
                    "Content-Type: application/json"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                );
            let _ = request.respond(response);
        }
    });
    (url, rx)
}

const TC_OK: &str = r#"{"Response":{"RequestId":"6ef60bec-0242-43af-bb20-270359fb54a7"}}"#;
const ALI_OK: &str = r#"{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}"#;

fn tencent(url: &str, token: Option<&str>) -> Tencent {
    Tencent::new(TencentCredentials::new(TC_ID, TC_KEY, token.map(str::to_owned)).unwrap())
        .with_endpoint_url(url)
        .unwrap()
        // Each test scripts one answer per request; retries have their own tests.
        .with_retry(cloudhalt::Retry::never())
        .unwrap()
}

fn alibaba(url: &str, token: Option<&str>) -> Alibaba {
    Alibaba::new(AlibabaCredentials::new(ALI_ID, ALI_KEY, token.map(str::to_owned)).unwrap())
        .with_endpoint_url(url)
        .unwrap()
        // Each test scripts one answer per request; retries have their own tests.
        .with_retry(cloudhalt::Retry::never())
        .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Recomputes the TC3 signature from what arrived, as a server would.
fn verify_tc3(a: &Arrived, service: &str) {
    let auth = tc3::parse_authorization(a.header("Authorization").unwrap()).unwrap();
    assert_eq!(auth.secret_id, TC_ID);
    assert_eq!(
        auth.service, service,
        "the scope names the operation's service"
    );
    assert_eq!(auth.signed_headers, ["content-type", "host", "x-tc-action"]);
    let headers: Vec<(&str, &str)> = auth
        .signed_headers
        .iter()
        .map(|n| (n.as_str(), a.header(n).unwrap()))
        .collect();
    let timestamp: i64 = a.header("X-TC-Timestamp").unwrap().parse().unwrap();
    assert!((timestamp - now()).abs() < 60);
    let expected = tc3::sign(&tc3::Tc3Input {
        secret_id: TC_ID,
        secret_key: TC_KEY,
        service,
        method: &a.method,
        query: "",
        headers: &headers,
        payload: &a.body,
        timestamp,
    });
    assert_eq!(auth.date, expected.date);
    assert_eq!(auth.signature, expected.signature);
}

#[test]
fn tencent_operations_arrive_signed_with_every_header() {
    let (url, rx) = serve((0..4).map(|_| Answer::Json(200, TC_OK)).collect());
    let client = tencent(&url, Some("session-token-value"));
    let host = url.trim_start_matches("http://").to_owned();

    let mut stop = StopInstances::new(
        "ap-guangzhou",
        vec!["ins-r8hr2upy".into(), "ins-5d8a23rs".into()],
    );
    stop.set_stop_type(StopType::SoftFirst);
    stop.set_stopped_mode(StoppedMode::StopCharging);
    let r = client.stop_instances(&stop).unwrap();
    assert_eq!(r.request_id(), "6ef60bec-0242-43af-bb20-270359fb54a7");
    assert_eq!(r.provider(), Provider::Tencent);
    assert_eq!(r.action(), "StopInstances");
    assert_eq!(
        r.data()["Response"]["RequestId"],
        "6ef60bec-0242-43af-bb20-270359fb54a7"
    );
    let a = rx.recv().unwrap();
    assert_eq!((a.method.as_str(), a.url.as_str()), ("POST", "/"));
    assert_eq!(a.header("Host"), Some(host.as_str()));
    assert_eq!(a.header("Content-Type"), Some("application/json"));
    assert_eq!(a.header("X-TC-Action"), Some("StopInstances"));
    assert_eq!(a.header("X-TC-Version"), Some("2017-03-12"));
    assert_eq!(a.header("X-TC-Region"), Some("ap-guangzhou"));
    assert_eq!(a.header("X-TC-Token"), Some("session-token-value"));
    assert_eq!(a.header("X-TC-Language"), None);
    assert_eq!(
        String::from_utf8(a.body.clone()).unwrap(),
        r#"{"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"],"StopType":"SOFT_FIRST","StoppedMode":"STOP_CHARGING"}"#
    );
    verify_tc3(&a, "cvm");
    // The record of what was sent never carries the token.
    let record = format!("{:?}", r.sent_headers());
    assert!(
        record.contains("X-TC-Action") && !record.contains("session-token-value"),
        "{record}"
    );

    let mut terminate = TerminateInstances::new("ap-guangzhou", vec!["ins-3jaw1j8m".into()]);
    terminate.set_release_prepaid_data_disks(true);
    client.terminate_instances(&terminate).unwrap();
    let a = rx.recv().unwrap();
    assert_eq!(a.header("X-TC-Action"), Some("TerminateInstances"));
    assert_eq!(
        a.body,
        br#"{"InstanceIds":["ins-3jaw1j8m"],"ReleasePrepaidDataDisks":true}"#
    );
    verify_tc3(&a, "cvm");

    client
        .cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-ib2lld37"))
        .unwrap();
    let a = rx.recv().unwrap();
    assert_eq!(a.header("X-TC-Action"), Some("CancelInvocation"));
    assert_eq!(a.header("X-TC-Version"), Some("2020-10-28"));
    assert_eq!(a.body, br#"{"InvocationId":"inv-ib2lld37"}"#);
    verify_tc3(&a, "tat");

    client
        .with_language(Some(cloudhalt::Language::EnUs))
        .cancel_instance_refresh(&CancelInstanceRefresh::new("asg-h7tgd87d", "asr-juhf6ytr"))
        .unwrap();
    let a = rx.recv().unwrap();
    assert_eq!(a.header("X-TC-Action"), Some("CancelInstanceRefresh"));
    assert_eq!(a.header("X-TC-Version"), Some("2018-04-19"));
    assert_eq!(
        a.header("X-TC-Region"),
        None,
        "no region for CancelInstanceRefresh when none given"
    );
    assert_eq!(a.header("X-TC-Language"), Some("en-US"));
    verify_tc3(&a, "as");
}

#[test]
fn stop_invocation_sends_exactly_the_signed_query() {
    let (url, rx) = serve(vec![Answer::Json(200, ALI_OK), Answer::Json(200, ALI_OK)]);
    let client = alibaba(&url, Some("sts-token-value"));
    let mut op = StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001");
    op.set_instance_ids(Some(
        (1..=11)
            .map(|i| format!("i-bp67acfmxazb4p{i:04}"))
            .collect(),
    ));
    let r = client.stop_invocation(&op).unwrap();
    assert_eq!(r.request_id(), "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E");
    client.stop_invocation(&op).unwrap();
    let (a, b) = (rx.recv().unwrap(), rx.recv().unwrap());

    assert_eq!(a.method, "POST");
    let (path, query) = a.url.split_once('?').unwrap();
    assert_eq!(path, "/");
    assert!(
        query.starts_with(
            "InstanceId.1=i-bp67acfmxazb4p0001&InstanceId.10=i-bp67acfmxazb4p0010&InstanceId.11="
        ),
        "{query}"
    );
    assert!(
        query.ends_with("&InvokeId=t-hz0jdfwd9f0001&RegionId=cn-hangzhou"),
        "{query}"
    );
    assert!(a.body.is_empty());
    assert_eq!(a.header("x-acs-action"), Some("StopInvocation"));
    assert_eq!(a.header("x-acs-version"), Some("2014-05-26"));
    assert_eq!(
        a.header("x-acs-content-sha256"),
        Some(sha256_hex(b"").as_str())
    );
    assert_eq!(a.header("x-acs-security-token"), Some("sts-token-value"));
    let date = a.header("x-acs-date").unwrap();
    assert!(
        (acs3::parse_date(date).unwrap() - now()).abs() < 60,
        "{date}"
    );
    assert_ne!(
        a.header("x-acs-signature-nonce"),
        b.header("x-acs-signature-nonce"),
        "a fresh nonce per request"
    );
    assert_eq!(a.header("x-acs-signature-nonce").unwrap().len(), 32);

    let auth = acs3::parse_authorization(a.header("Authorization").unwrap()).unwrap();
    assert_eq!(auth.access_key_id, ALI_ID);
    assert_eq!(
        auth.signed_headers.join(";"),
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
    );
    let headers: Vec<(&str, &str)> = auth
        .signed_headers
        .iter()
        .map(|n| (n.as_str(), a.header(n).unwrap()))
        .collect();
    let expected = acs3::sign(&acs3::Acs3Input {
        access_key_id: ALI_ID,
        access_key_secret: ALI_KEY,
        method: "POST",
        path: "/",
        query,
        headers: &headers,
        payload: &a.body,
    });
    assert_eq!(auth.signature, expected.signature);
}

#[test]
fn tencent_errors_come_in_a_200_body_and_keep_code_and_request_id() {
    let (url, _rx) = serve(vec![
        Answer::Json(
            200,
            r#"{"Response":{"Error":{"Code":"InvalidInstanceId.NotFound","Message":"instance ins-r8hr2upy not found"},"RequestId":"rid-1"}}"#,
        ),
        // The refused ID is described: the provider does not list it, so the refusal stands.
        Answer::Json(
            200,
            r#"{"Response":{"TotalCount":0,"InstanceSet":[],"RequestId":"rid-d"}}"#,
        ),
        Answer::Json(
            200,
            r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"rid-2"}}"#,
        ),
        Answer::Raw(502, b"<html>Bad Gateway</html>".to_vec()),
        Answer::Json(200, r#"{"Response":{}}"#),
        Answer::Raw(200, b"not json".to_vec()),
    ]);
    let client = tencent(&url, None);
    let op = StopInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);

    let err = client.stop_instances(&op).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.code(), Some("InvalidInstanceId.NotFound"));
    assert_eq!(err.request_id(), Some("rid-1"));
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(err.send_state(), SendState::Answered);
    assert_eq!(err.action(), Some("StopInstances"));
    assert_eq!(
        err.to_string(),
        "tencent StopInstances: InvalidInstanceId.NotFound: instance ins-r8hr2upy not found (RequestId rid-1)"
    );

    let err = client.stop_instances(&op).unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Throttled, Some("RequestLimitExceeded"))
    );

    let err = client.stop_instances(&op).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport,
        "a non-200 answer without Response.Error"
    );
    assert_eq!(err.http_status(), Some(502));
    assert_eq!(err.send_state(), SendState::Answered);

    let err = client.stop_instances(&op).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    let err = client.stop_instances(&op).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
}

#[test]
fn alibaba_errors_are_classified_by_code_not_status() {
    let (url, _rx) = serve(vec![
        Answer::Json(
            404,
            r#"{"RequestId":"R1","HostId":"ecs.aliyuncs.com","Code":"InvalidInvokeId.NotFound","Message":"The specified invoke ID does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidInvokeId.NotFound"}"#,
        ),
        Answer::Json(
            400,
            r#"{"RequestId":"R2","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#,
        ),
        Answer::Json(
            403,
            r#"{"RequestId":"R3","Code":"InstanceIds.ExceedLimit","Message":"too many"}"#,
        ),
        Answer::Json(
            500,
            r#"{"RequestId":"R4","Code":"InternalError.Dispatch","Message":"dispatch"}"#,
        ),
        Answer::Raw(503, b"".to_vec()),
    ]);
    let client = alibaba(&url, None);
    let op = StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001");
    for (kind, code, status) in [
        (ErrorKind::NotFound, "InvalidInvokeId.NotFound", 404),
        (ErrorKind::Throttled, "Throttling.User", 400),
        (ErrorKind::InvalidParameter, "InstanceIds.ExceedLimit", 403),
        (ErrorKind::Server, "InternalError.Dispatch", 500),
    ] {
        let err = client.stop_invocation(&op).unwrap_err();
        assert_eq!(
            (err.kind(), err.code(), err.http_status()),
            (kind, Some(code), Some(status))
        );
        assert!(err.request_id().is_some());
        assert_eq!(err.provider(), Some(Provider::Alibaba));
    }
    let err = client.stop_invocation(&op).unwrap_err();
    assert_eq!(
        (err.kind(), err.http_status()),
        (ErrorKind::Transport, Some(503))
    );
}

#[test]
fn huge_answers_are_refused() {
    let (url, _rx) = serve(vec![Answer::Raw(200, vec![b' '; 2 * 1024 * 1024])]);
    let err = tencent(&url, None)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err}");
    assert_eq!(err.send_state(), SendState::Answered);
}

#[test]
fn a_refused_connection_was_not_sent_and_a_timeout_may_have_been() {
    // Bind then drop a listener: the port is (almost certainly) closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = tencent(&format!("http://127.0.0.1:{port}"), None)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::NotSent, "{err}");
    assert!(!err.send_state().may_have_been_sent());

    let (url, _rx) = serve(vec![Answer::Sleep(Duration::from_secs(3))]);
    let err = tencent(&url, None)
        .with_timeout(Duration::from_millis(500))
        .unwrap()
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer, "{err}");
    assert!(
        err.message().contains("may have reached the provider"),
        "{err}"
    );
}

#[test]
fn clients_are_shared_between_threads() {
    let (url, rx) = serve((0..16).map(|_| Answer::Json(200, TC_OK)).collect());
    let client = tencent(&url, None);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            thread::spawn(move || {
                for j in 0..2 {
                    let id = format!("ins-thr{i}{j}000");
                    client
                        .stop_instances(&StopInstances::new("ap-guangzhou", vec![id]))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(rx.iter().take(16).count(), 16);
}

#[test]
fn send_takes_any_request_of_the_clients_cloud() {
    // `send` is the generic way to reach every operation of the table; a request of the other
    // cloud does not compile (its `Request::Cloud` differs), so only a Tencent request is tried.
    let c = Tencent::new(TencentCredentials::new(TC_ID, TC_KEY, None).unwrap())
        .with_endpoint_url("http://127.0.0.1:9")
        .unwrap();
    let err = c
        .send(&StopInstances::new("ap-guangzhou", Vec::new()))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.action(), Some("StopInstances"));
    assert_eq!(
        <StopInstances as cloudhalt::Request>::OP.action,
        "StopInstances"
    );
}

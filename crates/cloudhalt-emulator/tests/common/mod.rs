//! Helpers shared by the emulator's integration tests: clients pointed at a fresh emulator, and
//! raw signed requests for what the core client refuses to send (so the server-side checks are
//! exercised too).
#![allow(dead_code)]

use cloudhalt::sign::{acs3, sha256_hex, tc3};
use cloudhalt::{Alibaba, AlibabaCredentials, Pacing, Retry, Tencent, TencentCredentials};
use cloudhalt_emulator::{
    ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, Config, Emulator, RunningEmulator,
    SettingsUpdate, TENCENT_SECRET_ID, TENCENT_SECRET_KEY,
};
use serde_json::Value;

/// A fresh emulator with the built-in state and immediate transitions.
pub fn emulator() -> RunningEmulator {
    let emu = Emulator::start(Config::default()).expect("emulator starts");
    emu.configure(SettingsUpdate {
        transition_ms: Some(0),
        ..SettingsUpdate::default()
    });
    emu
}

pub fn tencent(emu: &RunningEmulator) -> Tencent {
    tencent_with(emu, TENCENT_SECRET_ID, TENCENT_SECRET_KEY, None)
}

/// The emulator's tests look at one request at a time: the client neither retries nor paces
/// (the fleet tests turn both back on explicitly).
pub fn tencent_with(emu: &RunningEmulator, id: &str, key: &str, token: Option<&str>) -> Tencent {
    Tencent::new(TencentCredentials::new(id, key, token.map(str::to_owned)).unwrap())
        .with_endpoint_url(emu.url())
        .unwrap()
        .with_retry(Retry::never())
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

pub fn alibaba(emu: &RunningEmulator) -> Alibaba {
    alibaba_with(emu, ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, None)
}

pub fn alibaba_with(emu: &RunningEmulator, id: &str, secret: &str, token: Option<&str>) -> Alibaba {
    Alibaba::new(AlibabaCredentials::new(id, secret, token.map(str::to_owned)).unwrap())
        .with_endpoint_url(emu.url())
        .unwrap()
        .with_retry(Retry::never())
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

/// The state of one CVM instance, or None when it is gone.
pub fn cvm_state(emu: &RunningEmulator, id: &str) -> Option<String> {
    emu.state()["tencent"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["InstanceId"] == id)
        .map(|i| i["InstanceState"].as_str().unwrap().to_owned())
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    )
}

fn host(emu: &RunningEmulator) -> String {
    format!("127.0.0.1:{}", emu.port())
}

/// A raw Tencent request, signed over `signed_body` but sending `sent_body`.
pub struct RawTencent<'a> {
    pub action: &'a str,
    pub version: &'a str,
    pub service: &'a str,
    pub region: Option<&'a str>,
    pub signed_body: &'a str,
    pub sent_body: Option<&'a str>,
    pub timestamp: i64,
    pub secret_key: &'a str,
    pub sign_action_header: bool,
}

impl<'a> RawTencent<'a> {
    pub fn new(action: &'a str, region: Option<&'a str>, body: &'a str) -> RawTencent<'a> {
        let (service, version) = match action {
            "CancelInvocation" | "DescribeInvocationTasks" => ("tat", "2020-10-28"),
            "CancelInstanceRefresh" | "StopInstanceRefresh" | "DescribeRefreshActivities" => {
                ("as", "2018-04-19")
            }
            _ => ("cvm", "2017-03-12"),
        };
        RawTencent {
            action,
            version,
            service,
            region,
            signed_body: body,
            sent_body: None,
            timestamp: now(),
            secret_key: TENCENT_SECRET_KEY,
            sign_action_header: false,
        }
    }

    /// Sends it; returns the HTTP status and the JSON answer.
    pub fn send(&self, emu: &RunningEmulator) -> (u16, Value) {
        self.send_raw(emu).json()
    }

    /// Sends it; returns the whole answer, whatever its body.
    pub fn send_raw(&self, emu: &RunningEmulator) -> RawAnswer {
        let host = host(emu);
        let mut signed = vec![
            ("content-type", "application/json"),
            ("host", host.as_str()),
        ];
        if self.sign_action_header {
            signed.push(("x-tc-action", self.action));
        }
        let sig = tc3::sign(&tc3::Tc3Input {
            secret_id: TENCENT_SECRET_ID,
            secret_key: self.secret_key,
            service: self.service,
            method: "POST",
            query: "",
            headers: &signed,
            payload: self.signed_body.as_bytes(),
            timestamp: self.timestamp,
        });
        let mut req = agent()
            .post(emu.url())
            .header("Authorization", &sig.authorization)
            .header("Content-Type", "application/json")
            .header("X-TC-Action", self.action)
            .header("X-TC-Version", self.version)
            .header("X-TC-Timestamp", self.timestamp.to_string());
        if let Some(r) = self.region {
            req = req.header("X-TC-Region", r);
        }
        let resp = req
            .send(self.sent_body.unwrap_or(self.signed_body).as_bytes())
            .unwrap();
        RawAnswer::from(resp)
    }
}

/// An answer as received: status, headers and body text.
pub struct RawAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl RawAnswer {
    fn from(mut resp: ureq::http::Response<ureq::Body>) -> RawAnswer {
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        RawAnswer {
            status: resp.status().as_u16(),
            headers,
            text: resp.body_mut().read_to_string().unwrap(),
        }
    }

    /// The status and the body as JSON (which it must be).
    pub fn json(&self) -> (u16, Value) {
        let value = serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text));
        (self.status, value)
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A control request (`/_emulator/...`) with a JSON body; the status and the JSON answer.
pub fn control(emu: &RunningEmulator, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let url = format!("{}{path}", emu.url());
    let resp = match method {
        "GET" => agent().get(&url).call().unwrap(),
        "DELETE" => agent().delete(&url).call().unwrap(),
        _ => agent()
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.to_string().as_bytes())
            .unwrap(),
    };
    RawAnswer::from(resp).json()
}

/// Queues a fault given as JSON, over the control API; panics when it is refused.
pub fn add_fault(emu: &RunningEmulator, spec: Value) {
    let (status, answer) = control(emu, "POST", "/_emulator/faults", &spec);
    assert_eq!(status, 200, "fault {spec} refused: {answer}");
}

/// The Tencent error code of an answer.
pub fn tencent_code(answer: &Value) -> &str {
    answer["Response"]["Error"]["Code"].as_str().unwrap_or("")
}

/// A raw Alibaba StopInvocation request.
pub struct RawAlibaba<'a> {
    pub params: Vec<(String, String)>,
    pub date: i64,
    pub nonce: String,
    pub secret: &'a str,
    pub sent_body: &'a str,
}

impl<'a> RawAlibaba<'a> {
    pub fn new(params: &[(&str, &str)]) -> RawAlibaba<'a> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        RawAlibaba {
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            date: now(),
            nonce: format!(
                "raw-{}-{}",
                now(),
                N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ),
            secret: ALIBABA_ACCESS_KEY_SECRET,
            sent_body: "",
        }
    }

    /// Signs an empty body and sends `sent_body`; returns the status and the JSON answer.
    pub fn send(&self, emu: &RunningEmulator) -> (u16, Value) {
        self.send_raw(emu).json()
    }

    /// Signs an empty body and sends `sent_body`; returns the whole answer.
    pub fn send_raw(&self, emu: &RunningEmulator) -> RawAnswer {
        let host = host(emu);
        let query = acs3::canonical_query(&self.params);
        let date = acs3::format_date(self.date);
        let empty = sha256_hex(b"");
        let signed = [
            ("host", host.as_str()),
            ("x-acs-action", "StopInvocation"),
            ("x-acs-content-sha256", empty.as_str()),
            ("x-acs-date", date.as_str()),
            ("x-acs-signature-nonce", self.nonce.as_str()),
            ("x-acs-version", "2014-05-26"),
        ];
        let sig = acs3::sign(&acs3::Acs3Input {
            access_key_id: ALIBABA_ACCESS_KEY_ID,
            access_key_secret: self.secret,
            method: "POST",
            path: "/",
            query: &query,
            headers: &signed,
            payload: b"",
        });
        let mut req = agent()
            .post(format!("{}/?{query}", emu.url()))
            .header("authorization", &sig.authorization);
        for (name, value) in &signed[1..] {
            req = req.header(*name, *value);
        }
        RawAnswer::from(req.send(self.sent_body.as_bytes()).unwrap())
    }
}

/// A raw Tencent GET request, as the official SDKs send one with `reqMethod="GET"`: parameters
/// flattened into the query, signed over `signed_query` and the payload `body` (empty, as the
/// SDKs send it), sending `sent_query`.
pub struct RawTencentGet<'a> {
    pub action: &'a str,
    pub region: Option<&'a str>,
    pub signed_query: String,
    pub sent_query: Option<String>,
    pub secret_key: &'a str,
    pub body: &'a str,
}

impl<'a> RawTencentGet<'a> {
    /// `query` is already encoded, as it goes on the wire (`InstanceIds.0=ins-run00000&...`).
    pub fn new(action: &'a str, region: Option<&'a str>, query: &str) -> RawTencentGet<'a> {
        RawTencentGet {
            action,
            region,
            signed_query: query.to_owned(),
            sent_query: None,
            secret_key: TENCENT_SECRET_KEY,
            body: "",
        }
    }

    /// Sends it; returns the HTTP status and the JSON answer.
    pub fn send(&self, emu: &RunningEmulator) -> (u16, Value) {
        let raw = RawTencent::new(self.action, self.region, "");
        let host = host(emu);
        let content_type = "application/x-www-form-urlencoded";
        let signed = [("content-type", content_type), ("host", host.as_str())];
        let sig = tc3::sign(&tc3::Tc3Input {
            secret_id: TENCENT_SECRET_ID,
            secret_key: self.secret_key,
            service: raw.service,
            method: "GET",
            query: &self.signed_query,
            headers: &signed,
            payload: self.body.as_bytes(),
            timestamp: raw.timestamp,
        });
        let query = self.sent_query.as_deref().unwrap_or(&self.signed_query);
        let url = format!("{}/?{query}", emu.url());
        let mut req = agent()
            .get(&url)
            .header("Authorization", &sig.authorization)
            .header("Content-Type", content_type)
            .header("X-TC-Action", self.action)
            .header("X-TC-Version", raw.version)
            .header("X-TC-Timestamp", raw.timestamp.to_string());
        if let Some(r) = self.region {
            req = req.header("X-TC-Region", r);
        }
        let mut resp = if self.body.is_empty() {
            req.call().unwrap()
        } else {
            req.force_send_body().send(self.body.as_bytes()).unwrap()
        };
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap())
    }
}

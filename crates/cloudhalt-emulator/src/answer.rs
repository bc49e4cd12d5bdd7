//! What is sent back: the answer type and the providers' own shapes for errors and RequestIds.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{FaultKind, FaultProvider};

/// The content type Tencent answers with: the Python SDK accepts only exactly this.
pub(crate) const TENCENT_CONTENT_TYPE: &str = "application/json";
/// The content type Alibaba answers with.
pub(crate) const ALIBABA_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// What to send back.
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// `close`/`truncate`/`drop_before_apply`: what happens to the connection instead of a
    /// normal answer.
    pub cut: Option<FaultKind>,
    /// Extra answer headers (`x-acs-retry-after` of a fault).
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// A JSON answer with the given status and content type.
    pub fn json(status: u16, content_type: &'static str, value: &serde_json::Value) -> Answer {
        Answer {
            status,
            content_type,
            body: value.to_string().into_bytes(),
            cut: None,
            headers: Vec::new(),
        }
    }

    /// An answer of the emulator itself (control endpoints, requests no provider would take).
    pub fn control(status: u16, value: serde_json::Value) -> Answer {
        Answer::json(status, "application/json", &value)
    }
}

/// The reason phrase for the status line of a hand-written answer.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A fresh RequestId (a random UUID, lower case).
pub(crate) fn request_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Still unique within this process, which is all a RequestId has to be here.
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

/// The provider's answer to a request over its rate limit.
pub(crate) fn throttled(provider: FaultProvider) -> Answer {
    throttled_as(provider, None, None, None)
}

/// A throttling answer, optionally with another code (`RequestLimitExceeded.UinLimitExceeded`,
/// `Throttling.Api`, ...), message or HTTP status than the default ones.
pub(crate) fn throttled_as(
    provider: FaultProvider,
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
) -> Answer {
    match provider {
        FaultProvider::Tencent => tencent_error(
            status.unwrap_or(200),
            code.unwrap_or("RequestLimitExceeded"),
            message.unwrap_or(
                "Your current request times equals to `limit` in this second; please retry later.",
            ),
        ),
        FaultProvider::Alibaba => alibaba_error(
            status.unwrap_or(400),
            code.unwrap_or("Throttling.User"),
            message.unwrap_or("Request was denied due to user flow control."),
            None,
        ),
    }
}

/// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
pub(crate) fn tencent_error(status: u16, code: &str, message: &str) -> Answer {
    Answer::json(
        status,
        TENCENT_CONTENT_TYPE,
        &serde_json::json!({"Response": {
            "Error": {"Code": code, "Message": message},
            "RequestId": request_id(),
        }}),
    )
}

/// `{"RequestId", "HostId", "Code", "Message", "Recommend"}`, as the POP gateway answers.
pub(crate) fn alibaba_error(
    status: u16,
    code: &str,
    message: &str,
    region: Option<&str>,
) -> Answer {
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

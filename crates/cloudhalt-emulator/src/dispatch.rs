//! Dispatch of cloud API requests: which provider and action, then version, method, signature,
//! rate limit and the action's handler, in the order the providers check them.

use std::time::Instant;

use crate::answer::{
    ALIBABA_CONTENT_TYPE, Answer, TENCENT_CONTENT_TYPE, alibaba_error, request_id, tencent_error,
    throttled, unix_now,
};
use crate::faults::{Faulted, with_fault};
use crate::flat_query;
use crate::model::{FaultProvider, LastCall};
use crate::request::{Incoming, MAX_BODY};
use crate::shared::Shared;
use crate::tencent::Scalar;
use crate::{alibaba, tencent, verify};

/// Routes a cloud API request by its action header.
pub(crate) fn handle(shared: &Shared, req: &Incoming) -> Answer {
    let (provider, action) = if let Some(action) = req.header("x-tc-action") {
        (FaultProvider::Tencent, action.to_owned())
    } else if let Some(action) = req.header("x-acs-action") {
        (FaultProvider::Alibaba, action.to_owned())
    } else {
        return Answer::control(
            400,
            serde_json::json!({"error": "not a cloud API request: send X-TC-Action (Tencent Cloud) or x-acs-action (Alibaba Cloud), or use /_emulator/state"}),
        );
    };
    // Only the provider's own actions are counted: any other name would be a new counter.
    let ids = match provider {
        FaultProvider::Tencent => tencent::action_info(&action).map(|info| tencent_ids(req, &info)),
        FaultProvider::Alibaba => alibaba::action_version(&action).map(|_| alibaba_ids(req)),
    };
    if let Some(ids) = &ids {
        shared.model().received(&action, ids);
    }
    let known = ids.is_some();
    let ids = ids.as_deref().unwrap_or(&[]);
    let (answer, faulted) = with_fault(shared, provider, &action, |fails| match provider {
        FaultProvider::Tencent => tencent_call(shared, req, &action, ids, fails),
        FaultProvider::Alibaba => alibaba_call(shared, req, &action, ids),
    });
    if known && faulted == Faulted::Throttled {
        shared.model().throttled(&action);
    }
    answer
}

/// The IDs a Tencent request names, for the call counters: its `InstanceIds`, `InvocationId`
/// and `RefreshActivityId`, each once, read as leniently as possible (the handler judges them).
fn tencent_ids(req: &Incoming, info: &tencent::ActionInfo) -> Vec<String> {
    if req.body.len() as u64 > MAX_BODY {
        return Vec::new();
    }
    let params = if req.method == "GET" {
        flat_query::parameters(&req.query_pairs(), &info.scalars)
    } else {
        tencent::body_parameters(&req.body)
    };
    let Ok(params) = params else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    if let Some(serde_json::Value::Array(items)) = params.get("InstanceIds") {
        ids.extend(items.iter().filter_map(|v| v.as_str().map(str::to_owned)));
    }
    for name in ["InvocationId", "RefreshActivityId"] {
        if let Some(serde_json::Value::String(id)) = params.get(name) {
            ids.push(id.clone());
        }
    }
    once_each(ids)
}

/// The IDs an Alibaba request names: its `InstanceId.N` and `InvokeId`, each once.
fn alibaba_ids(req: &Incoming) -> Vec<String> {
    let ids = req
        .query_pairs()
        .into_iter()
        .filter(|(name, _)| name == "InvokeId" || name.starts_with("InstanceId."))
        .map(|(_, id)| id)
        .collect();
    once_each(ids)
}

/// `ids` without repeats, in their first order: a request names an ID once however often it
/// lists it.
fn once_each(mut ids: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    ids
}

fn tencent_call(
    shared: &Shared,
    req: &Incoming,
    action: &str,
    ids: &[String],
    fails: bool,
) -> Answer {
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
    if req.method != "POST" && req.method != "GET" {
        return tencent_error(
            200,
            "UnsupportedProtocol",
            &format!(
                "This emulator answers HTTP POST and GET requests only, not {}.",
                shown_method(&req.method)
            ),
        );
    }
    let now = unix_now();
    let window = shared.model().settings.timestamp_window_secs;
    // AssumeRoleWithWebIdentity is sent unsigned, as `Authorization: SKIP`.
    let unsigned =
        action == "AssumeRoleWithWebIdentity" && req.header("authorization") == Some("SKIP");
    let auth = if unsigned {
        None
    } else {
        let mut accepted = shared.tencent_credentials.clone();
        accepted.extend(shared.issued().pairs(FaultProvider::Tencent));
        match verify::tencent(req, info.service, &accepted, now, window) {
            Ok(a) => Some(a),
            Err(r) => return tencent_error(r.status, r.code, &r.message),
        }
    };
    if let Some(auth) = &auth
        && let Err((code, message)) = crate::issued::check_token(
            shared,
            FaultProvider::Tencent,
            &auth.secret_id,
            req.header("x-tc-token"),
            now,
        )
    {
        return tencent_error(200, code, message);
    }
    let region = req.header("x-tc-region");
    let mut model = shared.model();
    // The arrival time is taken under the lock, so that the window sees requests in order.
    if !model.admit(action, region.unwrap_or(""), Instant::now()) {
        model.throttled(action);
        return throttled(FaultProvider::Tencent);
    }
    model.advance();
    let params = if req.method == "GET" {
        get_parameters(req, &info.scalars)
    } else {
        tencent::body_parameters(&req.body)
    };
    if info.service == "sts" {
        drop(model);
        return match params {
            Ok(params) => {
                let answer = crate::issued::tencent_sts(shared, action, &params);
                shared.model().count(action);
                answer
            }
            Err(e) => tencent_error(200, e.code, &e.message),
        };
    }
    let Some(auth) = auth else {
        return tencent_error(
            200,
            "AuthFailure.InvalidAuthorization",
            "Only AssumeRoleWithWebIdentity may be sent unsigned.",
        );
    };
    // Drawn first: a write records the RequestId of the request that made it.
    let id = request_id();
    let write = tencent::Write {
        request_id: &id,
        fails,
    };
    let result = params.and_then(|params| {
        crate::describe::tencent(&model, action, region, &params)
            .unwrap_or_else(|| tencent::handle(&mut model, action, region, &params, &write))
    });
    match result {
        Ok(mut fields) => {
            // A delay of 0 (the setting or a resource's own) ends the transition before the
            // answer, so that nothing is seen half-way.
            model.advance();
            model.count(action);
            model.applied(action, ids);
            model.last_tencent = Some(LastCall {
                action: action.to_owned(),
                key_id: auth.secret_id,
                token_present: req.header("x-tc-token").is_some(),
                signed_headers: auth.signed_headers,
                request_id: id.clone(),
            });
            fields.insert("RequestId".into(), id.into());
            Answer::json(
                200,
                TENCENT_CONTENT_TYPE,
                &serde_json::json!({ "Response": fields }),
            )
        }
        Err(e) => tencent_error(200, e.code, &e.message),
    }
}

/// The method as echoed in an error: a short token as sent, anything else not repeated.
fn shown_method(method: &str) -> &str {
    if method.len() <= 16 && method.bytes().all(|b| b.is_ascii_alphabetic()) {
        method
    } else {
        "that method"
    }
}

/// A GET carries its parameters in the query, flattened; a body as well would be a second,
/// conflicting source, so it is refused rather than silently ignored.
fn get_parameters(
    req: &Incoming,
    scalars: &[(&str, Scalar)],
) -> Result<serde_json::Map<String, serde_json::Value>, tencent::ApiError> {
    if !req.body.is_empty() {
        return Err(tencent::ApiError {
            code: "InvalidParameter",
            message: "A GET request carries its parameters in the query string, not in a body: \
                      send the JSON body with POST, or the parameters in the query with GET."
                .to_owned(),
        });
    }
    flat_query::parameters(&req.query_pairs(), scalars)
}

fn alibaba_call(shared: &Shared, req: &Incoming, action: &str, ids: &[String]) -> Answer {
    let params = req.query_pairs();
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
    // AssumeRoleWithOIDC is sent unsigned: without an Authorization header.
    if action == "AssumeRoleWithOIDC" && req.header("authorization").is_none() {
        let mut model = shared.model();
        if !model.admit(action, region.unwrap_or(""), Instant::now()) {
            model.throttled(action);
            return throttled(FaultProvider::Alibaba);
        }
        model.count(action);
        drop(model);
        return crate::issued::alibaba_sts(shared, action, &params);
    }
    let mut accepted = shared.alibaba_credentials.clone();
    accepted.extend(shared.issued().pairs(FaultProvider::Alibaba));
    let auth = match verify::alibaba(req, &params, &accepted, now, window) {
        Ok(a) => a,
        Err(r) => return alibaba_error(r.status, r.code, &r.message, region),
    };
    if let Err((code, message)) = crate::issued::check_token(
        shared,
        FaultProvider::Alibaba,
        &auth.access_key_id,
        req.header("x-acs-security-token"),
        now,
    ) {
        return alibaba_error(400, code, message, region);
    }
    let mut model = shared.model();
    if !model.use_nonce(&auth.nonce, auth.timestamp, now) {
        return alibaba_error(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
            region,
        );
    }
    if !model.admit(action, region.unwrap_or(""), Instant::now()) {
        model.throttled(action);
        return throttled(FaultProvider::Alibaba);
    }
    model.advance();
    if action == "AssumeRole" {
        model.count(action);
        drop(model);
        return crate::issued::alibaba_sts(shared, action, &params);
    }
    let result = match action {
        "DescribeInvocations" => crate::describe::describe_invocations(&model, &params),
        _ => alibaba::stop_invocation(&mut model, &params).map(|()| serde_json::Map::new()),
    };
    match result {
        Ok(mut fields) => {
            model.advance();
            model.count(action);
            model.applied(action, ids);
            let id = request_id().to_uppercase();
            model.last_alibaba = Some(LastCall {
                action: action.to_owned(),
                key_id: auth.access_key_id,
                token_present: req.header("x-acs-security-token").is_some(),
                signed_headers: auth.signed_headers,
                request_id: id.clone(),
            });
            fields.insert("RequestId".into(), id.into());
            Answer::json(
                200,
                ALIBABA_CONTENT_TYPE,
                &serde_json::Value::Object(fields),
            )
        }
        Err(e) => alibaba_error(e.status, e.code, &e.message, region),
    }
}

//! The control endpoints under `/_emulator/`: state, reset, faults and settings, as plain JSON.

use crate::answer::Answer;
use crate::model::{Fault, QueuedFault, SettingsUpdate};
use crate::request::Incoming;
use crate::seed::Seed;
use crate::shared::Shared;
use crate::state::Resources;

/// Answers one control request.
pub(crate) fn handle(shared: &Shared, req: &Incoming) -> Answer {
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
        ("GET", "/_emulator/calls") => Answer::control(200, shared.model().calls_json()),
        ("POST", "/_emulator/state") => {
            if let Err(a) = body_json() {
                return a;
            }
            let text = String::from_utf8_lossy(&req.body);
            match Resources::from_json(&text) {
                Ok(resources) => {
                    let mut model = shared.model();
                    model.set_resources(resources);
                    let r = &model.resources;
                    Answer::control(
                        200,
                        serde_json::json!({"ok": true,
                            "tencent": {"instances": r.tencent.instances.len(),
                                        "invocations": r.tencent.invocations.len(),
                                        "scalingGroups": r.tencent.scaling_groups.len()},
                            "alibaba": {"instances": r.alibaba.instances.len(),
                                        "invocations": r.alibaba.invocations.len()}}),
                    )
                }
                Err(e) => Answer::control(400, serde_json::json!({"error": e})),
            }
        }
        ("POST", "/_emulator/seed") => {
            let value = match body_json() {
                Ok(v) => v,
                Err(a) => return a,
            };
            let seeded = serde_json::from_value::<Seed>(value)
                .map_err(|e| {
                    format!("not a seed spec: {e}; use {{\"tencent\": {{\"region\", \"running\", \"stopped\", \"prefix\", \"invocationId\"}}, \"alibaba\": {{\"region\", \"running\", \"stopped\", \"prefix\", \"invokeId\"}}, \"replace\"}}")
                })
                .and_then(|seed| shared.model().seed(&seed));
            match seeded {
                Ok(mut answer) => {
                    answer["ok"] = true.into();
                    Answer::control(200, answer)
                }
                Err(e) => Answer::control(400, serde_json::json!({"error": e})),
            }
        }
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
                    shared.model().faults.push_back(QueuedFault::new(fault));
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
            serde_json::json!({"error": format!("no control endpoint {} {}: use GET|POST /_emulator/state, GET /_emulator/calls, POST /_emulator/seed, POST /_emulator/reset, POST|DELETE /_emulator/faults, POST /_emulator/config", req.method, req.path)}),
        ),
    }
}

//! The audit log: one JSON line before every request is sent and one after its answer, each
//! written and fsync'ed before the request (or the next one) goes out, so that a `kill -9` at
//! any moment leaves a log from which nothing that was sent is missing; and [`Resume`], which
//! reads such a log back to finish an interrupted batch.
//!
//! Lines (`"v": 1`; times are UTC, RFC 3339 with milliseconds):
//! - `{"event": "batch", "batch", "provider", "operation", "region", "params", "ids",
//!   "requests", "resume_of"}`: a call starts; `params` is the whole request in the provider's
//!   JSON form (what `call_json` takes), `ids` every ID an outcome will be reported for.
//! - `{"event": "send", "batch", "request", "attempt", "operation", "region", "ids"}`: written
//!   before the attempt goes out.
//! - `{"event": "answer", "batch", "request", "attempt", "outcome", "outcomes": {ID: outcome},
//!   "request_id", "code", "final"}`: after the attempt; `final` is false when a retry follows.
//! - `{"event": "end", "batch", "summary": {"done", "already", "failed", "unknown"}}`.
//!
//! No secret is ever written: the lines carry IDs, parameters, codes and RequestIds only.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::batch::{IdOutcome, Outcome};
use crate::error::{Error, ErrorKind, Provider, SendState, quoted};
use crate::ops::{Operation, Part, Plan};

/// An append-only audit log file, shared by every clone of a client (and every thread).
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    file: Mutex<File>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AuditLog").field(&self.inner.path).finish()
    }
}

impl PartialEq for AuditLog {
    fn eq(&self, other: &AuditLog) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl AuditLog {
    /// Opens `path` for appending, creating it (mode 0600 on Unix: it names your instances).
    /// Refused with `InvalidInput` (field `audit`) when it cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<AuditLog, Error> {
        let path = path.as_ref();
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let cannot = |e: std::io::Error| {
            Error::invalid_input(
                "audit",
                format!(
                    "cannot open the audit log {}: {e}; give a writable file path",
                    quoted(&path.display().to_string())
                ),
            )
        };
        let mut file = options.open(path).map_err(cannot)?;
        end_a_cut_line(path, &mut file).map_err(cannot)?;
        Ok(AuditLog {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                file: Mutex::new(file),
            }),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Appends one line and waits until it is on disk.
    fn write(&self, mut line: Value) -> Result<(), Error> {
        line["v"] = 1.into();
        line["time"] = now().into();
        let mut text = line.to_string();
        text.push('\n');
        let mut file = self.inner.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Audit,
                    format!(
                        "cannot write the audit log {}: {e}; the request was not sent: free \
                         space or give another --audit file, then resume",
                        quoted(&self.inner.path.display().to_string())
                    ),
                    SendState::NotSent,
                )
            })
    }

    pub(crate) fn batch(&self, batch: &str, plan: &Plan) -> Result<(), Error> {
        self.write(json!({
            "event": "batch",
            "batch": batch,
            "provider": plan.op.provider.as_str(),
            "operation": plan.op.action,
            "region": plan.region,
            "params": plan.params(),
            "ids": plan.ids,
            "requests": plan.parts.len(),
            "resume_of": plan.resume_of,
        }))
        .map_err(|e| e.for_call(plan.op.provider, plan.op.action))
    }

    pub(crate) fn send(
        &self,
        batch: &str,
        request: usize,
        attempt: u32,
        plan: &Plan,
        part: &Part,
    ) -> Result<(), Error> {
        self.write(json!({
            "event": "send",
            "batch": batch,
            "request": request,
            "attempt": attempt,
            "operation": plan.op.action,
            "region": part.call.region,
            "ids": part.ids,
        }))
        .map_err(|e| e.for_call(plan.op.provider, plan.op.action))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn answer(
        &self,
        batch: &str,
        request: usize,
        attempt: u32,
        part: &Part,
        outcome: Outcome,
        code: Option<&str>,
        request_id: Option<&str>,
        last: bool,
    ) -> Result<(), Error> {
        let outcomes: serde_json::Map<String, Value> = part
            .ids
            .iter()
            .map(|id| (id.clone(), outcome.as_str().into()))
            .collect();
        self.write(json!({
            "event": "answer",
            "batch": batch,
            "request": request,
            "attempt": attempt,
            "outcome": outcome.as_str(),
            "outcomes": outcomes,
            "request_id": request_id,
            "code": code,
            "final": last,
        }))
    }

    pub(crate) fn end(&self, batch: &str, outcomes: &[IdOutcome]) -> Result<(), Error> {
        let count = |o: Outcome| outcomes.iter().filter(|x| x.outcome == o).count();
        self.write(json!({
            "event": "end",
            "batch": batch,
            "summary": {
                "done": count(Outcome::Done),
                "already": count(Outcome::Already),
                "failed": count(Outcome::Failed),
                "unknown": count(Outcome::Unknown),
            },
        }))
    }
}

/// Ends the last line of a log that a crash cut mid-write, so that the lines appended now stay
/// readable on their own instead of being glued to the fragment. A log that cannot be read back
/// (write-only, `/dev/full`, a pipe) is left alone.
fn end_a_cut_line(path: &Path, file: &mut File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut reader) = File::open(path) else {
        return Ok(());
    };
    let meta = reader.metadata()?;
    if meta.len() == 0 || !meta.is_file() {
        return Ok(());
    }
    let mut last = [0u8; 1];
    reader.seek(SeekFrom::End(-1))?;
    reader.read_exact(&mut last)?;
    if last[0] != b'\n' {
        file.write_all(b"\n")?;
        file.sync_data()?;
    }
    Ok(())
}

/// The current UTC time, RFC 3339 with milliseconds.
fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Where one ID of an interrupted batch stands, read from its audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Standing {
    /// Never sent.
    NotSent,
    /// Sent, and the log holds no answer: it may have taken effect.
    SentNoAnswer,
    /// The last answer's outcome.
    Answered(Outcome),
}

/// An interrupted batch, read back from its audit log: what is finished, and what is left.
///
/// IDs already `done`/`already` are skipped; `unknown` TerminateInstances IDs (sent, no answer,
/// or an ambiguous answer) are never re-sent (check their state first); everything else is sent
/// again by [`Client::resume`](crate::Client::resume).
#[derive(Debug, Clone)]
pub struct Resume {
    op: &'static Operation,
    region: Option<String>,
    params: Value,
    batch: String,
    ids: Vec<(String, Standing)>,
}

/// True when `line` is a `batch` event: the first line any client writes to a log it opened.
fn starts_a_batch(line: &str) -> bool {
    serde_json::from_str::<Value>(line).is_ok_and(|v| v["event"] == "batch")
}

impl Resume {
    /// Reads the last batch of the audit log at `path`, with every resume of it logged after.
    /// Refused with `InvalidInput` (field `audit`) when the file cannot be read, holds no batch,
    /// or a line is not JSON, except where a crash can have cut one: the last line, or a line
    /// right before a `batch` line (a client that opened the log again after the crash).
    pub fn read(path: impl AsRef<Path>) -> Result<Resume, Error> {
        let path = path.as_ref();
        let shown = quoted(&path.display().to_string());
        let bad = |why: String| Error::invalid_input("audit", why);
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad(format!("cannot read the audit log {shown}: {e}")))?;
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut events = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            match serde_json::from_str::<Value>(line) {
                Ok(v) if v.is_object() => events.push(v),
                // A kill -9 in the middle of a write cuts the line being written: the last one,
                // unless a client opened the log again since (it starts with a batch line).
                _ if i + 1 == lines.len() => {}
                _ if starts_a_batch(lines[i + 1]) => {}
                _ => {
                    return Err(bad(format!(
                        "line {} of the audit log {shown} is not a JSON object: is it a \
                         cloudhalt audit log?",
                        i + 1
                    )));
                }
            }
        }
        let root = events
            .iter()
            .rev()
            .find(|e| e["event"] == "batch" && e["resume_of"].is_null())
            .ok_or_else(|| bad(format!("the audit log {shown} holds no batch to resume")))?;
        let root_id = root["batch"].as_str().unwrap_or_default().to_owned();
        let provider = match root["provider"].as_str() {
            Some("alibaba") => Provider::Alibaba,
            Some("tencent") => Provider::Tencent,
            other => {
                return Err(bad(format!(
                    "the audit log {shown} names an unknown provider {other:?}"
                )));
            }
        };
        let action = root["operation"].as_str().unwrap_or_default();
        let op = crate::ops::lookup(provider, action)?;
        let region = root["region"].as_str().map(str::to_owned);
        let params = root["params"].clone();
        let all: Vec<String> = root["ids"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut chain: Vec<String> = vec![root_id.clone()];
        let mut standing: HashMap<String, Standing> = HashMap::new();
        for event in &events {
            let batch = event["batch"].as_str().unwrap_or_default();
            match event["event"].as_str() {
                Some("batch") if event["resume_of"] == root_id.as_str() => {
                    chain.push(batch.to_owned());
                }
                Some("send") if chain.iter().any(|b| b == batch) => {
                    for id in event["ids"].as_array().into_iter().flatten() {
                        if let Some(id) = id.as_str() {
                            standing.insert(id.to_owned(), Standing::SentNoAnswer);
                        }
                    }
                }
                Some("answer") if chain.iter().any(|b| b == batch) => {
                    for (id, outcome) in event["outcomes"].as_object().into_iter().flatten() {
                        if let Some(outcome) = outcome.as_str().and_then(Outcome::from_name) {
                            standing.insert(id.clone(), Standing::Answered(outcome));
                        }
                    }
                }
                _ => {}
            }
        }
        let ids = all
            .into_iter()
            .map(|id| {
                let s = standing.get(&id).copied().unwrap_or(Standing::NotSent);
                (id, s)
            })
            .collect();
        Ok(Resume {
            op,
            region,
            params,
            batch: root_id,
            ids,
        })
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.op.provider
    }

    /// The operation, as the provider names it.
    pub fn action(&self) -> &'static str {
        self.op.action
    }

    /// The operation's facts.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    /// The batch's parameters, in the provider's JSON form (as `call_json` takes them).
    pub fn params(&self) -> &Value {
        &self.params
    }

    /// The region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The ID of the batch being resumed (the first one of the log's last chain).
    pub fn batch(&self) -> &str {
        &self.batch
    }

    /// Every ID of the batch with where it stands, in input order.
    pub fn standings(&self) -> &[(String, Standing)] {
        &self.ids
    }

    /// IDs that are finished (`done` or `already`): skipped.
    pub fn finished(&self) -> Vec<(&str, Outcome)> {
        self.ids
            .iter()
            .filter_map(|(id, s)| match s {
                Standing::Answered(o) if o.is_success() => Some((id.as_str(), *o)),
                _ => None,
            })
            .collect()
    }

    /// IDs whose request may have taken effect and that are NOT sent again, because the
    /// operation is not harmless to repeat (TerminateInstances): check their state first.
    pub fn held_back(&self) -> Vec<&str> {
        if self.op.idempotent {
            return Vec::new();
        }
        self.ids
            .iter()
            .filter(|(_, s)| {
                matches!(
                    s,
                    Standing::SentNoAnswer | Standing::Answered(Outcome::Unknown)
                )
            })
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// IDs that resume sends: never sent, failed, or (for a harmless operation) unknown.
    pub fn to_send(&self) -> Vec<&str> {
        let held: std::collections::HashSet<&str> = self.held_back().into_iter().collect();
        self.ids
            .iter()
            .filter(|(id, s)| {
                !matches!(s, Standing::Answered(o) if o.is_success()) && !held.contains(id.as_str())
            })
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// The plan of what is left, for [`Client::resume`](crate::Client::resume).
    pub(crate) fn plan(&self) -> Result<Plan, Error> {
        let left: Vec<String> = self.to_send().into_iter().map(str::to_owned).collect();
        if left.is_empty() {
            return Err(Error::invalid_input(
                "audit",
                format!(
                    "nothing to resume: every ID of batch {} is finished or held back",
                    self.batch
                ),
            ));
        }
        // IDs sent before without a known outcome may have taken effect: they go in requests of
        // their own that start as "maybe applied", so that the provider's "already stopped" is a
        // success for them, as after a retry, and never for an ID that was not sent before.
        let maybe: std::collections::HashSet<&str> = self
            .ids
            .iter()
            .filter(|(_, s)| {
                matches!(
                    s,
                    Standing::SentNoAnswer | Standing::Answered(Outcome::Unknown)
                )
            })
            .map(|(id, _)| id.as_str())
            .collect();
        let (again, fresh): (Vec<String>, Vec<String>) =
            left.into_iter().partition(|id| maybe.contains(id.as_str()));
        let mut plan: Option<Plan> = None;
        for (ids, maybe_applied) in [(again, true), (fresh, false)] {
            if ids.is_empty() {
                continue;
            }
            let mut part = self.plan_of(ids)?;
            for p in &mut part.parts {
                p.maybe_applied = maybe_applied;
            }
            match &mut plan {
                None => plan = Some(part),
                Some(plan) => {
                    plan.ids.extend(part.ids);
                    // The logged parameters (built from the IDs) name every ID of the call.
                    plan.parts.extend(part.parts);
                }
            }
        }
        let mut plan = plan.expect("left is not empty, so one of the two lists is not");
        plan.resume_of = Some(self.batch.clone());
        Ok(plan)
    }

    /// The plan of the request with its instance list set to `ids` (or as logged, for an
    /// operation without one).
    fn plan_of(&self, ids: Vec<String>) -> Result<Plan, Error> {
        let mut params = self.params.clone();
        if let Some(field) = self.op.instance_list()
            && params.get(field.name).is_some()
        {
            params[field.name] = ids.into();
        }
        crate::ops::call_from_json(self.op.provider, self.op.action, self.region(), &params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_log(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "cloudhalt-audit-{name}-{}-{}.jsonl",
            std::process::id(),
            &crate::clock::nonce()[..8]
        ));
        let _ = std::fs::remove_file(&path);
        path
    }

    const BATCH: &str = r#"{"event":"batch","batch":"b1","provider":"tencent","operation":"StopInstances","region":"ap-guangzhou","params":{"InstanceIds":["ins-run00000","ins-run00001"]},"ids":["ins-run00000","ins-run00001"],"requests":1,"resume_of":null,"v":1}"#;

    #[test]
    fn a_line_cut_by_a_crash_is_ended_before_new_lines_are_appended() {
        let path = temp_log("cut");
        let send = r#"{"event":"send","batch":"b1","request":0,"attempt":1,"ids":["ins-run00000","ins-run00001"],"v":1}"#;
        std::fs::write(&path, format!("{BATCH}\n{send}\n{{\"event\":\"answ")).unwrap();
        let log = AuditLog::open(&path).unwrap();
        let resume = Resume::read(&path).unwrap();
        assert_eq!(resume.to_send(), ["ins-run00000", "ins-run00001"]);
        let plan = resume.plan().unwrap();
        log.batch("b2", &plan).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("{\"event\":\"answ\n{"), "{text}");
        // The fragment now sits before the resume's batch line: still readable, and the resume
        // is part of the chain.
        let again = Resume::read(&path).unwrap();
        assert_eq!(again.batch(), "b1");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_line_that_is_not_json_elsewhere_is_refused() {
        let path = temp_log("garbage");
        std::fs::write(&path, format!("{BATCH}\nnot json\n{BATCH}\n{{}}\n")).unwrap();
        AuditLog::open(&path).unwrap();
        assert_eq!(Resume::read(&path).unwrap().batch(), "b1");
        std::fs::write(&path, format!("{BATCH}\nnot json\n{{}}\n")).unwrap();
        let e = Resume::read(&path).unwrap_err();
        assert_eq!(e.field(), Some("audit"));
        assert!(e.to_string().contains("line 2"), "{e}");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_complete_log_is_left_as_it_is() {
        let path = temp_log("whole");
        std::fs::write(&path, format!("{BATCH}\n")).unwrap();
        AuditLog::open(&path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{BATCH}\n")
        );
        std::fs::remove_file(&path).unwrap();
    }
}

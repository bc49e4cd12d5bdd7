//! The operations: one table of facts ([`Operation`]), the typed requests and their validation,
//! and the provider answer ([`Response`]).
//!
//! Every fact about an operation (provider, action, service, version, host, region rule, ID
//! fields and their limits, parameters, whether repeating it is harmless, whether it changes
//! anything, its documented rate limit) is written once, in the [`Operation`] value next to its
//! request type, and listed in [`OPERATIONS`]. Validation, signing, the C ABI, Python, the CLI and
//! the emulator read it from there.
//!
//! Each request type checks every documented rule before anything is built, and returns an
//! [`Error`] of kind [`InvalidInput`](crate::ErrorKind::InvalidInput) that names the provider's
//! field, the bad value and the rule.

pub mod alibaba;
pub(crate) mod pages;
pub(crate) mod sts;
pub mod tencent;
pub mod waiters;

pub(crate) use crate::error::quoted;
use crate::error::{Error, Provider};

/// Every operation cloudhalt sends: the five stop operations, the Describe calls that confirm
/// them (read-only, paged), AS StopInstanceRefresh (the pause before a blocked cancel), then the
/// STS calls of the credential chains (`chain_only`:
/// read-only, not callable through `call_json`).
pub static OPERATIONS: [&Operation; 14] = [
    &tencent::cvm::STOP_INSTANCES,
    &tencent::cvm::TERMINATE_INSTANCES,
    &tencent::tat::CANCEL_INVOCATION,
    &tencent::autoscaling::CANCEL_INSTANCE_REFRESH,
    &alibaba::ecs::STOP_INVOCATION,
    &tencent::cvm::DESCRIBE_INSTANCES,
    &tencent::tat::DESCRIBE_INVOCATION_TASKS,
    &tencent::autoscaling::DESCRIBE_REFRESH_ACTIVITIES,
    &alibaba::ecs::DESCRIBE_INVOCATIONS,
    &tencent::autoscaling::STOP_INSTANCE_REFRESH,
    &sts::TENCENT_ASSUME_ROLE,
    &sts::TENCENT_ASSUME_ROLE_WITH_WEB_IDENTITY,
    &sts::ALIBABA_ASSUME_ROLE,
    &sts::ALIBABA_ASSUME_ROLE_WITH_OIDC,
];

/// The operation `action` of `provider`, if cloudhalt sends it.
pub fn operation(provider: Provider, action: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .copied()
        .find(|op| op.provider == provider && op.action == action)
}

/// The operation `action` of `provider` that a caller may send by name (`call_json`), or an
/// input error listing the ones there are.
pub(crate) fn lookup(provider: Provider, action: &str) -> Result<&'static Operation, Error> {
    operation(provider, action)
        .filter(|op| !op.chain_only)
        .ok_or_else(|| {
            let names = OPERATIONS
                .iter()
                .filter(|op| op.provider == provider && !op.chain_only)
                .map(|op| op.action)
                .collect::<Vec<_>>()
                .join(", ");
            Error::invalid_input(
                "action",
                format!(
                    "action {} is not one cloudhalt sends to {}: use one of {names}",
                    quoted(action),
                    provider.display_name()
                ),
            )
        })
}

/// The facts of one operation, as its provider documents them.
#[non_exhaustive]
pub struct Operation {
    /// The cloud.
    pub provider: Provider,
    /// The provider's name of the operation (`X-TC-Action` / `x-acs-action`).
    pub action: &'static str,
    /// The service (`cvm`, `tat`, `as`, `ecs`): Tencent signs with it; it is never taken from the
    /// host.
    pub service: &'static str,
    /// The API version (`X-TC-Version` / `x-acs-version`).
    pub version: &'static str,
    /// The default host, with `{region}` where the region goes.
    pub host: &'static str,
    /// Whether the region is required.
    pub region: RegionRule,
    /// The ID fields, in the provider's order.
    pub ids: &'static [IdField],
    /// The other parameters cloudhalt sends.
    pub params: &'static [Param],
    /// True when sending it twice does no more than sending it once, so that an ambiguous failure
    /// may be retried. TerminateInstances is not: a second call destroys a prepaid instance that
    /// the first moved to the recycle bin.
    pub idempotent: bool,
    /// True when it changes anything (false for read-only calls such as STS AssumeRole).
    pub mutating: bool,
    /// True when it is signed with the client's credentials; false for the STS calls that the
    /// provider takes unsigned (Tencent `AssumeRoleWithWebIdentity`, sent with
    /// `Authorization: SKIP`; Alibaba `AssumeRoleWithOIDC`, sent without `Authorization`).
    pub signed: bool,
    /// True for the STS calls of the credential chains: in the table for their facts, but not
    /// sent by name through `call_json` (their answer is a secret).
    pub chain_only: bool,
    /// The provider's documented rate limit, per account and region.
    pub rate_limit: RateLimit,
    /// How the provider pages a long answer; the engine follows it so that the caller gets
    /// every item.
    pub pagination: Pagination,
    /// Error codes that mean "already done" (StopInstances on a stopping instance). After a
    /// retry that followed an ambiguous failure, such an answer is a success, reported `already`:
    /// the first attempt most likely took effect.
    pub already: &'static [&'static str],
    /// Builds the validated call from the region and the provider's JSON parameters: what the
    /// JSON entry points (`call_json`, the C ABI, the CLI's `call`) run.
    pub(crate) from_json: FromJson,
}

/// The JSON builder of an operation.
pub(crate) type FromJson = fn(Option<&str>, &serde_json::Value) -> Result<Plan, Error>;

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("provider", &self.provider)
            .field("action", &self.action)
            .field("service", &self.service)
            .field("version", &self.version)
            .field("host", &self.host)
            .field("region", &self.region)
            .field("ids", &self.ids)
            .field("params", &self.params)
            .field("idempotent", &self.idempotent)
            .field("mutating", &self.mutating)
            .field("signed", &self.signed)
            .field("chain_only", &self.chain_only)
            .field("rate_limit", &self.rate_limit)
            .field("pagination", &self.pagination)
            .field("already", &self.already)
            .finish_non_exhaustive()
    }
}

/// Plans the request `R` from JSON through its `from_json` constructor.
pub(crate) fn json_call<R: Request>(
    build: fn(Option<&str>, &serde_json::Value) -> Result<R, Error>,
    region: Option<&str>,
    params: &serde_json::Value,
) -> Result<Plan, Error> {
    build(region, params)?.plan()
}

/// The provider's JSON parameters of a `call_json`, parsed from text, refusing a name given twice
/// in one object at any depth. JSON leaves a repeated name to each parser (serde_json keeps the
/// last, others the first): `{"InstanceIds":[...],"InstanceIds":[...]}` would stop one of two
/// lists. The error gives a position and, for a short name of letters, digits, `.` and `_`, the
/// name; never other text, which could be a secret pasted by mistake.
pub fn params_from_json(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

    struct Unique;
    impl<'de> DeserializeSeed<'de> for Unique {
        type Value = serde_json::Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Unique {
        type Value = serde_json::Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(serde_json::Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(Unique)? {
                items.push(item);
            }
            Ok(items.into())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(name) = map.next_key::<String>()? {
                if object.contains_key(&name) {
                    let shown = name.len() <= 64
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
                    return Err(A::Error::custom(if shown {
                        format!("the name {name:?} is given twice in one object")
                    } else {
                        "a name is given twice in one object".to_owned()
                    }));
                }
                let value = map.next_value_seed(Unique)?;
                object.insert(name, value);
            }
            Ok(object.into())
        }
    }

    let mut de = serde_json::Deserializer::from_str(text);
    let value = Unique.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Plans the request for `action` of `provider` from the provider's JSON parameters (as in the
/// API reference: `{"InstanceIds": [...], "StopType": "SOFT"}`), refusing unknown parameters.
pub(crate) fn call_from_json(
    provider: Provider,
    action: &str,
    region: Option<&str>,
    params: &serde_json::Value,
) -> Result<Plan, Error> {
    let op = lookup(provider, action).map_err(|e| e.for_call(provider, &shown_action(action)))?;
    (op.from_json)(region, params).map_err(|e| e.for_call(provider, op.action))
}

/// An action name as an error may show it: as given when it looks like one (letters and digits,
/// at most 64), else escaped and cut. Raw, a line break in a name from a script would start a
/// fake line in a log, and a megabyte name would be printed whole.
pub(crate) fn shown_action(action: &str) -> String {
    if action.len() <= 64 && action.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return action.to_owned();
    }
    let mut shown: String = action
        .chars()
        .take(64)
        .flat_map(char::escape_debug)
        .collect();
    if action.chars().nth(64).is_some() {
        shown.push('…');
    }
    shown
}

impl Operation {
    /// The ID field named `name` (`InstanceIds`, `InvocationId`, ...).
    pub fn id_field(&self, name: &str) -> Option<&'static IdField> {
        self.ids.iter().find(|f| f.name == name)
    }

    /// The list of instance IDs, if the operation takes one.
    pub fn instance_list(&self) -> Option<&'static IdField> {
        self.ids.iter().find(|f| f.list)
    }
}

/// How an operation's answer is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pagination {
    /// One answer holds everything (the write operations).
    None,
    /// Tencent `Offset` / `Limit`: the items are the array `Response.<items>`, the total count
    /// `Response.<total>`; pages of `limit` items are asked for until the total is reached.
    OffsetLimit {
        /// The array of items (`InstanceSet`).
        items: &'static str,
        /// The total count (`TotalCount`).
        total: &'static str,
        /// The largest `Limit` the provider accepts.
        limit: u32,
    },
    /// Alibaba `MaxResults` / `NextToken`: the items are the array at the path `items`
    /// (`Invocations.Invocation`), and the next page is asked for while a `NextToken` comes back.
    NextToken {
        /// The path of the array of items.
        items: &'static [&'static str],
        /// The largest `MaxResults` the provider accepts.
        max_results: u32,
    },
}

/// Whether an operation needs a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegionRule {
    /// The region is required (`X-TC-Region`, `RegionId`).
    Required,
    /// The provider documents the region as optional; it is left out when not given.
    Optional,
}

/// A provider's documented rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimit {
    /// At most this many requests per second.
    PerSecond(u32),
    /// No number is published (Alibaba shows per-account thresholds in its Quota Center).
    Unpublished,
}

/// The shape rule of an ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdShape {
    /// Tencent: one of the prefixes, then exactly 8 lower-case letters or digits.
    Tencent,
    /// Alibaba: the prefix, then letters, digits, `-` or `_`, at most 128 characters in all
    /// (Alibaba's ID shapes vary).
    Alibaba,
}

/// One ID field of an operation.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdField {
    /// The provider's field name (`InstanceIds`; Alibaba's `InstanceId`, sent as `InstanceId.N`).
    pub name: &'static str,
    /// The accepted prefixes (`ins-`, `lhins-`, `mi-`, ...).
    pub prefixes: &'static [&'static str],
    /// The shape after the prefix.
    pub shape: IdShape,
    /// What the ID names, for messages (`CVM instance ID`).
    pub what: &'static str,
    /// A valid example, for messages.
    pub example: &'static str,
    /// True for a list of IDs.
    pub list: bool,
    /// The most IDs per request (1 for a single ID).
    pub max: usize,
    /// For a list: true when it may be left out, meaning "every instance" (CancelInvocation,
    /// StopInvocation). Such a list is never empty: an empty list is refused, and "every instance"
    /// must be asked for explicitly.
    pub omittable: bool,
}

impl IdField {
    /// Checks one ID against the shape; `field` is how the message names it (`InstanceIds[3]`).
    pub(crate) fn check_one(&self, field: &str, value: &str) -> Result<(), Error> {
        if self.is_valid(value) {
            Ok(())
        } else {
            Err(self.invalid(field, value))
        }
    }

    /// True when `value` has the shape of this field's IDs.
    fn is_valid(&self, value: &str) -> bool {
        self.prefixes.iter().any(|p| {
            value.strip_prefix(p).is_some_and(|rest| match self.shape {
                IdShape::Tencent => {
                    rest.len() == 8
                        && rest
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                }
                IdShape::Alibaba => {
                    !rest.is_empty()
                        && value.len() <= 128
                        && rest
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                }
            })
        })
    }

    /// The error for an ID of the wrong shape; `field` is how the message names it.
    fn invalid(&self, field: &str, value: &str) -> Error {
        let shape = self
            .prefixes
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(" or ");
        let rule = match self.shape {
            IdShape::Tencent => format!("{shape} followed by 8 lower-case letters or digits"),
            IdShape::Alibaba => {
                format!("{shape} followed by letters, digits, '-' or '_' (at most 128 characters)")
            }
        };
        let article = if self.what.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        Error::invalid_input(
            self.name,
            format!(
                "{field} {} is not {article} {}: expected {rule}, e.g. {}",
                quoted(value),
                self.what,
                self.example
            ),
        )
    }

    /// Checks a list of one request: 1 to `max` IDs, each valid, none repeated.
    pub(crate) fn check_list<S: AsRef<str>>(&self, items: &[S]) -> Result<(), Error> {
        if items.len() > self.max {
            return Err(too_many(self.name, items.len(), self.max));
        }
        self.check_all(items)
    }

    /// Checks a whole batch, of any length: at least one ID, each valid, none repeated anywhere
    /// in the list (a repeated ID in two requests of a batch would be sent twice).
    pub(crate) fn check_all<S: AsRef<str>>(&self, items: &[S]) -> Result<(), Error> {
        let (field, max) = (self.name, self.max);
        if items.is_empty() {
            let all = if self.omittable {
                " (to act on every instance, ask for all instances explicitly)"
            } else {
                ""
            };
            return Err(Error::invalid_input(
                field,
                format!(
                    "{field} is empty: give at least one ID (they are sent {max} per request){all}"
                ),
            ));
        }
        // A short list is searched in place: a set costs more than it saves below a few dozen.
        let mut seen = std::collections::HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let item = item.as_ref();
            if !self.is_valid(item) {
                return Err(self.invalid(&format!("{field}[{i}]"), item));
            }
            let repeated = if items.len() <= 32 {
                items[..i].iter().any(|earlier| earlier.as_ref() == item)
            } else {
                !seen.insert(item)
            };
            if repeated {
                return Err(Error::invalid_input(
                    field,
                    format!(
                        "{field}[{i}] {} appears more than once: give each ID once",
                        quoted(item)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The error for a list longer than the provider's limit; the bindings use it when they stop
/// reading a list at `max + 1` entries.
pub fn too_many(field: &str, count: usize, max: usize) -> Error {
    Error::invalid_input(
        field,
        format!(
            "{field} has {count}{} IDs, more than the provider's limit of {max} per request: \
             split them into batches of at most {max}",
            if count > max { "" } else { " or more" }
        ),
    )
}

/// One non-ID parameter.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The provider's name (`StopType`).
    pub name: &'static str,
    /// Its type.
    pub kind: ParamKind,
}

/// The type of a parameter.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamKind {
    /// A boolean, sent only when true.
    Bool,
    /// One of the listed values.
    Enum(&'static [&'static str]),
}

/// A validated call, ready to sign: the operation and its serialised parameters.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub op: &'static Operation,
    pub region: Option<String>,
    /// Tencent: the JSON body. Alibaba: empty.
    pub body: Vec<u8>,
    /// Alibaba: unencoded `(name, value)` query pairs; the signer encodes and sorts them.
    /// Tencent: empty.
    pub query: Vec<(String, String)>,
}

/// A typed request ([`StopInstances`](crate::StopInstances), ...), for
/// [`Client::send`](crate::Client::send): the one generic way to send any operation of the table
/// to the client of its cloud. Sealed: the request types of this crate implement it.
#[allow(private_interfaces)] // `Call` and the seal are crate-private on purpose.
pub trait Request: sealed::Sealed {
    /// The cloud the request goes to.
    type Cloud: crate::Cloud;

    /// The operation's facts.
    const OP: &'static Operation;

    /// Validates and serialises one request of at most the per-request limit of IDs.
    #[doc(hidden)]
    fn to_call(&self) -> Result<Call, Error>;

    /// Validates the whole request (any number of IDs) and splits it into calls of at most the
    /// provider's per-request limit.
    #[doc(hidden)]
    fn plan(&self) -> Result<Plan, Error>;
}

/// A validated request, split into calls of at most the provider's limit of IDs each.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub op: &'static Operation,
    pub region: Option<String>,
    /// True when the request names its instances (the instance list was given, and is `ids`);
    /// false for an operation without a list, or with the list left out (every instance).
    pub listed: bool,
    /// Every ID an outcome is reported for, in input order: the instance IDs, or the one ID of
    /// an operation without a list (InvocationId, InvokeId, RefreshActivityId).
    pub ids: Vec<String>,
    pub parts: Vec<Part>,
    /// The batch this one resumes, for the audit log.
    pub resume_of: Option<String>,
    /// The batch's ID in the audit log, when chosen before it runs (so that later rounds of
    /// the same call can continue it); drawn by the runner otherwise.
    pub batch: Option<String>,
}

/// One request of a plan.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The IDs its outcome applies to.
    pub ids: Vec<String>,
    pub call: Call,
    /// True when an earlier attempt, logged in the audit log being resumed, may already have
    /// taken effect for every one of its IDs: an "already done" answer is then a success.
    pub maybe_applied: bool,
}

/// Plans `request`: `list` is its instance list (`None` when left out: every instance), `key`
/// the ID reported when there is no list, `with_list` a copy of the request with another list.
pub(crate) fn plan<R: Request>(
    request: &R,
    key: &str,
    list: Option<&[String]>,
    with_list: impl Fn(Vec<String>) -> R,
) -> Result<Plan, Error> {
    let op = R::OP;
    let (ids, parts) = match (list, op.instance_list()) {
        (Some(list), Some(field)) => {
            // The whole list first: nothing is sent when one ID anywhere in it is bad.
            field.check_all(list)?;
            let parts = if list.len() <= field.max {
                // One request: the request as given, not a copy of it with a copy of its list.
                vec![Part {
                    ids: list.to_vec(),
                    call: request.to_call()?,
                    maybe_applied: false,
                }]
            } else {
                list.chunks(field.max)
                    .map(|chunk| {
                        Ok(Part {
                            ids: chunk.to_vec(),
                            call: with_list(chunk.to_vec()).to_call()?,
                            maybe_applied: false,
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?
            };
            (list.to_vec(), parts)
        }
        _ => {
            let call = request.to_call()?;
            (
                vec![key.to_owned()],
                vec![Part {
                    ids: vec![key.to_owned()],
                    call,
                    maybe_applied: false,
                }],
            )
        }
    };
    Ok(Plan {
        op,
        region: parts[0].call.region.clone(),
        listed: list.is_some() && op.instance_list().is_some(),
        ids,
        parts,
        resume_of: None,
        batch: None,
    })
}

impl Plan {
    /// The whole request in the provider's JSON form (what `call_json` takes), rebuilt from its
    /// first call and its IDs: written to the audit log, so that an interrupted batch can be
    /// resumed from it. Built only when asked for: a plain call never needs it.
    pub fn params(&self) -> serde_json::Value {
        let list = self.listed.then_some(&self.ids[..]);
        whole_params(&self.parts[0].call, list, self.op)
    }
}

/// The provider's JSON parameters of the whole request, rebuilt from its first call.
fn whole_params(first: &Call, list: Option<&[String]>, op: &Operation) -> serde_json::Value {
    let mut params = match op.provider {
        Provider::Alibaba => first
            .query
            .iter()
            .filter(|(name, _)| !name.contains('.'))
            .map(|(name, value)| (name.clone(), serde_json::Value::from(value.as_str())))
            .collect(),
        _ => serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&first.body)
            .unwrap_or_default(),
    };
    if let (Some(list), Some(field)) = (list, op.instance_list()) {
        params.insert(field.name.to_owned(), list.into());
    }
    serde_json::Value::Object(params)
}

pub(crate) mod sealed {
    /// Seals [`Request`](super::Request).
    pub trait Sealed {}
}

/// A successful answer: the provider's RequestId and its whole JSON answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub(crate) provider: Provider,
    pub(crate) action: &'static str,
    pub(crate) request_id: String,
    pub(crate) data: serde_json::Value,
    pub(crate) sent_headers: crate::transport::HeaderList,
    pub(crate) headers: crate::transport::HeaderList,
    pub(crate) outcomes: Vec<crate::batch::IdOutcome>,
    pub(crate) request_ids: Vec<String>,
    pub(crate) attempts: u32,
    pub(crate) states: Vec<crate::wait::IdState>,
}

impl Response {
    /// The provider that answered.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The operation, as the provider names it (`StopInstances`, `StopInvocation`, ...).
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The provider's RequestId (of the first request, when the call was split into several):
    /// quote it when asking the provider about this call.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The provider's whole answer (`{"Response": {...}}` for Tencent, `{"RequestId": ...}` for
    /// Alibaba), of the first request when the call was split into several.
    pub fn data(&self) -> &serde_json::Value {
        &self.data
    }

    /// The provider's whole answer, taken out of the response (for a binding that keeps only it).
    pub fn into_data(self) -> serde_json::Value {
        self.data
    }

    /// The request headers that were sent, in order, with session tokens redacted and the
    /// `Authorization` signature shortened: a record of what was signed that cannot be replayed.
    pub fn sent_headers(&self) -> &[(String, String)] {
        self.sent_headers.list()
    }

    /// The answer's HTTP headers, names lower-cased, in order.
    pub fn headers(&self) -> &[(String, String)] {
        self.headers.list()
    }

    /// The outcome of every input ID, once each and in input order: `done`, or `already` when a
    /// retry after an ambiguous failure found the work done.
    pub fn outcomes(&self) -> &[crate::batch::IdOutcome] {
        &self.outcomes
    }

    /// Every RequestId the provider answered, in order, over all requests and attempts
    /// (including those of attempts that failed and were retried).
    pub fn request_ids(&self) -> &[String] {
        &self.request_ids
    }

    /// How many attempts were made, over all requests.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The state each ID reached, when it was described: after a wait (every ID waited on),
    /// or when an ID's outcome had to be read from the provider's state (already stopped, an
    /// unknown TerminateInstances resolved).
    pub fn states(&self) -> &[crate::wait::IdState] {
        &self.states
    }
}

/// Parses one provider enum value (`names[i]` spells `values[i]`), naming the field and every
/// allowed value on failure.
pub(crate) fn parse_enum<T: Copy>(
    field: &str,
    value: &str,
    names: &[&str],
    values: &[T],
) -> Result<T, Error> {
    names
        .iter()
        .position(|name| *name == value)
        .map(|i| values[i])
        .ok_or_else(|| {
            Error::invalid_input(
                field,
                format!(
                    "{field} {} is not valid: use one of {}",
                    quoted(value),
                    names.join(", ")
                ),
            )
        })
}

/// Turns a serde error about the JSON parameters of `action` into an input error. serde's message
/// can quote a whole input value, so it is shortened.
pub(crate) fn params_error(action: &str, err: serde_json::Error) -> Error {
    let text = err.to_string();
    let shown = if text.chars().count() > 200 {
        format!("{}...", text.chars().take(200).collect::<String>())
    } else {
        text
    };
    Error::invalid_input(
        "params",
        format!("parameters for {action} are not valid: {shown}"),
    )
}

/// Checks a region name for the operation's region rule.
pub(crate) fn check_region(op: &Operation, region: Option<&str>) -> Result<(), Error> {
    let field = match op.provider {
        Provider::Alibaba => "RegionId",
        _ => "Region",
    };
    match (region, op.region) {
        (Some(r), _) => crate::endpoint::check_region(field, r),
        (None, RegionRule::Optional) => Ok(()),
        (None, _) => crate::endpoint::check_region(field, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_with_a_name_given_twice_are_refused_at_any_depth() {
        let ok = params_from_json(r#"{"InstanceIds":["ins-r8hr2upy"],"Filters":[{"Name":"a"}]}"#)
            .unwrap();
        assert_eq!(ok["InstanceIds"][0], "ins-r8hr2upy");
        assert_eq!(ok["Filters"][0]["Name"], "a");
        let twice = r#"{"InstanceIds":["ins-aaaaaaaa"],"InstanceIds":["ins-r8hr2upy"]}"#;
        let err = params_from_json(twice).unwrap_err().to_string();
        assert!(
            err.contains(r#"the name "InstanceIds" is given twice"#),
            "{err}"
        );
        let nested = r#"{"Filters":[{"Name":"a","Values":[],"Name":"b"}]}"#;
        let err = params_from_json(nested).unwrap_err().to_string();
        assert!(err.contains(r#"the name "Name" is given twice"#), "{err}");
        // A name that is not a parameter's may be pasted text: it is not shown.
        let odd = r#"{"my secret key":1,"my secret key":2}"#;
        let err = params_from_json(odd).unwrap_err().to_string();
        assert!(err.contains("a name is given twice"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        // The same name in two objects is no repetition; what serde_json refuses stays refused.
        assert!(params_from_json(r#"[{"A":1},{"A":2}]"#).is_ok());
        assert!(params_from_json(r#"{"A":1} junk"#).is_err());
        assert!(params_from_json(&"[".repeat(10_000)).is_err());
        assert_eq!(
            params_from_json(r#"{"N":1.5,"B":true,"Z":null,"I":-3}"#).unwrap(),
            serde_json::json!({"N":1.5,"B":true,"Z":null,"I":-3})
        );
    }

    #[test]
    fn every_operation_is_found_by_its_provider_name() {
        for op in OPERATIONS {
            assert!(std::ptr::eq(operation(op.provider, op.action).unwrap(), op));
        }
        assert!(operation(Provider::Alibaba, "StopInstances").is_none());
    }

    #[test]
    fn only_terminate_instances_is_unsafe_to_repeat() {
        for op in OPERATIONS {
            assert_eq!(
                op.idempotent,
                op.action != "TerminateInstances",
                "{}",
                op.action
            );
            // The read-only calls are the Describe ones (paged) and the STS ones.
            let read_only = op.action.starts_with("Describe") || op.chain_only;
            assert_eq!(op.mutating, !read_only, "{}", op.action);
            assert_eq!(
                op.pagination != Pagination::None,
                op.action.starts_with("Describe"),
                "{}",
                op.action
            );
        }
    }

    #[test]
    fn the_sts_calls_are_read_only_and_not_callable_by_name() {
        let sts: Vec<_> = OPERATIONS.iter().filter(|op| op.service == "sts").collect();
        assert_eq!(sts.len(), 4);
        for op in sts {
            assert!(
                op.chain_only && !op.mutating && op.idempotent,
                "{}",
                op.action
            );
            let err = lookup(op.provider, op.action).unwrap_err();
            assert!(!err.message().contains("AssumeRole,"), "{err}");
        }
        let unsigned: Vec<_> = OPERATIONS
            .iter()
            .filter(|op| !op.signed)
            .map(|op| op.action)
            .collect();
        assert_eq!(
            unsigned,
            ["AssumeRoleWithWebIdentity", "AssumeRoleWithOIDC"]
        );
    }
}

//! The shared vectors in `tests/vectors/`, checked against the core: every signing stage, the
//! request bodies and queries built from each operation, the signed headers of a whole prepared
//! request, and the error-code table. The same files are checked from Python and against the
//! official SDKs.

use serde_json::Value;

use crate::endpoint::{AlibabaEndpoint, BaseUrl, TencentEndpoint};
use crate::sign::{acs3, tc3};
use crate::{Alibaba, AlibabaCredentials, ErrorKind, Provider, Tencent, TencentCredentials};

fn load(name: &str) -> Value {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn tests(doc: &Value) -> Vec<&Value> {
    let all: Vec<&Value> = doc["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap())
        .collect();
    assert_eq!(all.len() as u64, doc["numberOfTests"].as_u64().unwrap());
    all
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn tc3_every_stage_matches_the_vectors() {
    let doc = load("signing/tc3_hmac_sha256.json");
    let mut provider_examples = 0;
    for t in tests(&doc) {
        let (input, expected, id) = (&t["input"], &t["expected"], &t["tcId"]);
        let mut headers = vec![
            ("content-type", s(input, "contentType")),
            ("host", s(input, "host")),
        ];
        if s(input, "signedHeaders").contains("x-tc-action") {
            headers.push(("x-tc-action", s(input, "action")));
        }
        let got = tc3::sign(&tc3::Tc3Input {
            secret_id: s(input, "secretId"),
            secret_key: s(input, "secretKey"),
            service: s(input, "service"),
            method: "POST",
            query: "",
            headers: &headers,
            payload: s(input, "payload").as_bytes(),
            timestamp: input["timestamp"].as_i64().unwrap(),
        });
        assert_eq!(
            got.hashed_payload,
            s(expected, "hashedPayload"),
            "tcId {id}"
        );
        assert_eq!(got.date, s(expected, "date"), "tcId {id}");
        assert_eq!(
            got.credential_scope,
            s(expected, "credentialScope"),
            "tcId {id}"
        );
        assert_eq!(
            got.canonical_headers,
            s(expected, "canonicalHeaders"),
            "tcId {id}"
        );
        assert_eq!(got.signed_headers, s(input, "signedHeaders"), "tcId {id}");
        assert_eq!(
            got.canonical_request,
            s(expected, "canonicalRequest"),
            "tcId {id}"
        );
        assert_eq!(
            got.hashed_canonical_request,
            s(expected, "hashedCanonicalRequest"),
            "tcId {id}"
        );
        assert_eq!(got.string_to_sign, s(expected, "stringToSign"), "tcId {id}");
        assert_eq!(got.signature, s(expected, "signature"), "tcId {id}");
        assert_eq!(got.authorization, s(expected, "authorization"), "tcId {id}");
        if t["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "ProviderExample")
        {
            provider_examples += 1;
        }
    }
    assert!(
        provider_examples >= 2,
        "the provider's worked examples are in the file"
    );
}

#[test]
fn tc3_documented_examples_are_present_with_their_published_signatures() {
    let doc = load("signing/tc3_hmac_sha256.json");
    let signatures: Vec<&str> = tests(&doc)
        .iter()
        .map(|t| s(&t["expected"], "signature"))
        .collect();
    for published in [
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
        "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3",
    ] {
        assert!(signatures.contains(&published), "{published} missing");
    }
}

fn tencent_client_for(input: &Value) -> Tencent {
    let credentials = TencentCredentials::new(
        s(input, "secretId"),
        s(input, "secretKey"),
        input["token"].as_str().map(str::to_owned),
    )
    .unwrap();
    let host = s(input, "host");
    let service = s(input, "service");
    let endpoint = if host == format!("{service}.tencentcloudapi.com") {
        TencentEndpoint::Nearest
    } else if host.ends_with(".tencentcloudapi.com") {
        TencentEndpoint::Regional
    } else {
        TencentEndpoint::Url(BaseUrl::parse(&format!("http://{host}")).unwrap())
    };
    Tencent::new(credentials).with_endpoint(endpoint)
}

#[test]
fn tencent_operations_build_exactly_the_vector_requests() {
    let doc = load("signing/tc3_hmac_sha256.json");
    let mut checked = 0;
    let mut signed = 0;
    for t in tests(&doc) {
        let Some(op) = t.get("operation") else {
            continue;
        };
        let (input, expected, id) = (&t["input"], &t["expected"], &t["tcId"]);
        let call = crate::ops::call_from_json(
            Provider::Tencent,
            s(op, "name"),
            op["region"].as_str(),
            &op["params"],
        )
        .unwrap_or_else(|e| panic!("tcId {id}: {e}"))
        .parts
        .remove(0)
        .call;
        assert_eq!(
            String::from_utf8(call.body.clone()).unwrap(),
            s(input, "payload"),
            "tcId {id}: body"
        );
        assert_eq!(call.op.service, s(input, "service"), "tcId {id}");
        assert_eq!(call.op.version, s(input, "version"), "tcId {id}");
        assert_eq!(
            call.region.as_deref(),
            input["region"].as_str(),
            "tcId {id}"
        );
        let client = tencent_client_for(input);
        let creds = client.config().credentials.current().unwrap();
        let prepared = <crate::TencentCloud as crate::engine::private::Wire>::prepare(
            client.config(),
            &creds.creds,
            &call,
            input["timestamp"].as_i64().unwrap(),
        );
        assert_eq!(prepared.host, s(input, "host"), "tcId {id}: host");
        let header = |name: &str| {
            prepared
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_ref())
        };
        // The client signs content-type;host;x-tc-action; the vectors signed content-type;host
        // check the same request without the signature.
        if s(input, "signedHeaders") == crate::SIGNED_HEADERS {
            assert_eq!(
                header("Authorization"),
                Some(s(expected, "authorization")),
                "tcId {id}"
            );
            signed += 1;
        }
        assert_eq!(
            header("Content-Type"),
            Some(s(input, "contentType")),
            "tcId {id}"
        );
        assert_eq!(header("X-TC-Action"), Some(s(input, "action")), "tcId {id}");
        assert_eq!(header("X-TC-Region"), input["region"].as_str(), "tcId {id}");
        assert_eq!(header("X-TC-Token"), input["token"].as_str(), "tcId {id}");
        checked += 1;
    }
    assert!(
        checked >= 8,
        "operation vectors for all four Tencent operations"
    );
    assert!(
        signed >= 8,
        "signed-request vectors with x-tc-action for all four operations"
    );
}

#[test]
fn acs3_every_stage_matches_the_vectors() {
    let doc = load("signing/acs3_hmac_sha256.json");
    for t in tests(&doc) {
        let (input, expected, id) = (&t["input"], &t["expected"], &t["tcId"]);
        let pairs: Vec<(String, String)> = input["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
            .collect();
        let query = acs3::canonical_query(&pairs);
        assert_eq!(query, s(expected, "canonicalQuery"), "tcId {id}");
        let hashed = crate::sign::sha256_hex(s(input, "payload").as_bytes());
        let mut headers = vec![
            ("host", s(input, "host")),
            ("x-acs-action", s(input, "action")),
            ("x-acs-content-sha256", hashed.as_str()),
            ("x-acs-date", s(input, "date")),
            ("x-acs-signature-nonce", s(input, "nonce")),
            ("x-acs-version", s(input, "version")),
        ];
        if let Some(token) = input["securityToken"].as_str() {
            headers.push(("x-acs-security-token", token));
        }
        let got = acs3::sign(&acs3::Acs3Input {
            access_key_id: s(input, "accessKeyId"),
            access_key_secret: s(input, "accessKeySecret"),
            method: s(input, "method"),
            path: s(input, "path"),
            query: &query,
            headers: &headers,
            payload: s(input, "payload").as_bytes(),
        });
        assert_eq!(
            got.hashed_payload,
            s(expected, "hashedPayload"),
            "tcId {id}"
        );
        assert_eq!(
            got.canonical_headers,
            s(expected, "canonicalHeaders"),
            "tcId {id}"
        );
        assert_eq!(
            got.signed_headers,
            s(expected, "signedHeaders"),
            "tcId {id}"
        );
        assert_eq!(
            got.canonical_request,
            s(expected, "canonicalRequest"),
            "tcId {id}"
        );
        assert_eq!(
            got.hashed_canonical_request,
            s(expected, "hashedCanonicalRequest"),
            "tcId {id}"
        );
        assert_eq!(got.string_to_sign, s(expected, "stringToSign"), "tcId {id}");
        assert_eq!(got.signature, s(expected, "signature"), "tcId {id}");
        assert_eq!(got.authorization, s(expected, "authorization"), "tcId {id}");
    }
}

#[test]
fn acs3_documented_example_is_present_with_its_published_values() {
    let doc = load("signing/acs3_hmac_sha256.json");
    assert!(tests(&doc).iter().any(|t| {
        s(&t["expected"], "hashedCanonicalRequest")
            == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
            && s(&t["expected"], "signature")
                == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    }));
}

#[test]
fn stop_invocation_builds_exactly_the_vector_requests() {
    let doc = load("signing/acs3_hmac_sha256.json");
    let mut checked = 0;
    for t in tests(&doc) {
        let Some(op) = t.get("operation") else {
            continue;
        };
        let (input, expected, id) = (&t["input"], &t["expected"], &t["tcId"]);
        let call =
            crate::ops::call_from_json(Provider::Alibaba, s(op, "name"), None, &op["params"])
                .unwrap_or_else(|e| panic!("tcId {id}: {e}"))
                .parts
                .remove(0)
                .call;
        assert_eq!(
            acs3::canonical_query(&call.query),
            s(expected, "canonicalQuery"),
            "tcId {id}"
        );
        let credentials = AlibabaCredentials::new(
            s(input, "accessKeyId"),
            s(input, "accessKeySecret"),
            input["securityToken"].as_str().map(str::to_owned),
        )
        .unwrap();
        let host = s(input, "host");
        let region = call.region.clone().unwrap_or_default();
        let endpoint = if host == format!("ecs.{region}.aliyuncs.com") {
            AlibabaEndpoint::Regional
        } else if host == format!("ecs-vpc.{region}.aliyuncs.com") {
            AlibabaEndpoint::Vpc
        } else {
            AlibabaEndpoint::Url(BaseUrl::parse(&format!("http://{host}")).unwrap())
        };
        let client = Alibaba::new(credentials).with_endpoint(endpoint);
        let creds = client.config().credentials.current().unwrap();
        let prepared = crate::alibaba::prepare(
            client.config(),
            &creds.creds,
            &call,
            s(input, "date"),
            s(input, "nonce"),
        );
        assert_eq!(prepared.host, host, "tcId {id}");
        assert!(
            prepared
                .url
                .ends_with(&format!("/?{}", s(expected, "canonicalQuery"))),
            "tcId {id}: the URL sends exactly the signed query: {}",
            prepared.url
        );
        let authorization = prepared
            .headers
            .iter()
            .find(|(n, _)| *n == "authorization")
            .map(|(_, v)| v.as_ref());
        assert_eq!(
            authorization,
            Some(s(expected, "authorization")),
            "tcId {id}"
        );
        checked += 1;
    }
    assert!(checked >= 5);
}

#[test]
fn error_codes_classify_as_the_shared_table_says() {
    let doc = load("errors.json");
    for t in tests(&doc) {
        let provider = match s(t, "provider") {
            "tencent" => Provider::Tencent,
            _ => Provider::Alibaba,
        };
        let want = ErrorKind::from_name(s(t, "kind")).unwrap();
        assert_eq!(
            crate::classify(provider, s(t, "code")),
            want,
            "tcId {}: {}",
            t["tcId"],
            s(t, "code")
        );
    }
    let kinds: Vec<&str> = doc["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| s(k, "kind"))
        .collect();
    let ours: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, ours, "errors.json lists every kind, in status order");
}

//! Every validation rule refuses bad input before anything is built or sent, with an error that
//! names the field, the bad value and the rule. The client points at a closed port: if validation
//! let anything through, the error would be a transport error instead.

use cloudhalt::{
    Alibaba, AlibabaCredentials, CancelInstanceRefresh, CancelInvocation, Error, ErrorKind,
    SendState, StopInstances, StopInvocation, StopType, Tencent, TencentCredentials,
    TerminateInstances,
};
use serde_json::json;

const UNREACHABLE: &str = "http://127.0.0.1:9";

fn tencent() -> Tencent {
    Tencent::new(TencentCredentials::new("AKIDtest", "secret-key-value", None).unwrap())
        .with_endpoint_url(UNREACHABLE)
        .unwrap()
}

fn alibaba() -> Alibaba {
    Alibaba::new(AlibabaCredentials::new("LTAItest", "secret-value", None).unwrap())
        .with_endpoint_url(UNREACHABLE)
        .unwrap()
}

/// Asserts an input error on `field` whose message contains every fragment.
fn assert_invalid(result: Result<cloudhalt::Response, Error>, field: &str, fragments: &[&str]) {
    let err = result.expect_err("bad input must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(err.send_state(), SendState::NotBuilt, "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    assert!(
        err.provider().is_some() && err.action().is_some(),
        "names the call: {err}"
    );
    for f in fragments {
        assert!(
            err.message().contains(f),
            "{f:?} not in {:?}",
            err.message()
        );
    }
    println!("{field}: {err}");
}

#[test]
fn instance_ids_must_be_present_bounded_unique_and_well_formed() {
    let c = tencent();
    assert_invalid(
        c.stop_instances(&StopInstances::new("ap-guangzhou", Vec::<String>::new())),
        "InstanceIds",
        &["InstanceIds is empty", "at least one ID", "100 per request"],
    );
    // A batch of any size is split, but the whole list is checked first: an ID repeated in
    // what would be the third request, or a bad one at the end, stops the call before the
    // first request is sent.
    let mut batch: Vec<String> = (0..250).map(|i| format!("ins-a{i:07}")).collect();
    batch.push("ins-a0000003".into());
    assert_invalid(
        c.stop_instances(&StopInstances::new("ap-guangzhou", batch.clone())),
        "InstanceIds",
        &["InstanceIds[250]", "\"ins-a0000003\"", "more than once"],
    );
    batch.pop();
    batch.push("ins-BAD00000".into());
    assert_invalid(
        c.terminate_instances(&TerminateInstances::new("ap-guangzhou", batch)),
        "InstanceIds",
        &["InstanceIds[250]", "\"ins-BAD00000\""],
    );
    assert_invalid(
        c.terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into(), "ins-r8hr2upy".into()],
        )),
        "InstanceIds",
        &["InstanceIds[1]", "\"ins-r8hr2upy\"", "more than once"],
    );
    for bad in [
        "ins-R8HR2UPY",
        "ins-r8hr2up",
        "ins-r8hr2upyy",
        "i-r8hr2upy",
        "",
        "ins-r8hr2up/",
    ] {
        assert_invalid(
            c.stop_instances(&StopInstances::new("ap-guangzhou", vec![bad.into()])),
            "InstanceIds",
            &[
                "InstanceIds[0]",
                &format!("{bad:?}"),
                "\"ins-\" followed by 8 lower-case",
            ],
        );
    }
    // Lighthouse IDs are for TAT only, not CVM.
    assert_invalid(
        c.stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["lhins-abcd1234".into()],
        )),
        "InstanceIds",
        &["lhins-abcd1234"],
    );
}

#[test]
fn exactly_one_hundred_ids_are_accepted_by_validation() {
    let list: Vec<String> = (0..100).map(|i| format!("ins-{i:08}")).collect();
    let err = tencent()
        .stop_instances(&StopInstances::new("ap-guangzhou", list))
        .unwrap_err();
    assert_ne!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

#[test]
fn regions_cannot_change_the_host() {
    let c = tencent();
    for bad in [
        "ap-guangzhou/",
        "evil.com@ap",
        "AP-GUANGZHOU",
        "ap guangzhou",
        "ap.guangzhou",
        "",
    ] {
        assert_invalid(
            c.stop_instances(&StopInstances::new(bad, vec!["ins-r8hr2upy".into()])),
            "Region",
            &["Region"],
        );
    }
    assert_invalid(
        alibaba().stop_invocation(&StopInvocation::new("cn-hangzhou/x", "t-hz0jdfwd9f0001")),
        "RegionId",
        &["^[a-z0-9-]+$"],
    );
    let mut refresh = CancelInstanceRefresh::new("asg-h7tgd87d", "asr-juhf6ytr");
    refresh.set_region(Some("x@y".into()));
    assert_invalid(
        tencent().cancel_instance_refresh(&refresh),
        "Region",
        &["\"x@y\""],
    );
}

#[test]
fn force_stop_never_goes_with_stop_type() {
    let mut op = StopInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);
    op.set_force_stop(true);
    op.set_stop_type(StopType::Hard);
    assert_invalid(
        tencent().stop_instances(&op),
        "ForceStop",
        &["ForceStop and StopType", "SOFT_FIRST"],
    );
}

#[test]
fn enum_values_are_named_with_the_allowed_ones() {
    let err = cloudhalt::StopType::parse("soft").unwrap_err();
    assert_eq!(err.field(), Some("StopType"));
    assert!(err.message().contains("SOFT, HARD, SOFT_FIRST"), "{err}");
    let err = cloudhalt::StoppedMode::parse("STOP").unwrap_err();
    assert!(
        err.message().contains("KEEP_CHARGING, STOP_CHARGING"),
        "{err}"
    );
    assert_invalid(
        tencent().call_json(
            "StopInstances",
            Some("ap-guangzhou"),
            &json!({"InstanceIds": ["ins-r8hr2upy"], "StopType": "GENTLE"}),
        ),
        "StopType",
        &["\"GENTLE\"", "SOFT, HARD, SOFT_FIRST"],
    );
}

#[test]
fn tat_ids_are_checked() {
    let c = tencent();
    assert_invalid(
        c.cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-ABC")),
        "InvocationId",
        &["\"inv-ABC\"", "\"inv-\""],
    );
    let mut op = CancelInvocation::new("ap-guangzhou", "inv-ib2lld37");
    op.set_instance_ids(Some(vec![]));
    assert_invalid(c.cancel_invocation(&op), "InstanceIds", &["empty"]);
    op.set_instance_ids(Some(vec![
        "lhins-abcd1234".into(),
        "ins-abcd1234".into(),
        "mi-abcd1234".into(),
    ]));
    let err = c.cancel_invocation(&op).unwrap_err();
    assert_ne!(
        err.kind(),
        ErrorKind::InvalidInput,
        "lhins-, ins- and mi- are TAT instance IDs: {err}"
    );
}

#[test]
fn auto_scaling_ids_are_checked() {
    let c = tencent();
    assert_invalid(
        c.cancel_instance_refresh(&CancelInstanceRefresh::new("asr-juhf6ytr", "asr-juhf6ytr")),
        "AutoScalingGroupId",
        &["\"asg-\""],
    );
    assert_invalid(
        c.cancel_instance_refresh(&CancelInstanceRefresh::new("asg-h7tgd87d", "asr-")),
        "RefreshActivityId",
        &["\"asr-\""],
    );
}

#[test]
fn alibaba_ids_are_checked_by_prefix_and_safe_characters() {
    let c = alibaba();
    assert_invalid(
        c.stop_invocation(&StopInvocation::new("cn-hangzhou", "c-hz0jdfwd9f0001")),
        "InvokeId",
        &["\"t-\""],
    );
    assert_invalid(
        c.stop_invocation(&StopInvocation::new("cn-hangzhou", "t-a b")),
        "InvokeId",
        &["\"t-a b\""],
    );
    let mut op = StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001");
    let mut many: Vec<String> = (0..120)
        .map(|i| format!("i-bp67acfmxazb4p{i:04}"))
        .collect();
    many.push("i-bp67acfmxazb4p0007".into());
    op.set_instance_ids(Some(many));
    assert_invalid(
        c.stop_invocation(&op),
        "InstanceId",
        &["InstanceId[120]", "more than once"],
    );
    op.set_instance_ids(Some(vec!["i-bp1".into(), "ins-abc".into()]));
    assert_invalid(
        c.stop_invocation(&op),
        "InstanceId",
        &["InstanceId[1]", "\"i-\""],
    );
    op.set_instance_ids(Some(vec!["i-bp1".into(), "i-bp1".into()]));
    assert_invalid(c.stop_invocation(&op), "InstanceId", &["more than once"]);
    op.set_instance_ids(Some(vec![]));
    assert_invalid(c.stop_invocation(&op), "InstanceId", &["empty"]);
}

#[test]
fn an_unknown_action_is_not_printed_raw() {
    // A name from a script, with a line break: the error shows it escaped, so that it cannot
    // start a fake line in a log, and cuts a long one.
    let err = tencent()
        .call_json(
            "TerminateInstances\nok: tencent StopInstances",
            Some("ap-guangzhou"),
            &json!({}),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.action(),
        Some(r"TerminateInstances\nok: tencent StopInstances")
    );
    let shown = err.to_string();
    assert!(!shown.contains('\n'), "{shown}");
    let long = "A".repeat(100_000);
    let err = tencent()
        .call_json(&long, Some("ap-guangzhou"), &json!({}))
        .unwrap_err();
    assert_eq!(err.action().map(|a| a.chars().count()), Some(65));
    assert!(err.to_string().len() < 2_000, "{}", err.to_string().len());
    // A known operation with bad parameters is named as the provider names it.
    let err = tencent()
        .call_json("StopInstances", Some("ap-guangzhou"), &json!({"Bogus": 1}))
        .unwrap_err();
    assert_eq!(err.action(), Some("StopInstances"));
}

#[test]
fn json_entry_points_refuse_unknown_actions_and_parameters() {
    let t = tencent();
    assert_invalid(
        t.call_json("RebootInstances", Some("ap-guangzhou"), &json!({})),
        "action",
        &["RebootInstances", "StopInstances, TerminateInstances"],
    );
    assert_invalid(
        t.call_json(
            "TerminateInstances",
            Some("ap-guangzhou"),
            &json!({"InstanceIds": ["ins-r8hr2upy"], "ReleaseEverything": true}),
        ),
        "params",
        &["ReleaseEverything"],
    );
    assert_invalid(
        t.call_json(
            "StopInstances",
            Some("ap-guangzhou"),
            &json!({"InstanceIds": "ins-r8hr2upy"}),
        ),
        "params",
        &["StopInstances"],
    );
    let a = alibaba();
    assert_invalid(
        a.call_json("StopInstance", &json!({})),
        "action",
        &["StopInvocation"],
    );
    assert_invalid(
        a.call_json("StopInvocation", &json!({"RegionId": "cn-hangzhou"})),
        "InvokeId",
        &["required"],
    );
    assert_invalid(
        a.call_json(
            "StopInvocation",
            &json!({"RegionId": "cn-hangzhou", "InvokeId": "t-1", "InstanceId.2": "i-x"}),
        ),
        "InstanceId",
        &["without gaps"],
    );
    assert_invalid(
        a.call_json(
            "StopInvocation",
            &json!({"RegionId": "cn-hangzhou", "InvokeId": "t-1", "Foo": "x"}),
        ),
        "params",
        &["\"Foo\""],
    );
}

#[test]
fn credentials_are_checked_without_echoing_them() {
    for (id, key) in [
        ("", "SeCrEt1"),
        ("AKIDx", ""),
        (" AKIDx", "SeCrEt2"),
        ("AKIDx", "SeCrEt3\n"),
        ("AKIDx", "SeCrEt4\u{e9}"),
    ] {
        let err = TencentCredentials::new(id, key, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert_eq!(err.send_state(), SendState::NotBuilt);
        assert!(!err.to_string().contains("SeCrEt"), "{err}");
        assert!(
            err.message().contains("TENCENTCLOUD_"),
            "names the variable to check: {err}"
        );
    }
    let err = AlibabaCredentials::new("LTAI", "the-secret", Some("tok en".into())).unwrap_err();
    assert!(err.message().contains("security token"), "{err}");
    assert!(!err.to_string().contains("tok en"));
}

#[test]
fn endpoints_are_parsed_strictly() {
    for bad in [
        "ftp://x",
        "http://",
        "http://a/b",
        "http://a?x",
        "http://u@a",
        "http://a:0",
        "http://a:99999",
        "http://a b",
        "http://[a\r\nX-Injected: 1]:80",
        "http://[evil.example]:80",
        "http://[]:80",
        "http://[127.0.0.1]:80",
    ] {
        let err = tencent().with_endpoint_url(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert_eq!(err.field(), Some("endpoint"));
    }
    for good in [
        "http://[::1]:8123",
        "http://[fe80::1]",
        "https://[2001:db8::7]:443/",
    ] {
        tencent().with_endpoint_url(good).unwrap();
    }
    for with_secret in [
        "http://user:hunter2@127.0.0.1:1",
        "http://127.0.0.1:1/?token=hunter2",
        "http://user:hun#ter2@127.0.0.1:1",
        "http://user:hun?ter2@127.0.0.1:1",
        "http://user:hun/ter2@127.0.0.1:1",
        "http://u:a@b:hunter2@127.0.0.1:1",
    ] {
        let err = tencent().with_endpoint_url(with_secret).unwrap_err();
        assert!(
            !err.to_string().contains("hunter2") && !err.to_string().contains("ter2"),
            "{err}"
        );
        assert!(
            err.message().contains("127.0.0.1:1"),
            "still names the host: {err}"
        );
    }
    let url = cloudhalt::BaseUrl::parse("http://127.0.0.1:8123/").unwrap();
    assert_eq!(url.host_header(), "127.0.0.1:8123");
    assert_eq!(
        cloudhalt::BaseUrl::parse("https://h:443")
            .unwrap()
            .host_header(),
        "h"
    );
}

#[test]
fn debug_output_never_shows_a_secret() {
    let creds =
        TencentCredentials::new("AKIDvisible", "sEcReT-kEy", Some("ToKeN-value".into())).unwrap();
    let client = Tencent::new(creds.clone());
    for text in [format!("{creds:?}"), format!("{client:?}")] {
        assert!(text.contains("AKIDvisible"));
        assert!(
            !text.contains("sEcReT-kEy") && !text.contains("ToKeN-value"),
            "{text}"
        );
    }
    let creds =
        AlibabaCredentials::new("LTAIvisible", "sEcReT-kEy", Some("ToKeN-value".into())).unwrap();
    let text = format!("{creds:?} {:?}", Alibaba::new(creds.clone()));
    assert!(
        !text.contains("sEcReT-kEy") && !text.contains("ToKeN-value"),
        "{text}"
    );
}

#[test]
fn authorization_headers_parse_strictly() {
    use cloudhalt::sign::{acs3, tc3};
    let tc = tc3::parse_authorization(
        "TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=ab12",
    )
    .unwrap();
    assert_eq!(
        (tc.secret_id.as_str(), tc.date.as_str(), tc.service.as_str()),
        ("AKIDx", "2019-02-25", "cvm")
    );
    assert_eq!(tc.signed_headers, ["content-type", "host"]);
    for bad in [
        "TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/cvm/other, SignedHeaders=host, Signature=ab",
        "TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/cvm/tc3_request, Signature=ab",
        "TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/cvm/tc3_request, SignedHeaders=host, Signature=ab, Extra=1",
        "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=ab",
    ] {
        assert!(tc3::parse_authorization(bad).is_none(), "{bad}");
    }
    let ali = acs3::parse_authorization(
        "ACS3-HMAC-SHA256 Credential=LTAIx,SignedHeaders=host;x-acs-date,Signature=cd34",
    )
    .unwrap();
    assert_eq!(ali.access_key_id, "LTAIx");
    assert_eq!(ali.signed_headers, ["host", "x-acs-date"]);
    assert!(
        acs3::parse_authorization("ACS3-HMAC-SHA256 Credential=LTAIx,Signature=cd34").is_none()
    );
}

#[test]
fn echoed_values_are_shortened() {
    let huge = "x".repeat(100_000);
    let errs = [
        tencent()
            .stop_instances(&StopInstances::new(huge.clone(), vec!["ins-r8hr2upy".into()]))
            .unwrap_err(),
        tencent()
            .call_json(
                "StopInstances",
                Some("ap-guangzhou"),
                &serde_json::json!({ "InstanceIds": [huge.clone()] }),
            )
            .unwrap_err(),
        tencent()
            .call_json(
                "StopInstances",
                Some("ap-guangzhou"),
                &serde_json::json!({ "InstanceIds": huge.clone() }),
            )
            .unwrap_err(),
        alibaba()
            .call_json(
                "StopInvocation",
                &serde_json::json!({ "RegionId": [huge.clone()], "InvokeId": "t-1" }),
            )
            .unwrap_err(),
        alibaba()
            .call_json(
                "StopInvocation",
                &serde_json::json!({ "RegionId": "cn-hangzhou", "InvokeId": "t-1", "InstanceId": [{ "a": huge.clone() }] }),
            )
            .unwrap_err(),
    ];
    for err in errs {
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string().len() < 600,
            "{} characters",
            err.to_string().len()
        );
    }
}

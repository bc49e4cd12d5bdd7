//! Every credential chain link that needs a peer, end to end against the emulator: its two
//! metadata services and its STS actions issue temporary credentials (60 s, so every use
//! refreshes), which the cloud APIs then accept with their token, and refuse without it.

mod common;

use cloudhalt::{
    Alibaba, ChainEnv, ChainOptions, ErrorKind, Pacing, Retry, StopInstances, StopInvocation,
    Tencent, TencentCredentials,
};
use cloudhalt_emulator::{
    ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, RunningEmulator, TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
};
use common::emulator;

/// A directory standing for HOME, removed at the end.
struct Home(std::path::PathBuf);

impl Home {
    fn new() -> Home {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("cloudhalt-emu-cred-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn write(&self, rel: &str, text: &str) -> String {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    /// HOME, and every metadata and STS address pointed at the emulator.
    fn env(&self, emu: &RunningEmulator) -> ChainEnv {
        ChainEnv::from_vars([("HOME", self.0.display().to_string())])
            .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", emu.url())
            .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", emu.url())
            .with_var("CLOUDHALT_TENCENT_STS_ENDPOINT", emu.url())
            .with_var("CLOUDHALT_ALIBABA_STS_ENDPOINT", emu.url())
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tencent(emu: &RunningEmulator, env: ChainEnv) -> Tencent {
    Tencent::from_chain(&ChainOptions::new().with_env(env))
        .unwrap()
        .with_endpoint_url(emu.url())
        .unwrap()
        .with_retry(Retry::never())
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

fn alibaba(emu: &RunningEmulator, env: ChainEnv) -> Alibaba {
    Alibaba::from_chain(&ChainOptions::new().with_env(env))
        .unwrap()
        .with_endpoint_url(emu.url())
        .unwrap()
        .with_retry(Retry::never())
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

fn stop_twice_with_fresh_credentials(emu: &RunningEmulator, client: &Tencent) {
    let first = client.current_key_id().unwrap();
    client
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00001".into()],
        ))
        .unwrap();
    let state = emu.state();
    let used = state["lastCall"]["tencent"]["keyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        used.starts_with("AKIDtmp"),
        "signed with a temporary key: {used}"
    );
    assert_ne!(used, first, "60 s left: refreshed before the call");
    assert_eq!(state["lastCall"]["tencent"]["tokenPresent"], true);
    client
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00002".into()],
        ))
        .unwrap();
    let again = emu.state()["lastCall"]["tencent"]["keyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(again, used, "refreshed again");
}

fn stop_invocation_with_fresh_credentials(emu: &RunningEmulator, client: &Alibaba) {
    client
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap();
    let state = emu.state();
    let used = state["lastCall"]["alibaba"]["keyId"].as_str().unwrap();
    assert!(
        used.starts_with("STS.tmp"),
        "signed with a temporary key: {used}"
    );
    assert_eq!(state["lastCall"]["alibaba"]["tokenPresent"], true);
}

#[test]
fn tencent_cvm_role_from_the_emulator_metadata() {
    let emu = emulator();
    let home = Home::new();
    let client = tencent(&emu, home.env(&emu));
    assert_eq!(
        client.credential_source(),
        format!("CVM role ({}/)", emu.url())
    );
    stop_twice_with_fresh_credentials(&emu, &client);
}

#[test]
fn alibaba_ecs_role_from_the_emulator_metadata_imdsv2() {
    let emu = emulator();
    let home = Home::new();
    let env = home
        .env(&emu)
        .with_var("ALIBABA_CLOUD_IMDSV1_DISABLED", "true");
    let client = alibaba(&emu, env);
    assert!(client.credential_source().starts_with("ECS RAM role"));
    stop_invocation_with_fresh_credentials(&emu, &client);
}

#[test]
fn tencent_tccli_role_arn_through_the_emulator_sts() {
    let emu = emulator();
    let home = Home::new();
    home.write(
        ".tccli/default.credential",
        &serde_json::json!({
            "secretId": TENCENT_SECRET_ID,
            "secretKey": TENCENT_SECRET_KEY,
            "role-arn": "qcs::cam::uin/100000000001:roleName/stop",
            "role-session-name": "emulator-test"
        })
        .to_string(),
    );
    let client = tencent(&emu, home.env(&emu));
    assert!(client.credential_source().contains("STS AssumeRole"));
    stop_twice_with_fresh_credentials(&emu, &client);
    assert!(emu.state()["requests"]["AssumeRole"].as_u64().unwrap() >= 3);
}

#[test]
fn tencent_assume_role_with_a_wrong_key_is_refused_by_the_emulator() {
    let emu = emulator();
    let home = Home::new();
    home.write(
        ".tccli/default.credential",
        &serde_json::json!({
            "secretId": TENCENT_SECRET_ID,
            "secretKey": "not-the-key",
            "role-arn": "qcs::cam::uin/1:roleName/stop",
        })
        .to_string(),
    );
    let err = Tencent::from_chain(&ChainOptions::new().with_env(home.env(&emu))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(
        err.message().contains("AuthFailure.SignatureFailure"),
        "{err}"
    );
}

#[test]
fn tencent_tke_oidc_through_the_emulator_sts() {
    let emu = emulator();
    let home = Home::new();
    let token = home.write("tke/token", "eyJhbGciOiJSUzI1NiJ9.e30.sig");
    let env = home
        .env(&emu)
        .with_var("TKE_REGION", "ap-guangzhou")
        .with_var("TKE_PROVIDER_ID", "tke-oidc")
        .with_var("TKE_WEB_IDENTITY_TOKEN_FILE", token)
        .with_var("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/tke");
    let client = tencent(&emu, env);
    assert!(
        client
            .credential_source()
            .contains("AssumeRoleWithWebIdentity")
    );
    stop_twice_with_fresh_credentials(&emu, &client);
}

#[test]
fn alibaba_ram_role_arn_through_the_emulator_sts() {
    let emu = emulator();
    let home = Home::new();
    home.write(
        ".aliyun/config.json",
        &serde_json::json!({
            "current": "role",
            "profiles": [{
                "name": "role",
                "mode": "RamRoleArn",
                "access_key_id": ALIBABA_ACCESS_KEY_ID,
                "access_key_secret": ALIBABA_ACCESS_KEY_SECRET,
                "ram_role_arn": "acs:ram::1:role/stop",
                "ram_session_name": "emulator-test",
                "region_id": "cn-hangzhou"
            }],
            "meta_path": ""
        })
        .to_string(),
    );
    let client = alibaba(&emu, home.env(&emu));
    stop_invocation_with_fresh_credentials(&emu, &client);
}

#[test]
fn alibaba_oidc_through_the_emulator_sts() {
    let emu = emulator();
    let home = Home::new();
    let token = home.write("rrsa/token", "eyJhbGciOiJSUzI1NiJ9.e30.sig");
    let env = home
        .env(&emu)
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/rrsa")
        .with_var(
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/ack",
        )
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token);
    let client = alibaba(&emu, env);
    assert!(client.credential_source().contains("AssumeRoleWithOIDC"));
    stop_invocation_with_fresh_credentials(&emu, &client);
}

#[test]
fn temporary_credentials_need_their_token() {
    let emu = emulator();
    let answer = ureq::get(format!(
        "{}/latest/meta-data/cam/security-credentials/{}",
        emu.url(),
        cloudhalt_emulator::TENCENT_CVM_ROLE
    ))
    .call()
    .unwrap()
    .body_mut()
    .read_to_string()
    .unwrap();
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let (id, key, token) = (
        answer["TmpSecretId"].as_str().unwrap(),
        answer["TmpSecretKey"].as_str().unwrap(),
        answer["Token"].as_str().unwrap(),
    );
    let stop = StopInstances::new("ap-guangzhou", vec!["ins-run00003".into()]);
    let without = common::tencent_with(&emu, id, key, None);
    let err = without.stop_instances(&stop).unwrap_err();
    assert_eq!(err.code(), Some("AuthFailure.TokenFailure"), "{err}");
    let wrong = common::tencent_with(&emu, id, key, Some("another-token"));
    assert_eq!(
        wrong.stop_instances(&stop).unwrap_err().code(),
        Some("AuthFailure.TokenFailure")
    );
    let right = common::tencent_with(&emu, id, key, Some(token));
    right.stop_instances(&stop).unwrap();
    assert!(TencentCredentials::new(id, key, None).is_ok());
}

#[test]
fn the_metadata_services_answer_their_documented_paths() {
    let emu = emulator();
    let get = |path: &str| {
        let mut r = ureq::get(format!("{}{path}", emu.url()))
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    assert_eq!(
        get("/latest/meta-data/cam/security-credentials/"),
        (200, cloudhalt_emulator::TENCENT_CVM_ROLE.to_owned())
    );
    assert_eq!(
        get("/latest/meta-data/cam/security-credentials/other").0,
        404
    );
    let token = ureq::put(format!("{}/latest/api/token", emu.url()))
        .header("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")
        .send_empty()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let mut listed = ureq::get(format!(
        "{}/latest/meta-data/ram/security-credentials/",
        emu.url()
    ))
    .header("X-aliyun-ecs-metadata-token", &token)
    .call()
    .unwrap();
    assert_eq!(
        listed.body_mut().read_to_string().unwrap(),
        cloudhalt_emulator::ALIBABA_ECS_ROLE
    );
    let refused = ureq::get(format!(
        "{}/latest/meta-data/ram/security-credentials/",
        emu.url()
    ))
    .header("X-aliyun-ecs-metadata-token", "forged")
    .config()
    .http_status_as_error(false)
    .build()
    .call()
    .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
}

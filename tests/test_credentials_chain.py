"""The default credential chain, link by link, in every binding (issue 11).

Each test runs in a hermetic environment (the `chain_home` fixture: HOME an empty directory, no
credential variable, the metadata services at a closed port), puts one tool's file there, or
points the metadata and STS addresses at the emulator (which serves both metadata APIs and the
STS actions), then stops something with the credentials the chain found. The files are shaped
like those tccli, aliyun-cli and the official SDKs write (the core's fixtures,
crates/cloudhalt/tests/fixtures/credentials).

A backend without the issue-11 calls (from_profile, credential_source) fails here with an
AttributeError: that is a missing feature, never a skip.
"""
from __future__ import annotations

import json
import time

import pytest

from backends.base import Failure
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, CLOSED_PORT_URL,
                      TENCENT_SECRET_ID, TENCENT_SECRET_KEY)

SECRETS = (TENCENT_SECRET_KEY, ALIBABA_ACCESS_KEY_SECRET)


def ok(client):
    assert not isinstance(client, Failure), client
    return client


def stop_tencent(client, emu, instance="ins-run00000"):
    r = client.stop_instances("ap-guangzhou", [instance])
    assert not isinstance(r, Failure), r
    states = {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]}
    assert states[instance] in ("STOPPING", "STOPPED")
    return emu.state()["lastCall"]["tencent"]


def stop_alibaba(client, emu):
    r = client.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert not isinstance(r, Failure), r
    return emu.state()["lastCall"]["alibaba"]


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text, text


# ------------------------------------------------------------------ environment variables

def test_tencent_env_variables_come_first(backend, emu, chain_home):
    chain_home.write(".tccli/default.credential", json.dumps(
        {"secretId": "AKIDnotUSED", "secretKey": "not-used", "token": ""}))
    chain_home.setenv("TENCENTCLOUD_SECRET_ID", TENCENT_SECRET_ID)
    chain_home.setenv("TENCENTCLOUD_SECRET_KEY", TENCENT_SECRET_KEY)
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    assert client.credential_source() == "env TENCENTCLOUD_SECRET_ID"
    call = stop_tencent(client, emu)
    assert call["keyId"] == TENCENT_SECRET_ID and call["tokenPresent"] is False


@pytest.mark.parametrize("winner,losers", [
    ("TENCENTCLOUD_SESSION_TOKEN", ("TENCENTCLOUD_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN")),
    ("TENCENTCLOUD_TOKEN", ("TENCENTCLOUD_SECURITY_TOKEN",)),
    ("TENCENTCLOUD_SECURITY_TOKEN", ()),
])
def test_tencent_session_token_variables_in_order(backend, emu, chain_home, winner, losers):
    chain_home.setenv("TENCENTCLOUD_SECRET_ID", TENCENT_SECRET_ID)
    chain_home.setenv("TENCENTCLOUD_SECRET_KEY", TENCENT_SECRET_KEY)
    # The later variables hold a token that cannot be sent (a space): used, it would be refused
    # naming that variable.
    for var in losers:
        chain_home.setenv(var, "not a token")
    chain_home.setenv(winner, "session-token-from-" + winner)
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    assert stop_tencent(client, emu)["tokenPresent"] is True
    # The winner alone, unusable: the error names it, and never the value.
    for var in losers:
        chain_home.monkeypatch.delenv(var)
    chain_home.setenv(winner, "not a token")
    r = backend.tencent_from_env(endpoint=emu.url)
    assert isinstance(r, Failure) and r.kind == "credentials", r
    assert winner in r.message and "not a token" not in r.message


def test_alibaba_env_variables_come_first(backend, emu, chain_home):
    chain_home.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ALIBABA_ACCESS_KEY_ID)
    chain_home.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ALIBABA_ACCESS_KEY_SECRET)
    chain_home.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "alibaba-security-token")
    client = ok(backend.alibaba_from_env(endpoint=emu.url))
    assert client.credential_source() == "env ALIBABA_CLOUD_ACCESS_KEY_ID"
    call = stop_alibaba(client, emu)
    assert call["keyId"] == ALIBABA_ACCESS_KEY_ID and call["tokenPresent"] is True


# ------------------------------------------------------------------ Tencent files

def tccli(secret_id=TENCENT_SECRET_ID, secret_key=TENCENT_SECRET_KEY, token="", **more):
    return json.dumps({"type": "", "secretId": secret_id, "secretKey": secret_key, "token": token,
                       **more}, indent=4)


def test_tencent_tccli_default_profile(backend, emu, chain_home):
    path = chain_home.write(".tccli/default.credential", tccli())
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    assert client.credential_source() == f"tccli profile default ({path})"
    assert stop_tencent(client, emu)["keyId"] == TENCENT_SECRET_ID


def test_tencent_named_profile_skips_the_env(backend, emu, chain_home):
    path = chain_home.write(".tccli/prod.credential", tccli(token="prod-session-token"))
    chain_home.setenv("TENCENTCLOUD_SECRET_ID", "AKIDfromENV")
    chain_home.setenv("TENCENTCLOUD_SECRET_KEY", "from-env-key")
    client = ok(backend.tencent_from_profile("prod", endpoint=emu.url))
    assert client.credential_source() == f"tccli profile prod ({path})"
    call = stop_tencent(client, emu)
    assert call["keyId"] == TENCENT_SECRET_ID and call["tokenPresent"] is True
    # TCCLI_PROFILE picks it for from_env too (after the env variables, which are unset here).
    chain_home.monkeypatch.delenv("TENCENTCLOUD_SECRET_ID")
    chain_home.monkeypatch.delenv("TENCENTCLOUD_SECRET_KEY")
    chain_home.setenv("TCCLI_PROFILE", "prod")
    assert ok(backend.tencent_from_env(endpoint=emu.url)).credential_source().startswith(
        "tccli profile prod")


def test_tencent_missing_profile_lists_what_was_tried(backend, chain_home):
    r = backend.tencent_from_profile("nosuch")
    assert isinstance(r, Failure) and r.kind == "credentials", r
    assert "nosuch" in r.message and "file missing" in r.message, r.message


def test_tencent_sdk_ini_file(backend, emu, chain_home):
    path = chain_home.write(".tencentcloud/credentials",
                            f"[default]\nsecret_id = {TENCENT_SECRET_ID}\n"
                            f"secret_key = {TENCENT_SECRET_KEY}\n\n"
                            "[prod]\nsecret_id = \"AKIDiniPROD\"\nsecret_key = \"ini-prod-key\"\n")
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    assert client.credential_source().startswith(f"credentials file {path}")
    assert stop_tencent(client, emu)["keyId"] == TENCENT_SECRET_ID


def test_tencent_tccli_role_arn_assumes_the_role_at_the_emulators_sts(backend, emu, chain_home):
    chain_home.point_at(emu.url)
    chain_home.write(".tccli/default.credential", tccli(
        **{"role-arn": "qcs::cam::uin/100000000001:roleName/cloudhalt-stop",
           "role-session-name": "cloudhalt-test"}))
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    source = client.credential_source()
    assert "STS AssumeRole" in source and "cloudhalt-stop" in source, source
    call = stop_tencent(client, emu)
    # Temporary credentials, which the emulator accepts only with their token.
    assert call["keyId"].startswith("AKIDtmp") and call["tokenPresent"] is True, call
    assert emu.state()["requests"].get("AssumeRole", 0) >= 1


def test_tencent_cvm_role_from_the_metadata_service(backend, emu, chain_home):
    chain_home.point_at(emu.url)
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    assert client.credential_source() == f"CVM role ({emu.url}/)"
    call = stop_tencent(client, emu)
    assert call["keyId"].startswith("AKIDtmp") and call["tokenPresent"] is True, call
    # Every set lives 60 s, less than the 5 min early refresh: the next call refreshes.
    second = stop_tencent(client, emu, "ins-run00001")
    assert second["keyId"].startswith("AKIDtmp") and second["keyId"] != call["keyId"]


# ------------------------------------------------------------------ Alibaba files

def aliyun_config(*profiles, current="default"):
    return json.dumps({"current": current, "profiles": list(profiles), "meta_path": ""}, indent="\t")


def ak_profile(name="default"):
    return {"name": name, "mode": "AK", "access_key_id": ALIBABA_ACCESS_KEY_ID,
            "access_key_secret": ALIBABA_ACCESS_KEY_SECRET, "sts_token": "", "ram_role_name": "",
            "ram_role_arn": "", "ram_session_name": "", "region_id": "cn-hangzhou",
            "output_format": "json", "language": "en"}


def test_alibaba_cli_config_ak_profile(backend, emu, chain_home):
    chain_home.write(".aliyun/config.json", aliyun_config(ak_profile()))
    client = ok(backend.alibaba_from_env(endpoint=emu.url))
    source = client.credential_source()
    assert source.endswith("config.json profile default (mode AK)"), source
    call = stop_alibaba(client, emu)
    assert call["keyId"] == ALIBABA_ACCESS_KEY_ID and call["tokenPresent"] is False


def test_alibaba_cli_config_sts_token_profile_by_name(backend, emu, chain_home):
    sts = {**ak_profile("sts"), "mode": "StsToken", "sts_token": "cli-sts-security-token"}
    chain_home.write(".aliyun/config.json", aliyun_config(ak_profile("other"), sts, current="other"))
    client = ok(backend.alibaba_from_profile("sts", endpoint=emu.url))
    assert client.credential_source().endswith("profile sts (mode StsToken)")
    call = stop_alibaba(client, emu)
    assert call["keyId"] == ALIBABA_ACCESS_KEY_ID and call["tokenPresent"] is True


def test_alibaba_cli_config_ram_role_arn_at_the_emulators_sts(backend, emu, chain_home):
    chain_home.point_at(emu.url)
    role = {**ak_profile("role"), "mode": "RamRoleArn",
            "ram_role_arn": "acs:ram::100000000001:role/cloudhalt-stop",
            "ram_session_name": "cloudhalt-test", "expired_seconds": 900}
    chain_home.write(".aliyun/config.json", aliyun_config(role, current="role"))
    client = ok(backend.alibaba_from_env(endpoint=emu.url))
    source = client.credential_source()
    assert "STS AssumeRole" in source and "cloudhalt-stop" in source, source
    call = stop_alibaba(client, emu)
    assert call["keyId"].startswith("STS.tmp") and call["tokenPresent"] is True, call


def test_alibaba_cli_config_unsupported_mode_is_an_error(backend, chain_home):
    sso = {"name": "sso", "mode": "CloudSSO", "region_id": "cn-hangzhou",
           "cloud_sso_sign_in_url": "https://signin-cn-shanghai.alibabacloudsso.com/example/login"}
    chain_home.write(".aliyun/config.json", aliyun_config(sso, current="sso"))
    chain_home.write(".alibabacloud/credentials.ini",
                     f"[default]\ntype = access_key\naccess_key_id = {ALIBABA_ACCESS_KEY_ID}\n"
                     f"access_key_secret = {ALIBABA_ACCESS_KEY_SECRET}\n")
    r = backend.alibaba_from_env()
    assert isinstance(r, Failure) and r.kind == "credentials", r
    assert 'unsupported mode "CloudSSO"' in r.message, r.message
    assert_no_secret(r.message)


def test_alibaba_ini_file(backend, emu, chain_home):
    path = chain_home.write(".alibabacloud/credentials.ini",
                            "[default]\nenable = true\ntype = access_key\n"
                            f"access_key_id = {ALIBABA_ACCESS_KEY_ID}\n"
                            f"access_key_secret = {ALIBABA_ACCESS_KEY_SECRET}\n")
    client = ok(backend.alibaba_from_env(endpoint=emu.url))
    assert client.credential_source().startswith(f"credentials file {path}")
    assert stop_alibaba(client, emu)["keyId"] == ALIBABA_ACCESS_KEY_ID


def test_alibaba_ecs_ram_role_from_the_metadata_service(backend, emu, chain_home):
    chain_home.point_at(emu.url)
    client = ok(backend.alibaba_from_env(endpoint=emu.url))
    assert client.credential_source() == f"ECS RAM role ({emu.url}/)"
    call = stop_alibaba(client, emu)
    assert call["keyId"].startswith("STS.tmp") and call["tokenPresent"] is True, call


# ------------------------------------------------------------------ no source at all

def test_off_cloud_every_source_error_in_under_3_s(backend, chain_home):
    for make, parts in (
        (backend.tencent_from_env, ("env TENCENTCLOUD_SECRET_ID: not set", "tccli profile default",
                                    ".tencentcloud/credentials", "TKE OIDC",
                                    f"CVM role ({CLOSED_PORT_URL}/)")),
        (backend.alibaba_from_env, ("ALIBABA_CLOUD_ACCESS_KEY_ID", "config.json",
                                    ".alibabacloud/credentials",
                                    f"ECS RAM role ({CLOSED_PORT_URL}/)",
                                    "ALIBABA_CLOUD_CREDENTIALS_URI")),
    ):
        started = time.monotonic()
        r = make()
        elapsed = time.monotonic() - started
        assert elapsed < 3.0, elapsed
        assert isinstance(r, Failure) and r.kind == "credentials", r
        for part in parts:
            assert part in r.message, (part, r.message)


def test_credential_source_never_shows_a_secret(backend, emu, chain_home):
    chain_home.write(".tccli/default.credential", tccli(token="tccli-session-token-SECRET"))
    chain_home.write(".alibabacloud/credentials.ini",
                     f"[default]\ntype = access_key\naccess_key_id = {ALIBABA_ACCESS_KEY_ID}\n"
                     f"access_key_secret = {ALIBABA_ACCESS_KEY_SECRET}\n")
    for client in (ok(backend.tencent_from_env(endpoint=emu.url)),
                   ok(backend.alibaba_from_env(endpoint=emu.url)),
                   ok(backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, "tok-SECRET",
                                      endpoint=emu.url))):
        source = client.credential_source()
        assert isinstance(source, str) and source
        assert_no_secret(source)
        assert "SECRET" not in source
    assert ok(backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY)).credential_source() == \
        "explicit values"


# ------------------------------------------------------------------ OIDC and the credentials URI

def test_tencent_tke_oidc_assumes_the_role_with_web_identity(backend, emu, chain_home):
    chain_home.point_at(emu.url)
    token = chain_home.write("var/run/tke/token", "eyJhbGciOiJSUzI1NiJ9.tke-test-token.sig")
    chain_home.setenv("TKE_REGION", "ap-guangzhou")
    chain_home.setenv("TKE_PROVIDER_ID", "cls-test0001")
    chain_home.setenv("TKE_WEB_IDENTITY_TOKEN_FILE", str(token))
    chain_home.setenv("TKE_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/cloudhalt-stop")
    client = ok(backend.tencent_from_env(endpoint=emu.url))
    source = client.credential_source()
    assert "TKE OIDC" in source and "AssumeRoleWithWebIdentity" in source, source
    call = stop_tencent(client, emu)
    assert call["keyId"].startswith("AKIDtmp") and call["tokenPresent"] is True, call
    assert emu.state()["requests"].get("AssumeRoleWithWebIdentity", 0) >= 1
    assert "tke-test-token" not in source


def test_alibaba_oidc_rrsa_assumes_the_role_and_comes_before_the_files(backend, emu, chain_home):
    chain_home.point_at(emu.url)
    # A config.json that would win if OIDC did not come first.
    chain_home.write(".aliyun/config.json", aliyun_config(ak_profile()))
    token = chain_home.write("var/run/rrsa/token", "eyJhbGciOiJSUzI1NiJ9.rrsa-test-token.sig")
    chain_home.setenv("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::100000000001:role/cloudhalt-stop")
    chain_home.setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                      "acs:ram::100000000001:oidc-provider/ack-rrsa-test")
    chain_home.setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", str(token))
    client = ok(backend.alibaba_from_env(endpoint=emu.url))
    source = client.credential_source()
    assert "OIDC" in source, source
    call = stop_alibaba(client, emu)
    assert call["keyId"].startswith("STS.tmp") and call["tokenPresent"] is True, call
    assert emu.state()["requests"].get("AssumeRoleWithOIDC", 0) >= 1


def test_alibaba_credentials_uri(backend, emu, chain_home):
    import http.server
    import threading

    class Creds(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            body = json.dumps({
                "Code": "Success", "AccessKeyId": ALIBABA_ACCESS_KEY_ID,
                "AccessKeySecret": ALIBABA_ACCESS_KEY_SECRET,
                "SecurityToken": "uri-session-token-0123456789",
                "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600)),
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Creds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        uri = "http://127.0.0.1:%d/credentials?secret-query=1" % server.server_address[1]
        chain_home.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        chain_home.setenv("ALIBABA_CLOUD_CREDENTIALS_URI", uri)
        client = ok(backend.alibaba_from_env(endpoint=emu.url))
        source = client.credential_source()
        assert source.startswith("ALIBABA_CLOUD_CREDENTIALS_URI"), source
        assert "secret-query" not in source, "the URI's query is never shown"
        call = stop_alibaba(client, emu)
        assert call["keyId"] == ALIBABA_ACCESS_KEY_ID and call["tokenPresent"] is True, call
    finally:
        server.shutdown()
        server.server_close()

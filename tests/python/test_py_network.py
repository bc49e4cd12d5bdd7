"""`proxy=` and `ca_bundle=` on every constructor (issue 11): read back by properties, shown by
repr with a proxy password redacted, and bad values refused naming the field."""
from __future__ import annotations

import pathlib

import pytest

from pyhelp import cloudhalt
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)

CA = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")


def makers(**kw):
    return (
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, **kw),
        lambda: cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, **kw),
    )


def test_defaults_are_the_environments():
    for make in makers():
        c = make()
        assert c.proxy is None and c.ca_bundle is None
        assert "proxy=None ca_bundle=None" in repr(c)
        assert "credential_source='explicit values'" in repr(c)


def test_a_proxy_url_is_kept_and_its_password_never_shown():
    for make in makers(proxy="http://user:pr0xy-pass@127.0.0.1:3128"):
        c = make()
        assert c.proxy == "http://<redacted>@127.0.0.1:3128"
        assert "pr0xy-pass" not in repr(c) and "<redacted>@127.0.0.1:3128" in repr(c)


def test_proxy_false_switches_it_off():
    for make in makers(proxy=False):
        assert make().proxy is False


@pytest.mark.skipif(not CA.exists(), reason="no system CA bundle")
def test_a_ca_bundle_is_kept():
    for make in makers(ca_bundle=CA):
        c = make()
        assert c.ca_bundle == str(CA)
        assert repr(str(CA)) in repr(c)


def test_a_bad_proxy_names_the_field_and_never_the_password():
    for make in makers(proxy="ftp://user:pr0xy-pass@"):
        with pytest.raises(cloudhalt.InvalidInputError) as e:
            make()
        assert e.value.field == "proxy", e.value
        assert "pr0xy-pass" not in str(e.value)
    for make in makers(proxy=True):
        with pytest.raises(TypeError, match="proxy"):
            make()


def test_a_bad_ca_bundle_names_the_field(tmp_path):
    missing = tmp_path / "missing.pem"
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    for path in (missing, empty):
        for make in makers(ca_bundle=path):
            with pytest.raises(cloudhalt.InvalidInputError) as e:
                make()
            assert e.value.field == "ca_bundle" and str(path) in str(e.value)
    for make in makers(ca_bundle=3):
        with pytest.raises(TypeError, match="ca_bundle"):
            make()


def test_from_env_and_from_profile_take_them(chain_home):
    chain_home.setenv("TENCENTCLOUD_SECRET_ID", TENCENT_SECRET_ID)
    chain_home.setenv("TENCENTCLOUD_SECRET_KEY", TENCENT_SECRET_KEY)
    t = cloudhalt.Tencent.from_env(proxy="http://127.0.0.1:3128")
    assert t.proxy == "http://127.0.0.1:3128" and t.credential_source == "env TENCENTCLOUD_SECRET_ID"
    chain_home.write(".aliyun/config.json", (
        '{"current": "default", "profiles": [{"name": "p", "mode": "AK", "access_key_id": "%s", '
        '"access_key_secret": "%s"}]}' % (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET)))
    a = cloudhalt.Alibaba.from_profile("p", proxy=False)
    assert a.proxy is False and a.credential_source.endswith("profile p (mode AK)")
    with pytest.raises(cloudhalt.InvalidInputError) as e:
        cloudhalt.Alibaba.from_profile("p", ca_bundle=chain_home.home / "none.pem")
    assert e.value.field == "ca_bundle"


def test_the_proxy_is_used(emu):
    """A proxy nobody listens on makes the call fail unsent; proxy=False goes straight to the
    emulator. (The CONNECT proxy itself is tested in the core: crates/cloudhalt/tests/proxy.rs.)"""
    bad = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url,
                            proxy="http://127.0.0.1:9", timeout=5.0)
    with pytest.raises(cloudhalt.TransportError) as e:
        bad.stop_instances("ap-guangzhou", ["ins-run00060"])
    assert e.value.send_state == "not_sent"
    good = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, proxy=False)
    good.stop_instances("ap-guangzhou", ["ins-run00060"])


def test_calls_go_through_a_loopback_connect_proxy(emu, connect_proxy):
    host = emu.url.split("://", 1)[1]
    tc = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url,
                           proxy=connect_proxy.url, timeout=10.0)
    tc.stop_instances("ap-guangzhou", ["ins-run00061"])
    ali = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url,
                            proxy=connect_proxy.url, timeout=10.0)
    ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert connect_proxy.targets and all(t == ("CONNECT", host) for t in connect_proxy.targets), \
        connect_proxy.targets


def test_from_env_sends_sts_through_the_proxy_too(emu, chain_home, connect_proxy):
    """proxy= given to from_env reaches the chain: the AssumeRole of a tccli role profile goes
    through the proxy, as the call does (metadata calls never would)."""
    import json
    chain_home.point_at(emu.url)
    chain_home.write(".tccli/default.credential", json.dumps({
        "secretId": TENCENT_SECRET_ID, "secretKey": TENCENT_SECRET_KEY, "token": "",
        "role-arn": "qcs::cam::uin/100000000001:roleName/cloudhalt-stop",
        "role-session-name": "cloudhalt-test"}))
    tc = cloudhalt.Tencent.from_env(endpoint=emu.url, proxy=connect_proxy.url, timeout=10.0)
    assert "STS AssumeRole" in tc.credential_source
    sts_calls = len(connect_proxy.targets)
    assert sts_calls >= 1, "the chain's AssumeRole went through the proxy"
    tc.stop_instances("ap-guangzhou", ["ins-run00062"])
    assert emu.state()["lastCall"]["tencent"]["keyId"].startswith("AKIDtmp")


def test_a_tls_server_of_the_ca_bundle_is_trusted_and_another_is_not_sent(tls_front):
    url, ca = tls_front
    trusting = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url,
                                 ca_bundle=ca, timeout=10.0)
    assert trusting.stop_instances("ap-guangzhou", ["ins-run00063"]).request_id
    ali = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=url,
                            ca_bundle=str(ca), timeout=10.0)
    assert ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001").request_id
    # The built-in roots do not hold the test CA: refused during the handshake, never sent.
    default = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url, timeout=10.0,
                                retry=cloudhalt.Retry(max_attempts=1))
    with pytest.raises(cloudhalt.TransportError) as e:
        default.stop_instances("ap-guangzhou", ["ins-run00064"])
    assert e.value.send_state == "not_sent", e.value

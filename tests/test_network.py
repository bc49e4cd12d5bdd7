"""Network settings in every binding (issue 11): the `proxy` and `ca_bundle` settings of the
explicit constructors, against a loopback CONNECT proxy and a loopback TLS server of a CA made
by the test (fixtures in conftest.py). The Python-only checks (properties, repr, from_env) are
in tests/python/test_py_network.py."""
from __future__ import annotations

from backends.base import Failure
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)


def test_calls_go_through_the_proxy_given(backend, emu, connect_proxy):
    host = emu.url.split("://", 1)[1]
    tc = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url,
                         proxy=connect_proxy.url)
    assert not isinstance(tc, Failure), tc
    r = tc.stop_instances("ap-guangzhou", ["ins-run00070"])
    assert not isinstance(r, Failure), r
    ali = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url,
                          proxy=connect_proxy.url)
    assert not isinstance(ali, Failure), ali
    r = ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert not isinstance(r, Failure), r
    assert len(connect_proxy.targets) >= 1
    assert all(t == ("CONNECT", host) for t in connect_proxy.targets), connect_proxy.targets


def test_a_bad_proxy_url_is_invalid_input(backend):
    r = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, proxy="ftp://user:pr0xy-pass@")
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert "pr0xy-pass" not in r.message and "proxy" in r.message


def test_the_ca_bundle_is_trusted_and_the_built_in_roots_refuse_unsent(backend, tls_front):
    url, ca = tls_front
    tc = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url, ca_bundle=str(ca))
    assert not isinstance(tc, Failure), tc
    r = tc.stop_instances("ap-guangzhou", ["ins-run00071"])
    assert not isinstance(r, Failure), r
    untrusting = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url)
    r = untrusting.stop_instances("ap-guangzhou", ["ins-run00072"])
    assert isinstance(r, Failure) and r.kind == "transport", r
    assert r.send_state in (None, "not_sent") and r.http_status is None, r


def test_an_unreadable_ca_bundle_is_invalid_input(backend, tmp_path):
    missing = tmp_path / "missing.pem"
    r = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, ca_bundle=str(missing))
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert str(missing) in r.message

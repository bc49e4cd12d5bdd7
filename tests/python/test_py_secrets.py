"""No repr, exception text or attribute ever shows a SecretKey, AccessKey secret or token."""
from __future__ import annotations

import pickle

import pytest

from pyhelp import (  # noqa: F401
    ALIBABA_ACCESS_KEY_ID,
    ALIBABA_ACCESS_KEY_SECRET,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
    cloudhalt,
    listener,
)

WRONG_KEY = "Wr0ngKeyDoNotLeak0123456789abcdef"
TOKEN = "SessionTokenDoNotLeak-9f8e7d6c5b4a"
SECRETS = [TENCENT_SECRET_KEY, ALIBABA_ACCESS_KEY_SECRET, WRONG_KEY, TOKEN]


def texts(obj):
    """Every text a user could see of an exception or object."""
    out = [str(obj), repr(obj)]
    for v in getattr(obj, "__dict__", {}).values():
        out.append(repr(v))
    for name in ("args", "data", "sent_headers", "endpoint", "secret_id", "access_key_id"):
        if hasattr(obj, name):
            out.append(repr(getattr(obj, name)))
    if isinstance(obj, BaseException):
        out.append(repr(pickle.dumps(obj)))
    return out


def assert_clean(obj):
    for text in texts(obj):
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked into {text[:200]!r}"
            assert secret[:12] not in text, f"part of a secret leaked into {text[:200]!r}"


def test_client_repr_shows_ids_not_secrets(emu):
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TOKEN, endpoint=emu.url)
    a = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TOKEN, endpoint=emu.url)
    assert TENCENT_SECRET_ID in repr(t) and emu.url in repr(t)
    assert ALIBABA_ACCESS_KEY_ID in repr(a) and emu.url in repr(a)
    assert_clean(t)
    assert_clean(a)


def test_responses_and_sent_headers_hide_the_token(emu):
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TOKEN, endpoint=emu.url)
    r = t.stop_instances("ap-guangzhou", ["ins-run00000"])
    assert_clean(r)
    assert any(n.lower() == "x-tc-token" for n, _ in r.sent_headers), "the token header was sent (redacted)"
    a = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TOKEN, endpoint=emu.url)
    r = a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert_clean(r)
    assert any(n.lower() == "x-acs-security-token" for n, _ in r.sent_headers)


def provoke(emu, listener):
    """Yield one exception of every family, each made with a secret in play."""
    good_t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TOKEN, endpoint=emu.url, timeout=5.0)
    good_a = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TOKEN, endpoint=emu.url,
                               timeout=5.0)
    calls = [
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, WRONG_KEY, TOKEN, endpoint=emu.url).stop_instances(
            "ap-guangzhou", ["ins-run00000"]),
        lambda: cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, WRONG_KEY, TOKEN, endpoint=emu.url).stop_invocation(
            "cn-hangzhou", "t-hz0jdfwd9f0001"),
        lambda: good_t.stop_instances("ap-guangzhou", ["ins-zzzz9999"]),
        lambda: good_a.stop_invocation("cn-hangzhou", "t-doesnotexist1"),
        lambda: good_t.stop_instances("ap/guangzhou", ["ins-run00000"]),      # bad input, secrets in play
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, WRONG_KEY, TOKEN, endpoint="ftp://example.com"),
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, " " + WRONG_KEY),        # malformed credentials
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, WRONG_KEY, TOKEN + "\n"),
        lambda: cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, WRONG_KEY + "\t"),
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, WRONG_KEY, TOKEN, endpoint=listener.url,
                                  timeout=0.2).stop_instances("ap-guangzhou", ["ins-run00000"]),
    ]
    for call in calls:
        with pytest.raises(cloudhalt.Error) as ei:
            call()
        yield ei.value


def test_exceptions_never_show_a_secret(emu, listener):
    seen = set()
    for e in provoke(emu, listener):
        seen.add(type(e).__name__)
        assert_clean(e)
    assert {"AuthError", "NotFoundError", "InvalidInput", "CredentialsError", "TimeoutError"} <= seen, seen

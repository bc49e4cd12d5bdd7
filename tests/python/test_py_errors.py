"""The exception classes: the one map against errors.json, the hierarchy, and every class raised by
a real emulator answer with its attributes."""
from __future__ import annotations

import builtins
import json
import pathlib
import pickle

import pytest

from pyhelp import ALIBABA_ACCESS_KEY_ID, TENCENT_SECRET_ID, ali, ali1, cloudhalt, listener, tc, tc1  # noqa: F401

ERRORS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "vectors" / "errors.json").read_text())
KINDS = {row["kind"]: row["python"] for row in ERRORS["kinds"]}
API_CLASSES = ["AuthError", "ThrottledError", "NotFoundError", "StateConflictError",
               "InvalidParameterError", "QuotaError", "ServerError"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_map_error_matches_errors_json(kind):
    cls = cloudhalt._cloudhalt.error_class(kind)
    assert cls is getattr(cloudhalt, KINDS[kind]), f"{kind} raises {cls.__name__}, errors.json says {KINDS[kind]}"


def test_every_exception_class_is_in_the_table_and_exported():
    exported = {name: getattr(cloudhalt, name) for name in cloudhalt.__all__
                if isinstance(getattr(cloudhalt, name), type) and issubclass(getattr(cloudhalt, name), BaseException)}
    classes = {name for name, cls in exported.items() if cls.__name__ == name}
    assert classes == set(KINDS.values()) | {"Error"}
    # Aliases: another spelling of a class in the table, never a class of their own.
    aliases = {name: cls.__name__ for name, cls in exported.items() if cls.__name__ != name}
    assert aliases == {"InvalidInputError": "InvalidInput"}


def test_unknown_kind_is_invalid_input():
    with pytest.raises(cloudhalt.InvalidInput):
        cloudhalt._cloudhalt.error_class("no_such_kind")


def test_hierarchy():
    E = cloudhalt
    assert issubclass(E.InvalidInput, E.Error) and issubclass(E.InvalidInput, ValueError)
    assert issubclass(E.CredentialsError, E.Error)
    assert issubclass(E.TransportError, E.Error)
    assert issubclass(E.TimeoutError, E.TransportError)
    assert issubclass(E.TimeoutError, builtins.TimeoutError)  # decided: also the builtin
    assert issubclass(E.ApiError, E.Error)
    for name in API_CLASSES:
        assert issubclass(getattr(E, name), E.ApiError), name
    assert issubclass(E.UnexpectedResponseError, E.Error)
    assert not issubclass(E.UnexpectedResponseError, E.ApiError)
    assert not issubclass(E.TransportError, E.ApiError)
    assert issubclass(E.Error, Exception)


def test_attributes_survive_pickle():
    e = cloudhalt.NotFoundError("tencent StopInstances: X: gone", kind="not_found", provider="tencent",
                                action="StopInstances", code="X", message="gone", request_id="r-1",
                                http_status=200, send_state="answered")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cloudhalt.NotFoundError
    assert (back.code, back.request_id, back.http_status, back.send_state, str(back)) == \
           ("X", "r-1", 200, "answered", str(e))
    t = pickle.loads(pickle.dumps(cloudhalt.TimeoutError("slow", send_state="sent_no_answer")))
    assert type(t) is cloudhalt.TimeoutError and t.send_state == "sent_no_answer" and str(t) == "slow"


def check_api_error(e, cls, provider, action, code_start, http_status=None):
    assert type(e) is cls, f"{type(e).__name__}: {e}"
    assert e.provider == provider and e.action == action
    assert e.code and e.code.startswith(code_start), e.code
    assert isinstance(e.message, str)
    assert isinstance(e.request_id, str) and e.request_id, "the provider's RequestId is kept"
    if http_status is not None:
        assert e.http_status == http_status
    assert e.send_state == "answered" and e.may_have_been_sent
    assert e.code in str(e) and e.request_id in str(e)


# --- Tencent: each ApiError class from a real answer --------------------------------------------

def test_tencent_not_found(tc):
    with pytest.raises(cloudhalt.NotFoundError) as ei:
        tc.stop_instances("ap-guangzhou", ["ins-zzzz9999"])
    check_api_error(ei.value, cloudhalt.NotFoundError, "tencent", "StopInstances", "InvalidInstanceId.NotFound", 200)
    assert ei.value.kind == "not_found"


def test_tencent_state_conflict(tc):
    # A STOPPED instance is "already" stopped now (the confirm issue); a TERMINATING one is
    # still a state the stop conflicts with.
    tc.terminate_instances("ap-guangzhou", ["ins-run00090"])
    with pytest.raises(cloudhalt.StateConflictError) as ei:
        tc.stop_instances("ap-guangzhou", ["ins-run00090"])
    check_api_error(ei.value, cloudhalt.StateConflictError, "tencent", "StopInstances", "UnsupportedOperation.InstanceState", 200)


def test_tencent_invalid_parameter(tc):
    with pytest.raises(cloudhalt.InvalidParameterError) as ei:
        tc.cancel_invocation("ap-guangzhou", "inv-inv00001", ["ins-run00099"])
    check_api_error(ei.value, cloudhalt.InvalidParameterError, "tencent", "CancelInvocation", "InvalidParameter")


def test_tencent_auth(emu):
    bad = cloudhalt.Tencent(TENCENT_SECRET_ID, "not-the-emulator-key", endpoint=emu.url)
    with pytest.raises(cloudhalt.AuthError) as ei:
        bad.stop_instances("ap-guangzhou", ["ins-run00000"])
    check_api_error(ei.value, cloudhalt.AuthError, "tencent", "StopInstances", "AuthFailure")


def test_tencent_throttled(tc1, emu):
    emu.fault(kind="throttle", provider="tencent", count=1)
    with pytest.raises(cloudhalt.ThrottledError) as ei:
        tc1.stop_instances("ap-guangzhou", ["ins-run00000"])
    check_api_error(ei.value, cloudhalt.ThrottledError, "tencent", "StopInstances", "RequestLimitExceeded")


@pytest.mark.parametrize("code,cls", [
    ("LimitExceeded.InstanceQuota", "QuotaError"),
    ("InternalError", "ServerError"),
    ("FailedOperation.SomethingNew", "ApiError"),
])
def test_tencent_error_codes(tc1, emu, code, cls):
    emu.fault(kind="error", provider="tencent", code=code, message="from the emulator", count=1)
    with pytest.raises(cloudhalt.ApiError) as ei:
        tc1.terminate_instances("ap-guangzhou", ["ins-run00000"])
    check_api_error(ei.value, getattr(cloudhalt, cls), "tencent", "TerminateInstances", code)
    # The provider's message first; an answer that may have taken effect (InternalError) adds
    # the core's advice, since TerminateInstances is never repeated.
    assert ei.value.message.startswith("from the emulator"), ei.value.message
    if code == "InternalError":
        assert "DescribeInstances" in ei.value.message and ei.value.outcomes == {"ins-run00000": "unknown"}
    else:
        assert ei.value.message == "from the emulator"
        assert ei.value.outcomes == {"ins-run00000": "failed"}


# --- Alibaba -------------------------------------------------------------------------------------

def test_alibaba_not_found(ali):
    with pytest.raises(cloudhalt.NotFoundError) as ei:
        ali.stop_invocation("cn-hangzhou", "t-doesnotexist1")
    check_api_error(ei.value, cloudhalt.NotFoundError, "alibaba", "StopInvocation", "InvalidInvokeId.NotFound", 404)


def test_alibaba_auth(emu):
    bad = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, "not-the-emulator-secret", endpoint=emu.url)
    with pytest.raises(cloudhalt.AuthError) as ei:
        bad.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    check_api_error(ei.value, cloudhalt.AuthError, "alibaba", "StopInvocation", "SignatureDoesNotMatch")


def test_alibaba_throttled(ali1, emu):
    emu.fault(kind="throttle", provider="alibaba", count=1)
    with pytest.raises(cloudhalt.ThrottledError) as ei:
        ali1.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    check_api_error(ei.value, cloudhalt.ThrottledError, "alibaba", "StopInvocation", "Throttling", 400)


@pytest.mark.parametrize("code,status,cls", [
    ("IncorrectInvocationStatus", 403, "StateConflictError"),
    ("QuotaExceed.Invocation", 403, "QuotaError"),
    ("InternalError", 500, "ServerError"),
    ("InvalidParameter.Whatever", 400, "InvalidParameterError"),
    ("Brand.New.Code", 400, "ApiError"),
])
def test_alibaba_error_codes(ali1, emu, code, status, cls):
    emu.fault(kind="error", provider="alibaba", code=code, httpStatus=status, count=1)
    with pytest.raises(cloudhalt.ApiError) as ei:
        ali1.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    check_api_error(ei.value, getattr(cloudhalt, cls), "alibaba", "StopInvocation", code, status)


# --- transport, timeout, unexpected answers ------------------------------------------------------

def test_transport_error_from_a_raw_502(tc1, emu):
    emu.fault(kind="http_status", provider="tencent", httpStatus=502, body="Bad Gateway")
    with pytest.raises(cloudhalt.TransportError) as ei:
        tc1.stop_instances("ap-guangzhou", ["ins-run00000"])
    e = ei.value
    assert type(e) is cloudhalt.TransportError
    assert e.http_status == 502 and e.code is None and e.send_state == "answered"


def test_transport_error_when_the_connection_closes(ali1, emu):
    emu.fault(kind="close", provider="alibaba")
    with pytest.raises(cloudhalt.TransportError) as ei:
        ali1.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert type(ei.value) is cloudhalt.TransportError
    assert ei.value.send_state == "sent_no_answer" and ei.value.may_have_been_sent
    assert ei.value.http_status is None


def test_transport_error_connection_refused_means_not_sent():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    c = cloudhalt.Tencent(TENCENT_SECRET_ID, "k", endpoint=f"http://127.0.0.1:{port}", timeout=5.0)
    with pytest.raises(cloudhalt.TransportError) as ei:
        c.stop_instances("ap-guangzhou", ["ins-run00000"])
    assert ei.value.send_state == "not_sent" and not ei.value.may_have_been_sent
    assert ei.value.provider == "tencent" and ei.value.action == "StopInstances"


def test_timeout(emu):
    emu.fault(kind="latency", provider="tencent", ms=3000)
    # One attempt: a retry (CancelInstanceRefresh is harmless to repeat) would not be delayed.
    fast = cloudhalt.Tencent(TENCENT_SECRET_ID, "cloudhalt-emulator-tencent-key", endpoint=emu.url, timeout=0.3,
                             retry=cloudhalt.Retry(max_attempts=1))
    with pytest.raises(builtins.TimeoutError) as ei:  # the builtin catches it too
        fast.cancel_instance_refresh("asg-grp00001", "asr-act00001", region="ap-guangzhou")
    e = ei.value
    assert type(e) is cloudhalt.TimeoutError and isinstance(e, cloudhalt.TransportError)
    assert e.send_state == "sent_no_answer" and e.kind == "timeout"
    assert e.attempts == 1 and e.outcomes == {"asr-act00001": "unknown"}


def test_unexpected_response(ali, emu):
    emu.fault(kind="http_status", provider="alibaba", httpStatus=200, body="<html>a captive portal</html>")
    with pytest.raises(cloudhalt.UnexpectedResponseError) as ei:
        ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert ei.value.http_status == 200 and ei.value.send_state == "answered"


def test_credentials_error():
    with pytest.raises(cloudhalt.CredentialsError) as ei:
        cloudhalt.Tencent("", "key")
    assert ei.value.send_state == "not_built" and "SecretId" in str(ei.value)
    with pytest.raises(cloudhalt.CredentialsError):
        cloudhalt.Alibaba("LTAIx", " secret-with-space")


def test_from_env_without_credentials(chain_home):
    # Hermetic: from_env runs the whole chain (HOME is an empty directory, metadata at a closed port).
    with pytest.raises(cloudhalt.CredentialsError, match="TENCENTCLOUD_SECRET_ID"):
        cloudhalt.Tencent.from_env()
    with pytest.raises(cloudhalt.CredentialsError, match="ALIBABA_CLOUD_ACCESS_KEY_ID"):
        cloudhalt.Alibaba.from_env()

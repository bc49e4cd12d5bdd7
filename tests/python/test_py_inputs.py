"""Wrong types raise TypeError (as Python does); wrong values raise InvalidInput before anything is
sent. The `listener` fixture is a port that counts connections, so "nothing was sent" is checked,
not assumed."""
from __future__ import annotations

import time

import pytest

from pyhelp import TENCENT_SECRET_ID, ali, cloudhalt, listener, tc  # noqa: F401

OK_IDS = ["ins-run00000"]


@pytest.fixture
def quiet(listener):
    """Clients pointed at a port that never answers: any request sent would hang, then time out.
    One attempt each, so that a request sent is one connection (and one timeout, not three)."""
    once = cloudhalt.Retry(max_attempts=1)
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, "k", endpoint=listener.url, timeout=2.0, retry=once)
    a = cloudhalt.Alibaba("LTAIx", "s", endpoint=listener.url, timeout=2.0, retry=once)
    return t, a, listener


TYPE_ERRORS = [
    ("region None", lambda t, a: t.stop_instances(None, OK_IDS)),
    ("region int", lambda t, a: t.stop_instances(5, OK_IDS)),
    ("ids int", lambda t, a: t.stop_instances("ap-guangzhou", 5)),
    ("ids None", lambda t, a: t.terminate_instances("ap-guangzhou", None)),
    ("ids a str", lambda t, a: t.stop_instances("ap-guangzhou", "ins-run00000")),
    ("ids bytes", lambda t, a: t.stop_instances("ap-guangzhou", b"ins-run00000")),
    ("ids of ints", lambda t, a: t.stop_instances("ap-guangzhou", [1, 2])),
    ("ids with None", lambda t, a: t.stop_instances("ap-guangzhou", ["ins-run00000", None])),
    ("force_stop int", lambda t, a: t.stop_instances("ap-guangzhou", OK_IDS, force_stop=1)),
    ("stop_type int", lambda t, a: t.stop_instances("ap-guangzhou", OK_IDS, stop_type=1)),
    ("invocation None", lambda t, a: t.cancel_invocation("ap-guangzhou", None)),
    ("cancel ids a str", lambda t, a: t.cancel_invocation("ap-guangzhou", "inv-inv00001", "ins-run00000")),
    ("asg None", lambda t, a: t.cancel_instance_refresh(None, "asr-act00001")),
    ("region kw int", lambda t, a: t.cancel_instance_refresh("asg-grp00001", "asr-act00001", region=1)),
    ("params a list", lambda t, a: t.call("StopInstances", [("InstanceIds", OK_IDS)], region="ap-guangzhou")),
    ("params a set", lambda t, a: t.call("StopInstances", {"InstanceIds": {"ins-run00000"}}, region="ap-guangzhou")),
    ("params int key", lambda t, a: t.call("StopInstances", {1: OK_IDS}, region="ap-guangzhou")),
    ("action None", lambda t, a: t.call(None, {}, region="ap-guangzhou")),
    ("region_id None", lambda t, a: a.stop_invocation(None, "t-hz0jdfwd9f0001")),
    ("invoke_id int", lambda t, a: a.stop_invocation("cn-hangzhou", 7)),
    ("ali ids a str", lambda t, a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", "i-bp67acfmxazb4p0001")),
    ("ali params None", lambda t, a: a.call("StopInvocation", None)),
]

VALUE_ERRORS = [
    ("region empty", lambda t, a: t.stop_instances("", OK_IDS), "Region"),
    ("region with /", lambda t, a: t.stop_instances("ap-guangzhou/x", OK_IDS), "Region"),
    ("region with @", lambda t, a: t.stop_instances("evil.com@ap", OK_IDS), "Region"),
    ("ids empty", lambda t, a: t.stop_instances("ap-guangzhou", []), "InstanceIds"),
    ("id malformed", lambda t, a: t.terminate_instances("ap-guangzhou", ["ins-BAD"]), "InstanceIds"),
    ("id repeated", lambda t, a: t.stop_instances("ap-guangzhou", ["ins-run00000"] * 2), "InstanceIds"),
    ("id repeated 150 apart", lambda t, a: t.stop_instances(
        "ap-guangzhou", [f"ins-{i:08d}" for i in range(200)] + ["ins-00000003"]), "InstanceIds[200]"),
    ("bad id in the 3rd request", lambda t, a: t.terminate_instances(
        "ap-guangzhou", [f"ins-{i:08d}" for i in range(250)] + ["ins-BAD"]), "InstanceIds[250]"),
    ("ali bad id in the 2nd request", lambda t, a: a.stop_invocation(
        "cn-hangzhou", "t-hz0jdfwd9f0001", [f"i-{i:04d}" for i in range(60)] + ["x-1"]), "InstanceId[60]"),
    ("stop_type bad", lambda t, a: t.stop_instances("ap-guangzhou", OK_IDS, stop_type="soft"), "StopType"),
    ("stopped_mode bad", lambda t, a: t.stop_instances("ap-guangzhou", OK_IDS, stopped_mode="FREE"), "StoppedMode"),
    ("invocation malformed", lambda t, a: t.cancel_invocation("ap-guangzhou", "inv-?"), "InvocationId"),
    ("asg malformed", lambda t, a: t.cancel_instance_refresh("asg", "asr-act00001"), "AutoScalingGroupId"),
    ("unknown action", lambda t, a: t.call("RunInstances", {}, region="ap-guangzhou"), "action"),
    ("unknown param", lambda t, a: t.call("StopInstances", {"InstanceIds": OK_IDS, "Bogus": 1}, region="ap-guangzhou"), "Bogus"),
    ("nan param", lambda t, a: t.call("StopInstances", {"InstanceIds": OK_IDS, "X": float("nan")}, region="ap-guangzhou"), "params"),
    ("region surrogate", lambda t, a: t.stop_instances("ap-\udcff", OK_IDS), "region"),
    ("id surrogate", lambda t, a: t.stop_instances("ap-guangzhou", ["ins-run0000\udcff"]), "instance_ids[0]"),
    ("param surrogate", lambda t, a: t.call("StopInstances", {"InstanceIds": ["\udcff"]}, region="ap-guangzhou"), "params"),
    ("param key surrogate", lambda t, a: t.call("StopInstances", {"\udcff": 1}, region="ap-guangzhou"), "params"),
    ("ali region /", lambda t, a: a.stop_invocation("cn-hangzhou/..", "t-hz0jdfwd9f0001"), "RegionId"),
    ("ali invoke bad", lambda t, a: a.stop_invocation("cn-hangzhou", "x-1"), "InvokeId"),
]


@pytest.mark.parametrize("name,call", TYPE_ERRORS, ids=[c[0] for c in TYPE_ERRORS])
def test_wrong_type_is_a_plain_type_error(quiet, name, call):
    t, a, lst = quiet
    with pytest.raises(TypeError) as ei:
        call(t, a)
    assert not isinstance(ei.value, cloudhalt.Error), "a wrong type is not a cloudhalt error"
    assert lst.connections == [], "nothing may be sent"


@pytest.mark.parametrize("name,call,field", VALUE_ERRORS, ids=[c[0] for c in VALUE_ERRORS])
def test_wrong_value_is_invalid_input_before_sending(quiet, name, call, field):
    t, a, lst = quiet
    with pytest.raises(cloudhalt.InvalidInput) as ei:
        call(t, a)
    e = ei.value
    assert isinstance(e, ValueError)
    assert e.send_state == "not_built" and not e.may_have_been_sent
    assert e.kind == "invalid_input"
    assert field.lower() in str(e).lower(), f"the message names the field {field}: {e}"
    assert lst.connections == [], "nothing may be sent"


def test_str_instance_ids_message_names_the_fix(quiet):
    t, _, _ = quiet
    with pytest.raises(TypeError, match=r"instance_ids must be an iterable of str.*wrap"):
        t.stop_instances("ap-guangzhou", "ins-run00000")


def test_bad_constructor_values():
    with pytest.raises(cloudhalt.InvalidInput, match="endpoint"):
        cloudhalt.Tencent("AKIDx", "k", endpoint="ftp://example.com")
    with pytest.raises(cloudhalt.InvalidInput, match="endpoint"):
        cloudhalt.Alibaba("LTAIx", "s", endpoint="http://user@127.0.0.1:1/")
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(cloudhalt.InvalidInput, match="timeout"):
            cloudhalt.Tencent("AKIDx", "k", timeout=bad)
    with pytest.raises(cloudhalt.InvalidInput, match="language"):
        cloudhalt.Tencent("AKIDx", "k", language="fr-FR")
    with pytest.raises(TypeError):
        cloudhalt.Tencent("AKIDx", "k", timeout="10")
    with pytest.raises(TypeError):
        cloudhalt.Tencent(None, "k")
    with pytest.raises(cloudhalt.CredentialsError, match="secret_key contains a lone surrogate") as ei:
        cloudhalt.Tencent("AKIDx", "k\udcff")
    assert "\udcff" not in str(ei.value)
    with pytest.raises(TypeError):
        cloudhalt.Tencent("AKIDx", "k", None, "http://127.0.0.1:1")  # endpoint is keyword-only


def test_instance_ids_takes_any_iterable(tc, emu):
    ids = (f"ins-run{i:05d}" for i in range(3))  # a generator
    r = tc.stop_instances("ap-guangzhou", ids)
    assert r.request_id
    r = tc.terminate_instances("ap-guangzhou", ("ins-run00010",))
    assert r.request_id
    r = tc.cancel_invocation("ap-guangzhou", "inv-inv00001", {"ins-run00000"})
    assert r.request_id
    states = {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]}
    assert states["ins-run00000"] in ("STOPPING", "STOPPED")
    assert states["ins-run00002"] in ("STOPPING", "STOPPED")
    assert states.get("ins-run00010") in (None, "SHUTDOWN", "TERMINATING")


def test_call_with_provider_params(tc, ali, emu):
    r = tc.call("StopInstances", {"InstanceIds": ["ins-run00005"], "StopType": "SOFT_FIRST"}, region="ap-guangzhou")
    assert r.action == "StopInstances" and r.provider == "tencent"
    assert r.data["Response"]["RequestId"] == r.request_id
    r = ali.call("StopInvocation", {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001",
                                    "InstanceId": ["i-bp67acfmxazb4p0001"]})
    assert r.data["RequestId"] == r.request_id and r.provider == "alibaba"


def test_response_shape(tc):
    r = tc.cancel_instance_refresh("asg-grp00001", "asr-act00001", region="ap-guangzhou")
    assert isinstance(r.request_id, str) and isinstance(r.data, dict)
    assert r.data == {"Response": {"RequestId": r.request_id}} or r.data["Response"]["RequestId"] == r.request_id
    assert r.request_id in repr(r) and "CancelInstanceRefresh" in repr(r)
    names = [n.lower() for n, _ in r.sent_headers]
    assert "authorization" in names and "x-tc-action" in names


def test_type_errors_name_the_argument(quiet):
    t, a, _ = quiet
    with pytest.raises(TypeError, match=r"^region must be str, not NoneType$"):
        t.stop_instances(None, OK_IDS)
    with pytest.raises(TypeError, match=r"^invoke_id must be str, not int$"):
        a.stop_invocation("cn-hangzhou", 7)
    with pytest.raises(TypeError, match=r"^instance_ids must be an iterable of str"):
        t.terminate_instances("ap-guangzhou", 5)
    with pytest.raises(TypeError, match=r"^instance_ids\[1\] must be str, not NoneType$"):
        t.stop_instances("ap-guangzhou", ["ins-run00000", None])
    with pytest.raises(TypeError, match=r"^secret_key must be str, not bytes$"):
        cloudhalt.Tencent("AKIDx", b"secret-bytes")


def test_client_settings_are_applied(emu):
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, "cloudhalt-emulator-tencent-key", endpoint=emu.url + "/",
                          timeout=7.5, language="en-US")
    assert (t.endpoint, t.timeout, t.language, t.secret_id) == (emu.url, 7.5, "en-US", TENCENT_SECRET_ID)
    r = t.stop_instances("ap-guangzhou", OK_IDS)
    assert ("X-TC-Language", "en-US") in r.sent_headers
    assert ("X-TC-Region", "ap-guangzhou") in r.sent_headers
    d = cloudhalt.Tencent(TENCENT_SECRET_ID, "k")
    assert d.endpoint == "https://<service>.tencentcloudapi.com" and d.timeout == 30.0 and d.language is None


# --- ID iterables of any length are read whole and split at the provider's limit ----------------

LONG_IDS = [
    ("stop_instances", 100, lambda t, a, ids: t.stop_instances("ap-guangzhou", ids), lambda i: f"ins-{i:08d}"),
    ("terminate_instances", 100,
     lambda t, a, ids: t.terminate_instances("ap-guangzhou", ids), lambda i: f"ins-{i:08d}"),
    ("cancel_invocation", 100,
     lambda t, a, ids: t.cancel_invocation("ap-guangzhou", "inv-inv00001", ids), lambda i: f"ins-{i:08d}"),
    ("stop_invocation", 50,
     lambda t, a, ids: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", ids), lambda i: f"i-bp{i:018d}"),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name,limit,call,make_id", LONG_IDS, ids=[c[0] for c in LONG_IDS])
def test_a_generator_past_the_limit_is_read_whole_and_split(quiet, name, limit, call, make_id):
    # The binding no longer stops at the per-request limit: the whole iterable is read (the core
    # checks all of it first), then sent as ceil(n / limit) requests. Here nothing answers, so
    # each request times out: one connection per request proves the split.
    t, a, lst = quiet
    pulled = []

    def counted():
        for i in range(limit + 1):
            pulled.append(i)
            yield make_id(i)

    with pytest.raises(cloudhalt.TimeoutError) as ei:
        call(t, a, counted())
    assert len(pulled) == limit + 1
    e = ei.value
    assert e.attempts == 2 and len(e.outcomes) == limit + 1, (e.attempts, len(e.outcomes))
    assert set(e.outcomes.values()) == {"unknown"}
    deadline = time.monotonic() + 5
    while len(lst.connections) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    if name == "terminate_instances":
        # Its unknown IDs are then described (read-only DescribeInstances calls, never a second
        # TerminateInstances): more connections, but still the two write requests counted above.
        assert len(lst.connections) >= 2
    else:
        assert len(lst.connections) == 2, "one connection per request of at most the limit"


@pytest.mark.parametrize("name,limit,call,make_id", LONG_IDS, ids=[c[0] for c in LONG_IDS])
def test_exactly_the_limit_is_one_request(quiet, name, limit, call, make_id):
    t, a, lst = quiet
    with pytest.raises(cloudhalt.TimeoutError) as ei:
        call(t, a, iter([make_id(i) for i in range(limit)]))
    assert ei.value.attempts == 1 and len(ei.value.outcomes) == limit


# --- timeout: above zero, at most one day, never a panic -----------------------------------------

BAD_TIMEOUTS = [0, 0.0, -1, -0.5, float("nan"), float("inf"), float("-inf"), 1e19, 86401, 86400.5]


@pytest.mark.parametrize("bad", BAD_TIMEOUTS, ids=[repr(b) for b in BAD_TIMEOUTS])
def test_bad_timeout_is_invalid_input_naming_timeout(monkeypatch, bad):
    # Credentials in the environment, so from_env can only fail on the timeout.
    for name, value in (("TENCENTCLOUD_SECRET_ID", "AKIDx"), ("TENCENTCLOUD_SECRET_KEY", "k"),
                        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIx"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")):
        monkeypatch.setenv(name, value)
    for make in (lambda: cloudhalt.Tencent("AKIDx", "k", timeout=bad),
                 lambda: cloudhalt.Alibaba("LTAIx", "s", timeout=bad),
                 lambda: cloudhalt.Tencent.from_env(timeout=bad),
                 lambda: cloudhalt.Alibaba.from_env(timeout=bad)):
        try:
            make()
        except cloudhalt.InvalidInput as e:
            assert e.field == "timeout" and "timeout" in str(e), str(e)
            assert e.send_state == "not_built"
        except BaseException as e:  # a PanicException is a BaseException: it must never escape
            pytest.fail(f"timeout={bad!r} raised {type(e).__name__}: {e}")
        else:
            pytest.fail(f"timeout={bad!r} was accepted")


@pytest.mark.parametrize("good", [86400, 86400.0, 0.001, 30, 2.5])
def test_timeout_range_is_accepted(good):
    assert cloudhalt.Tencent("AKIDx", "k", timeout=good).timeout == float(good)
    assert cloudhalt.Alibaba("LTAIx", "s", timeout=good).timeout == float(good)


def test_invalid_input_error_is_an_alias_of_invalid_input():
    # The spelling of every other class (...Error); the original name stays the same class.
    assert cloudhalt.InvalidInputError is cloudhalt.InvalidInput
    with pytest.raises(cloudhalt.InvalidInputError, match="timeout"):
        cloudhalt.Tencent("AKIDx", "k", timeout=1e19)

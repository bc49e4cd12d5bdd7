"""Bad input of every kind is refused with kind "invalid_input" before anything is sent, on every
backend: the emulator's request counters stay unchanged."""
from __future__ import annotations

import pytest

from backends.base import Failure
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)

OK_TENCENT = ["ins-run00000"]
OK_ALIBABA = ["i-bp67acfmxazb4p0001"]
# Lists longer than one request's limit (100 Tencent, 50 Alibaba) are accepted and split; the
# WHOLE list is still checked before anything is sent, so a bad or repeated ID in what would be a
# later request refuses the call (test_fleet.py tests that long lists go through).
LONG_TENCENT = [f"ins-run{n:05d}" for n in range(150)]
LONG_ALIBABA = [f"i-bp67acfmxazb4p{n:04d}" for n in range(1, 121)]
BAD_LATE_TENCENT = LONG_TENCENT[:120] + ["ins-BAD00120"] + LONG_TENCENT[121:]
DUP_LATE_TENCENT = LONG_TENCENT + ["ins-run00000"]
BAD_LATE_ALIBABA = LONG_ALIBABA[:70] + ["ins-run00000"] + LONG_ALIBABA[71:]
DUP_LATE_ALIBABA = LONG_ALIBABA + [LONG_ALIBABA[3]]

BAD_REGIONS = [None, "", 42, "ap/guangzhou", "ap-guangzhou@evil.example", "AP-GUANGZHOU", "ap guangzhou",
               "ap-guangzhou.evil.example", "\udcff"]

# (name, call) pairs: each call must be refused without a request.
TENCENT_CASES = [
    *[(f"stop-region-{r!r}", lambda t, r=r: t.stop_instances(r, OK_TENCENT)) for r in BAD_REGIONS],
    ("stop-ids-None", lambda t: t.stop_instances("ap-guangzhou", None)),
    ("stop-ids-str", lambda t: t.stop_instances("ap-guangzhou", "ins-run00000")),
    ("stop-ids-int-entry", lambda t: t.stop_instances("ap-guangzhou", [123])),
    ("stop-ids-None-entry", lambda t: t.stop_instances("ap-guangzhou", ["ins-run00000", None])),
    ("stop-ids-empty", lambda t: t.stop_instances("ap-guangzhou", [])),
    ("stop-ids-bad-in-2nd-request", lambda t: t.stop_instances("ap-guangzhou", BAD_LATE_TENCENT)),
    ("stop-ids-dup-across-requests", lambda t: t.stop_instances("ap-guangzhou", DUP_LATE_TENCENT)),
    ("stop-ids-duplicate", lambda t: t.stop_instances("ap-guangzhou", ["ins-run00000", "ins-run00000"])),
    ("stop-id-upper", lambda t: t.stop_instances("ap-guangzhou", ["ins-RUN00000"])),
    ("stop-id-short", lambda t: t.stop_instances("ap-guangzhou", ["ins-run0000"])),
    ("stop-id-prefix", lambda t: t.stop_instances("ap-guangzhou", ["i-run00000"])),
    ("stop-id-space", lambda t: t.stop_instances("ap-guangzhou", [" ins-run00000"])),
    ("stop-id-invalid-utf8", lambda t: t.stop_instances("ap-guangzhou", ["ins-run0000\udcff"])),
    ("stop-id-nul", lambda t: t.stop_instances("ap-guangzhou", ["ins-run0000\x000"])),
    ("stop-type-bad", lambda t: t.stop_instances("ap-guangzhou", OK_TENCENT, stop_type="GENTLE")),
    ("stop-type-lower", lambda t: t.stop_instances("ap-guangzhou", OK_TENCENT, stop_type="soft")),
    ("stop-type-int", lambda t: t.stop_instances("ap-guangzhou", OK_TENCENT, stop_type=1)),
    ("stopped-mode-bad", lambda t: t.stop_instances("ap-guangzhou", OK_TENCENT, stopped_mode="PAUSE")),
    ("force-stop-with-stop-type",
     lambda t: t.stop_instances("ap-guangzhou", OK_TENCENT, force_stop=True, stop_type="HARD")),
    ("terminate-region-slash", lambda t: t.terminate_instances("ap/guangzhou", OK_TENCENT)),
    ("terminate-ids-empty", lambda t: t.terminate_instances("ap-guangzhou", [])),
    ("terminate-ids-bad-in-2nd-request", lambda t: t.terminate_instances("ap-guangzhou", BAD_LATE_TENCENT)),
    ("terminate-ids-dup-across-requests", lambda t: t.terminate_instances("ap-guangzhou", DUP_LATE_TENCENT)),
    ("terminate-ids-duplicate", lambda t: t.terminate_instances("ap-guangzhou", ["ins-run00001"] * 2)),
    ("terminate-id-malformed", lambda t: t.terminate_instances("ap-guangzhou", ["ins-run00001x"])),
    ("cancel-inv-None", lambda t: t.cancel_invocation("ap-guangzhou", None)),
    ("cancel-inv-malformed", lambda t: t.cancel_invocation("ap-guangzhou", "inv-INV00001")),
    ("cancel-inv-wrong-prefix", lambda t: t.cancel_invocation("ap-guangzhou", "ins-inv00001")),
    ("cancel-inv-region-at", lambda t: t.cancel_invocation("ap@guangzhou", "inv-inv00001")),
    ("cancel-inv-ids-empty", lambda t: t.cancel_invocation("ap-guangzhou", "inv-inv00001", [])),
    ("cancel-inv-ids-bad-in-2nd-request",
     lambda t: t.cancel_invocation("ap-guangzhou", "inv-inv00001", BAD_LATE_TENCENT)),
    ("cancel-inv-ids-dup-across-requests",
     lambda t: t.cancel_invocation("ap-guangzhou", "inv-inv00001", DUP_LATE_TENCENT)),
    ("cancel-inv-ids-dup", lambda t: t.cancel_invocation("ap-guangzhou", "inv-inv00001", ["ins-run00000"] * 2)),
    ("cancel-inv-ids-malformed", lambda t: t.cancel_invocation("ap-guangzhou", "inv-inv00001", ["x-run00000"])),
    ("refresh-group-None", lambda t: t.cancel_instance_refresh(None, "asr-act00001")),
    ("refresh-activity-None", lambda t: t.cancel_instance_refresh("asg-grp00001", None)),
    ("refresh-swapped", lambda t: t.cancel_instance_refresh("asr-act00001", "asg-grp00001")),
    ("refresh-region-slash", lambda t: t.cancel_instance_refresh("asg-grp00001", "asr-act00001", region="a/b")),
    ("json-unknown-action", lambda t: t.call("RebootInstances", {"InstanceIds": OK_TENCENT}, region="ap-guangzhou")),
    ("json-action-None", lambda t: t.call(None, {"InstanceIds": OK_TENCENT}, region="ap-guangzhou")),
    ("json-unknown-param", lambda t: t.call("StopInstances", {"InstanceIds": OK_TENCENT, "Bogus": 1},
                                            region="ap-guangzhou")),
    ("json-missing-param", lambda t: t.call("StopInstances", {}, region="ap-guangzhou")),
    ("json-params-list", lambda t: t.call("StopInstances", [1, 2], region="ap-guangzhou")),
    ("json-params-wrong-type", lambda t: t.call("StopInstances", {"InstanceIds": "ins-run00000"},
                                                region="ap-guangzhou")),
    ("json-region-missing", lambda t: t.call("StopInstances", {"InstanceIds": OK_TENCENT})),
    ("json-region-slash", lambda t: t.call("StopInstances", {"InstanceIds": OK_TENCENT}, region="ap/x")),
    ("json-bad-in-2nd-request",
     lambda t: t.call("StopInstances", {"InstanceIds": BAD_LATE_TENCENT}, region="ap-guangzhou")),
    ("json-dup-across-requests",
     lambda t: t.call("TerminateInstances", {"InstanceIds": DUP_LATE_TENCENT}, region="ap-guangzhou")),
    ("json-force-stop-with-stop-type",
     lambda t: t.call("StopInstances", {"InstanceIds": OK_TENCENT, "ForceStop": True, "StopType": "SOFT"},
                      region="ap-guangzhou")),
    ("json-bad-stop-type", lambda t: t.call("StopInstances", {"InstanceIds": OK_TENCENT, "StopType": "NOW"},
                                            region="ap-guangzhou")),
]

ALIBABA_CASES = [
    *[(f"region-{r!r}", lambda a, r=r: a.stop_invocation(r, "t-hz0jdfwd9f0001")) for r in BAD_REGIONS],
    ("invoke-None", lambda a: a.stop_invocation("cn-hangzhou", None)),
    ("invoke-wrong-prefix", lambda a: a.stop_invocation("cn-hangzhou", "i-hz0jdfwd9f0001")),
    ("invoke-slash", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f/0001")),
    ("invoke-empty-rest", lambda a: a.stop_invocation("cn-hangzhou", "t-")),
    ("invoke-int", lambda a: a.stop_invocation("cn-hangzhou", 7)),
    ("ids-str", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", "i-bp67acfmxazb4p0001")),
    ("ids-empty", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", [])),
    ("ids-bad-in-2nd-request", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", BAD_LATE_ALIBABA)),
    ("ids-dup-across-requests", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", DUP_LATE_ALIBABA)),
    ("ids-duplicate", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", OK_ALIBABA * 2)),
    ("ids-tencent-shaped", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", ["ins-run00000"])),
    ("ids-None-entry", lambda a: a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", [None])),
    ("json-unknown-action", lambda a: a.call("StopInstances", {"RegionId": "cn-hangzhou"})),
    ("json-missing-region", lambda a: a.call("StopInvocation", {"InvokeId": "t-hz0jdfwd9f0001"})),
    ("json-missing-invoke", lambda a: a.call("StopInvocation", {"RegionId": "cn-hangzhou"})),
    ("json-unknown-param", lambda a: a.call("StopInvocation", {"RegionId": "cn-hangzhou",
                                                               "InvokeId": "t-hz0jdfwd9f0001", "Force": True})),
    ("json-params-list", lambda a: a.call("StopInvocation", ["cn-hangzhou"])),
    ("json-both-id-forms", lambda a: a.call("StopInvocation", {
        "RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001", "InstanceId": OK_ALIBABA,
        "InstanceId.1": "i-bp67acfmxazb4p0002"})),
    ("json-gap-in-numbering", lambda a: a.call("StopInvocation", {
        "RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001", "InstanceId.2": "i-bp67acfmxazb4p0002"})),
    ("json-bad-in-2nd-request", lambda a: a.call("StopInvocation", {
        "RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001", "InstanceId": BAD_LATE_ALIBABA})),
    ("json-dup-across-requests", lambda a: a.call("StopInvocation", {
        "RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001", "InstanceId": DUP_LATE_ALIBABA})),
]


def _requests(emu) -> dict:
    return emu.state()["requests"]


def assert_refused(result) -> None:
    assert isinstance(result, Failure), result
    assert result.kind == "invalid_input", result
    assert result.message
    assert result.code is None and result.request_id is None and result.http_status is None, result
    # Nothing was sent, so the fleet record is empty.
    assert (tuple(result.results), tuple(result.request_ids), result.attempts) == ((), (), 0), result


@pytest.mark.parametrize("name,call", TENCENT_CASES, ids=[n for n, _ in TENCENT_CASES])
def test_tencent_refuses_bad_input(tencent, emu, name, call):
    before = _requests(emu)
    assert_refused(call(tencent))
    assert _requests(emu) == before


@pytest.mark.parametrize("name,call", ALIBABA_CASES, ids=[n for n, _ in ALIBABA_CASES])
def test_alibaba_refuses_bad_input(alibaba, emu, name, call):
    before = _requests(emu)
    assert_refused(call(alibaba))
    assert _requests(emu) == before


def test_messages_name_the_field_and_the_value(tencent, emu):
    r = tencent.stop_instances("ap-guangzhou", ["ins-run00000", "ins-BAD00001"])
    assert_refused(r)
    assert "ins-BAD00001" in r.message
    assert "InstanceIds" in r.message or "instance_ids" in r.message
    # A bad ID in what would be the second request: named with its place in the whole list.
    r = tencent.stop_instances("ap-guangzhou", BAD_LATE_TENCENT)
    assert_refused(r)
    assert "ins-BAD00120" in r.message and "[120]" in r.message, r.message
    r = tencent.stop_instances("ap-guangzhou", DUP_LATE_TENCENT)
    assert_refused(r)
    assert "ins-run00000" in r.message and "more than once" in r.message, r.message
    r = tencent.stop_instances("ap-guangzhou", OK_TENCENT, stop_type="GENTLE")
    assert "GENTLE" in r.message and "SOFT_FIRST" in r.message


@pytest.mark.parametrize("args", [
    (None, TENCENT_SECRET_KEY), (TENCENT_SECRET_ID, None), (1, TENCENT_SECRET_KEY),
    (TENCENT_SECRET_ID, b"bytes-key"), (TENCENT_SECRET_ID, "key\udcff"),
], ids=["id-None", "key-None", "id-int", "key-bytes", "key-invalid-utf8"])
def test_constructor_refuses_bad_arguments(backend, emu, args):
    r = backend.tencent(*args, endpoint=emu.url)
    assert isinstance(r, Failure) and r.kind in ("invalid_input", "credentials"), r
    r = backend.alibaba(*((ALIBABA_ACCESS_KEY_ID if a == TENCENT_SECRET_ID else
                           ALIBABA_ACCESS_KEY_SECRET if a == TENCENT_SECRET_KEY else a) for a in args),
                        endpoint=emu.url)
    assert isinstance(r, Failure) and r.kind in ("invalid_input", "credentials"), r


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1:1", "http://127.0.0.1:1/path", ""])
def test_bad_endpoint(backend, url):
    r = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    r = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=url)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r


def test_zero_timeout_is_refused(backend, emu):
    r = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, timeout=0)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r


def test_endpoint_with_a_password_is_refused_without_echoing_it(backend):
    r = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint="http://user:hunter2@127.0.0.1:1")
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert "hunter2" not in r.message

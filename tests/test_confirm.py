"""Confirmed stops (the confirm issue), on every backend, against the emulator: a write with a
wait ends with every ID's final state, a wait that does not reach success raises `wait_failed`
or `wait_timeout` in time, the stops finish what they start (already-stopped instances in a
batch, the AS pause-first path), and a waiter never re-sends the write.

The emulator makes transitions take real time (`transitionMs` over the control API, or a
resource's own `TransitionMs`), so every wait polls a Describe call more than once; its call
counters (`GET /_emulator/calls`) prove how often each write was sent. Delays are short (a few
hundred ms) and polls fast (Wait min_delay 0.05 s) to keep each test under a few seconds.
"""
from __future__ import annotations

import random
import re
import time

import pytest

from backends.base import Failure, Outcome, Wait
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)

REGION = "ap-guangzhou"
ECS_REGION = "cn-hangzhou"
# Fast polling: the waits below take the emulator's transition time plus at most 0.2 s.
FAST = Wait(timeout=20.0, min_delay=0.05, max_delay=0.2)
TRANSITION_MS = 300


def tencent_client(backend, emu, **settings):
    client = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, **settings)
    assert not isinstance(client, Failure), client
    return client


def alibaba_client(backend, emu, **settings):
    client = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url, **settings)
    assert not isinstance(client, Failure), client
    return client


def slow(emu, ms: int = TRANSITION_MS) -> None:
    """Every transition (stop, terminate, cancel, a refreshing batch) takes `ms` from now on."""
    emu.configure(transitionMs=ms)


def replace_state(emu, state: dict) -> None:
    """Replaces every resource of both clouds (POST /_emulator/state); undone by the next reset."""
    answer = emu._request("POST", "/_emulator/state", state)
    assert answer.get("ok"), answer


def id_calls(emu, action: str, resource_id: str) -> tuple:
    """(received, applied) of the requests of `action` that named `resource_id`."""
    c = emu.calls()[action]["ids"].get(resource_id, {})
    return c.get("received", 0), c.get("applied", 0)


def assert_sent_once(emu, action: str, ids) -> None:
    """Each of `ids` was named by exactly one request of `action`, and it was applied: the
    waiter polled, it never sent the write again."""
    calls = emu.calls()[action]["ids"]
    wrong = {i: calls.get(i) for i in ids if calls.get(i) != {"received": 1, "applied": 1}}
    assert not wrong, f"{action} not sent exactly once for {len(wrong)} IDs: {list(wrong.items())[:3]}"


def emulator_instances(emu) -> dict:
    return {i["InstanceId"]: i for i in emu.state()["tencent"]["instances"]}


# --- CVM StopInstances ---------------------------------------------------------------------------

def test_a_250_instance_stop_with_wait_ends_with_every_id_stopped(backend, emu):
    slow(emu)
    ids = emu.seed(tencent={"running": 250, "prefix": "ins-cfm"})["tencent"]["running"]
    r = tencent_client(backend, emu).stop_instances(REGION, ids, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.outcomes == {i: "done" for i in ids}
    assert r.states == {i: "STOPPED" for i in ids}
    assert list(r.states) == ids, "in input order"
    assert set(r.wait_results.values()) == {"stopped"}, set(r.wait_results.values())
    assert {i: s["InstanceState"] for i, s in emulator_instances(emu).items() if i in r.states} == r.states
    assert emu.calls()["StopInstances"]["received"] == 3  # 100 + 100 + 50
    assert_sent_once(emu, "StopInstances", ids)


@pytest.mark.parametrize("wait", [None, FAST], ids=["no-wait", "wait"])
def test_30_already_stopped_in_a_batch_are_already_and_only_the_running_are_sent_again(backend, emu, wait):
    slow(emu)
    seeded = emu.seed(tencent={"running": 220, "stopped": 30, "prefix": "ins-alr"})["tencent"]
    running, stopped = seeded["running"], seeded["stopped"]
    ids = running + stopped
    random.Random(10).shuffle(ids)  # a stopped instance in every request of 100
    assert all(set(ids[n:n + 100]) & set(stopped) for n in range(0, 250, 100))
    r = tencent_client(backend, emu).stop_instances(REGION, ids, wait=wait)
    assert isinstance(r, Outcome), r
    assert list(r.outcomes) == ids
    assert {i for i, o in r.outcomes.items() if o == "already"} == set(stopped)
    assert {i for i, o in r.outcomes.items() if o == "done"} == set(running)
    calls = emu.calls()["StopInstances"]["ids"]
    # The stopped ones were in the refused requests only; the running ones were sent again and
    # stopped once.
    assert all(calls[i] == {"received": 1, "applied": 0} for i in stopped), [calls[i] for i in stopped[:3]]
    assert all(calls[i]["applied"] == 1 and calls[i]["received"] <= 2 for i in running)
    states = {i: s["InstanceState"] for i, s in emulator_instances(emu).items()}
    assert all(states[i] == "STOPPED" for i in stopped)
    if wait is None:
        assert all(states[i] in ("STOPPING", "STOPPED") for i in running)
    else:
        assert r.states == {i: "STOPPED" for i in ids}
        assert all(states[i] == "STOPPED" for i in running)


def test_a_stop_of_stopped_instances_only_is_already_and_confirmed(backend, emu):
    r = tencent_client(backend, emu).stop_instances(REGION, ["ins-stp00000", "ins-stp00001"], wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.outcomes == {"ins-stp00000": "already", "ins-stp00001": "already"}
    assert r.states == {"ins-stp00000": "STOPPED", "ins-stp00001": "STOPPED"}
    assert emu.calls()["StopInstances"]["applied"] == 0


def test_a_stop_the_emulator_fails_ends_wait_failed_naming_the_ids(backend, emu):
    slow(emu, 200)
    emu.fault(kind="operation_fails", action="StopInstances")
    ids = ["ins-run00010", "ins-run00011"]
    r = tencent_client(backend, emu).stop_instances(REGION, ids, wait=FAST)
    assert isinstance(r, Failure) and r.kind == "wait_failed", r
    assert all(i in r.message for i in ids), r.message
    assert r.outcomes == {i: "done" for i in ids}, "the stop was accepted; it failed later"
    assert r.wait_results == {i: "failed" for i in ids}, r.wait_results
    assert all(emulator_instances(emu)[i]["InstanceState"] == "RUNNING" for i in ids)
    assert_sent_once(emu, "StopInstances", ids)


def test_one_failing_instance_is_named_and_the_other_is_not(backend, emu):
    slow(emu, 200)
    replace_state(emu, {"tencent": {"instances": [
        {"InstanceId": "ins-fail0000", "Region": REGION, "InstanceState": "RUNNING",
         "FailOperations": ["StopInstances"]},
        {"InstanceId": "ins-good0000", "Region": REGION, "InstanceState": "RUNNING"}]}})
    r = tencent_client(backend, emu).stop_instances(REGION, ["ins-fail0000", "ins-good0000"], wait=FAST)
    assert isinstance(r, Failure) and r.kind == "wait_failed", r
    assert "ins-fail0000" in r.message and "ins-good0000" not in r.message, r.message
    assert r.wait_results["ins-fail0000"] == "failed"
    assert r.wait_results.get("ins-good0000") != "failed"
    assert_sent_once(emu, "StopInstances", ["ins-fail0000", "ins-good0000"])


def test_a_wait_past_its_deadline_ends_wait_timeout_in_time(backend, emu):
    slow(emu, 60_000)
    wait = Wait(timeout=1.0, min_delay=0.1, max_delay=0.25)
    client = tencent_client(backend, emu)
    start = time.monotonic()
    r = client.stop_instances(REGION, ["ins-run00020"], wait=wait)
    elapsed = time.monotonic() - start
    assert isinstance(r, Failure) and r.kind == "wait_timeout", r
    # Within the deadline plus one poll interval (and the last poll's own round trip).
    assert 0.9 <= elapsed <= wait.timeout + wait.max_delay + 0.75, elapsed
    assert "ins-run00020" in r.message, r.message
    assert r.outcomes == {"ins-run00020": "done"}
    assert r.states == {"ins-run00020": "STOPPING"}
    assert r.wait_results == {"ins-run00020": "waiting"}
    assert_sent_once(emu, "StopInstances", ["ins-run00020"])
    # The standalone wait has the same deadline.
    start = time.monotonic()
    r = client.wait_instances(REGION, ["ins-run00020"], "STOPPED", wait)
    elapsed = time.monotonic() - start
    assert isinstance(r, Failure) and r.kind == "wait_timeout", r
    assert 0.9 <= elapsed <= wait.timeout + wait.max_delay + 0.75, elapsed
    assert_sent_once(emu, "StopInstances", ["ins-run00020"])


def test_the_json_entry_point_waits_too(backend, emu):
    slow(emu)
    ids = ["ins-run00030", "ins-run00031"]
    r = tencent_client(backend, emu).call("StopInstances", {"InstanceIds": ids}, region=REGION, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {i: "STOPPED" for i in ids}
    assert_sent_once(emu, "StopInstances", ids)


def test_a_waiter_polls_many_times_and_never_sends_the_write_again(backend, emu):
    slow(emu, 800)
    ids = ["ins-run00040", "ins-run00041", "ins-run00042"]
    r = tencent_client(backend, emu).stop_instances(REGION, ids, wait=Wait(timeout=20.0, min_delay=0.05,
                                                                              max_delay=0.1))
    assert isinstance(r, Outcome), r
    assert r.states == {i: "STOPPED" for i in ids}
    assert emu.calls()["DescribeInstances"]["received"] >= 4, emu.calls()["DescribeInstances"]
    assert_sent_once(emu, "StopInstances", ids)
    assert emu.calls()["StopInstances"]["received"] == 1


def test_a_wait_survives_throttled_polls(backend, emu):
    slow(emu)
    emu.fault(kind="throttle", provider="tencent", action="DescribeInstances", count=2)
    r = tencent_client(backend, emu).stop_instances(REGION, ["ins-run00050"], wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {"ins-run00050": "STOPPED"}
    assert emu.calls()["DescribeInstances"]["throttled"] == 2
    assert_sent_once(emu, "StopInstances", ["ins-run00050"])


# --- standalone waits ----------------------------------------------------------------------------

def test_a_standalone_wait_on_ids_the_caller_has_never_sends_the_write(backend, emu):
    slow(emu)
    client = tencent_client(backend, emu)
    ids = ["ins-run00060", "ins-run00061"]
    sent = client.stop_instances(REGION, ids)
    assert isinstance(sent, Outcome) and sent.states == {}, sent
    r = client.wait_instances(REGION, ids, "STOPPED", FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {i: "STOPPED" for i in ids}
    assert set(r.wait_results.values()) == {"stopped"}
    # By the waiter of the action, with the write's own params: still one StopInstances.
    r = client.wait_call("StopInstances", {"InstanceIds": ids}, region=REGION, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {i: "STOPPED" for i in ids}
    assert_sent_once(emu, "StopInstances", ids)


def test_a_standalone_wait_for_an_empty_id_list_returns_at_once(backend, emu):
    client = tencent_client(backend, emu)
    start = time.monotonic()
    r = client.wait_instances(REGION, [], "STOPPED", Wait(timeout=30.0, min_delay=1.0, max_delay=5.0))
    assert time.monotonic() - start < 0.5
    assert isinstance(r, Outcome), r
    assert r.states == {} and r.wait_results == {}
    assert emu.calls()["DescribeInstances"]["received"] == 0


@pytest.mark.parametrize("state", ["RUNNING", "stopped!", ""])
def test_a_standalone_wait_for_a_state_it_cannot_wait_for_is_refused(backend, emu, state):
    r = tencent_client(backend, emu).wait_instances(REGION, ["ins-run00000"], state, FAST)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert "STOPPED" in r.message and "TERMINATED" in r.message, r.message
    assert emu.calls()["DescribeInstances"]["received"] == 0


@pytest.mark.parametrize("wait, named", [
    (Wait(timeout=-1.0), "timeout"),
    (Wait(timeout=float("nan")), "timeout"),
    (Wait(timeout=90_000.0), "timeout"),
    (Wait(timeout=10.0, min_delay=0.0), "min_delay"),
    (Wait(timeout=10.0, min_delay=2.0, max_delay=1.0), "delay"),
])
def test_bad_wait_settings_are_refused_before_anything_is_sent(backend, emu, wait, named):
    client = tencent_client(backend, emu)
    r = client.stop_instances(REGION, ["ins-run00000"], wait=wait)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert named in r.message, r.message
    assert emu.calls()["StopInstances"]["received"] == 0
    r = client.wait_instances(REGION, ["ins-run00000"], "STOPPED", wait)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert emu.calls()["DescribeInstances"]["received"] == 0


# --- CVM TerminateInstances ----------------------------------------------------------------------

def test_a_prepaid_terminate_ends_in_the_recycle_bin_a_postpaid_one_gone(backend, emu):
    slow(emu)
    prepaid = emu.seed(tencent={"running": 2, "prefix": "ins-pre", "chargeType": "PREPAID"})["tencent"]["running"]
    postpaid = ["ins-run00070", "ins-run00071"]
    client = tencent_client(backend, emu)
    r = client.terminate_instances(REGION, prepaid, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.outcomes == {i: "done" for i in prepaid}
    assert r.states == {i: "SHUTDOWN" for i in prepaid}
    assert r.wait_results == {i: "recycle bin" for i in prepaid}
    assert all(emulator_instances(emu)[i]["InstanceState"] == "SHUTDOWN" for i in prepaid)

    r = client.terminate_instances(REGION, postpaid, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {i: "gone" for i in postpaid}
    assert r.wait_results == {i: "gone" for i in postpaid}
    assert not set(postpaid) & set(emulator_instances(emu))
    # Each ID once: a second TerminateInstances would destroy the prepaid ones for good.
    assert_sent_once(emu, "TerminateInstances", prepaid + postpaid)


def test_a_standalone_terminated_wait(backend, emu):
    slow(emu)
    client = tencent_client(backend, emu)
    ids = ["ins-run00080"]
    sent = client.terminate_instances(REGION, ids)
    assert isinstance(sent, Outcome), sent
    r = client.wait_instances(REGION, ids, "TERMINATED", FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {"ins-run00080": "gone"} and r.wait_results == {"ins-run00080": "gone"}
    assert_sent_once(emu, "TerminateInstances", ids)


# --- TAT CancelInvocation ------------------------------------------------------------------------

def test_a_tat_cancel_is_confirmed_with_a_task_that_finished_before_it_landed(backend, emu):
    slow(emu)
    r = tencent_client(backend, emu).cancel_invocation(REGION, "inv-inv00001", wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.outcomes == {"inv-inv00001": "done"}
    # Keyed by instance: every task of the invocation.
    assert r.states == {"ins-run00000": "CANCELLED", "ins-run00001": "TERMINATED",
                        "ins-run00002": "SUCCESS", "lhins-lh000001": "CANCELLED"}
    assert r.wait_results["ins-run00002"] == "finished before the cancel landed"
    assert r.wait_results["ins-run00000"] == "cancelled"
    assert r.wait_results["ins-run00001"] not in ("waiting", "failed")
    assert_sent_once(emu, "CancelInvocation", ["inv-inv00001"])


def test_a_tat_cancel_on_some_instances_waits_for_those(backend, emu):
    slow(emu)
    client = tencent_client(backend, emu)
    r = client.cancel_invocation(REGION, "inv-inv00002", ["ins-run00004"], wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {"ins-run00004": "TERMINATED"}
    r = client.wait_call("CancelInvocation", {"InvocationId": "inv-inv00002", "InstanceIds": ["ins-run00004"]},
                         region=REGION, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {"ins-run00004": "TERMINATED"}
    assert emu.calls()["CancelInvocation"]["received"] == 1


# --- AS CancelInstanceRefresh --------------------------------------------------------------------

def activity(emu, activity_id: str) -> dict:
    for group in emu.state()["tencent"]["scalingGroups"]:
        for a in group["RefreshActivities"]:
            if a["RefreshActivityId"] == activity_id:
                return a
    raise AssertionError(f"no activity {activity_id}")


def test_a_cancel_blocked_by_a_refreshing_batch_says_to_pause_first(backend, emu):
    slow(emu)
    r = tencent_client(backend, emu).cancel_instance_refresh("asg-grp00001", "asr-act00003", region=REGION,
                                                            wait=FAST)
    assert isinstance(r, Failure), r
    assert r.code == "ResourceUnavailable.RefreshActivityStatusConflictWithOperation", r
    assert re.search(r"pause[_-]first", r.message), r.message
    assert activity(emu, "asr-act00003")["Status"] == "RUNNING", "nothing was paused"
    assert emu.calls()["StopInstanceRefresh"]["received"] == 0


def test_pause_first_pauses_waits_for_the_batch_then_cancels_and_confirms(backend, emu):
    slow(emu)
    r = tencent_client(backend, emu).cancel_instance_refresh("asg-grp00001", "asr-act00003", region=REGION,
                                                            pause_first=True, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.outcomes == {"asr-act00003": "done"}
    assert r.states == {"asr-act00003": "CANCELLED"}
    assert r.wait_results == {"asr-act00003": "cancelled"}
    a = activity(emu, "asr-act00003")
    assert a["Status"] == "CANCELLED"
    assert [b["BatchStatus"] for b in a["Batches"]] == ["SUCCESSFUL", "SUCCESSFUL", "CANCELLED"], a
    assert id_calls(emu, "StopInstanceRefresh", "asr-act00003") == (1, 1)
    # Refused once (the batch was refreshing), accepted once after the pause.
    assert id_calls(emu, "CancelInstanceRefresh", "asr-act00003") == (2, 1)


def test_pause_first_on_an_activity_with_no_batch_refreshing_just_cancels(backend, emu):
    slow(emu)
    r = tencent_client(backend, emu).cancel_instance_refresh("asg-grp00001", "asr-act00001", region=REGION,
                                                            pause_first=True, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {"asr-act00001": "CANCELLED"}
    assert emu.calls()["StopInstanceRefresh"]["received"] == 0
    assert_sent_once(emu, "CancelInstanceRefresh", ["asr-act00001"])


# --- ECS StopInvocation --------------------------------------------------------------------------

ECS = [f"i-bp67acfmxazb4p{n:04d}" for n in (1, 2, 3)]


def mixed_invocation(emu) -> None:
    """t-mixed0001: one instance Pending, one Running, one already Success."""
    replace_state(emu, {"alibaba": {
        "instances": [{"InstanceId": i, "RegionId": ECS_REGION, "Status": "Running"} for i in ECS],
        "invocations": [{"InvokeId": "t-mixed0001", "RegionId": ECS_REGION, "InvocationStatus": "Running",
                         "InvokeInstances": [
                             {"InstanceId": ECS[0], "InvocationStatus": "Pending"},
                             {"InstanceId": ECS[1], "InvocationStatus": "Running"},
                             {"InstanceId": ECS[2], "InvocationStatus": "Success"}]}]}})


def test_an_ecs_stop_is_confirmed_per_instance_with_one_that_finished_before_it_landed(backend, emu):
    slow(emu)
    mixed_invocation(emu)
    r = alibaba_client(backend, emu).stop_invocation(ECS_REGION, "t-mixed0001", wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.outcomes == {"t-mixed0001": "done"}
    assert r.states == {ECS[0]: "Cancelled", ECS[1]: "Stopped", ECS[2]: "Success"}
    assert r.wait_results[ECS[2]] == "finished before the stop landed"
    assert r.wait_results[ECS[1]] not in ("waiting", "failed")
    assert_sent_once(emu, "StopInvocation", ["t-mixed0001"])


def test_an_ecs_standalone_wait_by_the_json_params(backend, emu):
    slow(emu)
    mixed_invocation(emu)
    client = alibaba_client(backend, emu)
    params = {"RegionId": ECS_REGION, "InvokeId": "t-mixed0001", "InstanceId": [ECS[1]]}
    sent = client.call("StopInvocation", params)
    assert isinstance(sent, Outcome), sent
    r = client.wait_call("StopInvocation", params, wait=FAST)
    assert isinstance(r, Outcome), r
    assert r.states == {ECS[1]: "Stopped"}
    assert_sent_once(emu, "StopInvocation", ["t-mixed0001"])

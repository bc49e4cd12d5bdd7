"""The `cloudhalt` command confirming a stop (the confirm issue) against the session emulator: the
Describe subcommands return every item of a paged answer, `--wait` ends with each ID's provider
state, a wait past its deadline exits 10 and a failed stop 11, the standalone waits, the AS
pause-first path, and the waiters never re-send a write (the emulator's per-ID counters).
"""
from __future__ import annotations

import json
import time

import pytest

from test_cli import json_lines, run

# Short pauses between two looks, so that waits on transitions of a few hundred ms stay quick.
FAST = ("--wait-min-delay", "0.1", "--wait-max-delay", "0.3")


def document(proc):
    """The one JSON document a Describe subcommand prints with --output json."""
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    return json.loads(lines[0])


def seed(emu, running, transition_ms=None, **extra):
    """`running` RUNNING instances ins-cf..., their transitions taking `transition_ms`."""
    tencent = {"running": running, "prefix": "ins-cf", **extra}
    if transition_ms is not None:
        tencent["transitionMs"] = transition_ms
    return emu.seed(tencent=tencent)["tencent"]


def received(emu, action, instance_id=None):
    calls = emu.calls()[action]
    if instance_id is None:
        return calls["received"]
    return calls["ids"].get(instance_id, {}).get("received", 0)


def applied(emu, action, instance_id):
    return emu.calls()[action]["ids"].get(instance_id, {}).get("applied", 0)


# ---------------------------------------------------------------- the Describe subcommands

def test_describe_instances_returns_every_page(emu):
    ids = seed(emu, 250)["running"]
    doc = document(run(emu, "--output", "json", "tencent", "describe-instances",
                       "--region", "ap-guangzhou"))
    # 160 seeded by default and 250 more: five pages of 100.
    assert len(doc["Response"]["InstanceSet"]) == 410
    assert doc["Response"]["TotalCount"] == 410
    assert received(emu, "DescribeInstances") >= 5
    doc = document(run(emu, "--output", "json", "tencent", "describe-instances",
                       "--region", "ap-guangzhou", "-", stdin="\n".join(ids)))
    assert sorted(i["InstanceId"] for i in doc["Response"]["InstanceSet"]) == ids


def test_describe_instances_filters(emu):
    doc = document(run(emu, "--output", "json", "tencent", "describe-instances",
                       "--region", "ap-guangzhou", "--filter", "instance-state=STOPPED"))
    states = {i["InstanceState"] for i in doc["Response"]["InstanceSet"]}
    assert states == {"STOPPED"} and len(doc["Response"]["InstanceSet"]) == 10
    before = received(emu, "DescribeInstances")
    proc = run(emu, "tencent", "describe-instances", "--region", "ap-guangzhou",
               "--filter", "instance-state=STOPPED", "ins-run00000")
    assert proc.returncode == 2 and "Filters" in proc.stderr, proc.stderr
    assert received(emu, "DescribeInstances") == before


@pytest.mark.parametrize("count", [3, 8])
def test_describe_invocation_tasks_of_some_instances(emu, count):
    fleet = seed(emu, 120)
    ids = fleet["running"]
    doc = document(run(emu, "--output", "json", "tencent", "describe-invocation-tasks",
                       "--region", "ap-guangzhou", "--invocation-id", fleet["invocationId"]))
    assert sorted(t["InstanceId"] for t in doc["Response"]["InvocationTaskSet"]) == ids
    doc = document(run(emu, "--output", "json", "tencent", "describe-invocation-tasks",
                       "--region", "ap-guangzhou", "--invocation-id", fleet["invocationId"],
                       *ids[:count]))
    assert [t["InstanceId"] for t in doc["Response"]["InvocationTaskSet"]] == ids[:count]
    assert doc["Response"]["TotalCount"] == count


def test_describe_refresh_activities_and_invocations(emu):
    doc = document(run(emu, "--output", "json", "tencent", "describe-refresh-activities",
                       "--auto-scaling-group-id", "asg-grp00001"))
    got = {a["RefreshActivityId"] for a in doc["Response"]["RefreshActivitySet"]}
    assert {"asr-act00001", "asr-act00002"} <= got
    doc = document(run(emu, "--output", "json", "alibaba", "describe-invocations",
                       "--region", "cn-hangzhou", "--invoke-id", "t-hz0jdfwd9f0003"))
    instances = doc["Invocations"]["Invocation"][0]["InvokeInstances"]["InvokeInstance"]
    assert len(instances) == 60


# ---------------------------------------------------------------- --wait and the standalone waits

def test_stop_with_wait_ends_with_every_id_stopped(emu):
    ids = seed(emu, 250, transition_ms=300)["running"]
    proc = run(emu, "--output", "json", "tencent", "stop-instances", "--region", "ap-guangzhou",
               "--wait", "--wait-timeout", "60", *FAST, "-", stdin="\n".join(ids))
    assert proc.returncode == 0, proc.stderr
    lines, summary = json_lines(proc)
    assert [line["id"] for line in lines] == ids
    assert {(line["outcome"], line["state"], line["result"]) for line in lines} == {
        ("done", "STOPPED", "stopped")}
    assert summary["states"] == {i: "STOPPED" for i in ids}
    assert all(received(emu, "StopInstances", i) == 1 for i in ids), "a waiter re-sent a stop"


def test_30_already_stopped_of_250_are_already_and_only_running_ones_are_resent(emu):
    ids = seed(emu, 250, transition_ms=0)["running"]
    first = run(emu, "tencent", "stop-instances", "--region", "ap-guangzhou", *ids[:30])
    assert first.returncode == 0, first.stderr
    proc = run(emu, "--output", "json", "tencent", "stop-instances", "--region", "ap-guangzhou",
               "-", stdin="\n".join(ids))
    assert proc.returncode == 0, proc.stderr
    lines, summary = json_lines(proc)
    assert summary["summary"]["already"] == 30 and summary["summary"]["done"] == 220
    assert {line["outcome"] for line in lines[:30]} == {"already"}
    # Every instance was stopped by exactly one applied request.
    assert all(applied(emu, "StopInstances", i) == 1 for i in ids)


def test_a_wait_past_its_deadline_exits_10_within_one_poll_interval(emu):
    ids = seed(emu, 2, transition_ms=60_000)["running"]
    started = time.monotonic()
    proc = run(emu, "--output", "json", "tencent", "stop-instances", "--region", "ap-guangzhou",
               "--wait", "--wait-timeout", "1", *FAST, *ids)
    took = time.monotonic() - started
    assert proc.returncode == 10, proc.stderr
    assert 1.0 <= took < 2.8, took
    lines, summary = json_lines(proc)
    assert {line["state"] for line in lines} == {"STOPPING"}
    assert summary["kind"] == "wait_timeout" and summary["ok"] is False
    error = json.loads(proc.stderr.strip().splitlines()[-1])
    assert error["kind"] == "wait_timeout" and ids[0] in error["message"]


def test_a_stop_the_provider_fails_exits_11_naming_the_ids(emu):
    ids = seed(emu, 2, transition_ms=200, failOperations=["StopInstances"])["running"]
    proc = run(emu, "tencent", "stop-instances", "--region", "ap-guangzhou", "--wait", *FAST, *ids)
    assert proc.returncode == 11, proc.stderr
    assert "wait_failed" in proc.stderr
    for i in ids:
        assert i in proc.stderr
        assert received(emu, "StopInstances", i) == 1


@pytest.mark.parametrize("charge, state, result", [
    ("PREPAID", "SHUTDOWN", "recycle bin"),
    ("POSTPAID_BY_HOUR", "gone", "gone"),
])
def test_terminate_with_wait_ends_in_the_recycle_bin_or_gone(emu, charge, state, result):
    ids = seed(emu, 2, transition_ms=200, chargeType=charge)["running"]
    proc = run(emu, "--output", "json", "tencent", "terminate-instances", "--region",
               "ap-guangzhou", "--wait", *FAST, *ids)
    assert proc.returncode == 0, proc.stderr
    lines, summary = json_lines(proc)
    assert {(line["state"], line["result"]) for line in lines} == {(state, result)}
    assert summary["wait_results"] == {i: result for i in ids}
    assert all(received(emu, "TerminateInstances", i) == 1 for i in ids)


def test_wait_instances_on_ids_sends_no_write(emu):
    ids = seed(emu, 3, transition_ms=400)["running"]
    assert run(emu, "tencent", "stop-instances", "--region", "ap-guangzhou", *ids).returncode == 0
    proc = run(emu, "--output", "json", "tencent", "wait-instances", "--region", "ap-guangzhou",
               "--state", "STOPPED", *FAST, *ids)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(line["id"], line["state"], line["then"]) for line in lines[:-1]] == [
        (i, "STOPPED", "success") for i in ids]
    assert lines[-1]["ok"] is True
    assert all(received(emu, "StopInstances", i) == 1 for i in ids)


def test_pause_first_cancels_a_refresh_with_a_batch_refreshing(emu):
    cancel = ("--output", "json", "tencent", "cancel-instance-refresh",
              "--auto-scaling-group-id", "asg-grp00001", "--refresh-activity-id", "asr-act00003")
    proc = run(emu, *cancel)
    assert proc.returncode == 6, proc.stderr
    assert "pause" in proc.stderr
    assert received(emu, "StopInstanceRefresh") == 0
    proc = run(emu, *cancel, "--pause-first", "--wait", *FAST)
    assert proc.returncode == 0, proc.stderr
    lines, _ = json_lines(proc)
    assert lines[0]["state"] == "CANCELLED"
    assert emu.calls()["StopInstanceRefresh"]["applied"] == 1

"""The read-only Describe calls, on every backend, against the emulator: each through the JSON
entry point (`call`), every page fetched and merged into one answer (Offset/Limit for Tencent,
NextToken for Alibaba), more IDs than one request takes asked in several requests and merged,
and bad parameters refused before anything is sent.

What a waiter reads is what these return, so the states must be the emulator's own.
"""
from __future__ import annotations

import pytest

from backends.base import Failure, Outcome
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)

REGION = "ap-guangzhou"


def tencent_client(backend, emu, **settings):
    client = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, **settings)
    assert not isinstance(client, Failure), client
    return client


def alibaba_client(backend, emu, **settings):
    client = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url, **settings)
    assert not isinstance(client, Failure), client
    return client


def emulator_instances(emu, region=REGION) -> dict:
    return {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]
            if i["Region"] == region}


def received(emu, action: str) -> int:
    return emu.calls().get(action, {}).get("received", 0)


# --- CVM DescribeInstances -----------------------------------------------------------------------

def test_describe_instances_of_a_region_fetches_every_page(backend, emu):
    r = tencent_client(backend, emu).call("DescribeInstances", {"Limit": 7}, region=REGION)
    assert isinstance(r, Outcome), r
    items = r.data["Response"]["InstanceSet"]
    want = emulator_instances(emu)
    assert len(want) == 160  # the built-in seed: 150 RUNNING, 10 STOPPED
    assert {i["InstanceId"]: i["InstanceState"] for i in items} == want
    assert len(items) == len(want), "no instance twice"
    assert r.data["Response"]["TotalCount"] == len(want)
    # 160 at 7 a page: 23 pages, each one request.
    assert received(emu, "DescribeInstances") == 23


def test_describe_instances_of_more_ids_than_one_request_takes(backend, emu):
    ids = [f"ins-run{n:05d}" for n in range(150)] + ["ins-stp00000"]
    r = tencent_client(backend, emu).call("DescribeInstances", {"InstanceIds": ids}, region=REGION)
    assert isinstance(r, Outcome), r
    items = r.data["Response"]["InstanceSet"]
    assert sorted(i["InstanceId"] for i in items) == sorted(ids)
    assert r.data["Response"]["TotalCount"] == 151
    states = {i["InstanceId"]: i["InstanceState"] for i in items}
    assert states["ins-stp00000"] == "STOPPED" and states["ins-run00149"] == "RUNNING"
    # What a waiter reads is there on every instance.
    assert all("InstanceChargeType" in i for i in items), items[0]
    assert received(emu, "DescribeInstances") == 2  # 100 + 51 IDs


def test_describe_instances_lists_an_unknown_id_as_absent(backend, emu):
    r = tencent_client(backend, emu).call(
        "DescribeInstances", {"InstanceIds": ["ins-run00000", "ins-nothere1"]}, region=REGION)
    assert isinstance(r, Outcome), r
    assert [i["InstanceId"] for i in r.data["Response"]["InstanceSet"]] == ["ins-run00000"]


def test_describe_instances_by_filter(backend, emu):
    r = tencent_client(backend, emu).call(
        "DescribeInstances", {"Filters": [{"Name": "instance-state", "Values": ["STOPPED"]}]},
        region=REGION)
    assert isinstance(r, Outcome), r
    assert sorted(i["InstanceId"] for i in r.data["Response"]["InstanceSet"]) == \
        [f"ins-stp{n:05d}" for n in range(10)]


def test_describe_instances_sees_a_stop(backend, emu):
    client = tencent_client(backend, emu)
    stop = client.stop_instances(REGION, ["ins-run00007"])
    assert isinstance(stop, Outcome), stop
    r = client.call("DescribeInstances", {"InstanceIds": ["ins-run00007"]}, region=REGION)
    assert isinstance(r, Outcome), r
    assert r.data["Response"]["InstanceSet"][0]["InstanceState"] in ("STOPPING", "STOPPED")


@pytest.mark.parametrize("params, field", [
    ({"InstanceIds": ["ins-run00000"], "Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}]},
     "Filters"),
    ({"Limit": 101}, "Limit"),
    ({"Limit": 0}, "Limit"),
    ({"InstanceIds": ["i-notcvm01"]}, "InstanceIds"),
    ({"Filters": [{"Name": "instance-state", "Values": []}]}, "Filters"),
    ({"NoSuchParameter": 1}, "NoSuchParameter"),
])
def test_bad_describe_instances_is_refused_before_anything_is_sent(backend, emu, params, field):
    r = tencent_client(backend, emu).call("DescribeInstances", params, region=REGION)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert field in r.message, r.message
    assert received(emu, "DescribeInstances") == 0


def test_describe_needs_a_region(backend, emu):
    r = tencent_client(backend, emu).call("DescribeInstances", {})
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert "region" in r.message.lower(), r.message


# --- TAT DescribeInvocationTasks ------------------------------------------------------------------

def test_describe_invocation_tasks_of_an_invocation(backend, emu):
    r = tencent_client(backend, emu).call(
        "DescribeInvocationTasks",
        {"Filters": [{"Name": "invocation-id", "Values": ["inv-inv00001"]}], "Limit": 1},
        region=REGION)
    assert isinstance(r, Outcome), r
    tasks = r.data["Response"]["InvocationTaskSet"]
    assert {t["InstanceId"]: t["TaskStatus"] for t in tasks} == {
        "ins-run00000": "PENDING", "ins-run00001": "RUNNING", "ins-run00002": "SUCCESS",
        "lhins-lh000001": "DELIVERING"}
    assert r.data["Response"]["TotalCount"] == 4
    assert received(emu, "DescribeInvocationTasks") == 4  # one task a page


def test_describe_invocation_tasks_sees_a_cancel(backend, emu):
    emu.configure(transitionMs=0)  # a RUNNING task is TERMINATED at once
    client = tencent_client(backend, emu)
    cancel = client.cancel_invocation(REGION, "inv-inv00002")
    assert isinstance(cancel, Outcome), cancel
    r = client.call("DescribeInvocationTasks",
                    {"Filters": [{"Name": "invocation-id", "Values": ["inv-inv00002"]}]}, region=REGION)
    assert isinstance(r, Outcome), r
    tasks = {t["InstanceId"]: t["TaskStatus"] for t in r.data["Response"]["InvocationTaskSet"]}
    assert tasks == {"ins-run00003": "CANCELLED", "ins-run00004": "TERMINATED"}


def test_describe_invocation_tasks_never_fetches_output(backend, emu):
    r = tencent_client(backend, emu).call(
        "DescribeInvocationTasks",
        {"Filters": [{"Name": "invocation-id", "Values": ["inv-inv00001"]}], "HideOutput": False},
        region=REGION)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert "HideOutput" in r.message, r.message
    assert received(emu, "DescribeInvocationTasks") == 0


def test_describe_invocation_tasks_checks_the_invocation_id(backend, emu):
    r = tencent_client(backend, emu).call(
        "DescribeInvocationTasks", {"Filters": [{"Name": "invocation-id", "Values": ["t-notatat"]}]},
        region=REGION)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert "invocation-id" in r.message, r.message
    assert received(emu, "DescribeInvocationTasks") == 0


# --- AS DescribeRefreshActivities ----------------------------------------------------------------

def test_describe_refresh_activities_by_id_and_by_group(backend, emu):
    client = tencent_client(backend, emu)
    r = client.call("DescribeRefreshActivities", {"RefreshActivityIds": ["asr-act00001"]})
    assert isinstance(r, Outcome), r
    (activity,) = r.data["Response"]["RefreshActivitySet"]
    assert activity["RefreshActivityId"] == "asr-act00001" and activity["Status"] == "RUNNING"
    assert [b["RefreshBatchStatus"] for b in activity["RefreshBatchSet"]][:1] == ["SUCCESSFUL"]
    r = client.call("DescribeRefreshActivities",
                    {"Filters": [{"Name": "auto-scaling-group-id", "Values": ["asg-grp00001"]}],
                     "Limit": 1}, region=REGION)
    assert isinstance(r, Outcome), r
    got = {a["RefreshActivityId"]: a["Status"] for a in r.data["Response"]["RefreshActivitySet"]}
    assert got["asr-act00001"] == "RUNNING" and got["asr-act00002"] == "SUCCESSFUL"
    assert r.data["Response"]["TotalCount"] == len(got)


# --- ECS DescribeInvocations ---------------------------------------------------------------------

def test_describe_invocations_follows_next_token(backend, emu):
    r = alibaba_client(backend, emu).call(
        "DescribeInvocations", {"RegionId": "cn-hangzhou", "MaxResults": 1})
    assert isinstance(r, Outcome), r
    invocations = r.data["Invocations"]["Invocation"]
    want = {i["InvokeId"] for i in emu.state()["alibaba"]["invocations"] if i["RegionId"] == "cn-hangzhou"}
    assert {i["InvokeId"] for i in invocations} == want and len(invocations) == len(want)
    assert received(emu, "DescribeInvocations") == len(want)


def test_describe_invocations_gives_every_instance_status(backend, emu):
    emu.configure(transitionMs=0)  # a Running instance is Stopped at once
    client = alibaba_client(backend, emu)
    stop = client.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", ["i-bp67acfmxazb4p0001"])
    assert isinstance(stop, Outcome), stop
    r = client.call("DescribeInvocations", {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001"})
    assert isinstance(r, Outcome), r
    (invocation,) = r.data["Invocations"]["Invocation"]
    per_instance = {i["InstanceId"]: i["InvocationStatus"]
                    for i in invocation["InvokeInstances"]["InvokeInstance"]}
    assert per_instance["i-bp67acfmxazb4p0001"] == "Stopped"
    assert per_instance["i-bp67acfmxazb4p0002"] == "Running"


@pytest.mark.parametrize("params, field", [
    ({"InvokeId": "t-hz0jdfwd9f0001"}, "RegionId"),
    ({"RegionId": "cn-hangzhou", "MaxResults": 51}, "MaxResults"),
    ({"RegionId": "cn-hangzhou", "InvokeId": "inv-nottat"}, "InvokeId"),
])
def test_bad_describe_invocations_is_refused_before_anything_is_sent(backend, emu, params, field):
    r = alibaba_client(backend, emu).call("DescribeInvocations", params)
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    assert field in r.message, r.message
    assert received(emu, "DescribeInvocations") == 0


def test_describe_calls_are_retried_on_a_lost_answer(backend, emu):
    # Read-only, so repeatable: an answer lost after the call was read is simply asked again.
    emu.fault(kind="close", provider="tencent", action="DescribeInstances")
    r = tencent_client(backend, emu).call("DescribeInstances", {"InstanceIds": ["ins-run00000"]},
                                          region=REGION)
    assert isinstance(r, Outcome), r
    assert r.data["Response"]["InstanceSet"][0]["InstanceId"] == "ins-run00000"
    assert received(emu, "DescribeInstances") == 2

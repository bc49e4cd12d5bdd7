"""The typed Describe methods of the Python package: each returns a Response whose .data is the
provider's JSON with every page merged, the same as `call` of the action, and its keyword
arguments become the provider's parameters (filters, page size) with the core's checks."""
from __future__ import annotations

import pytest

from pyhelp import ali, cloudhalt, tc  # noqa: F401

REGION = "ap-guangzhou"


def received(emu, action):
    return emu.calls()[action]["received"]


def instance_ids(r):
    return sorted(i["InstanceId"] for i in r.data["Response"]["InstanceSet"])


def test_describe_instances_returns_every_page_as_a_dict(tc, emu):
    r = tc.describe_instances(REGION, limit=9)
    assert isinstance(r, cloudhalt.Response) and isinstance(r.data, dict)
    assert r.action == "DescribeInstances" and r.provider == "tencent"
    assert len(r.data["Response"]["InstanceSet"]) == 160 == r.data["Response"]["TotalCount"]
    by_call = tc.call("DescribeInstances", {"Limit": 9}, region=REGION)
    assert by_call.data["Response"]["InstanceSet"] == r.data["Response"]["InstanceSet"]
    assert received(emu, "DescribeInstances") == 2 * 18  # 160 at 9 a page, twice


def test_describe_instances_by_ids_any_number(tc, emu):
    ids = [f"ins-run{n:05d}" for n in range(120)]
    r = tc.describe_instances(REGION, ids)
    assert instance_ids(r) == sorted(ids)
    assert received(emu, "DescribeInstances") == 2
    assert tc.describe_instances(REGION, iter(ids[:3])).data["Response"]["TotalCount"] == 3


@pytest.mark.parametrize("filters", [
    {"instance-state": ["STOPPED"]},
    {"instance-state": "STOPPED"},
    [{"Name": "instance-state", "Values": ["STOPPED"]}],
    ({"Name": "instance-state", "Values": ("STOPPED",)},),
])
def test_describe_instances_filters_as_a_dict_or_the_providers_list(tc, emu, filters):
    r = tc.describe_instances(REGION, filters=filters)
    assert instance_ids(r) == [f"ins-stp{n:05d}" for n in range(10)]


def test_describe_instances_refuses_ids_with_filters(tc, emu):
    with pytest.raises(cloudhalt.InvalidInputError) as e:
        tc.describe_instances(REGION, ["ins-run00000"], filters={"instance-state": "RUNNING"})
    assert "Filters" in str(e.value) and e.value.send_state == "not_built"
    assert received(emu, "DescribeInstances") == 0


@pytest.mark.parametrize("limit", [0, -1, 101, 2**40])
def test_a_bad_page_size_is_refused_naming_it(tc, emu, limit):
    with pytest.raises(cloudhalt.InvalidInputError) as e:
        tc.describe_instances(REGION, limit=limit)
    assert e.value.field == "Limit" and str(limit) in str(e.value), e.value
    assert received(emu, "DescribeInstances") == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"instance_ids": "ins-run00000"}, "instance_ids"),
    ({"filters": "instance-state=RUNNING"}, "filters"),
    ({"filters": [("instance-state", ["RUNNING"])]}, "filters[0]"),
    ({"filters": {"instance-state": 5}}, "instance-state"),
    ({"limit": "10"}, "limit"),
])
def test_wrong_types_are_type_errors(tc, kwargs, message):
    with pytest.raises(TypeError) as e:
        tc.describe_instances(REGION, **kwargs)
    assert message in str(e.value), e.value


def test_describe_invocation_tasks_of_an_invocation_on_some_instances(tc, emu):
    r = tc.describe_invocation_tasks(REGION, "inv-inv00001")
    tasks = {t["InstanceId"]: t["TaskStatus"] for t in r.data["Response"]["InvocationTaskSet"]}
    assert tasks == {"ins-run00000": "PENDING", "ins-run00001": "RUNNING", "ins-run00002": "SUCCESS",
                     "lhins-lh000001": "DELIVERING"}
    r = tc.describe_invocation_tasks(REGION, "inv-inv00001", instance_ids=["ins-run00001", "ins-run00002"],
                                     limit=1)
    assert sorted(t["InstanceId"] for t in r.data["Response"]["InvocationTaskSet"]) == \
        ["ins-run00001", "ins-run00002"]
    task_ids = [t["InvocationTaskId"] for t in r.data["Response"]["InvocationTaskSet"]]
    by_id = tc.describe_invocation_tasks(REGION, invocation_task_ids=task_ids)
    assert sorted(t["InvocationTaskId"] for t in by_id.data["Response"]["InvocationTaskSet"]) == sorted(task_ids)


def test_describe_invocation_tasks_checks_the_invocation_id(tc, emu):
    with pytest.raises(cloudhalt.InvalidInputError) as e:
        tc.describe_invocation_tasks(REGION, "t-hz0jdfwd9f0001")
    assert "invocation-id" in str(e.value)
    assert received(emu, "DescribeInvocationTasks") == 0


def test_describe_refresh_activities_by_group_or_id(tc, emu):
    r = tc.describe_refresh_activities(auto_scaling_group_id="asg-grp00001", region=REGION)
    got = {a["RefreshActivityId"]: a["Status"] for a in r.data["Response"]["RefreshActivitySet"]}
    assert got["asr-act00001"] == "RUNNING" and got["asr-act00002"] == "SUCCESSFUL"
    r = tc.describe_refresh_activities(["asr-act00002"])
    assert [a["Status"] for a in r.data["Response"]["RefreshActivitySet"]] == ["SUCCESSFUL"]
    r = tc.describe_refresh_activities(filters={"refresh-activity-status-code": ["RUNNING"]}, region=REGION)
    running = sorted(a["RefreshActivityId"] for g in emu.state()["tencent"]["scalingGroups"]
                     for a in g["RefreshActivities"] if a["Status"] == "RUNNING")
    assert "asr-act00001" in running
    assert sorted(a["RefreshActivityId"] for a in r.data["Response"]["RefreshActivitySet"]) == running


def test_describe_invocations_every_page(ali, emu):
    r = ali.describe_invocations("cn-hangzhou", max_results=1)
    assert r.action == "DescribeInvocations" and r.provider == "alibaba"
    ids = {i["InvokeId"] for i in r.data["Invocations"]["Invocation"]}
    assert {"t-hz0jdfwd9f0001", "t-hz0jdfwd9f0002", "t-hz0jdfwd9f0003"} <= ids
    r = ali.describe_invocations("cn-hangzhou", "t-hz0jdfwd9f0003")
    (inv,) = r.data["Invocations"]["Invocation"]
    assert len(inv["InvokeInstances"]["InvokeInstance"]) == 60
    r = ali.describe_invocations("cn-hangzhou", instance_id="i-bp67acfmxazb4p0004")
    assert "t-hz0jdfwd9f0002" in {i["InvokeId"] for i in r.data["Invocations"]["Invocation"]}


@pytest.mark.parametrize("kwargs, field", [({"max_results": 0}, "MaxResults"),
                                           ({"max_results": 51}, "MaxResults"),
                                           ({"instance_id": "ins-notecs1"}, "InstanceId")])
def test_describe_invocations_bad_values(ali, emu, kwargs, field):
    with pytest.raises(cloudhalt.InvalidInputError) as e:
        ali.describe_invocations("cn-hangzhou", **kwargs)
    assert e.value.field == field, e.value
    assert received(emu, "DescribeInvocations") == 0


def test_describe_signatures():
    import inspect
    assert str(inspect.signature(cloudhalt.Tencent.describe_instances)) == \
        "(self, /, region, instance_ids=None, *, filters=None, limit=None)"
    assert str(inspect.signature(cloudhalt.Tencent.describe_invocation_tasks)) == \
        "(self, /, region, invocation_id=None, *, instance_ids=None, invocation_task_ids=None, " \
        "filters=None, limit=None)"
    assert str(inspect.signature(cloudhalt.Tencent.describe_refresh_activities)) == \
        "(self, /, refresh_activity_ids=None, *, auto_scaling_group_id=None, filters=None, region=None, " \
        "limit=None)"
    assert str(inspect.signature(cloudhalt.Alibaba.describe_invocations)) == \
        "(self, /, region_id, invoke_id=None, *, instance_id=None, max_results=None)"

"""The five operations and both JSON entry points against the emulator, on every backend: each
call succeeds, returns the provider's RequestId and answer, and changes the emulator's state as
the provider documents."""
from __future__ import annotations

import pytest

from backends.base import Failure, Outcome
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)


def tencent_instance(state: dict, instance_id: str):
    """The instance's state, or None when the emulator no longer lists it."""
    for i in state["tencent"]["instances"]:
        if i["InstanceId"] == instance_id:
            return i["InstanceState"]
    return None


def tat_tasks(state: dict, invocation_id: str) -> dict:
    inv = next(i for i in state["tencent"]["invocations"] if i["InvocationId"] == invocation_id)
    return {t["InstanceId"]: t["TaskStatus"] for t in inv["Tasks"]}


def refresh_activity(state: dict, group: str, activity: str) -> dict:
    g = next(g for g in state["tencent"]["scalingGroups"] if g["AutoScalingGroupId"] == group)
    return next(a for a in g["RefreshActivities"] if a["RefreshActivityId"] == activity)


def alibaba_invocation(state: dict, invoke_id: str) -> dict:
    return next(i for i in state["alibaba"]["invocations"] if i["InvokeId"] == invoke_id)


def assert_tencent_outcome(result) -> None:
    assert isinstance(result, Outcome), result
    assert result.request_id
    assert result.data["Response"]["RequestId"] == result.request_id
    assert "Error" not in result.data["Response"]


def assert_alibaba_outcome(result) -> None:
    assert isinstance(result, Outcome), result
    assert result.request_id
    assert result.data["RequestId"] == result.request_id
    assert "Code" not in result.data


def test_stop_instances_stops_running_instances(tencent, emu):
    before = emu.state()["requests"].get("StopInstances", 0)
    result = tencent.stop_instances("ap-guangzhou", ["ins-run00000", "ins-run00001"])
    assert_tencent_outcome(result)
    state = emu.state()
    assert tencent_instance(state, "ins-run00000") in ("STOPPING", "STOPPED")
    assert tencent_instance(state, "ins-run00001") in ("STOPPING", "STOPPED")
    assert tencent_instance(state, "ins-run00002") == "RUNNING"
    assert state["requests"]["StopInstances"] == before + 1


@pytest.mark.parametrize("stop_type", ["SOFT", "HARD", "SOFT_FIRST"])
def test_stop_instances_with_each_stop_type(tencent, emu, stop_type):
    result = tencent.stop_instances("ap-guangzhou", ["ins-run00003"], stop_type=stop_type,
                                    stopped_mode="STOP_CHARGING")
    assert_tencent_outcome(result)
    assert tencent_instance(emu.state(), "ins-run00003") in ("STOPPING", "STOPPED")


def test_stop_instances_deprecated_force_stop_alone(tencent, emu):
    assert_tencent_outcome(tencent.stop_instances("ap-guangzhou", ["ins-run00004"], force_stop=True))
    assert tencent_instance(emu.state(), "ins-run00004") in ("STOPPING", "STOPPED")


def test_stop_instances_accepts_100_ids(tencent, emu):
    emu.configure(transitionMs=0)
    ids = [f"ins-run{n:05d}" for n in range(100)]
    assert_tencent_outcome(tencent.stop_instances("ap-guangzhou", ids))
    state = emu.state()
    assert all(tencent_instance(state, i) == "STOPPED" for i in ids)
    assert tencent_instance(state, "ins-run00100") == "RUNNING"


def test_stop_instances_other_region(tencent, emu):
    assert_tencent_outcome(tencent.stop_instances("ap-shanghai", ["ins-sha00000"]))
    assert tencent_instance(emu.state(), "ins-sha00000") in ("STOPPING", "STOPPED")


def test_terminate_instances(tencent, emu):
    result = tencent.terminate_instances("ap-guangzhou", ["ins-run00010", "ins-stp00001"],
                                         release_prepaid_data_disks=True)
    assert_tencent_outcome(result)
    state = emu.state()
    for i in ("ins-run00010", "ins-stp00001"):
        assert tencent_instance(state, i) in (None, "SHUTDOWN", "TERMINATING")
    assert tencent_instance(state, "ins-run00011") == "RUNNING"
    assert state["requests"]["TerminateInstances"] == 1


def test_cancel_invocation_on_every_instance(tencent, emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    assert_tencent_outcome(tencent.cancel_invocation("ap-guangzhou", "inv-inv00001"))
    tasks = tat_tasks(emu.state(), "inv-inv00001")
    assert tasks == {"ins-run00000": "CANCELLED", "ins-run00001": "TERMINATED",
                     "ins-run00002": "SUCCESS", "lhins-lh000001": "CANCELLED"}


def test_cancel_invocation_on_some_instances(tencent, emu):
    assert_tencent_outcome(tencent.cancel_invocation("ap-guangzhou", "inv-inv00002", ["ins-run00003"]))
    tasks = tat_tasks(emu.state(), "inv-inv00002")
    assert tasks == {"ins-run00003": "CANCELLED", "ins-run00004": "RUNNING"}


def test_cancel_instance_refresh(tencent, emu):
    result = tencent.cancel_instance_refresh("asg-grp00001", "asr-act00001", region="ap-guangzhou")
    assert_tencent_outcome(result)
    activity = refresh_activity(emu.state(), "asg-grp00001", "asr-act00001")
    assert activity["Status"] == "CANCELLED"
    batches = {b["BatchNumber"]: b["BatchStatus"] for b in activity["Batches"]}
    assert batches == {1: "SUCCESSFUL", 2: "CANCELLED", 3: "CANCELLED"}


def test_stop_invocation_on_some_instances(alibaba, emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    result = alibaba.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001",
                                     ["i-bp67acfmxazb4p0001", "i-bp67acfmxazb4p0002"])
    assert_alibaba_outcome(result)
    inv = alibaba_invocation(emu.state(), "t-hz0jdfwd9f0001")
    per_instance = {i["InstanceId"]: i["InvocationStatus"] for i in inv["InvokeInstances"]}
    assert per_instance == {"i-bp67acfmxazb4p0001": "Stopped", "i-bp67acfmxazb4p0002": "Stopped",
                            "i-bp67acfmxazb4p0003": "Running"}
    assert emu.state()["requests"]["StopInvocation"] == 1


def test_stop_invocation_on_every_instance(alibaba, emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    assert_alibaba_outcome(alibaba.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001"))
    inv = alibaba_invocation(emu.state(), "t-hz0jdfwd9f0001")
    assert inv["InvocationStatus"] == "Stopped"
    assert {i["InvocationStatus"] for i in inv["InvokeInstances"]} == {"Stopped"}


def test_stop_invocation_accepts_50_ids(alibaba, emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    ids = [f"i-bp67acfmxazb4p{n:04d}" for n in range(1, 51)]
    assert_alibaba_outcome(alibaba.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0003", ids))
    inv = alibaba_invocation(emu.state(), "t-hz0jdfwd9f0003")
    stopped = {i["InstanceId"] for i in inv["InvokeInstances"] if i["InvocationStatus"] == "Stopped"}
    assert stopped == set(ids)


def test_tencent_json_entry_point(tencent, emu):
    result = tencent.call("StopInstances", {"InstanceIds": ["ins-run00020"], "StopType": "SOFT_FIRST"},
                          region="ap-guangzhou")
    assert_tencent_outcome(result)
    assert tencent_instance(emu.state(), "ins-run00020") in ("STOPPING", "STOPPED")
    result = tencent.call("CancelInstanceRefresh",
                          {"AutoScalingGroupId": "asg-grp00001", "RefreshActivityId": "asr-act00001"},
                          region="ap-guangzhou")
    assert_tencent_outcome(result)
    assert refresh_activity(emu.state(), "asg-grp00001", "asr-act00001")["Status"] == "CANCELLED"


def test_tencent_json_entry_point_terminate_and_cancel(tencent, emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    assert_tencent_outcome(tencent.call("TerminateInstances", {"InstanceIds": ["ins-run00021"]},
                                        region="ap-guangzhou"))
    assert tencent_instance(emu.state(), "ins-run00021") in (None, "SHUTDOWN", "TERMINATING")
    assert_tencent_outcome(tencent.call("CancelInvocation", {"InvocationId": "inv-inv00002"},
                                        region="ap-guangzhou"))
    assert set(tat_tasks(emu.state(), "inv-inv00002").values()) == {"CANCELLED", "TERMINATED"}


@pytest.mark.parametrize("params", [
    {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001", "InstanceId": ["i-bp67acfmxazb4p0003"]},
    {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001", "InstanceId.1": "i-bp67acfmxazb4p0003"},
], ids=["list", "wire-form"])
def test_alibaba_json_entry_point(alibaba, emu, params):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    assert_alibaba_outcome(alibaba.call("StopInvocation", params))
    inv = alibaba_invocation(emu.state(), "t-hz0jdfwd9f0001")
    per_instance = {i["InstanceId"]: i["InvocationStatus"] for i in inv["InvokeInstances"]}
    assert per_instance["i-bp67acfmxazb4p0003"] == "Stopped"
    assert per_instance["i-bp67acfmxazb4p0001"] == "Running"


def test_clients_from_the_environment(backend, emu, chain_home, monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", TENCENT_SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", TENCENT_SECRET_KEY)
    monkeypatch.delenv("TENCENTCLOUD_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ALIBABA_ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ALIBABA_ACCESS_KEY_SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    tencent = backend.tencent_from_env(endpoint=emu.url)
    assert not isinstance(tencent, Failure), tencent
    assert_tencent_outcome(tencent.stop_instances("ap-guangzhou", ["ins-run00030"]))
    alibaba = backend.alibaba_from_env(endpoint=emu.url)
    assert not isinstance(alibaba, Failure), alibaba
    assert_alibaba_outcome(alibaba.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001"))


def test_session_tokens_are_sent(backend, emu):
    tencent = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, "sts-session-token", endpoint=emu.url)
    assert_tencent_outcome(tencent.stop_instances("ap-guangzhou", ["ins-run00031"]))
    alibaba = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, "sts-security-token",
                              endpoint=emu.url)
    assert_alibaba_outcome(alibaba.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001"))


def test_version_is_the_cargo_version(backend):
    import re
    from conftest import ROOT
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    version = re.search(r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', cargo, re.M | re.S).group(1)
    assert backend.version() == version

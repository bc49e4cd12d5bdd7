"""The providers' official Python SDKs accept the emulator as the real service.

Each official client (tencentcloud cvm, tat, autoscaling; alibabacloud_ecs20140526) is pointed at the
session emulator, calls all five operations, and sees them succeed and change state; the emulator's
errors surface as the SDK surfaces the real service's (TencentCloudSDKException with the code and
RequestId; the Tea exception with the code, HTTP status and RequestId); a wrong secret, an old
timestamp, a changed body and a reused nonce are refused with the provider's codes. The Tencent
SDK's GET form (`reqMethod="GET"`: parameters flattened into the query, signed over it) works too.
"""
from __future__ import annotations

import time

import pytest

from conftest import (
    ALIBABA_ACCESS_KEY_ID,
    ALIBABA_ACCESS_KEY_SECRET,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
)

tc_common = pytest.importorskip("tencentcloud.common.credential")
from tencentcloud.autoscaling.v20180419 import autoscaling_client, models as as_models  # noqa: E402
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # noqa: E402
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402
from tencentcloud.cvm.v20170312 import cvm_client, models as cvm_models  # noqa: E402
from tencentcloud.tat.v20201028 import models as tat_models, tat_client  # noqa: E402

pytest.importorskip("alibabacloud_ecs20140526")
from alibabacloud_ecs20140526 import models as ecs_models  # noqa: E402
from alibabacloud_ecs20140526.client import Client as EcsClient  # noqa: E402
from alibabacloud_tea_openapi.models import Config as AliConfig  # noqa: E402
from alibabacloud_tea_openapi.utils import Utils as AliUtils  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402
from Tea.exceptions import TeaException  # noqa: E402


# ---------------------------------------------------------------- clients


def host_port(emu) -> str:
    return emu.url.removeprefix("http://")


def tencent_profile(emu, method="POST") -> ClientProfile:
    http = HttpProfile(endpoint=host_port(emu), reqMethod=method, protocol="http", reqTimeout=10)
    return ClientProfile(httpProfile=http)


def tencent_credential(secret_key=TENCENT_SECRET_KEY, token=None):
    return tc_common.Credential(TENCENT_SECRET_ID, secret_key, token)


def cvm(emu, region="ap-guangzhou", method="POST", **kw):
    return cvm_client.CvmClient(tencent_credential(**kw), region, tencent_profile(emu, method))


def tat(emu, region="ap-guangzhou", method="POST"):
    return tat_client.TatClient(tencent_credential(), region, tencent_profile(emu, method))


def autoscaling(emu, region="ap-guangzhou", method="POST"):
    return autoscaling_client.AutoscalingClient(tencent_credential(), region,
                                                tencent_profile(emu, method))


def ecs(emu, secret=ALIBABA_ACCESS_KEY_SECRET, token=None):
    config = AliConfig(endpoint=host_port(emu), protocol="http", region_id="cn-hangzhou",
                       access_key_id=ALIBABA_ACCESS_KEY_ID, access_key_secret=secret,
                       security_token=token, read_timeout=10000, connect_timeout=5000)
    return EcsClient(config)


def stop_instances(client, ids):
    req = cvm_models.StopInstancesRequest()
    req.InstanceIds = ids
    return client.StopInstances(req)


def stop_invocation(client, invoke_id, ids=None, region="cn-hangzhou"):
    req = ecs_models.StopInvocationRequest(region_id=region, invoke_id=invoke_id, instance_id=ids)
    return client.stop_invocation_with_options(req, RuntimeOptions())


# ---------------------------------------------------------------- state helpers


def cvm_state(emu, instance_id):
    for i in emu.state()["tencent"]["instances"]:
        if i["InstanceId"] == instance_id:
            return i["InstanceState"]
    return None


def tencent_error(call) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as info:
        call()
    err = info.value
    assert err.get_request_id(), f"no RequestId in {err}"
    return err


def alibaba_error(call) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    err = info.value
    assert err.data and err.data.get("RequestId"), f"no RequestId in {err}"
    return err


# ---------------------------------------------------------------- the five operations


def test_cvm_stop_instances(emu):
    resp = stop_instances(cvm(emu), ["ins-run00000", "ins-run00001"])
    assert len(resp.RequestId) == 36
    assert cvm_state(emu, "ins-run00000") == "STOPPING"
    assert cvm_state(emu, "ins-run00001") == "STOPPING"
    state = emu.state()
    assert state["requests"]["StopInstances"] == 1
    assert state["lastCall"]["tencent"]["requestId"] == resp.RequestId


def test_cvm_terminate_instances(emu):
    req = cvm_models.TerminateInstancesRequest()
    req.InstanceIds = ["ins-stp00003"]
    req.ReleasePrepaidDataDisks = True
    resp = cvm(emu).TerminateInstances(req)
    assert resp.RequestId
    assert cvm_state(emu, "ins-stp00003") == "TERMINATING"


def test_tat_cancel_invocation(emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    req = tat_models.CancelInvocationRequest()
    req.InvocationId = "inv-inv00002"
    resp = tat(emu).CancelInvocation(req)
    assert resp.RequestId
    inv = emu.state()["tencent"]["invocations"][1]
    assert {t["InstanceId"]: t["TaskStatus"] for t in inv["Tasks"]} == {
        "ins-run00003": "CANCELLED", "ins-run00004": "TERMINATED"}


def test_as_cancel_instance_refresh(emu):
    req = as_models.CancelInstanceRefreshRequest()
    req.AutoScalingGroupId = "asg-grp00001"
    req.RefreshActivityId = "asr-act00001"
    resp = autoscaling(emu).CancelInstanceRefresh(req)
    assert resp.RequestId
    activity = emu.state()["tencent"]["scalingGroups"][0]["RefreshActivities"][0]
    assert activity["Status"] == "CANCELLED"
    assert [b["BatchStatus"] for b in activity["Batches"]] == ["SUCCESSFUL", "CANCELLED", "CANCELLED"]


def test_ecs_stop_invocation(emu):
    emu.configure(transitionMs=0)  # the end states at once (RUNNING tasks pass through CANCELLING / Stopping)
    resp = stop_invocation(ecs(emu), "t-hz0jdfwd9f0001", ["i-bp67acfmxazb4p0002"])
    assert resp.status_code == 200
    assert resp.body.request_id == resp.body.request_id.upper()
    inv = emu.state()["alibaba"]["invocations"][0]
    assert [i["InvocationStatus"] for i in inv["InvokeInstances"]] == ["Running", "Stopped", "Running"]
    stop_invocation(ecs(emu), "t-hz0jdfwd9f0001")
    inv = emu.state()["alibaba"]["invocations"][0]
    assert inv["InvocationStatus"] == "Stopped"
    # The SDK signs accept, user-agent and its own x-acs-* headers: all verified.
    signed = emu.state()["lastCall"]["alibaba"]["signedHeaders"].split(";")
    assert {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(signed)


def test_session_tokens_are_sent(emu):
    stop_instances(cvm(emu, token="tencent-sts-token"), ["ins-run00005"])
    stop_invocation(ecs(emu, token="alibaba-sts-token"), "t-hz0jdfwd9f0002")
    last = emu.state()["lastCall"]
    assert last["tencent"]["tokenPresent"] is True
    assert last["alibaba"]["tokenPresent"] is True


# ---------------------------------------------------------------- errors as the SDKs surface them


@pytest.mark.parametrize("ids, code", [
    (["ins-zzzzzzzz"], "InvalidInstanceId.NotFound"),
    (["ins-stp00000"], "UnsupportedOperation.InstanceStateStopped"),
    (["ins-NOTVALID"], "InvalidParameterValue.InstanceIdMalformed"),
    ([f"ins-run{i:05}" for i in range(101)], "InvalidParameterValue.LimitExceeded"),
])
def test_cvm_errors(emu, ids, code):
    err = tencent_error(lambda: stop_instances(cvm(emu), ids))
    assert err.get_code() == code
    assert cvm_state(emu, "ins-run00000") == "RUNNING"


def test_tat_errors(emu):
    req = tat_models.CancelInvocationRequest()
    req.InvocationId = "inv-zzzzzzzz"
    assert tencent_error(lambda: tat(emu).CancelInvocation(req)).get_code() == \
        "ResourceNotFound.InvocationNotFound"
    req.InvocationId = "inv-inv00001"
    req.InstanceIds = ["ins-run00077"]
    assert tencent_error(lambda: tat(emu).CancelInvocation(req)).get_code() == \
        "InvalidParameterValue.InstanceIsNotRelatedToInvocation"


def test_as_errors(emu):
    req = as_models.CancelInstanceRefreshRequest()
    req.AutoScalingGroupId = "asg-grp00001"
    req.RefreshActivityId = "asr-zzzzzzzz"
    assert tencent_error(lambda: autoscaling(emu).CancelInstanceRefresh(req)).get_code() == \
        "ResourceNotFound.RefreshActivityNotFound"
    req.RefreshActivityId = "asr-act00002"
    assert tencent_error(lambda: autoscaling(emu).CancelInstanceRefresh(req)).get_code() == \
        "ResourceUnavailable.RefreshActivityStatusConflictWithOperation"


def test_tencent_throttle_and_injected_errors(emu):
    emu.fault(kind="throttle", provider="tencent", count=1)
    assert tencent_error(lambda: stop_instances(cvm(emu), ["ins-run00000"])).get_code() == \
        "RequestLimitExceeded"
    emu.fault(kind="error", provider="tencent", code="InternalError", message="boom")
    err = tencent_error(lambda: stop_instances(cvm(emu), ["ins-run00000"]))
    assert (err.get_code(), err.get_message()) == ("InternalError", "boom")
    stop_instances(cvm(emu), ["ins-run00000"])


@pytest.mark.parametrize("invoke_id, ids, code, status", [
    ("t-doesnotexist", None, "InvalidInvokeId.NotFound", 404),
    ("t-hz0jdfwd9f0003", [f"i-bp67acfmxazb4p{n:04}" for n in range(1, 52)], "InstanceIds.ExceedLimit", 403),
])
def test_ecs_errors(emu, invoke_id, ids, code, status):
    err = alibaba_error(lambda: stop_invocation(ecs(emu), invoke_id, ids))
    assert err.code == code
    assert err.statusCode == status
    assert err.data["HostId"] and err.data["Recommend"]


def test_ecs_missing_region_is_missing_parameter(emu):
    client = ecs(emu)
    req = ecs_models.StopInvocationRequest(invoke_id="t-hz0jdfwd9f0001")
    err = alibaba_error(lambda: client.stop_invocation_with_options(req, RuntimeOptions()))
    assert err.code.startswith("MissingParameter")
    assert err.statusCode == 400


def test_ecs_throttle_and_injected_errors(emu):
    emu.fault(kind="throttle", provider="alibaba")
    err = alibaba_error(lambda: stop_invocation(ecs(emu), "t-hz0jdfwd9f0001"))
    assert (err.code, err.statusCode) == ("Throttling.User", 400)
    emu.fault(kind="error", provider="alibaba", code="ServiceUnavailable", httpStatus=503)
    err = alibaba_error(lambda: stop_invocation(ecs(emu), "t-hz0jdfwd9f0001"))
    assert (err.code, err.statusCode) == ("ServiceUnavailable", 503)
    assert emu.state()["alibaba"]["invocations"][0]["InvocationStatus"] == "Running"


def test_rate_limit_through_the_sdk(emu):
    emu.configure(rateLimits={"StopInstances": 2})
    client = cvm(emu)
    codes = []
    for i in range(6):
        try:
            stop_instances(client, [f"ins-run{60 + i:05}"])
            codes.append("ok")
        except TencentCloudSDKException as e:
            codes.append(e.get_code())
    # Six calls span at most two one-second windows: at most four pass.
    assert codes.count("RequestLimitExceeded") >= 2, codes


# ---------------------------------------------------------------- refused signatures


def test_wrong_secret_is_refused(emu):
    err = tencent_error(lambda: stop_instances(cvm(emu, secret_key="wrong-key"), ["ins-run00000"]))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    err = alibaba_error(lambda: stop_invocation(ecs(emu, secret="wrong-secret"), "t-hz0jdfwd9f0001"))
    assert (err.code, err.statusCode) == ("SignatureDoesNotMatch", 400)
    assert cvm_state(emu, "ins-run00000") == "RUNNING"
    assert emu.state()["alibaba"]["invocations"][0]["InvocationStatus"] == "Running"


class _OldClock:
    """Stands in for the `time` module inside the Tencent SDK: ten minutes slow."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def time():
        return time.time() - 600


def test_old_timestamp_is_refused(emu, monkeypatch):
    import tencentcloud.common.abstract_client as abstract_client

    monkeypatch.setattr(abstract_client, "time", _OldClock())
    err = tencent_error(lambda: stop_instances(cvm(emu), ["ins-run00000"]))
    assert err.get_code() == "AuthFailure.SignatureExpire"

    old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 20 * 60))
    monkeypatch.setattr(AliUtils, "get_timestamp", staticmethod(lambda: old))
    err = alibaba_error(lambda: stop_invocation(ecs(emu), "t-hz0jdfwd9f0001"))
    assert (err.code, err.statusCode) == ("InvalidTimeStamp.Expired", 400)


def test_reused_nonce_is_refused(emu, monkeypatch):
    monkeypatch.setattr(AliUtils, "get_nonce", staticmethod(lambda: "cloudhalt-fixed-nonce"))
    stop_invocation(ecs(emu), "t-hz0jdfwd9f0002")
    err = alibaba_error(lambda: stop_invocation(ecs(emu), "t-hz0jdfwd9f0002"))
    assert (err.code, err.statusCode) == ("SignatureNonceUsed", 400)


def test_changed_body_is_refused(emu, monkeypatch):
    """The SDK signs one body; a proxy-like tamper changes it on the wire."""
    import requests

    real_send = requests.adapters.HTTPAdapter.send

    def tamper(self, request, **kw):
        if isinstance(request.body, (bytes, str)):
            body = request.body.encode() if isinstance(request.body, str) else request.body
            request.body = body.replace(b"ins-run00000", b"ins-run00001")
        return real_send(self, request, **kw)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", tamper)
    err = tencent_error(lambda: stop_instances(cvm(emu), ["ins-run00000"]))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    assert cvm_state(emu, "ins-run00001") == "RUNNING"


# ---------------------------------------------------------------- the SDK's GET form


@pytest.fixture
def sent(monkeypatch):
    """Every request the SDKs send, as (method, url, body): proof that a call really went by GET."""
    import requests

    real_send = requests.adapters.HTTPAdapter.send
    requests_sent = []

    def spy(self, request, **kw):
        requests_sent.append((request.method, request.url, request.body))
        return real_send(self, request, **kw)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy)
    return requests_sent


def test_get_stop_instances(emu, sent):
    resp = stop_instances(cvm(emu, method="GET"), ["ins-run00000", "ins-run00001"])
    method, url, body = sent[-1]
    assert method == "GET" and not body
    assert "InstanceIds.0=ins-run00000&InstanceIds.1=ins-run00001" in url
    assert cvm_state(emu, "ins-run00000") == "STOPPING"
    assert cvm_state(emu, "ins-run00001") == "STOPPING"
    assert cvm_state(emu, "ins-run00002") == "RUNNING"
    state = emu.state()
    assert state["requests"]["StopInstances"] == 1
    assert state["lastCall"]["tencent"]["requestId"] == resp.RequestId


def test_get_cancel_invocation(emu, sent):
    req = tat_models.CancelInvocationRequest()
    req.InvocationId = "inv-inv00002"
    req.InstanceIds = ["ins-run00003"]
    assert tat(emu, method="GET").CancelInvocation(req).RequestId
    assert sent[-1][0] == "GET"
    inv = emu.state()["tencent"]["invocations"][1]
    assert {t["InstanceId"]: t["TaskStatus"] for t in inv["Tasks"]} == {
        "ins-run00003": "CANCELLED", "ins-run00004": "RUNNING"}


def test_get_terminate_and_cancel_instance_refresh(emu, sent):
    req = cvm_models.TerminateInstancesRequest()
    req.InstanceIds = ["ins-stp00003"]
    req.ReleasePrepaidDataDisks = True
    assert cvm(emu, method="GET").TerminateInstances(req).RequestId
    # A boolean goes into the query as Python writes it.
    assert "ReleasePrepaidDataDisks=True" in sent[-1][1]
    assert cvm_state(emu, "ins-stp00003") == "TERMINATING"
    req = as_models.CancelInstanceRefreshRequest()
    req.AutoScalingGroupId = "asg-grp00001"
    req.RefreshActivityId = "asr-act00001"
    assert autoscaling(emu, method="GET").CancelInstanceRefresh(req).RequestId
    assert [m for m, _, _ in sent] == ["GET", "GET"]
    activity = emu.state()["tencent"]["scalingGroups"][0]["RefreshActivities"][0]
    assert activity["Status"] == "CANCELLED"


def test_get_errors_are_the_post_errors(emu):
    err = tencent_error(lambda: stop_instances(cvm(emu, method="GET"), ["ins-stp00000"]))
    assert err.get_code() == "UnsupportedOperation.InstanceStateStopped"
    req = tat_models.CancelInvocationRequest()
    req.InvocationId = "inv-inv00001"
    req.InstanceIds = ["ins-run00077"]
    assert tencent_error(lambda: tat(emu, method="GET").CancelInvocation(req)).get_code() == \
        "InvalidParameterValue.InstanceIsNotRelatedToInvocation"


def test_get_with_a_wrong_signature_is_refused(emu, monkeypatch):
    err = tencent_error(lambda: stop_instances(
        cvm(emu, method="GET", secret_key="wrong-key"), ["ins-run00000"]))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    assert cvm_state(emu, "ins-run00000") == "RUNNING"

    # The SDK signs one query; a tamper on the wire changes the instance it names.
    import requests

    real_send = requests.adapters.HTTPAdapter.send

    def tamper(self, request, **kw):
        request.url = request.url.replace("ins-run00000", "ins-run00001")
        return real_send(self, request, **kw)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", tamper)
    err = tencent_error(lambda: stop_instances(cvm(emu, method="GET"), ["ins-run00000"]))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    assert cvm_state(emu, "ins-run00000") == "RUNNING"
    assert cvm_state(emu, "ins-run00001") == "RUNNING"
    assert emu.state()["requests"]["StopInstances"] == 0

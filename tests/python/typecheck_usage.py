"""Uses every public name of cloudhalt, for `mypy --strict` (tests/python/test_py_package.py).

Never run: it only has to type-check. A stub that drifts from the contract fails mypy here.
"""
from __future__ import annotations

import builtins
import pathlib
from typing import Any, Dict, Iterator, List, Optional, Tuple, Type

import cloudhalt
from cloudhalt import (
    Alibaba,
    ApiError,
    AuditError,
    AuthError,
    CredentialsError,
    Error,
    IdOutcome,
    InvalidInput,
    InvalidInputError,
    InvalidParameterError,
    NotFoundError,
    QuotaError,
    Response,
    Retry,
    ServerError,
    StateConflictError,
    Tencent,
    ThrottledError,
    TimeoutError,
    TransportError,
    UnexpectedResponseError,
    WaitFailedError,
    WaitTimeoutError,
)
from cloudhalt._cloudhalt import error_class
from cloudhalt._testing import sign_acs3, sign_tc3

version: str = cloudhalt.__version__


def ids() -> Iterator[str]:
    yield "ins-run00000"


def tencent_calls(tc: Tencent) -> List[Response]:
    out = [
        tc.stop_instances("ap-guangzhou", ["ins-run00000"]),
        tc.stop_instances("ap-guangzhou", ids(), force_stop=False, stop_type="SOFT", stopped_mode="KEEP_CHARGING"),
        tc.terminate_instances("ap-guangzhou", ("ins-run00000",), release_prepaid_data_disks=True),
        tc.terminate_instances("ap-guangzhou", {"ins-run00000"}, release_address=False),
        tc.cancel_invocation("ap-guangzhou", "inv-inv00001"),
        tc.cancel_invocation("ap-guangzhou", "inv-inv00001", ["ins-run00000"]),
        tc.cancel_invocation("ap-guangzhou", "inv-inv00001", instance_ids=None),
        tc.cancel_instance_refresh("asg-grp00001", "asr-act00001"),
        tc.cancel_instance_refresh("asg-grp00001", "asr-act00001", region="ap-guangzhou"),
        tc.call("StopInstances", {"InstanceIds": ["ins-run00000"]}, region="ap-guangzhou"),
        # The confirm issue: waits after a write, standalone waits and the Describe calls.
        tc.stop_instances("ap-guangzhou", ["ins-run00000"], wait=True, wait_timeout=60.0,
                          wait_min_delay=0.5, wait_max_delay=5.0),
        tc.terminate_instances("ap-guangzhou", ["ins-run00000"], wait=True),
        tc.cancel_invocation("ap-guangzhou", "inv-inv00001", wait=True, wait_timeout=30),
        tc.cancel_instance_refresh("asg-grp00001", "asr-act00001", pause_first=True, wait=True),
        tc.call("StopInstances", {"InstanceIds": ["ins-run00000"]}, region="ap-guangzhou", wait=True),
        tc.wait_instances("ap-guangzhou", ["ins-run00000"]),
        tc.wait_instances("ap-guangzhou", ids(), "TERMINATED", timeout=10.0, min_delay=0.1, max_delay=1.0),
        tc.wait_invocation("ap-guangzhou", "inv-inv00001", ["ins-run00000"], timeout=5),
        tc.wait_instance_refresh("asg-grp00001", "asr-act00001", region="ap-guangzhou"),
        tc.wait("StopInstances", {"InstanceIds": ["ins-run00000"]}, region="ap-guangzhou", timeout=0.0),
        tc.describe_instances("ap-guangzhou", ["ins-run00000"]),
        tc.describe_instances("ap-guangzhou", filters={"instance-state": ["RUNNING"]}, limit=50),
        tc.describe_instances("ap-guangzhou", filters=[{"Name": "instance-state", "Values": ["RUNNING"]}]),
        tc.describe_invocation_tasks("ap-guangzhou", "inv-inv00001", instance_ids=["ins-run00000"]),
        tc.describe_invocation_tasks("ap-guangzhou", invocation_task_ids=["invt-0c5brvtk"], limit=10),
        tc.describe_refresh_activities(["asr-act00001"]),
        tc.describe_refresh_activities(auto_scaling_group_id="asg-grp00001", region="ap-guangzhou"),
    ]
    states: Dict[str, str] = out[-1].states
    results: Dict[str, str] = out[-1].wait_results
    secret_id: str = tc.secret_id
    endpoint: str = tc.endpoint
    timeout: float = tc.timeout
    language: Optional[str] = tc.language
    print(secret_id, endpoint, timeout, language)
    return out


def alibaba_calls(ali: Alibaba) -> List[Response]:
    key_id: str = ali.access_key_id
    print(key_id, ali.endpoint, ali.timeout + 1.0)
    return [
        ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001"),
        ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", ["i-bp67acfmxazb4p0001"]),
        ali.call("StopInvocation", {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001"}),
        ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", wait=True, wait_timeout=60.0),
        ali.call("StopInvocation", {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001"}, wait=True),
        ali.wait_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", timeout=30.0, min_delay=0.2),
        ali.wait("StopInvocation", {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001"}),
        ali.describe_invocations("cn-hangzhou", "t-hz0jdfwd9f0001", instance_id="i-bp67acfmxazb4p0001",
                                 max_results=50),
    ]


def read(r: Response) -> Tuple[str, Dict[str, Any], str, str, List[Tuple[str, str]]]:
    return r.request_id, r.data, r.provider, r.action, r.sent_headers


def record(r: Response) -> Tuple[List[str], int, Dict[str, str], List[IdOutcome]]:
    for o in r.id_outcomes:
        parts: Tuple[str, str, Optional[str], Optional[str]] = (o.id, o.outcome, o.code, o.request_id)
        print(parts)
    return r.request_ids, r.attempts, r.outcomes, r.id_outcomes


def fleet(log: pathlib.Path) -> List[Response]:
    policy = Retry(max_attempts=5, base_delay=0.1, max_delay=2.0)
    never = Retry(1)
    same: bool = policy == never
    attempts: int = policy.max_attempts
    delays: Tuple[float, float] = (policy.base_delay, policy.max_delay)
    print(same, attempts, delays, hash(policy))
    tc = Tencent("AKIDx", "k", retry=policy, rate_limit=True, concurrency=8, audit_log=log)
    tc = Tencent("AKIDx", "k", retry=None, rate_limit=2.5, concurrency=1, audit_log=str(log))
    tc = Tencent.from_env(retry=never, rate_limit=False, audit_log=None)
    ali = Alibaba("LTAIx", "s", retry=policy, rate_limit=10, concurrency=4, audit_log=log)
    ali = Alibaba.from_env(retry=policy, concurrency=2)
    rate: "bool | float" = tc.rate_limit
    current: Retry = tc.retry
    path: Optional[str] = ali.audit_log
    print(rate, current, path, tc.concurrency + ali.concurrency)
    try:
        return [tc.resume(log), ali.resume(str(log))]
    except AuditError as e:
        outcomes: Dict[str, str] = e.outcomes
        ids: List[str] = e.request_ids
        n: int = e.attempts
        per_id: List[IdOutcome] = e.id_outcomes
        print(outcomes, ids, n, per_id)
        return []


def describe(e: Error) -> str:
    status: Optional[int] = e.http_status
    parts: List[Optional[str]] = [e.kind, e.provider, e.action, e.code, e.message, e.request_id,
                                  e.send_state, e.field]
    sent: bool = e.may_have_been_sent
    return f"{parts} {status} {sent}"


def main() -> None:
    tc = Tencent("AKIDcloudhaltEMULATOR", "key", None, endpoint="http://127.0.0.1:8123", timeout=10.0,
                 language="en-US")
    tc = Tencent.from_env()
    tc = Tencent.from_env(endpoint="http://127.0.0.1:8123", timeout=5.0, language="zh-CN")
    ali = Alibaba("LTAIcloudhaltEMULATOR", "secret", None, endpoint="http://127.0.0.1:8123", timeout=10.0)
    ali = Alibaba.from_env()
    ali = Alibaba.from_env(endpoint=None, timeout=None)
    ali = Alibaba.from_env(proxy=False, ca_bundle=pathlib.Path("/etc/ssl/certs/ca-certificates.crt"))
    tc = Tencent.from_profile("prod", proxy="http://proxy.example:3128", ca_bundle="corp.pem")
    ali = Alibaba.from_profile("ops", endpoint=None, timeout=5.0, proxy=None)
    tc = Tencent("AKIDx", "k", proxy=False, ca_bundle=None)
    ali = Alibaba("LTAIx", "s", proxy="http://127.0.0.1:3128")
    source: str = tc.credential_source + ali.credential_source
    proxy: "str | bool | None" = tc.proxy
    bundle: Optional[str] = ali.ca_bundle
    print(source, proxy, bundle)
    try:
        for r in tencent_calls(tc) + alibaba_calls(ali) + fleet(pathlib.Path("audit.jsonl")):
            print(read(r), record(r))
    except WaitTimeoutError as e:
        timed_out: TimeoutError = e
        print(timed_out.states, timed_out.wait_results)
    except WaitFailedError as e:
        failed: Error = e
        where: Dict[str, str] = failed.states
        print(where, failed.wait_results)
    except InvalidInput as e:
        value_error: ValueError = e
        print(value_error, describe(e))
    except InvalidInputError as e:  # the same class, the ...Error spelling
        same: InvalidInput = e
        print(describe(same))
    except CredentialsError as e:
        print(describe(e))
    except TimeoutError as e:
        builtin: builtins.TimeoutError = e
        transport: TransportError = e
        print(builtin, transport)
    except TransportError as e:
        print(describe(e))
    except (AuthError, ThrottledError, NotFoundError, StateConflictError, InvalidParameterError, QuotaError,
            ServerError) as e:
        api: ApiError = e
        print(describe(api))
    except ApiError as e:
        print(describe(e))
    except UnexpectedResponseError as e:
        print(describe(e))
    except Error as e:
        print(describe(e))
    classes: List[Type[Exception]] = [error_class(k) for k in ("auth", "timeout")]
    print(classes)
    stages: Dict[str, str] = sign_tc3("AKIDx", "k", "cvm", 1_700_000_000,
                                      [("content-type", "application/json"), ("host", "cvm.tencentcloudapi.com")],
                                      b"{}", method="POST", query="")
    stages = sign_acs3("LTAIx", "s", [("RegionId", "cn-hangzhou")], [("host", "ecs.aliyuncs.com")], b"",
                       method="POST", path="/")
    print(stages, version, cloudhalt.__all__)


if __name__ == "__main__":
    main()

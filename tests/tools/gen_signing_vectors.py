#!/usr/bin/env python3
"""Generate tests/vectors/signing/{tc3_hmac_sha256,acs3_hmac_sha256}.json.

Every stage of every case is computed twice:
  1. by the providers' official Python SDKs (through tests/oracles.py, which runs
     tencentcloud.common.abstract_client / tencentcloud.common.sign for TC3 and
     alibabacloud_tea_openapi.utils for ACS3), and
  2. by the independent hashlib/hmac implementation in this file, written from the documented rules.
The two must agree on every stage, and the provider's published values must reproduce. Any mismatch
raises an exception and nothing is written.

Usage (from the repository root, with the venv from tests/requirements.txt):
    .venv/bin/python tests/tools/gen_signing_vectors.py           # (re)write the files
    .venv/bin/python tests/tools/gen_signing_vectors.py --check   # exit 1 if the files are stale

The output is deterministic: sorted keys, 2-space indentation, UTF-8, trailing newline.
tcIds are append-only: add new cases at the end of a list and never renumber.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import sys
import time
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import oracles  # noqa: E402  (tests/oracles.py, the official-SDK calls)

SIGNING_DIR = ROOT / "tests" / "vectors" / "signing"
TC3_FILE = SIGNING_DIR / "tc3_hmac_sha256.json"
ACS3_FILE = SIGNING_DIR / "acs3_hmac_sha256.json"

Json = Dict[str, Any]


class VectorMismatch(AssertionError):
    """Two computations of the same stage disagree."""


def check_equal(what: str, got: Any, want: Any) -> None:
    if got != want:
        raise VectorMismatch(f"MISMATCH in {what}:\n  got:  {got!r}\n  want: {want!r}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hmac_sha256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def compact_json(obj: Any) -> str:
    """cloudhalt's body serialisation: compact, UTF-8, keys in insertion order."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def base36_id(prefix: str, label: str, length: int = 8) -> str:
    """A deterministic, valid-looking id: prefix + `length` lowercase alphanumerics."""
    n = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    chars = ""
    for _ in range(length):
        n, r = divmod(n, 36)
        chars += "0123456789abcdefghijklmnopqrstuvwxyz"[r]
    return prefix + chars


def nonce_for(label: str) -> str:
    return hashlib.md5(label.encode()).hexdigest()  # 32 hex, like the SDK's get_nonce


# ----------------------------------------------------------------------------------------------------
# TC3-HMAC-SHA256: independent implementation (cloud.tencent.com/document/api/213/30654)
# ----------------------------------------------------------------------------------------------------

TC3_SIGNABLE = ("content-type;host", "content-type;host;x-tc-action")


def tc3_independent(inp: Json) -> Json:
    ts = inp["timestamp"]
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))  # the UTC date, never the local one
    service = inp["service"]
    scope = f"{date}/{service}/tc3_request"
    values = {
        "content-type": inp["contentType"],
        "host": inp["host"],
        "x-tc-action": inp["action"].lower(),  # the docs sign the lower-cased action value
    }
    names = inp["signedHeaders"].split(";")
    if names != sorted(names) or inp["signedHeaders"] not in TC3_SIGNABLE:
        raise VectorMismatch(f"bad signed header list {inp['signedHeaders']!r}")
    canonical_headers = "".join(f"{n}:{values[n].strip()}\n" for n in names)
    hashed_payload = sha256_hex(inp["payload"].encode("utf-8"))
    canonical_request = "\n".join(["POST", "/", "", canonical_headers, inp["signedHeaders"], hashed_payload])
    hashed_canonical = sha256_hex(canonical_request.encode("utf-8"))
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(ts), scope, hashed_canonical])
    k_date = hmac_sha256(("TC3" + inp["secretKey"]).encode("utf-8"), date)
    k_service = hmac_sha256(k_date, service)
    k_signing = hmac_sha256(k_service, "tc3_request")
    signature = hmac.new(k_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = (f"TC3-HMAC-SHA256 Credential={inp['secretId']}/{scope}, "
                     f"SignedHeaders={inp['signedHeaders']}, Signature={signature}")
    return {
        "hashedPayload": hashed_payload,
        "date": date,
        "credentialScope": scope,
        "canonicalHeaders": canonical_headers,
        "canonicalRequest": canonical_request,
        "hashedCanonicalRequest": hashed_canonical,
        "stringToSign": string_to_sign,
        "signingKey": k_signing.hex(),
        "signature": signature,
        "authorization": authorization,
        # not written to the vectors; checked against the published intermediates
        "_secretDate": k_date.hex(),
        "_secretService": k_service.hex(),
    }


# Operation bodies, exactly as cloudhalt serialises them (key order fixed, unset/false fields omitted).

ID_PATTERNS = {
    "instance": re.compile(r"^(ins|lhins)-[a-z0-9]{8}$"),
    "invocation": re.compile(r"^inv-[a-z0-9]{8}$"),
    "asg": re.compile(r"^asg-[a-z0-9]{8}$"),
    "asr": re.compile(r"^asr-[a-z0-9]{8}$"),
}


def _ids(kind: str, ids: Sequence[str]) -> List[str]:
    for i in ids:
        if not ID_PATTERNS[kind].match(i):
            raise VectorMismatch(f"invalid {kind} id {i!r}")
    return list(ids)


def stop_instances(ids: Sequence[str], force_stop: bool = False, stop_type: Optional[str] = None,
                   stopped_mode: Optional[str] = None) -> "OrderedDict[str, Any]":
    p: "OrderedDict[str, Any]" = OrderedDict(InstanceIds=_ids("instance", ids))
    if force_stop:
        p["ForceStop"] = True
    if stop_type is not None:
        p["StopType"] = stop_type
    if stopped_mode is not None:
        p["StoppedMode"] = stopped_mode
    return p


def terminate_instances(ids: Sequence[str], release_address: bool = False,
                        release_prepaid_data_disks: bool = False) -> "OrderedDict[str, Any]":
    p: "OrderedDict[str, Any]" = OrderedDict(InstanceIds=_ids("instance", ids))
    if release_address:
        p["ReleaseAddress"] = True
    if release_prepaid_data_disks:
        p["ReleasePrepaidDataDisks"] = True
    return p


def cancel_invocation(invocation_id: str, ids: Optional[Sequence[str]] = None) -> "OrderedDict[str, Any]":
    p: "OrderedDict[str, Any]" = OrderedDict(InvocationId=_ids("invocation", [invocation_id])[0])
    if ids is not None:
        p["InstanceIds"] = _ids("instance", ids)
    return p


def cancel_instance_refresh(group_id: str, activity_id: str) -> "OrderedDict[str, Any]":
    return OrderedDict(AutoScalingGroupId=_ids("asg", [group_id])[0],
                       RefreshActivityId=_ids("asr", [activity_id])[0])


TC3_OPERATIONS: Dict[str, Tuple[str, str, str, str]] = {
    # name -> (service, version, SDK models module, SDK request class)
    "StopInstances": ("cvm", "2017-03-12", "tencentcloud.cvm.v20170312.models", "StopInstancesRequest"),
    "TerminateInstances": ("cvm", "2017-03-12", "tencentcloud.cvm.v20170312.models", "TerminateInstancesRequest"),
    "CancelInvocation": ("tat", "2020-10-28", "tencentcloud.tat.v20201028.models", "CancelInvocationRequest"),
    "CancelInstanceRefresh": ("as", "2018-04-19", "tencentcloud.autoscaling.v20180419.models",
                              "CancelInstanceRefreshRequest"),
}


def tc3_check_operation_against_sdk_model(name: str, params: Json) -> None:
    """The SDK's request model must know every field (it warns on unknown ones) and keep every value."""
    import importlib

    _, _, module_name, class_name = TC3_OPERATIONS[name]
    model = getattr(importlib.import_module(module_name), class_name)()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model._deserialize(json.loads(json.dumps(params)))
    check_equal(f"{name} params through the SDK model", model._serialize(), dict(params))


# ----------------------------------------------------------------------------------------------------
# ACS3-HMAC-SHA256: independent implementation
# (alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature)
# ----------------------------------------------------------------------------------------------------

_UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def rfc3986(s: str) -> str:
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in s.encode("utf-8"))


def acs3_independent(inp: Json) -> Json:
    pairs = [(rfc3986(k), rfc3986(v)) for k, v in inp["query"]]
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    hashed_payload = sha256_hex(inp["payload"].encode("utf-8"))
    headers = {
        "host": inp["host"],
        "x-acs-action": inp["action"],
        "x-acs-content-sha256": hashed_payload,
        "x-acs-date": inp["date"],
        "x-acs-signature-nonce": inp["nonce"],
        "x-acs-version": inp["version"],
    }
    if inp["securityToken"] is not None:
        headers["x-acs-security-token"] = inp["securityToken"]
    names = sorted(headers)
    canonical_headers = "".join(f"{n}:{headers[n].strip()}\n" for n in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join([inp["method"], inp["path"], canonical_query, canonical_headers,
                                   signed_headers, hashed_payload])
    hashed_canonical = sha256_hex(canonical_request.encode("utf-8"))
    string_to_sign = f"ACS3-HMAC-SHA256\n{hashed_canonical}"
    signature = hmac.new(inp["accessKeySecret"].encode("utf-8"), string_to_sign.encode("utf-8"),
                         hashlib.sha256).hexdigest()
    authorization = (f"ACS3-HMAC-SHA256 Credential={inp['accessKeyId']},SignedHeaders={signed_headers},"
                     f"Signature={signature}")
    return {
        "canonicalQuery": canonical_query,
        "hashedPayload": hashed_payload,
        "canonicalHeaders": canonical_headers,
        "signedHeaders": signed_headers,
        "canonicalRequest": canonical_request,
        "hashedCanonicalRequest": hashed_canonical,
        "stringToSign": string_to_sign,
        "signature": signature,
        "authorization": authorization,
    }


ALI_INSTANCE_ID = re.compile(r"^i-[a-z0-9]{12,30}$")
ALI_TASK_ID = re.compile(r"^t-[a-z0-9]{8,40}$")
ALI_REGION = re.compile(r"^[a-z]{2,3}-[a-z0-9-]+$")


def stop_invocation(region_id: str, invoke_id: str, ids: Optional[Sequence[str]] = None) -> "OrderedDict[str, Any]":
    if not ALI_REGION.match(region_id) or not ALI_TASK_ID.match(invoke_id):
        raise VectorMismatch(f"invalid region or task id {region_id!r} {invoke_id!r}")
    p: "OrderedDict[str, Any]" = OrderedDict(RegionId=region_id, InvokeId=invoke_id)
    if ids is not None:
        for i in ids:
            if not ALI_INSTANCE_ID.match(i):
                raise VectorMismatch(f"invalid instance id {i!r}")
        p["InstanceId"] = list(ids)
    return p


def stop_invocation_query(params: Json) -> List[List[str]]:
    """cloudhalt's flattening (unsorted on purpose: signers must sort): RegionId, InvokeId, InstanceId.N."""
    pairs = [["RegionId", params["RegionId"]], ["InvokeId", params["InvokeId"]]]
    for n, i in enumerate(params.get("InstanceId", []), start=1):
        pairs.append([f"InstanceId.{n}", i])
    return pairs


def acs3_check_operation_against_sdk(params: Json, query: List[List[str]]) -> None:
    """The ECS SDK's own model and flattening (as in stop_invocation_with_options) give the same query."""
    from alibabacloud_ecs20140526 import models as ecs_models
    from alibabacloud_tea_openapi.utils import Utils

    req = ecs_models.StopInvocationRequest().from_map(json.loads(json.dumps(params)))
    req.validate()
    check_equal("StopInvocation params through the SDK model", req.to_map(), dict(params))
    sdk_query: Dict[str, Any] = {}
    if req.instance_id is not None:
        sdk_query["InstanceId"] = req.instance_id
    sdk_query["InvokeId"] = req.invoke_id
    sdk_query["RegionId"] = req.region_id
    check_equal("StopInvocation query flattening vs Utils.query", Utils.query(sdk_query),
                {k: v for k, v in query})


# ----------------------------------------------------------------------------------------------------
# Documented values (the providers' published facts, and the values in the research notes)
# ----------------------------------------------------------------------------------------------------

TC3_EXAMPLE_BODY = ('{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], '
                    '"Name": "instance-name"}]}')
TC3_EN_ID, TC3_EN_KEY = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TC3_CN_ID, TC3_CN_KEY = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******"
TC3_NEW_ID, TC3_NEW_KEY = "AKID" + "*" * 32, "*" * 32

TC3_DOC_URLS = {
    "en": "https://www.tencentcloud.com/document/api/213/30654",
    "cn": "https://cloud.tencent.com/document/api/213/30654",
    "demo": "https://github.com/TencentCloud/signature-process-demo/blob/master/cvm/signature-v3/python/demo.py",
}

ACS3_DOC_URLS = {
    "en": "https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature",
    "cn": "https://help.aliyun.com/document_detail/2593177.html",
}

# tcId -> stage -> documented value
TC3_DOCUMENTED: Dict[int, Dict[str, str]] = {
    1: {"signature": "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
        "hashedCanonicalRequest": "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
        "_secretDate": "d1308c81fe71cfd4e06437bbc067b2b8a3d2d8c0e375d547f15c41d5214b395a",
        "_secretService": "3c7cb7c7795393edc14fd2e0e6434a518564b4504b88e94f5d11bf59ba3e7050",
        "signingKey": "ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1"},
    2: {"signature": "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
        "hashedCanonicalRequest": "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"},
    3: {"signature": "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3",
        "hashedCanonicalRequest": "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"},
    4: {"signature": "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
        "hashedCanonicalRequest": "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
        "_secretDate": "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0",
        "_secretService": "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f",
        "signingKey": "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"},
    5: {"signature": "644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26"},
    6: {"signature": "77cdb045ae9b2e954ba30b124e8f0112871da9ce343a241aab71d3ce424fe641"},
    7: {"signature": "99bfb987ae23e538c835711926299422d80dbf3018fcc0f283ce4072fb9634cd"},
    8: {"signature": "f6ff9ec8d5983c015accddca1d4d69aff65b051c85e24a2a6ebd4542919a937e"},
    9: {"signature": "fbae7a476f960c5379591037d03a25180d34dd21ff756c84311543ae987b8f1a"},
}

ACS3_DOCUMENTED: Dict[int, Dict[str, str]] = {
    1: {"hashedCanonicalRequest": "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
        "signature": "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
        "canonicalQuery": "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"},
    2: {"hashedCanonicalRequest": "4b74e4167fcc0bb797b49c5e39ea9655e9da7d438413f513ce123053041e3a85",
        "signature": "904a6941459b61a1c4ee2224b388bb46769c680efc1130af3f682e03d6db4c4a"},
    3: {"signature": "0520624870f39d3cd2b16db038769a1aded6305ef47eb796a7e9d94e78d9261f"},
    4: {"signature": "64de1bc746ce1d5b817eda7d8c1a66866d0ee937deae08b8603717dd259a8533"},
}


# ----------------------------------------------------------------------------------------------------
# TC3 cases
# ----------------------------------------------------------------------------------------------------

def tc3_input(*, secret_id: str = TC3_EN_ID, secret_key: str = TC3_EN_KEY, token: Optional[str] = None,
              service: str, host: Optional[str] = None, action: str, version: str, region: Optional[str],
              timestamp: int, content_type: str = "application/json",
              signed_headers: str = "content-type;host", payload: str,
              language: Optional[str] = None) -> Json:
    inp: Json = {
        "secretId": secret_id, "secretKey": secret_key, "token": token, "service": service,
        "host": host or f"{service}.tencentcloudapi.com", "action": action, "version": version,
        "region": region, "timestamp": timestamp, "contentType": content_type,
        "signedHeaders": signed_headers, "payload": payload,
    }
    if language is not None:
        inp["language"] = language
    return inp


def tc3_op_case(comment: str, name: str, params: "OrderedDict[str, Any]", region: Optional[str],
                timestamp: int, flags: Sequence[str] = (), **kw: Any) -> Json:
    service, version, _, _ = TC3_OPERATIONS[name]
    tc3_check_operation_against_sdk_model(name, params)
    return {
        "comment": comment,
        "flags": ["SdkCrossChecked", *flags],
        "input": tc3_input(service=service, action=name, version=version, region=region,
                           timestamp=timestamp, payload=compact_json(params), **kw),
        "operation": {"name": name, "region": region, "params": params},
    }


def tc3_groups() -> List[Json]:
    provider = [
        {"comment": "Signature v3 worked example, EN revision (tencentcloud.com): EXAMPLE keys, "
                    "content-type;host",
         "flags": ["ProviderExample", "SdkCrossChecked"],
         "input": tc3_input(service="cvm", action="DescribeInstances", version="2017-03-12",
                            region="ap-guangzhou", timestamp=1551113065,
                            content_type="application/json; charset=utf-8", payload=TC3_EXAMPLE_BODY)},
        {"comment": "Signature v3 worked example, older CN revision and Tencent's signature-process-demo: "
                    "masked keys (the asterisks are part of the key), content-type;host",
         "flags": ["ProviderExample", "SdkCrossChecked"],
         "input": tc3_input(secret_id=TC3_CN_ID, secret_key=TC3_CN_KEY, service="cvm",
                            action="DescribeInstances", version="2017-03-12", region="ap-guangzhou",
                            timestamp=1551113065, content_type="application/json; charset=utf-8",
                            payload=TC3_EXAMPLE_BODY)},
        {"comment": "Signature v3 worked example, mid CN revision: masked keys, content-type;host;x-tc-action "
                    "(canonical header line x-tc-action:describeinstances, value lower-cased)",
         "flags": ["ProviderExample", "SdkCrossChecked"],
         "input": tc3_input(secret_id=TC3_CN_ID, secret_key=TC3_CN_KEY, service="cvm",
                            action="DescribeInstances", version="2017-03-12", region="ap-guangzhou",
                            timestamp=1551113065, content_type="application/json; charset=utf-8",
                            signed_headers="content-type;host;x-tc-action", payload=TC3_EXAMPLE_BODY)},
        {"comment": "Signature v3 worked example, newest CN revision: SecretId AKID + 32 asterisks, SecretKey "
                    "32 asterisks, content-type;host;x-tc-action",
         "flags": ["ProviderExample", "SdkCrossChecked"],
         "input": tc3_input(secret_id=TC3_NEW_ID, secret_key=TC3_NEW_KEY, service="cvm",
                            action="DescribeInstances", version="2017-03-12", region="ap-guangzhou",
                            timestamp=1551113065, content_type="application/json; charset=utf-8",
                            signed_headers="content-type;host;x-tc-action", payload=TC3_EXAMPLE_BODY)},
        {"comment": "The EN example's keys signed with content-type;host;x-tc-action (not published by the "
                    "provider; computed, see the research notes)",
         "flags": ["SdkCrossChecked"],
         "input": tc3_input(service="cvm", action="DescribeInstances", version="2017-03-12",
                            region="ap-guangzhou", timestamp=1551113065,
                            content_type="application/json; charset=utf-8",
                            signed_headers="content-type;host;x-tc-action", payload=TC3_EXAMPLE_BODY)},
    ]

    def sdk_style(name: str, body: str, region: Optional[str]) -> Json:
        service, version, _, _ = TC3_OPERATIONS[name]
        check_equal(f"{name} SDK-style body is json.dumps of its params",
                    json.dumps(json.loads(body)), body)
        return {"comment": f"{name} as the official Python SDK sends it (json.dumps body with spaces), "
                           f"EN example keys, timestamp 1551113065",
                "flags": ["SdkCrossChecked"],
                "input": tc3_input(service=service, action=name, version=version, region=region,
                                   timestamp=1551113065, payload=body)}

    sdk = [
        sdk_style("StopInstances", '{"InstanceIds": ["ins-r8hr2upy"], "StopType": "SOFT_FIRST", '
                                   '"StoppedMode": "STOP_CHARGING"}', "ap-guangzhou"),
        sdk_style("TerminateInstances", '{"InstanceIds": ["ins-3jaw1j8m"]}', "ap-guangzhou"),
        sdk_style("CancelInvocation", '{"InvocationId": "inv-ib2lld37", "InstanceIds": ["ins-zcewfho0"]}',
                  "ap-guangzhou"),
        sdk_style("CancelInstanceRefresh", '{"AutoScalingGroupId": "asg-h7tgd87d", '
                                           '"RefreshActivityId": "asr-juhf6ytr"}', None),
    ]

    eleven = [base36_id("ins-", f"cloudhalt-terminate-{i}") for i in range(11)]
    hundred = [base36_id("ins-", f"cloudhalt-stop-{i}") for i in range(100)]
    ops = [
        tc3_op_case("StopInstances, one instance, SOFT, KEEP_CHARGING", "StopInstances",
                    stop_instances(["ins-r8hr2upy"], stop_type="SOFT", stopped_mode="KEEP_CHARGING"),
                    "ap-guangzhou", 1700000000),
        tc3_op_case("StopInstances, two instances, HARD, STOP_CHARGING", "StopInstances",
                    stop_instances(["ins-0a1b2c3d", "ins-9z8y7x6w"], stop_type="HARD",
                                   stopped_mode="STOP_CHARGING"),
                    "ap-shanghai", 1712345678),
        tc3_op_case("StopInstances, deprecated ForceStop true and no StopType", "StopInstances",
                    stop_instances(["ins-k3m9p2qa"], force_stop=True), "ap-beijing", 1720000001),
        tc3_op_case("StopInstances, only InstanceIds, on the regional host cvm.ap-guangzhou.tencentcloudapi.com",
                    "StopInstances", stop_instances(["ins-7hd2kq0s"]), "ap-guangzhou", 1731111111,
                    host="cvm.ap-guangzhou.tencentcloudapi.com"),
        tc3_op_case("TerminateInstances, one instance, no options", "TerminateInstances",
                    terminate_instances(["ins-3jaw1j8m"]), "ap-guangzhou", 1740000000),
        tc3_op_case("TerminateInstances with ReleaseAddress and ReleasePrepaidDataDisks true",
                    "TerminateInstances",
                    terminate_instances(["ins-5t6y7u8i"], release_address=True, release_prepaid_data_disks=True),
                    "ap-singapore", 1745555555),
        tc3_op_case("CancelInvocation with InstanceIds", "CancelInvocation",
                    cancel_invocation("inv-ib2lld37", ["ins-zcewfho0", "ins-a1b2c3d4"]),
                    "ap-guangzhou", 1750000000),
        tc3_op_case("CancelInvocation without InstanceIds (the whole invocation)", "CancelInvocation",
                    cancel_invocation("inv-4f5g6h7j"), "ap-hongkong", 1755555555),
        tc3_op_case("CancelInvocation with Lighthouse (lhins-) and CVM ids", "CancelInvocation",
                    cancel_invocation("inv-q1w2e3r4", ["lhins-8k2j4h6g", "ins-zcewfho0", "lhins-00aa11bb"]),
                    "ap-guangzhou", 1760000000),
        tc3_op_case("CancelInstanceRefresh, region null (no X-TC-Region header)", "CancelInstanceRefresh",
                    cancel_instance_refresh("asg-h7tgd87d", "asr-juhf6ytr"), None, 1765432100),
        tc3_op_case("StopInstances with temporary credentials: X-TC-Token is sent but not signed, so the "
                    "signature is the same as without it", "StopInstances",
                    stop_instances(["ins-r8hr2upy"], stop_type="SOFT_FIRST"), "ap-guangzhou", 1770000000,
                    flags=["SessionToken"],
                    token="cloudhaltExampleSessionToken/abc+DEF=ghi_0123456789"),
        tc3_op_case("TerminateInstances with 11 instance ids", "TerminateInstances",
                    terminate_instances(eleven), "ap-nanjing", 1775000000, flags=["ManyInstanceIds"]),
        tc3_op_case("StopInstances with 100 instance ids (the documented maximum)", "StopInstances",
                    stop_instances(hundred, stop_type="SOFT", stopped_mode="KEEP_CHARGING"), "ap-guangzhou",
                    1780000000, flags=["ManyInstanceIds"]),
        tc3_op_case("TerminateInstances one second before UTC midnight: scope date 2023-12-31 "
                    "(2024-01-01 in UTC+8)", "TerminateInstances", terminate_instances(["ins-m1dn1ght"]),
                    "ap-guangzhou", 1704067199),
        tc3_op_case("CancelInvocation one second after UTC midnight: scope date 2024-01-01",
                    "CancelInvocation", cancel_invocation("inv-m1dn1ght", ["ins-m1dn1ght"]), "ap-guangzhou",
                    1704067201),
        tc3_op_case("StopInstances on an emulator host with a port (the host header includes :8123; the "
                    "service stays cvm)", "StopInstances", stop_instances(["ins-r8hr2upy"], stop_type="HARD"),
                    "ap-guangzhou", 1711111111, host="127.0.0.1:8123"),
        tc3_op_case("CancelInstanceRefresh with X-TC-Language en-US (not signed)", "CancelInstanceRefresh",
                    cancel_instance_refresh("asg-0p9o8i7u", "asr-1q2w3e4r"), None, 1767225600,
                    language="en-US"),
    ]

    signing_only = [
        {"comment": "Signing only (no operation): raw UTF-8 body with Chinese and reserved characters inside "
                    "a JSON string value; the hash is over the UTF-8 bytes",
         "flags": ["SdkCrossChecked", "Unicode", "ReservedCharacters"],
         "input": tc3_input(service="cvm", action="DescribeInstances", version="2017-03-12",
                            region="ap-guangzhou", timestamp=1735689600,
                            payload=compact_json(OrderedDict(
                                Filters=[OrderedDict(Name="instance-name", Values=["名 &=+/?%*~"])], Limit=1)))},
    ]
    # cloudhalt signs x-tc-action as Tencent's current documents do, so that a logged signature of one
    # action cannot be replayed as another: the same operations again with that header set.
    with_action = [
        tc3_op_case(case["comment"] + "; signed content-type;host;x-tc-action", case["operation"]["name"],
                    case["operation"]["params"], case["operation"]["region"], case["input"]["timestamp"],
                    flags=[f for f in case["flags"] if f != "SdkCrossChecked"],
                    signed_headers="content-type;host;x-tc-action",
                    **{k: v for k, v in (("host", case["input"]["host"]), ("token", case["input"]["token"]),
                                         ("language", case["input"].get("language")))
                       if v is not None and not (k == "host" and v == f"{case['input']['service']}.tencentcloudapi.com")})
        for case in ops
    ]
    return [
        {"type": "Tc3SigningTest", "comment": "Provider worked examples (DescribeInstances)", "tests": provider},
        {"type": "Tc3SigningTest", "comment": "Bodies as the official Python SDK serialises them", "tests": sdk},
        {"type": "Tc3SigningTest", "comment": "cloudhalt's four Tencent operations, bodies exactly as cloudhalt "
                                              "serialises them", "tests": ops},
        {"type": "Tc3SigningTest", "comment": "Signing-only edge cases", "tests": signing_only},
        {"type": "Tc3SigningTest", "comment": "cloudhalt's four Tencent operations exactly as cloudhalt signs "
                                              "them (content-type;host;x-tc-action)", "tests": with_action},
    ]


def tc3_expected(tc_id: int, inp: Json) -> Json:
    mine = tc3_independent(inp)
    sdk = oracles.tc3_sdk_signature(
        inp["secretId"], inp["secretKey"], inp["service"], inp["host"], inp["action"], inp["timestamp"],
        inp["contentType"], inp["payload"].encode("utf-8"), inp["signedHeaders"], token=inp["token"],
        region=inp["region"])
    for stage in ("hashedPayload", "date", "credentialScope", "canonicalRequest", "hashedCanonicalRequest",
                  "stringToSign", "signature", "authorization"):
        check_equal(f"TC3 tcId {tc_id} stage {stage} (independent vs {sdk['sdkPath']})", mine[stage], sdk[stage])
    if "headers" in sdk:  # the full-client path: what the SDK would put on the wire
        h = sdk["headers"]
        check_equal(f"TC3 tcId {tc_id} X-TC-Timestamp", h["X-TC-Timestamp"], str(inp["timestamp"]))
        check_equal(f"TC3 tcId {tc_id} X-TC-Token", h.get("X-TC-Token"), inp["token"])
        check_equal(f"TC3 tcId {tc_id} X-TC-Region", h.get("X-TC-Region"), inp["region"])
        check_equal(f"TC3 tcId {tc_id} X-TC-Action", h["X-TC-Action"], inp["action"])
        client_version = oracles._tc3_client_class(inp["service"])._apiVersion
        check_equal(f"TC3 tcId {tc_id} X-TC-Version", client_version, inp["version"])
    for stage, want in TC3_DOCUMENTED.get(tc_id, {}).items():
        check_equal(f"TC3 tcId {tc_id} documented {stage}", mine[stage], want)
    return {k: v for k, v in mine.items() if not k.startswith("_")}


# ----------------------------------------------------------------------------------------------------
# ACS3 cases
# ----------------------------------------------------------------------------------------------------

def acs3_input(*, access_key_id: str = "YourAccessKeyId", access_key_secret: str = "YourAccessKeySecret",
               security_token: Optional[str] = None, host: str, action: str = "StopInvocation",
               version: str = "2014-05-26", date: str, nonce: str, query: List[List[str]],
               payload: str = "") -> Json:
    return {"accessKeyId": access_key_id, "accessKeySecret": access_key_secret, "securityToken": security_token,
            "method": "POST", "host": host, "path": "/", "action": action, "version": version, "date": date,
            "nonce": nonce, "query": query, "payload": payload}


def acs3_op_case(comment: str, params: "OrderedDict[str, Any]", date: str, flags: Sequence[str] = (),
                 host: Optional[str] = None, **kw: Any) -> Json:
    query = stop_invocation_query(params)
    acs3_check_operation_against_sdk(params, query)
    return {
        "comment": comment,
        "flags": ["SdkCrossChecked", *flags],
        "input": acs3_input(host=host or f"ecs.{params['RegionId']}.aliyuncs.com", date=date,
                            nonce=nonce_for(params["InvokeId"] + date), query=query, **kw),
        "operation": {"name": "StopInvocation", "params": params},
    }


def acs3_groups() -> List[Json]:
    example_date, example_nonce = "2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d"
    vector_a_query = [["InstanceId.1", "i-bp1i7gg30r52z2em0001"], ["InstanceId.2", "i-bp1i7gg30r52z2em0002"],
                      ["InvokeId", "t-hz0jdfwd9f0001"], ["RegionId", "cn-hangzhou"]]
    provider = [
        {"comment": "V3 signature worked example (fixed parameter values): RunInstances",
         "flags": ["ProviderExample", "SdkCrossChecked"],
         "input": acs3_input(host="ecs.cn-shanghai.aliyuncs.com", action="RunInstances", date=example_date,
                             nonce=example_nonce,
                             query=[["ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"],
                                    ["RegionId", "cn-shanghai"]])},
    ]
    research = [
        {"comment": "Vector A: StopInvocation, two instances, the example's date, nonce and keys",
         "flags": ["SdkCrossChecked"],
         "input": acs3_input(host="ecs.cn-hangzhou.aliyuncs.com", date=example_date, nonce=example_nonce,
                             query=vector_a_query)},
        {"comment": "Vector B: vector A with x-acs-security-token, signed between x-acs-date and "
                    "x-acs-signature-nonce",
         "flags": ["SdkCrossChecked", "SessionToken"],
         "input": acs3_input(host="ecs.cn-hangzhou.aliyuncs.com", date=example_date, nonce=example_nonce,
                             query=vector_a_query, security_token="YourSecurityToken")},
        {"comment": "Vector C: 11 instances (InstanceId.10 and .11 sort before .2) and InvokeId 't-a b*~/' "
                    "(space %20, * %2A, ~ kept, / %2F)",
         "flags": ["SdkCrossChecked", "ManyInstanceIds", "ReservedCharacters"],
         "input": acs3_input(host="ecs.cn-hangzhou.aliyuncs.com", date=example_date, nonce=example_nonce,
                             query=[*[[f"InstanceId.{n}", f"i-x{n:02d}"] for n in range(1, 12)],
                                    ["InvokeId", "t-a b*~/"], ["RegionId", "cn-hangzhou"]])},
    ]
    eleven = [f"i-bp1i7gg30r52z2em{n:04d}" for n in range(1, 12)]
    fifty = [f"i-bp67acfmxazb4p{n:04d}" for n in range(1, 51)]
    ops = [
        acs3_op_case("StopInvocation, one instance", stop_invocation(
            "cn-hangzhou", "t-7d2a745b412b4601b2d47f6a768d0001", ["i-bp67acfmxazb4p0001"]), "2025-03-01T08:15:00Z"),
        acs3_op_case("StopInvocation without InstanceId (every instance of the task)", stop_invocation(
            "cn-beijing", "t-hz0jdfwd9f0001"), "2025-03-02T12:00:00Z"),
        acs3_op_case("StopInvocation with 11 instances: InstanceId.10 and .11 sort before InstanceId.2",
                     stop_invocation("cn-shanghai", "t-sh0a1b2c3d0002", eleven), "2025-04-15T23:59:59Z",
                     flags=["ManyInstanceIds"]),
        acs3_op_case("StopInvocation with 50 instances (the documented maximum)",
                     stop_invocation("cn-shenzhen", "t-7d2a745b412b4601b2d47f6a768d0003", fifty),
                     "2025-04-16T00:00:00Z", flags=["ManyInstanceIds"]),
        acs3_op_case("StopInvocation with an STS security token (x-acs-security-token is signed)",
                     stop_invocation("ap-southeast-1", "t-sg0a1b2c3d0004", ["i-t4n0a1b2c3d4e5f60004"]),
                     "2025-06-30T17:45:10Z", flags=["SessionToken"],
                     security_token="CAIS8gF1q6Ft5B2yfSjIr5bXAPPeu+1V/7ODbnTcpG0xTs9Vj7fGlzz2IHFPeXZsBOsdv/8=",
                     access_key_id="STS.NUexampleAccessKeyId0001", access_key_secret="exampleStsSecret0001"),
        acs3_op_case("StopInvocation on an emulator host with a port (host header 127.0.0.1:8123)",
                     stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0005", ["i-bp67acfmxazb4p0005"]),
                     "2025-07-01T01:02:03Z", host="127.0.0.1:8123"),
        acs3_op_case("StopInvocation on the VPC endpoint", stop_invocation(
            "cn-qingdao", "t-qd0a1b2c3d0006", ["i-m5e0a1b2c3d4e5f60006", "i-m5e0a1b2c3d4e5f60007"]),
            "2025-12-31T23:59:59Z", host="ecs-vpc.cn-qingdao.aliyuncs.com"),
    ]
    signing_only = [
        {"comment": "Signing only (no operation): Chinese and reserved characters in a query value "
                    "(space %20, * %2A, ~ kept, / %2F, + %2B, & %26, = %3D, % %25, UTF-8 percent-encoded)",
         "flags": ["SdkCrossChecked", "Unicode", "ReservedCharacters"],
         "input": acs3_input(host="ecs.cn-hangzhou.aliyuncs.com", date="2026-01-01T00:00:00Z",
                             nonce=nonce_for("unicode"),
                             query=[["RegionId", "cn-hangzhou"], ["InvokeId", "t-名称 a+b&c=d/e*f~g%h"],
                                    ["InstanceId.1", "i-bp67acfmxazb4p0001"]])},
    ]
    return [
        {"type": "Acs3SigningTest", "comment": "Provider worked example", "tests": provider},
        {"type": "Acs3SigningTest", "comment": "Vectors A, B and C from the research notes", "tests": research},
        {"type": "Acs3SigningTest", "comment": "cloudhalt's StopInvocation, query exactly as cloudhalt flattens it",
         "tests": ops},
        {"type": "Acs3SigningTest", "comment": "Signing-only edge cases", "tests": signing_only},
    ]


def acs3_expected(tc_id: int, inp: Json) -> Json:
    mine = acs3_independent(inp)
    sdk = oracles.acs3_sdk_authorization(
        inp["accessKeyId"], inp["accessKeySecret"], inp["host"], inp["action"], inp["version"], inp["date"],
        inp["nonce"], inp["query"], security_token=inp["securityToken"], payload=inp["payload"].encode("utf-8"))
    for stage in mine:
        check_equal(f"ACS3 tcId {tc_id} stage {stage} (independent vs {sdk['sdkPath']})", mine[stage], sdk[stage])
    for stage, want in ACS3_DOCUMENTED.get(tc_id, {}).items():
        check_equal(f"ACS3 tcId {tc_id} documented {stage}", mine[stage], want)
    return mine


# ----------------------------------------------------------------------------------------------------
# Assembly
# ----------------------------------------------------------------------------------------------------

TC3_NOTES = {
    "ProviderExample": "A worked example published by Tencent Cloud in its Signature v3 page (DescribeInstances, "
                       "timestamp 1551113065). The page has had several revisions with different keys and signed "
                       f"headers. EN: {TC3_DOC_URLS['en']} ; CN: {TC3_DOC_URLS['cn']} ; the older CN revision "
                       f"is also in {TC3_DOC_URLS['demo']} . Masked keys (asterisks) are used literally.",
    "SdkCrossChecked": "Every stage was produced by the official tencentcloud-sdk-python code "
                       "(AbstractClient._build_req_with_tc3_signature and Sign.sign_tc3; for "
                       "content-type;host;x-tc-action, which the SDK never signs, only Sign.sign_tc3) and "
                       "matched an independent implementation (tests/tools/gen_signing_vectors.py).",
    "SessionToken": "Temporary credentials: X-TC-Token is sent but is not a signed header, so it does not "
                    "change the signature.",
    "Unicode": "Non-ASCII text in the payload, hashed as raw UTF-8 bytes.",
    "ReservedCharacters": "Characters that URL or form encoding would change (space & = + / ? % * ~).",
    "ManyInstanceIds": "More than 10 instance ids (up to the provider maximum of 100).",
}

ACS3_NOTES = {
    "ProviderExample": "The worked example with fixed parameter values in Alibaba Cloud's V3 request structure "
                       f"and signature page: {ACS3_DOC_URLS['en']} (Chinese: {ACS3_DOC_URLS['cn']}).",
    "SdkCrossChecked": "Every stage was produced by the official alibabacloud-tea-openapi code "
                       "(alibabacloud_tea_openapi.utils get_canonical_query_string, get_canonicalized_headers, "
                       "Utils.hash, Utils.get_authorization) and matched an independent implementation "
                       "(tests/tools/gen_signing_vectors.py).",
    "SessionToken": "STS credentials: x-acs-security-token is sent and signed.",
    "Unicode": "Non-ASCII text in a query value, percent-encoded as UTF-8.",
    "ReservedCharacters": "Query values with characters RFC 3986 encodes (space %20 never +, * %2A, / %2F, "
                          "+ %2B, & %26, = %3D, % %25) and ~, which stays literal.",
    "ManyInstanceIds": "More than 10 instance ids: InstanceId.10 sorts before InstanceId.2 (plain string order); "
                       "up to the StopInvocation maximum of 50.",
}


def build(algorithm: str, schema: str, notes: Json, groups: List[Json],
          expected: Callable[[int, Json], Json]) -> Json:
    tc_id = 0
    out_groups = []
    for group in groups:
        tests = []
        for case in group["tests"]:
            tc_id += 1
            unknown = set(case["flags"]) - set(notes)
            if unknown:
                raise VectorMismatch(f"tcId {tc_id}: flags without a note: {sorted(unknown)}")
            test = {"tcId": tc_id, "comment": case["comment"], "flags": list(case["flags"]), "result": "valid",
                    "input": case["input"], "expected": expected(tc_id, case["input"])}
            if "operation" in case:
                test["operation"] = json.loads(json.dumps(case["operation"]))
                check_equal(f"tcId {tc_id} payload is cloudhalt's serialisation of operation.params",
                            case["input"]["payload"] if algorithm.startswith("TC3")
                            else case["input"]["query"],
                            compact_json(test["operation"]["params"]) if algorithm.startswith("TC3")
                            else stop_invocation_query(test["operation"]["params"]))
            tests.append(test)
        out_groups.append({"type": group["type"], "comment": group["comment"], "tests": tests})
    return {"algorithm": algorithm, "schema": schema, "numberOfTests": tc_id, "notes": notes,
            "testGroups": out_groups}


def render(doc: Json) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> Dict[Path, str]:
    return {
        TC3_FILE: render(build("TC3-HMAC-SHA256", "tc3_hmac_sha256_schema.json", TC3_NOTES, tc3_groups(),
                               tc3_expected)),
        ACS3_FILE: render(build("ACS3-HMAC-SHA256", "acs3_hmac_sha256_schema.json", ACS3_NOTES, acs3_groups(),
                                acs3_expected)),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args(argv)
    files = generate()
    if args.check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run tests/tools/gen_signing_vectors.py)", file=sys.stderr)
        return 1 if stale else 0
    SIGNING_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}: {json.loads(text)['numberOfTests']} tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())

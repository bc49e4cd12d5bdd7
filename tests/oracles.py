"""Signing oracles that run the providers' official Python SDK code.

These helpers are for tests only. They import the official SDKs pinned in `tests/requirements.txt` and run
their own signing routines. No SDK code is copied here. The SDKs keep the intermediate stages (canonical
request, string to sign) in local variables, so the helpers record them as the SDK passes them to its
hash and HMAC functions.

- `tc3_sdk_signature`: Tencent Cloud TC3-HMAC-SHA256. With `signed_headers="content-type;host"` the whole
  request is built and signed by `AbstractClient._build_req_with_tc3_signature` of the product client
  for `service` (`CvmClient`, `TatClient`, `AutoscalingClient`). It runs with a fixed clock, a fixed
  body and a fixed content type. The SDK never signs `x-tc-action`. For
  `"content-type;host;x-tc-action"`, this module builds the canonical request by the documented rule, and
  the SDK's `Sign.sign_tc3` signs it.
- `acs3_sdk_authorization`: Alibaba Cloud ACS3-HMAC-SHA256 (V3). `alibabacloud_tea_openapi.utils`
  builds the canonical query and headers (`get_canonical_query_string`, `get_canonicalized_headers`), hashes
  the payload (`Utils.hash`) and signs (`Utils.get_authorization`). The request carries exactly the headers
  cloudhalt signs.

Every result holds at least `signature`, `authorization`, `canonicalRequest` and `stringToSign`, plus
`sdkPath`, which names the SDK functions that produced it.
"""

from __future__ import annotations

import hashlib
import threading
import types
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

__all__ = ["tc3_sdk_signature", "acs3_sdk_authorization", "TC3_SDK_CLIENTS"]

# The patches below change module globals of the SDKs, so calls are serialised.
_LOCK = threading.RLock()

# service -> (module, class) of the official product client; its `_service` is the signed service name.
TC3_SDK_CLIENTS: Dict[str, Tuple[str, str]] = {
    "cvm": ("tencentcloud.cvm.v20170312.cvm_client", "CvmClient"),
    "tat": ("tencentcloud.tat.v20201028.tat_client", "TatClient"),
    "as": ("tencentcloud.autoscaling.v20180419.autoscaling_client", "AutoscalingClient"),
}


@contextmanager
def _patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


class _Sha256Recorder:
    """Stands in for the `hashlib` module and records every input given to `sha256`."""

    def __init__(self) -> None:
        self.inputs: List[bytes] = []

    def sha256(self, data: bytes = b"") -> Any:
        self.inputs.append(bytes(data))
        return hashlib.sha256(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(hashlib, name)


def _tc3_client_class(service: str) -> Any:
    import importlib

    if service not in TC3_SDK_CLIENTS:
        raise ValueError(f"no official SDK client for service {service!r}")
    module_name, class_name = TC3_SDK_CLIENTS[service]
    return getattr(importlib.import_module(module_name), class_name)


def tc3_sdk_signature(
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    action: str,
    timestamp: int,
    content_type: str,
    payload_bytes: bytes,
    signed_headers: str = "content-type;host",
    token: Optional[str] = None,
    region: Optional[str] = None,
) -> Dict[str, Any]:
    """Sign one TC3-HMAC-SHA256 POST request with the official Tencent Cloud Python SDK.

    Returns a dict with `signature`, `authorization`, `canonicalRequest`, `stringToSign`,
    `hashedCanonicalRequest`, `hashedPayload`, `date`, `credentialScope`, `headers` (the headers the SDK
    would send, for the full-client path) and `sdkPath`.
    """
    from tencentcloud.common import abstract_client
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.http.request import RequestInternal
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.common.sign import Sign

    payload_str = payload_bytes.decode("utf-8")  # the SDK sends str bodies and hashes their UTF-8 bytes
    client_class = _tc3_client_class(service)
    if client_class._service != service:
        raise AssertionError(f"SDK client for {service!r} signs service {client_class._service!r}")

    if signed_headers == "content-type;host":
        return _tc3_full_client(
            abstract_client, Credential, RequestInternal, ClientProfile, HttpProfile, Sign, client_class,
            secret_id, secret_key, token, region, host, action, timestamp, content_type, payload_str,
        )
    if signed_headers == "content-type;host;x-tc-action":
        return _tc3_sign_only(Sign, secret_id, secret_key, service, host, action, timestamp, content_type,
                              payload_bytes, signed_headers)
    raise ValueError(f"unsupported signed headers {signed_headers!r}")


def _tc3_full_client(abstract_client: Any, Credential: Any, RequestInternal: Any, ClientProfile: Any,
                     HttpProfile: Any, Sign: Any, client_class: Any, secret_id: str, secret_key: str,
                     token: Optional[str], region: Optional[str], host: str, action: str, timestamp: int,
                     content_type: str, payload_str: str) -> Dict[str, Any]:
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=host))
    profile.disable_region_breaker = True
    client = client_class(Credential(secret_id, secret_key, token), region or "", profile)

    recorder = _Sha256Recorder()
    sign_calls: List[Tuple[str, str, str, str, str]] = []
    real_sign_tc3 = Sign.sign_tc3

    class _RecordingSign(Sign):  # type: ignore[misc, valid-type]
        @staticmethod
        def sign_tc3(key: str, date: str, service: str, str2sign: str) -> str:
            signature = real_sign_tc3(key, date, service, str2sign)
            sign_calls.append((key, date, service, str2sign, signature))
            return signature

    fixed_time = types.SimpleNamespace(time=lambda: float(timestamp))
    fixed_json = types.SimpleNamespace(dumps=lambda params, *a, **k: payload_str)

    req = RequestInternal(host, "POST", "/")
    with _LOCK, _patched(abstract_client, "time", fixed_time), \
            _patched(abstract_client, "json", fixed_json), \
            _patched(abstract_client, "_json_content", content_type), \
            _patched(abstract_client, "hashlib", recorder), \
            _patched(abstract_client, "Sign", _RecordingSign):
        client._build_req_with_tc3_signature(action, {}, req, {})

    if len(recorder.inputs) != 2 or len(sign_calls) != 1:
        raise AssertionError("the SDK's TC3 code path changed: expected 2 sha256 calls and 1 sign_tc3 call, "
                             f"saw {len(recorder.inputs)} and {len(sign_calls)}")
    payload_seen, canonical_request = recorder.inputs
    if payload_seen != payload_str.encode("utf-8") or req.data != payload_str:
        raise AssertionError("the SDK hashed a different body from the one given")
    key, date, service, string_to_sign, signature = sign_calls[0]
    if key != secret_key or req.header["Content-Type"] != content_type or req.header["Host"] != host:
        raise AssertionError("the SDK did not sign the given key, content type or host")
    hashed_canonical = hashlib.sha256(canonical_request).hexdigest()
    return {
        "sdkPath": "tencentcloud.common.abstract_client.AbstractClient._build_req_with_tc3_signature",
        "hashedPayload": hashlib.sha256(payload_seen).hexdigest(),
        "date": date,
        "credentialScope": f"{date}/{service}/tc3_request",
        "canonicalRequest": canonical_request.decode("utf-8"),
        "hashedCanonicalRequest": hashed_canonical,
        "stringToSign": string_to_sign,
        "signature": signature,
        "authorization": req.header["Authorization"],
        "headers": dict(req.header),
    }


def _tc3_sign_only(Sign: Any, secret_id: str, secret_key: str, service: str, host: str, action: str,
                   timestamp: int, content_type: str, payload_bytes: bytes,
                   signed_headers: str) -> Dict[str, Any]:
    # The SDK has no code path that signs x-tc-action: build the canonical request by the documented rule
    # (header values trimmed, x-tc-action's value lower-cased), then sign with the SDK's Sign.sign_tc3.
    date = datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    values = {"content-type": content_type.strip(), "host": host.strip(), "x-tc-action": action.strip().lower()}
    names = signed_headers.split(";")
    canonical_headers = "".join(f"{n}:{values[n]}\n" for n in names)
    hashed_payload = hashlib.sha256(payload_bytes).hexdigest()
    canonical_request = f"POST\n/\n\n{canonical_headers}\n{signed_headers}\n{hashed_payload}"
    hashed_canonical = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashed_canonical}"
    signature = Sign.sign_tc3(secret_key, date, service, string_to_sign)
    authorization = (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, "
                     f"Signature={signature}")
    return {
        "sdkPath": "tencentcloud.common.sign.Sign.sign_tc3",
        "hashedPayload": hashed_payload,
        "date": date,
        "credentialScope": scope,
        "canonicalRequest": canonical_request,
        "hashedCanonicalRequest": hashed_canonical,
        "stringToSign": string_to_sign,
        "signature": signature,
        "authorization": authorization,
    }


def acs3_sdk_authorization(
    access_key_id: str,
    access_key_secret: str,
    host: str,
    action: str,
    version: str,
    date: str,
    nonce: str,
    query_pairs: Sequence[Sequence[str]],
    security_token: Optional[str] = None,
    payload: bytes = b"",
) -> Dict[str, Any]:
    """Sign one ACS3-HMAC-SHA256 RPC request (POST /) with the official Alibaba Cloud tea-openapi code.

    `query_pairs` are unencoded `(name, value)` pairs in any order. Names must be unique, because the
    SDK keeps the query as a dict. Returns `signature`, `authorization`, `canonicalRequest`,
    `stringToSign`, `canonicalQuery`, `canonicalHeaders`, `signedHeaders`, `hashedPayload`,
    `hashedCanonicalRequest` and `sdkPath`.
    """
    from alibabacloud_tea_openapi import utils as tea_utils
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest

    algorithm = "ACS3-HMAC-SHA256"
    query: Dict[str, str] = {}
    for name, value in query_pairs:
        if name in query:
            raise ValueError(f"duplicate query parameter {name!r}")
        query[name] = value

    hashed_payload = Utils.hash(payload, algorithm).hex()
    request = DaraRequest()
    request.method = "POST"
    request.pathname = "/"
    request.query = query
    request.headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date,
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": hashed_payload,
    }
    if security_token is not None:
        request.headers["x-acs-security-token"] = security_token

    canonical_query = tea_utils.get_canonical_query_string(query)
    canonical_headers, signed_headers = tea_utils.get_canonicalized_headers(request.headers)

    hashed: List[bytes] = []
    signed: List[Tuple[str, str]] = []
    real_hash = Utils.hash
    real_signature_method = tea_utils.signature_method

    def recording_hash(raw: bytes, sign_type: str) -> bytes:
        hashed.append(bytes(raw))
        return real_hash(raw, sign_type)

    def recording_signature_method(secret: str, source: str, sign_type: str) -> bytes:
        signed.append((secret, source))
        return real_signature_method(secret, source, sign_type)

    with _LOCK, _patched(Utils, "hash", staticmethod(recording_hash)), \
            _patched(tea_utils, "signature_method", recording_signature_method):
        authorization = Utils.get_authorization(request, algorithm, hashed_payload, access_key_id,
                                                access_key_secret)

    if len(hashed) != 1 or len(signed) != 1 or signed[0][0] != access_key_secret:
        raise AssertionError("the SDK's ACS3 code path changed: expected one hash and one HMAC call")
    canonical_request = hashed[0].decode("utf-8")
    string_to_sign = signed[0][1]
    prefix = f"{algorithm} Credential={access_key_id},SignedHeaders={signed_headers},Signature="
    if not authorization.startswith(prefix):
        raise AssertionError(f"unexpected Authorization shape: {authorization!r}")
    return {
        "sdkPath": "alibabacloud_tea_openapi.utils.Utils.get_authorization",
        "canonicalQuery": canonical_query,
        "hashedPayload": hashed_payload,
        "canonicalHeaders": canonical_headers,
        "signedHeaders": signed_headers,
        "canonicalRequest": canonical_request,
        "hashedCanonicalRequest": hashlib.sha256(hashed[0]).hexdigest(),
        "stringToSign": string_to_sign,
        "signature": authorization[len(prefix):],
        "authorization": authorization,
    }

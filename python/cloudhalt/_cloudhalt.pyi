# Hand-written stubs for the compiled module (crates/cloudhalt-py). Checked against the module by
# `python -m mypy.stubtest cloudhalt` (tests/python/test_stubs.py).
from collections.abc import Iterable, Sequence
from typing import Any, final

__all__ = ["Alibaba", "Tencent", "error_class", "Response", "__version__"]

__version__: str

@final
class Response:
    """A successful answer: the provider's RequestId and its whole JSON answer."""

    @property
    def request_id(self) -> str:
        """The provider's RequestId: quote it when asking the provider about this call."""
    @property
    def data(self) -> dict[str, Any]:
        """The provider's whole answer: ``{"Response": {...}}`` (Tencent), ``{"RequestId": ...}`` (Alibaba)."""
    @property
    def provider(self) -> str:
        """``"tencent"`` or ``"alibaba"``."""
    @property
    def action(self) -> str:
        """The operation, as the provider names it (``"StopInstances"``, ...)."""
    @property
    def sent_headers(self) -> list[tuple[str, str]]:
        """The request headers that were sent, in order, session tokens redacted."""

@final
class Tencent:
    """A Tencent Cloud client (CVM, TAT, Auto Scaling). Safe to share between threads."""

    def __new__(
        cls,
        secret_id: str,
        secret_key: str,
        token: str | None = None,
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        language: str | None = None,
    ) -> Tencent: ...
    @staticmethod
    def from_env(
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        language: str | None = None,
    ) -> Tencent:
        """Credentials from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN."""
    @property
    def secret_id(self) -> str: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def language(self) -> str | None: ...
    def stop_instances(
        self,
        region: str,
        instance_ids: Iterable[str],
        *,
        force_stop: bool = False,
        stop_type: str | None = None,
        stopped_mode: str | None = None,
    ) -> Response:
        """CVM StopInstances. stop_type: "SOFT", "HARD", "SOFT_FIRST"; stopped_mode: "KEEP_CHARGING", "STOP_CHARGING"."""
    def terminate_instances(
        self,
        region: str,
        instance_ids: Iterable[str],
        *,
        release_prepaid_data_disks: bool = False,
        release_address: bool = False,
    ) -> Response:
        """CVM TerminateInstances."""
    def cancel_invocation(
        self,
        region: str,
        invocation_id: str,
        instance_ids: Iterable[str] | None = None,
    ) -> Response:
        """TAT CancelInvocation."""
    def cancel_instance_refresh(
        self,
        auto_scaling_group_id: str,
        refresh_activity_id: str,
        *,
        region: str | None = None,
    ) -> Response:
        """Auto Scaling CancelInstanceRefresh."""
    def call(self, action: str, params: dict[str, Any], *, region: str | None = None) -> Response:
        """Any of the four operations by its provider name, with the provider's JSON parameters."""

@final
class Alibaba:
    """An Alibaba Cloud client (ECS Cloud Assistant). Safe to share between threads."""

    def __new__(
        cls,
        access_key_id: str,
        access_key_secret: str,
        security_token: str | None = None,
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
    ) -> Alibaba: ...
    @staticmethod
    def from_env(*, endpoint: str | None = None, timeout: float | None = None) -> Alibaba:
        """Credentials from ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN."""
    @property
    def access_key_id(self) -> str: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    def stop_invocation(
        self,
        region_id: str,
        invoke_id: str,
        instance_ids: Iterable[str] | None = None,
    ) -> Response:
        """ECS StopInvocation."""
    def call(self, action: str, params: dict[str, Any]) -> Response:
        """An operation by its provider name ("StopInvocation") with the provider's parameters."""

def error_class(kind: str) -> type[Exception]:
    """The exception class a core error kind (as named in errors.json) raises. For tests."""

# Private, for tests only: re-exported by cloudhalt._testing, never part of the API.
def _sign_tc3(
    secret_id: str,
    secret_key: str,
    service: str,
    timestamp: int,
    headers: Sequence[tuple[str, str]],
    payload: bytes,
    *,
    method: str = "POST",
    query: str = "",
) -> dict[str, str]:
    """Every stage of a TC3-HMAC-SHA256 signature, keyed as in tests/vectors. For tests."""

def _sign_acs3(
    access_key_id: str,
    access_key_secret: str,
    query: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    payload: bytes,
    *,
    method: str = "POST",
    path: str = "/",
) -> dict[str, str]:
    """Every stage of an ACS3-HMAC-SHA256 signature, keyed as in tests/vectors. For tests."""

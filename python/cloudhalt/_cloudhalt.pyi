# Hand-written stubs for the compiled module (crates/cloudhalt-py). Checked against the module by
# `python -m mypy.stubtest cloudhalt` (tests/python/test_stubs.py).
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, final

from ._types import IdOutcome

__all__ = ["Alibaba", "Tencent", "error_class", "Response", "Retry", "__version__"]

__version__: str

@final
class Retry:
    """A retry policy: attempts in all (1 = no retry) and the backoff between them. Immutable."""

    def __new__(
        cls, max_attempts: int = 3, base_delay: float = 0.2, max_delay: float = 5.0
    ) -> Retry: ...
    @property
    def max_attempts(self) -> int:
        """Attempts in all (1 = no retry)."""
    @property
    def base_delay(self) -> float:
        """The backoff's base, in seconds."""
    @property
    def max_delay(self) -> float:
        """The longest delay between two attempts, in seconds."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Retry], tuple[int, float, float]]:
        """Pickles as ``Retry(max_attempts, base_delay, max_delay)``."""

_Path = str | os.PathLike[str]
# A Describe call's filters: name -> value(s), or the provider's [{"Name": ..., "Values": [...]}].
_Filters = Mapping[str, str | Iterable[str]] | Sequence[Mapping[str, Any]]

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
    @property
    def request_ids(self) -> list[str]:
        """Every RequestId the provider answered, retries included, in order."""
    @property
    def attempts(self) -> int:
        """How many requests were sent in all (retries included)."""
    @property
    def outcomes(self) -> dict[str, str]:
        """Every input ID to ``"done"`` or ``"already"``, in input order."""
    @property
    def id_outcomes(self) -> list[IdOutcome]:
        """The per-ID record (id, outcome, code, request_id), in input order."""
    @property
    def states(self) -> dict[str, str]:
        """After a wait: every waited-for ID to the provider's final state ("STOPPED", "gone", ...)."""
    @property
    def wait_results(self) -> dict[str, str]:
        """After a wait: the same IDs to what the state means ("stopped", "recycle bin", ...)."""

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
        retry: Retry | None = None,
        rate_limit: bool | float = True,
        concurrency: int = 4,
        audit_log: _Path | None = None,
        proxy: str | Literal[False] | None = None,
        ca_bundle: _Path | None = None,
    ) -> Tencent: ...
    @staticmethod
    def from_env(
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        language: str | None = None,
        retry: Retry | None = None,
        rate_limit: bool | float = True,
        concurrency: int = 4,
        audit_log: _Path | None = None,
        proxy: str | Literal[False] | None = None,
        ca_bundle: _Path | None = None,
        metadata_endpoint: str | None = None,
        sts_endpoint: str | None = None,
    ) -> Tencent:
        """Credentials from the default chain: the TENCENTCLOUD_* variables, the tccli profile,
        the SDK credentials file, TKE OIDC, the CVM role (README "Credentials")."""
    @staticmethod
    def from_profile(
        profile: str,
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        language: str | None = None,
        retry: Retry | None = None,
        rate_limit: bool | float = True,
        concurrency: int = 4,
        audit_log: _Path | None = None,
        proxy: str | Literal[False] | None = None,
        ca_bundle: _Path | None = None,
        metadata_endpoint: str | None = None,
        sts_endpoint: str | None = None,
    ) -> Tencent:
        """Credentials from the tccli / SDK-file profile ``profile`` (the env variables skipped)."""
    @property
    def credential_source(self) -> str:
        """Where the credentials came from, never the secret."""
    @property
    def proxy(self) -> str | Literal[False] | None:
        """The proxy URL (password redacted), False (none) or None (the environment's)."""
    @property
    def ca_bundle(self) -> str | None:
        """The CA bundle's path, or None (SSL_CERT_FILE, else the built-in roots)."""
    @property
    def secret_id(self) -> str: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def language(self) -> str | None: ...
    @property
    def retry(self) -> Retry: ...
    @property
    def rate_limit(self) -> bool | float: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def audit_log(self) -> str | None: ...
    def resume(
        self,
        audit_file: _Path,
        *,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """Finishes the interrupted batch of an audit log; unknown TerminateInstances IDs are held back."""
    def stop_instances(
        self,
        region: str,
        instance_ids: Iterable[str],
        *,
        force_stop: bool = False,
        stop_type: str | None = None,
        stopped_mode: str | None = None,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """CVM StopInstances. stop_type: "SOFT", "HARD", "SOFT_FIRST"; stopped_mode: "KEEP_CHARGING", "STOP_CHARGING"."""
    def terminate_instances(
        self,
        region: str,
        instance_ids: Iterable[str],
        *,
        release_prepaid_data_disks: bool = False,
        release_address: bool = False,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """CVM TerminateInstances."""
    def cancel_invocation(
        self,
        region: str,
        invocation_id: str,
        instance_ids: Iterable[str] | None = None,
        *,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """TAT CancelInvocation."""
    def cancel_instance_refresh(
        self,
        auto_scaling_group_id: str,
        refresh_activity_id: str,
        *,
        region: str | None = None,
        pause_first: bool = False,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """Auto Scaling CancelInstanceRefresh; pause_first=True pauses a refresh whose batch is refreshing first."""
    def describe_instances(
        self,
        region: str,
        instance_ids: Iterable[str] | None = None,
        *,
        filters: _Filters | None = None,
        limit: int | None = None,
    ) -> Response:
        """CVM DescribeInstances, every page: ``data["Response"]["InstanceSet"]``."""
    def describe_invocation_tasks(
        self,
        region: str,
        invocation_id: str | None = None,
        *,
        instance_ids: Iterable[str] | None = None,
        invocation_task_ids: Iterable[str] | None = None,
        filters: _Filters | None = None,
        limit: int | None = None,
    ) -> Response:
        """TAT DescribeInvocationTasks (output hidden), every page: ``data["Response"]["InvocationTaskSet"]``."""
    def describe_refresh_activities(
        self,
        refresh_activity_ids: Iterable[str] | None = None,
        *,
        auto_scaling_group_id: str | None = None,
        filters: _Filters | None = None,
        region: str | None = None,
        limit: int | None = None,
    ) -> Response:
        """AS DescribeRefreshActivities, every page: ``data["Response"]["RefreshActivitySet"]``."""
    def call(
        self,
        action: str,
        params: dict[str, Any],
        *,
        region: str | None = None,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """Any operation of the table (the stops, StopInstanceRefresh, the Describe calls) by its
        provider name, with the provider's JSON parameters."""
    def wait_instances(
        self,
        region: str,
        instance_ids: Iterable[str],
        state: Literal["STOPPED", "TERMINATED"] | str = "STOPPED",
        *,
        timeout: float = 300.0,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Response:
        """Polls DescribeInstances until the instances are STOPPED or TERMINATED (gone or recycle bin)."""
    def wait_invocation(
        self,
        region: str,
        invocation_id: str,
        instance_ids: Iterable[str] | None = None,
        *,
        timeout: float = 300.0,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Response:
        """Polls DescribeInvocationTasks until every task of the invocation is terminal."""
    def wait_instance_refresh(
        self,
        auto_scaling_group_id: str,
        refresh_activity_id: str,
        *,
        region: str | None = None,
        timeout: float = 300.0,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Response:
        """Polls DescribeRefreshActivities until the activity is CANCELLED."""
    def wait(
        self,
        action: str,
        params: dict[str, Any],
        *,
        region: str | None = None,
        timeout: float = 300.0,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Response:
        """The waiter of the write ``action`` for the IDs its params name; sends nothing but its Describe call."""

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
        retry: Retry | None = None,
        rate_limit: bool | float = True,
        concurrency: int = 4,
        audit_log: _Path | None = None,
        proxy: str | Literal[False] | None = None,
        ca_bundle: _Path | None = None,
    ) -> Alibaba: ...
    @staticmethod
    def from_env(
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        retry: Retry | None = None,
        rate_limit: bool | float = True,
        concurrency: int = 4,
        audit_log: _Path | None = None,
        proxy: str | Literal[False] | None = None,
        ca_bundle: _Path | None = None,
        metadata_endpoint: str | None = None,
        sts_endpoint: str | None = None,
    ) -> Alibaba:
        """Credentials from the default chain: the ALIBABA_CLOUD_* variables, OIDC, aliyun-cli's
        config.json, the credentials file, the ECS RAM role, ALIBABA_CLOUD_CREDENTIALS_URI."""
    @staticmethod
    def from_profile(
        profile: str,
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        retry: Retry | None = None,
        rate_limit: bool | float = True,
        concurrency: int = 4,
        audit_log: _Path | None = None,
        proxy: str | Literal[False] | None = None,
        ca_bundle: _Path | None = None,
        metadata_endpoint: str | None = None,
        sts_endpoint: str | None = None,
    ) -> Alibaba:
        """Credentials from the aliyun-cli / credentials-file profile ``profile``."""
    @property
    def credential_source(self) -> str:
        """Where the credentials came from, never the secret."""
    @property
    def proxy(self) -> str | Literal[False] | None:
        """The proxy URL (password redacted), False (none) or None (the environment's)."""
    @property
    def ca_bundle(self) -> str | None:
        """The CA bundle's path, or None (SSL_CERT_FILE, else the built-in roots)."""
    @property
    def access_key_id(self) -> str: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def retry(self) -> Retry: ...
    @property
    def rate_limit(self) -> bool | float: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def audit_log(self) -> str | None: ...
    def resume(
        self,
        audit_file: _Path,
        *,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """Finishes the interrupted batch of an audit log."""
    def stop_invocation(
        self,
        region_id: str,
        invoke_id: str,
        instance_ids: Iterable[str] | None = None,
        *,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """ECS StopInvocation."""
    def describe_invocations(
        self,
        region_id: str,
        invoke_id: str | None = None,
        *,
        instance_id: str | None = None,
        max_results: int | None = None,
    ) -> Response:
        """ECS DescribeInvocations, every page: ``data["Invocations"]["Invocation"]``."""
    def call(
        self,
        action: str,
        params: dict[str, Any],
        *,
        wait: bool = False,
        wait_timeout: float = 300.0,
        wait_min_delay: float | None = None,
        wait_max_delay: float | None = None,
    ) -> Response:
        """An operation by its provider name ("StopInvocation", "DescribeInvocations") with the
        provider's parameters."""
    def wait_invocation(
        self,
        region_id: str,
        invoke_id: str,
        instance_ids: Iterable[str] | None = None,
        *,
        timeout: float = 300.0,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Response:
        """Polls DescribeInvocations until every instance's run of the task is over."""
    def wait(
        self,
        action: str,
        params: dict[str, Any],
        *,
        timeout: float = 300.0,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Response:
        """The waiter of the write ``action`` for the IDs its params name; sends nothing but its Describe call."""

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

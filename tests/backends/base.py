"""The protocol every backend implements, and the normalised results tests compare.

Test bodies never name a binding: they call a Backend and compare Outcome / Failure values, so any
difference between the C ABI and the Python module is a test failure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Protocol, Sequence, Union

# The kinds, spelled as in tests/vectors/errors.json ("kinds"[].kind).
KINDS = (
    "invalid_input", "credentials", "transport", "timeout", "auth", "throttled", "not_found",
    "state_conflict", "invalid_parameter", "quota", "server", "api", "unexpected_response",
    "audit", "wait_timeout", "wait_failed",
)

# The per-ID outcomes, spelled as the core's Outcome::as_str (C enum order).
OUTCOMES = ("done", "already", "failed", "unknown")


@dataclass(frozen=True)
class IdResult:
    """One input ID's outcome, normalised across bindings."""
    id: str
    outcome: str                   # one of OUTCOMES
    code: Optional[str] = None     # provider code of its request's last answer
    request_id: Optional[str] = None


@dataclass(frozen=True)
class Retry:
    """A retry policy for a backend's constructor (Python cloudhalt.Retry; C setter)."""
    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0


@dataclass(frozen=True)
class Wait:
    """A wait after a write, or for a standalone wait (Python wait=True, wait_timeout=...,
    wait_min_delay=..., wait_max_delay=...; C cloudhalt_*_set_wait). None = the binding's default."""
    timeout: float = 300.0
    min_delay: Optional[float] = None
    max_delay: Optional[float] = None


@dataclass(frozen=True)
class Outcome:
    """A successful call."""
    request_id: str
    data: dict  # the provider's whole answer
    # The fleet record: every input ID once, in input order; every RequestId; attempts made.
    results: Sequence[IdResult] = ()
    request_ids: Sequence[str] = ()
    attempts: int = 0
    # After a wait: ID -> the provider's final state ("STOPPED", "SHUTDOWN", "gone", ...) and
    # ID -> what it means ("stopped", "recycle bin", "gone", "finished before the cancel landed").
    states: Mapping[str, str] = field(default_factory=dict)
    wait_results: Mapping[str, str] = field(default_factory=dict)

    @property
    def outcomes(self) -> dict:
        return {r.id: r.outcome for r in self.results}


@dataclass(frozen=True)
class Failure:
    """A failed call, normalised across bindings."""
    kind: str                      # one of KINDS ("panic" would be a bug)
    message: str
    code: Optional[str] = None     # provider error code
    request_id: Optional[str] = None
    http_status: Optional[int] = None  # None when no answer came back
    # How far the request got: "not_built", "not_sent", "sent_no_answer" or "answered"; None
    # where the binding could not say (a Python value with no C form, refused by the backend).
    send_state: Optional[str] = None
    # The binding's own "may it have been sent?" helper, where it has one (Python's
    # Error.may_have_been_sent); None where it has none (C).
    may_have_been_sent: Optional[bool] = None
    # The fleet record (empty when nothing was sent).
    results: Sequence[IdResult] = ()
    request_ids: Sequence[str] = ()
    attempts: int = 0
    # As on Outcome: the states reached when a wait ran (wait_timeout, wait_failed, or a send
    # error followed by a wait for the IDs that were done).
    states: Mapping[str, str] = field(default_factory=dict)
    wait_results: Mapping[str, str] = field(default_factory=dict)

    @property
    def outcomes(self) -> dict:
        return {r.id: r.outcome for r in self.results}


Result = Union[Outcome, Failure]


class TencentClient(Protocol):
    # `wait`: None sends only; a Wait also waits for the IDs to reach success (never re-sending).
    def stop_instances(self, region: Any, instance_ids: Any, *, force_stop: bool = False,
                       stop_type: Any = None, stopped_mode: Any = None,
                       wait: Optional[Wait] = None) -> Result: ...
    def terminate_instances(self, region: Any, instance_ids: Any, *,
                            release_prepaid_data_disks: bool = False,
                            wait: Optional[Wait] = None) -> Result: ...
    def cancel_invocation(self, region: Any, invocation_id: Any, instance_ids: Any = None, *,
                          wait: Optional[Wait] = None) -> Result: ...
    def cancel_instance_refresh(self, auto_scaling_group_id: Any, refresh_activity_id: Any, *,
                                region: Any = None, pause_first: bool = False,
                                wait: Optional[Wait] = None) -> Result: ...
    def call(self, action: Any, params: Any, *, region: Any = None,
             wait: Optional[Wait] = None) -> Result: ...
    # Standalone waits: poll the Describe call only. `state` "STOPPED" or "TERMINATED".
    def wait_instances(self, region: Any, instance_ids: Any, state: Any,
                       wait: Optional[Wait] = None) -> Result: ...
    # The waiter of `action` for the IDs its JSON params name (as `call` takes them).
    def wait_call(self, action: Any, params: Any, *, region: Any = None,
                  wait: Optional[Wait] = None) -> Result: ...
    # Finishes the interrupted batch of an audit log (a file path): an Outcome for what it sent,
    # a Failure (invalid_input) when nothing is left.
    def resume(self, audit_file: str) -> Result: ...
    # Where the credentials came from (e.g. "env TENCENTCLOUD_SECRET_ID"), never the secret.
    def credential_source(self) -> str: ...


class AlibabaClient(Protocol):
    def stop_invocation(self, region_id: Any, invoke_id: Any, instance_ids: Any = None, *,
                        wait: Optional[Wait] = None) -> Result: ...
    def call(self, action: Any, params: Any, *, wait: Optional[Wait] = None) -> Result: ...
    def wait_call(self, action: Any, params: Any, *, wait: Optional[Wait] = None) -> Result: ...
    def resume(self, audit_file: str) -> Result: ...
    def credential_source(self) -> str: ...


class Backend(Protocol):
    """One binding. Constructors return a client, or a Failure when construction fails.

    Fleet settings (None = the binding's default): `retry` a Retry; `rate_limit` True (the
    documented rates), False (off) or a number of requests per second; `concurrency` an int;
    `audit` a file path for the audit log.

    Network settings: `proxy` a proxy URL, False (no proxy) or None (the environment's
    HTTPS_PROXY & co.); `ca_bundle` a PEM file path (None: SSL_CERT_FILE, else built-in roots).

    `*_from_env` run the default credential chain (environment, the tools' files, metadata);
    `*_from_profile` the chain with a named profile (the credential variables skipped).
    """
    name: str

    def tencent(self, secret_id: Any, secret_key: Any, token: Any = None, *,
                endpoint: Optional[str] = None, timeout: Optional[float] = None,
                retry: Optional[Retry] = None, rate_limit: Any = None,
                concurrency: Optional[int] = None,
                audit: Optional[str] = None, proxy: Any = None,
                ca_bundle: Optional[str] = None) -> Union[TencentClient, Failure]: ...

    def alibaba(self, access_key_id: Any, access_key_secret: Any, security_token: Any = None, *,
                endpoint: Optional[str] = None, timeout: Optional[float] = None,
                retry: Optional[Retry] = None, rate_limit: Any = None,
                concurrency: Optional[int] = None,
                audit: Optional[str] = None, proxy: Any = None,
                ca_bundle: Optional[str] = None) -> Union[AlibabaClient, Failure]: ...

    def tencent_from_env(self, *, endpoint: Optional[str] = None) -> Union[TencentClient, Failure]: ...

    def alibaba_from_env(self, *, endpoint: Optional[str] = None) -> Union[AlibabaClient, Failure]: ...

    def tencent_from_profile(self, profile: Any, *,
                             endpoint: Optional[str] = None) -> Union[TencentClient, Failure]: ...

    def alibaba_from_profile(self, profile: Any, *,
                             endpoint: Optional[str] = None) -> Union[AlibabaClient, Failure]: ...

    def version(self) -> str: ...

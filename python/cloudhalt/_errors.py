"""The exceptions cloudhalt raises. All are importable from ``cloudhalt``.

They are plain Python classes (so ``InvalidInput`` can have two bases) that the Rust module raises
by kind; the kind-to-class table is ``tests/vectors/errors.json``, shared with the C ABI and the
CLI. Every instance carries the same attributes, ``None`` where unknown. No attribute or message
ever contains a secret.
"""

from __future__ import annotations

import builtins
from typing import Any, Dict, Iterable, List, Mapping, Optional

from ._types import IdOutcome

__all__ = [
    "Error",
    "InvalidInput",
    "InvalidInputError",
    "CredentialsError",
    "TransportError",
    "TimeoutError",
    "ApiError",
    "AuthError",
    "ThrottledError",
    "NotFoundError",
    "StateConflictError",
    "InvalidParameterError",
    "QuotaError",
    "ServerError",
    "UnexpectedResponseError",
    "AuditError",
    "WaitTimeoutError",
    "WaitFailedError",
]


class Error(Exception):
    """The base of every cloudhalt exception.

    Attributes (``None`` when unknown):

    - ``kind``: the error kind as named in errors.json (``"not_found"``, ...).
    - ``provider``: ``"tencent"`` or ``"alibaba"``.
    - ``action``: the provider's operation name (``"StopInstances"``, ...).
    - ``code``: the provider's error code (``"InvalidInstanceId.NotFound"``).
    - ``message``: the provider's message, or for input errors what is wrong and how to fix it.
      After retries, or a failure that may have taken effect, cloudhalt's advice follows the
      provider's words (how many attempts were made, what to check before calling again).
    - ``request_id``: the provider's RequestId: quote it when asking the provider.
    - ``http_status``: the HTTP status of the answer, when one came back.
    - ``send_state``: how far the request got: ``"not_built"`` and ``"not_sent"`` mean nothing
      reached the provider; ``"sent_no_answer"`` and ``"answered"`` mean it may have taken effect,
      so check the state before sending it again.
    - ``field``: for input errors, the offending field as the provider spells it.

    And the record of the call, for a batch of many requests (empty / 0 when nothing was sent,
    e.g. bad input):

    - ``outcomes``: every input ID to ``"done"``, ``"already"``, ``"failed"`` or ``"unknown"``,
      in input order. A batch with failures raises the error of its first failed request;
      the IDs of the other requests keep their own outcomes here.
    - ``id_outcomes``: the same as ``cloudhalt.IdOutcome`` tuples, with each ID's provider code
      and the RequestId of its request.
    - ``request_ids``: every RequestId the provider answered, retries included, in order.
    - ``attempts``: how many requests were sent in all.

    And, when a wait ran (``wait=True``, or a standalone ``wait_*`` method), what it saw last
    (otherwise only the IDs cloudhalt described to settle them, e.g. TerminateInstances IDs
    whose answer was lost; usually empty):

    - ``states``: every waited-for ID to the provider's last state (``"STOPPED"``,
      ``"STOPPING"``, ``"SHUTDOWN"``, ``"CANCELLED"``, ``"Stopped"``, ...; ``"gone"`` when the
      Describe answer no longer lists it). For ``cancel_invocation`` / ``stop_invocation`` the
      IDs are the instances of the invocation.
    - ``wait_results``: the same IDs to what that state means: ``"stopped"``, ``"gone"``,
      ``"recycle bin"``, ``"cancelled"``, ``"finished before the cancel landed"``,
      ``"failed"``, ``"waiting"`` (the deadline came first), ...
    """

    kind: Optional[str] = None
    provider: Optional[str] = None
    action: Optional[str] = None
    code: Optional[str] = None
    message: Optional[str] = None
    request_id: Optional[str] = None
    http_status: Optional[int] = None
    send_state: Optional[str] = None
    field: Optional[str] = None
    request_ids: List[str]
    attempts: int
    id_outcomes: List[IdOutcome]
    states: Dict[str, str]
    wait_results: Dict[str, str]

    def __init__(
        self,
        text: str = "",
        *,
        kind: Optional[str] = None,
        provider: Optional[str] = None,
        action: Optional[str] = None,
        code: Optional[str] = None,
        message: Optional[str] = None,
        request_id: Optional[str] = None,
        http_status: Optional[int] = None,
        send_state: Optional[str] = None,
        field: Optional[str] = None,
        request_ids: Iterable[str] = (),
        attempts: int = 0,
        id_outcomes: Iterable[IdOutcome] = (),
        states: Optional[Mapping[str, str]] = None,
        wait_results: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(text)
        self.kind = kind
        self.provider = provider
        self.action = action
        self.code = code
        self.message = text if message is None else message
        self.request_id = request_id
        self.http_status = http_status
        self.send_state = send_state
        self.field = field
        self.request_ids = list(request_ids)
        self.attempts = attempts
        self.id_outcomes = [IdOutcome(*o) for o in id_outcomes]
        self.states = dict(states or {})
        self.wait_results = dict(wait_results or {})

    @property
    def outcomes(self) -> Dict[str, str]:
        """Every input ID to its outcome (``"done"``, ``"already"``, ``"failed"``, ``"unknown"``),
        in input order; empty when nothing was sent."""
        return {o.id: o.outcome for o in self.id_outcomes}

    def __reduce__(self) -> Any:
        # Keep the attributes through pickle (multiprocessing, concurrent.futures).
        return (_rebuild, (type(self), str(self), self._attributes()))

    def _attributes(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in (
                "kind", "provider", "action", "code", "message", "request_id", "http_status",
                "send_state", "field", "request_ids", "attempts", "id_outcomes", "states",
                "wait_results",
            )
        }

    @property
    def may_have_been_sent(self) -> bool:
        """True when the request may have reached the provider (and so may have taken effect)."""
        return self.send_state in ("sent_no_answer", "answered")


def _rebuild(cls: type[Error], text: str, attributes: dict[str, Any]) -> Error:
    return cls(text, **attributes)


class InvalidInput(Error, ValueError):
    """A bad argument value, refused before anything was sent (``send_state == "not_built"``).

    A wrong *type* raises a plain ``TypeError`` instead, as Python does.
    """


InvalidInputError = InvalidInput
"""The same class as ``InvalidInput``, spelled like every other class (``...Error``)."""


class CredentialsError(Error):
    """Missing or malformed credentials, refused before anything was sent."""


class TransportError(Error):
    """The request could not be delivered, or no usable HTTP answer came back.

    ``send_state`` says whether it may have reached the provider.
    """


class TimeoutError(TransportError, builtins.TimeoutError):
    """Connecting, or the whole exchange, took longer than the client's ``timeout``.

    Also a subclass of the builtin ``TimeoutError`` (an ``OSError``), so ``except TimeoutError``
    written for the builtin catches it too.
    """


class ApiError(Error):
    """The provider answered with an error code (``.code``) that has no more specific class."""


class AuthError(ApiError):
    """The provider refused the signature, key, token or permission."""


class ThrottledError(ApiError):
    """The provider's rate limit was hit: wait and retry."""


class NotFoundError(ApiError):
    """A named resource (instance, invocation, activity, region) does not exist."""


class StateConflictError(ApiError):
    """The resource's state does not allow the operation (e.g. stopping a stopped instance)."""


class InvalidParameterError(ApiError):
    """The provider rejected a parameter value or combination."""


class QuotaError(ApiError):
    """An account quota or limit was exceeded."""


class ServerError(ApiError):
    """The provider had an internal error or was unavailable."""


class UnexpectedResponseError(Error):
    """An answer came back that is not the provider's documented shape.

    The request may have taken effect: check the state before sending it again.
    """


class AuditError(Error):
    """The audit log could not be written (a full disk, a removed file...): the request it was
    to record was not sent. Free space or give another ``audit_log``, then ``resume`` the batch.
    """


class WaitTimeoutError(TimeoutError):
    """A wait's deadline (``wait_timeout``) came before every ID reached success: nothing
    failed, some IDs are still on their way. ``states`` / ``wait_results`` say where each ID
    was (``"waiting"`` for those not done); the message names them. The write itself was sent
    (``outcomes``): wait again with a standalone ``wait_*`` call, never by sending it again.

    A subclass of ``cloudhalt.TimeoutError`` (and so of the builtin ``TimeoutError``), so code
    that catches timeouts catches this one too.
    """


class WaitFailedError(Error):
    """Some IDs reached a failure state while waiting (the stop failed, the instance vanished,
    the refresh finished before the cancel, ...): the message names them and why;
    ``states`` / ``wait_results`` hold every ID's last state and what it means."""


# Tracebacks and reprs show the public spelling, `cloudhalt.NotFoundError`; pickle finds the
# classes there too.
for _name in __all__:
    globals()[_name].__module__ = "cloudhalt"
del _name

"""cloudhalt: the stop button for Tencent Cloud and Alibaba Cloud.

Five operations, validated before anything is sent, signed (TC3 / ACS3) and sent:
``Tencent.stop_instances``, ``Tencent.terminate_instances``, ``Tencent.cancel_invocation``,
``Tencent.cancel_instance_refresh`` and ``Alibaba.stop_invocation``. Any number of IDs is
accepted and split into requests of the provider's limit, paced at its rate limit and retried
where that is safe (``Retry``); ``resume`` finishes a batch from its audit log. Failures raise
the classes of ``cloudhalt._errors`` (all re-exported here); successes return a ``Response``;
both carry every ID's ``IdOutcome``. ``wait=True`` on each operation (and the standalone
``wait_*`` methods) waits until the IDs reached their end state, reading the Describe calls
(``describe_*``), and reports it in ``states``; ``WaitTimeoutError`` / ``WaitFailedError`` when
they did not.
"""

from ._cloudhalt import Alibaba, Response, Retry, Tencent, __version__
from ._errors import (
    ApiError,
    AuditError,
    AuthError,
    CredentialsError,
    Error,
    InvalidInput,
    InvalidInputError,
    InvalidParameterError,
    NotFoundError,
    QuotaError,
    ServerError,
    StateConflictError,
    ThrottledError,
    TimeoutError,
    TransportError,
    UnexpectedResponseError,
    WaitFailedError,
    WaitTimeoutError,
)
from ._types import IdOutcome

__all__ = [
    "__version__",
    "Tencent",
    "Alibaba",
    "Response",
    "Retry",
    "IdOutcome",
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

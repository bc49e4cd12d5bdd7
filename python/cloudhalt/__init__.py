"""cloudhalt: the stop button for Tencent Cloud and Alibaba Cloud.

Five operations, validated before anything is sent, signed (TC3 / ACS3) and sent once each:
``Tencent.stop_instances``, ``Tencent.terminate_instances``, ``Tencent.cancel_invocation``,
``Tencent.cancel_instance_refresh`` and ``Alibaba.stop_invocation``. Failures raise the classes
of ``cloudhalt._errors`` (all re-exported here); successes return a ``Response``.
"""

from ._cloudhalt import Alibaba, Response, Tencent, __version__
from ._errors import (
    ApiError,
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
)

__all__ = [
    "__version__",
    "Tencent",
    "Alibaba",
    "Response",
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
]

"""Plain value types of cloudhalt that the Rust module builds: ``IdOutcome``.

A Python class (not a compiled one), so that exceptions carrying it pickle with their record.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

__all__ = ["IdOutcome", "OUTCOMES"]

OUTCOMES = ("done", "already", "failed", "unknown")
"""Every outcome an ID can have, from best to worst."""


class IdOutcome(NamedTuple):
    """What happened to one input ID of a call.

    - ``id``: the instance ID (or the InvocationId / InvokeId / RefreshActivityId of a call
      without an instance list).
    - ``outcome``: ``"done"``; ``"already"`` (a retry found it done by an earlier attempt whose
      answer was lost); ``"failed"`` (its request failed: see ``code``; nothing was done); or
      ``"unknown"`` (its request may have reached the provider and no answer says what happened:
      check the resource's state before sending it again).
    - ``code``: the provider's error code of its request's last answer, if any.
    - ``request_id``: the RequestId of its request's last answer, if any.
    """

    id: str
    outcome: str
    code: Optional[str] = None
    request_id: Optional[str] = None


IdOutcome.__module__ = "cloudhalt"

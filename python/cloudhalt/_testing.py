"""Test-only helpers of cloudhalt. Private: no API, no compatibility promise, not in ``__all__``.

The test suite checks every stage of the two signatures against the shared vectors and the
official SDKs through these; clients sign their own requests and never need them.
"""

from __future__ import annotations

from ._cloudhalt import _sign_acs3 as sign_acs3
from ._cloudhalt import _sign_tc3 as sign_tc3

__all__ = ["sign_acs3", "sign_tc3"]

"""The core's log records arrive on Python's `logging` logger "cloudhalt" (issue 11): one line
per attempt with the operation, one per credential source at debug level, never a secret, and
without deadlocking when many threads log while others hold the GIL."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from pyhelp import cloudhalt, tc  # noqa: F401
from conftest import TENCENT_SECRET_ID, TENCENT_SECRET_KEY

THREADS = 8


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    logger = logging.getLogger("cloudhalt")
    handler = Collect()
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


def test_an_attempt_is_one_info_record_with_the_operation(tc, collected):  # noqa: F811
    r = tc.stop_instances("ap-guangzhou", ["ins-run00040"], stop_type="SOFT")
    attempts = [rec for rec in collected if "StopInstances" in rec.getMessage()]
    assert len(attempts) == 1, [rec.getMessage() for rec in collected]
    rec = attempts[0]
    assert rec.name == "cloudhalt" and rec.levelno == logging.INFO
    message = rec.getMessage()
    assert r.request_id in message and "attempt=1" in message, message
    for record in collected:
        assert TENCENT_SECRET_KEY not in record.getMessage()


def test_a_failed_attempt_is_a_warning(tc, collected):  # noqa: F811
    # (A stopped instance is no longer a failure: it is "already". An unknown one still is.)
    with pytest.raises(cloudhalt.NotFoundError):
        tc.stop_instances("ap-guangzhou", ["ins-zzzzzzzz"])
    warnings = [rec for rec in collected if rec.levelno == logging.WARNING]
    assert warnings and "StopInstances" in warnings[0].getMessage()
    assert "InvalidInstanceId.NotFound" in warnings[0].getMessage()


def test_credential_sources_are_debug_records_without_the_secret(collected, chain_home):
    chain_home.setenv("TENCENTCLOUD_SECRET_ID", TENCENT_SECRET_ID)
    chain_home.setenv("TENCENTCLOUD_SECRET_KEY", TENCENT_SECRET_KEY)
    chain_home.setenv("TENCENTCLOUD_SESSION_TOKEN", "session-token-never-logged")
    cloudhalt.Tencent.from_env()
    sources = [rec for rec in collected if "credentials" in rec.getMessage()]
    assert sources and all(rec.levelno == logging.DEBUG for rec in sources)
    assert any("env TENCENTCLOUD_SECRET_ID: found" in rec.getMessage() for rec in sources)
    for rec in collected:
        assert TENCENT_SECRET_KEY not in rec.getMessage()
        assert "session-token-never-logged" not in rec.getMessage()


def test_records_below_the_level_are_not_emitted(tc, collected):  # noqa: F811
    logging.getLogger("cloudhalt").setLevel(logging.WARNING)
    tc.stop_instances("ap-guangzhou", ["ins-run00041"])
    assert [rec for rec in collected if rec.levelno < logging.WARNING] == []


def test_eight_threads_log_at_once_without_deadlock(tc, collected):  # noqa: F811
    ids = [f"ins-run{i:05d}" for i in range(50, 50 + THREADS)]

    def stop(instance):
        # A handler that takes the GIL for a while: workers log while others hold it.
        return tc.stop_instances("ap-guangzhou", [instance]).request_id

    with ThreadPoolExecutor(THREADS) as pool:
        request_ids = list(pool.map(stop, ids))
    messages = [rec.getMessage() for rec in collected if "StopInstances" in rec.getMessage()]
    assert len(messages) == THREADS
    for rid in request_ids:
        assert sum(rid in m for m in messages) == 1
    for rec in collected:
        assert rec.name == "cloudhalt"
        assert TENCENT_SECRET_KEY not in rec.getMessage()

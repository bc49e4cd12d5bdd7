"""Shared fixtures and helpers of the Python package's own tests (tests/python/test_py_*.py).

Not a conftest.py: tests/conftest.py already owns that module name. Test modules import the
fixtures they use from here; `emu`/`emulator` come from tests/conftest.py.
"""
from __future__ import annotations

import socket
import threading
from typing import Iterator, List

import pytest

cloudhalt = pytest.importorskip("cloudhalt", reason="install the package: .venv/bin/pip install ./python")

from conftest import (  # noqa: E402  (tests/conftest.py: the emulator's built-in keys)
    ALIBABA_ACCESS_KEY_ID,
    ALIBABA_ACCESS_KEY_SECRET,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
)


@pytest.fixture
def tc(emu):
    """A Tencent client on the emulator, with its built-in keys."""
    return cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, timeout=10.0)


@pytest.fixture
def ali(emu):
    """An Alibaba client on the emulator, with its built-in keys."""
    return cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url,
                             timeout=10.0)


@pytest.fixture
def tc1(emu):
    """A Tencent client on the emulator that never retries: for tests of how ONE scripted answer
    (a throttle, an InternalError, a lost answer) is reported, which a retry would hide."""
    return cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, timeout=10.0,
                             retry=cloudhalt.Retry(max_attempts=1))


@pytest.fixture
def ali1(emu):
    """An Alibaba client on the emulator that never retries (see tc1)."""
    return cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url,
                             timeout=10.0, retry=cloudhalt.Retry(max_attempts=1))


class Listener:
    """A loopback TCP port that counts connections and never answers: proves nothing was sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections: List[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for c in self.connections:
            c.close()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    try:
        yield lst
    finally:
        lst.close()

"""Python specifics of the default chain: it runs with the GIL released (a metadata service
that never answers must not freeze the interpreter), and its error never holds a secret."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from pyhelp import cloudhalt
from conftest import METADATA_VARS


@pytest.fixture
def silent_metadata():
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield "http://127.0.0.1:%d" % server.getsockname()[1]
    finally:
        server.close()


@pytest.mark.parametrize("make", [cloudhalt.Tencent.from_env, cloudhalt.Alibaba.from_env],
                         ids=["tencent", "alibaba"])
def test_the_chain_releases_the_gil_while_metadata_is_silent(chain_home, silent_metadata, make):
    for var in METADATA_VARS:
        chain_home.setenv(var, silent_metadata)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=ticker)
    t.start()
    started = time.monotonic()
    try:
        with pytest.raises(cloudhalt.CredentialsError) as e:
            make()
    finally:
        stop.set()
        t.join()
    elapsed = time.monotonic() - started
    assert 0.5 < elapsed < 3.0, elapsed  # the metadata timeouts, not a hang
    during = [x for x in ticks if started <= x <= started + elapsed]
    assert len(during) >= elapsed / 0.01 * 0.3, (len(during), elapsed)
    assert silent_metadata in str(e.value)

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


def test_metadata_and_sts_endpoints_as_keywords_override_the_environment(chain_home, emu):
    # The environment points at a closed port (chain_home); the keywords point at the emulator.
    t = cloudhalt.Tencent.from_env(endpoint=emu.url, metadata_endpoint=emu.url, sts_endpoint=emu.url)
    assert t.credential_source == f"CVM role ({emu.url}/)"
    t.stop_instances("ap-guangzhou", ["ins-run00000"])
    assert emu.state()["lastCall"]["tencent"]["keyId"].startswith("AKIDtmp")
    a = cloudhalt.Alibaba.from_profile("nothere", endpoint=emu.url, metadata_endpoint=emu.url)
    assert a.credential_source == f"ECS RAM role ({emu.url}/)"
    a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert emu.state()["lastCall"]["alibaba"]["keyId"].startswith("STS.tmp")
    with pytest.raises(TypeError):
        cloudhalt.Tencent.from_env(metadata_endpoint=5)

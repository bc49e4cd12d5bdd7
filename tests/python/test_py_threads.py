"""Clients are shared between threads, and the GIL is released while a request is in flight."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from pyhelp import ali, cloudhalt, tc  # noqa: F401

LATENCY_MS = 1000
THREADS = 8


def test_eight_threads_run_in_parallel_and_keep_the_interpreter_free(tc, emu):
    emu.fault(kind="latency", provider="tencent", ms=LATENCY_MS, count=THREADS)
    ticks = []
    stop = threading.Event()

    def ticker():  # pure Python: it only runs while no thread holds the GIL for long
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    ids = [f"ins-run{i:05d}" for i in range(20, 20 + THREADS)]
    tick_thread = threading.Thread(target=ticker)
    tick_thread.start()
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda i: tc.stop_instances("ap-guangzhou", [i]), ids))
    finally:
        elapsed = time.monotonic() - start
        stop.set()
        tick_thread.join()

    assert len({r.request_id for r in results}) == THREADS
    latency = LATENCY_MS / 1000
    # Serialised calls would take THREADS x latency; parallel ones about one latency.
    assert elapsed < latency * THREADS / 2, f"{THREADS} calls took {elapsed:.2f}s with {latency}s latency each"
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < latency * 0.8, f"the interpreter froze for {max(gaps):.2f}s: the GIL was held while waiting"
    states = {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]}
    assert all(states[i] in ("STOPPING", "STOPPED") for i in ids)


def test_one_client_shared_by_threads_mixes_operations(tc, ali, emu):
    emu.configure(rateLimits={"StopInstances": 0, "StopInvocation": 0})

    def work(n):
        if n % 2:
            return ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0003", [f"i-bp67acfmxazb4p{n + 1:04d}"])
        return tc.stop_instances("ap-guangzhou", [f"ins-run{n + 40:05d}"])

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(32)))
    assert len({r.request_id for r in results}) == 32
    assert {r.provider for r in results} == {"tencent", "alibaba"}


def test_eight_threads_run_batches_on_one_client_with_the_gil_released(tc, emu):
    # Each thread sends a batch of two requests; every request is delayed. While the batches run
    # (paced at 10/s, a second of latency each) the interpreter keeps running Python.
    ids = emu.seed(tencent={"running": 8 * 150})["tencent"]["running"]
    emu.fault(kind="latency", provider="tencent", action="StopInstances", ms=LATENCY_MS, count=2 * THREADS)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    slices = [ids[i * 150:(i + 1) * 150] for i in range(THREADS)]
    tick_thread = threading.Thread(target=ticker)
    tick_thread.start()
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda s: tc.stop_instances("ap-guangzhou", s), slices))
    finally:
        elapsed = time.monotonic() - start
        stop.set()
        tick_thread.join()
    for s, r in zip(slices, results):
        assert list(r.outcomes) == s and set(r.outcomes.values()) == {"done"} and r.attempts == 2
    latency = LATENCY_MS / 1000
    # 16 requests of one second each, serialised, would take 16 s; paced and parallel, about 3.
    assert elapsed < 2 * THREADS * latency / 2, f"{2 * THREADS} delayed requests took {elapsed:.2f}s"
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < latency * 0.8, f"the interpreter froze for {max(gaps):.2f}s during a batch"

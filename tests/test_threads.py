"""One client shared by 8 threads, on every backend: every call succeeds, each thread's failures
are its own, and the emulator saw exactly the calls that were made."""
from __future__ import annotations

import threading

from backends.base import Failure, Outcome

THREADS = 8
ROUNDS = 4


def run_threads(target) -> list:
    errors: list = []
    barrier = threading.Barrier(THREADS)

    def wrapper(index: int) -> None:
        try:
            barrier.wait()
            target(index)
        except BaseException as e:  # reported by the main thread
            errors.append((index, e))

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a thread did not finish within 60 s"
    return errors


def test_eight_threads_share_one_tencent_client(tencent, emu):
    emu.configure(rateLimits={"StopInstances": 0}, transitionMs=0)
    results: dict = {}

    def work(index: int) -> None:
        for round_ in range(ROUNDS):
            instance = f"ins-run{index * ROUNDS + round_:05d}"
            results[instance] = tencent.stop_instances("ap-guangzhou", [instance])
            # Input errors mention this thread's own value, whatever the others do meanwhile.
            bad = f"ins-BAD{index}{round_}"
            r = tencent.stop_instances("ap-guangzhou", [bad])
            assert isinstance(r, Failure) and r.kind == "invalid_input", r
            assert bad in r.message, (bad, r.message)
            # Provider errors carry this call's own ID.
            missing = f"ins-zz{index:03d}{round_:03d}"
            r = tencent.stop_instances("ap-guangzhou", [missing])
            assert isinstance(r, Failure) and r.kind == "not_found", r
            assert missing in r.message, (missing, r.message)

    errors = run_threads(work)
    assert not errors, errors
    assert len(results) == THREADS * ROUNDS
    assert all(isinstance(r, Outcome) for r in results.values()), results
    assert len({r.request_id for r in results.values()}) == THREADS * ROUNDS
    state = emu.state()
    stopped = {i["InstanceId"] for i in state["tencent"]["instances"] if i["InstanceState"] == "STOPPED"}
    assert set(results) <= stopped
    # Only accepted calls are counted: the refused stops of unknown instances are not.
    assert state["requests"]["StopInstances"] == THREADS * ROUNDS


def test_eight_threads_share_one_alibaba_client(alibaba, emu):
    emu.configure(rateLimits={"StopInvocation": 0})
    results: dict = {}

    def work(index: int) -> None:
        for round_ in range(ROUNDS):
            instance = f"i-bp67acfmxazb4p{index * ROUNDS + round_ + 1:04d}"
            results[instance] = alibaba.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0003", [instance])
            r = alibaba.stop_invocation("cn-hangzhou", f"t-unknown{index}{round_}x")
            assert isinstance(r, Failure) and r.kind == "not_found" and r.http_status == 404, r

    errors = run_threads(work)
    assert not errors, errors
    assert all(isinstance(r, Outcome) for r in results.values()), results
    inv = next(i for i in emu.state()["alibaba"]["invocations"] if i["InvokeId"] == "t-hz0jdfwd9f0003")
    stopped = {i["InstanceId"] for i in inv["InvokeInstances"] if i["InvocationStatus"] == "Stopped"}
    assert stopped == set(results)

"""The Python forms of the confirm issue's waits: the two exception classes and where they sit,
the wait keywords' checks (naming the keyword the caller wrote), states on Response and Error
(kept through pickle), the GIL released while waiting, and the standalone waits."""
from __future__ import annotations

import builtins
import pickle
import threading
import time

import pytest

from pyhelp import ali, cloudhalt, tc  # noqa: F401

REGION = "ap-guangzhou"
FAST = dict(wait_timeout=20.0, wait_min_delay=0.05, wait_max_delay=0.2)


def test_the_wait_classes_and_their_kinds():
    assert issubclass(cloudhalt.WaitTimeoutError, cloudhalt.TimeoutError)
    assert issubclass(cloudhalt.WaitTimeoutError, builtins.TimeoutError)
    assert issubclass(cloudhalt.WaitFailedError, cloudhalt.Error)
    assert not issubclass(cloudhalt.WaitFailedError, cloudhalt.TimeoutError)
    assert not issubclass(cloudhalt.WaitFailedError, cloudhalt.ApiError)
    assert cloudhalt._cloudhalt.error_class("wait_timeout") is cloudhalt.WaitTimeoutError
    assert cloudhalt._cloudhalt.error_class("wait_failed") is cloudhalt.WaitFailedError
    assert repr(cloudhalt.WaitTimeoutError).startswith("<class 'cloudhalt.WaitTimeoutError'")


def test_states_survive_pickle():
    e = cloudhalt.WaitFailedError("failed: ins-a", kind="wait_failed", states={"ins-a": "RUNNING"},
                                  wait_results={"ins-a": "failed"})
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cloudhalt.WaitFailedError
    assert back.states == {"ins-a": "RUNNING"} and back.wait_results == {"ins-a": "failed"}
    assert cloudhalt.Error("x").states == {} and cloudhalt.Error("x").wait_results == {}


def test_a_response_without_a_wait_has_no_states(tc, emu):
    r = tc.stop_instances(REGION, ["ins-run00000"])
    assert r.states == {} and r.wait_results == {}


def test_a_wait_fills_states_in_input_order(tc, emu):
    emu.configure(transitionMs=200)
    ids = ["ins-run00003", "ins-run00001", "ins-run00002"]
    r = tc.stop_instances(REGION, ids, wait=True, **FAST)
    assert list(r.states.items()) == [(i, "STOPPED") for i in ids]
    assert list(r.wait_results.items()) == [(i, "stopped") for i in ids]


def test_wait_timeout_is_caught_as_a_timeout_and_carries_the_states(tc, emu):
    emu.configure(transitionMs=60_000)
    with pytest.raises(TimeoutError) as info:  # the builtin name catches it
        tc.stop_instances(REGION, ["ins-run00004"], wait=True, wait_timeout=0.3, wait_min_delay=0.05,
                          wait_max_delay=0.1)
    e = info.value
    assert type(e) is cloudhalt.WaitTimeoutError and e.kind == "wait_timeout"
    assert e.states == {"ins-run00004": "STOPPING"} and e.wait_results == {"ins-run00004": "waiting"}
    assert e.outcomes == {"ins-run00004": "done"}
    assert "ins-run00004" in str(e)


def test_wait_failed_carries_the_outcomes_and_states(tc, emu):
    emu.configure(transitionMs=100)
    emu.fault(kind="operation_fails", action="StopInstances")
    with pytest.raises(cloudhalt.WaitFailedError) as info:
        tc.stop_instances(REGION, ["ins-run00005"], wait=True, **FAST)
    e = info.value
    assert e.kind == "wait_failed" and e.outcomes == {"ins-run00005": "done"}
    assert e.wait_results == {"ins-run00005": "failed"}
    assert pickle.loads(pickle.dumps(e)).states == e.states


@pytest.mark.parametrize("kwargs, field", [
    ({"wait_timeout": -1.0}, "wait_timeout"),
    ({"wait_timeout": float("inf")}, "wait_timeout"),
    ({"wait_min_delay": 0.0}, "wait_min_delay"),
    ({"wait_min_delay": 5.0, "wait_max_delay": 1.0}, "wait_min_delay"),
    ({"wait_max_delay": 4000.0}, "wait_max_delay"),
])
@pytest.mark.parametrize("wait", [True, False])
def test_bad_wait_keywords_are_refused_naming_them_before_sending(tc, emu, kwargs, field, wait):
    with pytest.raises(cloudhalt.InvalidInputError) as info:
        tc.stop_instances(REGION, ["ins-run00000"], wait=wait, **kwargs)
    assert info.value.field == field and field in str(info.value), info.value
    assert emu.calls()["StopInstances"]["received"] == 0


@pytest.mark.parametrize("kwargs, field", [
    ({"timeout": -1.0}, "timeout"),
    ({"min_delay": 0.0}, "min_delay"),
    ({"min_delay": 5.0, "max_delay": 1.0}, "min_delay"),
    ({"max_delay": 4000.0}, "max_delay"),
])
def test_a_standalone_wait_names_its_own_keywords(tc, emu, kwargs, field):
    with pytest.raises(cloudhalt.InvalidInputError) as info:
        tc.wait_instances(REGION, ["ins-run00000"], **kwargs)
    assert info.value.field == field, info.value
    assert "wait_" not in str(info.value), info.value
    assert emu.calls()["DescribeInstances"]["received"] == 0


@pytest.mark.parametrize("kwargs", [{"wait": 1}, {"wait": "yes"}, {"wait_timeout": "10"}])
def test_wrong_wait_types_are_type_errors(tc, kwargs):
    with pytest.raises(TypeError):
        tc.stop_instances(REGION, ["ins-run00000"], **kwargs)


def test_the_gil_is_released_while_waiting(tc, emu):
    emu.configure(transitionMs=60_000)
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=count)
    t.start()
    try:
        with pytest.raises(cloudhalt.WaitTimeoutError):
            tc.stop_instances(REGION, ["ins-run00006"], wait=True, wait_timeout=0.8, wait_min_delay=0.2,
                              wait_max_delay=0.4)
    finally:
        stop.set()
        t.join()
    assert len(ticks) >= 30, f"the other thread ran only {len(ticks)} times in 0.8 s"


def test_standalone_waits_of_every_operation(tc, ali, emu):
    emu.configure(transitionMs=200)
    fast = dict(timeout=20.0, min_delay=0.05, max_delay=0.2)
    tc.stop_instances(REGION, ["ins-run00007"])
    assert tc.wait_instances(REGION, ["ins-run00007"], **fast).states == {"ins-run00007": "STOPPED"}
    assert tc.wait_instances(REGION, (), "TERMINATED").states == {}
    tc.cancel_invocation(REGION, "inv-inv00002")
    r = tc.wait_invocation(REGION, "inv-inv00002", **fast)
    assert r.states == {"ins-run00003": "CANCELLED", "ins-run00004": "TERMINATED"}
    tc.cancel_instance_refresh("asg-grp00001", "asr-act00001", region=REGION)
    r = tc.wait_instance_refresh("asg-grp00001", "asr-act00001", region=REGION, **fast)
    assert r.states == {"asr-act00001": "CANCELLED"} and r.wait_results == {"asr-act00001": "cancelled"}
    ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    r = ali.wait_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", **fast)
    assert set(r.states.values()) == {"Stopped"}, r.states
    r = ali.wait("StopInvocation", {"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001"}, **fast)
    assert set(r.states.values()) == {"Stopped"}
    # None of them wrote anything.
    calls = emu.calls()
    for action in ("StopInstances", "CancelInvocation", "CancelInstanceRefresh", "StopInvocation"):
        assert calls[action]["received"] == 1, (action, calls[action])
    assert calls["TerminateInstances"]["received"] == 0


def test_a_standalone_wait_rejects_a_state_it_cannot_wait_for(tc, emu):
    with pytest.raises(cloudhalt.InvalidInputError) as info:
        tc.wait_instances(REGION, ["ins-run00000"], "RUNNING")
    assert "STOPPED" in str(info.value) and "TERMINATED" in str(info.value)
    with pytest.raises(TypeError):
        tc.wait_instances(REGION, "ins-run00000")


def test_resume_can_wait(tc, emu, tmp_path):
    emu.configure(transitionMs=200)
    log = tmp_path / "audit.jsonl"
    writer = cloudhalt.Tencent(tc.secret_id, "cloudhalt-emulator-tencent-key", endpoint=emu.url,
                               audit_log=log, retry=cloudhalt.Retry(max_attempts=1))
    emu.fault(kind="throttle", provider="tencent", action="StopInstances")
    with pytest.raises(cloudhalt.ThrottledError):
        writer.stop_instances(REGION, ["ins-run00008"])
    r = tc.resume(log, wait=True, **FAST)
    assert r.outcomes == {"ins-run00008": "done"}
    assert r.states == {"ins-run00008": "STOPPED"}


def test_a_lost_terminate_answer_is_described_not_resent_and_reported_in_states(tc, emu):
    emu.fault(kind="apply_then_drop", action="TerminateInstances")
    r = tc.terminate_instances(REGION, ["ins-run00009"])  # no wait asked for
    assert r.outcomes == {"ins-run00009": "done"}
    assert r.states == {"ins-run00009": "TERMINATING"}
    assert r.wait_results == {"ins-run00009": "terminating"}
    c = emu.calls()["TerminateInstances"]["ids"]["ins-run00009"]
    assert c == {"received": 1, "applied": 1}, c


class _Interrupted(Exception):
    pass


def test_a_signal_handler_that_raises_ends_a_wait_at_once(tc, emu):
    # Ctrl-C must not be held until the deadline: the GIL is released while waiting, and the
    # wait runs Python's signal handlers every 100 ms or so. A SIGUSR1 handler stands for
    # SIGINT's KeyboardInterrupt here, so that the test runner's own handler is left alone.
    import signal
    emu.configure(transitionMs=60000)  # STOPPING for a minute

    def handler(signum, frame):
        raise _Interrupted()

    previous = signal.signal(signal.SIGUSR1, handler)
    main = threading.get_ident()
    timer = threading.Timer(0.5, lambda: signal.pthread_kill(main, signal.SIGUSR1))
    started = time.monotonic()
    try:
        timer.start()
        with pytest.raises(_Interrupted):
            tc.stop_instances(REGION, ["ins-run00010"], wait=True, wait_timeout=30.0,
                              wait_min_delay=0.2, wait_max_delay=1.0)
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
    took = time.monotonic() - started
    assert took < 3.0, took
    # The stop itself was sent once and took effect; nothing else was written.
    assert emu.calls()["StopInstances"]["ids"]["ins-run00010"] == {"received": 1, "applied": 1}

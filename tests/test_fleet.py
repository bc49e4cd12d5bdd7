"""Stopping a fleet, on every backend, against the emulator: batches of any size split at the
provider's limit with every ID accounted for once, retries that never make things worse, the
client-side rate limit under 8 threads, bad settings refused before anything is sent, and the
audit log with resume after an interruption.

The emulator's call counters (`GET /_emulator/calls`) are the proof of what was sent: per action
`received` / `applied` / `throttled`, and per ID how many requests named it.
"""
from __future__ import annotations

import json
import os
import pathlib
import socket
import struct
import threading
import time

import pytest

from backends.base import OUTCOMES, Failure, Outcome, Retry
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)
from test_send_state_phases import read_request, serving

ONE_ATTEMPT = Retry(max_attempts=1)
# Short delays, so that tests retrying many times stay fast; the attempts are what is tested.
FAST = Retry(max_attempts=4, base_delay=0.01, max_delay=0.05)
REGION = "ap-guangzhou"
HARMLESS = ("StopInstances", "CancelInvocation", "CancelInstanceRefresh", "StopInvocation")
ALL_ACTIONS = HARMLESS + ("TerminateInstances",)


def tencent_client(backend, emu, **settings):
    client = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, **settings)
    assert not isinstance(client, Failure), client
    return client


def alibaba_client(backend, emu, **settings):
    client = backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url, **settings)
    assert not isinstance(client, Failure), client
    return client


def one_call(backend, emu, action: str, **settings):
    """One call of `action` on the built-in seed, with the ID its outcome is reported for."""
    if action == "StopInvocation":
        client = alibaba_client(backend, emu, **settings)
        return client.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001"), "t-hz0jdfwd9f0001"
    client = tencent_client(backend, emu, **settings)
    if action == "StopInstances":
        return client.stop_instances(REGION, ["ins-run00000"]), "ins-run00000"
    if action == "TerminateInstances":
        return client.terminate_instances(REGION, ["ins-run00001"]), "ins-run00001"
    if action == "CancelInvocation":
        return client.cancel_invocation(REGION, "inv-inv00001"), "inv-inv00001"
    assert action == "CancelInstanceRefresh"
    return client.cancel_instance_refresh("asg-grp00001", "asr-act00001", region=REGION), "asr-act00001"


def provider_of(action: str) -> dict:
    """Fault fields that aim at `action` (Alibaba answers errors with a status of their own)."""
    return {"provider": "alibaba", "httpStatus": 500} if action == "StopInvocation" else {"provider": "tencent"}


def assert_accounted(result, ids) -> None:
    """Every input ID exactly once, in input order, with a known outcome."""
    assert [r.id for r in result.results] == list(ids), result.results[:3]
    assert all(r.outcome in OUTCOMES for r in result.results)


def instance_states(emu) -> dict:
    return {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]}


# --- batches of any size ---------------------------------------------------------------------------

def test_150_ids_are_two_requests_and_every_id_is_done_once(backend, emu):
    ids = [f"ins-run{n:05d}" for n in range(150)]
    r = tencent_client(backend, emu).stop_instances(REGION, ids)
    assert isinstance(r, Outcome), r
    assert_accounted(r, ids)
    assert {x.outcome for x in r.results} == {"done"}
    assert len(r.request_ids) == 2 and len(set(r.request_ids)) == 2 and r.attempts == 2, r
    assert r.request_id == r.request_ids[0]
    # Each ID carries the RequestId of its own request: the first 100, then the other 50.
    assert {x.request_id for x in r.results[:100]} == {r.request_ids[0]}
    assert {x.request_id for x in r.results[100:]} == {r.request_ids[1]}
    calls = emu.calls()["StopInstances"]
    assert (calls["received"], calls["applied"], calls["throttled"]) == (2, 2, 0), calls
    assert all(calls["ids"][i] == {"received": 1, "applied": 1} for i in ids), calls["ids"]
    states = instance_states(emu)
    assert all(states[i] in ("STOPPING", "STOPPED") for i in ids)


def test_alibaba_splits_at_50(backend, emu):
    seeded = emu.seed(alibaba={"running": 120})["alibaba"]
    ids, invoke = seeded["running"], seeded["invokeId"]
    r = alibaba_client(backend, emu).stop_invocation("cn-hangzhou", invoke, ids)
    assert isinstance(r, Outcome), r
    assert_accounted(r, ids)
    assert {x.outcome for x in r.results} == {"done"}
    assert len(set(r.request_ids)) == 3 and r.attempts == 3, r
    calls = emu.calls()["StopInvocation"]
    assert calls["received"] == 3 and calls["applied"] == 3, calls
    assert all(calls["ids"][i]["received"] == 1 for i in ids)


def test_tencent_json_entry_point_splits_too(backend, emu):
    ids = [f"ins-run{n:05d}" for n in range(101)]
    r = tencent_client(backend, emu).call("TerminateInstances", {"InstanceIds": ids}, region=REGION)
    assert isinstance(r, Outcome), r
    assert_accounted(r, ids)
    assert r.attempts == 2 and emu.calls()["TerminateInstances"]["received"] == 2


# --- retries ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_throttled_twice_every_operation_succeeds_on_the_third_attempt(backend, emu, action):
    # The default policy: 3 attempts. Alibaba refuses a reused nonce (SignatureNonceUsed), so
    # its success also proves every attempt was signed afresh.
    emu.fault(kind="throttle", action=action, count=2)
    r, key = one_call(backend, emu, action)
    assert isinstance(r, Outcome), r
    assert r.attempts == 3, r
    assert len(r.request_ids) == 3 and len(set(r.request_ids)) == 3, r.request_ids
    assert r.request_id == r.request_ids[-1]
    assert r.outcomes == {key: "done"}
    calls = emu.calls()[action]
    assert (calls["received"], calls["throttled"], calls["applied"]) == (3, 2, 1), calls


def test_alibaba_retry_after_sets_the_delay(backend, emu):
    emu.fault(kind="throttle", action="StopInvocation", count=2, retryAfterMs=400)
    client = alibaba_client(backend, emu, retry=Retry(max_attempts=3, base_delay=0.0, max_delay=5.0))
    start = time.monotonic()
    r = client.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    elapsed = time.monotonic() - start
    assert isinstance(r, Outcome) and r.attempts == 3, r
    # base_delay 0 would retry at once: only the provider's x-acs-retry-after makes it wait.
    assert elapsed >= 0.8, f"x-acs-retry-after 400 ms, twice, took only {elapsed:.2f} s"


@pytest.mark.parametrize("action", HARMLESS)
def test_internal_error_forever_harmless_operations_give_up_after_the_configured_attempts(backend, emu, action):
    emu.fault(kind="error", code="InternalError", action=action, forever=True, **provider_of(action))
    r, key = one_call(backend, emu, action, retry=FAST)
    assert isinstance(r, Failure) and r.kind == "server" and r.code == "InternalError", r
    assert r.attempts == FAST.max_attempts, r
    assert len(r.request_ids) == FAST.max_attempts and len(set(r.request_ids)) == FAST.max_attempts, r
    assert r.request_id == r.request_ids[-1]
    # An InternalError may have taken effect: the outcome is unknown, not failed.
    assert r.outcomes == {key: "unknown"}, r.results
    assert emu.calls()[action]["received"] == FAST.max_attempts


def test_internal_error_terminate_is_sent_exactly_once(backend, emu):
    emu.fault(kind="error", code="InternalError", action="TerminateInstances", forever=True, provider="tencent")
    r, key = one_call(backend, emu, "TerminateInstances", retry=FAST)
    assert isinstance(r, Failure) and r.kind == "server", r
    assert r.attempts == 1 and len(r.request_ids) == 1, r
    assert r.outcomes == {key: "unknown"}
    assert "DescribeInstances" in r.message, r.message  # how to check before calling again
    assert emu.calls()["TerminateInstances"]["received"] == 1


def test_apply_then_drop_stop_instances_retries_and_ends_already(backend, emu):
    emu.fault(kind="apply_then_drop", action="StopInstances")
    r = tencent_client(backend, emu).stop_instances(REGION, ["ins-run00000", "ins-run00001"])
    assert isinstance(r, Outcome), r
    assert r.attempts == 2, r
    # The first attempt stopped them; the second hears "already stopping/stopped": a success.
    assert set(r.outcomes.values()) <= {"already", "done"} and r.outcomes, r.results
    calls = emu.calls()["StopInstances"]
    assert (calls["received"], calls["applied"]) == (2, 1), calls
    assert calls["ids"]["ins-run00000"] == {"received": 2, "applied": 1}
    assert instance_states(emu)["ins-run00000"] in ("STOPPING", "STOPPED")


def test_apply_then_drop_terminate_is_described_after_one_request(backend, emu):
    # The answer is lost; TerminateInstances is never sent again: DescribeInstances shows the
    # instances terminating, so the terminate took effect (done, with the state seen).
    emu.fault(kind="apply_then_drop", action="TerminateInstances")
    r = tencent_client(backend, emu).terminate_instances(REGION, ["ins-run00000", "ins-run00001"])
    assert isinstance(r, Outcome), r
    assert r.attempts == 1, r
    assert r.outcomes == {"ins-run00000": "done", "ins-run00001": "done"}
    assert r.states == {"ins-run00000": "TERMINATING", "ins-run00001": "TERMINATING"}, r
    calls = emu.calls()["TerminateInstances"]
    assert (calls["received"], calls["applied"]) == (1, 1), calls


def test_apply_then_drop_terminate_stays_unknown_when_the_describe_fails_too(backend, emu):
    emu.fault(kind="apply_then_drop", action="TerminateInstances")
    emu.fault(kind="error", provider="tencent", action="DescribeInstances", code="AuthFailure.SignatureFailure")
    r = tencent_client(backend, emu).terminate_instances(REGION, ["ins-run00000"])
    assert isinstance(r, Failure) and r.kind == "transport" and r.send_state == "sent_no_answer", r
    assert r.outcomes == {"ins-run00000": "unknown"}
    assert "DescribeInstances" in r.message
    assert emu.calls()["TerminateInstances"]["received"] == 1


def test_apply_then_drop_stop_invocation_is_repeated(backend, emu):
    emu.fault(kind="apply_then_drop", action="StopInvocation")
    r = alibaba_client(backend, emu).stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert isinstance(r, Outcome) and r.attempts == 2, r
    assert r.outcomes["t-hz0jdfwd9f0001"] in ("done", "already")


def test_a_reset_after_the_request_was_read_is_never_repeated_for_terminate(backend):
    # The loopback peer reads each request whole and resets the connection: the ambiguous case
    # at the socket level. StopInstances is repeated (harmless), TerminateInstances never.
    def read_then_reset(conn: socket.socket, stop: threading.Event) -> None:
        server.requests.append(read_request(conn, stop))
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    for action, sent in (("TerminateInstances", 1), ("StopInstances", 3)):
        with serving(read_then_reset) as server:
            client = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, timeout=5.0,
                                     endpoint=f"http://127.0.0.1:{server.port}",
                                     retry=Retry(max_attempts=3, base_delay=0.01, max_delay=0.05))
            call = client.terminate_instances if action == "TerminateInstances" else client.stop_instances
            r = call(REGION, ["ins-run00000"])
        assert isinstance(r, Failure) and r.send_state == "sent_no_answer", r
        got = [q for q in server.requests if action.encode() in q]
        assert len(got) == sent, f"{action} was sent {len(got)} times, expected {sent}"
        assert r.attempts == sent and r.outcomes == {"ins-run00000": "unknown"}, r


def test_one_request_in_three_failing_reports_the_failed_ids(backend, emu):
    ids = emu.seed(tencent={"running": 1000})["tencent"]["running"]
    emu.fault(kind="error", code="FailedOperation.Rehearsal", action="StopInstances", every=3, forever=True,
              provider="tencent")
    r = tencent_client(backend, emu).stop_instances(REGION, ids)
    assert isinstance(r, Failure) and r.kind == "api" and r.code == "FailedOperation.Rehearsal", r
    assert_accounted(r, ids)
    failed = [x for x in r.results if x.outcome == "failed"]
    done = [x for x in r.results if x.outcome == "done"]
    assert (len(failed), len(done)) == (300, 700), (len(failed), len(done))
    assert all(x.code == "FailedOperation.Rehearsal" and x.request_id in r.request_ids for x in failed)
    assert r.attempts == 10 and len(r.request_ids) == 10, r
    calls = emu.calls()["StopInstances"]
    assert calls["received"] == 10
    assert all(calls["ids"][x.id]["applied"] == 0 for x in failed)
    assert all(calls["ids"][x.id]["applied"] == 1 for x in done)
    states = instance_states(emu)
    assert all(states[x.id] == "RUNNING" for x in failed)


def test_one_internal_error_in_three_is_healed_by_retries(backend, emu):
    # One request at a time, so the emulator's every-3rd turns fall in a known order: attempts
    # 3, 6, 9 and 12 fail and each is followed by a successful retry: 14 attempts, all done.
    ids = emu.seed(tencent={"running": 1000})["tencent"]["running"]
    emu.fault(kind="error", code="InternalError", action="StopInstances", every=3, forever=True,
              provider="tencent")
    r = tencent_client(backend, emu, concurrency=1, retry=FAST).stop_instances(REGION, ids)
    assert isinstance(r, Outcome), r
    assert_accounted(r, ids)
    assert {x.outcome for x in r.results} == {"done"}
    assert r.attempts == 14 and len(r.request_ids) == 14, r
    assert emu.calls()["StopInstances"]["applied"] == 10


# --- the client-side rate limit ----------------------------------------------------------------------

def test_eight_threads_sharing_one_client_never_trip_the_providers_rate_limit(backend, emu):
    ids = emu.seed(tencent={"running": 1000})["tencent"]["running"]
    emu.configure(rateLimits={"StopInstances": 10})
    # One attempt: a throttled request must show as a failure, not be retried away.
    client = tencent_client(backend, emu, retry=ONE_ATTEMPT)
    slices = [ids[i::8] for i in range(8)]  # 125 IDs each: two requests per thread
    results: dict = {}
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        barrier.wait()
        results[n] = client.stop_instances(REGION, slices[n])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert all(isinstance(results[n], Outcome) for n in range(8)), results
    for n in range(8):
        assert_accounted(results[n], slices[n])
    seen = [x.id for n in range(8) for x in results[n].results]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 1000
    calls = emu.calls()["StopInstances"]
    assert calls["throttled"] == 0, calls
    assert (calls["received"], calls["applied"]) == (16, 16), calls
    assert all(calls["ids"][i] == {"received": 1, "applied": 1} for i in ids)


def test_1000_ids_at_concurrency_8_never_trip_the_providers_rate_limit(backend, emu):
    ids = emu.seed(tencent={"running": 1000})["tencent"]["running"]
    emu.configure(rateLimits={"StopInstances": 10})
    start = time.monotonic()
    r = tencent_client(backend, emu, concurrency=8).stop_instances(REGION, ids)
    elapsed = time.monotonic() - start
    assert isinstance(r, Outcome), r
    assert_accounted(r, ids)
    assert r.attempts == 10, r
    calls = emu.calls()["StopInstances"]
    assert calls["throttled"] == 0 and calls["received"] == 10, calls
    # Paced, not serialised behind a long wait: 9 gaps of 1.1 / 10 s.
    assert elapsed < 5, f"10 requests at 10/s took {elapsed:.1f} s"


def test_without_the_client_side_limit_the_same_batch_is_throttled(backend, emu):
    # The control for the two tests above: the emulator does enforce 10/s, and it is the
    # client's pacing that keeps a burst under it.
    ids = emu.seed(tencent={"running": 1500})["tencent"]["running"]
    emu.configure(rateLimits={"StopInstances": 10})
    client = tencent_client(backend, emu, concurrency=15, rate_limit=False, retry=ONE_ATTEMPT)
    r = client.stop_instances(REGION, ids)  # 15 requests at once
    assert isinstance(r, Failure) and r.kind == "throttled", r
    assert_accounted(r, ids)
    throttled = emu.calls()["StopInstances"]["throttled"]
    assert throttled > 0 and sum(x.outcome == "failed" for x in r.results) == 100 * throttled


def test_rate_limit_off_and_per_second(backend, emu):
    ids = [f"ins-run{n:05d}" for n in range(150)]
    emu.configure(rateLimits={"StopInstances": 0})
    fast = tencent_client(backend, emu, rate_limit=False, concurrency=1)
    assert isinstance(fast.stop_instances(REGION, ids), Outcome)
    slow = tencent_client(backend, emu, rate_limit=2, concurrency=4)
    start = time.monotonic()
    r = slow.terminate_instances(REGION, ids)
    assert isinstance(r, Outcome), r
    # Two requests at 2/s with the margin: the second waits 0.55 s for its slot.
    assert time.monotonic() - start >= 0.5


# --- bad settings -------------------------------------------------------------------------------------

BAD_SETTINGS = [
    ("max_attempts", {"retry": Retry(max_attempts=0)}),
    ("max_attempts", {"retry": Retry(max_attempts=21)}),
    ("base_delay", {"retry": Retry(max_attempts=3, base_delay=2.0, max_delay=1.0)}),
    ("max_delay", {"retry": Retry(max_attempts=3, base_delay=0.1, max_delay=-1.0)}),
    ("concurrency", {"concurrency": 0}),
    ("concurrency", {"concurrency": 65}),
    ("rate_limit", {"rate_limit": -1}),
    ("rate_limit", {"rate_limit": 0}),
]


@pytest.mark.parametrize("field,settings", BAD_SETTINGS, ids=[f"{f}-{list(s.values())[0]}" for f, s in BAD_SETTINGS])
def test_bad_settings_are_refused_before_anything_is_sent(backend, emu, field, settings):
    for make in (backend.tencent, backend.alibaba):
        r = make("AKIDx" if make == backend.tencent else "LTAIx", "key", endpoint=emu.url, **settings)
        assert isinstance(r, Failure) and r.kind == "invalid_input", r
        assert field in r.message, r.message
    assert all(c["received"] == 0 for c in emu.calls().values())


# --- the audit log and resume ---------------------------------------------------------------------------

def read_log(path: pathlib.Path) -> list:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), "every line is written whole"
    return [json.loads(line) for line in text.splitlines()]


def test_audit_log_has_a_send_and_an_answer_line_per_request(backend, emu, tmp_path):
    log = tmp_path / "audit.jsonl"
    ids = [f"ins-run{n:05d}" for n in range(150)]
    r = tencent_client(backend, emu, audit=str(log), concurrency=1).stop_instances(REGION, ids)
    assert isinstance(r, Outcome), r
    if os.name == "posix":
        assert log.stat().st_mode & 0o077 == 0, "the log names your instances: owner only"
    events = read_log(log)
    assert [e["event"] for e in events] == ["batch", "send", "answer", "send", "answer", "end"], events
    batch = events[0]
    assert (batch["provider"], batch["operation"], batch["region"], batch["ids"], batch["requests"]) == \
        ("tencent", "StopInstances", REGION, ids, 2)
    for request, chunk in ((0, ids[:100]), (1, ids[100:])):
        send = next(e for e in events if e["event"] == "send" and e["request"] == request)
        answer = next(e for e in events if e["event"] == "answer" and e["request"] == request)
        assert send["ids"] == chunk and send["attempt"] == answer["attempt"] == 1
        assert answer["outcomes"] == {i: "done" for i in chunk} and answer["final"] is True
        assert answer["request_id"] == r.request_ids[request]
        assert events.index(send) < events.index(answer)
    assert events[-1]["summary"] == {"done": 150, "already": 0, "failed": 0, "unknown": 0}
    text = log.read_text(encoding="utf-8")
    for secret in (TENCENT_SECRET_KEY, "Authorization", "TC3-HMAC"):
        assert secret not in text


def test_audit_log_records_every_attempt(backend, emu, tmp_path):
    log = tmp_path / "audit.jsonl"
    emu.fault(kind="throttle", action="StopInvocation", count=1)
    client = alibaba_client(backend, emu, audit=str(log))
    assert isinstance(client.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001"), Outcome)
    events = [e for e in read_log(log) if e["event"] in ("send", "answer")]
    assert [(e["event"], e["attempt"]) for e in events] == \
        [("send", 1), ("answer", 1), ("send", 2), ("answer", 2)]
    assert events[1]["code"] == "Throttling.User" and events[1]["final"] is False
    assert events[3]["outcome"] == "done" and events[3]["final"] is True


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make writes fail")
def test_an_unwritable_audit_log_stops_the_call_before_it_is_sent(backend, emu):
    client = tencent_client(backend, emu, audit="/dev/full")
    r = client.terminate_instances(REGION, ["ins-run00000"])
    assert isinstance(r, Failure) and r.kind == "audit" and r.send_state == "not_sent", r
    assert "/dev/full" in r.message
    assert emu.calls()["TerminateInstances"]["received"] == 0
    assert instance_states(emu)["ins-run00000"] == "RUNNING"


def test_an_audit_log_that_cannot_be_opened_is_refused(backend, tmp_path):
    r = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, audit=str(tmp_path / "no-such-dir" / "a.jsonl"))
    assert isinstance(r, Failure) and r.kind == "invalid_input" and "audit" in r.message, r


def interrupted_batch(backend, emu, tmp_path, action: str, lost: str = "drop_before_apply"):
    """A batch of 250 IDs (requests of 100, 100, 50, sent one at a time) whose audit log is cut as
    a crash would leave it: request 0 answered, request 1 sent with its answer line half-written,
    request 2 never sent. The emulator matches that story: request 1 reached it and was dropped
    unapplied (drop_before_apply), request 2 was refused unapplied. Returns the log, the IDs and
    the emulator's counters after the original run. `lost="apply_then_drop"` makes request 1
    take effect before its answer is lost."""
    ids = emu.seed(tencent={"running": 250})["tencent"]["running"]
    emu.fault(kind=lost, action=action, offset=1, count=1)
    emu.fault(kind="error", code="FailedOperation.Rehearsal", action=action, offset=2, count=1,
              provider="tencent")
    log = tmp_path / "audit.jsonl"
    client = tencent_client(backend, emu, audit=str(log), concurrency=1, retry=ONE_ATTEMPT)
    call = client.terminate_instances if action == "TerminateInstances" else client.stop_instances
    r = call(REGION, ids)
    assert isinstance(r, Failure), r
    assert [r.outcomes[i] for i in (ids[0], ids[100], ids[200])] == ["done", "unknown", "failed"], r.results
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    kinds = [json.loads(line)["event"] for line in lines]
    assert kinds[:5] == ["batch", "send", "answer", "send", "answer"], kinds
    log.write_text("".join(lines[:4]) + lines[4][: len(lines[4]) // 2], encoding="utf-8")
    return log, ids, emu.calls()[action]


def test_resume_never_resends_unknown_terminate_ids(backend, emu, tmp_path):
    log, ids, before = interrupted_batch(backend, emu, tmp_path, "TerminateInstances")
    held, left = ids[100:200], ids[200:]
    client = tencent_client(backend, emu, audit=str(log))
    r = client.resume(str(log))
    assert isinstance(r, Outcome), r
    # Only request 2's IDs are sent; request 0's are finished, request 1's are held back.
    assert_accounted(r, left)
    assert {x.outcome for x in r.results} == {"done"} and r.attempts == 1, r
    after = emu.calls()["TerminateInstances"]
    assert after["received"] == before["received"] + 1, (before, after)
    for i in held:
        assert after["ids"][i] == before["ids"][i] == {"received": 1, "applied": 0}
    assert all(after["ids"][i]["applied"] == 1 for i in ids[:100] + left)
    # The resume was logged in the same file: a second resume finds nothing left to send.
    again = client.resume(str(log))
    assert isinstance(again, Failure) and again.kind == "invalid_input", again
    assert "nothing to resume" in again.message, again.message
    assert emu.calls()["TerminateInstances"]["received"] == after["received"]


def test_resume_resends_unknown_ids_of_a_harmless_operation(backend, emu, tmp_path):
    log, ids, before = interrupted_batch(backend, emu, tmp_path, "StopInstances")
    r = tencent_client(backend, emu).resume(str(log))
    assert isinstance(r, Outcome), r
    assert_accounted(r, ids[100:])
    assert {x.outcome for x in r.results} == {"done"} and r.attempts == 2, r
    after = emu.calls()["StopInstances"]
    # Sent twice only where the first attempt's outcome was unknown (request 1's IDs).
    assert all(after["ids"][i] == {"received": 1, "applied": 1} for i in ids[:100])
    assert all(after["ids"][i] == {"received": 2, "applied": 1} for i in ids[100:])
    states = instance_states(emu)
    assert all(states[i] in ("STOPPING", "STOPPED") for i in ids)


def test_resume_of_an_applied_stop_whose_answer_was_lost_ends_already(backend, emu, tmp_path):
    log, ids, _ = interrupted_batch(backend, emu, tmp_path, "StopInstances", lost="apply_then_drop")
    r = tencent_client(backend, emu).resume(str(log))
    assert isinstance(r, Outcome), r
    assert {r.outcomes[i] for i in ids[100:200]} <= {"already", "done"}
    assert {r.outcomes[i] for i in ids[200:]} == {"done"}


def test_resume_sends_the_failed_ids_of_an_alibaba_batch(backend, emu, tmp_path):
    seeded = emu.seed(alibaba={"running": 120})["alibaba"]
    ids, invoke = seeded["running"], seeded["invokeId"]
    emu.fault(kind="error", code="InvalidParameter.Rehearsal", httpStatus=400, provider="alibaba",
              action="StopInvocation", offset=1, count=1)
    log = tmp_path / "audit.jsonl"
    client = alibaba_client(backend, emu, audit=str(log), concurrency=1)
    r = client.stop_invocation("cn-hangzhou", invoke, ids)
    assert isinstance(r, Failure) and r.kind == "invalid_parameter", r
    assert [x.id for x in r.results if x.outcome == "failed"] == ids[50:100]
    resumed = client.resume(str(log))
    assert isinstance(resumed, Outcome), resumed
    assert_accounted(resumed, ids[50:100])
    calls = emu.calls()["StopInvocation"]
    assert calls["received"] == 4 and all(calls["ids"][i]["applied"] == 1 for i in ids)


def test_resume_of_another_clouds_log_is_refused(backend, emu, tmp_path):
    log = tmp_path / "audit.jsonl"
    assert isinstance(tencent_client(backend, emu, audit=str(log)).stop_instances(REGION, ["ins-run00000"]),
                      Outcome)
    r = alibaba_client(backend, emu).resume(str(log))
    assert isinstance(r, Failure) and r.kind == "invalid_input", r
    r = tencent_client(backend, emu).resume(str(tmp_path / "missing.jsonl"))
    assert isinstance(r, Failure) and r.kind == "invalid_input", r

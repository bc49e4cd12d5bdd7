"""The Python face of the fleet features: `cloudhalt.Retry` as a value class, the clients' fleet
keywords and properties (types, ranges, reprs), the per-ID record on `Response` and on every
`Error`, `IdOutcome`, `AuditError` and `resume`. The behaviour itself (retries, pacing, batches,
audit lines) is tested on every backend in tests/test_fleet.py."""
from __future__ import annotations

import math
import os
import pathlib
import pickle
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from pyhelp import (  # noqa: F401
    ALIBABA_ACCESS_KEY_ID,
    ALIBABA_ACCESS_KEY_SECRET,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
    ali,
    cloudhalt,
    tc,
)

Retry = cloudhalt.Retry


# --- Retry ---------------------------------------------------------------------------------------

def test_retry_defaults_and_attributes():
    r = Retry()
    assert (r.max_attempts, r.base_delay, r.max_delay) == (3, 0.2, 5.0)
    assert repr(r) == "cloudhalt.Retry(max_attempts=3, base_delay=0.2, max_delay=5.0)"
    assert Retry(1) == Retry(max_attempts=1) and Retry(1).max_attempts == 1
    assert repr(Retry(5, 0, 60)) == "cloudhalt.Retry(max_attempts=5, base_delay=0.0, max_delay=60.0)"
    assert isinstance(Retry(2, 1, 2).base_delay, float)


def test_retry_is_an_immutable_value():
    a, b = Retry(4, 0.5, 10.0), Retry(max_attempts=4, base_delay=0.5, max_delay=10.0)
    assert a == b and not (a != b) and hash(a) == hash(b)
    assert a != Retry(4, 0.5, 11.0) and a != Retry()
    assert a != (4, 0.5, 10.0) and a != "Retry"
    assert len({a, b, Retry()}) == 2
    with pytest.raises(AttributeError):
        a.max_attempts = 1  # type: ignore[misc]
    back = pickle.loads(pickle.dumps(a))
    assert back == a and type(back) is Retry


@pytest.mark.parametrize("kwargs,field", [
    ({"max_attempts": 0}, "max_attempts"),
    ({"max_attempts": 21}, "max_attempts"),
    ({"max_attempts": -1}, "max_attempts"),
    ({"max_attempts": 10**30}, "max_attempts"),
    ({"base_delay": -0.1}, "base_delay"),
    ({"base_delay": math.nan}, "base_delay"),
    ({"base_delay": 6.0}, "base_delay"),          # longer than max_delay 5.0
    ({"max_delay": 3601}, "max_delay"),
    ({"max_delay": math.inf}, "max_delay"),
    ({"max_delay": 10**400}, "max_delay"),
], ids=lambda v: repr(v))
def test_bad_retry_values_are_invalid_input_naming_the_field(kwargs, field):
    with pytest.raises(cloudhalt.InvalidInputError) as ei:
        Retry(**kwargs)
    e = ei.value
    assert e.field == field and field in str(e), str(e)
    assert e.send_state == "not_built" and e.attempts == 0 and e.outcomes == {}
    if "max_attempts" in kwargs:
        assert str(kwargs["max_attempts"]) in str(e), "the message shows the caller's own value"


@pytest.mark.parametrize("kwargs", [
    {"max_attempts": 1.5}, {"max_attempts": True}, {"max_attempts": "3"},
    {"base_delay": "0.2"}, {"base_delay": True}, {"max_delay": [5]},
], ids=lambda v: repr(v))
def test_wrong_retry_types_are_type_errors(kwargs):
    with pytest.raises(TypeError) as ei:
        Retry(**kwargs)
    assert not isinstance(ei.value, cloudhalt.Error)
    assert list(kwargs)[0] in str(ei.value)


# --- client settings -------------------------------------------------------------------------------

def make(cls, **kw):
    if cls is cloudhalt.Tencent:
        return cls(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, "sts-token-xyz", **kw)
    return cls(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, "sts-token-xyz", **kw)


CLIENTS = [cloudhalt.Tencent, cloudhalt.Alibaba]


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
def test_client_settings_defaults_and_properties(cls, tmp_path):
    c = make(cls)
    assert c.retry == Retry() and c.rate_limit is True and c.concurrency == 4 and c.audit_log is None
    log = tmp_path / "audit.jsonl"
    c = make(cls, retry=Retry(1), rate_limit=False, concurrency=64, audit_log=log)
    assert c.retry == Retry(max_attempts=1) and c.rate_limit is False and c.concurrency == 64
    assert c.audit_log == str(log) and log.exists()
    if os.name == "posix":
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
    # A number is requests per second (a float), never confused with True/False.
    for rate in (1, 2.5, 10000):
        got = make(cls, rate_limit=rate).rate_limit
        assert got == float(rate) and type(got) is float
    assert make(cls, rate_limit=None).rate_limit is True and make(cls, retry=None).retry == Retry()
    assert make(cls, audit_log=str(log)).audit_log == str(log)


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
def test_client_repr_shows_the_settings_and_no_secret(cls, tmp_path):
    log = tmp_path / "audit.jsonl"
    text = repr(make(cls, retry=Retry(2, 0.1, 1.0), rate_limit=5, concurrency=2, audit_log=log))
    assert "retry=cloudhalt.Retry(max_attempts=2, base_delay=0.1, max_delay=1.0)" in text, text
    assert "rate_limit=5.0" in text and "concurrency=2" in text and repr(str(log)) in text, text
    assert "rate_limit=True" in repr(make(cls)) and "audit_log=None" in repr(make(cls))
    for secret in (TENCENT_SECRET_KEY, ALIBABA_ACCESS_KEY_SECRET, "sts-token-xyz"):
        assert secret not in text


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kwargs,field", [
    ({"concurrency": 0}, "concurrency"), ({"concurrency": 65}, "concurrency"),
    ({"concurrency": -1}, "concurrency"), ({"concurrency": 2**70}, "concurrency"),
    ({"rate_limit": 0}, "rate_limit"), ({"rate_limit": -1}, "rate_limit"),
    ({"rate_limit": math.nan}, "rate_limit"), ({"rate_limit": 1e9}, "rate_limit"),
], ids=lambda v: repr(v))
def test_bad_setting_values_are_invalid_input(cls, kwargs, field, tmp_path):
    log = tmp_path / "never-created.jsonl"
    with pytest.raises(cloudhalt.InvalidInputError) as ei:
        make(cls, audit_log=log, **kwargs)
    assert ei.value.field == field and field in str(ei.value)
    assert not log.exists(), "a refused client leaves no audit file behind"


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kwargs", [
    {"retry": 3}, {"retry": (3, 0.2, 5.0)}, {"rate_limit": "fast"}, {"rate_limit": [10]},
    {"concurrency": 2.0}, {"concurrency": True}, {"concurrency": "4"}, {"audit_log": 5},
    {"audit_log": b"/tmp/audit"},
], ids=lambda v: repr(v))
def test_wrong_setting_types_are_type_errors(cls, kwargs):
    with pytest.raises(TypeError) as ei:
        make(cls, **kwargs)
    assert list(kwargs)[0] in str(ei.value)


def test_an_audit_log_that_cannot_be_opened_is_invalid_input(tmp_path):
    with pytest.raises(cloudhalt.InvalidInputError) as ei:
        make(cloudhalt.Tencent, audit_log=tmp_path)  # a directory
    assert ei.value.field == "audit" and str(tmp_path) in str(ei.value)


def test_from_env_takes_the_fleet_settings(monkeypatch, tmp_path):
    for name, value in (("TENCENTCLOUD_SECRET_ID", "AKIDx"), ("TENCENTCLOUD_SECRET_KEY", "k"),
                        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIx"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")):
        monkeypatch.setenv(name, value)
    t = cloudhalt.Tencent.from_env(retry=Retry(1), rate_limit=3, concurrency=7, audit_log=tmp_path / "t")
    a = cloudhalt.Alibaba.from_env(retry=Retry(2), rate_limit=False, concurrency=1, audit_log=tmp_path / "a")
    assert (t.retry.max_attempts, t.rate_limit, t.concurrency) == (1, 3.0, 7)
    assert (a.retry.max_attempts, a.rate_limit, a.concurrency) == (2, False, 1)
    with pytest.raises(cloudhalt.InvalidInputError, match="concurrency"):
        cloudhalt.Alibaba.from_env(concurrency=0)


# --- the per-ID record ------------------------------------------------------------------------------

def test_response_record_types(tc):
    ids = [f"ins-run{n:05d}" for n in range(150)]
    r = tc.stop_instances("ap-guangzhou", ids)
    assert isinstance(r.attempts, int) and r.attempts == 2
    assert isinstance(r.request_ids, list) and all(isinstance(i, str) for i in r.request_ids)
    assert r.request_id == r.request_ids[0] and len(r.request_ids) == 2
    assert type(r.outcomes) is dict and list(r.outcomes) == ids and set(r.outcomes.values()) == {"done"}
    assert isinstance(r.id_outcomes, list) and len(r.id_outcomes) == 150
    o = r.id_outcomes[120]
    assert isinstance(o, cloudhalt.IdOutcome) and isinstance(o, tuple)
    assert (o.id, o.outcome, o.code, o.request_id) == ("ins-run00120", "done", None, r.request_ids[1])
    assert repr(o).startswith("IdOutcome(id='ins-run00120', outcome='done'")
    # Fresh containers each time: changing one never changes the response.
    r.outcomes.clear()
    r.request_ids.clear()
    assert len(r.outcomes) == 150 and len(r.request_ids) == 2
    assert "attempts=2" in repr(r) and "ids=150" in repr(r)


def test_error_record_when_nothing_was_sent(tc):
    with pytest.raises(cloudhalt.InvalidInputError) as ei:
        tc.stop_instances("ap-guangzhou", ["ins-run00000", "not-an-id"])
    e = ei.value
    assert (e.outcomes, e.request_ids, e.attempts, e.id_outcomes) == ({}, [], 0, [])


def test_error_record_of_a_provider_refusal_survives_pickle(tc):
    with pytest.raises(cloudhalt.NotFoundError) as ei:
        tc.stop_instances("ap-guangzhou", ["ins-zzzz9999"])
    e = ei.value
    assert e.outcomes == {"ins-zzzz9999": "failed"} and e.attempts == 1
    assert e.request_ids == [e.request_id]
    assert e.id_outcomes == [cloudhalt.IdOutcome("ins-zzzz9999", "failed", "InvalidInstanceId.NotFound",
                                                 e.request_id)]
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cloudhalt.NotFoundError
    assert (back.outcomes, back.id_outcomes, back.request_ids, back.attempts) == \
           (e.outcomes, e.id_outcomes, e.request_ids, e.attempts)
    assert type(back.id_outcomes[0]) is cloudhalt.IdOutcome


def test_errors_made_by_hand_have_an_empty_record():
    e = cloudhalt.ThrottledError("slow down")
    assert (e.outcomes, e.request_ids, e.attempts, e.id_outcomes) == ({}, [], 0, [])
    e = cloudhalt.ServerError("x", id_outcomes=[("i-1", "unknown", "InternalError", "r-1")], attempts=3,
                              request_ids=("r-0", "r-1"))
    assert e.outcomes == {"i-1": "unknown"} and e.request_ids == ["r-0", "r-1"]
    assert e.id_outcomes[0].code == "InternalError"


# --- AuditError and resume ------------------------------------------------------------------------

def test_audit_error_class():
    assert issubclass(cloudhalt.AuditError, cloudhalt.Error)
    assert not issubclass(cloudhalt.AuditError, cloudhalt.ApiError)
    assert cloudhalt._cloudhalt.error_class("audit") is cloudhalt.AuditError


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make writes fail")
def test_a_full_disk_raises_audit_error_and_sends_nothing(emu):
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, audit_log="/dev/full")
    with pytest.raises(cloudhalt.AuditError) as ei:
        t.terminate_instances("ap-guangzhou", ["ins-run00000"])
    e = ei.value
    assert e.kind == "audit" and e.send_state == "not_sent" and not e.may_have_been_sent
    assert e.action == "TerminateInstances" and "/dev/full" in str(e)
    assert emu.calls()["TerminateInstances"]["received"] == 0


def test_resume_takes_a_path_and_says_when_nothing_is_left(emu, tmp_path):
    log = tmp_path / "audit.jsonl"
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, audit_log=log)
    t.stop_instances("ap-guangzhou", ["ins-run00000"])
    for path in (log, str(log), pathlib.PurePath(log)):
        with pytest.raises(cloudhalt.InvalidInputError, match="nothing to resume") as ei:
            t.resume(path)
        assert ei.value.field == "audit" and ei.value.attempts == 0
    with pytest.raises(cloudhalt.InvalidInputError) as ei:
        t.resume(tmp_path / "missing.jsonl")
    assert ei.value.field == "audit"
    with pytest.raises(TypeError, match="audit_file"):
        t.resume(None)  # type: ignore[arg-type]
    a = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url)
    with pytest.raises(cloudhalt.InvalidInputError, match="Tencent"):
        a.resume(log)


def test_resume_finishes_a_failed_batch(emu, tmp_path):
    log = tmp_path / "audit.jsonl"
    ids = [f"ins-run{n:05d}" for n in range(150)]
    emu.fault(kind="error", code="FailedOperation.Rehearsal", provider="tencent", action="StopInstances", offset=1)
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, audit_log=log, concurrency=1)
    with pytest.raises(cloudhalt.ApiError) as ei:
        t.stop_instances("ap-guangzhou", ids)
    assert [i for i, o in ei.value.outcomes.items() if o == "failed"] == ids[100:]
    r = t.resume(log)
    assert list(r.outcomes) == ids[100:] and set(r.outcomes.values()) == {"done"}


def test_kill_9_mid_batch_then_resume_sends_every_id_exactly_once(emu, tmp_path):
    # A child process runs a batch of 5 requests at 2 per second and is killed (SIGKILL, by its
    # PID) once the log holds 2 answers: between two requests, as the pacing leaves 0.55 s
    # between them. The log it leaves is all resume needs.
    ids = emu.seed(tencent={"running": 500})["tencent"]["running"]
    log = tmp_path / "audit.jsonl"
    child = textwrap.dedent(f"""
        import cloudhalt
        t = cloudhalt.Tencent({TENCENT_SECRET_ID!r}, {TENCENT_SECRET_KEY!r}, endpoint={emu.url!r},
                              audit_log={str(log)!r}, rate_limit=2, concurrency=1)
        t.stop_instances("ap-guangzhou", {ids!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", child])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and log.read_text(encoding="utf-8").count('"event":"answer"') >= 2:
                break
            time.sleep(0.005)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -9, "the child was killed mid-batch, not finished"
    before = emu.calls()["StopInstances"]
    assert before["received"] == 2, before["received"]
    t = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, audit_log=log)
    r = t.resume(log)
    assert list(r.outcomes) == ids[200:] and set(r.outcomes.values()) == {"done"}
    after = emu.calls()["StopInstances"]
    assert after["received"] == 5
    assert all(after["ids"][i] == {"received": 1, "applied": 1} for i in ids)

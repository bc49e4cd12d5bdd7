"""The `cloudhalt` command against the session emulator: every exit code provoked for real, stdin
IDs, json and text output, one-line errors with the provider's code and RequestId, the demo, and no
secret in any output.
"""
from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import threading

import pytest

from conftest import (
    ALIBABA_ACCESS_KEY_ID,
    ALIBABA_ACCESS_KEY_SECRET,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
    cloudhalt_bin,
)

SECRETS = (TENCENT_SECRET_KEY, ALIBABA_ACCESS_KEY_SECRET, "sts-secret-token")
_outputs: list[str] = []


def run(emu, *args, stdin=None, env_drop=(), extra_env=None, endpoint=True):
    binary = cloudhalt_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is missing: run `cargo build -p cloudhalt-cli` first")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "ALIBABA_CLOUD_", "CLOUDHALT_"))}
    env.update({
        "TENCENTCLOUD_SECRET_ID": TENCENT_SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": TENCENT_SECRET_KEY,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": ALIBABA_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ALIBABA_ACCESS_KEY_SECRET,
    })
    if endpoint:
        env["CLOUDHALT_ENDPOINT"] = emu.url
    env.update(extra_env or {})
    for name in env_drop:
        env.pop(name, None)
    proc = subprocess.run([str(binary), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)
    _outputs.extend([proc.stdout, proc.stderr])
    for secret in SECRETS:
        assert secret not in proc.stdout and secret not in proc.stderr, f"secret leaked by {args}"
    return proc


def stop(*ids, region="ap-guangzhou"):
    return ("tencent", "stop-instances", "--region", region, *ids)


# One attempt: what a single request reports, before a retry (3 attempts by default) hides it.
ONCE = ("--max-attempts", "1")

ID_KEYS = {"id", "outcome", "code", "request_id"}


def json_lines(proc):
    """The --output json stdout: one object per ID, then the summary. Returns (ids, summary)."""
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines, proc.stdout
    for line in lines[:-1]:
        assert ID_KEYS <= set(line), line
    return lines[:-1], lines[-1]


def summary(proc):
    return json_lines(proc)[1]


def cvm_state(emu, instance_id):
    for i in emu.state()["tencent"]["instances"]:
        if i["InstanceId"] == instance_id:
            return i["InstanceState"]
    return None


def assert_error_line(proc, code, exit_code):
    assert proc.returncode == exit_code, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    if code is not None:
        assert f" {code}:" in line, line
        assert re.search(r"RequestId [0-9A-Fa-f-]{36}", line), line
    return line


# ---------------------------------------------------------------- 0: success, outputs, stdin


def test_text_output_and_state_change(emu):
    proc = run(emu, *stop("ins-run00000", "ins-run00001"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "StopInstances" in lines[0] and "RequestId" in lines[0]
    assert emu.state()["lastCall"]["tencent"]["requestId"] in lines[0]
    assert cvm_state(emu, "ins-run00000") == "STOPPING"


def test_json_output(emu):
    proc = run(emu, "--output", "json", "alibaba", "stop-invocation", "--region", "cn-hangzhou",
               "--invoke-id", "t-hz0jdfwd9f0001", "i-bp67acfmxazb4p0001")
    assert proc.returncode == 0, proc.stderr
    ids, out = json_lines(proc)
    # The single-call object of 0.1, extended with the batch record.
    assert {"action", "operation", "provider", "request_id", "response"} <= set(out)
    assert out["summary"] == {"done": 1, "already": 0, "failed": 0, "unknown": 0}
    assert out["request_ids"] == [out["request_id"]] and out["attempts"] == 1
    assert ids == [{"id": "i-bp67acfmxazb4p0001", "outcome": "done", "code": None,
                    "request_id": out["request_id"]}]
    assert out["action"] == "StopInvocation"
    # `operation` is the old spelling of `action`, kept for scripts written before it.
    assert out["operation"] == out["action"]
    assert out["provider"] == "alibaba"
    assert out["response"]["RequestId"] == out["request_id"]
    inv = emu.state()["alibaba"]["invocations"][0]
    assert inv["InvokeInstances"][0]["InvocationStatus"] == "Stopped"


def test_ids_from_stdin(emu):
    proc = run(emu, "--output", "json", *stop("-"), stdin="ins-run00002\n\n  ins-run00003  \nins-run00004\n")
    assert proc.returncode == 0, proc.stderr
    assert summary(proc)["operation"] == "StopInstances"
    for i in (2, 3, 4):
        assert cvm_state(emu, f"ins-run{i:05}") == "STOPPING"
    assert cvm_state(emu, "ins-run00005") == "RUNNING"


def test_every_tencent_subcommand(emu):
    assert run(emu, "tencent", "terminate-instances", "--region", "ap-guangzhou",
               "--release-prepaid-data-disks", "ins-stp00001").returncode == 0
    assert cvm_state(emu, "ins-stp00001") == "TERMINATING"
    assert run(emu, "tencent", "cancel-invocation", "--region", "ap-guangzhou",
               "--invocation-id", "inv-inv00002", "ins-run00004").returncode == 0
    tasks = emu.state()["tencent"]["invocations"][1]["Tasks"]
    assert [t["TaskStatus"] for t in tasks] == ["DELIVER_DELAYED", "TERMINATED"]
    assert run(emu, "tencent", "cancel-instance-refresh", "--group", "asg-grp00001",
               "--activity", "asr-act00001").returncode == 0
    assert emu.state()["tencent"]["scalingGroups"][0]["RefreshActivities"][0]["Status"] == "CANCELLED"
    assert run(emu, *stop("ins-run00006"), "--stop-type", "SOFT_FIRST",
               "--stopped-mode", "STOP_CHARGING", "--timeout", "2.5").returncode == 0


def test_endpoint_flag_overrides_nothing_set(emu):
    proc = run(emu, "--endpoint", emu.url, *stop("ins-run00007"), endpoint=False)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- every error exit code


def test_exit_1_other_api_error(emu):
    emu.fault(kind="error", provider="tencent", code="FailedOperation.Unreturnable",
              message="The instance cannot be returned.")
    line = assert_error_line(run(emu, *stop("ins-run00000")), "FailedOperation.Unreturnable", 1)
    assert "tencent StopInstances" in line


def test_exit_2_usage_and_invalid_input(emu):
    proc = run(emu, "tencent", "stop-instances", "ins-run00000")  # no --region
    assert proc.returncode == 2 and "--region" in proc.stderr
    assert run(emu, "--timeout", "soon", *stop("ins-run00000")).returncode == 2
    assert run(emu, "tencent", "reboot-instances").returncode == 2
    proc = run(emu, *stop("ins-BAD"))
    line = assert_error_line(proc, None, 2)
    assert "ins-BAD" in line and "not sent" in line
    proc = run(emu, *stop("ins-run00000"), "--force", "--stop-type", "HARD")
    assert proc.returncode == 2
    assert cvm_state(emu, "ins-run00000") == "RUNNING"


def test_exit_3_credentials_and_auth(emu):
    proc = run(emu, *stop("ins-run00000"), env_drop=("TENCENTCLOUD_SECRET_ID",))
    assert proc.returncode == 3, proc.stderr
    assert "TENCENTCLOUD_SECRET_ID" in proc.stderr
    proc = run(emu, *stop("ins-run00000"), extra_env={"TENCENTCLOUD_SECRET_KEY": "wrong-key"})
    assert_error_line(proc, "AuthFailure.SignatureFailure", 3)
    proc = run(emu, "alibaba", "stop-invocation", "--region", "cn-hangzhou", "--invoke-id",
               "t-hz0jdfwd9f0001", "--all-instances",
               extra_env={"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"})
    assert_error_line(proc, "SignatureDoesNotMatch", 3)


def test_exit_4_throttled(emu):
    emu.fault(kind="throttle", provider="alibaba")
    proc = run(emu, *ONCE, "alibaba", "stop-invocation", "--region", "cn-hangzhou",
               "--invoke-id", "t-hz0jdfwd9f0001", "--all-instances")
    line = assert_error_line(proc, "Throttling.User", 4)
    assert "alibaba StopInvocation" in line and "HTTP 400" in line


def test_exit_5_not_found(emu):
    line = assert_error_line(run(emu, *stop("ins-zzzzzzzz")), "InvalidInstanceId.NotFound", 5)
    assert "answered" in line
    proc = run(emu, "alibaba", "stop-invocation", "--region", "cn-hangzhou", "--invoke-id", "t-nope",
               "--all-instances")
    assert_error_line(proc, "InvalidInvokeId.NotFound", 5)


def test_exit_6_state_conflict(emu):
    assert_error_line(run(emu, *stop("ins-stp00000")),
                      "UnsupportedOperation.InstanceStateStopped", 6)


def test_exit_7_not_sent(emu):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    proc = run(emu, "--endpoint", f"http://127.0.0.1:{closed}", *stop("ins-run00000"), endpoint=False)
    line = assert_error_line(proc, None, 7)
    assert "not sent" in line


def test_exit_8_may_have_been_sent(emu):
    """7 means "not sent, a retry is safe"; 8 means "it may have taken effect: check first"."""
    emu.fault(kind="close", provider="tencent")
    line = assert_error_line(run(emu, *ONCE, *stop("ins-run00001")), None, 8)
    assert "kind transport" in line and "MAY HAVE BEEN SENT" in line
    # The emulator did stop it: exactly why 8 must not be read as "safe to resend".
    assert cvm_state(emu, "ins-run00001") == "STOPPING"

    emu.fault(kind="latency", ms=3000)
    # An unknown instance: the delayed request changes nothing after this test ends.
    line = assert_error_line(run(emu, *ONCE, "--timeout", "0.5", *stop("ins-zzzzzzzz")), None, 8)
    assert "kind timeout" in line and "MAY HAVE BEEN SENT" in line

    # An answer that is not the documented shape: the request was sent and may have taken effect.
    emu.fault(kind="http_status", httpStatus=200, body="<html>not json</html>")
    line = assert_error_line(run(emu, *ONCE, *stop("ins-zzzzzzzz")), None, 8)
    assert "kind unexpected_response" in line

    # A non-JSON 502 from something in between: also sent, also unknown outcome.
    emu.fault(kind="http_status", httpStatus=502, body="Bad Gateway")
    line = assert_error_line(run(emu, *ONCE, *stop("ins-zzzzzzzz")), None, 8)
    assert "kind transport" in line and "HTTP 502" in line


def test_help_documents_exit_codes():
    binary = cloudhalt_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is missing")
    out = subprocess.run([str(binary), "--help"], capture_output=True, text=True).stdout
    for code in range(9):
        assert re.search(rf"^\s+{code}\s+\S", out, re.M), f"exit code {code} not in --help"
    assert re.search(r"^\s+8\s+.*may have been sent", out, re.M | re.I), out


# ---------------------------------------------------------------- demo and secrets


def test_demo(emu):
    proc = run(emu, "demo", env_drop=("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY",
                                      "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for action in ("StopInstances", "TerminateInstances", "CancelInvocation",
                   "CancelInstanceRefresh", "StopInvocation"):
        assert re.search(rf"\d\. \w+ {action} .*: ok", out), action
    assert out.count("RequestId: ") == 5
    assert "5 of 5 operations succeeded" in out
    assert "ins-run00000 RUNNING -> STOPPING" in out
    # Signatures are shortened to 12 hex characters.
    sigs = re.findall(r"Signature=([0-9a-f]+)…", out)
    assert len(sigs) == 5 and all(len(s) == 12 for s in sigs)


def test_no_secret_in_any_output(emu):
    run(emu, *stop("ins-run00000"), extra_env={"TENCENTCLOUD_SESSION_TOKEN": "sts-secret-token"})
    run(emu, "alibaba", "stop-invocation", "--region", "cn-hangzhou", "--invoke-id", "t-nope",
        "--all-instances", extra_env={"ALIBABA_CLOUD_SECURITY_TOKEN": "sts-secret-token"})
    assert _outputs, "no output was checked"
    joined = "\n".join(_outputs)
    for secret in SECRETS:
        assert secret not in joined


# ---------------------------------------------------------------- an empty ID list is never "all"


def cancel_invocation(*ids):
    return ("tencent", "cancel-invocation", "--region", "ap-guangzhou",
            "--invocation-id", "inv-inv00002", *ids)


def stop_invocation(*ids):
    return ("alibaba", "stop-invocation", "--region", "cn-hangzhou",
            "--invoke-id", "t-hz0jdfwd9f0001", *ids)


def task_states(emu):
    tencent = [t["TaskStatus"] for t in emu.state()["tencent"]["invocations"][1]["Tasks"]]
    alibaba = [t["InvocationStatus"]
               for t in emu.state()["alibaba"]["invocations"][0]["InvokeInstances"]]
    return tencent, alibaba


def assert_usage_line(proc, *words):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("stdin", ["", "\n  \n"], ids=["empty", "blank-lines"])
@pytest.mark.parametrize("command", [cancel_invocation, stop_invocation],
                         ids=["cancel-invocation", "stop-invocation"])
def test_empty_stdin_is_a_usage_error_not_every_instance(emu, command, stdin):
    """`grep ... | cloudhalt ... -` that matched nothing must not cancel on every instance."""
    before = task_states(emu)
    proc = run(emu, *command("-"), stdin=stdin)
    assert_usage_line(proc, "stdin", "--all-instances")
    assert task_states(emu) == before
    requests = emu.state()["requests"]
    assert requests["CancelInvocation"] == requests["StopInvocation"] == 0, requests


@pytest.mark.parametrize("command", [cancel_invocation, stop_invocation],
                         ids=["cancel-invocation", "stop-invocation"])
def test_no_ids_without_all_instances_is_a_usage_error(emu, command):
    before = task_states(emu)
    assert_usage_line(run(emu, *command()), "--all-instances")
    assert task_states(emu) == before


def test_all_instances_cancels_on_every_instance(emu):
    proc = run(emu, *cancel_invocation("--all-instances"))
    assert proc.returncode == 0, proc.stderr
    assert "every instance" in proc.stdout
    proc = run(emu, *stop_invocation("--all-instances"))
    assert proc.returncode == 0, proc.stderr
    tencent, alibaba = task_states(emu)
    # Before: DELIVER_DELAYED and RUNNING; a task not yet started is cancelled, a running one ended.
    assert tencent == ["CANCELLED", "TERMINATED"], tencent
    assert set(alibaba) == {"Stopped"}, alibaba


@pytest.mark.parametrize("ids", [("ins-run00004",), ("-",)], ids=["id", "stdin"])
@pytest.mark.parametrize("command", [cancel_invocation, stop_invocation],
                         ids=["cancel-invocation", "stop-invocation"])
def test_all_instances_with_ids_is_a_usage_error(emu, command, ids):
    before = task_states(emu)
    proc = run(emu, *command("--all-instances", *ids), stdin="ins-run00004\n")
    assert proc.returncode == 2, proc.stderr
    assert "--all-instances" in proc.stderr
    assert task_states(emu) == before


@pytest.mark.parametrize("subcommand", ["stop-instances", "terminate-instances"])
def test_stop_and_terminate_refuse_an_empty_stdin(emu, subcommand):
    before = [i["InstanceState"] for i in emu.state()["tencent"]["instances"]]
    proc = run(emu, "tencent", subcommand, "--region", "ap-guangzhou", "-", stdin="\n")
    assert_usage_line(proc, "stdin", "nothing was sent")
    assert [i["InstanceState"] for i in emu.state()["tencent"]["instances"]] == before


# ---------------------------------------------------------------- --output json errors

ERROR_KEYS = {"kind", "code", "message", "request_id", "http_status", "send_state", "provider",
              "action"}


def json_error(proc, exit_code):
    assert proc.returncode == exit_code, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    err = json.loads(lines[0])
    assert set(err) == ERROR_KEYS, err
    if proc.stdout:
        # Once requests were sent, stdout has a line per ID and a summary carrying the error.
        ids, last = json_lines(proc)
        assert ids and all(i["outcome"] in ("failed", "unknown") for i in ids), ids
        assert last["ok"] is False
        assert {k: last[k] for k in ERROR_KEYS} == err
    else:
        assert err["send_state"] in ("not_built", "not_sent"), err
    return err


def test_json_error_from_the_provider(emu):
    err = json_error(run(emu, "--output", "json", *stop("ins-stp00000")), 6)
    assert err["kind"] == "state_conflict"
    assert err["code"] == "UnsupportedOperation.InstanceStateStopped"
    assert "ins-stp00000" in err["message"]
    assert re.fullmatch(r"[0-9a-f-]{36}", err["request_id"]), err
    assert err["http_status"] == 200
    assert err["send_state"] == "answered"
    assert (err["provider"], err["action"]) == ("tencent", "StopInstances")


def test_json_error_nulls_where_unknown(emu):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    err = json_error(run(emu, "--output", "json", "--endpoint", f"http://127.0.0.1:{closed}",
                         *stop("ins-run00000"), endpoint=False), 7)
    assert err["kind"] == "transport" and err["send_state"] == "not_sent"
    assert err["code"] is None and err["request_id"] is None and err["http_status"] is None
    assert (err["provider"], err["action"]) == ("tencent", "StopInstances")

    err = json_error(run(emu, "--output", "json", *stop("ins-BAD")), 2)
    assert err["kind"] == "invalid_input" and err["send_state"] == "not_built"
    assert "ins-BAD" in err["message"]

    err = json_error(run(emu, "--output", "json", *stop("ins-run00000"),
                         env_drop=("TENCENTCLOUD_SECRET_ID",)), 3)
    assert err["kind"] == "credentials" and "TENCENTCLOUD_SECRET_ID" in err["message"]

    emu.fault(kind="close", provider="alibaba")
    err = json_error(run(emu, "--output", "json", *ONCE, *stop_invocation("--all-instances")), 8)
    assert err["send_state"] == "sent_no_answer"
    assert (err["provider"], err["action"]) == ("alibaba", "StopInvocation")


def test_json_usage_error_found_by_the_command(emu):
    err = json_error(run(emu, "--output", "json", *cancel_invocation("-"), stdin=""), 2)
    assert err["kind"] == "invalid_input" and err["send_state"] == "not_built"
    assert "--all-instances" in err["message"]
    assert (err["provider"], err["action"]) == ("tencent", "CancelInvocation")


def test_text_errors_stay_one_readable_line(emu):
    line = assert_error_line(run(emu, *stop("ins-stp00000")),
                             "UnsupportedOperation.InstanceStateStopped", 6)
    assert line.startswith("cloudhalt: error: tencent StopInstances: ")
    assert not line.lstrip().startswith("{")


# ---------------------------------------------------------------- provider text is shown inert

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
EVIL = "\x1b[2J\x1b]0;owned\x07\x9b31m\x7f\x00\r\nX-Fake: 1"


def test_control_characters_in_provider_text_never_reach_the_terminal(emu):
    emu.fault(kind="error", provider="tencent", code="FailedOperation.\x1b[31mRed",
              message=f"stop refused{EVIL} end")
    proc = run(emu, *stop("ins-run00000"))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.endswith("\n")
    assert not CONTROL.search(proc.stderr[:-1]), repr(proc.stderr)
    assert "stop refused" in proc.stderr and "end" in proc.stderr and "FailedOperation." in proc.stderr

    emu.fault(kind="error", provider="alibaba", code="Bad\x1b[5mCode", message=f"no{EVIL}",
              httpStatus=400)
    proc = run(emu, "--output", "json", *stop_invocation("--all-instances"))
    assert not CONTROL.search(proc.stderr[:-1]), repr(proc.stderr)
    err = json_error(proc, 1)
    for key in ("code", "message"):
        assert not CONTROL.search(err[key]), (key, err[key])
    assert err["code"].startswith("Bad") and err["message"].startswith("no")


class _EvilTencent(http.server.BaseHTTPRequestHandler):
    """Answers every request with a Tencent error whose every text field carries control codes."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        body = json.dumps({"Response": {
            "Error": {"Code": "InvalidInstanceId.NotFound\x1b[0m", "Message": f"gone{EVIL}"},
            "RequestId": "6f0c\x1b[8m-hidden\x9d",
        }}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def evil_tencent():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EvilTencent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("output", ["text", "json"])
def test_control_characters_in_the_request_id_are_replaced(emu, evil_tencent, output):
    proc = run(emu, "--output", output, "--endpoint", evil_tencent, *stop("ins-run00000"),
               endpoint=False)
    # The code with an ESC is no known code: exit 1, shown cleaned.
    assert proc.returncode == 1, proc.stderr
    assert not CONTROL.search(proc.stderr[:-1]), repr(proc.stderr)
    assert "InvalidInstanceId.NotFound\ufffd[0m" in proc.stderr
    assert "6f0c\ufffd[8m-hidden\ufffd" in (proc.stderr if output == "text"
                                            else json.loads(proc.stderr)["request_id"])


# ---------------------------------------------------------------- names consistent with the rest


def test_force_stop_and_its_old_spelling(emu):
    # ForceStop together with a StopType is refused: proof that the flag reached the request.
    for flag in ("--force-stop", "--force"):
        proc = run(emu, *stop("ins-run00000"), flag, "--stop-type", "HARD")
        assert proc.returncode == 2, (flag, proc.stderr)
        assert "ForceStop" in proc.stderr, proc.stderr
    assert cvm_state(emu, "ins-run00000") == "RUNNING"
    assert run(emu, *stop("ins-run00000"), "--force-stop").returncode == 0
    assert run(emu, *stop("ins-run00001"), "--force").returncode == 0
    assert cvm_state(emu, "ins-run00000") == cvm_state(emu, "ins-run00001") == "STOPPING"


@pytest.mark.parametrize("group,activity", [
    ("--auto-scaling-group-id", "--refresh-activity-id"),
    ("--group", "--activity"),
], ids=["documented", "old"])
def test_cancel_instance_refresh_flag_spellings(emu, group, activity):
    proc = run(emu, "--output", "json", "tencent", "cancel-instance-refresh",
               group, "asg-grp00001", activity, "asr-act00001")
    assert proc.returncode == 0, proc.stderr
    assert summary(proc)["action"] == "CancelInstanceRefresh"
    assert emu.state()["tencent"]["scalingGroups"][0]["RefreshActivities"][0]["Status"] == "CANCELLED"


def test_help_documents_the_consistent_spellings():
    binary = cloudhalt_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is missing")

    def help_of(*args):
        return subprocess.run([str(binary), *args, "--help"], capture_output=True, text=True).stdout

    stop_help = help_of("tencent", "stop-instances")
    assert "--force-stop" in stop_help and not re.search(r"--force\b(?!-)", stop_help)
    refresh_help = help_of("tencent", "cancel-instance-refresh")
    assert "--auto-scaling-group-id" in refresh_help and "--refresh-activity-id" in refresh_help
    assert "--group " not in refresh_help and "--activity " not in refresh_help
    for sub in ("cancel-invocation",):
        assert "--all-instances" in help_of("tencent", sub)
    assert "--all-instances" in help_of("alibaba", "stop-invocation")


# ---------------------------------------------------------------- call: any operation by its JSON parameters

def test_call_sends_any_operation_by_its_provider_parameters(emu):
    proc = run(emu, "--output", "json", "tencent", "call", "StopInstances", "--region", "ap-guangzhou",
               "--params", '{"InstanceIds":["ins-run00008"],"StopType":"SOFT_FIRST"}')
    assert proc.returncode == 0, proc.stderr
    assert summary(proc)["action"] == "StopInstances"
    assert cvm_state(emu, "ins-run00008") == "STOPPING"
    proc = run(emu, "alibaba", "call", "StopInvocation", "--params", "-",
               stdin='{"RegionId":"cn-hangzhou","InvokeId":"t-hz0jdfwd9f0001",'
                     '"InstanceId":["i-bp67acfmxazb4p0001"]}')
    assert proc.returncode == 0, proc.stderr
    assert "StopInvocation" in proc.stdout


@pytest.mark.parametrize("args, fragment", [
    (("tencent", "call", "RebootInstances", "--region", "ap-guangzhou", "--params", "{}"),
     "StopInstances, TerminateInstances"),
    (("tencent", "call", "StopInstances", "--region", "ap-guangzhou", "--params", "not json"),
     "not valid JSON"),
    (("tencent", "call", "StopInstances", "--region", "ap-guangzhou", "--params", "[]"),
     "one JSON object"),
    (("tencent", "call", "StopInstances", "--region", "ap-guangzhou",
      "--params", '{"InstanceIds":["ins-run00009"],"Bogus":1}'), "Bogus"),
    (("alibaba", "call", "StopInvocation", "--params", "-"), "not valid JSON"),
])
def test_call_refuses_bad_actions_and_parameters_before_sending(emu, args, fragment):
    before = emu.state()["lastCall"]
    proc = run(emu, *args, stdin="")
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr, proc.stderr
    assert emu.state()["lastCall"] == before, "nothing was sent"


# ---------------------------------------------------------------- the CLI in a shell


def cli_stdout(*args):
    binary = cloudhalt_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is missing")
    proc = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completions(shell):
    script = cli_stdout("completions", shell)
    assert script.strip()
    assert "stop-instances" in script and "--all-instances" in script
    if shell == "bash":
        check = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_man_page():
    page = cli_stdout("man")
    assert ".TH cloudhalt 1" in page
    assert "EXIT STATUS" in page and "MAY HAVE BEEN SENT" in page
    assert "CLOUDHALT TENCENT STOP-INSTANCES" in page
    if shutil.which("man") is None:
        return  # rendering is checked where man exists
    shown = subprocess.run(["man", "-l", "-"], input=page, capture_output=True, text=True,
                           env={**os.environ, "MANPAGER": "cat", "PAGER": "cat"})
    assert shown.returncode == 0, shown.stderr
    assert "Exit codes:" in shown.stdout


def test_version_names_the_commit():
    version = cli_stdout("--version").strip()
    m = re.fullmatch(r"cloudhalt (\d+\.\d+\.\d+\S*) \(([0-9a-f]{12}|unknown commit)\)", version)
    assert m, version
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True, cwd=os.path.dirname(__file__))
    if head.returncode == 0 and "CLOUDHALT_COMMIT" not in os.environ:
        # the binary under test may be older than HEAD only when it was not rebuilt
        assert m.group(2) == head.stdout.strip(), f"{version} was not built from HEAD"

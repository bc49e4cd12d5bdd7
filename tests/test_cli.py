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
import signal
import socket
import subprocess
import tempfile
import threading
import time

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


def binary_or_skip():
    binary = cloudhalt_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is missing: run `cargo build -p cloudhalt-cli` first")
    return binary


# A port nothing listens on: the metadata services of a machine off-cloud (refused at once).
CLOSED_URL = "http://127.0.0.1:9"
# Every variable the credential chains or the network settings read, besides HOME.
CHAIN_PREFIXES = ("TENCENTCLOUD_", "TCCLI_", "TKE_", "ALIBABA_CLOUD_", "CLOUDHALT_")
NETWORK_VARS = {"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE"}
# An empty HOME for every run, so that the developer's ~/.tccli or ~/.aliyun never answers.
EMPTY_HOME = tempfile.mkdtemp(prefix="cloudhalt-cli-home-")


def cli_env(emu, env_drop=(), extra_env=None, endpoint=True):
    """The environment of a command run: the emulator's credentials and endpoint only, an empty
    HOME and the instance metadata services at a closed port (hermetic: no file or metadata
    service of this machine can answer for the chain)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(CHAIN_PREFIXES) and k.upper() not in NETWORK_VARS}
    env.update({
        "HOME": EMPTY_HOME,
        "CLOUDHALT_TENCENT_METADATA_ENDPOINT": CLOSED_URL,
        "CLOUDHALT_ALIBABA_METADATA_ENDPOINT": CLOSED_URL,
        "CLOUDHALT_TENCENT_STS_ENDPOINT": CLOSED_URL,
        "CLOUDHALT_ALIBABA_STS_ENDPOINT": CLOSED_URL,
    })
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
    return env


def run(emu, *args, stdin=None, env_drop=(), extra_env=None, endpoint=True):
    binary = binary_or_skip()
    env = cli_env(emu, env_drop, extra_env, endpoint)
    proc = subprocess.run([str(binary), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)
    _outputs.extend([proc.stdout, proc.stderr])
    for secret in SECRETS:
        assert secret not in proc.stdout and secret not in proc.stderr, f"secret leaked by {args}"
    return proc


def stop(*ids, region="ap-guangzhou"):
    return ("tencent", "stop-instances", "--region", region, *ids)


# A state conflict the provider answers: a cancel of a refresh activity that already finished.
# (Stopping a STOPPED instance is no longer one: since the confirm issue it is `already`, exit 0.)
CONFLICT = ("tencent", "cancel-instance-refresh", "--auto-scaling-group-id", "asg-grp00001",
            "--refresh-activity-id", "asr-act00002")
CONFLICT_CODE = "ResourceUnavailable.RefreshActivityStatusConflictWithOperation"


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
    # Stopping until the emulator's transition ends (the confirm issue), then Stopped.
    assert inv["InvokeInstances"][0]["InvocationStatus"] in ("Stopping", "Stopped")


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
    # A RUNNING task is CANCELLING until the emulator's transition ends, then TERMINATED.
    assert [t["TaskStatus"] for t in tasks][0] == "DELIVER_DELAYED"
    assert [t["TaskStatus"] for t in tasks][1] in ("CANCELLING", "TERMINATED")
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
    assert_error_line(run(emu, *CONFLICT), CONFLICT_CODE, 6)


def test_stopping_a_stopped_instance_is_already_not_an_error(emu):
    proc = run(emu, "--output", "json", *stop("ins-stp00000"))
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert [(i["id"], i["outcome"]) for i in ids] == [("ins-stp00000", "already")]
    assert last["summary"]["already"] == 1


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
    # --wait: a running task ends after the emulator's transition, and the command says so.
    proc = run(emu, *cancel_invocation("--all-instances"), "--wait", "--wait-min-delay", "0.2")
    assert proc.returncode == 0, proc.stderr
    assert "every instance" in proc.stdout
    assert "waited: 2 success" in proc.stdout, proc.stdout
    proc = run(emu, *stop_invocation("--all-instances"), "--wait", "--wait-min-delay", "0.2")
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
    err = json_error(run(emu, "--output", "json", *CONFLICT), 6)
    assert err["kind"] == "state_conflict"
    assert err["code"] == CONFLICT_CODE
    assert "asr-act00002" in err["message"]
    assert re.fullmatch(r"[0-9a-f-]{36}", err["request_id"]), err
    assert err["http_status"] == 200
    assert err["send_state"] == "answered"
    assert (err["provider"], err["action"]) == ("tencent", "CancelInstanceRefresh")


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
    line = assert_error_line(run(emu, *CONFLICT), CONFLICT_CODE, 6)
    assert line.startswith("cloudhalt: error: tencent CancelInstanceRefresh: ")
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
    # JSON leaves a repeated name to each parser: which of the two lists would be stopped?
    (("tencent", "call", "StopInstances", "--region", "ap-guangzhou", "--params",
      '{"InstanceIds":["ins-run00009"],"InstanceIds":["ins-run00008"]}'),
     '"InstanceIds" is given twice'),
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


# ---------------------------------------------------------------- fleets: retries, batches, audit, resume
#
# The per-ID counters (`GET /_emulator/calls`) prove what was sent: `received` counts every
# request naming an ID, `applied` those carried out.

def calls(emu, action):
    return emu._request("GET", "/_emulator/calls")[action]


def seed_fleet(emu, running, prefix="ins-flt"):
    """Adds `running` RUNNING Tencent instances in ap-guangzhou: prefix00000, prefix00001, ..."""
    out = emu._request("POST", "/_emulator/seed",
                       {"tencent": {"region": "ap-guangzhou", "running": running, "prefix": prefix}})
    return out["tencent"]["running"]


def fleet_states(emu, ids):
    wanted = set(ids)
    return {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]
            if i["InstanceId"] in wanted}


RUN150 = [f"ins-run{i:05}" for i in range(150)]


@pytest.mark.parametrize("args, words", [
    (("--max-attempts", "0"), ("--max-attempts", "max_attempts", "1 (no retry) to 20")),
    (("--max-attempts", "21"), ("--max-attempts", "max_attempts")),
    (("--concurrency", "0"), ("--concurrency", "concurrency", "1 to 64")),
    (("--concurrency", "65"), ("--concurrency", "concurrency")),
    (("--audit", "/nonexistent-dir/stop.log"), ("--audit", "audit log", "/nonexistent-dir/stop.log")),
], ids=["attempts-0", "attempts-21", "concurrency-0", "concurrency-65", "audit-unwritable"])
def test_fleet_flags_are_checked_before_anything_is_sent(emu, args, words):
    proc = run(emu, *args, *stop("ins-run00000"))
    line = assert_usage_line(proc, *words)
    assert "invalid_input" in line or "kind invalid_input" in line, line
    assert calls(emu, "StopInstances")["received"] == 0
    assert cvm_state(emu, "ins-run00000") == "RUNNING"


@pytest.mark.parametrize("args", [("--max-attempts", "many"), ("--concurrency", "four"),
                                  ("--max-attempts=-1",)])
def test_fleet_flags_that_are_not_numbers_are_usage_errors(emu, args):
    proc = run(emu, *args, *stop("ins-run00000"))
    assert proc.returncode == 2, proc.stderr
    assert args[0].split("=")[0] in proc.stderr
    assert calls(emu, "StopInstances")["received"] == 0


def test_help_shows_the_fleet_flags():
    binary = binary_or_skip()
    out = subprocess.run([str(binary), "tencent", "stop-instances", "--help"],
                         capture_output=True, text=True).stdout
    for flag in ("--max-attempts", "--no-rate-limit", "--concurrency", "--audit", "--dry-run",
                 "--quiet", "-q"):
        assert flag in out, flag
    top = subprocess.run([str(binary), "--help"], capture_output=True, text=True).stdout
    assert "resume" in top
    assert re.search(r"^\s+9\s+.*audit", top, re.M), top


def test_man_page_and_completions_have_the_fleet_flags():
    page = cli_stdout("man")
    assert "CLOUDHALT RESUME" in page.upper()
    for flag in ("max\\-attempts", "no\\-rate\\-limit", "concurrency", "audit", "dry\\-run"):
        assert flag in page, flag
    bash = cli_stdout("completions", "bash")
    assert "--max-attempts" in bash and "--dry-run" in bash and "resume" in bash


# ---------------------------------------------------------------- dry run

def test_dry_run_sends_nothing_and_shows_no_secret(emu):
    token = "sts-secret-token"
    before = fleet_states(emu, RUN150)
    proc = run(emu, "--dry-run", "--audit", "/nonexistent-dir/never-opened.log", *stop("-"),
               stdin="\n".join(RUN150) + "\n", extra_env={"TENCENTCLOUD_SESSION_TOKEN": token})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "nothing was sent" in out and "150 ID(s) in 2 request(s)" in out, out
    assert "request 1 of 2, 100 ID(s): ins-run00000 ... ins-run00099" in out
    assert "request 2 of 2, 50 ID(s): ins-run00100 ... ins-run00149" in out
    assert "X-TC-Action: StopInstances" in out
    # Signatures shortened to 12 hex characters; the session token redacted; no secret key.
    sigs = re.findall(r"Signature=([0-9a-f]+)(…?)", out)
    assert len(sigs) == 2 and all(len(s) == 12 and cut == "…" for s, cut in sigs), sigs
    assert token not in out and TENCENT_SECRET_KEY not in out
    assert "X-TC-Token: <redacted>" in out
    # Nothing reached the emulator and nothing changed.
    assert calls(emu, "StopInstances")["received"] == 0
    assert emu.state()["requests"]["StopInstances"] == 0
    assert fleet_states(emu, RUN150) == before


def test_dry_run_json_lists_every_request(emu):
    proc = run(emu, "--output", "json", "--dry-run", "alibaba", "stop-invocation", "--region",
               "cn-hangzhou", "--invoke-id", "t-hz0jdfwd9f0003",
               *[f"i-bp67acfmxazb4p{i:04}" for i in range(1, 61)])
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert plan["dry_run"] is True and plan["action"] == "StopInvocation" and plan["id_count"] == 60
    assert [len(r["ids"]) for r in plan["requests"]] == [50, 10]
    for r in plan["requests"]:
        assert r["headers"]["x-acs-action"] == "StopInvocation"
        auth = {k.lower(): v for k, v in r["headers"].items()}["authorization"]
        sig = re.search(r"Signature=([0-9a-f]+)…$", auth)
        assert sig and len(sig.group(1)) == 12, auth
    assert plan["expected_secs"] > 0 and plan["rate_limit"] == 10
    assert ALIBABA_ACCESS_KEY_SECRET not in proc.stdout
    assert calls(emu, "StopInvocation")["received"] == 0


# ---------------------------------------------------------------- one line per ID, the summary, exit codes

def test_json_one_line_per_id_in_order_then_the_summary(emu):
    proc = run(emu, "--output", "json", *stop("-"), stdin="\n".join(RUN150) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress line when stderr is not a terminal
    ids, last = json_lines(proc)
    assert [i["id"] for i in ids] == RUN150
    assert all(set(i) == ID_KEYS and i["outcome"] == "done" for i in ids)
    assert last["ok"] is True
    assert last["summary"] == {"done": 150, "already": 0, "failed": 0, "unknown": 0}
    # 150 IDs: two requests (100 + 50), each ID sent once.
    assert len(last["request_ids"]) == 2 and last["attempts"] == 2
    assert {i["request_id"] for i in ids[:100]} == {last["request_ids"][0]} or \
        {i["request_id"] for i in ids[:100]} == {last["request_ids"][1]}
    stop_calls = calls(emu, "StopInstances")
    assert stop_calls["received"] == 2 and stop_calls["applied"] == 2
    assert all(stop_calls["ids"][i] == {"received": 1, "applied": 1} for i in RUN150)
    assert set(fleet_states(emu, RUN150).values()) <= {"STOPPING", "STOPPED"}


def test_text_batch_says_how_many_and_every_request_id(emu):
    proc = run(emu, *stop("-"), stdin="\n".join(RUN150) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout
    assert "150 done, 0 already, 0 failed, 0 unknown; 2 attempt(s)" in lines[0]
    assert len(re.findall(r"[0-9a-f-]{36}", lines[0])) == 2


def test_throttled_then_succeeds_with_retries(emu):
    emu.fault(kind="throttle", provider="tencent", action="StopInstances", count=2)
    proc = run(emu, "--output", "json", *stop("ins-run00000"))
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert ids[0]["outcome"] == "done" and last["attempts"] == 3
    assert len(last["request_ids"]) == 3  # the two throttled answers' RequestIds too
    assert calls(emu, "StopInstances")["ids"]["ins-run00000"] == {"received": 3, "applied": 1}


def test_throttled_after_every_attempt_is_exit_4(emu):
    emu.fault(kind="throttle", provider="tencent", action="StopInstances", forever=True)
    proc = run(emu, "--output", "json", "--max-attempts", "2", *stop("ins-run00000"))
    err = json_error(proc, 4)
    assert err["code"] == "RequestLimitExceeded" and "2 attempts" in err["message"]
    ids, last = json_lines(proc)
    assert ids == [{"id": "ins-run00000", "outcome": "failed", "code": "RequestLimitExceeded",
                    "request_id": last["request_ids"][-1]}]
    assert last["attempts"] == 2 and calls(emu, "StopInstances")["received"] == 2


def test_terminate_without_an_answer_is_described_and_never_repeated(emu):
    # Since the confirm issue the core reads the state of a TerminateInstances whose answer was
    # lost: TERMINATING, gone or the recycle bin is `done`, with the state in the line.
    emu.fault(kind="apply_then_drop", provider="tencent", action="TerminateInstances")
    proc = run(emu, "--output", "json", "tencent", "terminate-instances", "--region",
               "ap-guangzhou", "ins-stp00001", "ins-stp00002")
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert [(i["id"], i["outcome"]) for i in ids] == [("ins-stp00001", "done"),
                                                       ("ins-stp00002", "done")]
    assert {i["state"] for i in ids} <= {"TERMINATING", "gone"}, ids
    assert last["summary"]["done"] == 2 and last["attempts"] == 1
    assert set(last["states"]) == {"ins-stp00001", "ins-stp00002"}
    assert calls(emu, "TerminateInstances")["received"] == 1


def test_terminate_without_an_answer_and_no_state_to_read_is_unknown_exit_8(emu):
    # The answer is lost and so is every DescribeInstances: nothing says what happened.
    emu.fault(kind="apply_then_drop", provider="tencent", action="TerminateInstances")
    emu.fault(kind="error", provider="tencent", action="DescribeInstances",
              code="InternalError", forever=True)
    proc = run(emu, *ONCE, "--output", "json", "tencent", "terminate-instances", "--region",
               "ap-guangzhou", "ins-stp00001", "ins-stp00002")
    err = json_error(proc, 8)
    assert "DescribeInstances" in err["message"], err
    ids, last = json_lines(proc)
    assert [(i["id"], i["outcome"]) for i in ids] == [("ins-stp00001", "unknown"),
                                                       ("ins-stp00002", "unknown")]
    assert last["summary"]["unknown"] == 2
    assert calls(emu, "TerminateInstances")["received"] == 1


def test_a_failed_request_in_a_batch_lists_its_ids_and_exits_with_its_kind(emu):
    # The 2nd StopInstances and every one after it is throttled; one attempt each.
    emu.fault(kind="throttle", provider="tencent", action="StopInstances", offset=1, forever=True)
    args = (*ONCE, "--concurrency", "1", *stop("-"))
    proc = run(emu, *args, stdin="\n".join(RUN150) + "\n")
    assert proc.returncode == 4, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0].startswith("partly done: tencent StopInstances"), out[0]
    assert "100 done, 0 already, 50 failed, 0 unknown" in out[0]
    failed = [line for line in out[1:] if " failed: RequestLimitExceeded, RequestId " in line]
    assert [line.split()[0] for line in failed] == RUN150[100:]
    assert len(proc.stderr.strip().splitlines()) == 1 and "RequestLimitExceeded" in proc.stderr


def test_unknown_outranks_failed_in_the_exit_code(emu):
    # Request 1 (100 IDs) answered with a throttle, request 2 (50 IDs) applied and dropped.
    emu.fault(kind="throttle", provider="tencent", action="StopInstances")
    emu.fault(kind="apply_then_drop", provider="tencent", action="StopInstances")
    proc = run(emu, "--output", "json", *ONCE, "--concurrency", "1", *stop("-"),
               stdin="\n".join(RUN150) + "\n")
    assert proc.returncode == 8, proc.stderr
    ids, last = json_lines(proc)
    assert last["summary"] == {"done": 0, "already": 0, "failed": 100, "unknown": 50}


def test_alibaba_batch_of_60_is_two_requests(emu):
    instances = [f"i-bp67acfmxazb4p{i:04}" for i in range(1, 61)]
    proc = run(emu, "--output", "json", "alibaba", "stop-invocation", "--region", "cn-hangzhou",
               "--invoke-id", "t-hz0jdfwd9f0003", "-", stdin="\n".join(instances) + "\n")
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert [i["id"] for i in ids] == instances and {i["outcome"] for i in ids} == {"done"}
    assert len(last["request_ids"]) == 2
    counters = calls(emu, "StopInvocation")
    assert counters["received"] == 2
    assert all(counters["ids"][i] == {"received": 1, "applied": 1} for i in instances)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_audit_log_that_cannot_be_written_is_exit_9_and_nothing_is_sent(emu):
    proc = run(emu, "--audit", "/dev/full", *stop("ins-run00000"))
    assert proc.returncode == 9, proc.stderr
    assert "audit" in proc.stderr and "not sent" in proc.stderr
    assert calls(emu, "StopInstances")["received"] == 0
    assert cvm_state(emu, "ins-run00000") == "RUNNING"


# ---------------------------------------------------------------- progress line on a terminal

def run_with_tty_stderr(emu, *args, stdin=""):
    """Runs the command with stderr on a pseudo-terminal; returns (returncode, what it wrote)."""
    import pty
    binary = binary_or_skip()
    master, slave = pty.openpty()
    chunks = []
    try:
        proc = subprocess.Popen([str(binary), *args], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=slave, env=cli_env(emu))
        os.close(slave)
        slave = None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait(timeout=60)
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    return code, b"".join(chunks).decode()


def test_a_batch_shows_one_progress_line_on_a_terminal(emu):
    code, err = run_with_tty_stderr(emu, "--concurrency", "1", *stop("-"),
                                    stdin="\n".join(RUN150) + "\n")
    assert code == 0, err
    assert "\r\x1b[K" in err, repr(err)
    # Rewritten in place: a single line ends it.
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)
    assert "50 left of 150" in err and "0 left of 150" in err, repr(err)
    assert "IDs/s" in err and "150 done" in err


@pytest.mark.parametrize("args", [("-q",), ("--quiet",)])
def test_quiet_and_single_requests_show_no_progress(emu, args):
    code, err = run_with_tty_stderr(emu, *args, *stop("-"), stdin="\n".join(RUN150) + "\n")
    assert code == 0 and err == "", repr(err)
    code, err = run_with_tty_stderr(emu, *CONFLICT)
    assert code == 6 and "\x1b[K" not in err, repr(err)


# ---------------------------------------------------------------- kill -9 mid-batch, then resume

def audit_events(path):
    """The complete lines of an audit log (a line cut by a kill is not complete yet)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.split("\n")[:-1] if line.strip()]


def start_and_kill_mid_batch(emu, tmp_path, subcommand, ids):
    """Starts `subcommand` on `ids` with --audit, one request at a time, each answer delayed,
    and kill -9s it while a request is in flight after at least one was answered."""
    log = tmp_path / "fleet.log"
    binary = binary_or_skip()
    proc = subprocess.Popen([str(binary), "--audit", str(log), "--concurrency", "1", "tencent",
                             subcommand, "--region", "ap-guangzhou", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=cli_env(emu), text=True)
    try:
        proc.stdin.write("\n".join(ids) + "\n")
        proc.stdin.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            events = audit_events(log)
            answered = [e for e in events if e["event"] == "answer"]
            if answered and events[-1]["event"] == "send":
                break
            assert proc.poll() is None, "the batch ended before it could be interrupted"
            time.sleep(0.02)
        else:
            pytest.fail("no answer line in the audit log in 30 s")
        time.sleep(0.2)  # the request is in the emulator's latency wait now
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    emu._request("DELETE", "/_emulator/faults")
    events = audit_events(log)
    assert not any(e["event"] == "end" for e in events), "killed after the batch ended"
    return log, events


def ids_of(events, kind):
    return [i for e in events if e["event"] == kind for i in (e.get("ids") or e["outcomes"])]


def test_kill_mid_batch_then_resume_stops_every_instance_once(emu, tmp_path):
    fleet = seed_fleet(emu, 400)
    emu.fault(kind="latency", provider="tencent", action="StopInstances", ms=1000, forever=True)
    log, events = start_and_kill_mid_batch(emu, tmp_path, "stop-instances", fleet)
    answered = set(ids_of(events, "answer"))
    sent = ids_of(events, "send")
    in_flight = [i for i in sent if i not in answered]
    assert answered and in_flight and len(sent) < len(fleet), (len(answered), len(sent))
    # The request cut by the kill is applied by the emulator after its delay.
    deadline = time.monotonic() + 10
    while calls(emu, "StopInstances")["applied"] < len(sent) // 100 and time.monotonic() < deadline:
        time.sleep(0.05)

    proc = run(emu, "--output", "json", "resume", str(log))
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert [i["id"] for i in ids] == fleet, "every ID once, in input order"
    assert {i["outcome"] for i in ids} <= {"done", "already"}
    skipped = {i["id"] for i in ids if i.get("skipped")}
    assert skipped == answered and set(last["skipped"]) == answered
    # The in-flight request's IDs were stopped by the killed run: "already" now.
    assert {i["id"] for i in ids if i["outcome"] == "already"} == set(in_flight)
    assert last["held_back"] == [] and last["ok"] is True

    counters = calls(emu, "StopInstances")["ids"]
    for instance in fleet:
        want = 2 if instance in in_flight else 1
        assert counters[instance]["received"] == want, (instance, counters[instance])
        assert counters[instance]["applied"] == 1, (instance, counters[instance])
    assert set(fleet_states(emu, fleet).values()) <= {"STOPPING", "STOPPED"}

    # The resume is in the same log, chained to the batch it finished.
    after = audit_events(log)
    first = events[0]["batch"]
    assert any(e["event"] == "batch" and e.get("resume_of") == first for e in after)
    # And a second resume finds nothing left: exit 0, nothing sent.
    received = calls(emu, "StopInstances")["received"]
    proc = run(emu, "resume", str(log))
    assert proc.returncode == 0, proc.stderr
    assert "nothing left to send" in proc.stdout
    assert calls(emu, "StopInstances")["received"] == received
    # With --wait it waits for every ID of the batch to be STOPPED, still sending nothing.
    proc = run(emu, "--output", "json", "resume", str(log), "--wait", "--wait-min-delay", "0.2")
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert {i["state"] for i in ids} == {"STOPPED"}, ids
    assert last["states"] == {i: "STOPPED" for i in fleet}
    assert calls(emu, "StopInstances")["received"] == received


def test_kill_mid_terminate_then_resume_never_sends_an_id_twice(emu, tmp_path):
    fleet = seed_fleet(emu, 400, prefix="ins-trm")
    emu.configure(transitionMs=60000)  # keep the terminated instances visible
    emu.fault(kind="latency", provider="tencent", action="TerminateInstances", ms=1000,
              forever=True)
    log, events = start_and_kill_mid_batch(emu, tmp_path, "terminate-instances", fleet)
    answered = set(ids_of(events, "answer"))
    in_flight = [i for i in ids_of(events, "send") if i not in answered]
    assert answered and in_flight

    # The plan first: what is held back and how to check it; nothing sent.
    received = calls(emu, "TerminateInstances")["received"]
    proc = run(emu, "--dry-run", "resume", str(log))
    assert proc.returncode == 0, proc.stderr
    assert "NOT sending again" in proc.stdout and in_flight[0] in proc.stdout
    assert "DescribeInstances" in proc.stdout and "tccli cvm DescribeInstances" in proc.stdout
    assert "LatestOperationState" in proc.stdout
    assert calls(emu, "TerminateInstances")["received"] == received

    proc = run(emu, "--output", "json", "resume", str(log))
    # Held-back IDs are unknown: exit 8, not "all done".
    assert proc.returncode == 8, proc.stderr
    ids, last = json_lines(proc)
    assert [i["id"] for i in ids] == fleet
    held = [i["id"] for i in ids if i.get("held_back")]
    assert held == in_flight == last["held_back"]
    assert all(i["outcome"] == "unknown" for i in ids if i.get("held_back"))
    # Never sent again, but described: what the provider shows for each (confirm issue; the
    # request cut by the kill may not have been applied yet, so RUNNING is a possible answer).
    assert all(i["state"] for i in ids if i.get("held_back")), ids
    assert all(i["outcome"] in ("done", "already") for i in ids if not i.get("held_back"))
    assert "DescribeInstances" in last["check"] and "InstanceState" in last["check"]

    counters = calls(emu, "TerminateInstances")["ids"]
    assert all(counters[i]["received"] == 1 for i in fleet), "no ID is ever sent twice"
    not_sent_before = [i for i in fleet if i not in answered and i not in in_flight]
    assert all(counters[i]["applied"] == 1 for i in not_sent_before)

    # Resumed again: nothing is left but the held-back IDs: exit 8, nothing sent.
    proc = run(emu, "resume", str(log))
    assert proc.returncode == 8, proc.stderr
    assert "nothing left to send" in proc.stdout and "NOT sending again" in proc.stdout
    assert "described" in proc.stdout, proc.stdout
    assert all(calls(emu, "TerminateInstances")["ids"][i]["received"] == 1 for i in fleet)


def test_resume_sends_again_only_the_ids_that_failed(emu, tmp_path):
    log = tmp_path / "stop.log"
    # Request 2 of 2 is throttled, one attempt: its 50 IDs fail, nothing is unknown.
    emu.fault(kind="throttle", provider="tencent", action="StopInstances", offset=1, count=1)
    proc = run(emu, *ONCE, "--concurrency", "1", "--audit", str(log), *stop("-"),
               stdin="\n".join(RUN150) + "\n")
    assert proc.returncode == 4, proc.stderr
    proc = run(emu, "--output", "json", "resume", str(log))
    assert proc.returncode == 0, proc.stderr
    ids, last = json_lines(proc)
    assert [i["id"] for i in ids] == RUN150
    assert [i["id"] for i in ids if i.get("skipped")] == RUN150[:100]
    assert [i["outcome"] for i in ids[100:]] == ["done"] * 50
    assert last["summary"] == {"done": 150, "already": 0, "failed": 0, "unknown": 0}
    assert last["attempts"] == 1 and last["resume_of"] == audit_events(log)[0]["batch"]
    counters = calls(emu, "StopInstances")["ids"]
    assert all(counters[i] == {"received": 1, "applied": 1} for i in RUN150[:100])
    assert all(counters[i] == {"received": 2, "applied": 1} for i in RUN150[100:])


def test_resume_of_an_alibaba_batch(emu, tmp_path):
    log = tmp_path / "alibaba.log"
    instances = [f"i-bp67acfmxazb4p{i:04}" for i in range(1, 61)]
    emu.fault(kind="throttle", provider="alibaba", action="StopInvocation", offset=1, count=1)
    proc = run(emu, *ONCE, "--concurrency", "1", "--audit", str(log), "alibaba",
               "stop-invocation", "--region", "cn-hangzhou", "--invoke-id", "t-hz0jdfwd9f0003",
               *instances)
    assert proc.returncode == 4, proc.stderr
    assert "partly done" in proc.stdout and "50 done, 0 already, 10 failed" in proc.stdout
    proc = run(emu, "resume", str(log))
    assert proc.returncode == 0, proc.stderr
    assert "60 ID(s): 50 finished, 0 held back, 10 to send" in proc.stdout
    assert "60 done, 0 already, 0 failed, 0 unknown; 1 attempt(s)" in proc.stdout
    counters = calls(emu, "StopInvocation")["ids"]
    assert all(counters[i]["applied"] == 1 for i in instances)
    assert all(counters[i]["received"] == 2 for i in instances[50:])


def test_resume_refuses_what_is_not_an_audit_log(emu, tmp_path):
    missing = tmp_path / "missing.log"
    assert_usage_line(run(emu, "resume", str(missing)), "cannot read the audit log",
                      "No such file")
    junk = tmp_path / "junk.log"
    junk.write_text("not json\n{}\n")
    assert_usage_line(run(emu, "resume", str(junk)), "not a JSON object")
    other = tmp_path / "other.log"
    other.write_text("")
    assert_usage_line(run(emu, "--audit", str(other), "resume", str(junk)), "leave out --audit")


# ---------------------------------------------------------------- credentials, network, logging (issue 11)
#
# The chain runs hermetically: HOME is a temp dir holding only the fixture files a test writes,
# and the metadata and STS addresses point at the emulator or at a closed port.

NO_ENV_CREDENTIALS = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY",
                      "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")


@pytest.fixture
def home(tmp_path):
    """An empty HOME for the chain to read, filled by the test."""
    return tmp_path


def write_tccli(home, profile, **fields):
    """A tccli profile file, shaped like the one `tccli configure` writes."""
    path = home / ".tccli" / f"{profile}.credential"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fields, indent=4))
    return path


def chain_run(emu, home, *args, metadata=False, sts=False, extra_env=None, stdin=None):
    """`run` without credential variables, HOME = `home`, metadata / STS at the emulator when
    asked (else at the closed port)."""
    env = {"HOME": str(home)}
    if metadata:
        env["CLOUDHALT_TENCENT_METADATA_ENDPOINT"] = emu.url
        env["CLOUDHALT_ALIBABA_METADATA_ENDPOINT"] = emu.url
    if sts:
        env["CLOUDHALT_TENCENT_STS_ENDPOINT"] = emu.url
        env["CLOUDHALT_ALIBABA_STS_ENDPOINT"] = emu.url
    env.update(extra_env or {})
    return run(emu, *args, env_drop=NO_ENV_CREDENTIALS, extra_env=env, stdin=stdin)


def whoami(proc):
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"provider", "source", "key_id"}, out
    return out


def test_profile_flag_reads_the_tccli_profile_and_stops_an_instance(emu, home):
    write_tccli(home, "prod", secretId=TENCENT_SECRET_ID, secretKey=TENCENT_SECRET_KEY)
    proc = chain_run(emu, home, "--profile", "prod", *stop("ins-run00000"))
    assert proc.returncode == 0, proc.stderr
    assert cvm_state(emu, "ins-run00000") == "STOPPING"
    # Without --profile the chain looks for `default`, which is not there: the error says so.
    proc = chain_run(emu, home, *stop("ins-run00001"))
    assert proc.returncode == 3, proc.stderr
    assert "default.credential" in proc.stderr and "file missing" in proc.stderr
    assert cvm_state(emu, "ins-run00001") == "RUNNING"


def test_profile_flag_skips_the_environment_variables(emu, home):
    write_tccli(home, "prod", secretId="AKIDfromTheProfile", secretKey="profile-key")
    # The variables hold the right keys: --profile must still take the profile's.
    proc = run(emu, "--output", "json", "--profile", "prod", "tencent", "whoami",
               extra_env={"HOME": str(home)})
    out = whoami(proc)
    assert out["key_id"] == "AKIDfromTheProfile"
    assert "profile-key" not in proc.stdout + proc.stderr


def test_profile_flag_reads_the_aliyun_cli_profile(emu, home):
    config = {"current": "default", "profiles": [
        {"name": "default", "mode": "AK", "access_key_id": "LTAIwrongDefault",
         "access_key_secret": "wrong-default-secret", "region_id": "cn-hangzhou"},
        {"name": "prod", "mode": "AK", "access_key_id": ALIBABA_ACCESS_KEY_ID,
         "access_key_secret": ALIBABA_ACCESS_KEY_SECRET, "region_id": "cn-hangzhou"}]}
    (home / ".aliyun").mkdir()
    (home / ".aliyun" / "config.json").write_text(json.dumps(config, indent=2))
    out = whoami(chain_run(emu, home, "--output", "json", "alibaba", "whoami"))
    assert out["key_id"] == "LTAIwrongDefault" and "aliyun-cli" in out["source"], out
    proc = chain_run(emu, home, "--profile", "prod", "alibaba", "stop-invocation", "--region",
                     "cn-hangzhou", "--invoke-id", "t-hz0jdfwd9f0001", "i-bp67acfmxazb4p0001")
    assert proc.returncode == 0, proc.stderr
    assert "wrong-default-secret" not in proc.stdout + proc.stderr


def test_whoami_names_the_environment_source(emu):
    proc = run(emu, "--output", "json", "tencent", "whoami")
    assert whoami(proc) == {"provider": "tencent", "source": "env TENCENTCLOUD_SECRET_ID",
                            "key_id": TENCENT_SECRET_ID}
    proc = run(emu, "--output", "json", "alibaba", "whoami")
    assert whoami(proc) == {"provider": "alibaba", "source": "env ALIBABA_CLOUD_ACCESS_KEY_ID",
                            "key_id": ALIBABA_ACCESS_KEY_ID}
    proc = run(emu, "tencent", "whoami")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"tencent: key ID {TENCENT_SECRET_ID} from env TENCENTCLOUD_SECRET_ID"


def test_whoami_names_a_tccli_profile(emu, home):
    path = write_tccli(home, "default", secretId=TENCENT_SECRET_ID, secretKey=TENCENT_SECRET_KEY)
    out = whoami(chain_run(emu, home, "--output", "json", "tencent", "whoami"))
    assert out["key_id"] == TENCENT_SECRET_ID
    assert out["source"].startswith("tccli profile default") and str(path) in out["source"]
    out = whoami(chain_run(emu, home, "--output", "json", "tencent", "whoami",
                           extra_env={"TCCLI_PROFILE": "default"}))
    assert "tccli profile default" in out["source"]


def test_whoami_on_a_cvm_with_a_role_fetches_its_temporary_key(emu, home):
    out = whoami(chain_run(emu, home, "--output", "json", "tencent", "whoami", metadata=True))
    assert out["source"].startswith("CVM role"), out
    assert out["key_id"].startswith("AKIDtmp"), out
    # The role's temporary credentials sign a real call (with their token).
    proc = chain_run(emu, home, *stop("ins-run00000"), metadata=True)
    assert proc.returncode == 0, proc.stderr
    assert emu.state()["lastCall"]["tencent"]["tokenPresent"] is True


def test_metadata_and_sts_endpoint_flags_override_the_environment(emu, home):
    # The environment points the metadata service and STS at a closed port; the flags win.
    out = whoami(chain_run(emu, home, "--metadata-endpoint", emu.url, "--output", "json",
                           "tencent", "whoami"))
    assert out["source"] == f"CVM role ({emu.url}/)" and out["key_id"].startswith("AKIDtmp"), out
    write_tccli(home, "default", secretId=TENCENT_SECRET_ID, secretKey=TENCENT_SECRET_KEY,
                **{"role-arn": "qcs::cam::uin/100000000001:roleName/cloudhalt-stop",
                   "role-session-name": "cloudhalt-test"})
    out = whoami(chain_run(emu, home, "--sts-endpoint", emu.url, "--output", "json",
                           "tencent", "whoami"))
    assert "STS AssumeRole" in out["source"] and out["key_id"].startswith("AKIDtmp"), out


def test_whoami_on_an_ecs_instance_with_a_ram_role(emu, home):
    out = whoami(chain_run(emu, home, "--output", "json", "alibaba", "whoami", metadata=True))
    assert out["provider"] == "alibaba" and "ECS RAM role" in out["source"], out
    assert out["key_id"].startswith("STS.tmp"), out


def test_whoami_never_prints_the_secret_or_token(emu, home):
    write_tccli(home, "tok", secretId=TENCENT_SECRET_ID, secretKey=TENCENT_SECRET_KEY,
                token="tccli-session-token-value")
    for output in ("text", "json"):
        proc = chain_run(emu, home, "--output", output, "-vv", "--profile", "tok",
                         "tencent", "whoami")
        assert proc.returncode == 0, proc.stderr
        both = proc.stdout + proc.stderr
        assert TENCENT_SECRET_KEY not in both and "tccli-session-token-value" not in both


@pytest.mark.parametrize("provider, sources", [
    ("tencent", ("env TENCENTCLOUD_SECRET_ID", "tccli profile default", "TKE OIDC", "CVM role")),
    ("alibaba", ("env ALIBABA_CLOUD_ACCESS_KEY_ID", "OIDC", "aliyun-cli config",
                 "ECS RAM role", "ALIBABA_CLOUD_CREDENTIALS_URI")),
])
def test_no_source_off_cloud_is_exit_3_fast_listing_every_source(emu, home, provider, sources):
    for args in (("whoami",), ("call", "StopInstances", "--region", "ap-guangzhou", "--params",
                               '{"InstanceIds":["ins-run00000"]}') if provider == "tencent" else
                 ("stop-invocation", "--region", "cn-hangzhou", "--invoke-id", "t-1", "i-1")):
        started = time.monotonic()
        proc = chain_run(emu, home, "--output", "json", provider, *args)
        took = time.monotonic() - started
        assert took < 3, f"the chain took {took:.1f} s off-cloud"
        assert proc.returncode == 3, proc.stderr
        err = json.loads(proc.stderr)
        assert err["kind"] == "credentials" and err["send_state"] == "not_built", err
        for source in sources:
            assert source in err["message"], (source, err["message"])
    assert emu.state()["requests"].get("StopInstances", 0) == 0


def test_verbose_logs_one_line_per_attempt_without_a_secret(emu):
    emu.fault(kind="throttle", provider="tencent", action="StopInstances", count=1)
    proc = run(emu, "-v", "--no-rate-limit", *stop("ins-run00000"))
    assert proc.returncode == 0, proc.stderr
    attempts = [line for line in proc.stderr.splitlines() if "StopInstances" in line]
    assert len(attempts) == 2, proc.stderr
    assert "attempt=1" in attempts[0] and "RequestLimitExceeded" in attempts[0], attempts
    assert "attempt=2" in attempts[1] and "status=ok" in attempts[1], attempts
    for line in attempts:
        assert "host=" in line and "request_id=" in line and "took=" in line, line
    # -v is info: no line per credential source.
    assert "credentials" not in proc.stderr, proc.stderr
    assert TENCENT_SECRET_KEY not in proc.stderr and "TC3-HMAC" not in proc.stderr


def test_very_verbose_also_logs_each_credential_source(emu, home):
    write_tccli(home, "default", secretId=TENCENT_SECRET_ID, secretKey=TENCENT_SECRET_KEY,
                token="tccli-session-token-value")
    proc = chain_run(emu, home, "-vv", *stop("ins-run00000"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any("env TENCENTCLOUD_SECRET_ID: not set" in line for line in lines), lines
    assert any("tccli profile default" in line and "found" in line for line in lines), lines
    assert any("StopInstances" in line and "attempt=1" in line for line in lines), lines
    for secret in (TENCENT_SECRET_KEY, "tccli-session-token-value"):
        assert secret not in proc.stderr


def test_without_verbose_no_log_line(emu):
    for n, flags in enumerate(((), ("-q",))):
        # A retried attempt logs a warning: without -v it must stay silent.
        emu.fault(kind="throttle", provider="tencent", action="StopInstances", count=1)
        proc = run(emu, *flags, "--no-rate-limit", *stop(f"ins-run0000{n}"))
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    proc = run(emu, "-q", "-v", *stop("ins-run00000"))
    assert proc.returncode == 2 and "--quiet" in proc.stderr, proc.stderr


@pytest.mark.parametrize("args, flag", [
    (("--ca-bundle", "/nonexistent/ca.pem"), "--ca-bundle"),
    (("--proxy", "http://[::1"), "--proxy"),
    (("--proxy", "not a url at all"), "--proxy"),
])
def test_bad_network_flags_are_usage_errors_naming_the_flag(emu, home, args, flag):
    for env_credentials in (True, False):
        proc = (run(emu, "--output", "json", *args, *stop("ins-run00000")) if env_credentials
                else chain_run(emu, home, "--output", "json", *args, "tencent", "whoami"))
        assert proc.returncode == 2, proc.stderr
        err = json.loads(proc.stderr)
        assert err["kind"] == "invalid_input" and err["message"].startswith(flag + ":"), err
    assert emu.state()["requests"].get("StopInstances", 0) == 0


def test_a_ca_bundle_that_is_not_pem_is_a_usage_error(emu, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    proc = run(emu, "--ca-bundle", str(bundle), *stop("ins-run00000"))
    assert proc.returncode == 2 and "--ca-bundle" in proc.stderr and str(bundle) in proc.stderr


class ConnectProxy:
    """A loopback HTTP CONNECT proxy on an ephemeral port, recording each tunnel's target."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.tunnels: list[str] = []
        self.other: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn):
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            method, target, _ = line.split(" ", 2)
            if method != "CONNECT":
                self.other.append(line)
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            self.tunnels.append(target)
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                rest = head.split(b"\r\n\r\n", 1)[1]
                if rest:
                    upstream.sendall(rest)

                def pump(src, dst):
                    try:
                        while data := src.recv(65536):
                            dst.sendall(data)
                    except OSError:
                        pass
                    finally:
                        try:
                            dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass

                back = threading.Thread(target=pump, args=(upstream, conn), daemon=True)
                back.start()
                pump(conn, upstream)
                back.join(10)

    def close(self):
        self.sock.close()


@pytest.fixture
def connect_proxy():
    proxy = ConnectProxy()
    yield proxy
    proxy.close()


def test_proxy_flag_sends_the_calls_through_a_connect_proxy(emu, connect_proxy):
    emu_host = emu.url.removeprefix("http://")
    proc = run(emu, "--proxy", connect_proxy.url, *stop("ins-run00000"))
    assert proc.returncode == 0, (proc.stderr, connect_proxy.other)
    assert cvm_state(emu, "ins-run00000") == "STOPPING"
    assert connect_proxy.tunnels == [emu_host], (connect_proxy.tunnels, connect_proxy.other)
    # --no-proxy wins over HTTPS_PROXY / ALL_PROXY.
    connect_proxy.tunnels.clear()
    env = {"HTTPS_PROXY": connect_proxy.url, "HTTP_PROXY": connect_proxy.url,
           "ALL_PROXY": connect_proxy.url}
    proc = run(emu, "--no-proxy", *stop("ins-run00001"), extra_env=env)
    assert proc.returncode == 0, proc.stderr
    assert connect_proxy.tunnels == []
    # Without a flag the variables are honoured.
    proc = run(emu, *stop("ins-run00002"), extra_env=env)
    assert proc.returncode == 0, proc.stderr
    assert connect_proxy.tunnels == [emu_host]


def test_proxy_flag_also_carries_the_sts_call_of_a_role_profile(emu, home, connect_proxy):
    emu_host = emu.url.removeprefix("http://")
    write_tccli(home, "role", secretId=TENCENT_SECRET_ID, secretKey=TENCENT_SECRET_KEY,
                **{"role-arn": "qcs::cam::uin/100000000001:roleName/cloudhalt-ops",
                   "role-session-name": "incident"})
    proc = chain_run(emu, home, "--output", "json", "--proxy", connect_proxy.url,
                     "--profile", "role", "tencent", "whoami", sts=True)
    out = whoami(proc)
    assert out["key_id"].startswith("AKIDtmp"), out
    assert emu.state()["requests"].get("AssumeRole", 0) >= 1
    # whoami sends no API call: every tunnel is an STS call's.
    assert connect_proxy.tunnels and set(connect_proxy.tunnels) == {emu_host}, \
        "the STS call bypassed --proxy"
    connect_proxy.tunnels.clear()
    proc = chain_run(emu, home, "--proxy", connect_proxy.url, "--profile", "role",
                     *stop("ins-run00000"), sts=True)
    assert proc.returncode == 0, proc.stderr
    assert cvm_state(emu, "ins-run00000") == "STOPPING"
    # The STS agent and the API client are separate connection pools: one tunnel each at least.
    assert len(connect_proxy.tunnels) >= 2, connect_proxy.tunnels


def test_help_man_and_completions_have_the_setup_flags():
    words = ("--profile", "--proxy", "--no-proxy", "--ca-bundle", "--verbose")
    help_text = cli_stdout("tencent", "stop-instances", "--help")
    man = cli_stdout("man")
    bash = cli_stdout("completions", "bash")
    for word in words:
        assert word in help_text, word
        assert word.replace("-", r"\-") in man or word in man, word
        assert word in bash, word
    assert "whoami" in cli_stdout("tencent", "--help")
    assert "whoami" in cli_stdout("alibaba", "--help")
    top = cli_stdout("--help")
    assert "HTTPS_PROXY" in top and "SSL_CERT_FILE" in top and "--profile" in top


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory, name):
    """A CA the test generates (EC P-256, valid two days): returns the paths of its cert and key."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=cloudhalt test {name}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    return directory / f"{name}.pem", directory / f"{name}.key"


@pytest.fixture(scope="module")
def tls_certs(tmp_path_factory):
    """A test CA, a server certificate it signed for 127.0.0.1, and an unrelated CA."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to generate the test CA")
    d = tmp_path_factory.mktemp("tls")
    ca, ca_key = make_ca(d, "ca")
    other_ca, _ = make_ca(d, "other-ca")
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                  "extendedKeyUsage=serverAuth\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    openssl("x509", "-req", "-in", "server.csr", "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
            cwd=d)
    return {"ca": ca, "other_ca": other_ca, "cert": d / "server.pem", "key": d / "server.key"}


@pytest.fixture
def tls_front(emu, tls_certs):
    """A loopback HTTPS server (the test CA's certificate) relaying each request to the
    emulator with its Host header unchanged, so the signature still checks."""
    import http.client
    import ssl

    upstream = emu.url.removeprefix("http://")

    class Relay(http.server.BaseHTTPRequestHandler):
        def _relay(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            conn = http.client.HTTPConnection(upstream, timeout=30)
            conn.request(self.command, self.path, body=body, headers=dict(self.headers))
            answer = conn.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = _relay

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_certs["cert"], tls_certs["key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ca_bundle_flag_trusts_a_private_ca(emu, tls_front, tls_certs):
    proc = run(emu, "--endpoint", tls_front, "--ca-bundle", str(tls_certs["ca"]),
               *stop("ins-run00000"))
    assert proc.returncode == 0, proc.stderr
    assert cvm_state(emu, "ins-run00000") == "STOPPING"
    # SSL_CERT_FILE does the same without the flag.
    proc = run(emu, "--endpoint", tls_front, *stop("ins-run00001"),
               extra_env={"SSL_CERT_FILE": str(tls_certs["ca"])})
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("bundle", [None, "other_ca"])
def test_a_server_the_client_does_not_trust_is_not_sent(emu, tls_front, tls_certs, bundle):
    flags = ("--ca-bundle", str(tls_certs[bundle])) if bundle else ()
    proc = run(emu, "--output", "json", "--endpoint", tls_front, *ONCE, *flags,
               *stop("ins-run00000"))
    assert proc.returncode == 7, proc.stderr
    err = json.loads(proc.stderr)
    assert err["send_state"] == "not_sent", err
    assert cvm_state(emu, "ins-run00000") == "RUNNING"

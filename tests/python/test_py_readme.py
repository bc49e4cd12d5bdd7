"""python/README.md's quick start runs against the emulator, so it cannot rot."""
from __future__ import annotations

import contextlib
import io
import pathlib
import re

from pyhelp import cloudhalt  # noqa: F401  (skips when the package is not installed)

README = pathlib.Path(__file__).resolve().parents[2] / "python" / "README.md"
DOC_URL = "http://127.0.0.1:8123"


def quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the quick start has exactly one python block"
    return blocks[0]


def test_quick_start_runs(emu):
    code = quick_start()
    assert DOC_URL in code, "the quick start names the emulator's documented port"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace(DOC_URL, emu.url), str(README), "exec"), {"__name__": "__readme__"})
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, lines
    assert lines[0].startswith("stopped: {'ins-run00000': 'STOPPED', 'ins-run00001': 'STOPPED'} RequestId ")
    assert lines[1] == "already stopped: {'ins-stp00000': 'already'}"
    assert lines[2].startswith("bad input: ") and "InstanceIds" in lines[2]
    assert lines[3].startswith("stopped the command task, RequestId ")
    states = {i["InstanceId"]: i["InstanceState"] for i in emu.state()["tencent"]["instances"]}
    assert states["ins-run00000"] == states["ins-run00001"] == "STOPPED"
    invocations = {i["InvokeId"]: i for i in emu.state()["alibaba"]["invocations"]}
    assert invocations["t-hz0jdfwd9f0001"]["InvocationStatus"] != "Running"


def test_stopping_a_fleet_runs(emu, tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Stopping a fleet", 1)[1].split("\n## ", 1)[0]
    code = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    assert DOC_URL in code
    monkeypatch.chdir(tmp_path)  # the example's audit log lands here
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace(DOC_URL, emu.url), str(README), "exec"), {"__name__": "__readme__"})
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("2 requests, RequestIds ["), lines
    assert lines[1] == "150 done"
    events = [line.split('"event":"', 1)[1].split('"', 1)[0]
              for line in (tmp_path / "stop-fleet.jsonl").read_text().splitlines()]
    assert events.count("send") == 2 and events.count("answer") == 2

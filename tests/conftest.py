"""The conformance suite's shared fixtures: one emulator per session, and every backend.

Run from the repo root: `pytest tests` (after `cargo build --workspace` and, for the Python backend,
installing the package). `--backend c,py` picks backends; a backend whose artefact is missing is
skipped with the reason, never silently passed.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"

# The emulator's documented built-in test credentials (crates/cloudhalt-emulator, README).
TENCENT_SECRET_ID = "AKIDcloudhaltEMULATOR"
TENCENT_SECRET_KEY = "cloudhalt-emulator-tencent-key"
ALIBABA_ACCESS_KEY_ID = "LTAIcloudhaltEMULATOR"
ALIBABA_ACCESS_KEY_SECRET = "cloudhalt-emulator-alibaba-secret"

ALL_BACKENDS = ("c", "py")


def pytest_addoption(parser):
    parser.addoption("--backend", default=",".join(ALL_BACKENDS),
                     help="comma-separated backends to run: c, py")


def cloudhalt_bin() -> pathlib.Path:
    env = os.environ.get("CLOUDHALT_BIN")
    if env:
        return pathlib.Path(env)
    for profile in ("debug", "release"):
        p = ROOT / "target" / profile / "cloudhalt"
        if p.exists():
            return p
    return ROOT / "target" / "debug" / "cloudhalt"


class Emulator:
    """A running `cloudhalt emulator` and its control endpoints."""

    def __init__(self, proc: subprocess.Popen, url: str):
        self.proc = proc
        self.url = url

    def _request(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def state(self) -> dict:
        return self._request("GET", "/_emulator/state")

    def reset(self) -> None:
        self._request("POST", "/_emulator/reset", {})

    def fault(self, **spec) -> None:
        """Queue a fault, e.g. fault(kind="throttle", count=1) or
        fault(kind="error", provider="tencent", code="InternalError", count=1)."""
        self._request("POST", "/_emulator/faults", spec)

    def configure(self, **settings) -> None:
        self._request("POST", "/_emulator/config", settings)

    def calls(self) -> dict:
        """Call counters per action: {"StopInstances": {"received", "applied", "throttled",
        "ids": {ID: {"received", "applied"}}}, ...} (every action listed)."""
        return self._request("GET", "/_emulator/calls")

    def seed(self, **spec) -> dict:
        """Adds generated fleets, e.g. seed(tencent={"running": 1000}) -> ins-flt00000...;
        answers what was created. Undone by the next reset."""
        return self._request("POST", "/_emulator/seed", spec)


@pytest.fixture(scope="session")
def emulator():
    binary = cloudhalt_bin()
    if not binary.exists():
        _skip_or_fail(f"{binary} is missing: run `cargo build --workspace` first")
    proc = subprocess.Popen([str(binary), "emulator", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    prefix = "listening on "
    if not line.startswith(prefix):
        proc.kill()
        _, err = proc.communicate(timeout=5)  # also closes the pipes
        raise RuntimeError(f"emulator did not start: {line!r} {err!r}")
    emu = Emulator(proc, line[len(prefix):])
    try:
        yield emu
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        # Closed by hand: an unclosed pipe is a ResourceWarning, an error under `-W error`.
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture
def emu(emulator):
    """The session emulator, reset to its built-in state before the test."""
    emulator.reset()
    return emulator


def _load_backend(name: str):
    if name == "c":
        from backends.capi import load
    elif name == "py":
        from backends.py import load
    else:
        raise ValueError(f"unknown backend {name!r}")
    return load()  # returns a Backend, or raises pytest.skip.Exception with the reason


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        names = [n for n in metafunc.config.getoption("backend").split(",") if n]
        metafunc.parametrize("backend", names, indirect=True)


def _required() -> set:
    return {n for n in os.environ.get("CLOUDHALT_REQUIRE_BACKENDS", "").split(",") if n}


def _skip_or_fail(reason: str, name: str = "") -> None:
    """Skip, unless CLOUDHALT_REQUIRE_BACKENDS says this run must not skip (CI sets it)."""
    required = _required()
    if required and (not name or name in required):
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture
def backend(request):
    try:
        return _load_backend(request.param)
    except ImportError as e:
        _skip_or_fail(f"backend {request.param} unavailable: {e}", request.param)


@pytest.fixture
def tencent(backend, emu):
    return backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url)


@pytest.fixture
def alibaba(backend, emu):
    return backend.alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url)


# The variables that steer the credential chains (the providers' own and cloudhalt's address
# overrides): a hermetic test clears every one of them.
CHAIN_VAR_PREFIXES = ("TENCENTCLOUD_", "TCCLI_", "TKE_", "ALIBABA_CLOUD_", "CLOUDHALT_TENCENT_",
                      "CLOUDHALT_ALIBABA_")
# The metadata and STS address overrides (contract names, issue 11).
METADATA_VARS = ("CLOUDHALT_TENCENT_METADATA_ENDPOINT", "CLOUDHALT_ALIBABA_METADATA_ENDPOINT")
STS_VARS = ("CLOUDHALT_TENCENT_STS_ENDPOINT", "CLOUDHALT_ALIBABA_STS_ENDPOINT")
# A loopback port nothing listens on (discard): a metadata call there is refused at once.
CLOSED_PORT_URL = "http://127.0.0.1:9"


class ChainHome:
    """A hermetic environment for the credential chains: HOME an empty directory, no credential
    variable set, the metadata services at a closed port. `write` puts a tool's file in HOME;
    `point_at(url)` sends metadata and STS calls to the emulator."""

    def __init__(self, monkeypatch, home: pathlib.Path):
        self.monkeypatch = monkeypatch
        self.home = home

    def write(self, rel: str, text: str) -> pathlib.Path:
        path = self.home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def setenv(self, name: str, value: str) -> None:
        self.monkeypatch.setenv(name, value)

    def point_at(self, url: str) -> None:
        for var in METADATA_VARS + STS_VARS:
            self.monkeypatch.setenv(var, url)


@pytest.fixture
def chain_home(monkeypatch, tmp_path):
    """See ChainHome: the default chain of from_env reads only what the test puts there."""
    for name in list(os.environ):
        if name.startswith(CHAIN_VAR_PREFIXES):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in METADATA_VARS:
        monkeypatch.setenv(var, CLOSED_PORT_URL)
    return ChainHome(monkeypatch, home)


def load_vectors(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))

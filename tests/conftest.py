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


# ------------------------------------------------------------------ network peers (issue 11)

class ConnectProxy:
    """A loopback CONNECT proxy (port 0) that records the targets it was asked for."""

    def __init__(self) -> None:
        import socket
        import threading
        self.targets: list = []
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.url = "http://127.0.0.1:%d" % self.server.getsockname()[1]
        self.threads: list = []
        self.sockets: list = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        import threading
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.sockets.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn) -> None:
        import socket
        import threading
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            method, target, _ = line.split(" ", 2)
            self.targets.append((method, target))
            if method != "CONNECT":
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                self.sockets.append(upstream)
                conn.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")

                def pipe(src, dst):
                    try:
                        while True:
                            data = src.recv(65536)
                            if not data:
                                break
                            dst.sendall(data)
                    except OSError:
                        pass
                    finally:
                        try:
                            dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass

                back = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
                back.start()
                pipe(conn, upstream)
                back.join(timeout=10)

    def close(self) -> None:
        import socket
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # unblocks accept(); close() alone does not
        except OSError:
            pass
        self.server.close()
        self.accepting.join(timeout=5)
        # The clients keep their connections alive: cut them so the pipes end.
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self.threads:
            t.join(timeout=5)


@pytest.fixture
def connect_proxy():
    proxy = ConnectProxy()
    try:
        yield proxy
    finally:
        proxy.close()


def _openssl(*args, cwd):
    import subprocess
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def tls_front(emu, tmp_path, monkeypatch):
    """A loopback TLS server (port 0) with a certificate of a CA made here, forwarding the
    decrypted bytes to the emulator. Yields (https URL, CA bundle path)."""
    import shutil
    import socket
    import ssl
    import select
    import threading
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test CA")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
             "-subj", "/CN=cloudhalt test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=tmp_path)
    _openssl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1",
             cwd=tmp_path)
    (tmp_path / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "srv.pem", "-days", "1", "-extfile", "ext.cnf",
             cwd=tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "srv.pem", tmp_path / "srv.key")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    upstream_addr = emu.url.split("://", 1)[1].rsplit(":", 1)
    open_socks: list = []

    def serve(conn):
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()  # the client did not trust us: the case under test
            return
        open_socks.append(tls)
        with tls, socket.create_connection((upstream_addr[0], int(upstream_addr[1]))) as up:
            open_socks.append(up)
            while True:
                ready, _, _ = select.select([tls, up], [], [], 10)
                if not ready:
                    return
                for s in ready:
                    other = up if s is tls else tls
                    try:
                        data = s.recv(65536)
                        if not data:
                            return
                        other.sendall(data)
                        while s is tls and tls.pending():
                            other.sendall(tls.recv(65536))
                    except (ssl.SSLError, OSError):
                        return

    threads: list = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            t = threading.Thread(target=serve, args=(conn,), daemon=True)
            threads.append(t)
            t.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield "https://127.0.0.1:%d" % server.getsockname()[1], tmp_path / "ca.pem"
    finally:
        try:
            server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        server.close()
        acceptor.join(timeout=5)
        for s in open_socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(timeout=5)


def load_vectors(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))

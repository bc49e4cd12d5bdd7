"""The send state an error reports comes from how far the exchange got, on every backend.

A caller decides whether re-sending is safe from `send_state`: "not_sent" promises that not a
byte of the request left this process, so a wrong "not_sent" on TerminateInstances becomes a blind
re-send that destroys an instance. Each test below drives one phase of the exchange with a loopback
server that the test starts (port 0) and stops itself, and sends the dangerous operation,
TerminateInstances, through the backend:

  phase reached                               kind        send_state
  (a) connect never completes (default timeout) timeout   not_sent
  (b) nothing listens on the port             transport   not_sent
  (c) the host name does not resolve          transport   not_sent
  (d) accepted, closed before reading         transport   sent_no_answer, or not_sent (see there)
  (e) request read whole, then reset          transport   sent_no_answer
  (f) status line and headers, then a stall   timeout     sent_no_answer
  (g) https, certificate not trusted          transport   not_sent
  (h) connect never completes, total 2 s      timeout     not_sent

Every server is bounded: it serves at most LIFETIME seconds, each connection handler returns when
the test stops the server, and the test joins its threads.
"""
from __future__ import annotations

import contextlib
import datetime
import ipaddress
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from typing import Callable, Iterator, List, Optional

import pytest

from backends.base import Failure, Retry
from conftest import TENCENT_SECRET_ID, TENCENT_SECRET_KEY

# Short, so a stalled phase fails fast; the default (30 s total, 5 s connect) only where it is the point.
SHORT_TIMEOUT = 2.0
DEFAULT_TOTAL = 30.0
# No server here outlives this, even if a test forgets to stop it.
LIFETIME = 60.0
MAY_HAVE_BEEN_SENT = ("sent_no_answer", "answered")


# --- the client side ----------------------------------------------------------------------------

def terminate(backend, url: str, timeout: Optional[float] = SHORT_TIMEOUT):
    """Sends TerminateInstances to `url` in ONE attempt; returns the Failure and the seconds the
    call took. One attempt, because each test is about one exchange: the default policy would
    send again after the failures that happen before a byte was written (phases a, b, c, g, h),
    multiplying the time the phase takes (test_fleet.py tests the retries)."""
    client = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url, timeout=timeout,
                             retry=Retry(max_attempts=1))
    assert not isinstance(client, Failure), f"the client could not be made: {client}"
    start = time.monotonic()
    result = client.terminate_instances("ap-guangzhou", ["ins-run00000"])
    elapsed = time.monotonic() - start
    assert isinstance(result, Failure), f"TerminateInstances cannot succeed against {url}: {result}"
    return result, elapsed


def check(failure: Failure, kind: str, send_state: str) -> None:
    """The failure's kind and send state, and the binding's own helper where it has one."""
    assert (failure.kind, failure.send_state) == (kind, send_state), \
        f"expected {kind}/{send_state}, got {failure.kind}/{failure.send_state}: {failure.message}"
    if failure.may_have_been_sent is not None:
        assert failure.may_have_been_sent == (send_state in MAY_HAVE_BEEN_SENT), failure


# --- loopback servers ---------------------------------------------------------------------------

def read_request(conn: socket.socket, stop: threading.Event) -> bytes:
    """Reads one whole HTTP request (headers, then Content-Length bytes of body), or what came
    before the peer closed or the server was stopped."""
    conn.settimeout(0.1)
    data = b""
    need: Optional[int] = None
    while not stop.is_set():
        if need is None and b"\r\n\r\n" in data:
            head, _, _ = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            need = len(head) + 4 + length
        if need is not None and len(data) >= need:
            break
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


class LoopbackServer:
    """A TCP server on 127.0.0.1, port 0, that runs `handle(conn, stop)` for each connection in a
    thread of its own. Stopped by `stop()`, and by itself after LIFETIME seconds."""

    def __init__(self, handle: Callable[[socket.socket, threading.Event], None],
                 tls: Optional[ssl.SSLContext] = None) -> None:
        self.handle = handle
        self.tls = tls
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.requests: List[bytes] = []  # what handlers read, for the tests to inspect
        self.errors: List[BaseException] = []
        self._stop = threading.Event()
        self._deadline = time.monotonic() + LIFETIME
        self._threads: List[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()
        self._stop.set()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn.settimeout(SHORT_TIMEOUT * 2)
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.handle(conn, self._stop)
        except (OSError, ssl.SSLError) as e:  # the client hanging up, or refusing the certificate
            self.errors.append(e)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._accepter.join(timeout=5)
        for t in self._threads:
            t.join(timeout=5)
        self.sock.close()
        assert not self._accepter.is_alive() and not any(t.is_alive() for t in self._threads), \
            "a loopback server thread did not stop"


@contextlib.contextmanager
def serving(handle: Callable[[socket.socket, threading.Event], None],
            tls: Optional[ssl.SSLContext] = None) -> Iterator[LoopbackServer]:
    server = LoopbackServer(handle, tls)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def never_accepting() -> Iterator[str]:
    """A port whose listen queue is full, so the kernel drops further SYNs and a connect to it
    never completes: a listening socket with backlog 0 that is never accepted from, and the
    connections this opens itself until one of them no longer gets through (checked, not assumed:
    on Linux one queued connection fills a backlog-0 queue)."""
    listener = socket.socket()
    fillers: List[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        full = False
        for _ in range(4):
            probe = socket.socket()
            probe.settimeout(0.5)
            fillers.append(probe)
            try:
                probe.connect(("127.0.0.1", port))
            except socket.timeout:
                full = True
                break
        assert full, "could not fill a backlog-0 listen queue: connects to it still complete"
        yield f"http://127.0.0.1:{port}"
    finally:
        for s in fillers:
            s.close()
        listener.close()


def closed_port() -> int:
    """A port nothing listens on: bound (so the kernel picked a free one), then closed."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def self_signed_context(tmp_path) -> ssl.SSLContext:
    """A server TLS context with a certificate for localhost / 127.0.0.1 that no client trusts,
    made now with the `cryptography` package, or the `openssl` command where that is missing."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.fail("neither the cryptography package nor the openssl command is available "
                        "to make a test certificate: pip install cryptography")
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=30)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        now = datetime.datetime.now(datetime.timezone.utc)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(private, hashes.SHA256())
        )
        cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


# --- the phases ---------------------------------------------------------------------------------

def test_a_never_accepted_with_the_default_timeout_is_not_sent(backend):
    # The default: a 5 s connect budget inside the 30 s total, so the connect phase times out.
    with never_accepting() as url:
        failure, elapsed = terminate(backend, url, timeout=None)
    check(failure, "timeout", "not_sent")
    assert elapsed < DEFAULT_TOTAL, f"the connect budget must sit below the total: took {elapsed:.1f} s"


def test_b_nothing_listening_is_not_sent(backend):
    failure, _ = terminate(backend, f"http://127.0.0.1:{closed_port()}")
    check(failure, "transport", "not_sent")


def test_c_unresolvable_host_is_not_sent(backend):
    # .invalid never resolves (RFC 6761): the request cannot have left.
    failure, _ = terminate(backend, "http://cloudhalt-no-such-host.invalid:80")
    check(failure, "transport", "not_sent")


def test_d_closed_before_reading_is_never_answered(backend):
    # The server accepts and closes at once, reading nothing. At the socket level this is
    # ambiguous for the client: its write may have gone into the kernel's buffer before the close
    # arrived (the server then resets the connection on the unread bytes), or the close may be
    # seen first. A careful library reports "sent_no_answer" unless it knows no byte of the
    # request was written; "not_sent" is truthful only in that case. "answered" is always wrong:
    # no status line ever came. Either honest state keeps the dangerous direction safe.
    def accept_and_close(conn: socket.socket, stop: threading.Event) -> None:
        conn.close()

    with serving(accept_and_close) as server:
        failure, _ = terminate(backend, f"http://127.0.0.1:{server.port}")
    assert failure.kind == "transport", failure
    assert failure.send_state in ("sent_no_answer", "not_sent"), failure
    assert failure.send_state != "answered" and failure.http_status is None, failure
    if failure.may_have_been_sent is not None:
        assert failure.may_have_been_sent == (failure.send_state == "sent_no_answer"), failure


def test_e_reset_after_the_request_was_read_may_have_been_sent(backend):
    def read_then_reset(conn: socket.socket, stop: threading.Event) -> None:
        server.requests.append(read_request(conn, stop))
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with serving(read_then_reset) as server:
        failure, _ = terminate(backend, f"http://127.0.0.1:{server.port}")
    assert server.requests and b"TerminateInstances" in server.requests[0], \
        f"the server must have read the whole request: {server.requests!r}"
    check(failure, "transport", "sent_no_answer")


def test_f_stall_after_the_headers_may_have_been_sent(backend):
    def headers_then_stall(conn: socket.socket, stop: threading.Event) -> None:
        server.requests.append(read_request(conn, stop))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        stop.wait(LIFETIME)  # the body never comes; the test's stop() ends this

    with serving(headers_then_stall) as server:
        failure, elapsed = terminate(backend, f"http://127.0.0.1:{server.port}")
    assert server.requests and b"TerminateInstances" in server.requests[0], server.requests
    check(failure, "timeout", "sent_no_answer")
    assert elapsed < SHORT_TIMEOUT + 3, f"the total timeout must end the stall: took {elapsed:.1f} s"


def test_g_untrusted_certificate_is_not_sent(backend, tmp_path):
    def must_not_get_here(conn: socket.socket, stop: threading.Event) -> None:
        server.requests.append(read_request(conn, stop))

    with serving(must_not_get_here, tls=self_signed_context(tmp_path)) as server:
        failure, _ = terminate(backend, f"https://127.0.0.1:{server.port}")
    assert server.requests == [], "the handshake must fail before any request byte"
    check(failure, "transport", "not_sent")


def test_h_never_accepted_with_a_total_of_2_s_is_not_sent(backend):
    # With a total below the default connect budget, the connect phase must still get a budget
    # of its own below the total: a connect that times out has sent nothing.
    with never_accepting() as url:
        failure, elapsed = terminate(backend, url, timeout=SHORT_TIMEOUT)
    check(failure, "timeout", "not_sent")
    assert elapsed < SHORT_TIMEOUT + 3, f"the total timeout must bound the connect: took {elapsed:.1f} s"

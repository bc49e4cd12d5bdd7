"""`proxy=` and `ca_bundle=` on every constructor (issue 11): read back by properties, shown by
repr with a proxy password redacted, and bad values refused naming the field."""
from __future__ import annotations

import pathlib

import pytest

from pyhelp import cloudhalt
from conftest import (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID,
                      TENCENT_SECRET_KEY)

CA = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")


def makers(**kw):
    return (
        lambda: cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, **kw),
        lambda: cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, **kw),
    )


def test_defaults_are_the_environments():
    for make in makers():
        c = make()
        assert c.proxy is None and c.ca_bundle is None
        assert "proxy=None ca_bundle=None" in repr(c)
        assert "credential_source='explicit values'" in repr(c)


def test_a_proxy_url_is_kept_and_its_password_never_shown():
    for make in makers(proxy="http://user:pr0xy-pass@127.0.0.1:3128"):
        c = make()
        assert c.proxy == "http://<redacted>@127.0.0.1:3128"
        assert "pr0xy-pass" not in repr(c) and "<redacted>@127.0.0.1:3128" in repr(c)


def test_proxy_false_switches_it_off():
    for make in makers(proxy=False):
        assert make().proxy is False


@pytest.mark.skipif(not CA.exists(), reason="no system CA bundle")
def test_a_ca_bundle_is_kept():
    for make in makers(ca_bundle=CA):
        c = make()
        assert c.ca_bundle == str(CA)
        assert repr(str(CA)) in repr(c)


def test_a_bad_proxy_names_the_field_and_never_the_password():
    for make in makers(proxy="ftp://user:pr0xy-pass@"):
        with pytest.raises(cloudhalt.InvalidInputError) as e:
            make()
        assert e.value.field == "proxy", e.value
        assert "pr0xy-pass" not in str(e.value)
    for make in makers(proxy=True):
        with pytest.raises(TypeError, match="proxy"):
            make()


def test_a_bad_ca_bundle_names_the_field(tmp_path):
    missing = tmp_path / "missing.pem"
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    for path in (missing, empty):
        for make in makers(ca_bundle=path):
            with pytest.raises(cloudhalt.InvalidInputError) as e:
                make()
            assert e.value.field == "ca_bundle" and str(path) in str(e.value)
    for make in makers(ca_bundle=3):
        with pytest.raises(TypeError, match="ca_bundle"):
            make()


def test_from_env_and_from_profile_take_them(chain_home):
    chain_home.setenv("TENCENTCLOUD_SECRET_ID", TENCENT_SECRET_ID)
    chain_home.setenv("TENCENTCLOUD_SECRET_KEY", TENCENT_SECRET_KEY)
    t = cloudhalt.Tencent.from_env(proxy="http://127.0.0.1:3128")
    assert t.proxy == "http://127.0.0.1:3128" and t.credential_source == "env TENCENTCLOUD_SECRET_ID"
    chain_home.write(".aliyun/config.json", (
        '{"current": "default", "profiles": [{"name": "p", "mode": "AK", "access_key_id": "%s", '
        '"access_key_secret": "%s"}]}' % (ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET)))
    a = cloudhalt.Alibaba.from_profile("p", proxy=False)
    assert a.proxy is False and a.credential_source.endswith("profile p (mode AK)")
    with pytest.raises(cloudhalt.InvalidInputError) as e:
        cloudhalt.Alibaba.from_profile("p", ca_bundle=chain_home.home / "none.pem")
    assert e.value.field == "ca_bundle"


def test_the_proxy_is_used(emu):
    """A proxy nobody listens on makes the call fail unsent; proxy=False goes straight to the
    emulator. (The CONNECT proxy itself is tested in the core: crates/cloudhalt/tests/proxy.rs.)"""
    bad = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url,
                            proxy="http://127.0.0.1:9", timeout=5.0)
    with pytest.raises(cloudhalt.TransportError) as e:
        bad.stop_instances("ap-guangzhou", ["ins-run00060"])
    assert e.value.send_state == "not_sent"
    good = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url, proxy=False)
    good.stop_instances("ap-guangzhou", ["ins-run00060"])


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


def test_calls_go_through_a_loopback_connect_proxy(emu, connect_proxy):
    host = emu.url.split("://", 1)[1]
    tc = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=emu.url,
                           proxy=connect_proxy.url, timeout=10.0)
    tc.stop_instances("ap-guangzhou", ["ins-run00061"])
    ali = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=emu.url,
                            proxy=connect_proxy.url, timeout=10.0)
    ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001")
    assert connect_proxy.targets and all(t == ("CONNECT", host) for t in connect_proxy.targets), \
        connect_proxy.targets


def test_from_env_sends_sts_through_the_proxy_too(emu, chain_home, connect_proxy):
    """proxy= given to from_env reaches the chain: the AssumeRole of a tccli role profile goes
    through the proxy, as the call does (metadata calls never would)."""
    import json
    chain_home.point_at(emu.url)
    chain_home.write(".tccli/default.credential", json.dumps({
        "secretId": TENCENT_SECRET_ID, "secretKey": TENCENT_SECRET_KEY, "token": "",
        "role-arn": "qcs::cam::uin/100000000001:roleName/cloudhalt-stop",
        "role-session-name": "cloudhalt-test"}))
    tc = cloudhalt.Tencent.from_env(endpoint=emu.url, proxy=connect_proxy.url, timeout=10.0)
    assert "STS AssumeRole" in tc.credential_source
    sts_calls = len(connect_proxy.targets)
    assert sts_calls >= 1, "the chain's AssumeRole went through the proxy"
    tc.stop_instances("ap-guangzhou", ["ins-run00062"])
    assert emu.state()["lastCall"]["tencent"]["keyId"].startswith("AKIDtmp")


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


def test_a_tls_server_of_the_ca_bundle_is_trusted_and_another_is_not_sent(tls_front):
    url, ca = tls_front
    trusting = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url,
                                 ca_bundle=ca, timeout=10.0)
    assert trusting.stop_instances("ap-guangzhou", ["ins-run00063"]).request_id
    ali = cloudhalt.Alibaba(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, endpoint=url,
                            ca_bundle=str(ca), timeout=10.0)
    assert ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001").request_id
    # The built-in roots do not hold the test CA: refused during the handshake, never sent.
    default = cloudhalt.Tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, endpoint=url, timeout=10.0,
                                retry=cloudhalt.Retry(max_attempts=1))
    with pytest.raises(cloudhalt.TransportError) as e:
        default.stop_instances("ap-guangzhou", ["ins-run00064"])
    assert e.value.send_state == "not_sent", e.value

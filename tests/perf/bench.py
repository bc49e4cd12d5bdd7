"""The benchmark behind `tests/perf/run` (issue 13). Run it through that script, which installs
what this needs; `python bench.py worker ...` is the per-measurement child process.

Every row is measured in ROUNDS rounds; within a round the rows run one after the other, so that
each round sees about the same load, and a row's value is the median over rounds. A ratio is
computed within each round (row A of round r over row B of round r) and its median is shown: the
machine's load cancels out of a ratio far better than out of two medians taken apart. The wire
floor, the bare ureq loop and cloudhalt's Rust calls go further: they run in one process,
interleaved in blocks of 200 calls, so that their ratios compare calls made at the same moments
(run one after the other, a neighbour's burst during one of them moved the ratio by a tenth).

Placement. On a machine with two or more cores the canned nginx peer runs on the first core and
each sequential client on the second, as a client and a remote endpoint are: every call then waits
for one wake-up across cores (~50 µs on this benchmark's VM), the same for every client. Left to the
scheduler, client and peer sometimes share a core for a whole row, and the wire floor swung from
15,000 to 21,000 calls/s between rows of one run. A second set of rows puts the client on the
peer's core: no cross-core wake-up, so what is left is each client's own cost (the wire floor runs
near 60,000 calls/s there). The 8-thread rows are not pinned: they use both cores.

Outputs (tests/perf/latest/): results.txt (the table as printed), results.json, ratios.svg.

`bench.py [--quick] --only emulator` measures the emulator rows alone (it needs the release
`cloudhalt` binary built; nothing else) and prints them without replacing tests/perf/latest/.
"""
from __future__ import annotations

import json
import os
import pathlib
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "latest"

TC_ID, TC_KEY = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
ALI_ID, ALI_SECRET = "YourAccessKeyId", "YourAccessKeySecret"
INSTANCE = "ins-r8hr2upy"
INVOKE_ID, ALI_INSTANCE = "t-hz0jdfwd9f0001", "i-bp67acfmxazb4p0001"

# Where the peer and the sequential clients run (see the module doc): first and second core.
_CPUS = sorted(os.sched_getaffinity(0))
PEER_CPU = _CPUS[0] if len(_CPUS) >= 2 else None
CLIENT_CPU = _CPUS[1] if len(_CPUS) >= 2 else None


def on_cpu(cpu: int | None):
    """A preexec_fn that pins the child to `cpu` (None: no pinning, no preexec_fn)."""
    return None if cpu is None else (lambda: os.sched_setaffinity(0, {cpu}))


# The emulator rows: connections (one cloudhalt client and thread each) of the load generator
# (crates/cloudhalt-emulator/benches/load.rs), and issue 13's target.
EMU_THREADS = 4
EMU_TARGET = 5000.0

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  default_type application/json;
  # Tencent's answer shape when X-TC-Action is present, Alibaba's otherwise.
  map $http_x_tc_action $canned {{
    "" '{{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"}}';
    default '{{"Response":{{"RequestId":"ad9b4b3e-6f8a-4d6a-9f0a-3c1e2b7d8e9f"}}}}';
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ return 200 $canned; }}
  }}
  # The same answers over TLS, with a certificate of a CA generated for this run: tccli speaks
  # only https, and the CLI is measured against it too.
  server {{
    listen 127.0.0.1:{tls_port} ssl;
    # Debian 12's nginx (1.22) offers only TLS 1.2 unless told; from 1.23.4 on nginx offers
    # TLS 1.3 by default, as public endpoints commonly do: one round trip less per handshake,
    # for every client measured.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate {dir}/server.pem;
    ssl_certificate_key {dir}/server.key;
    location / {{ return 200 $canned; }}
  }}
}}
"""

# tccli trusts only certifi's bundle (its SDK passes certifi.where() as `verify`): it runs with
# certifi pointed at this run's CA. Nothing else is changed, and nothing on disk.
TCCLI_WITH_CA = ("import os, sys, certifi; certifi.where = lambda: os.environ['PERF_CA']; "
                 "from tccli.main import main; sys.exit(main())")


# ------------------------------------------------------------------ the child processes


def worker(kind: str, n: int, url: str) -> None:
    """Makes n calls of `kind` against url after a warm-up and prints calls/s (one number)."""
    threads = 1
    if kind.endswith("_8t"):
        kind, threads = kind[:-3], 8
    host = url.removeprefix("http://")
    if kind == "py_tc":
        import cloudhalt

        shared = cloudhalt.Tencent(TC_ID, TC_KEY, endpoint=url, rate_limit=False)
        make = lambda: shared  # noqa: E731 - one client shared by every thread
        call = lambda c: c.stop_instances("ap-guangzhou", [INSTANCE])  # noqa: E731
    elif kind == "py_ali":
        import cloudhalt

        shared = cloudhalt.Alibaba(ALI_ID, ALI_SECRET, endpoint=url, rate_limit=False)
        make = lambda: shared  # noqa: E731
        call = lambda c: c.stop_invocation("cn-hangzhou", INVOKE_ID, [ALI_INSTANCE])  # noqa: E731
    elif kind == "sdk_tc":
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.cvm.v20170312 import cvm_client, models

        def make():  # one client per thread, as the SDK recommends
            profile = ClientProfile(httpProfile=HttpProfile(endpoint=host, protocol="http",
                                                            reqMethod="POST"))
            return cvm_client.CvmClient(Credential(TC_ID, TC_KEY), "ap-guangzhou", profile)

        def call(c):
            req = models.StopInstancesRequest()
            req.InstanceIds = [INSTANCE]
            c.StopInstances(req)
    elif kind == "sdk_ali":
        from alibabacloud_ecs20140526 import models
        from alibabacloud_ecs20140526.client import Client
        from alibabacloud_tea_openapi.models import Config

        def make():
            return Client(Config(endpoint=host, protocol="http", region_id="cn-hangzhou",
                                 access_key_id=ALI_ID, access_key_secret=ALI_SECRET))

        def call(c):
            c.stop_invocation(models.StopInvocationRequest(
                region_id="cn-hangzhou", invoke_id=INVOKE_ID, instance_id=[ALI_INSTANCE]))
    else:
        raise SystemExit(f"unknown worker {kind}")

    import threading

    per_thread = max(1, n // threads)
    clients = [make() for _ in range(threads)]
    for c in clients:
        for _ in range(max(1, per_thread // 10)):
            call(c)
    barrier = threading.Barrier(threads + 1)

    def run(c):
        barrier.wait()
        for _ in range(per_thread):
            call(c)

    pool = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    print(per_thread * threads / (time.perf_counter() - start))


def sign_worker(n: int) -> None:
    """The official SDKs' own signing routines on the inputs of the Rust signing bench; prints
    one JSON object of microseconds per signature."""
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.http.request import RequestInternal
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest

    host = "cvm.tencentcloudapi.com"
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=host))
    client = cvm_client.CvmClient(Credential(TC_ID, TC_KEY), "ap-guangzhou", profile)
    out = {}
    for ids in (1, 100):
        params = {"InstanceIds": [INSTANCE] + [f"ins-{i:08d}" for i in range(ids - 1)]}

        def tc3():
            req = RequestInternal(host, "POST", "/")
            client._build_req_with_tc3_signature("StopInstances", params, req, {})

        out[f"tc3_stop_instances_{ids}"] = timed(tc3, n)
        body = json.dumps(params).encode()

        def tc3_sign_only():
            # The SDK's hashing and Sign.sign_tc3 on a body already serialised: the part of its
            # routine that the Rust row measures (no JSON, no headers).
            import hashlib
            from tencentcloud.common.sign import Sign

            canonical = ("POST\n/\n\ncontent-type:application/json\nhost:" + host +
                         "\nx-tc-action:stopinstances\n\ncontent-type;host;x-tc-action\n" +
                         hashlib.sha256(body).hexdigest())
            to_sign = ("TC3-HMAC-SHA256\n1700000000\n2023-11-14/cvm/tc3_request\n" +
                       hashlib.sha256(canonical.encode()).hexdigest())
            Sign.sign_tc3(TC_KEY, "2023-11-14", "cvm", to_sign)

        out[f"tc3_sign_only_{ids}"] = timed(tc3_sign_only, n)
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for ids in (1, 50):
        request = DaraRequest()
        request.method, request.pathname = "POST", "/"
        request.query = {"RegionId": "cn-hangzhou", "InvokeId": INVOKE_ID}
        request.query.update({f"InstanceId.{i}": f"i-bp67acfmxazb4p{i:04d}" for i in range(1, ids + 1)})
        request.headers = {
            "host": "ecs.cn-hangzhou.aliyuncs.com", "x-acs-action": "StopInvocation",
            "x-acs-version": "2014-05-26", "x-acs-date": "2023-10-26T10:22:32Z",
            "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
            "x-acs-content-sha256": empty,
        }

        def acs3(request=request):
            Utils.get_authorization(request, "ACS3-HMAC-SHA256", empty, ALI_ID, ALI_SECRET)

        out[f"acs3_stop_invocation_{ids}"] = timed(acs3, n)
    print(json.dumps(out))


def timed(f, n: int) -> float:
    """Median of 5 rounds of n calls, in microseconds per call."""
    for _ in range(n // 10):
        f()
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            f()
        rounds.append((time.perf_counter() - start) * 1e6 / n)
    return statistics.median(rounds)


def batch_worker(url: str) -> None:
    """Seeds 1,000 running instances in the emulator at url, stops them in one call at the
    documented rate (StopInstances: 10 requests/s, 100 IDs a request) and prints the seconds."""
    import urllib.request

    import cloudhalt

    def control(path, body):
        req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    control("/_emulator/reset", {})
    ids = control("/_emulator/seed", {"tencent": {"running": 1000}})["tencent"]["running"]
    client = cloudhalt.Tencent("AKIDcloudhaltEMULATOR", "cloudhalt-emulator-tencent-key",
                               endpoint=url)
    start = time.perf_counter()
    client.stop_instances("ap-guangzhou", ids)
    print(time.perf_counter() - start)


def import_worker(module: str) -> None:
    """Prints the seconds `import module` takes in this fresh interpreter."""
    start = time.perf_counter()
    __import__(module)
    print(time.perf_counter() - start)


# ------------------------------------------------------------------ the parent


class Bench:
    def __init__(self, quick: bool, only: str | None = None):
        self.quick = quick
        # "emulator": only the emulator rows (no nginx, no SDKs, no C loop), printed, not saved.
        self.only = only
        self.rounds = 3 if quick else 5
        self.calls = 1000 if quick else 4000
        self.venv_python = str(HERE / ".venv" / "bin" / "python")
        self.target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        self.bins = self.find_benches()
        self.cli = self.target / "release" / "cloudhalt"
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="cloudhalt-perf-"))
        self.nginx = None
        self.emulator = None
        self.emu_url = None
        self.c_loop = None if only else self.build_c_loop()
        self.values: dict[str, list[float]] = {}
        self.notes: dict[str, str] = {}

    def find_benches(self) -> dict[str, str]:
        benches = [("cloudhalt-emulator", ["load"])]
        if not self.only:
            benches.insert(0, ("cloudhalt", ["hot_path", "signing"]))
        bins = {}
        for package, names in benches:
            out = subprocess.run(
                ["cargo", "build", "--release", "-p", package,
                 *[a for n in names for a in ("--bench", n)], "--message-format=json", "--quiet"],
                cwd=ROOT, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                msg = json.loads(line)
                if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
                    bins[msg["target"]["name"]] = msg["executable"]
        return bins

    def build_c_loop(self) -> str | None:
        """tests/perf/c_loop.c against the release libcloudhalt.so, or None (its rows then say
        why). The library's SONAME is libcloudhalt.so.0 (scripts/install-c.sh makes the link):
        a directory of this run holds both names."""
        so = self.target / "release" / "libcloudhalt.so"
        lib = self.tmp / "clib"
        lib.mkdir()
        for name in ("libcloudhalt.so", "libcloudhalt.so.0"):
            (lib / name).symlink_to(so)
        out = self.tmp / "c_loop"
        r = subprocess.run(["cc", "-O2", "-I", str(ROOT / "include"), str(HERE / "c_loop.c"),
                            "-L", str(lib), "-lcloudhalt", "-lpthread", f"-Wl,-rpath,{lib}",
                            "-o", str(out)], capture_output=True, text=True)
        if r.returncode != 0 or not so.exists():
            self.c_loop_error = (r.stderr.strip() or f"{so} is missing")[-200:]
            return None
        return str(out)

    def c(self, url: str, threads: int, cpu: int | None = CLIENT_CPU) -> float:
        if self.c_loop is None:
            raise RuntimeError(f"the C loop did not build: {self.c_loop_error}")
        out = subprocess.run([self.c_loop, url, str(self.calls), str(threads)], check=True,
                             capture_output=True, text=True, preexec_fn=on_cpu(cpu)).stdout
        return float(out.strip())

    # -- peers

    def make_ca(self, d: pathlib.Path) -> None:
        """A CA and a server certificate for 127.0.0.1, for this run only (deleted at the end)."""
        def ssl(*args):
            subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=cloudhalt-perf-ca", "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
        (d / "ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=serverAuth\n")
        ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext")
        self.ca = d / "ca.pem"

    def start_nginx(self) -> tuple[str, str]:
        # nginx cannot listen on port 0: take free ports from the kernel and hand them over (a
        # port is free again for a moment in between; another program taking it makes nginx fail
        # to start, which is reported).
        ports = []
        for _ in range(2):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                ports.append(s.getsockname()[1])
        port, tls_port = ports
        d = self.tmp / "nginx"
        d.mkdir()
        self.make_ca(d)
        (d / "nginx.conf").write_text(NGINX_CONF.format(dir=d, port=port, tls_port=tls_port))
        self.nginx = subprocess.Popen(["nginx", "-c", str(d / "nginx.conf"), "-p", str(d)],
                                      stderr=subprocess.DEVNULL, preexec_fn=on_cpu(PEER_CPU))
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                socket.create_connection(("127.0.0.1", tls_port), timeout=0.1).close()
                return url, f"https://127.0.0.1:{tls_port}"
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"nginx did not start: see {d}/error.log")

    def start_emulator(self) -> None:
        """`cloudhalt emulator --port 0` (signature checks on, the documented rates, the
        built-in credentials): the peer of the emulator rows and of the batch row. A failure
        to start is noted on those rows."""
        try:
            self.emulator = subprocess.Popen([str(self.cli), "emulator", "--port", "0"],
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                             text=True)
            line = self.emulator.stdout.readline().strip()
            if not line.startswith("listening on "):
                raise RuntimeError(f"the emulator said {line!r}")
            self.emu_url = line[len("listening on "):]
        except (OSError, RuntimeError) as e:
            for key in ("emu_tc", "emu_ali", "batch_1000"):
                self.notes[key] = f"not measured: the emulator did not start ({e})"

    def emu_load(self, mode: str) -> None:
        """One run of the load generator on the emulator: verified requests/s, and the CPU the
        emulator and the generator spent per request (from /proc: the emulator's is its
        capacity whatever the generator costs on these shared cores)."""
        key = f"emu_{mode}"
        if self.emu_url is None:
            return
        try:
            out = subprocess.run([self.bins["load"], mode, self.emu_url, str(self.calls),
                                  str(EMU_THREADS), str(self.emulator.pid)], check=True,
                                 capture_output=True, text=True)
            fields = dict(f.split("=", 1) for f in out.stdout.split()[1:] if "=" in f)
            self.values.setdefault(key, []).append(float(fields["requests_per_s"]))
            # The target as a row of its own, so that the ratio to it is taken as any other.
            self.values.setdefault(f"{key}_target", []).append(EMU_TARGET)
            for name in ("emulator_cpu_us", "client_cpu_us"):
                if name in fields:
                    self.values.setdefault(f"{key}_{name}", []).append(float(fields[name]))
        except Exception as e:  # a row that fails says why instead of vanishing
            err = getattr(e, "stderr", "") or ""
            self.notes[key] = f"not measured: {type(e).__name__}: {(err or str(e))[-160:]}"

    def stop(self) -> None:
        if self.emulator is not None:
            # The emulator is the process we started: stop it by its PID.
            self.emulator.terminate()
            try:
                self.emulator.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.emulator.kill()
            self.emulator.stdout.close()
            self.emulator = None
        if self.nginx is not None:
            # The master (daemon off) is the process we started: stop it by its PID.
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- one measurement each

    def rust(self, modes: str, url: str, cpu: int | None = CLIENT_CPU,
             calls: int = 0) -> dict[str, float]:
        """calls/s of each of the comma-separated hot_path modes, run in one process and
        interleaved in blocks of 200 calls: their ratios compare calls made at the same moments."""
        out = subprocess.run([self.bins["hot_path"], modes, url, str(calls or self.calls)],
                             check=True, capture_output=True, text=True,
                             preexec_fn=on_cpu(cpu)).stdout
        return {line.split()[0]: float(line.split("calls_per_s=")[1].split()[0])
                for line in out.splitlines() if "calls_per_s=" in line}

    def record_rust(self, prefix: str, url: str, cpu: int | None, calls: int = 0) -> None:
        """The wire floor, the bare ureq loop and cloudhalt's two calls, interleaved."""
        keys = {"wire": "wire", "ureq": "ureq", "tc": "rust_tc", "ali": "rust_ali"}
        try:
            rates = self.rust(",".join(keys), url, cpu, calls)
            for mode, key in keys.items():
                self.values.setdefault(f"{prefix}_{key}", []).append(rates[mode])
        except Exception as e:
            for key in keys.values():
                self.notes[f"{prefix}_{key}"] = f"not measured: {type(e).__name__}: {str(e)[:160]}"

    def py(self, kind: str, url: str, n: int | None = None,
           cpu: int | None = CLIENT_CPU) -> float:
        out = subprocess.run([self.venv_python, __file__, "worker", kind, str(n or self.calls), url],
                             check=True, capture_output=True, text=True,
                             preexec_fn=on_cpu(cpu)).stdout
        return float(out.strip())

    def processes(self, argv: list[str], env: dict, count: int, ok=(0,)) -> float:
        """Process-per-call rate: `count` runs of argv, in calls per second. Each run is one
        posix_spawn and one waitpid, stdout to /dev/null and stderr to a file, as a shell loop
        runs it: subprocess.run with two pipes adds about half a millisecond per call, which
        is noise beside tccli and a sixth of a cloudhalt call."""
        errors = self.tmp / "process.stderr"
        actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, str(errors), os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                    0o600)]
        start = time.perf_counter()
        for _ in range(count):
            pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
            code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            if code not in ok:
                raise RuntimeError(f"{argv[0]} exited {code}: {errors.read_text()[-300:]!r}")
        return count / (time.perf_counter() - start)

    def cli_env(self) -> dict:
        env = dict(os.environ)
        env.update(TENCENTCLOUD_SECRET_ID=TC_ID, TENCENTCLOUD_SECRET_KEY=TC_KEY, HOME=str(self.tmp),
                   PERF_CA=str(self.ca))
        return env

    def cli_argv(self, url: str) -> list[str]:
        tls = ["--ca-bundle", str(self.ca)] if url.startswith("https:") else []
        return [str(self.cli), "--endpoint", url, "--quiet", *tls, "tencent", "stop-instances",
                "--region", "ap-guangzhou", INSTANCE]

    def tccli_argv(self, tls_url: str) -> list[str]:
        host = tls_url.removeprefix("https://")
        return [self.venv_python, "-c", TCCLI_WITH_CA, "cvm", "StopInstances", "--region",
                "ap-guangzhou", "--endpoint", host, "--InstanceIds", f'["{INSTANCE}"]',
                "--secretId", TC_ID, "--secretKey", TC_KEY]

    def rss_kib(self, argv: list[str], env: dict | None = None) -> float:
        """Peak RSS of one process running argv, in KiB, as GNU time reports it. (The kernel's
        count for a child of this Python process would include this process's own pages from
        before the exec.)"""
        out = self.tmp / "rss"
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(out), *argv], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return float(out.read_text().split()[-1])

    # -- the table

    def record(self, key: str, fn) -> None:
        try:
            self.values.setdefault(key, []).append(fn())
        except Exception as e:  # a row that fails says why instead of vanishing
            self.notes[key] = f"not measured: {type(e).__name__}: {str(e)[:160]}"

    def run_emulator_only(self) -> dict:
        self.start_emulator()
        for r in range(self.rounds):
            print(f"perf: round {r + 1}/{self.rounds} (emulator rows only)", file=sys.stderr)
            self.emu_load("tc")
            self.emu_load("ali")
        self.stop()
        return self.table()

    def run(self) -> dict:
        if self.only == "emulator":
            return self.run_emulator_only()
        url, tls_url = self.start_nginx()
        self.start_emulator()
        env = self.cli_env()
        rounds = self.rounds
        for r in range(rounds):
            print(f"perf: round {r + 1}/{rounds}", file=sys.stderr)
            # the emulator under load (its own peer: nothing else runs meanwhile)
            self.emu_load("tc")
            self.emu_load("ali")
            # signing
            rs = subprocess.run([self.bins["signing"], "--json"], check=True, capture_output=True,
                                text=True).stdout
            for line in rs.splitlines():
                row = json.loads(line)
                self.values.setdefault(f"sign_rust_{row['row']}", []).append(
                    row["cpu_us"] if row["cpu_us"] is not None else row["wall_us"])
                self.values.setdefault(f"sign_rust_wall_{row['row']}", []).append(row["wall_us"])
            try:
                sdk = json.loads(subprocess.run([self.venv_python, __file__, "sign", "2000"],
                                                check=True, capture_output=True, text=True).stdout)
                for k, v in sdk.items():
                    self.values.setdefault(f"sign_sdk_{k}", []).append(v)
            except Exception as e:
                self.notes["sign_sdk"] = f"not measured: {e}"
            # sequential calls/s against nginx
            self.record_rust("seq", url, CLIENT_CPU)
            self.record("seq_c_tc", lambda: self.c(url, 1))
            self.record("seq_py_tc", lambda: self.py("py_tc", url))
            self.record("seq_py_ali", lambda: self.py("py_ali", url))
            self.record("seq_sdk_tc", lambda: self.py("sdk_tc", url, self.calls // 4))
            self.record("seq_sdk_ali", lambda: self.py("sdk_ali", url, self.calls // 4))
            # the same clients on the peer's core: each client's own cost (4x the calls: a call
            # takes a quarter of the time)
            if PEER_CPU is not None:
                here, more = PEER_CPU, 4 * self.calls
                self.record_rust("colo", url, here, more)
                self.record("colo_py_tc", lambda: self.py("py_tc", url, more, here))
                self.record("colo_py_ali", lambda: self.py("py_ali", url, more, here))
                self.record("colo_sdk_tc", lambda: self.py("sdk_tc", url, self.calls // 4, here))
                self.record("colo_sdk_ali", lambda: self.py("sdk_ali", url, self.calls // 4, here))
            self.record("seq_cli_tc", lambda: self.processes(self.cli_argv(url), env, 30))
            self.record("seq_cli_tc_https", lambda: self.processes(self.cli_argv(tls_url), env, 30))
            self.record("seq_tccli_https", lambda: self.processes(self.tccli_argv(tls_url), env, 3))
            # 8 threads
            self.record("thr8_py_tc", lambda: self.py("py_tc_8t", url, cpu=None))
            self.record("thr8_sdk_tc", lambda: self.py("sdk_tc_8t", url, self.calls // 4, None))
            self.record("thr8_c_tc", lambda: self.c(url, 8, None))
            # cold start
            for key, module in [("import_cloudhalt", "cloudhalt"),
                                ("import_sdk_tc", "tencentcloud.cvm.v20170312.cvm_client"),
                                ("import_sdk_ali", "alibabacloud_ecs20140526.client")]:
                self.record(key, lambda m=module: 1e3 * float(subprocess.run(
                    [self.venv_python, __file__, "import", m], check=True, capture_output=True,
                    text=True).stdout))
            self.record("cold_cli_ms", lambda: 1e3 / self.processes(self.cli_argv(tls_url), env, 1))
            self.record("cold_tccli_ms",
                        lambda: 1e3 / self.processes(self.tccli_argv(tls_url), env, 1))
        # peak RSS of a process making 100 calls (once: the kernel's count does not jitter much)
        rss_c = [("rss_c_tc", [self.c_loop, url, "100", "1"])] if self.c_loop else []
        for key, argv in rss_c + [("rss_rust_tc", [self.bins["hot_path"], "tc", url, "100"]),
                          ("rss_py_tc", [self.venv_python, __file__, "worker", "py_tc", "100", url]),
                          ("rss_sdk_tc", [self.venv_python, __file__, "worker", "sdk_tc", "100", url]),
                          ("rss_sdk_ali", [self.venv_python, __file__, "worker", "sdk_ali", "100", url]),
                          ("rss_cli_tc_one_call", self.cli_argv(tls_url)),
                          ("rss_tccli_one_call", self.tccli_argv(tls_url))]:
            self.record(key, lambda a=argv: self.rss_kib(a, env) / 1024)
        self.batch(rounds)
        self.sizes()
        self.stop()
        return self.table()

    def batch(self, rounds: int) -> None:
        """The 1,000-ID StopInstances against the emulator (signatures checked, the documented
        rate enforced), through the Python client at its default pacing. The batch worker
        resets the emulator first (the load rows leave it reset too)."""
        if self.emu_url is None:
            return
        url = self.emu_url
        try:
            for _ in range(rounds):
                self.record("batch_1000", lambda: float(subprocess.run(
                    [self.venv_python, __file__, "batch", url], check=True, capture_output=True,
                    text=True).stdout))
            # Ideal: requests / rate = 10 requests at 10 per second.
            self.values["batch_ideal"] = [1.0] * len(self.values.get("batch_1000", []))
        except Exception as e:
            self.notes["batch_1000"] = f"not measured: {e}"

    def sizes(self) -> None:
        wheels = list((HERE / ".wheel").glob("*.whl"))
        if wheels:
            self.values["size_wheel_mib"] = [wheels[0].stat().st_size / 2**20]
        else:
            self.notes["size_wheel_mib"] = "not measured: no wheel built (PERF_SKIP_WHEEL=1)"
        if self.cli.exists():
            stripped = self.tmp.parent / "cloudhalt-perf-stripped"
            shutil.copy(self.cli, stripped)
            subprocess.run(["strip", str(stripped)], check=False)
            self.values["size_cli_mib"] = [stripped.stat().st_size / 2**20]
            stripped.unlink()
        so = self.target / "release" / "libcloudhalt.so"
        if so.exists():
            stripped = self.tmp.parent / f"cloudhalt-perf-stripped-{os.getpid()}.so"
            shutil.copy(so, stripped)
            subprocess.run(["strip", str(stripped)], check=False)
            self.values["size_libcloudhalt_so"] = [stripped.stat().st_size / 2**20]
            stripped.unlink()
        else:
            self.notes["size_libcloudhalt_so"] = "not measured: no libcloudhalt.so built"
        site = next((HERE / ".venv" / "lib").glob("python*/site-packages"))
        for key, prefixes in [("size_sdk_tc_mib", ["tencentcloud_sdk_python_common", "tencentcloud_sdk_python_cvm"]),
                              ("size_sdk_ali_mib", ["alibabacloud_ecs20140526", "alibabacloud_tea_openapi"]),
                              ("size_tccli_mib", ["tccli", "tencentcloud_sdk_python-"])]:
            total = 0
            for dist in site.glob("*.dist-info"):
                if any(dist.name.startswith(p) for p in prefixes):
                    for line in (dist / "RECORD").read_text().splitlines():
                        f = site / line.split(",")[0]
                        if f.is_file():
                            total += f.stat().st_size
            self.values[key] = [total / 2**20]

    def table(self) -> dict:
        med = {k: statistics.median(v) for k, v in self.values.items() if v}

        def ratio(a: str, b: str):
            pa, pb = self.values.get(a, []), self.values.get(b, [])
            pairs = [x / y for x, y in zip(pa, pb) if y]
            return statistics.median(pairs) if pairs else None

        rows = [
            ("Signing (µs per signature; Rust: thread CPU time)", None, None, None),
            ("TC3 StopInstances, 1 ID: Rust", "sign_rust_tc3_stop_instances_1", "µs", None),
            ("TC3 StopInstances, 1 ID: official SDK (Python)", "sign_sdk_tc3_stop_instances_1", "µs",
             ("sign_sdk_tc3_stop_instances_1", "sign_rust_tc3_stop_instances_1", "SDK/Rust")),
            ("TC3 StopInstances, 1 ID: SDK's hashing + Sign.sign_tc3 only", "sign_sdk_tc3_sign_only_1",
             "µs", ("sign_sdk_tc3_sign_only_1", "sign_rust_tc3_stop_instances_1", "SDK/Rust")),
            ("TC3 StopInstances, 100 IDs: Rust", "sign_rust_tc3_stop_instances_100", "µs", None),
            ("TC3 StopInstances, 100 IDs: official SDK", "sign_sdk_tc3_stop_instances_100", "µs",
             ("sign_sdk_tc3_stop_instances_100", "sign_rust_tc3_stop_instances_100", "SDK/Rust")),
            ("ACS3 StopInvocation, 1 ID: Rust", "sign_rust_acs3_stop_invocation_1", "µs", None),
            ("ACS3 StopInvocation, 1 ID: official SDK", "sign_sdk_acs3_stop_invocation_1", "µs",
             ("sign_sdk_acs3_stop_invocation_1", "sign_rust_acs3_stop_invocation_1", "SDK/Rust")),
            ("ACS3 StopInvocation, 50 IDs: Rust", "sign_rust_acs3_stop_invocation_50", "µs", None),
            ("ACS3 StopInvocation, 50 IDs: official SDK", "sign_sdk_acs3_stop_invocation_50", "µs",
             ("sign_sdk_acs3_stop_invocation_50", "sign_rust_acs3_stop_invocation_50", "SDK/Rust")),
            ("Sequential calls/s, keep-alive, canned nginx peer on one core, client on the other",
             None, None, None),
            ("wire floor (one write of a pre-built request)", "seq_wire", "calls/s", None),
            ("bare ureq loop (same bytes, no signing)", "seq_ureq", "calls/s",
             ("seq_ureq", "seq_wire", "of wire")),
            ("cloudhalt Rust, StopInstances", "seq_rust_tc", "calls/s",
             ("seq_rust_tc", "seq_ureq", "of ureq")),
            ("cloudhalt Rust, StopInstances vs wire", "seq_rust_tc", "calls/s",
             ("seq_rust_tc", "seq_wire", "of wire")),
            ("cloudhalt Rust, StopInvocation (ureq loop: StopInstances bytes)", "seq_rust_ali", "calls/s",
             ("seq_rust_ali", "seq_ureq", "of ureq")),
            ("cloudhalt C, StopInstances", "seq_c_tc", "calls/s",
             ("seq_c_tc", "seq_rust_tc", "of Rust")),
            ("cloudhalt Python, StopInstances", "seq_py_tc", "calls/s",
             ("seq_py_tc", "seq_rust_tc", "of Rust")),
            ("cloudhalt Python, StopInvocation", "seq_py_ali", "calls/s",
             ("seq_py_ali", "seq_rust_ali", "of Rust")),
            ("official tencentcloud-sdk-python, StopInstances", "seq_sdk_tc", "calls/s",
             ("seq_py_tc", "seq_sdk_tc", "cloudhalt Python ×")),
            ("official alibabacloud-ecs20140526, StopInvocation", "seq_sdk_ali", "calls/s",
             ("seq_py_ali", "seq_sdk_ali", "cloudhalt Python ×")),
            ("Sequential calls/s, the client on the peer's core (each client's own cost, no "
             "cross-core wake-up)", None, None, None),
            ("same core: wire floor", "colo_wire", "calls/s", None),
            ("same core: bare ureq loop", "colo_ureq", "calls/s", ("colo_ureq", "colo_wire", "of wire")),
            ("same core: cloudhalt Rust, StopInstances", "colo_rust_tc", "calls/s",
             ("colo_rust_tc", "colo_ureq", "of ureq")),
            ("same core: cloudhalt Rust, StopInstances vs wire", "colo_rust_tc", "calls/s",
             ("colo_rust_tc", "colo_wire", "of wire")),
            ("same core: cloudhalt Rust, StopInvocation", "colo_rust_ali", "calls/s",
             ("colo_rust_ali", "colo_ureq", "of ureq")),
            ("same core: cloudhalt Python, StopInstances", "colo_py_tc", "calls/s",
             ("colo_py_tc", "colo_rust_tc", "of Rust")),
            ("same core: cloudhalt Python, StopInvocation", "colo_py_ali", "calls/s",
             ("colo_py_ali", "colo_rust_ali", "of Rust")),
            ("same core: official tencentcloud-sdk-python, StopInstances", "colo_sdk_tc", "calls/s",
             ("colo_py_tc", "colo_sdk_tc", "cloudhalt Python ×")),
            ("same core: official alibabacloud-ecs20140526, StopInvocation", "colo_sdk_ali", "calls/s",
             ("colo_py_ali", "colo_sdk_ali", "cloudhalt Python ×")),
            ("One process per call", None, None, None),
            ("cloudhalt CLI, one process per call, http", "seq_cli_tc", "calls/s", None),
            ("cloudhalt CLI, one process per call, https", "seq_cli_tc_https", "calls/s", None),
            ("tccli, one process per call, https", "seq_tccli_https", "calls/s",
             ("seq_cli_tc_https", "seq_tccli_https", "CLI ×")),
            ("8 threads (2 cores, not pinned; ratios against the one-thread rows above)",
             None, None, None),
            ("cloudhalt Python, 8 threads, one shared client", "thr8_py_tc", "calls/s",
             ("thr8_py_tc", "seq_py_tc", "× 1 thread")),
            ("official Tencent SDK, 8 threads, a client each", "thr8_sdk_tc", "calls/s",
             ("thr8_sdk_tc", "seq_sdk_tc", "× 1 thread")),
            ("cloudhalt C, 8 threads, one shared client", "thr8_c_tc", "calls/s",
             ("thr8_c_tc", "seq_c_tc", "× 1 thread")),
            ("Cold start", None, None, None),
            ("import cloudhalt", "import_cloudhalt", "ms", None),
            ("import tencentcloud.cvm.v20170312.cvm_client", "import_sdk_tc", "ms",
             ("import_sdk_tc", "import_cloudhalt", "× cloudhalt")),
            ("import alibabacloud_ecs20140526.client", "import_sdk_ali", "ms",
             ("import_sdk_ali", "import_cloudhalt", "× cloudhalt")),
            ("one cloudhalt CLI call (https), whole process", "cold_cli_ms", "ms", None),
            ("one tccli call (https), whole process", "cold_tccli_ms", "ms",
             ("cold_tccli_ms", "cold_cli_ms", "× CLI")),
            ("Peak RSS (MiB)", None, None, None),
            ("cloudhalt Rust, 100 calls", "rss_rust_tc", "MiB", None),
            ("cloudhalt C, 100 calls", "rss_c_tc", "MiB", None),
            ("cloudhalt Python, 100 calls", "rss_py_tc", "MiB", None),
            ("official Tencent SDK, 100 calls", "rss_sdk_tc", "MiB", None),
            ("official Alibaba SDK, 100 calls", "rss_sdk_ali", "MiB", None),
            ("cloudhalt CLI, one call (https)", "rss_cli_tc_one_call", "MiB", None),
            ("tccli, one call (https)", "rss_tccli_one_call", "MiB", None),
            ("Installed size (MiB)", None, None, None),
            ("cloudhalt wheel", "size_wheel_mib", "MiB", None),
            ("cloudhalt binary, stripped", "size_cli_mib", "MiB", None),
            ("libcloudhalt.so, stripped", "size_libcloudhalt_so", "MiB", None),
            ("tencentcloud-sdk-python-common + -cvm, installed", "size_sdk_tc_mib", "MiB", None),
            ("alibabacloud-ecs20140526 + tea-openapi, installed", "size_sdk_ali_mib", "MiB", None),
            ("tccli + tencentcloud-sdk-python, installed", "size_tccli_mib", "MiB", None),
            (f"Emulator, signature checks on (load: cloudhalt Rust, {EMU_THREADS} threads with a client and "
             "a keep-alive connection each; every request freshly signed, each stopping another "
             "seeded instance; rate limit off)", None, None, None),
            ("verified StopInstances/s (TC3)", "emu_tc", "req/s",
             ("emu_tc", "emu_tc_target", "× the 5,000/s target")),
            ("emulator CPU per StopInstances", "emu_tc_emulator_cpu_us", "µs", None),
            ("load generator CPU per StopInstances", "emu_tc_client_cpu_us", "µs", None),
            ("verified StopInvocation/s (ACS3, a new nonce each)", "emu_ali", "req/s",
             ("emu_ali", "emu_ali_target", "× the 5,000/s target")),
            ("emulator CPU per StopInvocation", "emu_ali_emulator_cpu_us", "µs", None),
            ("load generator CPU per StopInvocation", "emu_ali_client_cpu_us", "µs", None),
            ("Batch", None, None, None),
            ("1,000-ID StopInstances at 10 requests/s (emulator), wall time", "batch_1000", "s",
             ("batch_1000", "batch_ideal", "of the ideal 1.0 s")),
        ]

        if self.only == "emulator":
            rows = [r for r in rows if r[0].startswith("Emulator") or
                    (r[1] or "").startswith("emu_")]
        lines, data = [], []
        for label, key, unit, rat in rows:
            if key is None:
                lines.append(f"\n{label}")
                continue
            if key in med:
                v = med[key]
                value = f"{v:,.0f}" if v >= 100 else f"{v:,.2f}"
                r = ratio(rat[0], rat[1]) if rat else None
                rtxt = f"{r:.2f} {rat[2]}" if r is not None else ""
                lines.append(f"  {label:<64} {value:>12} {unit:<8} {rtxt}".rstrip())
                data.append({"row": label, "key": key, "median": v, "unit": unit,
                             "runs": self.values[key], "ratio": r,
                             "ratio_of": list(rat) if rat else None})
            else:
                note = self.notes.get(key, "not measured")
                lines.append(f"  {label:<64} {note}")
                data.append({"row": label, "key": key, "median": None, "note": note})
        return {"lines": lines, "rows": data, "machine": machine(), "rounds": self.rounds,
                "calls": self.calls}


def machine() -> dict:
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = pathlib.Path("/proc/cpuinfo").read_text()
    return {"cpu": cpu, "cores": os.cpu_count(), "sha_ni": " sha_ni" in flags,
            "kernel": platform.release(), "python": platform.python_version(),
            "load_average_at_end": os.getloadavg(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def svg(result: dict) -> str:
    """A horizontal bar chart of the ratios on a log scale from 0.1 to 1000 (a dashed line at 1):
    blue where the ratio is at least 1, red below."""
    import math

    bars = [(r["row"], r["ratio"], r["ratio_of"][2]) for r in result["rows"]
            if r.get("ratio") is not None]
    width, left, bar_h, gap = 980, 440, 16, 6
    height = 70 + len(bars) * (bar_h + gap)
    scale = (width - left - 140) / 4  # one decade in pixels: 0.1 .. 1000
    x_of = lambda v: left + (math.log10(min(max(v, 0.1), 1000)) + 1) * scale  # noqa: E731
    m = result["machine"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">cloudhalt benchmark: ratios '
           f'(log scale), {m["date_utc"]}, {m["cpu"]}, {m["cores"]} cores</text>']
    for v in (0.1, 1, 10, 100, 1000):
        x = x_of(v)
        dash = ' stroke-dasharray="4,3"' if v == 1 else ""
        out.append(f'<line x1="{x:.1f}" y1="32" x2="{x:.1f}" y2="{height - 22}" stroke="#999"{dash}/>')
        out.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#555">{v:g}</text>')
    for i, (label, value, what) in enumerate(bars):
        y = 40 + i * (bar_h + gap)
        x = x_of(value)
        color = "#2b7bb9" if value >= 1 else "#c0504d"
        text = label.replace("&", "&amp;")
        out.append(f'<text x="{left - 8}" y="{y + 12}" text-anchor="end">{text}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{x - left:.1f}" height="{bar_h}" fill="{color}"/>')
        out.append(f'<text x="{x + 6:.1f}" y="{y + 12}">{value:.2f} {what}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "sign":
        sign_worker(int(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "batch":
        batch_worker(sys.argv[2])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "import":
        import_worker(sys.argv[2])
        return
    only = None
    if "--only" in sys.argv:
        at = sys.argv.index("--only") + 1
        only = sys.argv[at] if at < len(sys.argv) else ""
        if only != "emulator":
            raise SystemExit("bench.py: --only takes `emulator` (the emulator rows alone)")
    bench = Bench(quick="--quick" in sys.argv, only=only)
    load_before = os.getloadavg()
    try:
        result = bench.run()
    finally:
        bench.stop()
    m = result["machine"]
    m["load_average_at_start"] = load_before
    header = (f"cloudhalt benchmark, {m['date_utc']}: {m['cpu']}, {m['cores']} cores, SHA-NI "
              f"{'yes' if m['sha_ni'] else 'no'}, Linux {m['kernel']}, Python {m['python']}; "
              f"load average {load_before[0]:.1f} at start, {m['load_average_at_end'][0]:.1f} at "
              f"end; medians of {result['rounds']} alternating rounds, {result['calls']} calls "
              f"per sequential row; ratios are medians of per-round ratios")
    text = header + "\n" + "\n".join(result["lines"]) + "\n"
    print(text)
    if only:
        # A partial table does not replace the latest full one.
        return
    OUT.mkdir(exist_ok=True)
    (OUT / "results.txt").write_text(text)
    (OUT / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    (OUT / "ratios.svg").write_text(svg(result))


if __name__ == "__main__":
    main()

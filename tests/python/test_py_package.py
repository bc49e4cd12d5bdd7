"""The package itself: version, exports, docstrings, the abi3 build, and stubs that match the
compiled module (mypy.stubtest) and type-check a script using every public name (mypy --strict)."""
from __future__ import annotations

import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest

from pyhelp import cloudhalt

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent


def test_version_is_cargo_version():
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    version = re.search(r'\[workspace\.package\][^\[]*?\nversion = "([^"]+)"', text).group(1)
    assert cloudhalt.__version__ == version


def test_all_is_complete_and_importable():
    contract = {"Tencent", "Alibaba", "Error", "InvalidInput", "CredentialsError", "TransportError",
                "TimeoutError", "ApiError", "AuthError", "ThrottledError", "NotFoundError",
                "StateConflictError", "InvalidParameterError", "QuotaError", "ServerError",
                "Retry", "IdOutcome", "AuditError", "Response"}
    assert contract <= set(cloudhalt.__all__)
    for name in cloudhalt.__all__:
        assert hasattr(cloudhalt, name), name
    public = {n for n in dir(cloudhalt) if not n.startswith("_")} - {"__version__"}
    assert public <= set(cloudhalt.__all__) | {"annotations"}, public - set(cloudhalt.__all__)


def test_signing_helpers_are_private():
    # Test-only signing stages are no API: not in the package namespace, not under a public name
    # of the native module, reachable only through the private cloudhalt._testing.
    for name in ("sign_tc3", "sign_acs3"):
        assert not hasattr(cloudhalt, name), name
        assert not hasattr(cloudhalt._cloudhalt, name), name
    import cloudhalt._testing as testing
    assert callable(testing.sign_tc3) and callable(testing.sign_acs3)
    assert "_testing" not in cloudhalt.__all__


def test_every_public_name_has_a_docstring():
    for name in cloudhalt.__all__:
        obj = getattr(cloudhalt, name)
        if isinstance(obj, str):
            continue
        assert inspect.getdoc(obj), name
        for attr, member in vars(obj).items():
            if attr.startswith("_") or not callable(getattr(member, "__get__", None)):
                continue
            assert inspect.getdoc(getattr(obj, attr)), f"{name}.{attr}"


def test_extension_is_abi3():
    so = pathlib.Path(cloudhalt._cloudhalt.__file__).name
    if so.endswith(".so"):
        assert ".abi3." in so, f"{so} is not an abi3 build: one wheel must serve every CPython 3.9+"


def test_contract_signatures():
    sig = lambda f: str(inspect.signature(f))  # noqa: E731
    fleet = "retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None"
    assert sig(cloudhalt.Tencent) == (
        f"(secret_id, secret_key, token=None, *, endpoint=None, timeout=None, language=None, {fleet})")
    assert sig(cloudhalt.Alibaba) == (
        f"(access_key_id, access_key_secret, security_token=None, *, endpoint=None, timeout=None, {fleet})")
    chain = f"{fleet}, metadata_endpoint=None, sts_endpoint=None"
    assert sig(cloudhalt.Tencent.from_env) == f"(*, endpoint=None, timeout=None, language=None, {chain})"
    assert sig(cloudhalt.Alibaba.from_env) == f"(*, endpoint=None, timeout=None, {chain})"
    assert sig(cloudhalt.Tencent.from_profile) == (
        f"(profile, *, endpoint=None, timeout=None, language=None, {chain})")
    assert sig(cloudhalt.Alibaba.from_profile) == f"(profile, *, endpoint=None, timeout=None, {chain})"
    assert sig(cloudhalt.Retry) == "(max_attempts=3, base_delay=0.2, max_delay=5.0)"
    T, A = cloudhalt.Tencent, cloudhalt.Alibaba
    wait = "wait=False, wait_timeout=300.0, wait_min_delay=None, wait_max_delay=None"
    standalone = "timeout=300.0, min_delay=None, max_delay=None"
    assert sig(T.stop_instances) == (
        f"(self, /, region, instance_ids, *, force_stop=False, stop_type=None, stopped_mode=None, {wait})")
    assert sig(T.terminate_instances) == (
        "(self, /, region, instance_ids, *, release_prepaid_data_disks=False, release_address=False, "
        f"{wait})")
    assert sig(T.cancel_invocation) == f"(self, /, region, invocation_id, instance_ids=None, *, {wait})"
    assert sig(T.cancel_instance_refresh) == (
        f"(self, /, auto_scaling_group_id, refresh_activity_id, *, region=None, pause_first=False, {wait})")
    assert sig(T.call) == f"(self, /, action, params, *, region=None, {wait})"
    assert sig(A.stop_invocation) == f"(self, /, region_id, invoke_id, instance_ids=None, *, {wait})"
    assert sig(A.call) == f"(self, /, action, params, *, {wait})"
    assert sig(T.resume) == sig(A.resume) == f"(self, /, audit_file, *, {wait})"
    # The standalone waits (the confirm issue).
    assert sig(T.wait_instances) == f"(self, /, region, instance_ids, state='STOPPED', *, {standalone})"
    assert sig(T.wait_invocation) == f"(self, /, region, invocation_id, instance_ids=None, *, {standalone})"
    assert sig(T.wait_instance_refresh) == (
        f"(self, /, auto_scaling_group_id, refresh_activity_id, *, region=None, {standalone})")
    assert sig(T.wait) == f"(self, /, action, params, *, region=None, {standalone})"
    assert sig(A.wait_invocation) == f"(self, /, region_id, invoke_id, instance_ids=None, *, {standalone})"
    assert sig(A.wait) == f"(self, /, action, params, *, {standalone})"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MYPY_CACHE_DIR=str(ROOT / ".mypy_cache"))
    return subprocess.run([sys.executable, "-m", *args], cwd=HERE, env=env, capture_output=True, text=True)


def test_stubs_match_the_module():
    pytest.importorskip("mypy")
    r = _run("mypy.stubtest", "cloudhalt", "--allowlist", str(HERE / "stubtest-allowlist.txt"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_usage_script_passes_mypy_strict():
    pytest.importorskip("mypy")
    r = _run("mypy", "--strict", str(HERE / "typecheck_usage.py"))
    assert r.returncode == 0, r.stdout + r.stderr

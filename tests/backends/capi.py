"""The C backend of the conformance suite: ctypes over libcloudhalt.so.

`load()` opens the library named by the environment variable CLOUDHALT_LIB, else
target/debug/libcloudhalt.so or target/release/libcloudhalt.so, and raises ImportError saying why
when it cannot. Failures are read from the thread-local `cloudhalt_last_error_*` accessors right
after the failing call, on the same thread, as a C program would.

Only what C itself cannot express is decided here: a Python value that has no C form (a number
where C takes a string, a list of non-strings, a string with an embedded NUL) becomes
Failure(kind="invalid_input") without calling the library, just as the Python binding raises
TypeError for it. Everything C *can* express is passed through unchanged, including None (NULL),
lone surrogates (invalid UTF-8) and lists of any length, so the library's own checks are what is
tested. Outcome and Failure carry the per-ID record read through the cloudhalt_response_outcome*
and cloudhalt_last_error_outcome* accessors, and the states of a wait through the
cloudhalt_response_state* and cloudhalt_last_error_state* accessors.

Waits: C sets them on the client (cloudhalt_*_set_wait, cloudhalt_tencent_set_pause_first), where
the protocol passes `wait=` / `pause_first=` per call. A call with either sets them, calls, and
sets them back, holding the client's gate exclusively, so that a call on another thread never
runs with a wait it did not ask for; calls without either share the gate.
"""
from __future__ import annotations

import ctypes
import json
import os
import pathlib
import threading
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

from backends.base import OUTCOMES, Failure, IdResult, Outcome, Retry, Wait

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent

c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p


class _NoCForm(Exception):
    """A Python value with no C representation: reported as an input failure by the backend."""


def _library_path() -> pathlib.Path:
    env = os.environ.get("CLOUDHALT_LIB")
    if env:
        return pathlib.Path(env)
    for profile in ("debug", "release"):
        p = ROOT / "target" / profile / "libcloudhalt.so"
        if p.exists():
            return p
    return ROOT / "target" / "debug" / "libcloudhalt.so"


def _declare(lib: ctypes.CDLL) -> None:
    P = c_void_p
    PP = ctypes.POINTER(c_void_p)
    S = c_char_p
    SS = ctypes.POINTER(c_char_p)
    I = ctypes.c_int
    Z = ctypes.c_size_t
    U32 = ctypes.c_uint32
    sigs = {
        "cloudhalt_tencent_set_retry": (I, [P, U32, U32, U32]),
        "cloudhalt_tencent_set_rate_limit": (I, [P, ctypes.c_bool]),
        "cloudhalt_tencent_set_rate_limit_per_second": (I, [P, ctypes.c_double]),
        "cloudhalt_tencent_set_concurrency": (I, [P, U32]),
        "cloudhalt_tencent_set_audit_log": (I, [P, S]),
        "cloudhalt_tencent_resume": (I, [P, S, PP]),
        "cloudhalt_tencent_call_json_response": (I, [P, S, S, S, PP]),
        "cloudhalt_alibaba_set_retry": (I, [P, U32, U32, U32]),
        "cloudhalt_alibaba_set_rate_limit": (I, [P, ctypes.c_bool]),
        "cloudhalt_alibaba_set_rate_limit_per_second": (I, [P, ctypes.c_double]),
        "cloudhalt_alibaba_set_concurrency": (I, [P, U32]),
        "cloudhalt_alibaba_set_audit_log": (I, [P, S]),
        "cloudhalt_alibaba_resume": (I, [P, S, PP]),
        "cloudhalt_alibaba_call_json_response": (I, [P, S, S, PP]),
        "cloudhalt_outcome_name": (S, [I]),
        "cloudhalt_response_outcome_count": (Z, [P]),
        "cloudhalt_response_outcome_id": (S, [P, Z]),
        "cloudhalt_response_outcome": (I, [P, Z]),
        "cloudhalt_response_outcome_code": (S, [P, Z]),
        "cloudhalt_response_outcome_request_id": (S, [P, Z]),
        "cloudhalt_response_request_id_count": (Z, [P]),
        "cloudhalt_response_request_id_at": (S, [P, Z]),
        "cloudhalt_response_attempts": (U32, [P]),
        "cloudhalt_last_error_outcome_count": (Z, []),
        "cloudhalt_last_error_outcome_id": (S, [Z]),
        "cloudhalt_last_error_outcome": (I, [Z]),
        "cloudhalt_last_error_outcome_code": (S, [Z]),
        "cloudhalt_last_error_outcome_request_id": (S, [Z]),
        "cloudhalt_last_error_request_id_count": (Z, []),
        "cloudhalt_last_error_request_id_at": (S, [Z]),
        "cloudhalt_last_error_attempts": (U32, []),
        "cloudhalt_tencent_set_wait": (I, [P, U32, U32, U32]),
        "cloudhalt_alibaba_set_wait": (I, [P, U32, U32, U32]),
        "cloudhalt_tencent_set_pause_first": (I, [P, ctypes.c_bool]),
        "cloudhalt_tencent_wait_instances": (I, [P, S, SS, Z, S, PP]),
        "cloudhalt_tencent_wait_json": (I, [P, S, S, S, PP]),
        "cloudhalt_alibaba_wait_json": (I, [P, S, S, PP]),
        "cloudhalt_response_state_count": (Z, [P]),
        "cloudhalt_response_state_id": (S, [P, Z]),
        "cloudhalt_response_state": (S, [P, Z]),
        "cloudhalt_response_state_result": (S, [P, Z]),
        "cloudhalt_response_state_then": (S, [P, Z]),
        "cloudhalt_last_error_state_count": (Z, []),
        "cloudhalt_last_error_state_id": (S, [Z]),
        "cloudhalt_last_error_state": (S, [Z]),
        "cloudhalt_last_error_state_result": (S, [Z]),
        "cloudhalt_last_error_state_then": (S, [Z]),
        "cloudhalt_tencent_from_profile": (I, [S, PP]),
        "cloudhalt_alibaba_from_profile": (I, [S, PP]),
        "cloudhalt_tencent_credential_source": (S, [P]),
        "cloudhalt_alibaba_credential_source": (S, [P]),
        "cloudhalt_tencent_set_proxy": (I, [P, S]),
        "cloudhalt_alibaba_set_proxy": (I, [P, S]),
        "cloudhalt_tencent_set_ca_bundle": (I, [P, S]),
        "cloudhalt_alibaba_set_ca_bundle": (I, [P, S]),
        "cloudhalt_tencent_new": (I, [S, S, S, PP]),
        "cloudhalt_tencent_from_env": (I, [PP]),
        "cloudhalt_tencent_set_endpoint": (I, [P, S]),
        "cloudhalt_tencent_set_timeout_ms": (I, [P, ctypes.c_uint32]),
        "cloudhalt_tencent_free": (None, [P]),
        "cloudhalt_alibaba_new": (I, [S, S, S, PP]),
        "cloudhalt_alibaba_from_env": (I, [PP]),
        "cloudhalt_alibaba_set_endpoint": (I, [P, S]),
        "cloudhalt_alibaba_set_timeout_ms": (I, [P, ctypes.c_uint32]),
        "cloudhalt_alibaba_free": (None, [P]),
        "cloudhalt_tencent_stop_instances": (I, [P, S, SS, ctypes.c_size_t, ctypes.c_bool, S, S, PP]),
        "cloudhalt_tencent_terminate_instances": (I, [P, S, SS, ctypes.c_size_t, ctypes.c_bool, PP]),
        "cloudhalt_tencent_terminate_instances_ex":
            (I, [P, S, SS, ctypes.c_size_t, ctypes.c_bool, ctypes.c_bool, PP]),
        "cloudhalt_tencent_cancel_invocation": (I, [P, S, S, SS, ctypes.c_size_t, PP]),
        "cloudhalt_tencent_cancel_invocation_instances": (I, [P, S, S, SS, ctypes.c_size_t, PP]),
        "cloudhalt_tencent_cancel_invocation_all_instances": (I, [P, S, S, PP]),
        "cloudhalt_tencent_cancel_instance_refresh": (I, [P, S, S, S, PP]),
        "cloudhalt_alibaba_stop_invocation": (I, [P, S, S, SS, ctypes.c_size_t, PP]),
        "cloudhalt_alibaba_stop_invocation_instances": (I, [P, S, S, SS, ctypes.c_size_t, PP]),
        "cloudhalt_alibaba_stop_invocation_all_instances": (I, [P, S, S, PP]),
        "cloudhalt_tencent_call_json": (I, [P, S, S, S, PP]),
        "cloudhalt_alibaba_call_json": (I, [P, S, S, PP]),
        "cloudhalt_string_free": (None, [P]),
        "cloudhalt_response_request_id": (S, [P]),
        "cloudhalt_response_json": (S, [P]),
        "cloudhalt_response_free": (None, [P]),
        "cloudhalt_last_error_message": (S, []),
        "cloudhalt_last_error_code": (S, []),
        "cloudhalt_last_error_request_id": (S, []),
        "cloudhalt_last_error_http_status": (I, []),
        "cloudhalt_last_error_kind": (S, []),
        "cloudhalt_last_error_send_state": (S, []),
        "cloudhalt_last_error_status": (I, []),
        "cloudhalt_last_error_send_state": (S, []),
        "cloudhalt_last_error_field": (S, []),
        "cloudhalt_status_name": (S, [I]),
        "cloudhalt_version": (S, []),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def _text(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else b.decode("utf-8", errors="replace")


def _cstr(value: Any) -> Optional[bytes]:
    """None -> NULL; str -> UTF-8 bytes (lone surrogates kept as the invalid bytes C would see)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _NoCForm(f"expected a string or None, got {type(value).__name__} {value!r}")
    if "\0" in value:
        raise _NoCForm(f"{value!r} contains a NUL character, which a C string cannot hold")
    return value.encode("utf-8", errors="surrogateescape" if _has_escapes(value) else "surrogatepass")


def _has_escapes(value: str) -> bool:
    return any(0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def _clist(values: Any) -> Tuple[Any, int, List[Optional[bytes]]]:
    """None or an empty list -> (NULL, 0), as C writes them; a list or tuple -> (char *array, n,
    keep-alive). The library refuses (NULL, 0) wherever IDs are required, so no dummy array is
    needed to keep an empty list from meaning "every instance"."""
    if values is None:
        return None, 0, []
    if not isinstance(values, (list, tuple)):
        raise _NoCForm(f"expected a list of strings, got {type(values).__name__} {values!r}")
    items = [_cstr(v) for v in values]
    if not items:
        return None, 0, []
    arr = (c_char_p * len(items))(*items)
    return arr, len(items), items


def _u32(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _NoCForm(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    if not 0 <= value <= 0xFFFFFFFF:
        raise _NoCForm(f"{name} {value} does not fit in a uint32_t")
    return value


def _ms(seconds: Any, name: str) -> int:
    """Seconds (as the protocol gives delays) -> the C setter's uint32_t milliseconds."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise _NoCForm(f"{name}: expected a number of seconds, got {type(seconds).__name__} {seconds!r}")
    if not 0 <= seconds <= 0xFFFFFFFF / 1000:  # NaN fails this too
        raise _NoCForm(f"{name} {seconds} s has no uint32_t milliseconds form: give 0 or more seconds")
    return int(round(seconds * 1000))


def _record(count: Callable[[], int], id_at: Callable[[int], Optional[bytes]],
            outcome_at: Callable[[int], int], code_at: Callable[[int], Optional[bytes]],
            request_id_at: Callable[[int], Optional[bytes]]) -> Tuple[IdResult, ...]:
    """The per-ID record through a response's or the last error's accessors."""
    results = []
    for i in range(count()):
        value = outcome_at(i)
        if not 0 <= value < len(OUTCOMES):
            raise AssertionError(f"outcome {i} has value {value}, not a cloudhalt_outcome")
        results.append(IdResult(id=_text(id_at(i)) or "", outcome=OUTCOMES[value],
                                code=_text(code_at(i)), request_id=_text(request_id_at(i))))
    return tuple(results)


def _states(count: Callable[[], int], id_at: Callable[[int], Optional[bytes]],
            state_at: Callable[[int], Optional[bytes]],
            result_at: Callable[[int], Optional[bytes]]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """The states of a wait (ID -> provider state, ID -> what it means) through a response's or
    the last error's accessors."""
    states: Dict[str, str] = {}
    results: Dict[str, str] = {}
    for i in range(count()):
        key = _text(id_at(i)) or ""
        states[key] = _text(state_at(i)) or ""
        results[key] = _text(result_at(i)) or ""
    return states, results


def _wait_ms(wait: Wait) -> Tuple[int, int, int]:
    """A Wait -> the (timeout_ms, min_delay_ms, max_delay_ms) of cloudhalt_*_set_wait.

    C spells "the default delay" 0 and "no wait" (0, 0, 0), so a delay of exactly 0 has no C
    form (refused here, naming the field, as the core refuses it), and a 0 s timeout with default
    delays is passed with the documented default minimum (1000 ms), which a poll-once wait never
    sleeps anyway. A positive delay below 1 ms is passed as 1 ms rather than as "the default"."""
    if not isinstance(wait, Wait):
        raise _NoCForm(f"wait: expected a Wait or None, got {type(wait).__name__} {wait!r}")
    timeout = _ms(wait.timeout, "wait_timeout")

    def delay(value: Any, name: str) -> int:
        if value is None:
            return 0
        ms = _ms(value, name)
        if value == 0:
            raise _NoCForm(f"{name} 0 s: give a delay above 0 (C spells the default 0)")
        return max(ms, 1)

    low = delay(wait.min_delay, "wait_min_delay")
    high = delay(wait.max_delay, "wait_max_delay")
    if (timeout, low, high) == (0, 0, 0):
        low = 1000
    return timeout, low, high


class _Gate:
    """A readers-writer gate: calls without a wait share it, a call that changes the client's
    wait settings for its own duration holds it alone."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._shared = 0
        self._exclusive = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._shared += 1
        try:
            yield
        finally:
            with self._cond:
                self._shared -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive or self._shared:
                self._cond.wait()
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


def _cbool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _NoCForm(f"expected a bool, got {type(value).__name__} {value!r}")
    return value


class CBackend:
    """libcloudhalt through ctypes."""

    name = "c"

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib

    # -- shared plumbing --

    def failure(self, status: int) -> Failure:
        lib = self.lib
        kind = _text(lib.cloudhalt_last_error_kind())
        if kind is None or lib.cloudhalt_last_error_status() != status:
            raise AssertionError(f"status {status} without a matching last error (kind {kind!r})")
        http = lib.cloudhalt_last_error_http_status()
        results = _record(lib.cloudhalt_last_error_outcome_count, lib.cloudhalt_last_error_outcome_id,
                          lib.cloudhalt_last_error_outcome, lib.cloudhalt_last_error_outcome_code,
                          lib.cloudhalt_last_error_outcome_request_id)
        request_ids = tuple(_text(lib.cloudhalt_last_error_request_id_at(i)) or ""
                            for i in range(lib.cloudhalt_last_error_request_id_count()))
        states, wait_results = _states(lib.cloudhalt_last_error_state_count,
                                       lib.cloudhalt_last_error_state_id,
                                       lib.cloudhalt_last_error_state,
                                       lib.cloudhalt_last_error_state_result)
        return Failure(kind=kind, message=_text(lib.cloudhalt_last_error_message()) or "",
                       code=_text(lib.cloudhalt_last_error_code()),
                       request_id=_text(lib.cloudhalt_last_error_request_id()),
                       http_status=http if http else None,
                       send_state=_text(lib.cloudhalt_last_error_send_state()),
                       results=results, request_ids=request_ids,
                       attempts=lib.cloudhalt_last_error_attempts(),
                       states=states, wait_results=wait_results)

    def call_response(self, fn: Callable[[Any], int]) -> Union[Outcome, Failure]:
        """Calls an operation with a `cloudhalt_response **out` and normalises its result."""
        out = c_void_p()
        try:
            status = fn(ctypes.byref(out))
        except _NoCForm as e:
            return Failure(kind="invalid_input", message=str(e))
        if status != 0:
            if out.value is not None:
                raise AssertionError("an output was written on failure")
            return self.failure(status)
        lib = self.lib
        try:
            request_id = _text(lib.cloudhalt_response_request_id(out))
            data = json.loads(_text(lib.cloudhalt_response_json(out)) or "null")
            results = _record(lambda: lib.cloudhalt_response_outcome_count(out),
                              lambda i: lib.cloudhalt_response_outcome_id(out, i),
                              lambda i: lib.cloudhalt_response_outcome(out, i),
                              lambda i: lib.cloudhalt_response_outcome_code(out, i),
                              lambda i: lib.cloudhalt_response_outcome_request_id(out, i))
            request_ids = tuple(_text(lib.cloudhalt_response_request_id_at(out, i)) or ""
                                for i in range(lib.cloudhalt_response_request_id_count(out)))
            attempts = lib.cloudhalt_response_attempts(out)
            states, wait_results = _states(lambda: lib.cloudhalt_response_state_count(out),
                                           lambda i: lib.cloudhalt_response_state_id(out, i),
                                           lambda i: lib.cloudhalt_response_state(out, i),
                                           lambda i: lib.cloudhalt_response_state_result(out, i))
        finally:
            lib.cloudhalt_response_free(out)
        return Outcome(request_id=request_id or "", data=data, results=results,
                       request_ids=request_ids, attempts=attempts, states=states,
                       wait_results=wait_results)

    def with_waits(self, prefix: str, handle: int, gate: _Gate, wait: Optional[Wait],
                   pause_first: Any, call: Callable[[], Union[Outcome, Failure]]) -> Union[Outcome, Failure]:
        """Runs `call` with the client's wait (and, for Tencent, pause-first) settings as the
        protocol asks for this one call, then sets them back to the defaults (no wait, no pause)."""
        lib = self.lib
        try:
            ms = None if wait is None else _wait_ms(wait)
            pause = _cbool(pause_first)
        except _NoCForm as e:
            return Failure(kind="invalid_input", message=str(e))
        if ms is None and not pause:
            with gate.shared():
                return call()
        set_wait = getattr(lib, f"cloudhalt_{prefix}_set_wait")
        with gate.exclusive():
            try:
                if ms is not None:
                    status = set_wait(handle, *ms)
                    if status != 0:
                        return self.failure(status)
                if pause:
                    status = lib.cloudhalt_tencent_set_pause_first(handle, True)
                    if status != 0:
                        return self.failure(status)
                return call()
            finally:
                set_wait(handle, 0, 0, 0)
                if prefix == "tencent":
                    lib.cloudhalt_tencent_set_pause_first(handle, False)

    def _construct(self, new: Callable[[Any], int], configure: Callable[[int], Optional[Failure]],
                   wrap: Callable[[int], Any], free: Callable[[int], None]) -> Any:
        out = c_void_p()
        try:
            status = new(ctypes.byref(out))
        except _NoCForm as e:
            return Failure(kind="invalid_input", message=str(e))
        if status != 0:
            return self.failure(status)
        handle = out.value
        try:
            problem = configure(handle)
        except _NoCForm as e:
            problem = Failure(kind="invalid_input", message=str(e))
        if problem is not None:
            free(handle)
            return problem
        return wrap(handle)

    def _configure(self, prefix: str, endpoint: Optional[str], timeout: Optional[float],
                   retry: Optional[Retry] = None, rate_limit: Any = None,
                   concurrency: Any = None, audit: Any = None, proxy: Any = None,
                   ca_bundle: Any = None):
        def setter(name: str) -> Callable[..., int]:
            return getattr(self.lib, f"cloudhalt_{prefix}_{name}")

        def configure(handle: int) -> Optional[Failure]:
            problem = basic(handle)
            if problem is not None:
                return problem
            for status in fleet(handle):
                if status != 0:
                    return self.failure(status)
            return None

        def fleet(handle: int):
            """Each fleet and network setter's status, in order, each called only if asked for."""
            if proxy is not None:
                # False: no proxy at all, which C spells "".
                yield setter("set_proxy")(handle, b"" if proxy is False else _cstr(proxy))
            if ca_bundle is not None:
                yield setter("set_ca_bundle")(handle, _cstr(os.fspath(ca_bundle)))
            if retry is not None:
                yield setter("set_retry")(handle, _u32(retry.max_attempts, "max_attempts"),
                                          _ms(retry.base_delay, "base_delay"),
                                          _ms(retry.max_delay, "max_delay"))
            if isinstance(rate_limit, bool):
                yield setter("set_rate_limit")(handle, rate_limit)
            elif isinstance(rate_limit, (int, float)):
                yield setter("set_rate_limit_per_second")(handle, float(rate_limit))
            elif rate_limit is not None:
                raise _NoCForm(f"rate_limit: expected a bool or a number, got "
                               f"{type(rate_limit).__name__} {rate_limit!r}")
            if concurrency is not None:
                yield setter("set_concurrency")(handle, _u32(concurrency, "concurrency"))
            if audit is not None:
                yield setter("set_audit_log")(handle, _cstr(os.fspath(audit)))

        def basic(handle: int) -> Optional[Failure]:
            if endpoint is not None:
                status = getattr(self.lib, f"cloudhalt_{prefix}_set_endpoint")(handle, _cstr(endpoint))
                if status != 0:
                    return self.failure(status)
            if timeout is not None:
                ms = max(0, int(round(timeout * 1000)))
                if ms > 0xFFFFFFFF:
                    return Failure(kind="invalid_input", message=f"timeout {timeout} s does not fit in uint32 ms")
                status = getattr(self.lib, f"cloudhalt_{prefix}_set_timeout_ms")(handle, ms)
                if status != 0:
                    return self.failure(status)
            return None
        return configure

    # -- the Backend protocol --

    def tencent(self, secret_id: Any, secret_key: Any, token: Any = None, *,
                endpoint: Optional[str] = None, timeout: Optional[float] = None,
                retry: Optional[Retry] = None, rate_limit: Any = None,
                concurrency: Optional[int] = None, audit: Optional[str] = None,
                proxy: Any = None, ca_bundle: Optional[str] = None) -> Any:
        return self._construct(
            lambda out: self.lib.cloudhalt_tencent_new(_cstr(secret_id), _cstr(secret_key), _cstr(token), out),
            self._configure("tencent", endpoint, timeout, retry, rate_limit, concurrency, audit,
                            proxy, ca_bundle),
            lambda h: _Tencent(self, h), self.lib.cloudhalt_tencent_free)

    def alibaba(self, access_key_id: Any, access_key_secret: Any, security_token: Any = None, *,
                endpoint: Optional[str] = None, timeout: Optional[float] = None,
                retry: Optional[Retry] = None, rate_limit: Any = None,
                concurrency: Optional[int] = None, audit: Optional[str] = None,
                proxy: Any = None, ca_bundle: Optional[str] = None) -> Any:
        return self._construct(
            lambda out: self.lib.cloudhalt_alibaba_new(_cstr(access_key_id), _cstr(access_key_secret),
                                                       _cstr(security_token), out),
            self._configure("alibaba", endpoint, timeout, retry, rate_limit, concurrency, audit,
                            proxy, ca_bundle),
            lambda h: _Alibaba(self, h), self.lib.cloudhalt_alibaba_free)

    def tencent_from_env(self, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(self.lib.cloudhalt_tencent_from_env,
                               self._configure("tencent", endpoint, None),
                               lambda h: _Tencent(self, h), self.lib.cloudhalt_tencent_free)

    def alibaba_from_env(self, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(self.lib.cloudhalt_alibaba_from_env,
                               self._configure("alibaba", endpoint, None),
                               lambda h: _Alibaba(self, h), self.lib.cloudhalt_alibaba_free)

    def tencent_from_profile(self, profile: Any, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(
            lambda out: self.lib.cloudhalt_tencent_from_profile(_cstr(profile), out),
            self._configure("tencent", endpoint, None),
            lambda h: _Tencent(self, h), self.lib.cloudhalt_tencent_free)

    def alibaba_from_profile(self, profile: Any, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(
            lambda out: self.lib.cloudhalt_alibaba_from_profile(_cstr(profile), out),
            self._configure("alibaba", endpoint, None),
            lambda h: _Alibaba(self, h), self.lib.cloudhalt_alibaba_free)

    def version(self) -> str:
        return _text(self.lib.cloudhalt_version()) or ""


class _Tencent:
    """A `cloudhalt_tencent *`, freed when garbage-collected."""

    def __init__(self, backend: CBackend, handle: int) -> None:
        self._b = backend
        self._lib = backend.lib
        self._h = handle
        self._gate = _Gate()

    def __del__(self) -> None:
        if getattr(self, "_h", None):
            self._lib.cloudhalt_tencent_free(self._h)
            self._h = None

    def _run(self, fn: Callable[[Any], int], wait: Optional[Wait] = None,
             pause_first: Any = False) -> Union[Outcome, Failure]:
        return self._b.with_waits("tencent", self._h, self._gate, wait, pause_first,
                                  lambda: self._b.call_response(fn))

    def stop_instances(self, region: Any, instance_ids: Any, *, force_stop: Any = False,
                       stop_type: Any = None, stopped_mode: Any = None,
                       wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        def call(out: Any) -> int:
            arr, n, _keep = _clist(instance_ids)
            return self._lib.cloudhalt_tencent_stop_instances(
                self._h, _cstr(region), arr, n, _cbool(force_stop), _cstr(stop_type), _cstr(stopped_mode), out)
        return self._run(call, wait)

    def terminate_instances(self, region: Any, instance_ids: Any, *,
                            release_prepaid_data_disks: Any = False,
                            release_address: Any = False,
                            wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        def call(out: Any) -> int:
            arr, n, _keep = _clist(instance_ids)
            return self._lib.cloudhalt_tencent_terminate_instances_ex(
                self._h, _cstr(region), arr, n, _cbool(release_address),
                _cbool(release_prepaid_data_disks), out)
        return self._run(call, wait)

    def cancel_invocation(self, region: Any, invocation_id: Any, instance_ids: Any = None, *,
                          wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        """None: every instance (the _all_instances function); a list, empty or not: those
        instances (the _instances function, which refuses an empty list)."""
        def call(out: Any) -> int:
            if instance_ids is None:
                return self._lib.cloudhalt_tencent_cancel_invocation_all_instances(
                    self._h, _cstr(region), _cstr(invocation_id), out)
            arr, n, _keep = _clist(instance_ids)
            return self._lib.cloudhalt_tencent_cancel_invocation_instances(
                self._h, _cstr(region), _cstr(invocation_id), arr, n, out)
        return self._run(call, wait)

    def cancel_instance_refresh(self, auto_scaling_group_id: Any, refresh_activity_id: Any, *,
                                region: Any = None, pause_first: Any = False,
                                wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._run(lambda out: self._lib.cloudhalt_tencent_cancel_instance_refresh(
            self._h, _cstr(region), _cstr(auto_scaling_group_id), _cstr(refresh_activity_id), out),
            wait, pause_first)

    def call(self, action: Any, params: Any, *, region: Any = None,
             wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        """The JSON entry point with a response handle, so the per-ID record is read too;
        cloudhalt_tencent_call_json (a string) is the same call and is tested by test_capi.c."""
        def call(out: Any) -> int:
            return self._lib.cloudhalt_tencent_call_json_response(
                self._h, _cstr(action), _cstr(region), _params(params), out)
        return self._run(call, wait)

    def wait_instances(self, region: Any, instance_ids: Any, state: Any,
                       wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        """cloudhalt_tencent_wait_instances; without `wait`, the client has no wait setting, so
        the library's default wait (300 s) applies."""
        def call(out: Any) -> int:
            arr, n, _keep = _clist(instance_ids)
            return self._lib.cloudhalt_tencent_wait_instances(
                self._h, _cstr(region), arr, n, _cstr(state), out)
        return self._run(call, wait)

    def wait_call(self, action: Any, params: Any, *, region: Any = None,
                  wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        def call(out: Any) -> int:
            return self._lib.cloudhalt_tencent_wait_json(
                self._h, _cstr(action), _cstr(region), _params(params), out)
        return self._run(call, wait)

    def resume(self, audit_path: Any) -> Union[Outcome, Failure]:
        return self._run(lambda out: self._lib.cloudhalt_tencent_resume(
            self._h, _cstr(os.fspath(audit_path)), out))

    def credential_source(self) -> str:
        """cloudhalt_tencent_credential_source(), borrowed from the handle and copied here."""
        return _text(self._lib.cloudhalt_tencent_credential_source(self._h)) or ""


class _Alibaba:
    """A `cloudhalt_alibaba *`, freed when garbage-collected."""

    def __init__(self, backend: CBackend, handle: int) -> None:
        self._b = backend
        self._lib = backend.lib
        self._h = handle
        self._gate = _Gate()

    def __del__(self) -> None:
        if getattr(self, "_h", None):
            self._lib.cloudhalt_alibaba_free(self._h)
            self._h = None

    def _run(self, fn: Callable[[Any], int], wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._b.with_waits("alibaba", self._h, self._gate, wait, False,
                                  lambda: self._b.call_response(fn))

    def stop_invocation(self, region_id: Any, invoke_id: Any, instance_ids: Any = None, *,
                        wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        """None: every instance (the _all_instances function); a list, empty or not: those
        instances (the _instances function, which refuses an empty list)."""
        def call(out: Any) -> int:
            if instance_ids is None:
                return self._lib.cloudhalt_alibaba_stop_invocation_all_instances(
                    self._h, _cstr(region_id), _cstr(invoke_id), out)
            arr, n, _keep = _clist(instance_ids)
            return self._lib.cloudhalt_alibaba_stop_invocation_instances(
                self._h, _cstr(region_id), _cstr(invoke_id), arr, n, out)
        return self._run(call, wait)

    def call(self, action: Any, params: Any, *, wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._run(lambda out: self._lib.cloudhalt_alibaba_call_json_response(
            self._h, _cstr(action), _params(params), out), wait)

    def wait_call(self, action: Any, params: Any, *, wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._run(lambda out: self._lib.cloudhalt_alibaba_wait_json(
            self._h, _cstr(action), _params(params), out), wait)

    def resume(self, audit_path: Any) -> Union[Outcome, Failure]:
        return self._run(lambda out: self._lib.cloudhalt_alibaba_resume(
            self._h, _cstr(os.fspath(audit_path)), out))

    def credential_source(self) -> str:
        """cloudhalt_alibaba_credential_source(), borrowed from the handle and copied here."""
        return _text(self._lib.cloudhalt_alibaba_credential_source(self._h)) or ""


def _params(params: Any) -> Optional[bytes]:
    """The JSON text a C caller would pass; None is NULL."""
    if params is None:
        return None
    try:
        return json.dumps(params).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise _NoCForm(f"params cannot be written as JSON: {e}") from e


def load() -> CBackend:
    """The C backend, or ImportError naming why libcloudhalt.so cannot be used."""
    path = _library_path()
    if not path.exists():
        raise ImportError(f"{path} is missing: run `cargo build -p cloudhalt-ffi` or set CLOUDHALT_LIB")
    try:
        lib = ctypes.CDLL(str(path))
        _declare(lib)
    except (OSError, AttributeError) as e:
        raise ImportError(f"cannot use {path}: {e}") from e
    return CBackend(lib)

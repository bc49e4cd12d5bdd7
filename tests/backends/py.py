"""The Python backend of the conformance suite: drives the `cloudhalt` package.

`load()` imports the installed package (`pip install ./python`) or raises ImportError saying why.
Exceptions become `Failure(kind=...)` through the "kinds" table of tests/vectors/errors.json
(class name -> kind), so this file holds no mapping of its own. A `TypeError` (a wrong argument
type, which the C ABI reports as CLOUDHALT_INVALID_INPUT) normalises to kind "invalid_input".
"""
from __future__ import annotations

import json
import pathlib
from typing import Any, Callable, Dict, Optional, Union

from backends.base import Failure, IdResult, Outcome, Retry, Wait

_ERRORS_JSON = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "errors.json"


def _kind_by_class(module: Any) -> Dict[type, str]:
    table = json.loads(_ERRORS_JSON.read_text(encoding="utf-8"))
    mapping: Dict[type, str] = {}
    for row in table["kinds"]:
        cls = getattr(module, row["python"], None)
        if cls is None:
            raise ImportError(f"cloudhalt has no exception class {row['python']} (errors.json kind {row['kind']})")
        mapping[cls] = row["kind"]
    return mapping


class _Normaliser:
    def __init__(self, module: Any) -> None:
        self.module = module
        self.kinds = _kind_by_class(module)

    def failure(self, exc: BaseException) -> Failure:
        if isinstance(exc, self.module.Error):
            kind = None
            for cls in type(exc).__mro__:  # the most specific class named in errors.json
                if cls in self.kinds:
                    kind = self.kinds[cls]
                    break
            if kind is None:
                raise AssertionError(f"{type(exc).__name__} is not in errors.json's kinds table") from exc
            return Failure(kind=kind, message=str(exc), code=exc.code, request_id=exc.request_id,
                           http_status=exc.http_status, send_state=exc.send_state,
                           may_have_been_sent=exc.may_have_been_sent,
                           results=self.results(exc.id_outcomes, exc.outcomes),
                           request_ids=tuple(exc.request_ids), attempts=exc.attempts,
                           **self.states(exc))
        if isinstance(exc, TypeError):
            return Failure(kind="invalid_input", message=str(exc))
        raise exc

    def run(self, fn: Callable[[], Any]) -> Union[Outcome, Failure]:
        try:
            r = fn()
        except Exception as exc:  # failure() re-raises anything that is not cloudhalt's or a TypeError
            return self.failure(exc)
        if not isinstance(r.request_id, str) or not isinstance(r.data, dict):
            raise AssertionError(f"malformed Response {r!r}")
        if not isinstance(r.attempts, int) or not all(isinstance(i, str) for i in r.request_ids):
            raise AssertionError(f"malformed Response record {r!r}")
        return Outcome(request_id=r.request_id, data=r.data,
                       results=self.results(r.id_outcomes, r.outcomes),
                       request_ids=tuple(r.request_ids), attempts=r.attempts, **self.states(r))

    @staticmethod
    def states(r: Any) -> Dict[str, Dict[str, str]]:
        """`states` and `wait_results` of a Response or Error: dicts of str, with the same IDs."""
        states, results = r.states, r.wait_results
        for name, d in (("states", states), ("wait_results", results)):
            if not isinstance(d, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in d.items()):
                raise AssertionError(f"{name} is {d!r}, not a dict of str")
        if list(states) != list(results):
            raise AssertionError(f"states {states!r} and wait_results {results!r} name other IDs")
        return {"states": dict(states), "wait_results": dict(results)}

    def results(self, id_outcomes: Any, outcomes: Any) -> tuple:
        """The per-ID record; `outcomes` (the dict) must say the same as `id_outcomes`."""
        out = tuple(IdResult(id=o.id, outcome=o.outcome, code=o.code, request_id=o.request_id)
                    for o in id_outcomes)
        if list(outcomes.items()) != [(o.id, o.outcome) for o in out]:
            raise AssertionError(f"outcomes {outcomes!r} disagree with id_outcomes {out!r}")
        return out


def _wait(wait: Optional[Wait]) -> Dict[str, Any]:
    """The wait keywords of an operation: none for no wait (the binding's default, wait=False)."""
    if wait is None:
        return {}
    return {"wait": True, "wait_timeout": wait.timeout, "wait_min_delay": wait.min_delay,
            "wait_max_delay": wait.max_delay}


def _standalone(wait: Optional[Wait]) -> Dict[str, Any]:
    """The keywords of a standalone wait_* method: none for the binding's defaults."""
    if wait is None:
        return {}
    return {"timeout": wait.timeout, "min_delay": wait.min_delay, "max_delay": wait.max_delay}


class _Tencent:
    def __init__(self, client: Any, norm: _Normaliser) -> None:
        self.client = client
        self._n = norm

    def stop_instances(self, region: Any, instance_ids: Any, *, force_stop: Any = False,
                       stop_type: Any = None, stopped_mode: Any = None,
                       wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.stop_instances(
            region, instance_ids, force_stop=force_stop, stop_type=stop_type, stopped_mode=stopped_mode,
            **_wait(wait)))

    def terminate_instances(self, region: Any, instance_ids: Any, *,
                            release_prepaid_data_disks: Any = False,
                            wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.terminate_instances(
            region, instance_ids, release_prepaid_data_disks=release_prepaid_data_disks, **_wait(wait)))

    def cancel_invocation(self, region: Any, invocation_id: Any, instance_ids: Any = None, *,
                          wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.cancel_invocation(region, invocation_id, instance_ids,
                                                                 **_wait(wait)))

    def cancel_instance_refresh(self, auto_scaling_group_id: Any, refresh_activity_id: Any, *,
                                region: Any = None, pause_first: Any = False,
                                wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.cancel_instance_refresh(
            auto_scaling_group_id, refresh_activity_id, region=region, pause_first=pause_first,
            **_wait(wait)))

    def call(self, action: Any, params: Any, *, region: Any = None,
             wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.call(action, params, region=region, **_wait(wait)))

    def wait_instances(self, region: Any, instance_ids: Any, state: Any,
                       wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.wait_instances(region, instance_ids, state,
                                                              **_standalone(wait)))

    def wait_call(self, action: Any, params: Any, *, region: Any = None,
                  wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.wait(action, params, region=region, **_standalone(wait)))

    def resume(self, audit_file: str) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.resume(audit_file))

    def credential_source(self) -> str:
        source = self.client.credential_source
        if not isinstance(source, str):
            raise AssertionError(f"credential_source is {source!r}, not a str")
        return source


class _Alibaba:
    def __init__(self, client: Any, norm: _Normaliser) -> None:
        self.client = client
        self._n = norm

    def stop_invocation(self, region_id: Any, invoke_id: Any, instance_ids: Any = None, *,
                        wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.stop_invocation(region_id, invoke_id, instance_ids,
                                                               **_wait(wait)))

    def call(self, action: Any, params: Any, *, wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.call(action, params, **_wait(wait)))

    def wait_call(self, action: Any, params: Any, *, wait: Optional[Wait] = None) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.wait(action, params, **_standalone(wait)))

    def resume(self, audit_file: str) -> Union[Outcome, Failure]:
        return self._n.run(lambda: self.client.resume(audit_file))

    def credential_source(self) -> str:
        source = self.client.credential_source
        if not isinstance(source, str):
            raise AssertionError(f"credential_source is {source!r}, not a str")
        return source


class PyBackend:
    """The `cloudhalt` Python package as a conformance backend."""

    name = "py"

    def __init__(self, module: Any) -> None:
        self.module = module
        self._n = _Normaliser(module)

    def _construct(self, make: Callable[[], Any], wrap: Callable[[Any], Any]) -> Any:
        try:
            return wrap(make())
        except Exception as exc:
            return self._n.failure(exc)

    def _fleet(self, retry: Optional[Retry], rate_limit: Any, concurrency: Any,
               audit: Optional[str]) -> Dict[str, Any]:
        """The fleet keywords, only those given (None = the binding's default). Called inside
        the construction, so that a bad Retry is a Failure like any bad setting."""
        kwargs: Dict[str, Any] = {}
        if retry is not None:
            kwargs["retry"] = self.module.Retry(retry.max_attempts, retry.base_delay, retry.max_delay)
        if rate_limit is not None:
            kwargs["rate_limit"] = rate_limit
        if concurrency is not None:
            kwargs["concurrency"] = concurrency
        if audit is not None:
            kwargs["audit_log"] = audit
        return kwargs

    def tencent(self, secret_id: Any, secret_key: Any, token: Any = None, *,
                endpoint: Optional[str] = None, timeout: Optional[float] = None,
                retry: Optional[Retry] = None, rate_limit: Any = None, concurrency: Any = None,
                audit: Optional[str] = None, proxy: Any = None, ca_bundle: Optional[str] = None) -> Any:
        return self._construct(
            lambda: self.module.Tencent(secret_id, secret_key, token, endpoint=endpoint, timeout=timeout,
                                        proxy=proxy, ca_bundle=ca_bundle,
                                        **self._fleet(retry, rate_limit, concurrency, audit)),
            lambda c: _Tencent(c, self._n))

    def alibaba(self, access_key_id: Any, access_key_secret: Any, security_token: Any = None, *,
                endpoint: Optional[str] = None, timeout: Optional[float] = None,
                retry: Optional[Retry] = None, rate_limit: Any = None, concurrency: Any = None,
                audit: Optional[str] = None, proxy: Any = None, ca_bundle: Optional[str] = None) -> Any:
        return self._construct(
            lambda: self.module.Alibaba(access_key_id, access_key_secret, security_token,
                                        endpoint=endpoint, timeout=timeout,
                                        proxy=proxy, ca_bundle=ca_bundle,
                                        **self._fleet(retry, rate_limit, concurrency, audit)),
            lambda c: _Alibaba(c, self._n))

    def tencent_from_env(self, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(lambda: self.module.Tencent.from_env(endpoint=endpoint),
                               lambda c: _Tencent(c, self._n))

    def alibaba_from_env(self, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(lambda: self.module.Alibaba.from_env(endpoint=endpoint),
                               lambda c: _Alibaba(c, self._n))

    def tencent_from_profile(self, profile: Any, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(lambda: self.module.Tencent.from_profile(profile, endpoint=endpoint),
                               lambda c: _Tencent(c, self._n))

    def alibaba_from_profile(self, profile: Any, *, endpoint: Optional[str] = None) -> Any:
        return self._construct(lambda: self.module.Alibaba.from_profile(profile, endpoint=endpoint),
                               lambda c: _Alibaba(c, self._n))

    def version(self) -> str:
        return str(self.module.__version__)


def load() -> PyBackend:
    """The backend, or ImportError naming why the package cannot be used."""
    try:
        import cloudhalt
    except ImportError as e:
        raise ImportError(f"cannot import cloudhalt ({e}): run `.venv/bin/pip install ./python`") from e
    return PyBackend(cloudhalt)

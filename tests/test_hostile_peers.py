"""What a hostile peer sends back never reaches the caller as it came, on every backend: a peer that
echoes the session token or the secret key it should never have seen gets them replaced with
`<redacted>` in the error's message, code and RequestId, and in a success's answer."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from backends.base import Failure, Outcome
from conftest import TENCENT_SECRET_ID, TENCENT_SECRET_KEY
from test_send_state_phases import read_request, serving

TOKEN = "hostile-peer-session-token-0123456789"


def echoing(answer_inner: str):
    """A handler that answers one request with `{"Response": {answer_inner}}`, where `TOKEN` and
    `KEY` in `answer_inner` are replaced by the token and key the client holds."""
    text = answer_inner.replace("TOKEN", TOKEN).replace("KEY", TENCENT_SECRET_KEY)
    body = json.dumps({"Response": json.loads("{" + text + "}")}).encode()

    def handle(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn, stop)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    return handle


def call(backend, url: str):
    client = backend.tencent(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TOKEN, endpoint=url, timeout=5.0)
    assert not isinstance(client, Failure), client
    return client.stop_instances("ap-guangzhou", ["ins-run00000"])


@pytest.mark.parametrize("inner", [
    '"RequestId": "r-TOKEN", "Error": {"Code": "AuthFailure.TOKEN", "Message": "token TOKEN, key KEY"}',
    '"RequestId": "r-1", "Error": {"Code": "InternalError", "Message": "echo: TOKEN/KEY"}',
])
def test_an_error_never_shows_the_token_or_key_a_peer_echoes(backend, inner):
    with serving(echoing(inner)) as server:
        result = call(backend, f"http://127.0.0.1:{server.port}")
    assert isinstance(result, Failure), result
    shown = repr(result)
    assert TOKEN not in shown and TENCENT_SECRET_KEY not in shown, shown
    assert "<redacted>" in result.message, result


def test_a_success_never_shows_the_token_or_key_a_peer_echoes(backend):
    with serving(echoing('"RequestId": "r-TOKEN", "Note": "KEY and TOKEN"')) as server:
        result = call(backend, f"http://127.0.0.1:{server.port}")
    assert isinstance(result, Outcome), result
    shown = repr(result)
    assert TOKEN not in shown and TENCENT_SECRET_KEY not in shown, shown
    assert "<redacted>" in result.request_id

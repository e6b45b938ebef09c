"""``tutor serve`` refuses foreign Hosts and Origins and limits sessions."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

from tutor.ui.serve import allowed_hosts, check


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


WS = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


@pytest.mark.slow
def test_serve_on_loopback_refuses_a_foreign_origin_and_host(tmp_path):
    pytest.importorskip("textual_serve")
    port = _free_port()
    env = dict(os.environ, TUTOR_DATA_DIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
                time.sleep(0.2)
        me = f"127.0.0.1:{port}"
        assert _get(port, "/", {"Host": me}) == 200
        assert _get(port, "/", {"Host": "evil.example"}) == 403  # a DNS-rebinding page
        assert _get(port, "/ws", {"Host": me, "Origin": "http://evil.example", **WS}) == 403
        assert _get(port, "/ws", {"Host": me, **WS}) == 403  # no Origin: not from this server's page
        assert _get(port, "/ws", {"Host": "evil.example", "Origin": "http://evil.example", **WS}) == 403
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_guard_accepts_its_own_page_and_limits_sessions():
    allowed = allowed_hosts("localhost", 8000)
    own = {"Host": "localhost:8000", "Origin": "http://localhost:8000"}
    assert check(own, "/ws", allowed, 0, 4) is None
    assert check({"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"}, "/ws", allowed, 3, 4) is None
    assert check(own, "/ws", allowed, 4, 4)[0] == 503
    assert check({"Host": "localhost:8000", "Origin": "https://attacker.example"}, "/ws", allowed, 0, 4)[0] == 403
    assert check({"Host": "localhost:8001"}, "/", allowed, 0, 4)[0] == 403
    assert check({"Host": "192.168.1.5:8000"}, "/", allowed, 0, 4)[0] == 403
    lan = allowed_hosts("192.168.1.5", 8000)  # --host names another address: it is accepted too
    assert check({"Host": "192.168.1.5:8000", "Origin": "http://192.168.1.5:8000"}, "/ws", lan, 0, 4) is None


def test_serve_help_says_what_it_refuses(capsys):
    from tutor import cli

    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "Origin" in out and "Host" in out and "sessions" in out

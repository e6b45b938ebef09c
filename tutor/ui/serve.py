"""``tutor serve``: the same app in a browser, through textual-serve (an optional extra).

Every browser session starts a process on the learner's machine, so the server is
guarded (:class:`GuardedServer`): the ``Host`` header must name the address served
(loopback names only, unless ``--host`` names another), which stops DNS-rebinding
pages; a WebSocket must come with an ``Origin`` of that same address, so a page on
any other site cannot start or drive a session; at most :data:`MAX_SESSIONS`
sessions run at once. Refusals are plain 403 / 503 responses.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

#: Browser sessions (each an app process) served at once, at most.
MAX_SESSIONS = 4
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values (and ``Origin`` host parts) accepted: the loopback names, and ``host`` when it is another."""
    names = set(LOOPBACK)
    if host and host not in ("localhost", "127.0.0.1", "::1", "0.0.0.0", "::"):
        names.add(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    out = set()
    for name in names:
        out.add(f"{name}:{port}".lower())
        if port in (80, 443):
            out.add(name.lower())
    return frozenset(out)


def check(headers, path: str, allowed: frozenset[str], sessions: int, max_sessions: int) -> tuple[int, str] | None:
    """``(status, reason)`` when a request must be refused, else None. Pure, so it is tested without a server."""
    host = headers.get("Host", "").lower()
    if host not in allowed:
        return 403, f"refused: Host {host[:80]!r} is not this server's address"
    if path == "/ws":
        origin = headers.get("Origin")
        if origin is None or urlsplit(origin).netloc.lower() not in allowed:
            return 403, "refused: a session can only be started from this server's own page"
        if sessions >= max_sessions:
            return 503, f"refused: {max_sessions} sessions are running already"
    return None


def guarded_server(command: str, host: str, port: int, max_sessions: int = MAX_SESSIONS):
    from aiohttp import web
    from textual_serve.server import Server  # ImportError when the 'serve' extra is not installed

    class GuardedServer(Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port)
            self.allowed = allowed_hosts(host, port)
            self.sessions = 0

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()

            @web.middleware
            async def guard(request: web.Request, handler):
                refused = check(request.headers, request.path, self.allowed, self.sessions, max_sessions)
                if refused is not None:
                    return web.Response(status=refused[0], text=refused[1] + "\n")
                if request.path != "/ws":
                    return await handler(request)
                self.sessions += 1
                try:
                    return await handler(request)
                finally:
                    self.sessions -= 1

            app.middlewares.append(guard)
            return app

    return GuardedServer()


def serve(content: Iterable[Path], host: str, port: int, builtin: bool = True) -> None:
    extra = " ".join(f"--content {shlex.quote(str(d))}" for d in content) + ("" if builtin else " --no-builtin")
    guarded_server(f"{shlex.quote(sys.executable)} -m tutor {extra}".strip(), host, port).serve()

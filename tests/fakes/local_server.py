"""A local HTTP server that answers like the real hosts, for adapter tests over real HTTP."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Canned:
    """One response: status, headers, body."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before answering (a slow host).
    delay: float = 0.0

    @classmethod
    def file(cls, path: Path, content_type: str = "application/json", status: int = 200) -> Canned:
        """A captured payload from disk."""
        return cls(status, path.read_bytes(), {"content-type": content_type})


class ServedApp:
    """An ASGI app served by uvicorn in a thread on a free port of 127.0.0.1."""

    app: Any
    thread_name = "served-app"
    # "on" for an app that needs its startup (the platform builds its container there).
    lifespan: Literal["auto", "on", "off"] = "off"

    def __init__(self) -> None:
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.base_url = ""

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan=self.lifespan,
            loop="asyncio",
            http="h11",
            ws="none",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=self.thread_name, daemon=True
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                msg = f"{self.thread_name} did not start"
                raise RuntimeError(msg)
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"

    def signal_stop(self) -> None:
        """Ask the server to stop, without waiting (stop several at once, then `stop()` each)."""
        if self._server is not None:
            self._server.should_exit = True

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class FakeHosts(ServedApp):
    """Serves `/<host>/<path>` with canned responses, in order (the last one repeats).

    `rewrite(url)` turns a real URL into this server's URL, for `AtsHttp(rewrite=...)`.
    Every request is recorded in `requests` as (method, host, path?query, body).
    """

    thread_name = "fake-hosts"

    def __init__(self) -> None:
        super().__init__()
        self._routes: dict[tuple[str, str, str], list[Canned]] = defaultdict(list)
        self.requests: list[tuple[str, str, str, bytes]] = []
        # Requests being answered now, and the most at once, per host.
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.app = Starlette(
            routes=[Route("/{rest:path}", self._handle, methods=["GET", "POST", "HEAD"])]
        )

    def add(self, method: str, url: str, *responses: Canned) -> None:
        """Answer `method url` (path and query must match exactly) with `responses`."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        self._routes[(method.upper(), parts.netloc, target)].extend(responses)

    def rewrite(self, url: str) -> str:
        """The local URL standing in for `url`."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return f"{self.base_url}/{parts.netloc}{target}"

    async def _handle(self, request: Request) -> Response:
        host, _, path = request.url.path.lstrip("/").partition("/")
        target = "/" + path + (f"?{request.url.query}" if request.url.query else "")
        body = await request.body()
        self.requests.append((request.method, host, target, body))
        queue = self._routes.get((request.method, host, target))
        if not queue:
            return Response(b'{"error": "not found"}', 404, media_type="application/json")
        canned = queue.pop(0) if len(queue) > 1 else queue[0]
        if canned.delay:
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
            try:
                await asyncio.sleep(canned.delay)
            finally:
                self.in_flight[host] -= 1
        return Response(canned.body, canned.status, headers=canned.headers)

    def reset(self) -> None:
        """Forget routes and recorded requests."""
        self._routes.clear()
        self.requests.clear()
        self.in_flight.clear()
        self.max_in_flight.clear()

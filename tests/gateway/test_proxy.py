"""The gateway's proxy over real sockets: forwarding, streaming, retries, timeouts and health.

The upstream is a Starlette app served by uvicorn in a thread (or, to count connections and
misbehave on purpose, a bare HTTP/1.1 server); the proxy itself is served by uvicorn on this
test's event loop, and the tests call it with httpx as any client would (or, to break off an
upload, call it directly). The proxy's own client is aiohttp.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import itertools
import json
import logging
import re
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import aiohttp
import httpx
import pytest
import uvicorn
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fakes.local_server import ServedApp
from jobpilot.gateway.proxy import ProxyApp, UpstreamPool, build_client
from jobpilot.gateway.routes import RouteTable, parse_routes
from support import assert_error

LOGGER = "jobpilot.gateway.proxy"
PREFIX = "/api/v1/t"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_service_ids = itertools.count(1)


class Upstream(ServedApp):
    """A service behind the gateway: echoes requests, streams, stalls, fails on demand."""

    thread_name = "proxy-upstream"

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.health_status = 200
        self.upload_started = threading.Event()
        self.release = threading.Event()
        self.stream_closed = threading.Event()
        self.gzipped = gzip.compress(b'{"jobs": []}' * 100)
        self.app = Starlette(
            routes=[
                Route(f"{PREFIX}/echo/{{rest:path}}", self._echo, methods=ALL_METHODS),
                Route(f"{PREFIX}/upload", self._upload, methods=["POST"]),
                Route(f"{PREFIX}/stream", self._stream),
                Route(f"{PREFIX}/endless", self._endless),
                Route(f"{PREFIX}/slow", self._slow),
                Route(f"{PREFIX}/fail", self._fail),
                Route(f"{PREFIX}/hop", self._hop),
                Route(f"{PREFIX}/gzip", self._gzip),
                Route("/healthz", self._health),
            ]
        )

    def reset(self) -> None:
        """Forget calls and events; answer health checks again."""
        self.calls.clear()
        self.health_status = 200
        for event in (self.upload_started, self.release, self.stream_closed):
            event.clear()

    async def _echo(self, request: Request) -> Response:
        self.calls["echo"] += 1
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode("ascii"),
                "query": request.scope["query_string"].decode("ascii"),
                "headers": [[k.decode(), v.decode()] for k, v in request.headers.raw],
                "body": body.decode(),
            }
        )

    async def _upload(self, request: Request) -> Response:
        digest = hashlib.sha256()
        size = 0
        async for chunk in request.stream():
            if chunk:
                self.upload_started.set()
            digest.update(chunk)
            size += len(chunk)
        return JSONResponse({"size": size, "sha256": digest.hexdigest()})

    async def _stream(self, request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"first\n"
            for _ in range(500):  # at most 5 s
                if self.release.is_set():
                    break
                await asyncio.sleep(0.01)
            yield b"second\n"

        return StreamingResponse(body(), media_type="text/plain")

    async def _endless(self, request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            try:
                for _ in range(1000):  # at most 10 s
                    yield b"tick\n"
                    await asyncio.sleep(0.01)
            finally:
                self.stream_closed.set()

        return StreamingResponse(body(), media_type="text/plain")

    async def _slow(self, request: Request) -> Response:
        self.calls["slow"] += 1
        await asyncio.sleep(0.6)
        return Response(b"late")

    async def _fail(self, request: Request) -> Response:
        return Response(
            b'{"detail": "boom"}',
            500,
            headers={"content-type": "application/json", "x-upstream-detail": "kept"},
        )

    async def _hop(self, request: Request) -> Response:
        response = Response(b"hop", media_type="text/plain")
        response.raw_headers += [
            (b"connection", b"x-hop-out"),
            (b"x-hop-out", b"secret"),
            (b"keep-alive", b"timeout=99"),
            (b"proxy-authenticate", b"Basic"),
            (b"x-kept", b"yes"),
            (b"set-cookie", b"a=1; Path=/"),
            (b"set-cookie", b"b=2; Path=/"),
        ]
        return response

    async def _gzip(self, request: Request) -> Response:
        return Response(
            self.gzipped,
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    async def _health(self, request: Request) -> Response:
        self.calls["healthz"] += 1
        return Response(b"", self.health_status)


class RawUpstream:
    """A bare HTTP/1.1 server whose socket is bound at once but listens only when told.

    It counts connections, and can hang up before answering, cut an answer short, or stall:
    read a request's head and then nothing more, never answering, until closed.
    """

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.hang_up_first = 0
        self.cut_short = False
        self.stall = False
        self._closing = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def listen(self) -> None:
        """Accept connections from now on (until then they are refused)."""
        self._server = await asyncio.start_server(self._handle, sock=self.sock)

    async def close(self) -> None:
        """Stop listening and free the port."""
        self._closing.set()
        if self._server is None:
            self.sock.close()
            return
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if self.stall:
                await self._closing.wait()
                return
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if length:
                await reader.readexactly(int(length[1]))
            if self.connections <= self.hang_up_first:
                return
            if self.cut_short:
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
            else:
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n"
                    b"connection: close\r\n\r\nok"
                )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@dataclass
class Gateway:
    """A proxy served on a free port, in front of one service."""

    service: str
    pool: UpstreamPool
    client: aiohttp.ClientSession  # the proxy's own pooled client
    app: ProxyApp
    http: httpx.AsyncClient  # a client of the proxy

    @property
    def url(self) -> str:
        return str(self.http.base_url).rstrip("/")


class StartGateway(Protocol):
    def __call__(
        self,
        upstream_url: str,
        *,
        wrap: Callable[[ASGIApp], ASGIApp] | None = None,
        pool_options: dict[str, Any] | None = None,
        client_options: dict[str, Any] | None = None,
        **service: Any,
    ) -> Awaitable[Gateway]: ...


def table_for(name: str, **service: Any) -> RouteTable:
    """A route table with one service, `name`, owning PREFIX."""
    return parse_routes(
        {
            "cors": {"origins": ["http://127.0.0.1:8080"], "methods": ["GET"], "headers": ["A"]},
            "services": [
                {
                    "name": name,
                    "upstream": "test-service:3004",
                    "port": 3004,
                    "prefixes": [PREFIX],
                    "jwt": False,
                    "rate_limit_per_minute": 100,
                    **service,
                }
            ],
        }
    )


@contextlib.asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on this event loop, on a free port of 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="off",
        loop="asyncio",
        http="h11",
        ws="none",
        # Otherwise uvicorn trusts X-Forwarded-* from 127.0.0.1 and rewrites the client address.
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    """The Starlette upstream, shared by the module's tests."""
    with Upstream() as server:
        yield server


@pytest.fixture
def app_upstream(upstream: Upstream) -> Upstream:
    """The shared upstream, reset for this test."""
    upstream.reset()
    return upstream


@pytest.fixture
async def raw_upstream() -> AsyncIterator[RawUpstream]:
    """A bare upstream of this test's own, not listening yet."""
    raw = RawUpstream()
    try:
        yield raw
    finally:
        await raw.close()


@pytest.fixture
async def start_gateway() -> AsyncIterator[StartGateway]:
    """Starts proxies in front of an upstream, each for a service of a fresh name."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            upstream_url: str,
            *,
            wrap: Callable[[ASGIApp], ASGIApp] | None = None,
            pool_options: dict[str, Any] | None = None,
            client_options: dict[str, Any] | None = None,
            **service: Any,
        ) -> Gateway:
            name = f"svc-{next(_service_ids)}"
            client = build_client(**(client_options or {}))
            stack.push_async_callback(client.close)
            pool = UpstreamPool({name: upstream_url}, client=client, **(pool_options or {}))
            proxy = ProxyApp(table_for(name, **service), pool, client)
            url = await stack.enter_async_context(served(wrap(proxy) if wrap else proxy))
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=10))
            return Gateway(name, pool, client, proxy, http)

        yield start


def direct_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    """The scope of a request to an app called directly, not through a server."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }


def receiving(messages: Iterable[Message]) -> Receive:
    """A client of an app called directly: it sends `messages`, then nothing, and stays."""
    pending = iter(messages)

    async def receive() -> Message:
        message = next(pending, None)
        if message is None:
            await asyncio.Event().wait()
            raise AssertionError("unreachable")
        return message

    return receive


@dataclass
class Answer:
    """What an app called directly sent back."""

    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message["headers"])
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


def errors(service: str, reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "gateway_upstream_errors_total", {"service": service, "reason": reason}
    )
    return value or 0.0


def all_errors(service: str) -> float:
    return sum(errors(service, r) for r in ("connect", "timeout", "protocol", "unhealthy"))


def health_gauge(service: str) -> float | None:
    return REGISTRY.get_sample_value("gateway_upstream_healthy", {"service": service})


def upstream_timings(service: str) -> float:
    value = REGISTRY.get_sample_value(
        "gateway_upstream_duration_seconds_count", {"service": service, "route": PREFIX}
    )
    return value or 0.0


def header_values(echoed: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in echoed["headers"] if k == name]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_forwards_method_path_query_body_and_repeated_headers(
    app_upstream: Upstream, start_gateway: StartGateway, method: str
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    body = b"" if method == "GET" else b'{"title": "Engineer"}'
    response = await gw.http.request(
        method,
        f"{PREFIX}/echo/a%2Fb/caf%C3%A9?q=caf%C3%A9&tag=a&tag=b",
        content=body,
        headers=[
            ("X-Multi", "one"),
            ("X-Multi", "two"),
            ("Authorization", "Bearer token"),
            ("Content-Type", "application/json"),
        ],
    )
    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["method"] == method
    # The path is sent as the client encoded it: %2F stays an escaped slash.
    assert echoed["raw_path"] == f"{PREFIX}/echo/a%2Fb/caf%C3%A9"
    assert echoed["query"] == "q=caf%C3%A9&tag=a&tag=b"
    assert echoed["body"] == body.decode()
    assert header_values(echoed, "x-multi") == ["one", "two"]
    assert header_values(echoed, "authorization") == ["Bearer token"]
    assert header_values(echoed, "host") == [app_upstream.base_url.removeprefix("http://")]
    assert upstream_timings(gw.service) == 1
    assert all_errors(gw.service) == 0


async def test_head_and_options_reach_the_upstream(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    head = await gw.http.head(f"{PREFIX}/echo/x")
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) > 0
    options = await gw.http.options(f"{PREFIX}/echo/x")
    assert options.json()["method"] == "OPTIONS"


async def test_hop_by_hop_headers_stop_at_the_proxy_both_ways(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    response = await gw.http.get(
        f"{PREFIX}/echo/x",
        headers={
            "Connection": "keep-alive, X-Hop-In",
            "X-Hop-In": "secret",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Trailer": "X-Checksum",
            "Proxy-Authorization": "Basic dXNlcjpwYXNz",
            "Upgrade": "h2c",
            "X-End-To-End": "kept",
        },
    )
    sent = {name for name, _ in response.json()["headers"]}
    assert sent.isdisjoint(
        {
            "connection",
            "x-hop-in",
            "keep-alive",
            "te",
            "trailer",
            "proxy-authorization",
            "upgrade",
        }
    )
    assert "x-end-to-end" in sent

    response = await gw.http.get(f"{PREFIX}/hop")
    assert response.status_code == 200
    assert response.text == "hop"
    assert response.headers["x-kept"] == "yes"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    for name in ("x-hop-out", "keep-alive", "proxy-authenticate"):
        assert name not in response.headers
    # The proxy's client is shared by every user: it keeps no service's cookies.
    assert isinstance(gw.client.cookie_jar, aiohttp.DummyCookieJar)
    assert len(gw.client.cookie_jar) == 0


def _edge(request_id: str) -> Callable[[ASGIApp], ASGIApp]:
    """Stands in for the edge middleware, which puts the request id in the scope's state."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def edge(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("state", {})["request_id"] = request_id
            await app(scope, receive, send)

        return edge

    return wrap


@pytest.mark.parametrize("from_edge", [True, False])
async def test_sets_forwarded_headers_and_request_id(
    app_upstream: Upstream, start_gateway: StartGateway, from_edge: bool
) -> None:
    gw = await start_gateway(app_upstream.base_url, wrap=_edge("edge-id") if from_edge else None)
    response = await gw.http.get(
        f"{PREFIX}/echo/x",
        headers={
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Host": "spoofed.example",
            "X-Forwarded-Proto": "https",
            "X-Request-ID": "client-id",
        },
    )
    echoed = response.json()
    assert header_values(echoed, "x-forwarded-for") == ["203.0.113.7, 127.0.0.1"]
    assert header_values(echoed, "x-forwarded-host") == [gw.url.removeprefix("http://")]
    assert header_values(echoed, "x-forwarded-proto") == ["http"]
    expected_id = "edge-id" if from_edge else "client-id"
    assert header_values(echoed, "x-request-id") == [expected_id]


async def test_a_large_upload_is_streamed_to_the_upstream_as_it_arrives(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    chunk = bytes(range(256)) * 256  # 64 KiB
    total = 80 * len(chunk)  # 5 MiB
    digest = hashlib.sha256(chunk * 80).hexdigest()

    async def body() -> AsyncIterator[bytes]:
        yield chunk
        # The rest is sent only once the upstream holds the first part: a proxy that buffered
        # the body would wait here until the test fails.
        started = await asyncio.to_thread(app_upstream.upload_started.wait, 5)
        assert started, "the upstream got nothing before the client finished sending"
        for _ in range(79):
            yield chunk

    response = await gw.http.post(f"{PREFIX}/upload", content=body())
    assert response.status_code == 200, response.text
    assert response.json() == {"size": total, "sha256": digest}


async def test_a_streamed_response_reaches_the_client_chunk_by_chunk(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    try:
        async with gw.http.stream("GET", f"{PREFIX}/stream") as response:
            chunks = response.aiter_raw()
            # The upstream holds its second chunk until released: the first must come first.
            assert await anext(chunks) == b"first\n"
            app_upstream.release.set()
            assert b"".join([c async for c in chunks]) == b"second\n"
    finally:
        app_upstream.release.set()


async def test_a_client_leaving_mid_stream_closes_the_upstream_stream(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    async with gw.http.stream("GET", f"{PREFIX}/endless") as response:
        assert (await anext(response.aiter_raw())).startswith(b"tick\n")
    # Leaving the block closes the unread response's connection.
    assert await asyncio.to_thread(app_upstream.stream_closed.wait, 5)


async def test_a_compressed_body_passes_through_untouched(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    async with gw.http.stream("GET", f"{PREFIX}/gzip") as response:
        raw = b"".join([c async for c in response.aiter_raw()])
    assert raw == app_upstream.gzipped
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-length"] == str(len(app_upstream.gzipped))


async def test_an_upstream_500_passes_through_and_is_no_health_failure(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url, pool_options={"unhealthy_after": 1})
    for _ in range(2):
        response = await gw.http.get(f"{PREFIX}/fail")
        assert response.status_code == 500
        assert response.content == b'{"detail": "boom"}'
        assert response.headers["x-upstream-detail"] == "kept"
    assert gw.pool.is_healthy(gw.service)
    assert all_errors(gw.service) == 0


async def test_a_read_timeout_is_a_504_and_is_not_retried(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url, read_timeout_ms=200, retries=2)
    response = await gw.http.get(f"{PREFIX}/slow")
    error = assert_error(response, 504, "gateway_timeout")
    assert gw.service in error["message"]
    # The upstream may still be working on it: a second copy would only add load.
    assert app_upstream.calls["slow"] == 1
    assert errors(gw.service, "timeout") == 1
    assert gw.pool.is_healthy(gw.service)


@pytest.mark.parametrize(
    ("method", "extra", "body", "framing"),
    [
        ("GET", [], b"", []),
        ("DELETE", [(b"content-length", b"4")], b"data", [("content-length", "4")]),
        ("POST", [(b"content-length", b"4")], b"data", [("content-length", "4")]),
        ("POST", [(b"transfer-encoding", b"chunked")], b"data", [("transfer-encoding", "chunked")]),
    ],
)
async def test_the_upstream_gets_the_clients_headers_and_none_of_the_proxys_own(
    app_upstream: Upstream,
    start_gateway: StartGateway,
    method: str,
    extra: list[tuple[bytes, bytes]],
    body: bytes,
    framing: list[tuple[str, str]],
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    answer = Answer()
    scope = direct_scope(method, f"{PREFIX}/echo/x", [(b"host", b"gateway.test"), *extra])
    await gw.app(scope, receiving([{"type": "http.request", "body": body}]), answer.send)
    assert answer.status == 200, answer.body
    echoed = json.loads(answer.body)
    assert echoed["body"] == body.decode()
    # No User-Agent, Accept, Accept-Encoding or Content-Type the client did not send; its own
    # Content-Length, or chunks when it sent none.
    sent = [(k, v) for k, v in echoed["headers"] if not k.startswith("x-forwarded-")]
    assert sorted(sent) == sorted(
        [("host", app_upstream.base_url.removeprefix("http://")), *framing]
    )


async def test_an_upload_the_upstream_stops_taking_is_a_504(
    raw_upstream: RawUpstream, start_gateway: StartGateway
) -> None:
    await raw_upstream.listen()
    raw_upstream.stall = True
    gw = await start_gateway(raw_upstream.url, write_timeout_ms=300, read_timeout_ms=60_000)
    chunk = b"x" * (1 << 20)
    # Far more than the sockets between the proxy and the upstream hold.
    upload = [{"type": "http.request", "body": chunk, "more_body": True}] * 256
    answer = Answer()
    scope = direct_scope("POST", f"{PREFIX}/upload", [(b"host", b"gateway.test")])
    async with asyncio.timeout(10):
        await gw.app(scope, receiving(upload), answer.send)
    assert answer.status == 504
    assert json.loads(answer.body)["error"]["code"] == "gateway_timeout"
    assert errors(gw.service, "timeout") == 1
    assert raw_upstream.connections == 1


async def test_a_client_leaving_mid_upload_is_no_upstream_failure(
    app_upstream: Upstream, start_gateway: StartGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    gw = await start_gateway(app_upstream.base_url, pool_options={"unhealthy_after": 1})
    messages: list[Message] = [
        {"type": "http.request", "body": b"part", "more_body": True},
        {"type": "http.disconnect"},
    ]
    answer = Answer()
    scope = direct_scope("POST", f"{PREFIX}/upload", [(b"host", b"gateway.test")])
    async with asyncio.timeout(10):
        await gw.app(scope, receiving(messages), answer.send)
    assert answer.status is None
    assert all_errors(gw.service) == 0
    assert gw.pool.is_healthy(gw.service)
    assert any(
        "before sending its body" in r.getMessage() for r in caplog.records if r.name == LOGGER
    )


async def test_a_gateway_out_of_connections_answers_504_and_blames_no_upstream(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(
        app_upstream.base_url,
        connect_timeout_ms=200,
        pool_options={"unhealthy_after": 1},
        client_options={"max_connections": 1},
    )
    try:
        async with gw.http.stream("GET", f"{PREFIX}/stream") as streaming:
            chunks = streaming.aiter_raw()
            assert await anext(chunks) == b"first\n"
            # The pool's only connection is taken until that response ends.
            refused = await gw.http.get(f"{PREFIX}/echo/x")
            error = assert_error(refused, 504, "gateway_timeout")
            assert gw.service in error["message"]
            app_upstream.release.set()
            assert b"".join([c async for c in chunks]) == b"second\n"
    finally:
        app_upstream.release.set()
    assert app_upstream.calls["echo"] == 0
    assert errors(gw.service, "timeout") == 1
    assert gw.pool.is_healthy(gw.service)
    assert (await gw.http.get(f"{PREFIX}/echo/x")).status_code == 200


async def test_get_is_retried_when_the_upstream_hangs_up(
    raw_upstream: RawUpstream, start_gateway: StartGateway
) -> None:
    await raw_upstream.listen()
    raw_upstream.hang_up_first = 2
    gw = await start_gateway(raw_upstream.url, retries=2)
    response = await gw.http.get(f"{PREFIX}/anything")
    assert response.status_code == 200
    assert response.text == "ok"
    assert raw_upstream.connections == 3
    assert errors(gw.service, "protocol") == 2


async def test_post_is_sent_once_even_when_the_upstream_hangs_up(
    raw_upstream: RawUpstream, start_gateway: StartGateway
) -> None:
    await raw_upstream.listen()
    raw_upstream.hang_up_first = 1
    gw = await start_gateway(raw_upstream.url, retries=2)
    response = await gw.http.post(f"{PREFIX}/applications", content=b'{"job": 1}')
    error = assert_error(response, 502, "bad_gateway")
    assert gw.service in error["message"]
    assert raw_upstream.connections == 1
    assert errors(gw.service, "protocol") == 1


async def test_post_to_a_dead_upstream_is_attempted_once(
    raw_upstream: RawUpstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(raw_upstream.url, retries=2)
    response = await gw.http.post(f"{PREFIX}/applications", content=b'{"job": 1}')
    error = assert_error(response, 502, "bad_gateway")
    assert error["message"] == f"The {gw.service} service could not be reached."
    assert errors(gw.service, "connect") == 1
    assert gw.pool.is_healthy(gw.service)


async def test_connect_failures_fence_an_upstream_off_until_a_health_check_passes(
    raw_upstream: RawUpstream, start_gateway: StartGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    gw = await start_gateway(
        raw_upstream.url, retries=2, pool_options={"unhealthy_after": 3, "interval": 2.5}
    )
    assert health_gauge(gw.service) == 1

    # Nothing listens: three attempts (one try, two retries), three connect failures.
    response = await gw.http.get(f"{PREFIX}/jobs")
    error = assert_error(response, 502, "bad_gateway")
    assert error["message"] == f"The {gw.service} service could not be reached."
    assert errors(gw.service, "connect") == 3
    assert not gw.pool.is_healthy(gw.service)
    assert health_gauge(gw.service) == 0
    down = [r for r in caplog.records if r.name == LOGGER and "is down" in r.getMessage()]
    assert [r.levelno for r in down] == [logging.WARNING]

    # It listens now, but the proxy no longer tries: 503 at once, the upstream never hears.
    await raw_upstream.listen()
    response = await gw.http.get(f"{PREFIX}/jobs")
    assert_error(response, 503, "upstream_unavailable")
    assert response.headers["retry-after"] == "3"
    assert raw_upstream.connections == 0
    assert errors(gw.service, "unhealthy") == 1

    await gw.pool.probe_all()
    assert gw.pool.is_healthy(gw.service)
    assert health_gauge(gw.service) == 1
    back = [r for r in caplog.records if r.name == LOGGER and "is back" in r.getMessage()]
    assert [r.levelno for r in back] == [logging.INFO]
    response = await gw.http.get(f"{PREFIX}/jobs")
    assert response.text == "ok"
    assert raw_upstream.connections == 2  # the health check and the request


async def test_failed_health_checks_fence_an_upstream_off_and_passing_ones_bring_it_back(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(
        app_upstream.base_url, pool_options={"unhealthy_after": 2, "healthy_after": 2}
    )
    app_upstream.health_status = 503
    await gw.pool.probe_all()
    assert gw.pool.is_healthy(gw.service)  # one failure is not enough
    await gw.pool.probe_all()
    assert not gw.pool.is_healthy(gw.service)
    assert health_gauge(gw.service) == 0
    assert_error(await gw.http.get(f"{PREFIX}/echo/x"), 503, "upstream_unavailable")
    assert app_upstream.calls["echo"] == 0

    app_upstream.health_status = 204
    await gw.pool.probe_all()
    assert not gw.pool.is_healthy(gw.service)  # healthy_after=2
    await gw.pool.probe_all()
    assert gw.pool.is_healthy(gw.service)
    assert health_gauge(gw.service) == 1
    assert (await gw.http.get(f"{PREFIX}/echo/x")).status_code == 200
    assert app_upstream.calls["healthz"] == 4


async def test_run_checks_every_interval_until_stopped(app_upstream: Upstream) -> None:
    async with build_client() as client:
        pool = UpstreamPool({"jobs": app_upstream.base_url}, client=client, interval=0.02)
        stop = asyncio.Event()
        task = asyncio.create_task(pool.run(stop))
        async with asyncio.timeout(5):
            while app_upstream.calls["healthz"] < 3:
                await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, 2)
        checks = app_upstream.calls["healthz"]
        await asyncio.sleep(0.1)
        assert app_upstream.calls["healthz"] == checks


async def test_snapshot_reports_each_upstream(
    app_upstream: Upstream, raw_upstream: RawUpstream
) -> None:
    async with build_client() as client:
        pool = UpstreamPool(
            {"jobs": app_upstream.base_url + "/", "ai": raw_upstream.url},
            client=client,
            unhealthy_after=1,
        )
        assert pool.snapshot() == {
            "jobs": {
                "url": app_upstream.base_url,
                "healthy": True,
                "last_check": None,
                "last_error": None,
            },
            "ai": {
                "url": raw_upstream.url,
                "healthy": True,
                "last_check": None,
                "last_error": None,
            },
        }
        await pool.probe_all()
        snapshot = pool.snapshot()
    assert snapshot["jobs"]["healthy"] is True
    assert snapshot["jobs"]["last_error"] is None
    assert snapshot["ai"]["healthy"] is False
    assert "ClientConnectorError" in str(snapshot["ai"]["last_error"])
    for entry in snapshot.values():
        checked = datetime.fromisoformat(str(entry["last_check"]))
        assert checked.tzinfo is not None


async def test_an_answer_cut_short_is_cut_short_for_the_client(
    raw_upstream: RawUpstream, start_gateway: StartGateway
) -> None:
    await raw_upstream.listen()
    raw_upstream.cut_short = True
    gw = await start_gateway(raw_upstream.url)
    async with gw.http.stream("GET", f"{PREFIX}/jobs") as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            await response.aread()
    assert errors(gw.service, "protocol") == 1


async def test_an_unrouted_path_is_404(app_upstream: Upstream, start_gateway: StartGateway) -> None:
    gw = await start_gateway(app_upstream.base_url)
    error = assert_error(await gw.http.get("/api/v1/nowhere/x"), 404, "not_found")
    assert "/api/v1/nowhere/x" in error["message"]


async def test_dot_segments_are_refused(
    app_upstream: Upstream, start_gateway: StartGateway
) -> None:
    gw = await start_gateway(app_upstream.base_url)
    # Resolved, this would leave the service's prefix; httpx sends %2e%2e as it is.
    response = await gw.http.get(f"{PREFIX}/echo/%2e%2e/%2e%2e/%2e%2e/admin")
    assert_error(response, 400, "bad_request")
    assert app_upstream.calls["echo"] == 0


async def test_every_routed_service_needs_an_upstream() -> None:
    async with build_client() as client:
        pool = UpstreamPool({"jobs": "http://127.0.0.1:9"}, client=client)
        with pytest.raises(ValueError, match="svc-x"):
            ProxyApp(table_for("svc-x"), pool, client)


class PagesService(ServedApp):
    """The admin service's side of the pages: sets cookies on sign-in, echoes them back."""

    thread_name = "pages-upstream"

    def __init__(self) -> None:
        super().__init__()
        self.app = Starlette(
            routes=[
                Route("/", self._page),
                Route("/login", self._login, methods=["GET", "POST"]),
                Route("/admin", self._page),
                Route("/admin/{rest:path}", self._page, methods=["GET", "POST"]),
                Route("/static/{rest:path}", self._page),
                Route("/api/admin/{rest:path}", self._page),
                Route("/healthz", self._page),
            ]
        )

    async def _login(self, request: Request) -> Response:
        response = Response(status_code=303, headers={"Location": "/admin"})
        response.raw_headers += [
            (b"set-cookie", b"jp_session=abc; HttpOnly; Path=/; SameSite=Lax"),
            (b"set-cookie", b"jp_csrf=xyz; HttpOnly; Path=/; SameSite=Strict"),
        ]
        return response

    async def _page(self, request: Request) -> Response:
        return JSONResponse(
            {
                "path": request.url.path,
                "cookie": request.headers.get("cookie"),
                "authorization": request.headers.get("authorization"),
            }
        )


def admin_table() -> RouteTable:
    """The admin service as the packaged table has it: its API and its pages."""
    from jobpilot.gateway.routes import load_routes

    admin = load_routes(check_registry=False).service("admin")
    return parse_routes(
        {
            "cors": {"origins": ["http://127.0.0.1:8080"], "methods": ["GET"], "headers": ["A"]},
            "services": [admin.model_dump(exclude_none=True)],
        }
    )


async def test_pages_and_the_admin_api_go_to_the_admin_upstream() -> None:
    from fakes.token_free_edge import TokenFreeComponents
    from jobpilot.gateway.app import GatewayApp
    from jobpilot.gateway.config import GatewaySettings
    from support import client_for

    with PagesService() as service:
        gateway = GatewayApp(
            admin_table(),
            GatewaySettings(upstreams={"admin": service.base_url}),
            # Its verifier fails the test if asked: pages never have their token checked.
            TokenFreeComponents(),
            cors_origins=[],
            max_body_bytes=1024,
        )
        async for client in client_for(gateway):
            login = await client.post("/login", data={"email": "a@example.com"})
            assert login.status_code == 303, login.text
            assert login.headers["location"] == "/admin"
            # Both cookies, attributes and all, as the service set them.
            assert login.headers.get_list("set-cookie") == [
                "jp_session=abc; HttpOnly; Path=/; SameSite=Lax",
                "jp_csrf=xyz; HttpOnly; Path=/; SameSite=Strict",
            ]
            assert login.headers["X-Upstream-Service"] == "admin"
            assert login.headers["RateLimit-Limit"] == "600"

            page = await client.get(
                "/admin/users",
                headers={"Cookie": "jp_session=abc; jp_csrf=xyz", "Authorization": "Bearer x"},
            )
            assert page.status_code == 200, page.text
            assert page.json() == {
                "path": "/admin/users",
                "cookie": "jp_session=abc; jp_csrf=xyz",
                # Passed on for the page to ignore; the gateway did not judge it.
                "authorization": "Bearer x",
            }
            for path in ("/", "/static/app.css", "/admin"):
                seen = await client.get(path)
                assert seen.status_code == 200, (path, seen.text)
                assert seen.json()["path"] == path

            # The admin API needs a token at the gateway; the service never sees the request.
            refused = await client.get("/api/admin/users")
            assert_error(refused, 401, "invalid_token")
            assert "X-Upstream-Service" not in refused.headers
            status = await client.get("/api/admin/status")
            assert status.status_code == 200, status.text

            # `/` is the home page alone; paths no service owns are still 404.
            for path in ("/index.html", "/administrators", "/api/v2/x"):
                assert_error(await client.get(path), 404, "not_found")

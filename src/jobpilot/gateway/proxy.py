"""The gateway's reverse proxy: each routed request (API or page) streamed to its service.

`ProxyApp` is the innermost app of the standalone gateway; the edge around it has already
checked the token, counted the rate limit and set the request id, so this module only moves
bytes. Bodies pass through unchanged in both directions (never decompressed, never buffered,
except the small bodies of idempotent requests, kept for a retry). `UpstreamPool` knows whether
each service's upstream takes traffic: connect failures and timeouts seen on real requests fence
an upstream off (passive checks), and a GET of its health path every few seconds lets it back in
(active checks, `UpstreamPool.run`). A fenced-off upstream costs a request a fast 503, not a
connect timeout.

The transport is aiohttp: its pool hands out an idle keep-alive connection without a system call
(httpx's polled every pooled socket on every request, and that poll cost the gateway most of its
throughput).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote, quote_from_bytes

import aiohttp
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

from jobpilot.gateway.metrics import gateway_metrics
from jobpilot.gateway.routes import RouteTable, ServiceRoute
from jobpilot.kit import tracing
from jobpilot.kit.errors import error_body

log = logging.getLogger("jobpilot.gateway.proxy")

Header = tuple[bytes, bytes]

# RFC 9110 section 7.6.1: meaningful for one connection only, so never forwarded either way.
# Proxy-Connection is not standard, but old clients still send it.
HOP_BY_HOP: Final = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Set by the proxy itself (a client's own X-Forwarded-Host or -Proto would be spoofing; its
# X-Forwarded-For chain is kept and extended). `Expect: 100-continue` was answered by the
# gateway's own server already, so the upstream gets the body without waiting.
_REPLACED_REQUEST: Final = frozenset(
    {
        b"host",
        b"x-forwarded-host",
        b"x-forwarded-proto",
        b"x-forwarded-for",
        b"x-request-id",
        b"expect",
    }
)
_XFF = b"x-forwarded-for"
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})

# Requests that may be sent twice: their body is buffered so a retry can send it again.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_BACKOFF_SECONDS: Final = 0.05
# Characters kept as they are when a raw path or query is re-encoded for the upstream URL; `%`
# keeps the client's escapes (`%2F` stays `%2F`), anything else outside ASCII is escaped.
_SAFE_PATH: Final = "/%!$&'()*+,;=:@-._~"
_SAFE_QUERY: Final = _SAFE_PATH + "?"
# The longest path and query sent on (the limit httpx had; aiohttp has none of its own).
MAX_TARGET_BYTES: Final = 65536
# Headers aiohttp would add when the client sent none: the client's own go up as they came.
_NO_AUTO_HEADERS: Final = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
# A response header line may be this long (aiohttp's default is 8 KiB; h11, before, took 16 KiB).
_MAX_HEADER_BYTES: Final = 16384

# Reasons counted towards fencing an upstream off: it cannot be reached or does not answer. A
# broken exchange (`protocol`) is usually one bad connection, not a dead service.
_HEALTH_REASONS: Final = frozenset({"connect", "timeout"})


class ClientDisconnected(Exception):
    """The client went away before its request body was read in full."""


def build_client(max_connections: int = 200) -> aiohttp.ClientSession:
    """The pooled HTTP client the proxy and the health checks share.

    An aiohttp session belongs to the event loop it is made in: make it in the loop that serves
    the proxy (the gateway does at lifespan startup) and `await session.close()` when done.
    """
    connector = aiohttp.TCPConnector(
        limit=max_connections,
        # One pool for every service: any of them may use all of it.
        limit_per_host=0,
        # Below uvicorn's 5 s keep-alive on the services, so the gateway drops an idle
        # connection before the service does and never sends a request into a closing one.
        keepalive_timeout=4,
        enable_cleanup_closed=False,
        use_dns_cache=True,
        ttl_dns_cache=10,
    )
    session = aiohttp.ClientSession(
        connector=connector,
        # Proxied requests carry their service's timeouts; this covers any other use.
        timeout=aiohttp.ClientTimeout(total=None, connect=5.0, sock_connect=5.0, sock_read=30.0),
        # HTTP(S)_PROXY and .netrc from the environment must never see service traffic.
        trust_env=False,
        # The client is shared by every user: it must not keep the services' Set-Cookie.
        cookie_jar=aiohttp.DummyCookieJar(),
        # Bytes pass through as they are: a gzip body stays gzip, Content-Length stays true.
        auto_decompress=False,
        skip_auto_headers=_NO_AUTO_HEADERS,
        max_line_size=_MAX_HEADER_BYTES,
        max_field_size=_MAX_HEADER_BYTES,
    )
    # aiohttp sends an idempotent request again, once and silently, when its connection drops.
    # The proxy's own retries (the route's count, logged, counted towards health) must be the
    # only ones; there is no public switch (tests/gateway/test_proxy.py counts the attempts).
    session._retry_connection = False
    return session


@dataclass
class _Upstream:
    url: str
    healthy: bool = True
    passive_failures: int = 0
    probe_failures: int = 0
    probe_successes: int = 0
    last_check: datetime | None = None
    last_error: str | None = None


class UpstreamPool:
    """Health of each service's upstream: passive (failures on real traffic) and active (probes).

    A fenced-off upstream comes back only through active checks, so `run` must be running.
    """

    def __init__(
        self,
        upstreams: Mapping[str, str],
        *,
        client: aiohttp.ClientSession,
        health_path: str = "/healthz",
        interval: float = 5.0,
        probe_timeout: float = 2.0,
        unhealthy_after: int = 3,
        healthy_after: int = 1,
    ) -> None:
        """Track `upstreams` (service name -> base URL), all healthy to begin with."""
        if interval <= 0 or probe_timeout <= 0 or unhealthy_after < 1 or healthy_after < 1:
            msg = "interval and probe_timeout must be positive, the thresholds at least 1"
            raise ValueError(msg)
        self._client = client
        self.health_path = "/" + health_path.lstrip("/")
        self.interval = interval
        self.probe_timeout = probe_timeout
        self._probe_timeouts = aiohttp.ClientTimeout(total=probe_timeout)
        self.unhealthy_after = unhealthy_after
        self.healthy_after = healthy_after
        self._upstreams = {name: _Upstream(url.rstrip("/")) for name, url in upstreams.items()}
        metrics = gateway_metrics()
        for name in self._upstreams:
            metrics.set_upstream_health(name, True)

    @property
    def services(self) -> tuple[str, ...]:
        """The names of the services this pool tracks."""
        return tuple(self._upstreams)

    @property
    def retry_after(self) -> int:
        """Seconds a client refused for a fenced-off upstream should wait: one check period."""
        return max(1, math.ceil(self.interval))

    def base_url(self, service: str) -> str:
        """The base URL of `service`'s upstream (KeyError for a service not tracked)."""
        return self._upstreams[service].url

    def is_healthy(self, service: str) -> bool:
        """Whether `service`'s upstream takes traffic now."""
        return self._upstreams[service].healthy

    def report_success(self, service: str) -> None:
        """A request got response headers from `service`'s upstream."""
        # Traffic reaches only healthy upstreams, so a success only breaks a run of failures;
        # bringing a fenced-off upstream back is the active checks' job.
        self._upstreams[service].passive_failures = 0

    def report_failure(self, service: str, reason: str, *, detail: str | None = None) -> None:
        """A request to `service`'s upstream failed (`connect`, `timeout` or `protocol`)."""
        gateway_metrics().upstream_error(service, reason)
        state = self._upstreams[service]
        state.last_error = f"{reason}: {detail}" if detail else reason
        if reason not in _HEALTH_REASONS:
            return
        state.passive_failures += 1
        if state.healthy and state.passive_failures >= self.unhealthy_after:
            self._mark_down(service, state, f"{state.passive_failures} failed requests")

    async def probe_all(self) -> None:
        """Run one round of active checks: GET each upstream's health path, 2xx is healthy."""
        await asyncio.gather(*(self._probe(name, s) for name, s in self._upstreams.items()))

    async def run(self, stop: asyncio.Event) -> None:
        """Check every upstream now and then every `interval` seconds until `stop` is set."""
        while not stop.is_set():
            try:
                await self.probe_all()
            except Exception:
                # A bug in one round must not end the checks: nothing would come back up.
                log.exception("upstream health checks failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    def snapshot(self) -> dict[str, dict[str, object]]:
        """Each upstream's URL, health, last active check (ISO 8601) and last error."""
        return {
            name: {
                "url": s.url,
                "healthy": s.healthy,
                "last_check": s.last_check.isoformat() if s.last_check else None,
                "last_error": s.last_error,
            }
            for name, s in self._upstreams.items()
        }

    async def _probe(self, name: str, state: _Upstream) -> None:
        error: str | None = None
        try:
            async with self._client.get(
                state.url + self.health_path,
                timeout=self._probe_timeouts,
                allow_redirects=False,
            ) as response:
                # Read to the end, so the connection goes back to the pool.
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = _describe(exc)
        else:
            if not 200 <= response.status < 300:
                error = f"{self.health_path} answered HTTP {response.status}"
        state.last_check = datetime.now(UTC)
        if error is None:
            state.probe_failures = 0
            state.probe_successes += 1
            if not state.healthy and state.probe_successes >= self.healthy_after:
                self._mark_up(name, state)
            return
        state.last_error = error
        state.probe_successes = 0
        state.probe_failures += 1
        if state.healthy and state.probe_failures >= self.unhealthy_after:
            self._mark_down(name, state, f"{state.probe_failures} failed health checks")

    def _mark_down(self, name: str, state: _Upstream, why: str) -> None:
        state.healthy = False
        state.passive_failures = state.probe_failures = state.probe_successes = 0
        gateway_metrics().set_upstream_health(name, False)
        log.warning(
            "upstream %s (%s) is down after %s (last: %s); its requests get 503 until a "
            "health check passes",
            name,
            state.url,
            why,
            state.last_error,
        )

    def _mark_up(self, name: str, state: _Upstream) -> None:
        state.healthy = True
        state.passive_failures = state.probe_failures = state.probe_successes = 0
        gateway_metrics().set_upstream_health(name, True)
        log.info("upstream %s (%s) is back: %s answered", name, state.url, self.health_path)


class _Upload:
    """A POST or PATCH body, sent on as it arrives: never buffered, so never sent twice.

    aiohttp has no write timeout: while the request goes up, each chunk must be taken by the
    upstream's socket within the route's write timeout or the request is given up. The time spent
    waiting for the client's next chunk does not count.
    """

    def __init__(self, receive: Receive, write_timeout: float) -> None:
        self._receive = receive
        self._write_timeout = write_timeout
        self._deadline: asyncio.Timeout | None = None

    @contextlib.asynccontextmanager
    async def write_deadlines(self) -> AsyncIterator[None]:
        """Give up the block (TimeoutError) when a chunk is not taken in time."""
        async with asyncio.timeout(None) as deadline:
            self._deadline = deadline
            try:
                yield
            finally:
                self._deadline = None

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body, as the client sends it (aiohttp pulls the next chunk once one is taken)."""
        loop = asyncio.get_running_loop()
        while True:
            self._arm(None)
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            body: bytes = message.get("body", b"")
            if body:
                self._arm(loop.time() + self._write_timeout)
                yield body
            if not message.get("more_body", False):
                self._arm(None)
                return

    def _arm(self, when: float | None) -> None:
        # aiohttp pulls the body in a task of its own, which may outlive the deadline's block.
        deadline = self._deadline
        if deadline is not None and not deadline.expired():
            deadline.reschedule(when)


@dataclass(frozen=True)
class _Route:
    """A service's timeouts and attempts, as the route table gives them."""

    timeout: aiohttp.ClientTimeout
    connect: float
    write: float
    retries: int

    @classmethod
    def of(cls, table: RouteTable, service: ServiceRoute) -> _Route:
        connect_ms, read_ms, write_ms, retries = table.timeouts(service)
        connect = connect_ms / 1000
        timeout = aiohttp.ClientTimeout(
            total=None, connect=connect, sock_connect=connect, sock_read=read_ms / 1000
        )
        return cls(timeout, connect, write_ms / 1000, retries)


@dataclass(frozen=True)
class _Outgoing:
    """What every attempt of one proxied request sends."""

    method: str
    path: str
    url: URL
    headers: list[tuple[str, str]]
    body: bytes | _Upload | None
    timeout: aiohttp.ClientTimeout


@dataclass(frozen=True)
class _Failure:
    """The error answer for a request no upstream response came for."""

    status: int
    code: str
    message: str


class ProxyApp:
    """ASGI app forwarding each path of the route table to the owning service's upstream.

    Cookies pass both ways untouched (the client's `Cookie` up, every `Set-Cookie` down): the
    pages sign in by them, and the shared client keeps none (`DummyCookieJar`).
    """

    def __init__(
        self, table: RouteTable, pool: UpstreamPool, client: aiohttp.ClientSession
    ) -> None:
        """Forward by `table`'s routes to `pool`'s upstreams over `client`."""
        missing = sorted({s.name for s in table.services} - set(pool.services))
        if missing:
            msg = f"no upstream for service(s) {', '.join(missing)}"
            raise ValueError(msg)
        self.table = table
        self.pool = pool
        self.client = client
        self._routes = {s.name: _Route.of(table, s) for s in table.services}
        # A request takes one of the pool's connections from sending until its response is
        # relayed. Waiting for one here, rather than in aiohttp's pool, tells a gateway that is
        # out of connections (which says nothing about the upstream) from an upstream that does
        # not accept them.
        limit = client.connector.limit if client.connector is not None else 0
        self._slots = asyncio.Semaphore(limit) if limit else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection: HTTP requests are proxied, anything else is refused."""
        if scope["type"] == "lifespan":
            return
        if scope["type"] == "websocket":
            # No service speaks WebSocket; closing before accepting is an HTTP 403 to the client.
            await receive()
            await send({"type": "websocket.close", "code": 1000})
            return
        path: str = scope["path"]
        if any(segment in {".", ".."} for segment in path.split("/")):
            # The upstream would resolve them, serving a path the table never matched.
            message = f"The path {path} has . or .. segments."
            await _error(scope, receive, send, 400, "bad_request", message)
            return
        service = self.table.route_for(path)
        if service is None:
            await _error(scope, receive, send, 404, "not_found", f"No service serves {path}.")
            return
        if not self.pool.is_healthy(service.name):
            # Fenced off: answer at once rather than let every client wait for a timeout.
            gateway_metrics().upstream_error(service.name, "unhealthy")
            message = f"The {service.name} service is unavailable; try again shortly."
            headers = {"Retry-After": str(self.pool.retry_after)}
            await _error(scope, receive, send, 503, "upstream_unavailable", message, headers)
            return
        try:
            await self._forward(scope, receive, send, service)
        except ClientDisconnected:
            log.debug("client left %s %s before sending its body", scope["method"], path)

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, service: ServiceRoute
    ) -> None:
        method: str = scope["method"]
        route = self._routes[service.name]
        target = _target(scope)
        if len(target) > MAX_TARGET_BYTES:
            message = f"Cannot forward: the URL is longer than {MAX_TARGET_BYTES} bytes."
            await _error(scope, receive, send, 400, "bad_request", message)
            return
        try:
            url = URL(self.pool.base_url(service.name) + target, encoded=True)
        except ValueError as exc:
            await _error(scope, receive, send, 400, "bad_request", f"Cannot forward: {exc}.")
            return
        body: bytes | _Upload | None
        if method in IDEMPOTENT_METHODS:
            # None, not b"": aiohttp would add `Content-Length: 0` to a GET.
            body = await _read_body(receive) or None
            attempts = route.retries + 1
        else:
            # POST and PATCH may have done their work before failing: never sent twice, so
            # their body (uploads) goes up as it arrives.
            body = _Upload(receive, route.write)
            attempts = 1
        outgoing = _Outgoing(
            method=method,
            path=scope["path"],
            url=url,
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in _request_headers(scope)
            ],
            body=body,
            timeout=route.timeout,
        )
        if self._slots is not None and not await _acquire(self._slots, route.connect):
            # Every pooled connection is busy (the pool is shared by all services): the
            # gateway is saturated, which says nothing about this upstream's health.
            gateway_metrics().upstream_error(service.name, "timeout")
            log.warning(
                "%s %s to %s: no free upstream connection in time",
                method,
                outgoing.path,
                service.name,
            )
            failure = _Failure(504, "gateway_timeout", _timeout_message(service.name))
            await _error(scope, receive, send, failure.status, failure.code, failure.message)
            return
        try:
            outcome = await self._send(service, outgoing, attempts)
            if isinstance(outcome, _Failure):
                await _error(scope, receive, send, outcome.status, outcome.code, outcome.message)
                return
            await self._relay(scope, receive, send, service, outcome)
        finally:
            if self._slots is not None:
                self._slots.release()

    async def _send(
        self, service: ServiceRoute, outgoing: _Outgoing, attempts: int
    ) -> aiohttp.ClientResponse | _Failure:
        """The upstream's response (body unread), or the failure to answer the client with."""
        name, method, path = service.name, outgoing.method, outgoing.path
        for attempt in range(1, attempts + 1):
            body = outgoing.body
            started = time.perf_counter()
            try:
                if isinstance(body, _Upload):
                    async with body.write_deadlines():
                        response = await self._request(outgoing, body.chunks())
                else:
                    response = await self._request(outgoing, body)
            except (aiohttp.ClientError, TimeoutError) as exc:
                if _client_left(exc):
                    # The client's body broke off: nothing the upstream did.
                    raise ClientDisconnected from exc
                reason = _reason(exc)
                self.pool.report_failure(name, reason, detail=_describe(exc))
                retry = attempt < attempts and _retryable(exc)
                log.warning(
                    "%s %s to %s failed (attempt %d of %d, %s): %s%s",
                    method,
                    path,
                    name,
                    attempt,
                    attempts,
                    reason,
                    _describe(exc),
                    "; retrying" if retry else "",
                )
                if retry:
                    await asyncio.sleep(RETRY_BACKOFF_SECONDS * attempt)
                    continue
                return _failure_for(name, reason)
            prefix = service.matches(path) or path
            gateway_metrics().upstream_duration.labels(name, prefix).observe(
                time.perf_counter() - started
            )
            self.pool.report_success(name)
            return response
        raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover

    async def _request(
        self, outgoing: _Outgoing, data: bytes | AsyncIterator[bytes] | None
    ) -> aiohttp.ClientResponse:
        # The client's Content-Length goes up with its body; without one, a streamed body goes
        # chunked. Host is the upstream's (aiohttp sets it from the URL).
        return await self.client.request(
            outgoing.method,
            outgoing.url,
            headers=outgoing.headers,
            data=data,
            allow_redirects=False,
            timeout=outgoing.timeout,
        )

    async def _relay(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        service: ServiceRoute,
        response: aiohttp.ClientResponse,
    ) -> None:
        """Stream `response` to the client, stopping when the client leaves."""
        relay = asyncio.create_task(self._stream(scope, send, service, response))
        left = asyncio.create_task(_wait_for_disconnect(receive))
        try:
            await asyncio.wait({relay, left}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            relay.cancel()
            left.cancel()
            try:
                await asyncio.wait({relay, left})
            finally:
                # A response read to the end has given its connection back to the pool already;
                # otherwise closing drops the upstream connection, so a client that leaves
                # mid-stream does not keep the upstream producing for nobody.
                response.close()
        if relay.cancelled():
            log.debug("client left %s %s mid-response", scope["method"], scope["path"])
            return
        error = relay.exception()
        if error is not None:
            raise error

    async def _stream(
        self, scope: Scope, send: Send, service: ServiceRoute, response: aiohttp.ClientResponse
    ) -> None:
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": _strip_hop_by_hop(response.raw_headers),
                }
            )
            # Raw bytes: a gzip body stays gzip, and Content-Length stays true.
            async for chunk in response.content.iter_any():
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except (aiohttp.ClientError, TimeoutError) as exc:
            if _client_left(exc):
                # The upstream answered before the client's body broke off.
                raise ClientDisconnected from exc
            # Headers are gone: all that is left is to cut the response short.
            reason = _reason(exc)
            self.pool.report_failure(service.name, reason, detail=_describe(exc))
            log.warning(
                "%s %s from %s broke off mid-response (%s): %s",
                scope["method"],
                scope["path"],
                service.name,
                reason,
                _describe(exc),
            )
            raise


def _target(scope: Scope) -> str:
    """The request's path and query as the client encoded them."""
    raw_path: bytes | None = scope.get("raw_path")
    if raw_path is None:
        # Only the decoded path is known: a `%` in it is a character, not an escape.
        target = quote(scope["path"], safe=_SAFE_PATH.replace("%", ""))
    else:
        # A raw path holds no `?` (it starts the query); some servers put the query in anyway.
        target = quote_from_bytes(raw_path.split(b"?", 1)[0], safe=_SAFE_PATH)
    query: bytes = scope.get("query_string", b"")
    if query:
        target += "?" + quote_from_bytes(query, safe=_SAFE_QUERY)
    return target


def _strip_hop_by_hop(headers: Iterable[Header]) -> list[Header]:
    """`headers` (names lower-cased) without hop-by-hop ones and those `Connection` names."""
    pairs = [(name.lower(), value) for name, value in headers]
    named = {
        token.strip().lower()
        for name, value in pairs
        if name == b"connection"
        for token in value.split(b",")
    }
    return [(name, value) for name, value in pairs if name not in HOP_BY_HOP and name not in named]


def _request_headers(scope: Scope) -> list[Header]:
    """The client's headers for the upstream, with the X-Forwarded-* set and the request id."""
    incoming = _strip_hop_by_hop(scope.get("headers", []))
    headers = [(name, value) for name, value in incoming if name not in _REPLACED_REQUEST]
    host = next((value for name, value in incoming if name == b"host"), None)
    if host is not None:
        headers.append((b"x-forwarded-host", host))
    headers.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode("latin-1")))
    chain = b", ".join(value.strip() for name, value in incoming if name == _XFF and value.strip())
    client = scope.get("client")
    if client:
        address = str(client[0]).encode("latin-1")
        chain = chain + b", " + address if chain else address
    if chain:
        headers.append((_XFF, chain))
    request_id = _request_id(scope, incoming)
    if request_id is not None:
        headers.append((b"x-request-id", request_id))
    if trace := tracing.carrier():
        # The gateway's span is the service's parent now; untraced, the client's passes through.
        headers = [(name, value) for name, value in headers if name not in _TRACE_HEADERS]
        headers += [(name.encode(), value.encode()) for name, value in trace.items()]
    return headers


def _request_id(scope: Scope, incoming: list[Header]) -> bytes | None:
    state = scope.get("state")
    from_edge = state.get("request_id") if isinstance(state, dict) else None
    if isinstance(from_edge, str) and from_edge:
        return from_edge.encode("latin-1")
    return next((value for name, value in incoming if name == b"x-request-id"), None)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _acquire(slots: asyncio.Semaphore, wait: float) -> bool:
    """Take one of `slots`, waiting `wait` seconds at most for one to come free."""
    if not slots.locked():
        await slots.acquire()  # at once
        return True
    try:
        async with asyncio.timeout(wait):
            await slots.acquire()
    except TimeoutError:
        return False
    return True


def _client_left(exc: BaseException) -> bool:
    """Whether `exc` is aiohttp's report of the client's body breaking off (its cause)."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, ClientDisconnected):
            return True
        cause = cause.__cause__
    return False


def _reason(exc: BaseException) -> str:
    # aiohttp's connect and read timeouts are TimeoutErrors too, and so is a write deadline.
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect"
    return "protocol"


def _retryable(exc: BaseException) -> bool:
    """Whether an idempotent request may be sent again after `exc`."""
    # The connection failed before the upstream could act on it (or a pooled one had gone
    # stale). A read timeout is not retried: the upstream may still be working on it, and a
    # retry would double its load and the client's wait.
    return isinstance(exc, aiohttp.ConnectionTimeoutError) or not isinstance(exc, TimeoutError)


def _failure_for(service: str, reason: str) -> _Failure:
    if reason == "timeout":
        return _Failure(504, "gateway_timeout", _timeout_message(service))
    if reason == "connect":
        return _Failure(502, "bad_gateway", f"The {service} service could not be reached.")
    return _Failure(502, "bad_gateway", f"The {service} service sent no valid response.")


def _timeout_message(service: str) -> str:
    return f"The {service} service did not answer in time."


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _error(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    response = JSONResponse(error_body(code, message), status_code=status, headers=headers)
    await response(scope, receive, send)

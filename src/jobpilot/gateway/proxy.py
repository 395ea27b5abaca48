"""The gateway's reverse proxy: each `/api/v1/...` request streamed to the owning service.

`ProxyApp` is the innermost app of the standalone gateway; the edge around it has already
checked the token, counted the rate limit and set the request id, so this module only moves
bytes. Bodies pass through unchanged in both directions (never decompressed, never buffered,
except the small bodies of idempotent requests, kept for a retry). `UpstreamPool` knows whether
each service's upstream takes traffic: connect failures and timeouts seen on real requests fence
an upstream off (passive checks), and a GET of its health path every few seconds lets it back in
(active checks, `UpstreamPool.run`). A fenced-off upstream costs a request a fast 503, not a
connect timeout.
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
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Final
from urllib.parse import quote, quote_from_bytes

import httpx
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from jobpilot.gateway.metrics import gateway_metrics
from jobpilot.gateway.routes import RouteTable, ServiceRoute
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

# Requests that may be sent twice: their body is buffered so a retry can send it again.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_BACKOFF_SECONDS: Final = 0.05
# Characters kept as they are when a raw path or query is re-encoded for the upstream URL; `%`
# keeps the client's escapes (`%2F` stays `%2F`), anything else outside ASCII is escaped.
_SAFE_PATH: Final = "/%!$&'()*+,;=:@-._~"
_SAFE_QUERY: Final = _SAFE_PATH + "?"

# Reasons counted towards fencing an upstream off: it cannot be reached or does not answer. A
# broken exchange (`protocol`) is usually one bad connection, not a dead service.
_HEALTH_REASONS: Final = frozenset({"connect", "timeout"})


class ClientDisconnected(Exception):
    """The client went away before its request body was read in full."""


def build_client(max_connections: int = 200) -> httpx.AsyncClient:
    """The pooled HTTP client the proxy and the health checks share."""
    return httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            # Below uvicorn's 5 s keep-alive on the services, so the gateway drops an idle
            # connection before the service does and never sends a request into a closing one.
            keepalive_expiry=4,
        ),
        # Proxied requests carry their service's timeouts; this covers any other use.
        timeout=httpx.Timeout(5.0, read=30.0, write=30.0),
        follow_redirects=False,
        # HTTP(S)_PROXY and .netrc from the environment must never see service traffic.
        trust_env=False,
        # The client is shared by every user: it must not keep the services' Set-Cookie.
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
    )


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
        client: httpx.AsyncClient,
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
            response = await self._client.get(
                state.url + self.health_path, timeout=self.probe_timeout
            )
        except httpx.HTTPError as exc:
            error = _describe(exc)
        else:
            if not response.is_success:
                error = f"{self.health_path} answered HTTP {response.status_code}"
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


@dataclass(frozen=True)
class _Outgoing:
    """What every attempt of one proxied request sends."""

    method: str
    path: str
    url: httpx.URL
    headers: list[Header]
    content: bytes | AsyncIterator[bytes]
    timeout: httpx.Timeout


@dataclass(frozen=True)
class _Failure:
    """The error answer for a request no upstream response came for."""

    status: int
    code: str
    message: str


class ProxyApp:
    """ASGI app forwarding /api/v1/... to the owning service's upstream."""

    def __init__(self, table: RouteTable, pool: UpstreamPool, client: httpx.AsyncClient) -> None:
        """Forward by `table`'s routes to `pool`'s upstreams over `client`."""
        missing = sorted({s.name for s in table.services} - set(pool.services))
        if missing:
            msg = f"no upstream for service(s) {', '.join(missing)}"
            raise ValueError(msg)
        self.table = table
        self.pool = pool
        self.client = client

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
            # httpx would resolve them, sending the request to a path the table never matched.
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
        connect_ms, read_ms, write_ms, retries = self.table.timeouts(service)
        timeout = httpx.Timeout(
            connect=connect_ms / 1000,
            read=read_ms / 1000,
            write=write_ms / 1000,
            pool=connect_ms / 1000,
        )
        try:
            url = httpx.URL(self.pool.base_url(service.name) + _target(scope))
        except httpx.InvalidURL as exc:  # longer than httpx takes (64 KiB)
            await _error(scope, receive, send, 400, "bad_request", f"Cannot forward: {exc}.")
            return
        content: bytes | AsyncIterator[bytes]
        if method in IDEMPOTENT_METHODS:
            content = await _read_body(receive)
            attempts = retries + 1
        else:
            # POST and PATCH may have done their work before failing: never sent twice, so
            # their body (uploads) goes up as it arrives.
            content = _stream_body(receive)
            attempts = 1
        outgoing = _Outgoing(
            method=method,
            path=scope["path"],
            url=url,
            headers=_request_headers(scope),
            content=content,
            timeout=timeout,
        )
        outcome = await self._send(service, outgoing, attempts)
        if isinstance(outcome, _Failure):
            await _error(scope, receive, send, outcome.status, outcome.code, outcome.message)
            return
        await self._relay(scope, receive, send, service, outcome)

    async def _send(
        self, service: ServiceRoute, outgoing: _Outgoing, attempts: int
    ) -> httpx.Response | _Failure:
        """The upstream's response (body unread), or the failure to answer the client with."""
        name, method, path = service.name, outgoing.method, outgoing.path
        for attempt in range(1, attempts + 1):
            request = httpx.Request(
                method,
                outgoing.url,
                headers=outgoing.headers,
                content=outgoing.content,
                extensions={"timeout": outgoing.timeout.as_dict()},
            )
            started = time.perf_counter()
            try:
                response = await self.client.send(request, stream=True, follow_redirects=False)
            except httpx.PoolTimeout:
                # Every pooled connection is busy (the pool is shared by all services): the
                # gateway is saturated, which says nothing about this upstream's health.
                gateway_metrics().upstream_error(name, "timeout")
                log.warning("%s %s to %s: no free upstream connection in time", method, path, name)
                return _Failure(504, "gateway_timeout", _timeout_message(name))
            except httpx.TransportError as exc:
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

    async def _relay(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        service: ServiceRoute,
        response: httpx.Response,
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
                # Closing drops the upstream connection when the body is unread, so a client
                # that leaves mid-stream does not keep the upstream producing for nobody.
                await response.aclose()
        if relay.cancelled():
            log.debug("client left %s %s mid-response", scope["method"], scope["path"])
            return
        error = relay.exception()
        if error is not None:
            raise error

    async def _stream(
        self, scope: Scope, send: Send, service: ServiceRoute, response: httpx.Response
    ) -> None:
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": _strip_hop_by_hop(response.headers.raw),
                }
            )
            # Raw bytes: a gzip body stays gzip, and Content-Length stays true.
            async for chunk in response.aiter_raw():
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except httpx.TransportError as exc:
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


async def _stream_body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        body: bytes = message.get("body", b"")
        if body:
            yield body
        if not message.get("more_body", False):
            return


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    return "protocol"


def _retryable(exc: httpx.TransportError) -> bool:
    """Whether an idempotent request may be sent again after `exc`."""
    # The connection failed before the upstream could act on it (or a pooled one had gone
    # stale). A read timeout is not retried: the upstream may still be working on it, and a
    # retry would double its load and the client's wait.
    return not isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout)


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

"""The edge: what the gateway does to every request for a service before the service sees it.

One pure ASGI middleware applies the route table in front of any app: in `jobpilot serve` it wraps
the services themselves (no network hop), in `jobpilot gateway` it wraps the proxy. For each path
under a table prefix it

1. drops headers a client must not set (`X-Upstream-Service`, anything `X-JobPilot-*`),
2. demands a valid access token where the table says so (signature, claims and revocation, by the
   `kit` verifier), answering 401 itself,
3. counts the request against the service's limit, per user or else per client address, answering
   429 (or 503 when the shared store is down and the gateway is not fault tolerant),
4. passes the request on, and adds `RateLimit-*` and `X-Upstream-Service` to the response,
5. records the gateway metrics (requests, latency total and upstream, bytes, by service and route).

CORS and the request id sit outside this middleware (Starlette's CORSMiddleware and
`kit.http.ObservabilityMiddleware`), so refusals here carry both. The web pages a service owns
(the table's `pages`) take no token, whatever the request carries: a page signs in by its own
cookies and checks CSRF itself, so the edge only counts them per client address (step 3) and
passes their cookies both ways untouched. Paths no service owns (`/healthz`, `/metrics`) pass
through untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobpilot.gateway.metrics import gateway_metrics
from jobpilot.gateway.ratelimit import Decision, RateLimiter, RateLimitUnavailable, key_for
from jobpilot.gateway.routes import Cors, RouteTable, ServiceRoute
from jobpilot.kit.authn import EDGE_PRINCIPAL, InvalidToken, Principal, TokenVerifier, bearer_from
from jobpilot.kit.errors import JobPilotError, ServiceUnavailable, error_body

UPSTREAM_HEADER = "X-Upstream-Service"
REQUEST_ID_HEADER = "X-Request-ID"
# Headers only the gateway may set; a client sending them is ignored, a service's are not leaked.
_INTERNAL_PREFIX = b"x-jobpilot-"
_INTERNAL_REQUEST = frozenset({b"x-upstream-service"})
_UPSTREAM_RAW = UPSTREAM_HEADER.lower().encode()
# Response headers the edge sets itself, replacing any the app sent.
_OURS = frozenset(
    {
        _UPSTREAM_RAW,
        b"ratelimit-limit",
        b"ratelimit-remaining",
        b"ratelimit-reset",
        b"ratelimit-policy",
    }
)
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = logging.getLogger("jobpilot.gateway.edge")


class KeysUnavailable(ServiceUnavailable):
    """The auth service's public keys could not be fetched, so no token can be checked."""

    code = "auth_keys_unavailable"
    default_message = "Access tokens cannot be checked right now; try again shortly."


def cors_options(cors: Cors, origins: Sequence[str]) -> dict[str, Any]:
    """Starlette CORSMiddleware options for the table's CORS policy and the origins in force."""
    return {
        "allow_origins": list(origins),
        "allow_methods": list(cors.methods),
        "allow_headers": [*cors.headers, REQUEST_ID_HEADER],
        # Browsers hide response headers from scripts unless they are listed here.
        "expose_headers": [
            REQUEST_ID_HEADER,
            UPSTREAM_HEADER,
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
            "RateLimit-Policy",
            "Retry-After",
        ],
        # Bearer tokens, not cookies, authenticate API calls (as in the generated Kong config).
        "allow_credentials": False,
        "max_age": cors.max_age_seconds,
    }


class EdgeComponents(Protocol):
    """What the edge needs at request time: the token verifier and the rate limiter."""

    @property
    def verifier(self) -> TokenVerifier: ...
    @property
    def rate_limiter(self) -> RateLimiter: ...


class EdgeMiddleware:
    """Applies the route table (tokens, limits, header rules, metrics) in front of `app`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        table: RouteTable,
        components: Callable[[Scope], EdgeComponents],
        record_upstream: bool = True,
    ) -> None:
        """`components` finds the verifier and limiter for a request (they live in the lifespan).

        `record_upstream=False` leaves the upstream latency to the app inside (the proxy times
        the upstream's response itself); embedded, the app's time is the upstream's.
        """
        self.app = app
        self.table = table
        self.components = components
        self.record_upstream = record_upstream
        self.metrics = gateway_metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        service = self.table.route_for(path)
        if service is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = service.route_of(path) or path
        raw_method: str = scope.get("method", "GET")
        method = raw_method if raw_method in _KNOWN_METHODS else "OTHER"
        scope["headers"], authorization = _request_headers(scope.get("headers", ()))
        status = 500
        upstream_s: float | None = None
        bytes_in = 0
        bytes_out = 0

        async def counting_send(message: Message) -> None:
            nonlocal status, bytes_out
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                bytes_out += len(message.get("body", b""))
            await send(message)

        try:
            refusal, decision = await self._admit(scope, service, path, authorization)
            if refusal is not None:
                await self._refuse(scope, refusal, decision)(scope, receive, counting_send)
                return
            assert decision is not None
            forwarded_at = time.perf_counter()

            async def counting_receive() -> Message:
                nonlocal bytes_in
                message = await receive()
                if message["type"] == "http.request":
                    bytes_in += len(message.get("body", b""))
                return message

            async def decorating_send(message: Message) -> None:
                nonlocal upstream_s
                if message["type"] == "http.response.start":
                    upstream_s = time.perf_counter() - forwarded_at
                    message["headers"] = _response_headers(
                        message.get("headers", ()), decision, service.name
                    )
                await counting_send(message)

            await self.app(scope, counting_receive, decorating_send)
        finally:
            self.metrics.observe(
                service=service.name,
                route=route,
                method=method,
                status=status,
                duration_s=time.perf_counter() - started,
                upstream_s=upstream_s if self.record_upstream else None,
                bytes_in=bytes_in,
                bytes_out=bytes_out,
            )

    async def _admit(
        self, scope: Scope, service: ServiceRoute, path: str, authorization: bytes
    ) -> tuple[JobPilotError | None, Decision | None]:
        """The refusal to answer with (if any), and the rate-limit decision taken."""
        components = self.components(scope)
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if service.matches(path) is None:
            # A page: its Authorization header (if any) is none of the edge's business, and its
            # count is its own, so browsing does not use up the API's limit.
            return await self._count(
                components,
                key_for(f"{service.name}:pages", None, address),
                service.page_limit,
                service,
            )
        needs_token = service.jwt and not service.is_public(path) and scope["method"] != "OPTIONS"
        token = bearer_from(authorization.decode("latin-1"))
        principal: Principal | None = None
        if token is not None:
            try:
                principal = await components.verifier.verify(token)
            except InvalidToken as exc:
                # A service without the gateway's token rule (auth) judges the token itself.
                if needs_token:
                    return exc, None
            except Exception as exc:  # any failure to fetch the keys is a 503
                log.warning("cannot verify access tokens: %s: %s", type(exc).__name__, exc)
                if needs_token:
                    return KeysUnavailable(headers={"Retry-After": "5"}), None
        elif needs_token:
            return InvalidToken("Sign in: this needs an access token."), None
        key = key_for(service.name, str(principal.user_id) if principal else None, address)
        refusal, decision = await self._count(
            components, key, service.rate_limit_per_minute, service
        )
        if refusal is None and principal is not None and token is not None:
            # The service behind an embedded edge reuses this verification for the same token.
            scope.setdefault("state", {})[EDGE_PRINCIPAL] = (token, principal)
        return refusal, decision

    @staticmethod
    async def _count(
        components: EdgeComponents, key: str, limit: int, service: ServiceRoute
    ) -> tuple[JobPilotError | None, Decision | None]:
        """Count one request against `limit` for `key`: the refusal if over it, the decision."""
        try:
            decision = await components.rate_limiter.hit(key, limit, service=service.name)
        except RateLimitUnavailable as exc:
            return exc, None
        if not decision.allowed:
            return decision.refusal(), decision
        return None, decision

    def _refuse(
        self, scope: Scope, error: JobPilotError, decision: Decision | None
    ) -> JSONResponse:
        headers = dict(error.headers or {})
        if decision is not None:
            headers.update(decision.headers())
        state = scope.get("state")
        request_id = state.get("request_id") if isinstance(state, dict) else None
        if isinstance(request_id, str):
            headers[REQUEST_ID_HEADER] = request_id
        return JSONResponse(
            error_body(error.code, error.message, error.details),
            status_code=error.status,
            headers=headers,
        )


def _request_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers without the internal ones a client must not send, and the Authorization."""
    kept = []
    authorization = b""
    for name, value in headers:
        if name in _INTERNAL_REQUEST or name.startswith(_INTERNAL_PREFIX):
            continue
        if name == b"authorization":
            authorization = value
        kept.append((name, value))
    return kept, authorization


def _response_headers(
    headers: Iterable[tuple[bytes, bytes]], decision: Decision, service: str
) -> list[tuple[bytes, bytes]]:
    """The app's headers without internal ones or any we set, then ours."""
    out = [
        (name, value)
        for name, value in headers
        if name.lower() not in _OURS and not name.lower().startswith(_INTERNAL_PREFIX)
    ]
    out += decision.raw_headers()
    out.append((_UPSTREAM_RAW, service.encode()))
    return out

"""The standalone gateway: the edge in front of a proxy to each service's own process.

`jobpilot gateway --port 8080` serves this app. It has no database: tokens are checked with the
auth service's published keys and the shared revocation list (Redis), limits count in Redis when
one is configured, and every request the route table routes is streamed to the owning service's
upstream (the pages, `/`, `/login`, `/admin`..., and `/api/admin` to the admin service's). It
answers `/healthz` (the gateway itself), `/readyz` (each upstream's health; 503 when none can
take traffic) and `/metrics`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

import aiohttp
from opentelemetry.sdk.trace import TracerProvider
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from jobpilot.gateway.config import GatewaySettings
from jobpilot.gateway.edge import EdgeComponents, EdgeMiddleware, cors_options
from jobpilot.gateway.metrics import UNROUTED
from jobpilot.gateway.proxy import ProxyApp, UpstreamPool, build_client
from jobpilot.gateway.routes import RouteTable
from jobpilot.kit.http import BodySizeLimitMiddleware, ObservabilityMiddleware
from jobpilot.kit.metrics import render_metrics
from jobpilot.kit.tracing import ServerSpanMiddleware, shutdown_tracing

GATEWAY_SERVICE = "gateway"


class GatewayComponents(EdgeComponents, Protocol):
    """The edge's verifier and limiter, and a way to release their connections."""

    async def aclose(self) -> None:
        """Close every connection the components hold."""


class _Dispatch:
    """The gateway's own three paths, and the proxy for everything else."""

    def __init__(self, proxy: ProxyApp, pool: UpstreamPool) -> None:
        self.proxy = proxy
        self.pool = pool

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == "/healthz":
                await JSONResponse({"status": "ok"})(scope, receive, send)
                return
            if path == "/readyz":
                await self._ready()(scope, receive, send)
                return
            if path == "/metrics":
                body, content_type = render_metrics()
                await Response(body, media_type=content_type)(scope, receive, send)
                return
        await self.proxy(scope, receive, send)

    def _ready(self) -> JSONResponse:
        upstreams = self.pool.snapshot()
        healthy = sum(1 for u in upstreams.values() if u["healthy"])
        status = "ready" if healthy == len(upstreams) else "degraded" if healthy else "down"
        return JSONResponse(
            {"status": status, "upstreams": upstreams}, status_code=503 if not healthy else 200
        )


class GatewayApp:
    """The ASGI app `jobpilot gateway` serves, with its lifespan (health checks, clean close).

    The proxy's HTTP client belongs to the event loop that serves the gateway, so the client, the
    upstream pool and the app around them are made at lifespan startup: nothing is served before.
    """

    def __init__(
        self,
        table: RouteTable,
        config: GatewaySettings,
        components: GatewayComponents,
        *,
        cors_origins: list[str],
        max_body_bytes: int,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        """Keep what the app is made of; `lifespan.startup` makes it."""
        self.tracer_provider = tracer_provider
        self.table = table
        self.config = config
        self.components = components
        self.cors_origins = cors_origins
        self.max_body_bytes = max_body_bytes
        self.client: aiohttp.ClientSession | None = None
        self.pool: UpstreamPool | None = None
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if self.app is None:
            msg = "the gateway serves requests only after its lifespan startup"
            raise RuntimeError(msg)
        await self.app(scope, receive, send)

    def _build(self, client: aiohttp.ClientSession) -> tuple[UpstreamPool, ASGIApp]:
        """Request id and metrics, then CORS, then the edge, then the proxy over `client`."""
        table, config, components = self.table, self.config, self.components
        pool = UpstreamPool(
            config.upstreams,
            client=client,
            health_path=table.health.path,
            interval=config.health_interval_seconds or table.health.interval_seconds,
            probe_timeout=table.health.timeout_seconds,
            unhealthy_after=table.health.unhealthy_after,
        )
        edge = EdgeMiddleware(
            _Dispatch(ProxyApp(table, pool, client), pool),
            table=table,
            components=lambda _scope: components,
            record_upstream=False,
        )
        limited = BodySizeLimitMiddleware(edge, max_bytes=self.max_body_bytes)
        cors = CORSMiddleware(limited, **cors_options(table.cors, self.cors_origins))
        observed = ObservabilityMiddleware(
            cors, default_service=GATEWAY_SERVICE, service_for_path=lambda _path: None
        )

        def route_of(path: str) -> str:
            service = table.route_for(path)
            return (service.route_of(path) if service else None) or UNROUTED

        # Outermost, so the access log line of a request carries its trace id.
        app = ServerSpanMiddleware(observed, self.tracer_provider, route_of)
        return pool, app

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        stop = asyncio.Event()
        checks: asyncio.Task[None] | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                client = self.client = build_client()
                try:
                    pool, self.app = self._build(client)
                except Exception as exc:
                    await client.close()
                    await self.components.aclose()
                    failed = f"the gateway cannot start: {exc}"
                    await send({"type": "lifespan.startup.failed", "message": failed})
                    return
                self.pool = pool
                checks = asyncio.create_task(pool.run(stop), name="gateway-health-checks")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Uvicorn has drained the requests in flight by now (graceful shutdown).
                stop.set()
                if checks is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await checks
                if self.client is not None:
                    await self.client.close()
                await self.components.aclose()
                shutdown_tracing(self.tracer_provider)
                await send({"type": "lifespan.shutdown.complete"})
                return

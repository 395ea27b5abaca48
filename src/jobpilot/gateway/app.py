"""The standalone gateway: the edge in front of a proxy to each service's own process.

`jobpilot gateway --port 8080` serves this app. It has no database: tokens are checked with the
auth service's published keys and the shared revocation list (Redis), limits count in Redis when
one is configured, and every `/api/v1/...` request is streamed to the owning service's upstream.
It answers `/healthz` (the gateway itself), `/readyz` (each upstream's health; 503 when none can
take traffic) and `/metrics`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from jobpilot.gateway.config import GatewaySettings
from jobpilot.gateway.edge import EdgeComponents, EdgeMiddleware, cors_options
from jobpilot.gateway.proxy import ProxyApp, UpstreamPool, build_client
from jobpilot.gateway.routes import RouteTable
from jobpilot.kit.http import BodySizeLimitMiddleware, ObservabilityMiddleware
from jobpilot.kit.metrics import render_metrics

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
    """The ASGI app `jobpilot gateway` serves, with its lifespan (health checks, clean close)."""

    def __init__(
        self,
        table: RouteTable,
        config: GatewaySettings,
        components: GatewayComponents,
        *,
        cors_origins: list[str],
        max_body_bytes: int,
    ) -> None:
        """Request id and metrics, then CORS, then the edge, then the proxy."""
        self.components = components
        self.client = build_client()
        self.pool = UpstreamPool(
            config.upstreams,
            client=self.client,
            health_path=table.health.path,
            interval=config.health_interval_seconds or table.health.interval_seconds,
            probe_timeout=table.health.timeout_seconds,
            unhealthy_after=table.health.unhealthy_after,
        )
        edge = EdgeMiddleware(
            _Dispatch(ProxyApp(table, self.pool, self.client), self.pool),
            table=table,
            components=lambda _scope: components,
            record_upstream=False,
        )
        limited = BodySizeLimitMiddleware(edge, max_bytes=max_body_bytes)
        cors = CORSMiddleware(limited, **cors_options(table.cors, cors_origins))
        self.app = ObservabilityMiddleware(
            cors, default_service=GATEWAY_SERVICE, service_for_path=lambda _path: None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        stop = asyncio.Event()
        checks: asyncio.Task[None] | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                checks = asyncio.create_task(self.pool.run(stop), name="gateway-health-checks")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Uvicorn has drained the requests in flight by now (graceful shutdown).
                stop.set()
                if checks is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await checks
                await self.client.aclose()
                await self.components.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

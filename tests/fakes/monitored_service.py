"""A service as the admin's health page probes it, served over real HTTP on 127.0.0.1.

`/readyz` is answered by the platform's own readiness code (`kit.health.readiness`) over checks
the test flips; `/metrics` is the Prometheus text of a registry of its own holding the
platform's HTTP metrics (same names, labels and buckets) and `process_start_time_seconds`, so
the numbers a test puts in are exactly the numbers the admin reads.
"""

from __future__ import annotations

import asyncio
import socket
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fakes.local_server import ServedApp
from jobpilot.kit.health import CallableCheck, Unhealthy, readiness
from jobpilot.kit.metrics import DURATION_BUCKETS


class MonitoredService(ServedApp):
    """`/readyz` and `/metrics` of a service process, with traffic and failures on demand."""

    thread_name = "monitored-service"

    def __init__(self, *, started_seconds_ago: float = 3600.0) -> None:
        super().__init__()
        # Flip to make the readiness check "database" fail (a 503 naming it).
        self.database_ok = True
        # Seconds /readyz takes to answer (a hung dependency).
        self.readyz_delay = 0.0
        # Probes received, /readyz and /metrics together.
        self.probes = 0
        self._reset(started_seconds_ago)
        app = Starlette(routes=[Route("/readyz", self._readyz), Route("/metrics", self._metrics)])
        app.state.health_checks = [
            CallableCheck("database", self._database),
            CallableCheck("schema", self._schema),
        ]
        self.app = app

    def _reset(self, started_seconds_ago: float) -> None:
        self.registry = CollectorRegistry()
        self._requests = Counter(
            "http_requests_total",
            "HTTP requests handled, by route template and status.",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self._duration = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to sending the last byte of its response.",
            ["service", "route"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        started = Gauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            registry=self.registry,
        )
        self.start_time = time.time() - started_seconds_ago
        started.set(self.start_time)

    def serve(
        self,
        service: str,
        *,
        count: int,
        seconds: float,
        status: int = 200,
        route: str = "/api/v1/things",
    ) -> None:
        """Record `count` requests to `service` that took `seconds` and answered `status`."""
        for _ in range(count):
            self._requests.labels(service, "GET", route, str(status)).inc()
            self._duration.labels(service, route).observe(seconds)

    def restart(self) -> None:
        """A new process: counters from zero, started now."""
        self._reset(0.0)

    async def _database(self) -> None:
        if not self.database_ok:
            raise Unhealthy("connection refused")

    async def _schema(self) -> None:
        return None

    async def _readyz(self, request: Request) -> Response:
        self.probes += 1
        if self.readyz_delay:
            await asyncio.sleep(self.readyz_delay)
        return await readiness(request)

    async def _metrics(self, request: Request) -> Response:
        self.probes += 1
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def closed_port_url() -> str:
    """The URL of a port of 127.0.0.1 nothing listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"

"""HTTP metrics for Prometheus, single- or multi-process, and the `/metrics` endpoint.

prometheus_client decides how it stores values (in process memory, or in mmap files under
`PROMETHEUS_MULTIPROC_DIR` so that several worker processes can be scraped as one) when it is
*first imported*. So `prepare_multiprocess_dir()` must run before anything imports
prometheus_client in that process; this module therefore imports it lazily, and importing
`jobpilot.kit.metrics` alone never imports it. Alert rules depend on the metric names here.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter
from starlette.responses import Response

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# From 5 ms to 10 s, the range the latency alerts and dashboards are written against.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
SIZE_BUCKETS = (64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216)


@dataclass(frozen=True)
class HttpMetrics:
    """The HTTP server metrics every service exposes."""

    requests: Counter
    duration: Histogram
    request_size: Histogram
    response_size: Histogram

    def observe(
        self,
        *,
        service: str,
        method: str,
        route: str,
        status: int,
        duration_s: float,
        request_bytes: int,
        response_bytes: int,
    ) -> None:
        """Record one finished request."""
        self.requests.labels(service, method, route, str(status)).inc()
        self.duration.labels(service, route).observe(duration_s)
        self.request_size.labels(service, route).observe(request_bytes)
        self.response_size.labels(service, route).observe(response_bytes)


@cache
def http_metrics() -> HttpMetrics:
    """The process-wide HTTP metrics, created (and prometheus_client imported) on first use."""
    from prometheus_client import Counter, Histogram

    return HttpMetrics(
        requests=Counter(
            "http_requests_total",
            "HTTP requests handled, by route template and status.",
            ["service", "method", "route", "status"],
        ),
        duration=Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to sending the last byte of its response.",
            ["service", "route"],
            buckets=DURATION_BUCKETS,
        ),
        request_size=Histogram(
            "http_request_size_bytes",
            "Request body sizes.",
            ["service", "route"],
            buckets=SIZE_BUCKETS,
        ),
        response_size=Histogram(
            "http_response_size_bytes",
            "Response body sizes.",
            ["service", "route"],
            buckets=SIZE_BUCKETS,
        ),
    )


def prepare_multiprocess_dir(path: Path, *, wipe: bool = True) -> None:
    """Use `path` for multi-process metrics: create it (emptied unless `wipe=False`), export it.

    Call it in the parent process before prometheus_client is imported (the CLI does this before
    importing the app); worker processes inherit the environment variable. Pass `wipe=False` from
    a process that joins a directory another process already prepared.
    """
    if "prometheus_client" in sys.modules:
        msg = (
            "prepare_multiprocess_dir() must run before prometheus_client is imported; "
            "metrics created earlier would stay in process memory and never be scraped"
        )
        raise RuntimeError(msg)
    if wipe and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)


def mark_process_dead(pid: int) -> None:
    """Drop a dead worker's live-gauge files (call from the process manager when it exits)."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, path)  # type: ignore[no-untyped-call]


def render_metrics() -> tuple[bytes, str]:
    """The Prometheus text exposition of every metric in this process (or all processes)."""
    from prometheus_client import (
        CONTENT_TYPE_PLAIN_0_0_4,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
    )

    path = os.environ.get(MULTIPROC_ENV)
    if path:
        from prometheus_client.multiprocess import MultiProcessCollector

        # A fresh registry per scrape: the collector reads every process's files each time.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4
    return generate_latest(REGISTRY), CONTENT_TYPE_PLAIN_0_0_4


metrics_router = APIRouter()


@metrics_router.get("/metrics", include_in_schema=False)
def metrics_endpoint() -> Response:
    """Prometheus scrape endpoint."""
    body, content_type = render_metrics()
    return Response(content=body, media_type=content_type)

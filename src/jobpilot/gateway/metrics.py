"""The gateway's Prometheus metrics: traffic per service and route, latency, bytes, upstream health.

The names mirror what Kong's prometheus plugin reports (requests by status, total and upstream
latency, bandwidth by direction, upstream health), so one set of dashboards and alert rules reads
either edge. `route` is the route-table prefix that matched (`/api/v1/jobs`), never the raw
path, so the label stays bounded. Created on first use, like `jobpilot.kit.metrics`, so that
importing this module does not import prometheus_client before the multi-process set-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from jobpilot.kit.metrics import DURATION_BUCKETS

if TYPE_CHECKING:
    from prometheus_client import Counter, Gauge, Histogram

# Routes the gateway does not know (a 404 at the edge) are counted under this route and service.
UNROUTED = "<unrouted>"


@dataclass(frozen=True)
class GatewayMetrics:
    """Counters and histograms every edge (embedded or standalone) records."""

    requests: Counter
    duration: Histogram
    upstream_duration: Histogram
    bandwidth: Counter
    upstream_healthy: Gauge
    upstream_errors: Counter
    # Labelled children by label values: `labels()` costs a lock and a tuple on every call, and
    # the edge observes five series per request. The label sets are few (services x routes x
    # methods x statuses).
    _children: dict[tuple[str, str, str, int], tuple[Any, ...]] = field(default_factory=dict)

    def observe(
        self,
        *,
        service: str,
        route: str,
        method: str,
        status: int,
        duration_s: float,
        upstream_s: float | None,
        bytes_in: int,
        bytes_out: int,
    ) -> None:
        """Record one request that went through the edge."""
        key = (service, route, method, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(service, route, method, str(status)),
                self.duration.labels(service, route),
                self.upstream_duration.labels(service, route),
                self.bandwidth.labels(service, route, "ingress"),
                self.bandwidth.labels(service, route, "egress"),
            )
        requests, duration, upstream, ingress, egress = children
        requests.inc()
        duration.observe(duration_s)
        if upstream_s is not None:
            upstream.observe(upstream_s)
        if bytes_in:
            ingress.inc(bytes_in)
        if bytes_out:
            egress.inc(bytes_out)

    def set_upstream_health(self, service: str, healthy: bool) -> None:
        """Publish whether `service`'s upstream is taking traffic (1) or fenced off (0)."""
        self.upstream_healthy.labels(service).set(1 if healthy else 0)

    def upstream_error(self, service: str, reason: str) -> None:
        """Count a failed upstream attempt: `connect`, `timeout`, `protocol` or `unhealthy`."""
        self.upstream_errors.labels(service, reason).inc()


@cache
def gateway_metrics() -> GatewayMetrics:
    """The process-wide gateway metrics (prometheus_client is imported here, on first use)."""
    from prometheus_client import Counter, Gauge, Histogram

    return GatewayMetrics(
        requests=Counter(
            "gateway_requests_total",
            "Requests through the gateway, by service, route prefix, method and status.",
            ["service", "route", "method", "status"],
        ),
        duration=Histogram(
            "gateway_request_duration_seconds",
            "Time from the gateway receiving a request to sending its last byte.",
            ["service", "route"],
            buckets=DURATION_BUCKETS,
        ),
        upstream_duration=Histogram(
            "gateway_upstream_duration_seconds",
            "Time from the gateway forwarding a request to the upstream's response headers.",
            ["service", "route"],
            buckets=DURATION_BUCKETS,
        ),
        bandwidth=Counter(
            "gateway_bandwidth_bytes",
            "Body bytes through the gateway: ingress from clients, egress to them.",
            ["service", "route", "direction"],
        ),
        upstream_healthy=Gauge(
            "gateway_upstream_healthy",
            "1 while the gateway sends traffic to the service's upstream, 0 while it is fenced "
            "off after failed health checks.",
            ["service"],
            # With several gateway processes, one that sees the upstream down is enough.
            multiprocess_mode="livemin",
        ),
        upstream_errors=Counter(
            "gateway_upstream_errors_total",
            "Upstream attempts that failed, by reason (connect, timeout, protocol, unhealthy).",
            ["service", "reason"],
        ),
    )

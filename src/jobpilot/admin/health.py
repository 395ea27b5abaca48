"""The health of every service, from live probes of its `/readyz` and `/metrics`.

A service another process serves is probed at its base URL (the gateway's upstream); the
services this process serves are probed in-process, through the app itself (or at
`admin.self_url` when that is set), so one scrape and one readiness answer cover them all and
each service's figures are read from the `service` label. p95 latency and the error rate
describe recent traffic: each target's scrapes are kept in memory for `window_seconds`, and a
check compares the newest scrape with the oldest one still inside the window (Prometheus's
`rate(...[5m])`, roughly). A target seen for the first time, or that restarted since, is
measured since it started, and the report says so.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import httpx
from prometheus_client.parser import text_string_to_metric_families

from jobpilot.kit.clock import utcnow
from jobpilot.kit.tracing import TracedTransport

Status = Literal["healthy", "degraded", "down"]
Window = Literal["recent", "since start"]

# The thresholds of the alert rules (deploy/prometheus/rules/jobpilot-alerts.yml):
# HighErrorRate fires above 5 % of requests failing with a 5xx, HighLatency above a 2 s p95.
MAX_ERROR_RATE = 0.05
MAX_P95_SECONDS = 2.0
QUANTILE = 0.95
# The metrics read; every other line of a scrape is skipped before parsing.
_REQUESTS = "http_requests_total"
_BUCKETS = "http_request_duration_seconds_bucket"
_START = "process_start_time_seconds"
_WANTED = (_REQUESTS + "{", _BUCKETS + "{", _START + " ", _START + "{")
# The base URL of in-process probes: never resolved, the transport hands requests to the app.
IN_PROCESS_URL = "http://in-process.invalid"
# At most this many scrapes are kept per target (spaced over the window).
MAX_SCRAPES = 60


@dataclass(frozen=True)
class ServiceEndpoint:
    """A service to check, and its base URL when another process serves it."""

    name: str
    url: str | None


@dataclass(frozen=True)
class ThisProcess:
    """The services this process serves, and a transport that reaches the process itself."""

    services: frozenset[str]
    transport: httpx.AsyncBaseTransport


@dataclass
class Counts:
    """One service's cumulative request figures in one scrape."""

    requests: float = 0.0
    errors: float = 0.0
    # Upper bound (inf for +Inf) -> requests that took at most that long, summed over routes.
    buckets: dict[float, float] = field(default_factory=dict)

    def minus(self, earlier: Counts | None) -> Counts:
        """What happened between `earlier` and this (all of it when there is no earlier)."""
        if earlier is None:
            return self
        return Counts(
            requests=self.requests - earlier.requests,
            errors=self.errors - earlier.errors,
            buckets={b: c - earlier.buckets.get(b, 0.0) for b, c in self.buckets.items()},
        )

    def fell_below(self, earlier: Counts) -> bool:
        """Whether any counter went down since `earlier` (the process restarted)."""
        if self.requests < earlier.requests or self.errors < earlier.errors:
            return True
        return any(self.buckets.get(b, 0.0) < c for b, c in earlier.buckets.items())


@dataclass(frozen=True)
class Scrape:
    """What one `/metrics` answer says, and when it came (monotonic seconds)."""

    at: float
    start_time: float | None
    services: dict[str, Counts]

    def restarted_since(self, earlier: Scrape) -> bool:
        """Whether the process behind this scrape is not the one behind `earlier`."""
        known = self.start_time is not None and earlier.start_time is not None
        if known and self.start_time != earlier.start_time:
            return True
        empty = Counts()
        return any(
            self.services.get(name, empty).fell_below(counts)
            for name, counts in earlier.services.items()
        )


class UnreadableMetrics(ValueError):
    """A `/metrics` answer that is not the Prometheus text format."""


def parse_metrics(text: str, at: float) -> Scrape:
    """Requests, 5xx answers and latency buckets per `service` label, and the process's start
    time, from a Prometheus text exposition."""
    wanted = "\n".join(line for line in text.splitlines() if line.startswith(_WANTED))
    start_time: float | None = None
    services: dict[str, Counts] = {}
    try:
        samples = [
            s for family in text_string_to_metric_families(wanted + "\n") for s in family.samples
        ]
    except ValueError as exc:
        raise UnreadableMetrics(str(exc)) from exc
    for sample in samples:
        if sample.name == _START:
            start_time = sample.value if start_time is None else min(start_time, sample.value)
            continue
        service = sample.labels.get("service")
        if not service:
            continue
        counts = services.setdefault(service, Counts())
        if sample.name == _REQUESTS:
            counts.requests += sample.value
            status = sample.labels.get("status", "")
            if len(status) == 3 and status.startswith("5"):
                counts.errors += sample.value
        elif sample.name == _BUCKETS and "le" in sample.labels:
            try:
                bound = float(sample.labels["le"])
            except ValueError:
                continue
            counts.buckets[bound] = counts.buckets.get(bound, 0.0) + sample.value
    return Scrape(at=at, start_time=start_time, services=services)


def histogram_quantile(q: float, buckets: dict[float, float]) -> float | None:
    """The `q` quantile of a histogram's cumulative buckets, as Prometheus's
    `histogram_quantile` computes it: linear within the bucket the rank falls in, the highest
    finite bound when it falls in +Inf; None without observations."""
    ordered = sorted(buckets.items())
    if len(ordered) < 2 or not math.isinf(ordered[-1][0]):
        return None
    # Cumulative counts never fall with the bound; a scrape taken mid-update may say otherwise.
    fixed: list[tuple[float, float]] = []
    highest = 0.0
    for bound, count in ordered:
        highest = max(highest, count)
        fixed.append((bound, highest))
    total = fixed[-1][1]
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for index, (bound, count) in enumerate(fixed):
        if count >= rank:
            if math.isinf(bound):
                break
            if index == 0 and bound <= 0:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return fixed[-2][0]


class ScrapeHistory:
    """The recent scrapes of each target, to measure traffic over a window rather than since a
    process started."""

    def __init__(self, window_seconds: float, max_scrapes: int = MAX_SCRAPES) -> None:
        self.window = window_seconds
        self.max_scrapes = max_scrapes
        self._kept: dict[str, deque[Scrape]] = {}

    def baseline(self, key: str, scrape: Scrape) -> Scrape | None:
        """The scrape to measure `scrape` against, then remember `scrape`.

        That is the oldest one inside the window, else (nobody looked for a while) the newest
        one; None the first time, or when the target restarted since.
        """
        kept = self._kept.setdefault(key, deque())
        inside = [s for s in kept if 0 < scrape.at - s.at <= self.window]
        older = [s for s in kept if scrape.at - s.at > self.window]
        baseline = inside[0] if inside else (older[-1] if older else None)
        if baseline is not None and scrape.restarted_since(baseline):
            kept.clear()
            baseline = None
        while kept and baseline is not None and kept[0].at < baseline.at:
            kept.popleft()
        # Spaced out, so that many pollers keep a bounded history that still spans the window.
        if not kept or scrape.at - kept[-1].at >= self.window / self.max_scrapes:
            kept.append(scrape)
        while len(kept) > self.max_scrapes:
            kept.popleft()
        return baseline


@dataclass(frozen=True)
class ServiceHealth:
    """One service's state at its last check."""

    name: str
    # Where it was probed; None when in-process.
    url: str | None
    served_here: bool
    status: Status
    uptime_seconds: float | None
    p95_seconds: float | None
    error_rate: float | None
    # Requests in the window; None when the metrics could not be read.
    requests: int | None
    window: Window | None
    window_seconds: float | None
    last_check: datetime
    checked_in_ms: float
    # The readiness checks that failed (by name), and every problem in words.
    failing_checks: tuple[str, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class HealthReport:
    """Every service's health, checked at `checked_at`."""

    checked_at: datetime
    services: tuple[ServiceHealth, ...]

    def count(self, status: Status) -> int:
        """How many services are in `status`."""
        return sum(1 for s in self.services if s.status == status)


@dataclass
class _Readiness:
    reachable: bool
    failing: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class _Probe:
    readiness: _Readiness
    scrape: Scrape | None
    baseline: Scrape | None
    metrics_problem: str | None
    finished: datetime
    wall_time: float
    took_ms: float


@dataclass(frozen=True)
class _Target:
    key: str
    url: str | None
    here: bool


def _failing_checks(response: httpx.Response) -> tuple[str, ...]:
    """The checks a 503 from `/readyz` names (`error.details.checks`, as kit.health writes)."""
    try:
        body: Any = response.json()
        checks = body["error"]["details"]["checks"]
    except (ValueError, KeyError, TypeError):
        return ()
    if not isinstance(checks, dict):
        return ()
    return tuple(sorted(str(name) for name, result in checks.items() if result != "ok"))


def _problem_of_check(response: httpx.Response, name: str) -> str:
    try:
        result = response.json()["error"]["details"]["checks"][name]
    except (ValueError, KeyError, TypeError):
        return name
    return f"{name}: {result}"


def _unreachable(exc: Exception, timeout: float, path: str) -> str:
    if isinstance(exc, (TimeoutError, httpx.ReadTimeout, httpx.PoolTimeout, httpx.WriteTimeout)):
        return f"{path} did not answer within {timeout:g} s"
    if isinstance(exc, httpx.ConnectTimeout):
        return "no connection (timed out)"
    if isinstance(exc, httpx.ConnectError):
        return "no connection (refused or unreachable)"
    return f"{path} failed ({type(exc).__name__})"


class ServiceHealthMonitor:
    """Probes every service and keeps the recent scrapes (one per process, built by wiring)."""

    def __init__(
        self,
        endpoints: Sequence[ServiceEndpoint],
        http: httpx.AsyncClient,
        *,
        timeout_seconds: float,
        window_seconds: float,
        self_url: str | None = None,
    ) -> None:
        self.endpoints = tuple(endpoints)
        # Never follows redirects, ignores proxy variables (see wiring).
        self.http = http
        self.timeout = timeout_seconds
        self.self_url = self_url
        self.history = ScrapeHistory(window_seconds)

    def _target(self, endpoint: ServiceEndpoint, here: ThisProcess) -> _Target | None:
        if endpoint.name in here.services:
            if self.self_url:
                return _Target(self.self_url, self.self_url, here=True)
            return _Target("in-process", None, here=True)
        if endpoint.url:
            return _Target(endpoint.url, endpoint.url, here=False)
        return None

    async def check(self, here: ThisProcess) -> HealthReport:
        """Probe every service now (each process once, all at once) and judge its health."""
        checked_at = utcnow()
        groups: dict[str, tuple[_Target, list[ServiceEndpoint]]] = {}
        for endpoint in self.endpoints:
            target = self._target(endpoint, here)
            if target is not None:
                groups.setdefault(target.key, (target, []))[1].append(endpoint)
        in_process = httpx.AsyncClient(
            transport=TracedTransport(here.transport),
            base_url=IN_PROCESS_URL,
            follow_redirects=False,
            trust_env=False,
        )
        async with in_process:
            probes = await asyncio.gather(
                *(self._probe(target, in_process) for target, _ in groups.values())
            )
        rows: dict[str, ServiceHealth] = {}
        for (target, endpoints), probe in zip(groups.values(), probes, strict=True):
            for endpoint in endpoints:
                rows[endpoint.name] = _judge(endpoint.name, target, probe)
        services = tuple(rows[e.name] for e in self.endpoints if e.name in rows)
        return HealthReport(checked_at=checked_at, services=services)

    async def _probe(self, target: _Target, in_process: httpx.AsyncClient) -> _Probe:
        started = time.perf_counter()
        client = self.http if target.url else in_process
        base = target.url or IN_PROCESS_URL
        readiness, metrics = await asyncio.gather(
            self._readiness(client, base), self._metrics(client, base)
        )
        scrape, problem = metrics
        baseline = self.history.baseline(target.key, scrape) if scrape is not None else None
        took_ms = (time.perf_counter() - started) * 1000
        return _Probe(
            readiness=readiness,
            scrape=scrape,
            baseline=baseline,
            metrics_problem=problem,
            finished=utcnow(),
            wall_time=time.time(),
            took_ms=took_ms,
        )

    async def _get(self, client: httpx.AsyncClient, url: str, accept: str) -> httpx.Response:
        # The client's own timeouts guard the network; this one guards an in-process call too.
        async with asyncio.timeout(self.timeout):
            return await client.get(url, headers={"Accept": accept})

    async def _readiness(self, client: httpx.AsyncClient, base: str) -> _Readiness:
        try:
            response = await self._get(client, base + "/readyz", "application/json")
        except Exception as exc:  # a probe reports every failure, whatever it is
            return _Readiness(False, problems=(_unreachable(exc, self.timeout, "/readyz"),))
        if response.status_code == 200:
            return _Readiness(True)
        if response.status_code == 503:
            failing = _failing_checks(response)
            if failing:
                problems = tuple(_problem_of_check(response, name) for name in failing)
                return _Readiness(True, failing, problems)
            return _Readiness(True, problems=("not ready (/readyz answered 503)",))
        return _Readiness(True, problems=(f"/readyz answered HTTP {response.status_code}",))

    async def _metrics(
        self, client: httpx.AsyncClient, base: str
    ) -> tuple[Scrape | None, str | None]:
        try:
            response = await self._get(client, base + "/metrics", "text/plain")
        except Exception as exc:  # a probe reports every failure, whatever it is
            return None, "metrics unavailable: " + _unreachable(exc, self.timeout, "/metrics")
        at = time.monotonic()
        if response.status_code != 200:
            return None, f"metrics unavailable (/metrics answered HTTP {response.status_code})"
        try:
            # Parsing a large scrape takes a few milliseconds: off the event loop.
            scrape = await asyncio.to_thread(parse_metrics, response.text, at)
        except UnreadableMetrics:
            return None, "metrics unreadable (not the Prometheus text format)"
        return scrape, None


def _judge(name: str, target: _Target, probe: _Probe) -> ServiceHealth:
    """One service's row: its share of the target's scrape, and its status by the rules."""
    readiness, scrape = probe.readiness, probe.scrape
    problems = list(readiness.problems)
    uptime = p95 = error_rate = window_seconds = None
    requests: int | None = None
    window: Window | None = None
    if scrape is not None:
        if scrape.start_time is not None:
            uptime = max(0.0, probe.wall_time - scrape.start_time)
        counts = scrape.services.get(name, Counts())
        baseline = probe.baseline
        if baseline is None:
            window, window_seconds = "since start", uptime
            recent = counts
        else:
            window, window_seconds = "recent", scrape.at - baseline.at
            recent = counts.minus(baseline.services.get(name))
        requests = round(recent.requests)
        if recent.requests > 0:
            error_rate = max(0.0, recent.errors) / recent.requests
            p95 = histogram_quantile(QUANTILE, recent.buckets)
    elif readiness.reachable and probe.metrics_problem:
        problems.append(probe.metrics_problem)
    if error_rate is not None and error_rate > MAX_ERROR_RATE:
        problems.append(
            f"{error_rate:.1%} of requests failed with a 5xx (more than {MAX_ERROR_RATE:.0%})"
        )
    if p95 is not None and p95 > MAX_P95_SECONDS:
        problems.append(f"p95 latency {p95:.2f} s (more than {MAX_P95_SECONDS:g} s)")
    status: Status
    if not readiness.reachable:
        status = "down"
    elif problems:
        status = "degraded"
    else:
        status = "healthy"
    return ServiceHealth(
        name=name,
        url=target.url,
        served_here=target.here,
        status=status,
        uptime_seconds=uptime,
        p95_seconds=p95,
        error_rate=error_rate,
        requests=requests,
        window=window,
        window_seconds=window_seconds,
        last_check=probe.finished,
        checked_in_ms=round(probe.took_ms, 1),
        failing_checks=readiness.failing,
        problems=tuple(problems),
    )

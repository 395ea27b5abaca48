"""The arithmetic behind the Services page: reading a scrape, the p95 of a histogram, windows
between scrapes, and how figures are written for people."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from jobpilot.admin.health import (
    ScrapeHistory,
    UnreadableMetrics,
    histogram_quantile,
    parse_metrics,
)
from jobpilot.admin.web.common import human_duration, latency, percent
from jobpilot.kit.metrics import DURATION_BUCKETS

INF = math.inf


def test_the_p95_is_interpolated_within_its_bucket_like_prometheus() -> None:
    # 90 requests within 25 ms, 10 in (0.25 s, 0.5 s]: the 95th is halfway through those 10.
    buckets = {0.025: 90.0, 0.25: 90.0, 0.5: 100.0, INF: 100.0}
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.375)
    # In the first bucket, the lower bound is 0.
    assert histogram_quantile(0.95, {0.005: 20.0, 0.01: 20.0, INF: 20.0}) == pytest.approx(0.00475)
    # Beyond the last finite bound: that bound, as Prometheus answers.
    assert histogram_quantile(0.95, {1.0: 1.0, 10.0: 2.0, INF: 100.0}) == 10.0


def test_no_observations_or_no_inf_bucket_give_no_quantile() -> None:
    assert histogram_quantile(0.95, {}) is None
    assert histogram_quantile(0.95, {0.1: 0.0, INF: 0.0}) is None
    assert histogram_quantile(0.95, {0.1: 3.0, 1.0: 5.0}) is None


def test_a_bucket_that_went_down_mid_scrape_does_not_bend_the_quantile() -> None:
    # Cumulative counts never fall; a torn scrape is read as if they did not.
    assert histogram_quantile(0.5, {0.1: 10.0, 0.2: 8.0, 0.4: 20.0, INF: 20.0}) == pytest.approx(
        0.1
    )


def _exposition() -> str:
    registry = CollectorRegistry()
    requests = Counter(
        "http_requests_total", "r", ["service", "method", "route", "status"], registry=registry
    )
    duration = Histogram(
        "http_request_duration_seconds",
        "d",
        ["service", "route"],
        buckets=DURATION_BUCKETS,
        registry=registry,
    )
    for route, status, count in (("/a", "200", 6), ("/b", "200", 2), ("/b", "502", 2)):
        requests.labels("jobs", "GET", route, status).inc(count)
        for _ in range(count):
            duration.labels("jobs", route).observe(0.2)
    requests.labels("ai", "POST", "/c", "404").inc(4)
    return generate_latest(registry).decode()


def test_a_scrape_is_summed_over_routes_per_service_label() -> None:
    text = _exposition() + "process_start_time_seconds 1700000000.5\nother_metric 3\n"
    scrape = parse_metrics(text, at=12.0)
    assert scrape.at == 12.0
    assert scrape.start_time == 1700000000.5
    assert set(scrape.services) == {"jobs", "ai"}
    jobs = scrape.services["jobs"]
    assert (jobs.requests, jobs.errors) == (10.0, 2.0)
    assert jobs.buckets[0.25] == 10.0
    assert jobs.buckets[INF] == 10.0
    assert jobs.buckets[0.1] == 0.0
    # A 404 is the client's error, not the service's.
    assert (scrape.services["ai"].requests, scrape.services["ai"].errors) == (4.0, 0.0)


def test_text_that_is_not_prometheus_is_refused() -> None:
    with pytest.raises(UnreadableMetrics):
        parse_metrics('http_requests_total{service="jobs" 1\n', at=0.0)


def test_the_window_starts_at_the_oldest_scrape_inside_it() -> None:
    text = _exposition()
    history = ScrapeHistory(window_seconds=300)
    first = parse_metrics(text, at=1000.0)
    assert history.baseline("a", first) is None
    second = parse_metrics(text, at=1030.0)
    assert history.baseline("a", second) is first
    assert history.baseline("a", parse_metrics(text, at=1290.0)) is first
    # The first one left the window: the oldest one inside it is the base now.
    assert history.baseline("a", parse_metrics(text, at=1320.0)) is second
    # After a long silence, the newest older scrape is better than measuring since start.
    later = history.baseline("a", parse_metrics(text, at=9000.0))
    assert later is not None
    assert later.at == 1320.0
    # Targets are kept apart.
    assert history.baseline("b", parse_metrics(text, at=9000.0)) is None


def test_a_restart_starts_the_window_again() -> None:
    text = _exposition()
    history = ScrapeHistory(window_seconds=300)
    history.baseline("a", parse_metrics(text + "process_start_time_seconds 5\n", at=0.0))
    restarted = parse_metrics(text + "process_start_time_seconds 60\n", at=60.0)
    assert history.baseline("a", restarted) is None
    # Without a start time (several worker processes), falling counters tell the same.
    history = ScrapeHistory(window_seconds=300)
    history.baseline("a", parse_metrics(text, at=0.0))
    assert history.baseline("a", parse_metrics("", at=30.0)) is None


def test_the_history_of_a_target_stays_bounded() -> None:
    history = ScrapeHistory(window_seconds=300, max_scrapes=10)
    text = _exposition()
    for second in range(0, 600):
        history.baseline("a", parse_metrics(text, at=float(second)))
    kept = history._kept["a"]
    assert len(kept) <= 11
    assert 599 - kept[0].at <= 300 + 30


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "\u2013"),
        (0.4, "0 s"),
        (42.9, "42 s"),
        (300, "5 min"),
        (312, "5 min 12 s"),
        (3600 + 1200 + 5, "1 h 20 min"),
        (4 * 86400 + 2 * 3600 + 59, "4 d 2 h"),
    ],
)
def test_durations_read_like_a_person_would_say_them(seconds: float | None, text: str) -> None:
    assert human_duration(seconds) == text


def test_latencies_and_rates_read_with_their_units() -> None:
    assert latency(None) == "\u2013"
    assert latency(0.0004) == "<1 ms"
    assert latency(0.375) == "375 ms"
    assert latency(4.875) == "4.88 s"
    assert percent(None) == "\u2013"
    assert percent(0.03) == "3.0%"
    assert percent(1.0) == "100.0%"

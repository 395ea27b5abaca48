"""Gateway rate limits: the moving window, its headers, shared counts in Redis, Redis outages."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY

from fakes.redis_process import RedisProcess
from jobpilot.gateway.ratelimit import (
    LocalWindow,
    RateLimiter,
    RateLimitUnavailable,
    key_for,
)
from jobpilot.kit.errors import error_body

LOGGER = "jobpilot.gateway.ratelimit"


class FakeClock:
    """Monotonic time the test moves by hand (schedules the limiter's Redis retries)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def limiters() -> AsyncIterator[list[RateLimiter]]:
    """Collects the limiters a test makes and closes them afterwards."""
    made: list[RateLimiter] = []
    yield made
    for limiter in made:
        await limiter.aclose()


def _decisions(service: str, decision: str) -> float:
    value = REGISTRY.get_sample_value(
        "gateway_rate_limit_decisions_total", {"service": service, "decision": decision}
    )
    return value or 0.0


async def test_allows_exactly_the_limit_then_refuses_with_headers(
    limiters: list[RateLimiter],
) -> None:
    limiter = RateLimiter()
    limiters.append(limiter)
    key = key_for("ai", None, "203.0.113.7")
    allowed_before = _decisions("ai", "allowed")
    limited_before = _decisions("ai", "limited")

    for n in range(1, 6):
        decision = await limiter.hit(key, 5)
        assert decision.allowed
        assert decision.retry_after is None
        headers = decision.headers()
        assert headers["RateLimit-Limit"] == "5"
        assert headers["RateLimit-Remaining"] == str(5 - n)
        assert 50 <= int(headers["RateLimit-Reset"]) <= 60
        assert headers["RateLimit-Policy"] == "5;w=60"
        assert "Retry-After" not in headers

    refused = await limiter.hit(key, 5)
    assert not refused.allowed
    assert refused.remaining == 0
    headers = refused.headers()
    assert headers["RateLimit-Remaining"] == "0"
    assert 50 <= int(headers["Retry-After"]) <= 60
    assert headers["Retry-After"] == headers["RateLimit-Reset"]

    error = refused.refusal()
    assert error.status == 429
    assert error.headers == headers
    body = error_body(error.code, error.message, error.details)
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["details"] == {"limit": 5, "window_seconds": 60}

    assert _decisions("ai", "allowed") - allowed_before == 5
    assert _decisions("ai", "limited") - limited_before == 1


async def test_window_moves_rather_than_resetting_at_once(limiters: list[RateLimiter]) -> None:
    limiter = RateLimiter(window_seconds=1)
    limiters.append(limiter)
    key = key_for("jobs", "u1", "198.51.100.1")

    assert (await limiter.hit(key, 3)).allowed
    assert (await limiter.hit(key, 3)).allowed
    await asyncio.sleep(0.5)
    assert (await limiter.hit(key, 3)).allowed
    refused = await limiter.hit(key, 3)
    assert not refused.allowed
    assert refused.retry_after == 1

    # The first two requests leave the window; the one from half a second later still counts.
    await asyncio.sleep(0.6)
    assert (await limiter.hit(key, 3)).allowed
    last = await limiter.hit(key, 3)
    assert last.allowed
    assert last.remaining == 0
    assert not (await limiter.hit(key, 3)).allowed


async def test_users_addresses_and_services_count_apart(limiters: list[RateLimiter]) -> None:
    limiter = RateLimiter()
    limiters.append(limiter)
    assert key_for("jobs", "42", "192.0.2.1") == "jobs:user:42"
    assert key_for("jobs", None, "192.0.2.1") == "jobs:ip:192.0.2.1"
    assert key_for("jobs", "", "2001:db8::1") == "jobs:ip:2001:db8::1"

    user = key_for("resumes", "42", "192.0.2.1")
    for _ in range(2):
        assert (await limiter.hit(user, 2)).allowed
    assert not (await limiter.hit(user, 2)).allowed

    # The same address without a session, another user behind it, and the same user on another
    # service all have their own count.
    assert (await limiter.hit(key_for("resumes", None, "192.0.2.1"), 2)).allowed
    assert (await limiter.hit(key_for("resumes", "43", "192.0.2.1"), 2)).allowed
    assert (await limiter.hit(key_for("jobs", "42", "192.0.2.1"), 2)).allowed


def test_unknown_storage_is_refused() -> None:
    with pytest.raises(ValueError, match="memcached"):
        RateLimiter("memcached://127.0.0.1:11211")


@pytest.mark.slow
async def test_two_limiters_on_one_redis_share_the_count(
    redis_server: RedisProcess, limiters: list[RateLimiter]
) -> None:
    first = RateLimiter(redis_server.url)
    second = RateLimiter(redis_server.url)
    limiters += [first, second]
    key = key_for("auth", None, "192.0.2.9")

    remaining = [
        (await limiter.hit(key, 4)).remaining for limiter in (first, second, first, second)
    ]
    assert remaining == [3, 2, 1, 0]
    refused = await second.hit(key, 4)
    assert not refused.allowed
    assert not refused.fallback
    assert not (await first.hit(key, 4)).allowed


@pytest.mark.slow
async def test_redis_outage_falls_back_to_local_count_and_recovers(
    redis_server: RedisProcess,
    limiters: list[RateLimiter],
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    limiter = RateLimiter(redis_server.url, fault_tolerant=True, clock=clock)
    limiters.append(limiter)
    key = key_for("notifications", "7", "192.0.2.3")
    fallback_before = _decisions("notifications", "fallback")

    assert (await limiter.hit(key, 3)).remaining == 2
    caplog.set_level(logging.INFO, logger=LOGGER)

    redis_server.stop()
    started = time.monotonic()
    outage = [await limiter.hit(key, 3) for _ in range(4)]
    assert time.monotonic() - started < 1
    assert [d.allowed for d in outage] == [True, True, True, False]
    assert all(d.fallback for d in outage)
    assert limiter.degraded
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    assert _decisions("notifications", "fallback") - fallback_before == 3

    # Redis is back, but the limiter waits for its retry interval before trying it again.
    redis_server.start()
    assert (await limiter.hit(key, 3)).fallback
    clock.now += 5
    back = await limiter.hit(key, 3)
    assert not back.fallback
    assert back.remaining == 2  # the restarted Redis lost the old count; it starts again
    assert not limiter.degraded
    assert (await limiter.hit(key, 3)).remaining == 1
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == warnings


@pytest.mark.slow
async def test_redis_outage_refuses_when_not_fault_tolerant(
    redis_server: RedisProcess, limiters: list[RateLimiter]
) -> None:
    limiter = RateLimiter(redis_server.url, fault_tolerant=False)
    limiters.append(limiter)
    key = key_for("analytics", "7", "192.0.2.3")
    assert (await limiter.hit(key, 10)).allowed

    redis_server.stop()
    for _ in range(2):
        with pytest.raises(RateLimitUnavailable) as caught:
            await limiter.hit(key, 10)
        assert caught.value.status == 503
        assert caught.value.code == "rate_limit_unavailable"
        assert caught.value.headers == {"Retry-After": "5"}

    # Without fault tolerance every request asks Redis, so service resumes as soon as it is up.
    redis_server.start()
    assert (await limiter.hit(key, 10)).allowed


async def test_a_hung_redis_costs_a_request_only_the_timeout() -> None:
    # A server that accepts connections and never answers, as a stuck Redis does.
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    limiter = RateLimiter(f"redis://127.0.0.1:{port}/0", redis_timeout=0.2)
    try:
        started = time.monotonic()
        decision = await limiter.hit(key_for("users", "1", "192.0.2.4"), 5)
        assert time.monotonic() - started < 1
        assert decision.allowed
        assert decision.fallback
    finally:
        await limiter.aclose()
        server.close()
        await server.wait_closed()


def test_local_window_slides_and_forgets_idle_keys() -> None:
    now = [1000.0]
    window = LocalWindow(60, clock=lambda: now[0])
    results = []
    for _ in range(5):
        results.append(window.hit("a", 3))
        now[0] += 10
    assert [allowed for allowed, _, _ in results] == [True, True, True, False, False]
    assert [remaining for _, remaining, _ in results] == [2, 1, 0, 0, 0]
    # The first request (t=1000) leaves the window at t=1060; it is t=1040 after 4 steps.
    assert results[4][2] == pytest.approx(20)
    now[0] = 1061
    assert window.hit("a", 3) == (True, 0, pytest.approx(9))  # t=1010 and t=1020 still count

    # A key idle for a whole window is dropped at the next sweep, so memory follows traffic.
    now[0] += 200
    window.hit("b", 3)
    assert len(window) == 1

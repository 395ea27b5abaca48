"""Per-service request limits over a moving window, counted in process memory or in Redis.

The headers follow draft-ietf-httpapi-ratelimit-headers-06 (December 2022), the last revision
with separate fields, which is what clients and proxies read today: `RateLimit-Limit`,
`RateLimit-Remaining` and `RateLimit-Reset` (seconds until one more request is allowed) are
integers, and `RateLimit-Policy` is `<limit>;w=<window seconds>`. Drafts 07 and later fold the
first three into one `RateLimit` field with named policies; move when that becomes an RFC.

With a Redis URI every gateway process counts in the same Redis keys, so N processes still allow
the limit once, not N times. When Redis fails, `fault_tolerant=True` counts in this process's
memory until Redis answers again (each process then allows the full limit on its own: a looser
limit beats an outage); `fault_tolerant=False` refuses with `RateLimitUnavailable` (503).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from jobpilot.kit.errors import RateLimited, ServiceUnavailable

if TYPE_CHECKING:
    from prometheus_client import Counter
    from redis.asyncio import ConnectionPool

log = logging.getLogger("jobpilot.gateway.ratelimit")

WINDOW_SECONDS = 60
# A rate-limit check sits on every request's path: a slow Redis must not become a slow gateway.
REDIS_TIMEOUT_SECONDS = 0.25
REDIS_RETRY_SECONDS = 5.0
REDIS_KEY_PREFIX = "jobpilot:ratelimit"

_REDIS_SCHEMES = ("redis://", "rediss://")
_MEMORY_URIS = ("memory", "memory://", "async+memory://")


class RateLimitUnavailable(ServiceUnavailable):
    """The shared rate-limit store is down and the gateway is set to refuse rather than guess."""

    code = "rate_limit_unavailable"
    default_message = "Rate limiting is temporarily unavailable; try again shortly."


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one request against its limit, and what to tell the client."""

    allowed: bool
    limit: int
    remaining: int
    # Seconds until the oldest counted request leaves the window, freeing one more request.
    reset: int
    window: int
    # True when Redis was down and this process's own count decided.
    fallback: bool = False

    @property
    def retry_after(self) -> int | None:
        """Seconds to wait before retrying a refused request; None when allowed."""
        return None if self.allowed else max(1, self.reset)

    def headers(self) -> dict[str, str]:
        """The RateLimit-* response headers (draft 06), and Retry-After when refused."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """`headers()` as ASGI header pairs (lower-case names)."""
        return [(name.lower().encode(), value.encode()) for name, value in self.headers().items()]

    def refusal(self) -> RateLimited:
        """The 429 error to raise for a refused request, carrying the headers."""
        return RateLimited(
            details={"limit": self.limit, "window_seconds": self.window},
            headers=self.headers(),
        )


def key_for(service: str, user_id: str | None, client_ip: str) -> str:
    """The counting key: per signed-in user, else per client address, within one service."""
    if user_id:
        return f"{service}:user:{user_id}"
    return f"{service}:ip:{client_ip}"


@cache
def _decisions() -> Counter:
    # Created on first use so that importing this module does not import prometheus_client
    # before the CLI has prepared the multi-process directory (see jobpilot.kit.metrics).
    from prometheus_client import Counter

    return Counter(
        "gateway_rate_limit_decisions_total",
        "Rate-limit decisions by service: allowed, limited, or fallback (allowed by this "
        "process's own count while the shared store was down).",
        ["service", "decision"],
    )


def _redis_pool(uri: str, timeout: float) -> ConnectionPool:
    from redis.asyncio import ConnectionPool
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return ConnectionPool.from_url(
        uri,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # redis-py retries a failed command ten times by default; one attempt keeps a refused
        # or hung Redis from costing each request seconds. The limiter retries Redis itself.
        retry=Retry(NoBackoff(), 0),
    )


class LocalWindow:
    """Moving-window counts kept in this process: per key, the times of the requests inside it.

    The library's in-process storage starts an expiry task and a thread hop on every hit and
    prepends to a list; on the request path that costs more than the rest of the edge. Here a
    hit is a few deque operations, each key holds at most `limit` times, and keys idle for a
    whole window are dropped once per window.
    """

    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Count over `window_seconds`, reading time from `clock` (monotonic seconds)."""
        self._window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._next_sweep = 0.0

    def __len__(self) -> int:
        return len(self._hits)

    def hit(self, key: str, limit: int) -> tuple[bool, int, float]:
        """Count one request: (allowed, remaining, seconds until the oldest one leaves)."""
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        cutoff = now - self._window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        allowed = len(hits) < limit
        if allowed:
            hits.append(now)
        reset = hits[0] + self._window - now if hits else 0.0
        return allowed, max(0, limit - len(hits)), reset

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + self._window
        cutoff = now - self._window
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]


class RateLimiter:
    """Moving-window limits per key, shared through Redis or kept in this process."""

    def __init__(
        self,
        storage_uri: str = "memory",
        *,
        fault_tolerant: bool = True,
        window_seconds: int = WINDOW_SECONDS,
        redis_timeout: float = REDIS_TIMEOUT_SECONDS,
        redis_retry_interval: float = REDIS_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Count in memory (`"memory"`) or in Redis (`redis://host:port/db`).

        `window_seconds` stays 60 in service (limits are per minute); tests shorten it.
        `clock` (monotonic seconds) schedules the retries of a failed Redis.
        """
        self._window = window_seconds
        self._fault_tolerant = fault_tolerant
        self._timeout = redis_timeout
        self._retry_interval = redis_retry_interval
        self._clock = clock
        self._local = LocalWindow(window_seconds)
        self._counters: dict[tuple[str, str], Any] = {}
        self._redis_pool: ConnectionPool | None = None
        self._shared: MovingWindowRateLimiter | None = None
        uri = storage_uri.removeprefix("async+")
        if uri in _MEMORY_URIS:
            pass
        elif uri.startswith(_REDIS_SCHEMES):
            # Our own pool, so that its timeouts and retries are ours and aclose() can close it.
            self._redis_pool = _redis_pool(uri, redis_timeout)
            storage = RedisStorage(
                "async+" + uri,
                wrap_exceptions=True,
                implementation="redispy",
                key_prefix=REDIS_KEY_PREFIX,
                # limits types its pass-through options as scalars; redis-py takes the pool.
                connection_pool=self._redis_pool,  # type: ignore[arg-type]
            )
            self._shared = MovingWindowRateLimiter(storage)
        else:
            msg = f"rate-limit storage must be 'memory' or a redis:// URI, not {storage_uri!r}"
            raise ValueError(msg)
        self._down_since: float | None = None
        self._next_probe = 0.0

    @property
    def shared(self) -> bool:
        """True when counts are kept in Redis (whether or not it is up right now)."""
        return self._shared is not None

    @property
    def degraded(self) -> bool:
        """True while Redis is down and this process counts on its own."""
        return self._down_since is not None

    async def hit(self, key: str, limit_per_minute: int, *, service: str | None = None) -> Decision:
        """Count one request under `key` and decide whether it may pass.

        `service` labels the metric; by default it is the key's first part, as `key_for` builds.
        Raises `RateLimitUnavailable` when Redis fails and the limiter is not fault tolerant.
        """
        decision = await self._decide(limit_per_minute, key)
        if not decision.allowed:
            outcome = "limited"
        elif decision.fallback:
            outcome = "fallback"
        else:
            outcome = "allowed"
        label = (service or key.partition(":")[0], outcome)
        counter = self._counters.get(label)
        if counter is None:
            counter = self._counters[label] = _decisions().labels(*label)
        counter.inc()
        return decision

    async def aclose(self) -> None:
        """Close the Redis connections."""
        if self._redis_pool is not None:
            await self._redis_pool.aclose()

    async def _decide(self, limit: int, key: str) -> Decision:
        if self._shared is not None and self._should_try_shared():
            item = RateLimitItemPerSecond(limit, self._window)
            try:
                async with asyncio.timeout(self._timeout):
                    decision = await self._check_shared(self._shared, item, key)
            # StorageError wraps every redis-py error; TimeoutError (an OSError) is ours.
            except (StorageError, OSError) as exc:
                self._mark_down(exc)
                if not self._fault_tolerant:
                    retry = str(max(1, math.ceil(self._retry_interval)))
                    raise RateLimitUnavailable(headers={"Retry-After": retry}) from exc
            else:
                self._mark_up()
                return decision
        allowed, remaining, reset = self._local.hit(key, limit)
        return Decision(
            allowed=allowed,
            limit=limit,
            remaining=remaining,
            reset=min(self._window, math.ceil(reset)),
            window=self._window,
            fallback=self._shared is not None,
        )

    def _should_try_shared(self) -> bool:
        if self._down_since is None or not self._fault_tolerant:
            return True
        now = self._clock()
        if now < self._next_probe:
            return False
        # Only this request probes; the ones arriving while it waits keep counting locally.
        self._next_probe = now + self._retry_interval
        return True

    def _mark_down(self, exc: BaseException) -> None:
        now = self._clock()
        self._next_probe = now + self._retry_interval
        if self._down_since is not None:
            return
        self._down_since = now
        action = (
            "counting in this process until it answers"
            if self._fault_tolerant
            else "refusing requests until it answers"
        )
        log.warning(
            "rate-limit store unreachable (%s: %s); %s",
            type(exc.__cause__ or exc).__name__,
            exc.__cause__ or exc,
            action,
        )

    def _mark_up(self) -> None:
        if self._down_since is None:
            return
        outage = self._clock() - self._down_since
        self._down_since = None
        log.info("rate-limit store reachable again after %.1f s; counting there", outage)

    async def _check_shared(
        self, limiter: MovingWindowRateLimiter, item: RateLimitItem, key: str
    ) -> Decision:
        allowed = await limiter.hit(item, key)
        stats = await limiter.get_window_stats(item, key)
        # The library keeps window timestamps in wall-clock seconds (time.time), so compare there.
        reset = min(self._window, max(0, math.ceil(stats.reset_time - time.time())))
        return Decision(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset=reset,
            window=self._window,
        )

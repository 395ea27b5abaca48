"""Brute-force protection of sign-in: growing delays, then a temporary lock (ASVS 5.0 V6).

Counted per account (by the hash of the typed email, whether or not it exists, so that the
answers never tell) and per client address. Counters live in the cache: in-process when
embedded, Redis at scale.
"""

from __future__ import annotations

import hashlib
import math
import time

from jobpilot.auth.config import ThrottleSettings
from jobpilot.auth.errors import TooManyAttempts
from jobpilot.kit.ports import Cache


def _key(kind: str, value: str) -> str:
    return f"auth:login:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class LoginThrottle:
    """Decides whether a sign-in attempt may proceed, and records failures."""

    def __init__(self, cache: Cache, settings: ThrottleSettings) -> None:
        self._cache = cache
        self._settings = settings

    def delay_after(self, failures: int) -> float:
        """Seconds a client must wait after `failures` consecutive failures."""
        extra = failures - self._settings.free_failures
        if extra < 0:
            return 0.0
        return float(min(self._settings.max_delay_seconds, 2**extra))

    async def check(self, email: str, ip: str | None) -> None:
        """Raise TooManyAttempts (with Retry-After) when this attempt must wait."""
        settings = self._settings
        if ip:
            ip_failures = await self._count(_key("ip", ip))
            if ip_failures >= settings.ip_failures_per_window:
                raise self._refuse(settings.window_seconds)
        account = _key("acct", email)
        failures = await self._count(account)
        if failures >= settings.lock_after_failures:
            raise self._refuse(settings.window_seconds)
        delay = self.delay_after(failures)
        if delay:
            last = await self._cache.get(account + ":last")
            waited = time.time() - float(last.decode()) if last else delay
            if waited < delay:
                raise self._refuse(delay - waited)

    async def failed(self, email: str, ip: str | None) -> None:
        """Count a failed attempt."""
        window = float(self._settings.window_seconds)
        account = _key("acct", email)
        await self._cache.incr(account, ttl_seconds=window)
        await self._cache.set(account + ":last", str(time.time()).encode(), ttl_seconds=window)
        if ip:
            await self._cache.incr(_key("ip", ip), ttl_seconds=window)

    async def succeeded(self, email: str) -> None:
        """Forget the account's failures after a successful sign-in."""
        account = _key("acct", email)
        await self._cache.delete(account)
        await self._cache.delete(account + ":last")

    async def mfa_failures(self, token_id: str) -> int:
        """Wrong codes entered for one sign-in's second step."""
        return await self._count(f"auth:mfa:{token_id}")

    async def mfa_failed(self, token_id: str, ttl_seconds: float) -> None:
        """Count a wrong second-step code."""
        await self._cache.incr(f"auth:mfa:{token_id}", ttl_seconds=ttl_seconds)

    async def _count(self, key: str) -> int:
        value = await self._cache.get(key)
        return int(value.decode()) if value else 0

    @staticmethod
    def _refuse(seconds: float) -> TooManyAttempts:
        wait = max(1, math.ceil(seconds))
        return TooManyAttempts(
            f"Too many failed attempts; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )

"""The cache port on Redis."""

from __future__ import annotations

import math

from redis.asyncio import Redis


class RedisCache:
    """Keys live in Redis under a prefix, so several deployments can share a server."""

    def __init__(self, url: str, *, prefix: str = "jobpilot:") -> None:
        self._redis: Redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        value = await self._redis.get(self._key(key))
        # The client is built without decode_responses, so values come back as bytes.
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_seconds: float | None = None) -> None:
        """Store `value` under `key`, expiring after `ttl_seconds` when given."""
        px = None if ttl_seconds is None else max(1, math.ceil(ttl_seconds * 1000))
        await self._redis.set(self._key(key), value, px=px)

    async def delete(self, key: str) -> None:
        """Forget `key`."""
        await self._redis.delete(self._key(key))

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        """Add `amount` to the counter at `key` (created at 0, expiry set on creation)."""
        full = self._key(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(full, amount)
            if ttl_seconds is not None:
                pipe.pexpire(full, max(1, math.ceil(ttl_seconds * 1000)), nx=True)
            results = await pipe.execute()
        return int(results[0])

    async def ping(self) -> None:
        """Raise if Redis does not answer."""
        await self._redis.ping()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()

"""One contract for every Cache adapter: in-process and Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from jobpilot.adapters.cache_memory import MemoryCache
from jobpilot.adapters.cache_redis import RedisCache
from jobpilot.kit.ports import Cache
from support import REDIS_URL_ENV, require_env


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        store: Cache = MemoryCache()
    else:
        url = require_env(REDIS_URL_ENV, "Redis")
        store = RedisCache(url, prefix=f"test:{uuid.uuid4().hex}:")
    yield store
    await store.close()


async def test_values_round_trip_and_can_be_deleted(cache: Cache) -> None:
    assert await cache.get("k") is None
    await cache.set("k", b"\x00value")
    assert await cache.get("k") == b"\x00value"
    await cache.set("k", b"other")
    assert await cache.get("k") == b"other"
    await cache.delete("k")
    assert await cache.get("k") is None
    await cache.delete("never-set")


async def test_values_expire(cache: Cache) -> None:
    await cache.set("short", b"1", ttl_seconds=0.2)
    await cache.set("long", b"2", ttl_seconds=30)
    assert await cache.get("short") == b"1"
    await asyncio.sleep(0.35)
    assert await cache.get("short") is None
    assert await cache.get("long") == b"2"


async def test_counters_count_and_keep_their_first_expiry(cache: Cache) -> None:
    assert await cache.incr("hits", ttl_seconds=0.3) == 1
    assert await cache.incr("hits", 4, ttl_seconds=10) == 5
    await asyncio.sleep(0.45)
    assert await cache.incr("hits") == 1  # the window from the first incr has passed


async def test_ping(cache: Cache) -> None:
    await cache.ping()


def test_memory_cache_is_bounded() -> None:
    async def fill() -> MemoryCache:
        small = MemoryCache(max_entries=3)
        for i in range(5):
            await small.set(f"k{i}", b"v")
        return small

    small = asyncio.run(fill())
    assert asyncio.run(small.get("k0")) is None
    assert asyncio.run(small.get("k4")) == b"v"

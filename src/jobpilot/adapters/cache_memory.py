"""An in-process cache for embedded mode and tests."""

from __future__ import annotations

import time


class MemoryCache:
    """A dictionary with expiry; one process only."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._data: dict[str, tuple[bytes, float | None]] = {}
        self._max_entries = max_entries

    def _live(self, key: str) -> tuple[bytes, float | None] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= time.monotonic():
            del self._data[key]
            return None
        return entry

    def _expiry(self, ttl_seconds: float | None) -> float | None:
        return None if ttl_seconds is None else time.monotonic() + ttl_seconds

    def _make_room(self) -> None:
        if len(self._data) < self._max_entries:
            return
        now = time.monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]
        while len(self._data) >= self._max_entries:
            # Dicts keep insertion order: drop the oldest entry.
            del self._data[next(iter(self._data))]

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def set(self, key: str, value: bytes, ttl_seconds: float | None = None) -> None:
        """Store `value` under `key`, expiring after `ttl_seconds` when given."""
        self._data.pop(key, None)
        self._make_room()
        self._data[key] = (value, self._expiry(ttl_seconds))

    async def delete(self, key: str) -> None:
        """Forget `key`."""
        self._data.pop(key, None)

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        """Add `amount` to the counter at `key` (created at 0, expiry set on creation)."""
        entry = self._live(key)
        if entry is None:
            self._make_room()
            value, expiry = amount, self._expiry(ttl_seconds)
        else:
            value, expiry = int(entry[0]) + amount, entry[1]
        self._data[key] = (str(value).encode(), expiry)
        return value

    async def ping(self) -> None:
        """Always answers: it lives in this process."""

    async def close(self) -> None:
        """Drop everything."""
        self._data.clear()

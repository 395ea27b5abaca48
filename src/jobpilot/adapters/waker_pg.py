"""Wakes idle workers through PostgreSQL LISTEN/NOTIFY as soon as a task commits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from jobpilot.kit.tasks import NOTIFY_CHANNEL

log = logging.getLogger("jobpilot.tasks")


class PgNotifyWaker:
    """Listens on the task channel; polling still runs as the fallback if the link drops."""

    def __init__(self, sqlalchemy_url: str) -> None:
        self._dsn = sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._event = asyncio.Event()
        self._conn: Any = None
        self._closed = False

    def _on_notify(self, *_args: Any) -> None:
        self._event.set()

    async def _ensure_listening(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            return
        try:
            self._conn = await asyncpg.connect(self._dsn, timeout=5)
            await self._conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            self._conn = None
            log.warning("task wake-ups unavailable, polling only", extra={"error": str(exc)})

    async def wait(self, max_seconds: float) -> None:
        """Return when a task is committed or after `max_seconds`."""
        if not self._closed:
            await self._ensure_listening()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), max_seconds)
        self._event.clear()

    async def close(self) -> None:
        """Stop listening."""
        self._closed = True
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):
                await self._conn.close(timeout=2)
        self._conn = None

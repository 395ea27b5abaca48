"""Periodic tasks: one per period however many workers offer them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from jobpilot.kit.db import Database
from jobpilot.kit.schedule import Periodic, schedule_periodic
from jobpilot.kit.tasks import Task


async def test_each_period_is_queued_once(db: Database) -> None:
    hourly = Periodic("test.tick", timedelta(hours=1), {"n": 1})
    daily = Periodic("test.tock", timedelta(days=1))
    now = datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
    # Several workers offering the same period at once.
    await asyncio.gather(*(schedule_periodic(db, [hourly, daily], now) for _ in range(3)))
    await schedule_periodic(db, [hourly, daily], now + timedelta(minutes=30))
    await schedule_periodic(db, [hourly, daily], now + timedelta(hours=1))
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(Task.name, Task.payload))).all()
    assert sorted(name for name, _ in rows) == ["test.tick", "test.tick", "test.tock"]
    assert all(payload == {"n": 1} for name, payload in rows if name == "test.tick")

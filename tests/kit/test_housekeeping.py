"""The queue cleans up after itself, run by the embedded worker and by `jobpilot worker`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.events import OutboxEvent
from jobpilot.kit.housekeeping import PURGE_TASK
from jobpilot.kit.tasks import Task
from jobpilot.main import create_app
from support import client_for, make_settings


async def _history(db: Database) -> None:
    now = utcnow()
    old, recent = now - timedelta(days=30), now - timedelta(hours=1)
    async with db.unit_of_work() as session:
        for name, status, finished in [
            ("test.old_done", "succeeded", old),
            ("test.recent_done", "succeeded", recent),
            ("test.old_dead", "dead", old),
        ]:
            session.add(
                Task(
                    id=uuid.uuid4(),
                    name=name,
                    payload={},
                    status=status,
                    attempts=1,
                    max_attempts=1,
                    run_at=old,
                    created_at=old,
                    updated_at=finished,
                    finished_at=finished,
                )
            )
        for name, relayed in [("test.old_event", old), ("test.recent_event", recent)]:
            session.add(
                OutboxEvent(
                    id=uuid.uuid4(), name=name, payload={}, occurred_at=old, relayed_at=relayed
                )
            )


async def _left(db: Database) -> tuple[set[str], set[str], str | None]:
    async with db.sessionmaker() as session:
        tasks = (await session.scalars(select(Task))).all()
        events = (await session.scalars(select(OutboxEvent.name))).all()
    purge = next((t.status for t in tasks if t.name == PURGE_TASK), None)
    # Other periodic tasks (a domain's own clean-ups) may be queued beside the purge.
    return {t.name for t in tasks if t.name.startswith("test.")}, set(events), purge


T = TypeVar("T")
EXPECTED = ({"test.recent_done", "test.old_dead"}, {"test.recent_event"}, "succeeded")


async def test_the_embedded_worker_purges_old_history(tmp_path: Path, sqlite_url: str) -> None:
    db = Database(sqlite_url)
    await _history(db)
    settings = make_settings(
        tmp_path, database={"url": sqlite_url}, tasks={"poll_interval_seconds": 0.05}
    )
    async for _client in client_for(create_app(settings, run_worker=True)):
        deadline = time.monotonic() + 10
        while (await _left(db))[2] != "succeeded" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    assert await _left(db) == EXPECTED
    await db.dispose()


def test_a_standalone_worker_drains_the_queue(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'jobpilot.sqlite3'}"
    env = {"JOBPILOT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "jobpilot"]
    assert subprocess.run([*run, "migrate"], env=env, check=False).returncode == 0
    asyncio.run(_with_db(url, _history))
    result = subprocess.run(
        [*run, "worker", "--drain"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert asyncio.run(_with_db(url, _left)) == EXPECTED


async def _with_db(url: str, action: Callable[[Database], Awaitable[T]]) -> T:
    db = Database(url)
    try:
        return await action(db)
    finally:
        await db.dispose()

"""What admins see of the queue and do with its dead letters, on SQLite and PostgreSQL:
depth per task name, retrying and discarding a dead task."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from jobpilot.kit.db import Database
from jobpilot.kit.tasks import (
    Task,
    TaskContext,
    TaskRegistry,
    TaskStatus,
    Worker,
    WorkerConfig,
    dead_task,
    dead_tasks,
    discard_dead,
    enqueue,
    queue_by_task,
    retry_dead,
)

ONE_TRY = WorkerConfig(poll_interval_seconds=0.05, max_attempts=1, depth_refresh_seconds=0)


async def _status(db: Database, task_id: uuid.UUID) -> str | None:
    async with db.sessionmaker() as session:
        return await session.scalar(select(Task.status).where(Task.id == task_id))


async def _dead_by_worker(db: Database, name: str, count: int = 1) -> list[uuid.UUID]:
    """`count` tasks `name` that fail on their only try, run by a real worker."""
    registry = TaskRegistry()

    @registry.task(name)
    async def fail(ctx: TaskContext, n: int) -> None:
        raise ConnectionError(f"upstream down\nwhile sending {n}")

    async with db.unit_of_work() as session:
        for n in range(count):
            await enqueue(session, name, n=n)
    await Worker(db, registry, ONE_TRY).drain(max_seconds=20)
    return [uuid.UUID(row["id"]) for row in await dead_tasks(db) if row["name"] == name]


async def test_depth_is_counted_per_task_name(db: Database) -> None:
    dead = await _dead_by_worker(db, "test.send_mail", count=2)
    assert len(dead) == 2
    async with db.unit_of_work() as session:
        await enqueue(session, "test.send_mail")
        await enqueue(session, "test.reindex")
        await enqueue(session, "test.reindex")
        await enqueue(session, "test.reindex", delay=timedelta(hours=1))
        await enqueue(session, "test.purge", delay=timedelta(minutes=5))
        await enqueue(session, "test.finished")
    async with db.unit_of_work() as session:
        await session.execute(
            update(Task).where(Task.name == "test.purge").values(status=TaskStatus.RUNNING.value)
        )
        await session.execute(
            update(Task)
            .where(Task.name == "test.finished")
            .values(status=TaskStatus.SUCCEEDED.value)
        )

    assert await queue_by_task(db) == [
        {"name": "test.purge", "ready": 0, "scheduled": 0, "running": 1, "dead": 0},
        {"name": "test.reindex", "ready": 2, "scheduled": 1, "running": 0, "dead": 0},
        {"name": "test.send_mail", "ready": 1, "scheduled": 0, "running": 0, "dead": 2},
    ]


async def test_an_empty_queue_has_no_rows(db: Database) -> None:
    assert await queue_by_task(db) == []


async def test_a_dead_letter_names_its_exception(db: Database) -> None:
    [task_id] = await _dead_by_worker(db, "test.send_mail")
    row = await dead_task(db, task_id)
    assert row is not None
    assert row["name"] == "test.send_mail"
    assert row["attempts"] == "1"
    assert row["finished_at"]
    # The traceback's last line: the exception and (the end of) its message.
    assert row["error"] == "while sending 0"
    assert await dead_task(db, uuid.uuid4()) is None


async def test_discard_deletes_only_a_dead_task(db: Database) -> None:
    [dead] = await _dead_by_worker(db, "test.send_mail")
    async with db.unit_of_work() as session:
        await enqueue(session, "test.send_mail", idempotency_key="queued-one")
    async with db.sessionmaker() as session:
        queued = await session.scalar(select(Task.id).where(Task.idempotency_key == "queued-one"))
    assert queued is not None

    # A queued task, an unknown id: nothing happens.
    assert await discard_dead(db, queued) == 0
    assert await discard_dead(db, uuid.uuid4()) == 0
    assert await _status(db, queued) == TaskStatus.QUEUED

    assert await discard_dead(db, dead) == 1
    assert await _status(db, dead) is None
    assert await dead_tasks(db) == []
    # Gone for good: neither a second discard nor a retry finds it.
    assert await discard_dead(db, dead) == 0
    assert await retry_dead(db, dead) == 0


async def test_a_retried_dead_task_runs_again(db: Database) -> None:
    [dead] = await _dead_by_worker(db, "test.send_mail")
    assert await retry_dead(db, dead) == 1
    assert await _status(db, dead) == TaskStatus.QUEUED
    assert await dead_task(db, dead) is None
    # Queued, not dead: discard leaves it alone.
    assert await discard_dead(db, dead) == 0
    [row] = await queue_by_task(db)
    assert row == {"name": "test.send_mail", "ready": 1, "scheduled": 0, "running": 0, "dead": 0}

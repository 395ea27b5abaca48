"""Housekeeping of the queue itself: finished tasks and relayed events do not pile up forever."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.events import OutboxEvent
from jobpilot.kit.tasks import Task, TaskContext, TaskRegistry, TaskStatus, enqueue

PURGE_TASK = "kit.purge_history"

tasks = TaskRegistry()


@tasks.task(PURGE_TASK, max_attempts=3)
async def purge_history(ctx: TaskContext, retention_days: int) -> None:
    """Delete tasks that succeeded and events relayed more than `retention_days` ago."""
    cutoff = utcnow() - timedelta(days=retention_days)
    await ctx.session.execute(
        delete(Task)
        .where(Task.status == TaskStatus.SUCCEEDED, Task.finished_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    await ctx.session.execute(
        delete(OutboxEvent)
        .where(OutboxEvent.relayed_at < cutoff)
        .execution_options(synchronize_session=False)
    )


async def schedule_purge(db: Database, retention_days: int) -> None:
    """Queue this hour's purge unless some worker already did (dead letters are kept)."""
    hour = utcnow().strftime("%Y-%m-%dT%H")
    async with db.unit_of_work() as session:
        await enqueue(
            session,
            PURGE_TASK,
            idempotency_key=f"{PURGE_TASK}:{hour}",
            retention_days=retention_days,
        )

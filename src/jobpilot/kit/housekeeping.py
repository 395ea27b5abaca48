"""Housekeeping of the queue itself: finished tasks and relayed events do not pile up forever."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, text

from jobpilot.kit.clock import utcnow
from jobpilot.kit.events import OutboxEvent
from jobpilot.kit.tasks import Task, TaskContext, TaskRegistry, TaskStatus

PURGE_TASK = "kit.purge_history"
PURGE_EVERY = timedelta(hours=1)

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
    if ctx.session.get_bind().dialect.name == "sqlite":
        # SQLite gathers planner statistics only when asked; this refreshes those that are
        # stale (PostgreSQL's autovacuum does the same by itself).
        await ctx.session.execute(text("PRAGMA optimize"))

"""Periodic tasks: each worker offers them to the queue, the queue keeps one per period.

Every period gets an idempotency key (`periodic:<task>:<period number>`), so however many
workers run, each period's task is queued once; a period in which no worker ran is skipped,
not caught up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.tasks import enqueue


@dataclass(frozen=True)
class Periodic:
    """Run task `task` with `payload` once every `every`."""

    task: str
    every: timedelta
    payload: Mapping[str, Any] = field(default_factory=dict)

    def key(self, now: datetime) -> str:
        """The idempotency key of the period containing `now`."""
        period = int(now.timestamp() // self.every.total_seconds())
        return f"periodic:{self.task}:{period}"


async def schedule_periodic(
    db: Database, periodics: Iterable[Periodic], now: datetime | None = None
) -> None:
    """Queue each periodic task for the current period, unless it already is."""
    moment = now or utcnow()
    items = list(periodics)
    if not items:
        return
    async with db.unit_of_work() as session:
        for periodic in items:
            await enqueue(
                session, periodic.task, idempotency_key=periodic.key(moment), **periodic.payload
            )

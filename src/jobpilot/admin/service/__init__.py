"""What the admin pages show: figures about the running platform, read through facades, and
the health of every service (`health.py` probes them).

Each further area of the admin (users, flags, settings, analytics) has its own module here;
`common` holds what they share."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from jobpilot.admin.errors import DeadTaskNotFound
from jobpilot.admin.health import HealthReport, ThisProcess
from jobpilot.admin.service.common import Actor, AdminComponents
from jobpilot.ai.public import PlatformUsage
from jobpilot.jobs.public import BoardFreshness
from jobpilot.kit.tasks import (
    TaskDepth,
    dead_task,
    dead_tasks,
    discard_dead,
    queue_by_task,
    queue_depth,
    retry_dead,
)

NEW_USER_DAYS = 7
# A user is active with a session seen (a sign-in or a token refresh) this recently.
ACTIVE_USER_DAYS = 7
# The Tasks page and its API list this many dead letters, newest first.
DEAD_LETTERS_SHOWN = 100


@dataclass(frozen=True)
class PlatformFigures:
    """The admin home's figures at `at`."""

    at: datetime
    users_total: int
    users_new: int
    # Submission attempts that ended since midnight (UTC), and how many were submitted.
    applications_today: int
    applications_submitted: int
    tasks_ready: int
    tasks_scheduled: int
    tasks_running: int
    tasks_dead: int
    # Accounts with a session seen in the last ACTIVE_USER_DAYS days.
    users_active: int
    # Writing requests, tokens and their cost this month (UTC).
    ai: PlatformUsage
    # The active job boards: how many were read within the refresh interval, and failures.
    boards: BoardFreshness

    @property
    def success_rate(self) -> float | None:
        """The share of today's applications that were submitted; None before any ended."""
        if not self.applications_today:
            return None
        return self.applications_submitted / self.applications_today


@dataclass(frozen=True)
class DeadLetter:
    """A task that failed every retry."""

    id: uuid.UUID
    name: str
    attempts: int
    # The last line of its last error: the exception and its message.
    error: str
    finished_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, str]) -> DeadLetter:
        """From a row of `kit.tasks.dead_tasks`."""
        finished = row["finished_at"]
        return cls(
            id=uuid.UUID(row["id"]),
            name=row["name"],
            attempts=int(row["attempts"]),
            error=row["error"],
            finished_at=datetime.fromisoformat(finished) if finished else None,
        )


@dataclass(frozen=True)
class TaskQueue:
    """The queue's depth per task name, and the newest dead letters."""

    depth: list[TaskDepth]
    dead: list[DeadLetter]

    @property
    def dead_total(self) -> int:
        """Every dead letter, also those beyond the listed ones."""
        return sum(row["dead"] for row in self.depth)


class AdminService:
    """Operating the platform: how it is doing, and how each service is."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def figures(self, now: datetime) -> PlatformFigures:
        """Users (new and active ones), today's applications, the task queue and its dead
        letters, this month's AI requests and spend, and how fresh the job boards are."""
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        accounts, outcomes, depth, active, ai, boards = await asyncio.gather(
            self.c.accounts.account_counts(now - timedelta(days=NEW_USER_DAYS)),
            self.c.applications.outcomes_since(midnight),
            queue_depth(self.c.db),
            self.c.accounts.active_accounts(now - timedelta(days=ACTIVE_USER_DAYS)),
            self.c.ai.platform_usage(now),
            self.c.jobs.board_freshness(now),
        )
        return PlatformFigures(
            at=now,
            users_total=accounts.total,
            users_new=accounts.new,
            applications_today=outcomes.finished,
            applications_submitted=outcomes.submitted,
            tasks_ready=depth["ready"],
            tasks_scheduled=depth["scheduled"],
            tasks_running=depth["running"],
            tasks_dead=depth["dead"],
            users_active=active,
            ai=ai,
            boards=boards,
        )

    async def services_health(self, here: ThisProcess) -> HealthReport:
        """Every service's status, uptime, p95 latency and error rate, probed now."""
        return await self.c.health.check(here)

    async def task_queue(self) -> TaskQueue:
        """Ready, scheduled, running and dead tasks per task name; the newest dead letters."""
        depth, dead = await asyncio.gather(
            queue_by_task(self.c.db), dead_tasks(self.c.db, DEAD_LETTERS_SHOWN)
        )
        return TaskQueue(depth=depth, dead=[DeadLetter.of(row) for row in dead])

    async def retry_task(self, actor: Actor, task_id: uuid.UUID) -> DeadLetter:
        """Queue a dead task again with a fresh retry budget, and audit it."""
        return await self._act_on_dead(actor, task_id, "retry")

    async def discard_task(self, actor: Actor, task_id: uuid.UUID) -> DeadLetter:
        """Delete a dead task so that it never runs, and audit it."""
        return await self._act_on_dead(actor, task_id, "discard")

    async def _act_on_dead(
        self, actor: Actor, task_id: uuid.UUID, action: Literal["retry", "discard"]
    ) -> DeadLetter:
        row = await dead_task(self.c.db, task_id)
        if row is None:
            raise DeadTaskNotFound
        letter = DeadLetter.of(row)
        act = retry_dead if action == "retry" else discard_dead
        # The change is conditional on the task still being dead: of two admins acting at
        # once, one changes it and is audited, the other is told it is gone.
        if await act(self.c.db, task_id) != 1:
            raise DeadTaskNotFound
        # Audited after the change committed, so the log holds only what happened. The audit
        # log is the auth domain's (its own unit of work): should writing it fail, the change
        # stands and the caller sees the error.
        await self.c.accounts.record_admin_action(
            actor.user_id,
            f"task.{action}",
            {"type": "task", "id": str(letter.id), "name": letter.name},
            {"attempts": letter.attempts, "error": letter.error},
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
        return letter

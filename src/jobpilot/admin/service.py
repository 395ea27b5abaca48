"""What the admin pages show: figures about the running platform, read through facades, and
the health of every service (`health.py` probes them)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from jobpilot.admin.config import AdminSettings
from jobpilot.admin.health import HealthReport, ServiceHealthMonitor, ThisProcess
from jobpilot.applications.public import ApplicationsFacade
from jobpilot.auth.public import AuthFacade
from jobpilot.kit.db import Database
from jobpilot.kit.tasks import queue_depth

NEW_USER_DAYS = 7


@dataclass
class AdminComponents:
    """The facades and the database the admin service reads, and the monitor that probes the
    services and remembers their recent scrapes (built once per process by wiring)."""

    accounts: AuthFacade
    applications: ApplicationsFacade
    db: Database
    health: ServiceHealthMonitor
    settings: AdminSettings


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

    @property
    def success_rate(self) -> float | None:
        """The share of today's applications that were submitted; None before any ended."""
        if not self.applications_today:
            return None
        return self.applications_submitted / self.applications_today


class AdminService:
    """Operating the platform: how it is doing, and how each service is."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def figures(self, now: datetime) -> PlatformFigures:
        """Users (and new ones), today's applications, the task queue and its dead letters."""
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        accounts, outcomes, depth = await asyncio.gather(
            self.c.accounts.account_counts(now - timedelta(days=NEW_USER_DAYS)),
            self.c.applications.outcomes_since(midnight),
            queue_depth(self.c.db),
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
        )

    async def services_health(self, here: ThisProcess) -> HealthReport:
        """Every service's status, uptime, p95 latency and error rate, probed now."""
        return await self.c.health.check(here)

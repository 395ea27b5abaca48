"""The admin's analytics: sign-ups, applications per status, submission success per ATS and
match quality, per day (UTC) over a period of 7, 30 or 90 days.

Every figure is counted in SQL by the domain that owns the rows (through its facade), grouped
by day or band there; this module lays the counts out over every day of the period, days
without any counting zero.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from jobpilot.admin.errors import InvalidPeriod
from jobpilot.admin.service.common import AdminComponents
from jobpilot.applications.public import STATUSES, AtsOutcomes, ScoreBand
from jobpilot.kit.days import days_of, period_start

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def period_of(days: int | str | None) -> int:
    """The period asked for, in days: 7, 30 or 90 (30 when not given); anything else is a
    422 `invalid_period`."""
    if days is None or days == "":
        return DEFAULT_PERIOD
    try:
        value = int(days)
    except (TypeError, ValueError):
        raise InvalidPeriod(details={"days": str(days)[:20]}) from None
    if value not in PERIODS:
        raise InvalidPeriod(details={"days": value})
    return value


@dataclass(frozen=True)
class AtsSuccess:
    """Submission attempts to one ATS that ended in the period."""

    ats: str
    finished: int
    submitted: int

    @property
    def rate(self) -> float:
        """The share submitted (every listed ATS has at least one finished attempt)."""
        return self.submitted / self.finished


@dataclass(frozen=True)
class Analytics:
    """The period's series, one value per day (oldest first) where they are per day."""

    at: datetime
    days: list[date]
    signups: list[int]
    # Per status (in the order of an application's life), the applications that reached it
    # each day; statuses nobody reached in the period are left out.
    statuses: dict[str, list[int]]
    ats: list[AtsSuccess]
    scores: list[ScoreBand]

    @property
    def period(self) -> int:
        """How many days the period covers."""
        return len(self.days)

    @property
    def signups_total(self) -> int:
        """Accounts created in the period."""
        return sum(self.signups)


class AnalyticsService:
    """Reads the period's counts from the auth and applications facades."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def analytics(self, period: int, now: datetime) -> Analytics:
        """The `period` days ending today (UTC), today included."""
        days = days_of(now.date(), period)
        since = period_start(now.date(), period)
        signups, changes, ats, scores = await asyncio.gather(
            self.c.accounts.signups_per_day(since),
            self.c.applications.status_changes_per_day(since),
            self.c.applications.outcomes_by_ats(since),
            self.c.applications.match_score_bands(since),
        )
        index = {day: n for n, day in enumerate(days)}
        per_status: dict[str, list[int]] = {}
        for day, status, count in changes:
            if day in index:
                per_status.setdefault(status, [0] * period)[index[day]] += count
        order: dict[str, int] = {status: n for n, status in enumerate(STATUSES)}
        statuses = dict(sorted(per_status.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
        return Analytics(
            at=now,
            days=days,
            signups=[signups.get(day, 0) for day in days],
            statuses=statuses,
            ats=[_success(row) for row in ats],
            scores=scores,
        )


def _success(row: AtsOutcomes) -> AtsSuccess:
    return AtsSuccess(ats=row.ats, finished=row.finished, submitted=row.submitted)

"""The admin's analytics as JSON: the same series as the Analytics page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from jobpilot.admin.deps import AnalyticsServiceDep
from jobpilot.admin.schemas import (
    AnalyticsRead,
    AtsSuccessRead,
    DayCountRead,
    DayStatusesRead,
    ScoreBandRead,
)
from jobpilot.admin.service.analytics import Analytics, period_of
from jobpilot.kit.clock import utcnow

router = APIRouter()


_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "`days` is not 7, 30 or 90 (`invalid_period`)."}
}


def analytics_read(found: Analytics) -> AnalyticsRead:
    """The JSON shape of a period's analytics."""
    return AnalyticsRead(
        days=found.period,
        start=found.days[0],
        end=found.days[-1],
        signups=[
            DayCountRead(day=d, count=n) for d, n in zip(found.days, found.signups, strict=True)
        ],
        applications_by_status=[
            DayStatusesRead(day=d, statuses={s: v[i] for s, v in found.statuses.items()})
            for i, d in enumerate(found.days)
        ],
        ats_success=[AtsSuccessRead.model_validate(row) for row in found.ats],
        match_scores=[ScoreBandRead.model_validate(band) for band in found.scores],
    )


@router.get(
    "/analytics", summary="Sign-ups, applications and match quality per day", responses=_INVALID
)
async def analytics(
    service: AnalyticsServiceDep,
    days: Annotated[
        str | None, Query(description="The period: 7, 30 (default) or 90 days.")
    ] = None,
) -> AnalyticsRead:
    """Per day (UTC) of the last `days` days, today included: accounts created, and the
    applications that reached each status; per ATS, the submission attempts that ended and
    how many were submitted; the match scores of the applications auto-apply queued, with
    their outcomes."""
    found = await service.analytics(period_of(days), utcnow())
    return analytics_read(found)

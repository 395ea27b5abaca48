"""The Analytics page: the period's series drawn as server-side SVG charts, each with its
numbers in a table beside it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from jobpilot.admin.deps import AnalyticsServiceDep
from jobpilot.admin.errors import InvalidPeriod
from jobpilot.admin.service.analytics import DEFAULT_PERIOD, PERIODS, Analytics, period_of
from jobpilot.admin.web.common import AdminUser, pages
from jobpilot.kit.clock import utcnow
from jobpilot.web.charts import Bar, Series, horizontal_bar_chart, line_chart, stacked_bar_chart

router = APIRouter(prefix="/admin/analytics")

SIGNUPS_CAPTION = "Accounts created each day (UTC)."
STATUSES_CAPTION = (
    "Applications that reached each status each day (UTC), from their timelines: created in "
    "it or moved to it. An application that moved twice in a day counts once in each status."
)
ATS_CAPTION = (
    "Submission attempts that ended in the period, per applicant tracking system: the share "
    "that submitted the application (attempts a stopped worker left and that were tried again "
    "are not counted)."
)
SCORES_CAPTION = (
    "Applications auto-apply queued in the period, by the match score (0 to 1) their rule "
    "saw when it queued them, and how far they have got since: sent to the employer, and now "
    "at interview or offer. Applications users add themselves have no score and are not shown."
)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


def charts(found: Analytics) -> dict[str, Markup]:
    """The page's four charts for a period's figures."""
    labels = [_day(d) for d in found.days]
    ats = [
        Bar(row.ats, row.rate, f"{row.rate:.0%} ({row.submitted} of {row.finished})")
        for row in found.ats
    ]
    scores = [
        Bar(
            f"{band.low:.1f}\u2013{band.high:.1f}",
            band.applications,
            f"{band.applications} queued, {band.sent} sent, {band.interviews} interview or offer",
        )
        for band in found.scores
    ]
    return {
        "signups": line_chart(
            "chart-signups",
            f"Sign-ups per day, last {found.period} days",
            SIGNUPS_CAPTION,
            labels,
            [Series("Sign-ups", found.signups)],
        ),
        "statuses": stacked_bar_chart(
            "chart-statuses",
            f"Applications per status per day, last {found.period} days",
            STATUSES_CAPTION,
            labels,
            [Series(status, values) for status, values in found.statuses.items()],
        ),
        "ats": horizontal_bar_chart(
            "chart-ats",
            f"Submission success per ATS, last {found.period} days",
            ATS_CAPTION,
            ats,
            max_value=1.0,
            head=("ATS", "Submitted of ended"),
        ),
        "scores": horizontal_bar_chart(
            "chart-scores",
            f"Match scores of auto-applied applications, last {found.period} days",
            SCORES_CAPTION,
            scores,
            head=("Match score", "Applications"),
        ),
    }


@router.get("")
async def analytics(
    request: Request, user: AdminUser, service: AnalyticsServiceDep, days: str | None = None
) -> Response:
    """The period's charts (7, 30 or 90 days; 30 by default); another period is a 422 page
    that says which ones exist. htmx gets the charts alone when the period changes."""
    context: dict[str, Any] = {"periods": PERIODS, "error": None, "found": None, "charts": {}}
    try:
        period = period_of(days)
    except InvalidPeriod as error:
        context.update(period=DEFAULT_PERIOD, error=f"{error.message} (asked for: {days}).")
        return pages.render(
            request, "admin/analytics.html", context, fragment="analytics", status_code=422
        )
    found = await service.analytics(period, utcnow())
    context.update(period=period, found=found, charts=charts(found))
    return pages.render(request, "admin/analytics.html", context, fragment="analytics")

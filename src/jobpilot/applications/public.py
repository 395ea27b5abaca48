"""What other parts of the platform may ask of the applications domain."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from jobpilot.applications.schemas import STATUSES
from jobpilot.applications.service import (
    ApplicationsComponents,
    ApplicationsService,
    Applied,
    AtsOutcomes,
    ScoreBand,
    SubmissionOutcomes,
)
from jobpilot.applications.submission import KILL_SWITCH, KILL_SWITCH_DESCRIPTION
from jobpilot.kit.db import Database

__all__ = [
    "KILL_SWITCH",
    "KILL_SWITCH_DESCRIPTION",
    "STATUSES",
    "ApplicationsComponents",
    "ApplicationsFacade",
    "Applied",
    "AtsOutcomes",
    "ScoreBand",
    "SubmissionOutcomes",
]


class ApplicationsFacade:
    """Reads for other domains, each in its own unit of work."""

    def __init__(self, db: Database, components: ApplicationsComponents) -> None:
        self._db = db
        self._components = components

    async def applied(self, user_id: uuid.UUID) -> Applied:
        """The postings the user has applied to or is applying to (saved ones left out), by id
        and by repost key."""
        async with self._db.unit_of_work() as session:
            return await ApplicationsService(session, self._components).applied(user_id)

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The user's applications with notes and timelines, for a data export."""
        async with self._db.unit_of_work() as session:
            return await ApplicationsService(session, self._components).export_user(user_id)

    async def outcomes_since(self, since: datetime) -> SubmissionOutcomes:
        """Every user's submission attempts that ended at or after `since`, and how many of
        them were submitted (for the admin's figures)."""
        async with self._db.unit_of_work() as session:
            return await ApplicationsService(session, self._components).outcomes_since(since)

    async def status_changes_per_day(self, since: datetime) -> list[tuple[date, str, int]]:
        """Per day (UTC) since `since` and status: how many applications reached that status
        that day (created in it or moved to it), for the admin's analytics."""
        async with self._db.unit_of_work() as session:
            service = ApplicationsService(session, self._components)
            return await service.status_changes_per_day(since)

    async def outcomes_by_ats(self, since: datetime) -> list[AtsOutcomes]:
        """Every user's submission attempts that ended at or after `since`, per ATS, and how
        many of them were submitted."""
        async with self._db.unit_of_work() as session:
            return await ApplicationsService(session, self._components).outcomes_by_ats(since)

    async def match_score_bands(self, since: datetime) -> list[ScoreBand]:
        """Auto-apply applications queued at or after `since` per band of match score, with
        how many went out and how many led to an interview or an offer."""
        async with self._db.unit_of_work() as session:
            service = ApplicationsService(session, self._components)
            return await service.match_score_bands(since)

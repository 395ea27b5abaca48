"""What other parts of the platform may ask of the applications domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from jobpilot.applications.service import (
    ApplicationsComponents,
    ApplicationsService,
    Applied,
    SubmissionOutcomes,
)
from jobpilot.applications.submission import KILL_SWITCH, KILL_SWITCH_DESCRIPTION
from jobpilot.kit.db import Database

__all__ = [
    "KILL_SWITCH",
    "KILL_SWITCH_DESCRIPTION",
    "ApplicationsComponents",
    "ApplicationsFacade",
    "Applied",
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

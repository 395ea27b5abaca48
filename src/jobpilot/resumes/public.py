"""What other parts of the platform may ask of the resumes domain."""

from __future__ import annotations

import uuid
from typing import Any

from jobpilot.kit.db import Database
from jobpilot.resumes.service import LatestVersion, ResumesComponents, ResumesService

__all__ = ["LatestVersion", "ResumesFacade"]


class ResumesFacade:
    """Reads for other domains, each in its own unit of work."""

    def __init__(self, db: Database, components: ResumesComponents) -> None:
        self._db = db
        self._components = components

    async def resume_ids(self) -> list[uuid.UUID]:
        """The id of every resume."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).resume_ids()

    async def latest(self, resume_id: uuid.UUID) -> LatestVersion | None:
        """A resume's owner and latest version (None when the resume is gone)."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).latest(resume_id)

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The user's resumes with every version, for a data export."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).export_user(user_id)

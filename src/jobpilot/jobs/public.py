"""What other parts of the platform may ask of the jobs domain."""

from __future__ import annotations

import uuid
from typing import Any

from jobpilot.jobs.repository import JobRepository
from jobpilot.kit.db import Database


class JobsFacade:
    """Reads for other domains, each in its own unit of work."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The user's saved searches, for a data export."""
        async with self._db.unit_of_work() as session:
            rows = await JobRepository(session).saved_searches(user_id)
            return {
                "saved_searches": [
                    {
                        "id": str(r.id),
                        "name": r.name,
                        "filters": r.filters,
                        "created_at": r.created_at.isoformat(),
                        "updated_at": r.updated_at.isoformat(),
                    }
                    for r in rows
                ]
            }

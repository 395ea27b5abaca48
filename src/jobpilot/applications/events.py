"""Events the applications domain publishes."""

from __future__ import annotations

import uuid

from jobpilot.kit.events import Event


class ApplicationStatusChanged(Event):
    """An application moved to another status (or was created in one)."""

    name = "applications.status_changed"

    application_id: uuid.UUID
    user_id: uuid.UUID
    job_id: uuid.UUID | None
    from_status: str | None
    to_status: str

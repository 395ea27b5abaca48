"""Events the resumes domain publishes."""

from __future__ import annotations

import uuid

from jobpilot.kit.events import Event


class ResumeVersionSaved(Event):
    """A resume has a new latest version."""

    name = "resumes.version_saved"

    resume_id: uuid.UUID
    user_id: uuid.UUID
    number: int


class ResumeDeleted(Event):
    """A resume and its versions are gone (deleted, or its account erased)."""

    name = "resumes.deleted"

    resume_id: uuid.UUID
    user_id: uuid.UUID

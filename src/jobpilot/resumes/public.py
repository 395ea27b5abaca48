"""What other parts of the platform may ask of the resumes domain."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from jobpilot.kit.db import Database
from jobpilot.kit.errors import ValidationFailed, validation_details
from jobpilot.resumes.errors import VersionNotFound
from jobpilot.resumes.schema import Resume
from jobpilot.resumes.service import (
    LatestVersion,
    ResumesComponents,
    ResumesService,
    TailoredSource,
)

__all__ = ["LatestVersion", "ResumesFacade", "TailoredSource"]


class ResumesFacade:
    """Reads for other domains, each in its own unit of work."""

    def __init__(self, db: Database, components: ResumesComponents) -> None:
        self._db = db
        self._components = components

    async def resume_ids(self) -> list[uuid.UUID]:
        """The id of every resume."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).resume_ids()

    async def version_ref(
        self, user_id: uuid.UUID, version_id: uuid.UUID
    ) -> tuple[uuid.UUID, int] | None:
        """The resume id and version number of one of the user's resume versions (None when
        there is no such version or it is someone else's)."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).version_ref(user_id, version_id)

    async def export_pdf(self, user_id: uuid.UUID, version_id: uuid.UUID) -> tuple[str, bytes]:
        """One of the user's resume versions as a PDF in its resume's template: file name and
        bytes (404 `version_not_found` when the version is not theirs)."""
        async with self._db.unit_of_work(write=True) as session:
            service = ResumesService(session, self._components)
            ref = await service.version_ref(user_id, version_id)
            if ref is None:
                raise VersionNotFound
            export = await service.export(user_id, ref[0], "pdf", None, ref[1])
            return export.filename, export.data

    async def version_id(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, number: int | None = None
    ) -> tuple[int, uuid.UUID] | None:
        """The number and id of version `number` (default: the latest) of one of the user's
        resumes (None when there is no such version or the resume is someone else's)."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).version_id(
                user_id, resume_id, number
            )

    async def latest(self, resume_id: uuid.UUID) -> LatestVersion | None:
        """A resume's owner and latest version (None when the resume is gone)."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).latest(resume_id)

    async def save_tailored(
        self,
        user_id: uuid.UUID,
        tier: str,
        source: TailoredSource,
        document: dict[str, Any],
        *,
        name: str,
        note: str,
        meta: dict[str, Any],
    ) -> tuple[uuid.UUID, int]:
        """Save `document` as a new variant of `source` (counts against the resumes quota);
        the variant's id and version number."""
        async with self._db.unit_of_work(write=True) as session:
            return await ResumesService(session, self._components).tailored(
                user_id, tier, source, document, name=name, note=note, meta=meta
            )

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The user's resumes with every version, for a data export."""
        async with self._db.unit_of_work() as session:
            return await ResumesService(session, self._components).export_user(user_id)

    async def ensure_resume(
        self, user_id: uuid.UUID, tier: str, name: str, document: dict[str, Any]
    ) -> uuid.UUID:
        """The user's resume called `name`, created or given a new version if `document` differs."""
        try:
            resume = Resume.model_validate(document)
        except ValidationError as exc:
            raise ValidationFailed(details=validation_details(exc.errors(), prefix=())) from None
        async with self._db.unit_of_work(write=True) as session:
            return await ResumesService(session, self._components).ensure(
                user_id, tier, name, resume
            )

"""The resumes domain's rules: resumes as lines of immutable versions, variants, imports,
templates, exports and the ATS check."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import insert_or_ignore
from jobpilot.kit.errors import ValidationFailed, validation_details
from jobpilot.kit.events import publish
from jobpilot.kit.ports import BlobStore
from jobpilot.kit.tasks import enqueue
from jobpilot.resumes import render
from jobpilot.resumes.check import ats_check
from jobpilot.resumes.diff import diff_documents
from jobpilot.resumes.errors import (
    BuiltinTemplate,
    EmptyResume,
    ResumeNameTaken,
    ResumeNotFound,
    TemplateKeyTaken,
    TemplateNotFound,
    VersionConflict,
    VersionNotFound,
)
from jobpilot.resumes.events import ResumeDeleted, ResumeVersionSaved
from jobpilot.resumes.models import ExportRow, ResumeRow, ResumeVersion, TemplateRow
from jobpilot.resumes.parsing import parse_resume
from jobpilot.resumes.schema import Resume
from jobpilot.resumes.schemas import (
    ImportResult,
    Lineage,
    ResumeCreate,
    ResumeDetail,
    ResumeSummary,
    ResumeUpdate,
    TemplateRead,
    TemplateWrite,
    VariantCreate,
    VersionDetail,
    VersionSummary,
)
from jobpilot.resumes.uploads import check_upload
from jobpilot.users.public import UsersComponents, UsersFacade

RESUMES_QUOTA = "resumes"
DELETE_BLOBS = "resumes.delete_blobs"
PRERENDER = "resumes.prerender"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
}


@dataclass
class ResumesComponents:
    """The long-lived parts the resumes service works with (built once by wiring)."""

    blobs: BlobStore
    users: UsersComponents


@dataclass(frozen=True)
class LatestVersion:
    """A resume's owner and the document of its latest version."""

    resume_id: uuid.UUID
    user_id: uuid.UUID
    number: int
    document: dict[str, Any]


@dataclass(frozen=True)
class TailoredSource:
    """The resume version a tailored variant branches from."""

    resume_id: uuid.UUID
    version: int


@dataclass(frozen=True)
class Export:
    """An exported file."""

    data: bytes
    media_type: str
    filename: str


def _invalid(exc: ValidationError, prefix: tuple[str, ...]) -> ValidationFailed:
    return ValidationFailed(details=validation_details(exc.errors(), prefix=prefix))


def profile_resume(profile: dict[str, Any]) -> Resume:
    """A resume filled from a JobPilot profile."""
    contact = profile.get("contact") or {}
    location = profile.get("location") or {}
    links = profile.get("links") or {}
    profiles = [
        {"network": network.capitalize() if network != "github" else "GitHub", "url": url}
        for network, url in links.items()
        if url and network in {"linkedin", "github"}
    ]
    work = [
        {
            "name": job.get("company"),
            "position": job.get("title"),
            "startDate": (job.get("start") or "")[:7] or None,
            "endDate": None if job.get("current") else (job.get("end") or "")[:7] or None,
            "summary": job.get("description") or None,
        }
        for job in profile.get("experience") or []
    ]
    education = [
        {
            "institution": school.get("institution"),
            "studyType": school.get("degree"),
            "area": school.get("field_of_study"),
            "startDate": (school.get("start") or "")[:7] or None,
            "endDate": (school.get("end") or "")[:7] or None,
        }
        for school in profile.get("education") or []
    ]
    document = {
        "basics": {
            "name": profile.get("name") or None,
            "label": profile.get("headline"),
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "url": links.get("portfolio"),
            "location": {
                "city": location.get("city"),
                "region": location.get("region"),
                "countryCode": location.get("country_code"),
            },
            "profiles": profiles,
        },
        "work": work,
        "education": education,
        "skills": [{"name": name} for name in profile.get("skills") or []],
        "languages": [
            {"language": lang.get("language"), "fluency": lang.get("proficiency")}
            for lang in profile.get("languages") or []
        ],
    }
    return Resume.model_validate(document)


class ResumesService:
    """What the resumes API does, for one user at a time, in one unit of work."""

    def __init__(self, session: AsyncSession, components: ResumesComponents) -> None:
        self.session = session
        self.c = components
        self.users = UsersFacade(session, components.users)

    # Reading

    async def _own(self, user_id: uuid.UUID, resume_id: uuid.UUID) -> ResumeRow:
        row = await self.session.scalar(
            select(ResumeRow).where(ResumeRow.id == resume_id, ResumeRow.user_id == user_id)
        )
        if row is None:
            raise ResumeNotFound
        return row

    async def _version(self, resume: ResumeRow, number: int | None = None) -> ResumeVersion:
        wanted = resume.latest_version if number is None else number
        row = await self.session.scalar(
            select(ResumeVersion).where(
                ResumeVersion.resume_id == resume.id, ResumeVersion.number == wanted
            )
        )
        if row is None:
            raise VersionNotFound
        return row

    @staticmethod
    def _summary(row: ResumeRow) -> dict[str, Any]:
        parent = (
            Lineage(resume_id=row.parent_resume_id, version=row.parent_version)
            if row.parent_version is not None
            else None
        )
        return {
            "id": row.id,
            "name": row.name,
            "template": row.template,
            "latest_version": row.latest_version,
            "parent": parent,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }

    @staticmethod
    def _version_summary(row: ResumeVersion) -> dict[str, Any]:
        return {
            "id": row.id,
            "number": row.number,
            "parent_number": row.parent_number,
            "author_id": row.author_id,
            "origin": row.origin,
            "note": row.note,
            "created_at": row.created_at,
        }

    def _detail(self, row: ResumeRow, version: ResumeVersion) -> ResumeDetail:
        return ResumeDetail(
            **self._summary(row),
            version=VersionDetail(**self._version_summary(version), resume=version.data),
        )

    async def resumes(self, user_id: uuid.UUID) -> list[ResumeSummary]:
        """The user's resumes by name."""
        rows = await self.session.scalars(
            select(ResumeRow).where(ResumeRow.user_id == user_id).order_by(ResumeRow.name)
        )
        return [ResumeSummary(**self._summary(r)) for r in rows]

    async def get(self, user_id: uuid.UUID, resume_id: uuid.UUID) -> ResumeDetail:
        """A resume with its latest version."""
        row = await self._own(user_id, resume_id)
        return self._detail(row, await self._version(row))

    async def versions(self, user_id: uuid.UUID, resume_id: uuid.UUID) -> list[VersionSummary]:
        """Every version, newest first."""
        row = await self._own(user_id, resume_id)
        versions = await self.session.scalars(
            select(ResumeVersion)
            .where(ResumeVersion.resume_id == row.id)
            .order_by(ResumeVersion.number.desc())
        )
        return [VersionSummary(**self._version_summary(v)) for v in versions]

    async def version(self, user_id: uuid.UUID, resume_id: uuid.UUID, number: int) -> VersionDetail:
        """One version with its document."""
        version = await self._version(await self._own(user_id, resume_id), number)
        return VersionDetail(**self._version_summary(version), resume=version.data)

    async def diff(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, old: int, new: int
    ) -> dict[str, Any]:
        """What changed from version `old` to version `new`."""
        row = await self._own(user_id, resume_id)
        before, after = await self._version(row, old), await self._version(row, new)
        return {"from": old, "to": new, **diff_documents(before.data, after.data)}

    # Writing

    def _normalised(self, resume: Resume) -> dict[str, Any]:
        """The document with skill names as the taxonomy spells them ("k8s" → Kubernetes)."""
        for skill in resume.skills:
            if skill.name and not skill.keywords:
                skill.name = self.users.normalise_skill(skill.name)[0]
            skill.keywords = [self.users.normalise_skill(k)[0] for k in skill.keywords]
        return resume.document()

    async def _check_name(
        self, user_id: uuid.UUID, name: str, *, besides: uuid.UUID | None = None
    ) -> None:
        clash = await self.session.scalar(
            select(ResumeRow.id).where(ResumeRow.user_id == user_id, ResumeRow.name == name)
        )
        if clash is not None and clash != besides:
            raise ResumeNameTaken

    async def _new_resume(
        self,
        user_id: uuid.UUID,
        tier: str,
        name: str,
        document: dict[str, Any],
        *,
        origin: str,
        note: str | None,
        template: str = "classic",
        meta: dict[str, Any] | None = None,
        parent: tuple[uuid.UUID, int] | None = None,
    ) -> tuple[ResumeRow, ResumeVersion]:
        await self._check_name(user_id, name)
        await self.template_source(template)
        await self.users.consume_quota(user_id, tier, RESUMES_QUOTA)
        now = utcnow()
        row = ResumeRow(
            id=uuid.uuid4(),
            user_id=user_id,
            name=name,
            parent_resume_id=parent[0] if parent else None,
            parent_version=parent[1] if parent else None,
            template=template,
            latest_version=1,
            created_at=now,
            updated_at=now,
        )
        version = ResumeVersion(
            id=uuid.uuid4(),
            resume_id=row.id,
            number=1,
            parent_number=None,
            author_id=user_id,
            origin=origin,
            note=note,
            data=document,
            meta=meta or {},
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        self.session.add(version)
        await self.session.flush()
        await self._saved(row, version)
        return row, version

    async def create(self, user_id: uuid.UUID, tier: str, body: ResumeCreate) -> ResumeDetail:
        """A new resume from a JSON Resume document or from the profile."""
        if body.resume is not None:
            resume, origin = body.resume, "created"
        elif body.from_profile:
            resume, origin = profile_resume(await self.users.profile(user_id)), "profile"
        else:
            raise EmptyResume
        row, version = await self._new_resume(
            user_id,
            tier,
            body.name,
            self._normalised(resume),
            origin=origin,
            note=body.note,
            template=body.template,
        )
        return self._detail(row, version)

    async def import_file(
        self, user_id: uuid.UUID, tier: str, data: bytes, filename: str | None, name: str | None
    ) -> ImportResult:
        """A new resume read from a PDF or DOCX upload (nothing is stored if it fails)."""
        kind = check_upload(data)
        parsed = await asyncio.to_thread(parse_resume, data, kind)
        title = name or _name_from(filename) or parsed.resume.basics.name or "Imported resume"
        title = await self._free_name(user_id, title[:120])
        meta = {
            "confidence": parsed.confidence,
            "warnings": parsed.warnings,
            "layout": parsed.layout,
            "pages": parsed.pages,
            "filename": (filename or "")[:200],
            "kind": kind,
        }
        row, version = await self._new_resume(
            user_id,
            tier,
            title,
            self._normalised(parsed.resume),
            origin="import",
            note=None,
            meta=meta,
        )
        return ImportResult(
            **self._detail(row, version).model_dump(),
            confidence=parsed.confidence,
            warnings=parsed.warnings,
            layout=parsed.layout,
            pages=parsed.pages,
            raw_text=parsed.raw_text,
        )

    async def _free_name(self, user_id: uuid.UUID, name: str) -> str:
        taken = set(
            await self.session.scalars(
                select(ResumeRow.name).where(
                    ResumeRow.user_id == user_id, ResumeRow.name.like(f"{name[:100]}%")
                )
            )
        )
        if name not in taken:
            return name
        n = 2
        while f"{name[:110]} ({n})" in taken:
            n += 1
        return f"{name[:110]} ({n})"

    async def _add_version(
        self,
        row: ResumeRow,
        author_id: uuid.UUID,
        document: dict[str, Any],
        *,
        origin: str,
        note: str | None,
    ) -> ResumeVersion:
        now = utcnow()
        version = ResumeVersion(
            id=uuid.uuid4(),
            resume_id=row.id,
            number=row.latest_version + 1,
            parent_number=row.latest_version,
            author_id=author_id,
            origin=origin,
            note=note,
            data=document,
            meta={},
            created_at=now,
        )
        row.latest_version = version.number
        row.updated_at = now
        self.session.add(version)
        await self.session.flush()
        await self._saved(row, version)
        return version

    async def _saved(self, row: ResumeRow, version: ResumeVersion) -> None:
        """A new latest version: its PDF and DOCX are rendered in the background (so exports
        are instant), and other domains hear of it."""
        await enqueue(
            self.session,
            PRERENDER,
            idempotency_key=f"{PRERENDER}:{version.id}:{row.template}",
            version_id=str(version.id),
            template=row.template,
        )
        await publish(
            self.session,
            ResumeVersionSaved(resume_id=row.id, user_id=row.user_id, number=version.number),
        )

    async def prerender_plan(
        self, version_id: uuid.UUID, template_key: str
    ) -> tuple[ResumeVersion, render.TemplateSource, list[str]] | None:
        """What a new version still lacks in the export cache (None if it is gone)."""
        version = await self.session.get(ResumeVersion, version_id)
        if version is None:
            return None
        try:
            template = await self.template_source(template_key)
        except TemplateNotFound:
            return None
        missing = [
            fmt for fmt in ("pdf", "docx") if await self.cached(version.id, template, fmt) is None
        ]
        return version, template, missing

    async def save(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, body: ResumeUpdate
    ) -> ResumeDetail:
        """Save a new version (a 409 when it was edited on an outdated version)."""
        row = await self._own(user_id, resume_id)
        if body.base_version is not None and body.base_version != row.latest_version:
            raise VersionConflict(
                details={"base_version": body.base_version, "latest_version": row.latest_version}
            )
        if body.name is not None and body.name != row.name:
            await self._check_name(user_id, body.name, besides=row.id)
            row.name = body.name
        if body.template is not None:
            await self.template_source(body.template)
            row.template = body.template
        version = await self._add_version(
            row, user_id, self._normalised(body.resume), origin="edit", note=body.note
        )
        return self._detail(row, version)

    async def restore(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, number: int, note: str | None
    ) -> ResumeDetail:
        """A new version equal to version `number`."""
        row = await self._own(user_id, resume_id)
        old = await self._version(row, number)
        version = await self._add_version(
            row,
            user_id,
            dict(old.data),
            origin="restore",
            note=note or f"Restored version {number}",
        )
        return self._detail(row, version)

    async def variant(
        self, user_id: uuid.UUID, tier: str, resume_id: uuid.UUID, body: VariantCreate
    ) -> ResumeDetail:
        """A new resume branching from a version of this one, keeping its lineage."""
        source = await self._own(user_id, resume_id)
        version = await self._version(source, body.version)
        row, first = await self._new_resume(
            user_id,
            tier,
            body.name,
            dict(version.data),
            origin="variant",
            note=body.note or f"Variant of {source.name}, version {version.number}",
            template=source.template,
            parent=(source.id, version.number),
        )
        return self._detail(row, first)

    async def ensure(self, user_id: uuid.UUID, tier: str, name: str, resume: Resume) -> uuid.UUID:
        """The user's resume called `name`: created, or given a new version when `resume`
        differs from its latest (compared as it would be stored)."""
        found = await self.session.scalar(
            select(ResumeRow).where(ResumeRow.user_id == user_id, ResumeRow.name == name)
        )
        if found is None:
            return (await self.create(user_id, tier, ResumeCreate(name=name, resume=resume))).id
        latest = await self._version(found)
        if latest.data != self._normalised(resume.model_copy(deep=True)):
            await self.save(user_id, found.id, ResumeUpdate(resume=resume))
        return found.id

    async def tailored(
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
        """A variant of `source` whose first version is `document` (a resume tailored to a
        posting); its id and version number. The document is validated like any edit."""
        row = await self._own(user_id, source.resume_id)
        version = await self._version(row, source.version)
        try:
            resume = Resume.model_validate(document)
        except ValidationError as exc:
            raise _invalid(exc, ("resume",)) from exc
        created, first = await self._new_resume(
            user_id,
            tier,
            await self._free_name(user_id, name),
            self._normalised(resume),
            origin="tailored",
            note=note,
            template=row.template,
            meta=meta,
            parent=(row.id, version.number),
        )
        return created.id, first.number

    async def _erase(self, row: ResumeRow) -> list[str]:
        """Delete a resume and its versions; the blob keys of its exports (to remove)."""
        keys = list(
            await self.session.scalars(
                select(ExportRow.blob_key)
                .join(ResumeVersion, ResumeVersion.id == ExportRow.version_id)
                .where(ResumeVersion.resume_id == row.id)
            )
        )
        await self.session.execute(delete(ResumeVersion).where(ResumeVersion.resume_id == row.id))
        await self.session.delete(row)
        await publish(self.session, ResumeDeleted(resume_id=row.id, user_id=row.user_id))
        return keys

    async def delete(self, user_id: uuid.UUID, resume_id: uuid.UUID) -> list[str]:
        """Delete a resume with its versions (its quota comes back); the export blob keys."""
        keys = await self._erase(await self._own(user_id, resume_id))
        await self.users.release_quota(user_id, RESUMES_QUOTA)
        return keys

    async def delete_and_forget(self, user_id: uuid.UUID, resume_id: uuid.UUID) -> None:
        """Delete a resume now and its export files in the background."""
        keys = await self.delete(user_id, resume_id)
        if keys:
            await enqueue(self.session, DELETE_BLOBS, keys=keys)

    async def version_ref(
        self, user_id: uuid.UUID, version_id: uuid.UUID
    ) -> tuple[uuid.UUID, int] | None:
        """The resume and number of one of the user's versions (None when not theirs)."""
        row = await self.session.execute(
            select(ResumeVersion.resume_id, ResumeVersion.number)
            .join(ResumeRow, ResumeRow.id == ResumeVersion.resume_id)
            .where(ResumeVersion.id == version_id, ResumeRow.user_id == user_id)
        )
        found = row.first()
        return (found[0], found[1]) if found is not None else None

    async def version_id(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, number: int | None = None
    ) -> tuple[int, uuid.UUID] | None:
        """The number and id of version `number` (default: the latest) of one of the user's
        resumes (None when there is no such version or the resume is someone else's)."""
        row = await self.session.get(ResumeRow, resume_id)
        if row is None or row.user_id != user_id:
            return None
        found = await self.session.scalar(
            select(ResumeVersion.id).where(
                ResumeVersion.resume_id == resume_id,
                ResumeVersion.number == (row.latest_version if number is None else number),
            )
        )
        return (row.latest_version if number is None else number, found) if found else None

    async def resume_ids(self) -> list[uuid.UUID]:
        """The id of every resume."""
        return list(await self.session.scalars(select(ResumeRow.id)))

    async def latest(self, resume_id: uuid.UUID) -> LatestVersion | None:
        """A resume's owner and latest version (None when the resume is gone)."""
        row = await self.session.get(ResumeRow, resume_id)
        if row is None:
            return None
        version = await self.session.scalar(
            select(ResumeVersion).where(
                ResumeVersion.resume_id == row.id, ResumeVersion.number == row.latest_version
            )
        )
        if version is None:
            return None
        return LatestVersion(row.id, row.user_id, version.number, version.data)

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """Every resume of the user with every version, for a data export."""
        out = []
        for row in await self.session.scalars(
            select(ResumeRow).where(ResumeRow.user_id == user_id).order_by(ResumeRow.name)
        ):
            versions = await self.session.scalars(
                select(ResumeVersion)
                .where(ResumeVersion.resume_id == row.id)
                .order_by(ResumeVersion.number)
            )
            out.append(
                {
                    **ResumeSummary(**self._summary(row)).model_dump(mode="json"),
                    "versions": [
                        {
                            **VersionSummary(**self._version_summary(v)).model_dump(mode="json"),
                            "resume": v.data,
                        }
                        for v in versions
                    ],
                }
            )
        return {"resumes": out}

    async def delete_user_data(self, user_id: uuid.UUID) -> list[str]:
        """Erase every resume of a deleted account; the export blob keys to remove."""
        keys: list[str] = []
        for row in list(
            await self.session.scalars(select(ResumeRow).where(ResumeRow.user_id == user_id))
        ):
            keys += await self._erase(row)
        return keys

    # Templates

    async def _latest_template(self, key: str) -> TemplateRow | None:
        return await self.session.scalar(
            select(TemplateRow)
            .where(TemplateRow.key == key)
            .order_by(TemplateRow.version.desc())
            .limit(1)
        )

    async def template_source(self, key: str) -> render.TemplateSource:
        """The active template `key`; TemplateNotFound otherwise."""
        builtin = render.builtin_templates().get(key)
        if builtin is not None:
            return builtin
        row = await self._latest_template(key)
        if row is None or row.status != "active":
            raise TemplateNotFound
        return render.TemplateSource(
            key=row.key,
            name=row.name,
            description=row.description,
            html=row.html,
            version=row.version,
        )

    async def templates(self, *, include_retired: bool = False) -> list[TemplateRead]:
        """Built-in templates, then admins' (their latest versions)."""
        found = [
            TemplateRead(
                key=t.key,
                name=t.name,
                description=t.description,
                version=t.version,
                builtin=True,
                status="active",
            )
            for t in render.builtin_templates().values()
        ]
        latest = (
            select(TemplateRow.key, func.max(TemplateRow.version).label("version"))
            .group_by(TemplateRow.key)
            .subquery()
        )
        rows = await self.session.scalars(
            select(TemplateRow)
            .join(
                latest,
                (latest.c.key == TemplateRow.key) & (latest.c.version == TemplateRow.version),
            )
            .order_by(TemplateRow.key)
        )
        for row in rows:
            if row.status == "active" or include_retired:
                found.append(
                    TemplateRead(
                        key=row.key,
                        name=row.name,
                        description=row.description,
                        version=row.version,
                        builtin=False,
                        status="active" if row.status == "active" else "retired",
                    )
                )
        return found

    async def save_template(
        self, admin_id: uuid.UUID, body: TemplateWrite, *, new: bool
    ) -> TemplateRead:
        """Add a template (`new`) or a new version of one; rejected with the render error when
        it does not render a full sample resume."""
        if body.key in render.builtin_templates():
            raise BuiltinTemplate
        latest = await self._latest_template(body.key)
        if new and latest is not None:
            raise TemplateKeyTaken
        if not new and latest is None:
            raise TemplateNotFound
        await asyncio.to_thread(render.validate_template, body.html)
        row = TemplateRow(
            id=uuid.uuid4(),
            key=body.key,
            version=1 if latest is None else latest.version + 1,
            name=body.name,
            description=body.description,
            html=body.html,
            status="active",
            created_by=admin_id,
            created_at=utcnow(),
        )
        self.session.add(row)
        await self.session.flush()
        return TemplateRead(
            key=row.key,
            name=row.name,
            description=row.description,
            version=row.version,
            builtin=False,
            status="active",
        )

    async def retire_template(self, key: str) -> None:
        """Stop offering a template (exports already made stay)."""
        if key in render.builtin_templates():
            raise BuiltinTemplate
        row = await self._latest_template(key)
        if row is None:
            raise TemplateNotFound
        row.status = "retired"

    async def preview(self, key: str, user_id: uuid.UUID, resume_id: uuid.UUID | None) -> str:
        """A template's HTML for one of the user's resumes, or for a sample resume."""
        template = await self.template_source(key)
        if resume_id is None:
            resume = render.sample_resume()
        else:
            row = await self._own(user_id, resume_id)
            resume = Resume.model_validate((await self._version(row)).data)
        return await asyncio.to_thread(render.render_html, resume, template)

    # Export and check

    async def export(
        self,
        user_id: uuid.UUID,
        resume_id: uuid.UUID,
        fmt: str,
        template_key: str | None,
        number: int | None,
    ) -> Export:
        """The resume (a version of it) as PDF, DOCX, JSON Resume or text; cached per
        (version, template version, format)."""
        row = await self._own(user_id, resume_id)
        version = await self._version(row, number)
        template = await self.template_source(template_key or row.template)
        filename = f"{_slug(row.name)}-v{version.number}.{fmt}"
        data = await self.rendered(version, template, fmt)
        return Export(data=data, media_type=MEDIA_TYPES[fmt], filename=filename)

    @staticmethod
    def _cache_slot(template: render.TemplateSource, fmt: str) -> tuple[str, int]:
        # DOCX, JSON and text do not depend on the HTML template.
        return (template.key, template.version) if fmt == "pdf" else ("-", 0)

    async def cached(
        self, version_id: uuid.UUID, template: render.TemplateSource, fmt: str
    ) -> bytes | None:
        """The export's bytes when they are in the cache."""
        template_key, template_version = self._cache_slot(template, fmt)
        row = await self.session.scalar(
            select(ExportRow).where(
                ExportRow.version_id == version_id,
                ExportRow.template == template_key,
                ExportRow.template_version == template_version,
                ExportRow.format == fmt,
            )
        )
        if row is None:
            return None
        blob = await self.c.blobs.get(row.blob_key)
        if blob is None:
            await self.session.delete(row)
            await self.session.flush()
            return None
        return blob.data

    @staticmethod
    def render_bytes(document: dict[str, Any], template: render.TemplateSource, fmt: str) -> bytes:
        """Render an export (slow for PDF: run it in a thread, outside any transaction)."""
        resume = Resume.model_validate(document)
        if fmt == "pdf":
            return render.export_pdf(resume, template)
        if fmt == "docx":
            return render.export_docx(resume)
        if fmt == "json":
            return render.export_json(resume)
        return render.export_text(resume).encode()

    async def store(
        self,
        resume_id: uuid.UUID,
        version_id: uuid.UUID,
        template: render.TemplateSource,
        fmt: str,
        data: bytes,
    ) -> None:
        """Keep a rendered PDF or DOCX in the export cache (a second copy is ignored)."""
        if fmt not in {"pdf", "docx"}:
            return  # JSON and text are cheaper to make than to fetch
        template_key, template_version = self._cache_slot(template, fmt)
        key = f"resumes/{resume_id}/{version_id}/{template_key}-{template_version}.{fmt}"
        await self.c.blobs.put(key, data, MEDIA_TYPES[fmt])
        await self.session.execute(
            insert_or_ignore(
                self.session,
                ExportRow,
                ["version_id", "template", "template_version", "format"],
                id=uuid.uuid4(),
                version_id=version_id,
                template=template_key,
                template_version=template_version,
                format=fmt,
                blob_key=key,
                size=len(data),
                created_at=utcnow(),
            )
        )

    async def rendered(
        self, version: ResumeVersion, template: render.TemplateSource, fmt: str
    ) -> bytes:
        """The export's bytes, from the cache or rendered now (and cached)."""
        found = await self.cached(version.id, template, fmt)
        if found is not None:
            return found
        data = await asyncio.to_thread(self.render_bytes, version.data, template, fmt)
        await self.store(version.resume_id, version.id, template, fmt, data)
        return data

    async def check(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, number: int | None, template: str | None
    ) -> dict[str, Any]:
        """The ATS check of a version (default: the latest) with a template's layout."""
        row = await self._own(user_id, resume_id)
        version = await self._version(row, number)
        key = template or row.template
        source = await self.template_source(key)
        # What the parser noticed describes the imported file, i.e. the first version only.
        warnings = list(version.meta.get("warnings", [])) if version.origin == "import" else []
        report = ats_check(
            Resume.model_validate(version.data),
            template_layout=source.layout,
            parse_warnings=warnings,
        )
        return {"version": version.number, "template": key, **report}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "resume"


def _name_from(filename: str | None) -> str | None:
    if not filename:
        return None
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    cleaned = " ".join(re.sub(r"[_]+", " ", stem).split())
    return cleaned[:120] or None

"""The applications domain's rules: one application per user and job, statuses and who may set
them, a timeline of everything that happens, notes, the board and the CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.ai.public import AiFacade, AnswersRequest, Caller, QuestionIn
from jobpilot.applications.errors import (
    ApplicationExists,
    ApplicationInFlight,
    ApplicationNotFound,
    JobNotFound,
    NoPosting,
    NoteNotFound,
    ResumeVersionNotFound,
    StatusNotSettable,
)
from jobpilot.applications.events import ApplicationStatusChanged
from jobpilot.applications.models import Application, ApplicationEvent, ApplicationNote
from jobpilot.applications.prepare import (
    Attachments,
    answered_field,
    attachment_field,
    contact_field,
    field_kind,
)
from jobpilot.applications.schemas import (
    NOT_APPLIED,
    STATUSES,
    USER_STATUSES,
    ApplicationCreate,
    ApplicationDetail,
    ApplicationSummary,
    ApplicationUpdate,
    Board,
    BoardColumn,
    NoteRead,
    NoteWrite,
    PreparedFieldRead,
    PreparedForm,
    ResumeRef,
    TimelineEntry,
)
from jobpilot.jobs.public import FormQuestion, JobsFacade
from jobpilot.kit.clock import utcnow
from jobpilot.kit.events import publish
from jobpilot.kit.pagination import Page, PageParams
from jobpilot.resumes.public import ResumesFacade
from jobpilot.users.public import UsersComponents, UsersFacade

BOARD_COLUMN_ITEMS = 50
# Questions per request to the ai service (its limit).
MAX_QUESTIONS = 50
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "company",
    "title",
    "status",
    "reason",
    "source",
    "url",
    "job_id",
    "resume_id",
    "resume_version",
    "applied_at",
    "created_at",
    "updated_at",
    "notes",
)


@dataclass
class ApplicationsComponents:
    """The facades the applications domain reads through (built once by wiring)."""

    jobs: JobsFacade
    resumes: ResumesFacade
    users: UsersComponents
    ai: AiFacade


@dataclass(frozen=True)
class Applied:
    """The postings a user has applied to (or is applying to), by id and by repost key."""

    job_ids: frozenset[uuid.UUID]
    posting_keys: frozenset[str]


def _summary(row: Application) -> ApplicationSummary:
    resume = (
        ResumeRef(
            resume_id=row.resume_id, version=row.resume_version, version_id=row.resume_version_id
        )
        if row.resume_id is not None and row.resume_version is not None and row.resume_version_id
        else None
    )
    return ApplicationSummary(
        id=row.id,
        job_id=row.job_id,
        source=row.source,
        company=row.company,
        title=row.title,
        url=row.url,
        status=row.status,
        reason=row.reason,
        reason_detail=row.reason_detail,
        resume=resume,
        applied_at=row.applied_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _question_text(question: FormQuestion) -> str:
    """The question as the ai service reads it (a bare key when the form gives no label)."""
    text = question.label.strip() or question.key.replace("_", " ")
    return text[:2000] if len(text) >= 2 else f"{text}?"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class ApplicationsService:
    """Applications of the caller, in the request's unit of work."""

    def __init__(self, session: AsyncSession, components: ApplicationsComponents) -> None:
        self.session = session
        self.c = components

    async def _own(self, user_id: uuid.UUID, application_id: uuid.UUID) -> Application:
        row = await self.session.scalar(
            select(Application).where(
                Application.id == application_id, Application.user_id == user_id
            )
        )
        if row is None:
            raise ApplicationNotFound
        return row

    def _event(
        self,
        row: Application,
        kind: str,
        *,
        actor: str = "user",
        from_status: str | None = None,
        to_status: str | None = None,
        **detail: Any,
    ) -> None:
        self.session.add(
            ApplicationEvent(
                id=uuid.uuid4(),
                application_id=row.id,
                at=utcnow(),
                kind=kind,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
                detail=detail,
            )
        )

    async def _resume(self, user_id: uuid.UUID, version_id: uuid.UUID) -> tuple[uuid.UUID, int]:
        found = await self.c.resumes.version_ref(user_id, version_id)
        if found is None:
            raise ResumeVersionNotFound
        return found

    async def create(self, user_id: uuid.UUID, body: ApplicationCreate) -> ApplicationDetail:
        """A new application (409 `application_exists` when the user has one for the job)."""
        now = utcnow()
        if body.job_id is not None:
            refs = await self.c.jobs.posting_refs([body.job_id])
            ref = refs.get(body.job_id)
            if ref is None:
                raise JobNotFound
            target = {
                "job_id": ref.id,
                "posting_key": f"job:{ref.dedup_key}",
                "source": "tracked",
                "company": ref.company,
                "title": ref.title,
                "url": ref.url or ref.apply_url,
            }
        else:
            assert body.company is not None
            assert body.title is not None
            target = {
                "job_id": None,
                "posting_key": f"manual:{uuid.uuid4()}",
                "source": "manual",
                "company": body.company,
                "title": body.title,
                "url": str(body.url) if body.url else None,
            }
        resume = (
            await self._resume(user_id, body.resume_version_id) if body.resume_version_id else None
        )
        row = Application(
            id=uuid.uuid4(),
            user_id=user_id,
            status=body.status,
            resume_id=resume[0] if resume else None,
            resume_version=resume[1] if resume else None,
            resume_version_id=body.resume_version_id if resume else None,
            cover_letter=body.cover_letter,
            applied_at=now if body.status not in NOT_APPLIED else None,
            created_at=now,
            updated_at=now,
            **target,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
                await self.session.flush()
        except IntegrityError:
            existing = await self.session.scalar(
                select(Application.id).where(
                    Application.user_id == user_id, Application.posting_key == target["posting_key"]
                )
            )
            raise ApplicationExists(details={"application_id": str(existing)}) from None
        self._event(row, "created", to_status=row.status, source=row.source)
        if body.note:
            await self._add_note(row, body.note)
        await self._announce(row, None)
        return await self._detail(row)

    async def _announce(self, row: Application, before: str | None) -> None:
        await publish(
            self.session,
            ApplicationStatusChanged(
                application_id=row.id,
                user_id=row.user_id,
                job_id=row.job_id,
                from_status=before,
                to_status=row.status,
            ),
        )

    async def update(
        self, user_id: uuid.UUID, application_id: uuid.UUID, body: ApplicationUpdate
    ) -> ApplicationDetail:
        """Change the status (to one users set), the resume version or the cover letter."""
        row = await self._own(user_id, application_id)
        if row.status == "submitting":
            raise ApplicationInFlight
        changed: dict[str, Any] = {}
        if "resume_version_id" in body.model_fields_set:
            if body.resume_version_id is None:
                row.resume_id = row.resume_version = row.resume_version_id = None
            else:
                row.resume_id, row.resume_version = await self._resume(
                    user_id, body.resume_version_id
                )
                row.resume_version_id = body.resume_version_id
            changed["resume_version_id"] = (
                str(body.resume_version_id) if body.resume_version_id else None
            )
        if "cover_letter" in body.model_fields_set:
            row.cover_letter = body.cover_letter
            changed["cover_letter"] = body.cover_letter is not None
        if changed:
            self._event(row, "updated", **changed)
        if body.status is not None and body.status != row.status:
            if body.status not in USER_STATUSES:
                raise StatusNotSettable(
                    details={"status": body.status, "settable": sorted(USER_STATUSES)}
                )
            await self.move(row, body.status, actor="user")
        row.updated_at = utcnow()
        await self.session.flush()
        return await self._detail(row)

    async def move(
        self,
        row: Application,
        status: str,
        *,
        actor: str,
        reason: str | None = None,
        reason_detail: str | None = None,
    ) -> None:
        """Move an application to `status` with its timeline entry and event."""
        before = row.status
        row.status = status
        row.reason, row.reason_detail = reason, reason_detail
        if status not in NOT_APPLIED and row.applied_at is None and status != "withdrawn":
            row.applied_at = utcnow()
        row.updated_at = utcnow()
        detail = {"reason": reason} if reason else {}
        self._event(
            row, "status_changed", actor=actor, from_status=before, to_status=status, **detail
        )
        await self._announce(row, before)

    async def delete(self, user_id: uuid.UUID, application_id: uuid.UUID) -> None:
        """Forget an application with its notes and timeline."""
        row = await self._own(user_id, application_id)
        if row.status == "submitting":
            raise ApplicationInFlight
        await self.session.execute(
            delete(ApplicationNote).where(ApplicationNote.application_id == row.id)
        )
        await self.session.execute(
            delete(ApplicationEvent).where(ApplicationEvent.application_id == row.id)
        )
        await self.session.delete(row)

    async def get(self, user_id: uuid.UUID, application_id: uuid.UUID) -> ApplicationDetail:
        """One application with its notes and timeline."""
        return await self._detail(await self._own(user_id, application_id))

    async def _detail(self, row: Application) -> ApplicationDetail:
        await self.session.flush()
        notes = await self.session.scalars(
            select(ApplicationNote)
            .where(ApplicationNote.application_id == row.id)
            .order_by(ApplicationNote.created_at, ApplicationNote.id)
        )
        events = await self.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == row.id)
            .order_by(ApplicationEvent.at, ApplicationEvent.id)
        )
        return ApplicationDetail(
            **_summary(row).model_dump(),
            cover_letter=row.cover_letter,
            notes=[
                NoteRead(id=n.id, body=n.body, created_at=n.created_at, updated_at=n.updated_at)
                for n in notes
            ],
            timeline=[
                TimelineEntry(
                    at=e.at,
                    kind=e.kind,
                    actor=e.actor,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    detail=e.detail,
                )
                for e in events
            ],
        )

    def _filtered(self, user_id: uuid.UUID, statuses: Sequence[str], q: str | None) -> Any:
        query = select(Application).where(Application.user_id == user_id)
        if statuses:
            query = query.where(Application.status.in_(statuses))
        if q:
            pattern = f"%{q.lower()}%"
            query = query.where(
                or_(
                    func.lower(Application.company).like(pattern),
                    func.lower(Application.title).like(pattern),
                )
            )
        return query

    async def list(
        self, user_id: uuid.UUID, statuses: Sequence[str], q: str | None, page: PageParams
    ) -> Page[ApplicationSummary]:
        """The user's applications, most recently changed first."""
        query = self._filtered(user_id, statuses, q)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.scalars(
            query.order_by(Application.updated_at.desc(), Application.id.desc())
            .offset(page.offset)
            .limit(page.limit)
        )
        return Page(
            items=[_summary(r) for r in rows],
            total=total or 0,
            offset=page.offset,
            limit=page.limit,
        )

    async def board(self, user_id: uuid.UUID) -> Board:
        """Every status in lifecycle order with its count and latest applications."""
        grouped = await self.session.execute(
            select(Application.status, func.count())
            .where(Application.user_id == user_id)
            .group_by(Application.status)
        )
        counts: dict[str, int] = dict(grouped.all())
        columns = []
        for status in STATUSES:
            items: list[ApplicationSummary] = []
            if counts.get(status):
                rows = await self.session.scalars(
                    select(Application)
                    .where(Application.user_id == user_id, Application.status == status)
                    .order_by(Application.updated_at.desc(), Application.id.desc())
                    .limit(BOARD_COLUMN_ITEMS)
                )
                items = [_summary(r) for r in rows]
            columns.append(BoardColumn(status=status, count=counts.get(status, 0), items=items))
        return Board(columns=columns, total=sum(counts.values()))

    async def export_csv(self, user_id: uuid.UUID) -> str:
        """Every application as CSV (cells that a spreadsheet would run are quoted)."""
        rows = list(
            await self.session.scalars(
                select(Application)
                .where(Application.user_id == user_id)
                .order_by(Application.created_at, Application.id)
            )
        )
        notes: dict[uuid.UUID, list[str]] = {}
        if rows:
            for note in await self.session.scalars(
                select(ApplicationNote)
                .join(Application, Application.id == ApplicationNote.application_id)
                .where(Application.user_id == user_id)
                .order_by(ApplicationNote.created_at)
            ):
                notes.setdefault(note.application_id, []).append(note.body)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        r.id,
                        r.company,
                        r.title,
                        r.status,
                        r.reason,
                        r.source,
                        r.url,
                        r.job_id,
                        r.resume_id,
                        r.resume_version,
                        r.applied_at.isoformat() if r.applied_at else None,
                        r.created_at.isoformat(),
                        r.updated_at.isoformat(),
                        "\n\n".join(notes.get(r.id, [])),
                    )
                ]
            )
        return out.getvalue()

    # Notes.

    async def _add_note(self, row: Application, body: str) -> ApplicationNote:
        now = utcnow()
        note = ApplicationNote(
            id=uuid.uuid4(), application_id=row.id, body=body, created_at=now, updated_at=now
        )
        self.session.add(note)
        self._event(row, "note_added", note_id=str(note.id))
        return note

    async def add_note(
        self, user_id: uuid.UUID, application_id: uuid.UUID, body: NoteWrite
    ) -> NoteRead:
        """A new note on one of the user's applications."""
        row = await self._own(user_id, application_id)
        note = await self._add_note(row, body.body)
        row.updated_at = utcnow()
        await self.session.flush()
        return NoteRead(
            id=note.id, body=note.body, created_at=note.created_at, updated_at=note.updated_at
        )

    async def _note(self, row: Application, note_id: uuid.UUID) -> ApplicationNote:
        note = await self.session.scalar(
            select(ApplicationNote).where(
                ApplicationNote.id == note_id, ApplicationNote.application_id == row.id
            )
        )
        if note is None:
            raise NoteNotFound
        return note

    async def edit_note(
        self, user_id: uuid.UUID, application_id: uuid.UUID, note_id: uuid.UUID, body: NoteWrite
    ) -> NoteRead:
        """Change a note's text."""
        row = await self._own(user_id, application_id)
        note = await self._note(row, note_id)
        note.body, note.updated_at = body.body, utcnow()
        self._event(row, "note_edited", note_id=str(note.id))
        await self.session.flush()
        return NoteRead(
            id=note.id, body=note.body, created_at=note.created_at, updated_at=note.updated_at
        )

    async def delete_note(
        self, user_id: uuid.UUID, application_id: uuid.UUID, note_id: uuid.UUID
    ) -> None:
        """Delete a note."""
        row = await self._own(user_id, application_id)
        await self.session.delete(await self._note(row, note_id))
        self._event(row, "note_deleted", note_id=str(note_id))

    # The form, filled.

    async def prepared_form(
        self, user_id: uuid.UUID, tier: str, application_id: uuid.UUID
    ) -> PreparedForm:
        """The posting's ATS form filled from the user's stored facts (nothing is sent)."""
        row = await self._own(user_id, application_id)
        if row.job_id is None:
            raise NoPosting
        questions = await self.c.jobs.application_form(row.job_id)
        if questions is None:
            return PreparedForm(
                application_id=row.id,
                job_id=row.job_id,
                available=False,
                reason="The ATS publishes no form definition for this posting; apply on its site.",
                apply_url=row.url,
                provider=None,
                fields=[],
                complete=False,
                missing=[],
            )
        profile = await UsersFacade(self.session, self.c.users).profile(user_id)
        attached = Attachments(
            resume=f"resume:{row.resume_id}:v{row.resume_version}" if row.resume_id else None,
            cover_letter=row.cover_letter,
        )
        kinds = [field_kind(q) for q in questions]
        asked = [
            q for q, kind in zip(questions, kinds, strict=True)
            if kind == "question" and q.type != "file"
        ]  # fmt: skip
        answers: dict[str, tuple[str | None, str | None, str | None]] = {}
        provider = None
        for start in range(0, len(asked), MAX_QUESTIONS):
            batch = asked[start : start + MAX_QUESTIONS]
            result = await self.c.ai.answers(
                Caller(user_id, tier),
                AnswersRequest(
                    questions=[
                        QuestionIn(id=q.key, text=_question_text(q), options=list(q.options))
                        for q in batch
                    ],
                    job_id=row.job_id,
                    resume_id=row.resume_id,
                ),
            )
            provider = result.provider
            for answer in result.answers:
                answers[answer.id or ""] = (answer.answer, answer.source, answer.reason)
        fields = []
        for question, kind in zip(questions, kinds, strict=True):
            if kind in {"resume", "cover_letter"}:
                fields.append(attachment_field(question, kind, attached))
            elif kind != "question":
                fields.append(contact_field(question, kind, profile))
            elif question.key in answers:
                fields.append(answered_field(question, *answers[question.key]))
            else:
                why = "Attach this file yourself." if question.type == "file" else None
                fields.append(answered_field(question, None, None, why))
        missing = [f.key for f in fields if f.required and f.status != "filled"]
        return PreparedForm(
            application_id=row.id,
            job_id=row.job_id,
            available=True,
            reason=None,
            apply_url=row.url,
            provider=provider,
            fields=[PreparedFieldRead(**{**asdict(f), "options": list(f.options)}) for f in fields],
            complete=not missing,
            missing=missing,
        )

    # For other domains and erasure.

    async def applied(self, user_id: uuid.UUID) -> Applied:
        """The postings the user has applied to or is applying to (not only saved)."""
        rows = (
            await self.session.execute(
                select(Application.job_id, Application.posting_key).where(
                    Application.user_id == user_id,
                    Application.job_id.is_not(None),
                    Application.status.not_in(NOT_APPLIED),
                )
            )
        ).all()
        ids, keys = set(), set()
        for job_id, key in rows:
            if job_id is not None:
                ids.add(job_id)
            keys.add(key.removeprefix("job:"))
        return Applied(frozenset(ids), frozenset(keys))

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """Every application of the user with its notes and timeline, for a data export."""
        rows = await self.session.scalars(
            select(Application)
            .where(Application.user_id == user_id)
            .order_by(Application.created_at)
        )
        return {"applications": [(await self._detail(row)).model_dump(mode="json") for row in rows]}

    async def delete_user_data(self, user_id: uuid.UUID) -> None:
        """Erase every application of the user."""
        ids = select(Application.id).where(Application.user_id == user_id)
        await self.session.execute(
            delete(ApplicationNote).where(ApplicationNote.application_id.in_(ids))
        )
        await self.session.execute(
            delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids))
        )
        await self.session.execute(delete(Application).where(Application.user_id == user_id))

"""The applications domain's rules: one application per user and job, statuses and who may set
them, a timeline of everything that happens, notes, the board and the CSV export; auto-apply
rules, the applications a rule's run queues, their prepared forms, review and approval."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.ai.public import (
    AiFacade,
    AnswersRequest,
    Caller,
    MatchFilters,
    QuestionIn,
    TailorRequest,
)
from jobpilot.applications.errors import (
    ApplicationExists,
    ApplicationInFlight,
    ApplicationNotFound,
    IncompleteApplication,
    JobNotFound,
    NoPosting,
    NotDiscardable,
    NoteNotFound,
    NotReviewable,
    ResumeNotFound,
    ResumeVersionNotFound,
    RuleDisabled,
    RuleNotFound,
    SavedSearchNotFound,
    StatusNotSettable,
)
from jobpilot.applications.events import ApplicationStatusChanged
from jobpilot.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationNote,
    AutoApplyRule,
    Submission,
)
from jobpilot.applications.prepare import (
    ACCOUNT_WALL_ATS,
    Attachments,
    answered_field,
    attachment_field,
    contact_field,
    edited_field,
    field_kind,
)
from jobpilot.applications.schemas import (
    NOT_APPLIED,
    STATUSES,
    UNSENT,
    USER_STATUSES,
    ApplicationCreate,
    ApplicationDetail,
    ApplicationSummary,
    ApplicationUpdate,
    Approval,
    Board,
    BoardColumn,
    FieldsEdit,
    FieldValue,
    NoteRead,
    NoteWrite,
    PreparedFieldRead,
    PreparedForm,
    ResumeRef,
    RuleCreate,
    RuleFilters,
    RuleRead,
    RuleUpdate,
    RunResult,
    RunSkipped,
    TimelineEntry,
)
from jobpilot.applications.submitters import submittable
from jobpilot.jobs.public import FormQuestion, JobsFacade, PostingRef
from jobpilot.kit.clock import utcnow
from jobpilot.kit.days import as_day, utc_day
from jobpilot.kit.db import Database
from jobpilot.kit.errors import JobPilotError, ValidationFailed
from jobpilot.kit.events import publish
from jobpilot.kit.pagination import Page, PageParams
from jobpilot.kit.tasks import enqueue
from jobpilot.resumes.public import ResumesFacade
from jobpilot.users.public import UsersComponents, UsersFacade

BOARD_COLUMN_ITEMS = 50
# The quota every application auto-apply queues spends (one a day per application).
AUTO_APPLIES = "auto_applies"
PREPARE_TASK = "applications.prepare_application"
SUBMIT_TASK = "applications.submit_application"
RUN_RULE_TASK = "applications.run_rule"
# Matches a rule's run looks through (the most the ai service ranks per request).
MATCH_POOL = 100
# Statuses in which applied_at stays unset: nothing has gone out yet.
_NOT_SENT = UNSENT | {"submitting", "failed"}
# Questions per request to the ai service (its limit).
MAX_QUESTIONS = 50
# Options per question the ai service takes (its limit).
MAX_OPTIONS = 200
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
    # Reads made before the unit of work writes: on SQLite a writer holds the only write
    # lock, and the ai facade records usage in units of work of its own.
    db: Database


@dataclass(frozen=True)
class Applied:
    """The postings a user has applied to (or is applying to), by id and by repost key."""

    job_ids: frozenset[uuid.UUID]
    posting_keys: frozenset[str]


@dataclass(frozen=True)
class SubmissionOutcomes:
    """Submission attempts that ended in a period, and how many of them were submitted."""

    finished: int
    submitted: int

    @property
    def success_rate(self) -> float | None:
        """The share submitted, None when nothing finished."""
        return self.submitted / self.finished if self.finished else None


@dataclass(frozen=True)
class AtsOutcomes:
    """Submission attempts to one ATS that ended in a period, and how many were submitted."""

    ats: str
    finished: int
    submitted: int


@dataclass(frozen=True)
class ScoreBand:
    """Auto-apply applications whose match score (when their rule queued them) was at least
    `low` and below `high`, and how far they got: sent (their status now says they went
    out) and answered with an interview or an offer."""

    low: float
    high: float
    applications: int
    sent: int
    interviews: int


# The admin's analytics rows (named here: the service has a method called `list`).
StatusChanges = list[tuple[date, str, int]]
AtsOutcomesList = list[AtsOutcomes]
ScoreBands = list[ScoreBand]
# Statuses that say an application went out; and those that say an employer answered well.
SENT_STATUSES = ("submitted", "interviewing", "offer", "rejected")
INTERVIEW_STATUSES = ("interviewing", "offer")
# Match score bands (0 to 1) of the admin's match quality figures.
SCORE_BANDS = 10


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


@dataclass(frozen=True)
class _Target:
    """What filling a form reads: the posting, and what the application sends."""

    user_id: uuid.UUID
    job_id: uuid.UUID
    resume_id: uuid.UUID | None
    resume_version: int | None
    cover_letter: str | None


@dataclass(frozen=True)
class _Candidates:
    """The open postings a rule's run chooses from, best match first with their scores, and
    the number and id of the resume version they are sent with."""

    postings: list[tuple[PostingRef, float]]
    resume: tuple[int, uuid.UUID]


def _today() -> datetime:
    """The start of the current UTC day (when daily caps and quotas start again)."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)


def _missing(prepared: Sequence[dict[str, Any]]) -> list[str]:
    return [f["key"] for f in prepared if f.get("required") and f.get("status") != "filled"]


def _rule_read(row: AutoApplyRule, queued_today: int) -> RuleRead:
    return RuleRead(
        id=row.id,
        name=row.name,
        saved_search_id=row.saved_search_id,
        filters=RuleFilters.model_validate(row.filters) if row.filters is not None else None,
        min_score=row.min_score,
        companies_include=list(row.companies_include),
        companies_exclude=list(row.companies_exclude),
        resume_id=row.resume_id,
        tailor=row.tailor,
        daily_cap=row.daily_cap,
        mode="autopilot" if row.mode == "autopilot" else "review",
        enabled=row.enabled,
        queued_today=queued_today,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _question_text(question: FormQuestion) -> str:
    """The question as the ai service reads it (a bare key when the form gives no label)."""
    text = question.label.strip() or question.key.replace("_", " ")
    return text[:2000] if len(text) >= 2 else f"{text}?"


def _choices(question: FormQuestion) -> list[str]:
    """The options the ai service is shown: all of them, unless the list is too long for it."""
    if len(question.options) > MAX_OPTIONS or any(len(o) > 500 for o in question.options):
        return []
    return list(question.options)


def _option(question: FormQuestion, answer: str) -> str | None:
    """The form's own spelling of `answer` when it is one of the options."""
    wanted = answer.strip().casefold()
    return next((o for o in question.options if o.strip().casefold() == wanted), None)


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
            if body.status == "withdrawn":
                await self._release_unsent(row)
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
        sent = status not in NOT_APPLIED | _NOT_SENT and status != "withdrawn"
        if sent and row.applied_at is None:
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
        await self._release_unsent(row)
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
            rule_id=row.rule_id,
            prepared=[PreparedFieldRead.model_validate(f) for f in row.prepared]
            if row.prepared is not None
            else None,
            handoff_url=row.handoff_url,
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
        target = _Target(user_id, row.job_id, row.resume_id, row.resume_version, row.cover_letter)
        fields, provider = await self._fill(target, tier, questions, self.session)
        missing = [f.key for f in fields if f.required and f.status != "filled"]
        return PreparedForm(
            application_id=row.id,
            job_id=row.job_id,
            available=True,
            reason=None,
            apply_url=row.url,
            provider=provider,
            fields=list(fields),
            complete=not missing,
            missing=missing,
        )

    async def _fill(
        self,
        target: _Target,
        tier: str,
        questions: Sequence[FormQuestion],
        session: AsyncSession | None,
    ) -> tuple[Sequence[PreparedFieldRead], str | None]:
        """Each form field filled from the profile (read in `session`, or a read-only unit of
        work of its own), the attachments and the ai service's screening answers; and who
        drafted the answers. The ai service is asked first: it records usage in units of work
        of its own, which must not wait for a write lock this one holds."""
        attached = Attachments(
            resume=f"resume:{target.resume_id}:v{target.resume_version}"
            if target.resume_id
            else None,
            cover_letter=target.cover_letter,
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
                Caller(target.user_id, tier),
                AnswersRequest(
                    questions=[
                        QuestionIn(id=q.key, text=_question_text(q), options=_choices(q))
                        for q in batch
                    ],
                    job_id=target.job_id,
                    resume_id=target.resume_id,
                ),
            )
            provider = result.provider
            for answer in result.answers:
                answers[answer.id or ""] = (answer.answer, answer.source, answer.reason)
        for question in asked:
            # A long list (every country) is not sent to the ai service: an answer counts only
            # when it is one of the options.
            found = answers.get(question.key)
            if found and found[0] is not None and question.options and not _choices(question):
                option = _option(question, found[0])
                answers[question.key] = (
                    (option, found[1], None)
                    if option is not None
                    else (None, None, "Choose one of the form's options.")
                )
        if session is None:
            async with self.c.db.unit_of_work() as reader:
                profile = await UsersFacade(reader, self.c.users).profile(target.user_id)
        else:
            profile = await UsersFacade(session, self.c.users).profile(target.user_id)
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
        return [
            PreparedFieldRead(**{**asdict(f), "options": list(f.options)}) for f in fields
        ], provider

    # Auto-apply: preparing, reviewing, approving and discarding what a rule queued.

    async def prepare(self, application_id: uuid.UUID, tier: str) -> None:
        """Fill a queued auto-apply application's form and move it on: to `awaiting_review`
        (review mode), or, on autopilot, to submission when every required field is filled and
        the ATS is not behind an account wall (else `needs_user_input`). A posting gone from
        its ATS fails it and gives its quota unit back. Does nothing to an application that is
        no longer queued or already prepared, so a repeated run is harmless."""
        async with self.c.db.unit_of_work() as reader:
            seen = await reader.get(Application, application_id)
            rule = await reader.get(AutoApplyRule, seen.rule_id) if seen and seen.rule_id else None
        if seen is None or seen.job_id is None or seen.status != "queued" or seen.prepared:
            return
        ref = (await self.c.jobs.posting_refs([seen.job_id])).get(seen.job_id)
        questions: list[FormQuestion] | None = None
        gone = ref is None or not ref.open
        if not gone:
            try:
                questions = await self.c.jobs.application_form(seen.job_id)
            except JobPilotError as exc:
                if exc.status != 404:
                    raise  # the ATS is down or erring: the task runs again later
                gone = True
        target = _Target(
            seen.user_id, seen.job_id, seen.resume_id, seen.resume_version, seen.cover_letter
        )
        version_id, tailor_error = seen.resume_version_id, None
        if not gone and rule is not None and rule.tailor and seen.resume_id is not None:
            target, version_id, tailor_error = await self._tailored(target, tier, version_id)
        fields, provider = (
            await self._fill(target, tier, questions, None) if questions is not None else ([], None)
        )
        row = await self.session.scalar(
            select(Application).where(Application.id == application_id).with_for_update()
        )
        if row is None or row.status != "queued" or row.prepared:
            return
        if gone or ref is None:
            await self._release_unsent(row)
            detail = "The posting is closed or its ATS no longer has it."
            await self.move(
                row, "failed", actor="system", reason="form_closed", reason_detail=detail
            )
            return
        if tailor_error is not None:
            self._event(row, "tailor_skipped", actor="system", code=tailor_error)
        row.resume_id, row.resume_version = target.resume_id, target.resume_version
        row.resume_version_id = version_id
        row.prepared = [f.model_dump(mode="json") for f in fields]
        missing = _missing(row.prepared)
        self._event(
            row,
            "prepared",
            actor="system",
            form=questions is not None,
            fields=len(fields),
            missing=missing,
            provider=provider,
        )
        await self._after_prepare(row, rule, ref, available=questions is not None)

    async def _tailored(
        self, target: _Target, tier: str, version_id: uuid.UUID | None
    ) -> tuple[_Target, uuid.UUID | None, str | None]:
        """The target with a resume variant tailored to the posting; when tailoring is refused
        (a quota, say) the target as it was and the error's code."""
        assert target.resume_id is not None
        try:
            result = await self.c.ai.tailor(
                Caller(target.user_id, tier),
                TailorRequest(resume_id=target.resume_id, job_id=target.job_id),
            )
        except JobPilotError as exc:
            return target, version_id, exc.code
        resume_id = uuid.UUID(result.resume_id)
        found = await self.c.resumes.version_id(target.user_id, resume_id, result.version)
        if found is None:
            return target, version_id, "tailored_resume_missing"
        tailored = _Target(target.user_id, target.job_id, resume_id, found[0], target.cover_letter)
        return tailored, found[1], None

    async def _after_prepare(
        self, row: Application, rule: AutoApplyRule | None, ref: PostingRef, *, available: bool
    ) -> None:
        """Review mode waits for the user; autopilot sends what it can and parks the rest."""
        assert row.prepared is not None
        if rule is None or rule.mode != "autopilot":
            await self.move(row, "awaiting_review", actor="system")
            return
        missing = _missing(row.prepared)
        if available and not missing and ref.ats not in ACCOUNT_WALL_ATS:
            self._event(row, "auto_approved", actor="system", rule_id=str(rule.id))
            row.updated_at = utcnow()
            await enqueue(self.session, SUBMIT_TASK, application_id=row.id)
            return
        row.handoff_url = row.url
        if ref.ats in ACCOUNT_WALL_ATS:
            reason = "login_required"
            detail = f"{ref.ats} forms sit behind a candidate account: finish it on its site."
        elif missing:
            reason, detail = "missing_answer", f"Fill these fields: {', '.join(missing)}."
        else:
            reason = "missing_answer"
            detail = "The ATS publishes no form definition: check it on its site, then approve."
        await self.move(
            row, "needs_user_input", actor="system", reason=reason, reason_detail=detail[:1000]
        )

    def _reviewable(self, row: Application, *, approving: bool) -> Sequence[dict[str, Any]]:
        """The prepared fields of an application waiting for the user (409 otherwise)."""
        waiting = row.status == "awaiting_review" or (
            row.status == "needs_user_input" and (not approving or row.reason == "missing_answer")
        )
        if not waiting or row.prepared is None:
            raise NotReviewable(details={"status": row.status, "reason": row.reason})
        return row.prepared

    def _edit(self, row: Application, fields: dict[str, FieldValue]) -> None:
        prepared = self._reviewable(row, approving=False)
        by_key = {f["key"]: f for f in prepared}
        errors: list[dict[str, Any]] = []
        for key, value in fields.items():
            loc = ["body", "fields", key]
            if key not in by_key:
                errors.append({"loc": loc, "msg": "this form has no such field", "type": "unknown"})
                continue
            try:
                by_key[key] = edited_field(by_key[key], value)
            except ValueError as exc:
                errors.append({"loc": loc, "msg": str(exc), "type": "value_error"})
        if errors:
            raise ValidationFailed("Some fields could not take these values.", details=errors)
        row.prepared = [by_key[f["key"]] for f in prepared]
        row.updated_at = utcnow()
        self._event(row, "fields_edited", keys=sorted(fields))

    async def edit_fields(
        self, user_id: uuid.UUID, application_id: uuid.UUID, body: FieldsEdit
    ) -> ApplicationDetail:
        """Change values of a prepared application waiting for review (each becomes the user's)."""
        row = await self._own(user_id, application_id)
        self._edit(row, body.fields)
        return await self._detail(row)

    async def approve(
        self, user_id: uuid.UUID, application_id: uuid.UUID, body: Approval
    ) -> ApplicationDetail:
        """Queue a reviewed application for submission (after `body`'s last edits); 422
        `incomplete_application` with the missing keys while a required field is empty (the
        edits are kept)."""
        row = await self._own(user_id, application_id)
        prepared = self._reviewable(row, approving=True)
        if body.fields:
            self._edit(row, body.fields)
            prepared = row.prepared or []
        missing = _missing(prepared)
        if missing:
            await self.session.flush()
            raise IncompleteApplication(details={"missing": missing}, keep_changes=True)
        self._event(row, "approved")
        await self.move(row, "queued", actor="user")
        row.handoff_url = None
        await enqueue(self.session, SUBMIT_TASK, application_id=row.id)
        return await self._detail(row)

    async def discard(self, user_id: uuid.UUID, application_id: uuid.UUID) -> ApplicationDetail:
        """Withdraw an auto-apply application before it is sent and give its quota unit back.
        It stays (withdrawn) on the board, so no rule queues that posting again."""
        row = await self._own(user_id, application_id)
        pending = row.status == "queued" and row.prepared is None
        if row.source != "auto_apply" or not (pending or row.status in UNSENT - {"queued"}):
            raise NotDiscardable(details={"status": row.status})
        released = await self._release_unsent(row)
        self._event(row, "discarded", quota_released=released)
        await self.move(row, "withdrawn", actor="user")
        return await self._detail(row)

    async def _release_unsent(self, row: Application) -> bool:
        """Give back the quota unit of an auto-apply application that never went out (nor was
        tried), when it was spent today; whether one was given back."""
        if row.source != "auto_apply" or row.status not in UNSENT or row.created_at < _today():
            return False
        tried = await self.session.scalar(
            select(func.count()).select_from(Submission).where(Submission.application_id == row.id)
        )
        if tried:
            return False
        await UsersFacade(self.session, self.c.users).release_quota(row.user_id, AUTO_APPLIES)
        return True

    # Auto-apply rules.

    async def _rule(self, user_id: uuid.UUID, rule_id: uuid.UUID) -> AutoApplyRule:
        row = await self.session.scalar(
            select(AutoApplyRule).where(
                AutoApplyRule.id == rule_id, AutoApplyRule.user_id == user_id
            )
        )
        if row is None:
            raise RuleNotFound
        return row

    async def _queued_today(self, rule_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many applications each rule queued today (the daily cap counts these)."""
        if not rule_ids:
            return {}
        rows = await self.session.execute(
            select(Application.rule_id, func.count())
            .where(Application.rule_id.in_(rule_ids), Application.created_at >= _today())
            .group_by(Application.rule_id)
        )
        return {rule_id: count for rule_id, count in rows.all() if rule_id is not None}

    async def _check_rule_refs(
        self, user_id: uuid.UUID, resume_id: uuid.UUID | None, search_id: uuid.UUID | None
    ) -> None:
        """404 unless the resume and the saved search are the user's."""
        if resume_id is not None and await self.c.resumes.version_id(user_id, resume_id) is None:
            raise ResumeNotFound
        known = search_id is None or await self.c.jobs.saved_search_hits(user_id, search_id, ())
        if known is None:
            raise SavedSearchNotFound

    async def _check_cap(self, tier: str, daily_cap: int | None) -> int:
        """The daily cap, at most the plan's daily auto-apply quota (422 above it)."""
        limit = await UsersFacade(self.session, self.c.users).quota_limit(tier, AUTO_APPLIES)
        cap = limit if daily_cap is None else daily_cap
        if cap < 1 or cap > limit:
            msg = (
                f"daily_cap must be between 1 and {limit}: your {tier} plan allows {limit} "
                "automatic applications a day."
            )
            raise ValidationFailed(
                msg,
                details=[{"loc": ["body", "daily_cap"], "msg": msg, "type": "less_than_equal"}],
            )
        return cap

    async def create_rule(self, user_id: uuid.UUID, tier: str, body: RuleCreate) -> RuleRead:
        """A new auto-apply rule over the user's own resume and saved search."""
        cap = await self._check_cap(tier, body.daily_cap)
        await self._check_rule_refs(user_id, body.resume_id, body.saved_search_id)
        now = utcnow()
        row = AutoApplyRule(
            id=uuid.uuid4(),
            user_id=user_id,
            name=body.name,
            saved_search_id=body.saved_search_id,
            filters=body.filters.model_dump(mode="json") if body.filters is not None else None,
            min_score=body.min_score,
            companies_include=body.companies_include or [],
            companies_exclude=body.companies_exclude or [],
            resume_id=body.resume_id,
            tailor=body.tailor,
            daily_cap=cap,
            mode=body.mode,
            enabled=body.enabled,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return _rule_read(row, 0)

    async def rules(self, user_id: uuid.UUID, page: PageParams) -> Page[RuleRead]:
        """The user's auto-apply rules, oldest first."""
        query = select(AutoApplyRule).where(AutoApplyRule.user_id == user_id)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = list(
            await self.session.scalars(
                query.order_by(AutoApplyRule.created_at, AutoApplyRule.id)
                .offset(page.offset)
                .limit(page.limit)
            )
        )
        counts = await self._queued_today([r.id for r in rows])
        return Page(
            items=[_rule_read(r, counts.get(r.id, 0)) for r in rows],
            total=total or 0,
            offset=page.offset,
            limit=page.limit,
        )

    async def get_rule(self, user_id: uuid.UUID, rule_id: uuid.UUID) -> RuleRead:
        """One of the user's rules."""
        row = await self._rule(user_id, rule_id)
        return _rule_read(row, (await self._queued_today([row.id])).get(row.id, 0))

    async def update_rule(
        self, user_id: uuid.UUID, tier: str, rule_id: uuid.UUID, body: RuleUpdate
    ) -> RuleRead:
        """Change a rule (a saved search replaces its filters, and filters its saved search)."""
        given = body.model_fields_set
        if "daily_cap" in given:
            await self._check_cap(tier, body.daily_cap)
        await self._check_rule_refs(
            user_id,
            body.resume_id if "resume_id" in given else None,
            body.saved_search_id if "saved_search_id" in given else None,
        )
        row = await self._rule(user_id, rule_id)
        for name in ("name", "min_score", "resume_id", "tailor", "daily_cap", "mode", "enabled"):
            if name in given:
                setattr(row, name, getattr(body, name))
        for name in ("companies_include", "companies_exclude"):
            if name in given:
                setattr(row, name, getattr(body, name) or [])
        if "saved_search_id" in given:
            row.saved_search_id = body.saved_search_id
            if body.saved_search_id is not None:
                row.filters = None
        if "filters" in given:
            row.filters = body.filters.model_dump(mode="json") if body.filters else None
            if body.filters is not None:
                row.saved_search_id = None
        included = {n.casefold() for n in row.companies_include}
        clash = sorted(n for n in row.companies_exclude if n.casefold() in included)
        if clash:
            msg = f"a company is both included and excluded: {', '.join(clash)}"
            raise ValidationFailed(
                msg, details=[{"loc": ["body"], "msg": msg, "type": "value_error"}]
            )
        row.updated_at = utcnow()
        await self.session.flush()
        return _rule_read(row, (await self._queued_today([row.id])).get(row.id, 0))

    async def delete_rule(self, user_id: uuid.UUID, rule_id: uuid.UUID) -> None:
        """Delete a rule; the applications it queued stay."""
        await self.session.delete(await self._rule(user_id, rule_id))

    async def _candidates(self, user_id: uuid.UUID, rule_id: uuid.UUID) -> _Candidates:
        """What a run chooses from, asked of the other services before this unit of work writes
        (see ApplicationsComponents.db): the rule's matches, best first, and their postings."""
        async with self.c.db.unit_of_work() as reader:
            rule = await reader.scalar(
                select(AutoApplyRule).where(
                    AutoApplyRule.id == rule_id, AutoApplyRule.user_id == user_id
                )
            )
        if rule is None:
            raise RuleNotFound
        if not rule.enabled:
            raise RuleDisabled
        filters = MatchFilters(**(rule.filters or {}), k=MATCH_POOL, exclude_applied=False)
        found = await self.c.ai.matches(user_id, rule.resume_id, filters)
        ids = [m.job_id for m in found.postings]
        in_search: set[uuid.UUID] | None = None
        if rule.saved_search_id is not None:
            in_search = await self.c.jobs.saved_search_hits(user_id, rule.saved_search_id, ids)
            if in_search is None:
                raise SavedSearchNotFound("The rule's saved search no longer exists.")
        refs = await self.c.jobs.posting_refs(ids)
        resume = await self.c.resumes.version_id(user_id, rule.resume_id)
        if resume is None:
            raise ResumeNotFound
        postings = [
            (refs[m.job_id], m.score)
            for m in found.postings
            if m.job_id in refs
            and refs[m.job_id].open
            and (in_search is None or m.job_id in in_search)
        ]
        return _Candidates(postings, resume)

    async def schedule_rule_runs(self) -> int:
        """Queue a run of every enabled rule (each in a task of its own, so one that fails
        holds up no other); how many were queued."""
        rule_ids = (
            await self.session.scalars(
                select(AutoApplyRule.id).where(AutoApplyRule.enabled.is_(True))
            )
        ).all()
        hour = utcnow().strftime("%Y%m%d%H")
        for rule_id in rule_ids:
            await enqueue(
                self.session,
                RUN_RULE_TASK,
                idempotency_key=f"{RUN_RULE_TASK}:{rule_id}:{hour}",
                rule_id=rule_id,
            )
        return len(rule_ids)

    async def run_scheduled(self, rule_id: uuid.UUID) -> RunResult | None:
        """A scheduled run of one rule, for its owner at their current tier (None when the
        rule was disabled or deleted, or the account is gone)."""
        async with self.c.db.unit_of_work() as reader:
            rule = await reader.get(AutoApplyRule, rule_id)
            if rule is None or not rule.enabled:
                return None
            user_id = rule.user_id
            tier = await UsersFacade(reader, self.c.users).tier(user_id)
        if tier is None:
            return None
        try:
            return await self.run_rule(user_id, tier, rule_id)
        except (RuleNotFound, RuleDisabled):
            return None

    async def run_rule(self, user_id: uuid.UUID, tier: str, rule_id: uuid.UUID) -> RunResult:
        """Queue the postings the rule selects, best match first, up to what its daily cap and
        the user's daily quota leave; each is prepared by a task."""
        candidates = await self._candidates(user_id, rule_id)
        resume = candidates.resume
        rule = await self._rule(user_id, rule_id)
        applied = await self.session.execute(
            select(Application.job_id, Application.posting_key).where(
                Application.user_id == user_id
            )
        )
        seen_ids, seen_keys = set(), set()
        for job_id, key in applied.all():
            seen_ids.add(job_id)
            seen_keys.add(key)
        users = UsersFacade(self.session, self.c.users)
        queued_today = (await self._queued_today([rule.id])).get(rule.id, 0)
        budget = min(
            rule.daily_cap - queued_today, await users.quota_left(user_id, tier, AUTO_APPLIES)
        )
        include = {n.casefold() for n in rule.companies_include}
        exclude = {n.casefold() for n in rule.companies_exclude}
        skipped = {
            "already_applied": 0,
            "below_score": 0,
            "company_filtered": 0,
            "unsupported_ats": 0,
            "over_cap": 0,
        }
        queued: list[uuid.UUID] = []
        for ref, score in candidates.postings:
            key = f"job:{ref.dedup_key}"
            company = ref.company.casefold()
            if ref.id in seen_ids or key in seen_keys:
                skipped["already_applied"] += 1
            elif score < rule.min_score:
                skipped["below_score"] += 1
            elif (include and company not in include) or company in exclude:
                skipped["company_filtered"] += 1
            elif not submittable(ref.ats):
                skipped["unsupported_ats"] += 1
            elif len(queued) >= budget:
                skipped["over_cap"] += 1
            else:
                await users.consume_quota(user_id, tier, AUTO_APPLIES)
                row = await self._queue(rule, ref, resume, score)
                await enqueue(
                    self.session,
                    PREPARE_TASK,
                    idempotency_key=f"{PREPARE_TASK}:{row.id}",
                    application_id=row.id,
                    tier=tier,
                )
                queued.append(row.id)
                seen_ids.add(ref.id)
                seen_keys.add(key)
        return RunResult(queued=len(queued), skipped=RunSkipped(**skipped), application_ids=queued)

    async def _queue(
        self, rule: AutoApplyRule, ref: PostingRef, resume: tuple[int, uuid.UUID], score: float
    ) -> Application:
        """A queued application of the rule's user for one posting."""
        now = utcnow()
        row = Application(
            id=uuid.uuid4(),
            user_id=rule.user_id,
            job_id=ref.id,
            posting_key=f"job:{ref.dedup_key}",
            source="auto_apply",
            company=ref.company,
            title=ref.title,
            url=ref.url or ref.apply_url,
            status="queued",
            resume_id=rule.resume_id,
            resume_version=resume[0],
            resume_version_id=resume[1],
            rule_id=rule.id,
            applied_at=None,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        self._event(
            row,
            "created",
            actor="system",
            to_status=row.status,
            source=row.source,
            rule_id=str(rule.id),
            score=round(score, 4),
        )
        await self._announce(row, None)
        return row

    # For other domains and erasure.

    async def outcomes_since(self, since: datetime) -> SubmissionOutcomes:
        """Every user's submission attempts that ended at or after `since` (abandoned ones left
        out), and how many of them were submitted."""
        row = (
            await self.session.execute(
                select(func.count(), func.count().filter(Submission.status == "submitted")).where(
                    Submission.finished_at >= since,
                    # An attempt a stopped worker left is tried again: not an outcome.
                    Submission.status != "abandoned",
                )
            )
        ).one()
        return SubmissionOutcomes(finished=int(row[0]), submitted=int(row[1]))

    async def status_changes_per_day(self, since: datetime) -> StatusChanges:
        """How many applications reached each status on each day (UTC) since `since`, from
        their timelines (creation and every status change): (day, status, applications)."""
        day = utc_day(ApplicationEvent.at)
        rows = await self.session.execute(
            select(
                day,
                ApplicationEvent.to_status,
                func.count(ApplicationEvent.application_id.distinct()),
            )
            .where(ApplicationEvent.at >= since, ApplicationEvent.to_status.is_not(None))
            .group_by(day, ApplicationEvent.to_status)
        )
        return [(as_day(d), str(status), int(n)) for d, status, n in rows.all()]

    async def outcomes_by_ats(self, since: datetime) -> AtsOutcomesList:
        """Submission attempts that ended at or after `since` per ATS (abandoned ones left
        out, as in `outcomes_since`), most attempts first."""
        finished = func.count()
        rows = await self.session.execute(
            select(Submission.ats, finished, func.count().filter(Submission.status == "submitted"))
            .where(Submission.finished_at >= since, Submission.status != "abandoned")
            .group_by(Submission.ats)
            .order_by(finished.desc(), Submission.ats)
        )
        return [AtsOutcomes(str(ats), int(n), int(ok)) for ats, n, ok in rows.all()]

    async def match_score_bands(self, since: datetime) -> ScoreBands:
        """Auto-apply applications queued at or after `since`, per band of their match score
        (the score is in their timeline's `created` entry), with how far they got; bands
        without applications left out."""
        score = ApplicationEvent.detail["score"].as_float()
        band = case(
            *((score < (n + 1) / SCORE_BANDS, n) for n in range(SCORE_BANDS - 1)),
            else_=SCORE_BANDS - 1,
        )
        # Banded in a subquery, grouped outside: PostgreSQL would not match the CASE's bound
        # parameters in GROUP BY with those in SELECT.
        scored = (
            select(band.label("band"), Application.status.label("status"))
            .join(Application, Application.id == ApplicationEvent.application_id)
            .where(
                ApplicationEvent.kind == "created",
                ApplicationEvent.at >= since,
                Application.source == "auto_apply",
                score.is_not(None),
            )
            .subquery()
        )
        rows = await self.session.execute(
            select(
                scored.c.band,
                func.count(),
                func.count().filter(scored.c.status.in_(SENT_STATUSES)),
                func.count().filter(scored.c.status.in_(INTERVIEW_STATUSES)),
            )
            .group_by(scored.c.band)
            .order_by(scored.c.band)
        )
        return [
            ScoreBand(
                low=int(b) / SCORE_BANDS,
                high=(int(b) + 1) / SCORE_BANDS,
                applications=int(n),
                sent=int(sent),
                interviews=int(interviews),
            )
            for b, n, sent, interviews in rows.all()
        ]

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
        """Every application of the user with its notes and timeline, and their auto-apply
        rules, for a data export."""
        rows = await self.session.scalars(
            select(Application)
            .where(Application.user_id == user_id)
            .order_by(Application.created_at)
        )
        applications = [(await self._detail(row)).model_dump(mode="json") for row in rows]
        rules = await self.session.scalars(
            select(AutoApplyRule)
            .where(AutoApplyRule.user_id == user_id)
            .order_by(AutoApplyRule.created_at)
        )
        return {
            "applications": applications,
            "auto_apply_rules": [_rule_read(r, 0).model_dump(mode="json") for r in rules],
        }

    async def delete_user_data(self, user_id: uuid.UUID) -> None:
        """Erase every application and auto-apply rule of the user."""
        ids = select(Application.id).where(Application.user_id == user_id)
        await self.session.execute(
            delete(ApplicationNote).where(ApplicationNote.application_id.in_(ids))
        )
        await self.session.execute(
            delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids))
        )
        await self.session.execute(delete(Application).where(Application.user_id == user_id))
        await self.session.execute(delete(AutoApplyRule).where(AutoApplyRule.user_id == user_id))

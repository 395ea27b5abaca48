"""Sending queued applications, never twice.

A submission attempt is a row written before anything leaves. Right before the one action that
sends the application (the submitter says when: the API call, the final click) the attempt
takes the application's idempotency key in its own committed transaction. So whatever kills
the worker, the next run finds one of three things:

- no attempt, or one still `started`: nothing left; it is safe to try (again);
- an attempt `sending` with no outcome: it may have gone out; the application becomes
  `unknown` and is never retried automatically;
- an outcome: there is nothing to do.

Around that core: the kill switch (`auto_apply.paused`), per-host daily caps, per-host
concurrency with jittered pauses, evidence of what was sent in the blob store, and the
`job_applications_total{ats,status}` metric.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.applications.config import ApplicationsSettings
from jobpilot.applications.errors import (
    ApplicationNotFound,
    EvidenceNotFound,
    NotWaitingForCode,
    SubmissionNotFound,
)
from jobpilot.applications.events import ApplicationStatusChanged
from jobpilot.applications.metrics import (
    JOB_APPLICATIONS,
    METRIC_STATUS,
    SUBMISSIONS_IN_FLIGHT,
    SUBMIT_DURATION,
)
from jobpilot.applications.models import Application, ApplicationEvent, HostDay, Submission
from jobpilot.applications.prepare import contact_value
from jobpilot.applications.schemas import AutoApplyStatus, EvidenceItem, SubmissionRead
from jobpilot.applications.submitters.base import (
    Answer,
    Attachment,
    Contact,
    SubmissionOutcome,
    SubmissionRequest,
    Submitter,
)
from jobpilot.jobs.public import JobsFacade, SubmissionTarget
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.events import publish
from jobpilot.kit.flags import FeatureFlags
from jobpilot.kit.ports import Blob, BlobStore
from jobpilot.kit.tasks import enqueue
from jobpilot.resumes.public import ResumesFacade
from jobpilot.users.public import UsersComponents, UsersFacade

log = logging.getLogger(__name__)

# The auto-apply kill switch: a global flag (on for everyone once enabled at 100 %).
KILL_SWITCH = "auto_apply.paused"
KILL_SWITCH_DESCRIPTION = (
    "The auto-apply kill switch: while it is on, no application is sent (queued ones wait)."
)
PAUSED_BY_OPERATOR = "paused by an operator"
RESUME_TASK = "applications.resume_application"
# Attempt states before the outcome.
STARTED, SENDING = "started", "sending"
ABANDONED = "abandoned"
# Fields whose values are never shown in logs (they are in the evidence, for the user).
_FILE_FIELD_VALUE = "resume:"


@dataclass(frozen=True)
class Recheck:
    """The submission did not start (paused or capped); look again after `delay`."""

    delay: timedelta
    why: str


async def auto_apply_status(flags: FeatureFlags) -> AutoApplyStatus:
    """Whether auto-apply sends applications now, read as the submission flow reads it (the
    kill switch, through the flags' cache: a change shows within its few seconds)."""
    if await flags.enabled(KILL_SWITCH):
        return AutoApplyStatus(paused=True, reason=PAUSED_BY_OPERATOR)
    return AutoApplyStatus(paused=False, reason=None)


class AlreadySending(Exception):
    """Another attempt holds the application's idempotency key: this one must not send."""


class HostCapReached(Exception):
    """The host had its day's applications: this one waits (nothing was sent)."""


@dataclass
class HostGate:
    """Per-host concurrency and jittered pauses, in one process."""

    concurrency: int
    delay_min: float
    delay_max: float
    _locks: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=lambda: defaultdict(lambda: float("-inf")))

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots, after a random pause since its last submission."""
        semaphore = self._locks.setdefault(host, asyncio.Semaphore(self.concurrency))
        async with semaphore:
            pause = random.uniform(self.delay_min, max(self.delay_min, self.delay_max))  # noqa: S311
            wait = self._last[host] + pause - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = time.monotonic()


@dataclass
class SubmissionComponents:
    """What the submission flow uses (built once by wiring)."""

    db: Database
    jobs: JobsFacade
    resumes: ResumesFacade
    users: UsersComponents
    blobs: BlobStore
    flags: FeatureFlags
    settings: ApplicationsSettings
    submitters: Mapping[str, Submitter]
    gate: HostGate | None = None

    def __post_init__(self) -> None:
        if self.gate is None:
            self.gate = HostGate(
                self.settings.per_host_concurrency,
                self.settings.delay_min_seconds,
                self.settings.delay_max_seconds,
            )


def host_of(url: str) -> str:
    """The host an apply URL points at (what pacing and caps count)."""
    return (urlsplit(url).hostname or "").lower()


def _event(
    session: AsyncSession,
    row: Application,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        ApplicationEvent(
            id=uuid.uuid4(),
            application_id=row.id,
            at=utcnow(),
            kind=kind,
            actor="system",
            from_status=from_status,
            to_status=to_status,
            detail=detail,
        )
    )


async def _move(
    session: AsyncSession,
    row: Application,
    status: str,
    *,
    reason: str | None = None,
    detail: str | None = None,
    **event_detail: Any,
) -> None:
    before = row.status
    row.status = status
    row.reason = reason
    row.reason_detail = detail[:1000] if detail else None
    row.updated_at = utcnow()
    if status == "submitted" and row.applied_at is None:
        row.applied_at = row.updated_at
    _event(
        session,
        row,
        "status_changed",
        from_status=before,
        to_status=status,
        **({"reason": reason} if reason else {}),
        **event_detail,
    )
    await publish(
        session,
        ApplicationStatusChanged(
            application_id=row.id,
            user_id=row.user_id,
            job_id=row.job_id,
            from_status=before,
            to_status=status,
        ),
    )


async def _count_sent(session: AsyncSession, host: str, now: datetime) -> int:
    """Count one more application sent to `host` today; the day's count, this one included."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(HostDay)
        .values(host=host, day=now.date(), sent=1)
        .on_conflict_do_update(index_elements=["host", "day"], set_={"sent": HostDay.sent + 1})
        .returning(HostDay.sent)
    )
    return int((await session.execute(statement)).scalar_one())


def _next_midnight(now: datetime) -> timedelta:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return tomorrow - now + timedelta(seconds=random.uniform(0, 600))  # noqa: S311


class SubmissionFlow:
    """Sends one queued application, or parks it, exactly once."""

    def __init__(self, components: SubmissionComponents) -> None:
        self.c = components

    # The task's entry points

    async def submit(self, application_id: uuid.UUID, *, final_attempt: bool) -> Recheck | None:
        """Send the application if it is queued; a Recheck when it must wait (kill switch,
        per-host cap). Raises on a failure before anything was sent (the task retries it);
        on the final attempt such a failure marks the application failed instead."""
        row = await self._claimable(application_id)
        if row is None:
            return None
        if await self.c.flags.enabled(KILL_SWITCH):
            return Recheck(timedelta(minutes=self.c.settings.recheck_minutes), "auto-apply paused")
        target = await self.c.jobs.submission_target(row.job_id) if row.job_id is not None else None
        if target is None or not target.apply_url:
            await self._finish_without_attempt(
                application_id, "failed", "error", "The posting has no ATS application to send."
            )
            return None
        submitter = self.c.submitters.get(target.ats)
        if submitter is None:
            await self._finish_without_attempt(
                application_id,
                "failed",
                "unsupported_ats",
                f"JobPilot cannot send applications to {target.ats} yet: apply on the page.",
                handoff_url=target.apply_url,
            )
            return None
        host = host_of(target.apply_url)
        now = utcnow()
        if await self._sent_today(host, now) >= self.c.settings.per_host_daily_cap:
            return Recheck(_next_midnight(now), f"daily cap for {host} reached")
        try:
            request = await self._request(row, target)
        except _NotReady as exc:
            await self._finish_without_attempt(
                application_id, "needs_user_input", "missing_answer", str(exc)
            )
            return None
        attempt_id = await self._start(application_id, submitter, target, host)
        started = time.monotonic()
        assert self.c.gate is not None
        try:
            async with self.c.gate.slot(host):
                outcome = await submitter.submit(request, self._point_of_no_return(attempt_id))
        except AlreadySending:
            log.warning("another attempt is sending this application; this one stops")
            await self._abandon(attempt_id, "another attempt holds the key")
            return None
        except HostCapReached:
            await self._abandon(attempt_id, f"daily cap for {host} reached", requeue=True)
            return Recheck(_next_midnight(now), f"daily cap for {host} reached")
        except Exception as exc:
            await self._failed_before_sending(attempt_id, exc, final_attempt=final_attempt)
            if final_attempt:
                return None
            raise
        await self._record(
            attempt_id, submitter.ats, outcome, time.monotonic() - started, request.attachments
        )
        return None

    async def resume_with_code(self, application_id: uuid.UUID, code: str) -> None:
        """Continue an application parked at an email-code step with the code the user typed."""
        async with self.c.db.unit_of_work(write=True) as session:
            row = await session.get(Application, application_id)
            if row is None or row.status != "needs_user_input" or row.reason != "email_code":
                return
            attempt = await self._latest_attempt(session, application_id)
            if attempt is None or attempt.resume_state is None:
                await _move(
                    session, row, "unknown", reason="not_confirmed",
                    detail="The parked form can no longer be resumed; check your email.",
                )  # fmt: skip
                return
            target_ats, attempt_id = attempt.ats, attempt.id
            resume_state = attempt.resume_state
            attempt.status = SENDING
            attempt.resume_state = None
            await _move(session, row, "submitting", detail=None, step="email_code")
        submitter = self.c.submitters.get(target_ats)
        target = await self.c.jobs.submission_target(row.job_id) if row.job_id else None
        if submitter is None or target is None:
            await self._record(
                attempt_id,
                target_ats,
                SubmissionOutcome("unknown", "not_confirmed", "The ATS can no longer be reached."),
                0.0,
            )
            return
        request = await self._request(row, target, email_code=code, resume_state=resume_state)
        started = time.monotonic()

        async def already_sent() -> None:
            return None

        try:
            outcome = await submitter.resume(request, already_sent)
        except Exception as exc:  # the application already went out: never retry blindly
            outcome = SubmissionOutcome(
                "unknown", "not_confirmed", f"Resuming failed: {type(exc).__name__}."
            )
        outcome.sent = True
        await self._record(
            attempt_id, target_ats, outcome, time.monotonic() - started, request.attachments
        )

    # Steps

    async def _claimable(self, application_id: uuid.UUID) -> Application | None:
        """The application when it is queued; settles an attempt a dead worker left behind."""
        async with self.c.db.unit_of_work(write=True) as session:
            row = await session.get(Application, application_id)
            if row is None:
                return None
            if row.status == "submitting":
                attempt = await self._latest_attempt(session, application_id)
                if attempt is not None and attempt.status == SENDING:
                    # It may have gone out: say so, never send it again.
                    attempt.status = "unknown"
                    attempt.reason = "not_confirmed"
                    attempt.detail = "The worker stopped after sending began."
                    attempt.finished_at = utcnow()
                    await _move(
                        session, row, "unknown", reason="not_confirmed",
                        detail="The submission was interrupted after it was sent; check your "
                        "email or the company's site before applying again.",
                    )  # fmt: skip
                    JOB_APPLICATIONS.labels(attempt.ats, "unknown").inc()
                    return None
                if attempt is not None and attempt.status == STARTED:
                    attempt.status = ABANDONED
                    attempt.detail = "The worker stopped before sending."
                    attempt.finished_at = utcnow()
                row.status = "queued"
                _event(session, row, "retried", from_status="submitting", to_status="queued")
            if row.status != "queued":
                return None
            session.expunge(row)
            return row

    async def _latest_attempt(
        self, session: AsyncSession, application_id: uuid.UUID
    ) -> Submission | None:
        return await session.scalar(
            select(Submission)
            .where(Submission.application_id == application_id)
            .order_by(Submission.started_at.desc())
            .limit(1)
        )

    async def _sent_today(self, host: str, now: datetime) -> int:
        async with self.c.db.unit_of_work() as session:
            count = await session.scalar(
                select(HostDay.sent).where(HostDay.host == host, HostDay.day == now.date())
            )
            return int(count or 0)

    async def _request(
        self,
        row: Application,
        target: SubmissionTarget,
        *,
        email_code: str | None = None,
        resume_state: dict[str, Any] | None = None,
    ) -> SubmissionRequest:
        async with self.c.db.unit_of_work() as session:
            profile = await UsersFacade(session, self.c.users).profile(row.user_id)
        contact = _contact(profile)
        answers: list[Answer] = []
        wants_resume = wants_cover_file = False
        for item in row.prepared or []:
            if item.get("status") == "needs_user_input" and item.get("required"):
                msg = f"'{item.get('label') or item.get('key')}' still needs your answer."
                raise _NotReady(msg)
            value = item.get("value")
            if item.get("type") == "file":
                if isinstance(value, str) and value.startswith(_FILE_FIELD_VALUE):
                    wants_resume = True
                elif value:
                    wants_cover_file = True
                continue
            answers.append(
                Answer(
                    key=str(item["key"]),
                    label=str(item.get("label") or ""),
                    type=str(item.get("type") or "text"),
                    value=value,
                    required=bool(item.get("required")),
                )
            )
        attachments: list[Attachment] = []
        if (wants_resume or not row.prepared) and row.resume_version_id is not None:
            filename, data = await self.c.resumes.export_pdf(row.user_id, row.resume_version_id)
            attachments.append(Attachment("resume", filename, "application/pdf", data))
        if wants_cover_file and row.cover_letter:
            attachments.append(
                Attachment(
                    "cover_letter", "cover-letter.txt", "text/plain", row.cover_letter.encode()
                )
            )
        return SubmissionRequest(
            application_id=row.id,
            ats=target.ats,
            tenant=target.tenant,
            posting_id=target.posting_id,
            apply_url=target.apply_url or "",
            contact=contact,
            answers=tuple(answers),
            attachments=tuple(attachments),
            cover_letter_text=row.cover_letter,
            email_code=email_code,
            resume_state=resume_state,
        )

    async def _start(
        self,
        application_id: uuid.UUID,
        submitter: Submitter,
        target: SubmissionTarget,
        host: str,
    ) -> uuid.UUID:
        attempt_id = uuid.uuid4()
        async with self.c.db.unit_of_work(write=True) as session:
            row = await session.get(Application, application_id)
            assert row is not None
            session.add(
                Submission(
                    id=attempt_id,
                    application_id=application_id,
                    ats=target.ats,
                    host=host,
                    channel=submitter.channel,
                    status=STARTED,
                    evidence={},
                    started_at=utcnow(),
                )
            )
            await _move(session, row, "submitting", ats=target.ats, channel=submitter.channel)
        SUBMISSIONS_IN_FLIGHT.labels(target.ats).inc()
        return attempt_id

    def _point_of_no_return(self, attempt_id: uuid.UUID) -> Any:
        cap = self.c.settings.per_host_daily_cap

        async def mark_sending() -> None:
            # One transaction: the key, and the host's count for the day (atomic, so workers
            # racing for the last slot of the day cannot both take it).
            try:
                async with self.c.db.unit_of_work(write=True) as session:
                    attempt = await session.get(Submission, attempt_id)
                    assert attempt is not None
                    now = utcnow()
                    attempt.status = SENDING
                    attempt.idempotency_key = f"application:{attempt.application_id}:submit"
                    attempt.sent_at = now
                    await session.flush()
                    if await _count_sent(session, attempt.host, now) > cap:
                        raise HostCapReached
            except IntegrityError as exc:
                raise AlreadySending from exc

        return mark_sending

    async def _abandon(self, attempt_id: uuid.UUID, why: str, *, requeue: bool = False) -> None:
        async with self.c.db.unit_of_work(write=True) as session:
            attempt = await session.get(Submission, attempt_id)
            assert attempt is not None
            attempt.status, attempt.detail, attempt.finished_at = ABANDONED, why, utcnow()
            if requeue:
                row = await session.get(Application, attempt.application_id)
                assert row is not None
                await _move(session, row, "queued", detail=why, waiting=why)

    async def _failed_before_sending(
        self, attempt_id: uuid.UUID, exc: Exception, *, final_attempt: bool
    ) -> None:
        detail = f"{type(exc).__name__}: {exc}"[:1000]
        log.warning("submission failed before sending", extra={"error": type(exc).__name__})
        async with self.c.db.unit_of_work(write=True) as session:
            attempt = await session.get(Submission, attempt_id)
            assert attempt is not None
            if attempt.status == SENDING:
                # The exception came after the point of no return: record, never retry.
                row = await session.get(Application, attempt.application_id)
                assert row is not None
                attempt.status, attempt.reason = "unknown", "not_confirmed"
                attempt.detail, attempt.finished_at = detail, utcnow()
                await _move(session, row, "unknown", reason="not_confirmed", detail=detail)
                JOB_APPLICATIONS.labels(attempt.ats, "unknown").inc()
                return
            attempt.status, attempt.reason = "failed", "error"
            attempt.detail, attempt.finished_at = detail, utcnow()
            row = await session.get(Application, attempt.application_id)
            assert row is not None
            if final_attempt:
                await _move(
                    session, row, "failed", reason="error",
                    detail="Sending failed before anything left JobPilot; you can retry.",
                )  # fmt: skip
                JOB_APPLICATIONS.labels(attempt.ats, "failed").inc()
            else:
                await _move(session, row, "queued", reason=None, detail=None, retry=True)

    async def _finish_without_attempt(
        self,
        application_id: uuid.UUID,
        status: str,
        reason: str,
        detail: str,
        *,
        handoff_url: str | None = None,
    ) -> None:
        async with self.c.db.unit_of_work(write=True) as session:
            row = await session.get(Application, application_id)
            assert row is not None
            row.handoff_url = handoff_url
            await _move(session, row, status, reason=reason, detail=detail)

    async def _record(
        self,
        attempt_id: uuid.UUID,
        ats: str,
        outcome: SubmissionOutcome,
        seconds: float,
        attachments: tuple[Attachment, ...] = (),
    ) -> None:
        """Store the outcome and its evidence, and move the application."""
        async with self.c.db.unit_of_work() as session:
            attempt = await session.get(Submission, attempt_id)
            assert attempt is not None
            row = await session.get(Application, attempt.application_id)
            assert row is not None
            user_id, application_id = row.user_id, row.id
        evidence = await self._keep_evidence(
            user_id, application_id, attempt_id, outcome, attachments if outcome.sent else ()
        )
        status = outcome.status
        status_reason: str | None = outcome.reason
        if status == "failed" and outcome.sent and status_reason is None:
            status_reason = "rejected"
        async with self.c.db.unit_of_work(write=True) as session:
            attempt = await session.get(Submission, attempt_id)
            row = await session.get(Application, application_id)
            assert attempt is not None
            assert row is not None
            attempt.status = status
            attempt.reason = status_reason
            attempt.detail = (outcome.detail or "")[:1000] or None
            attempt.evidence = evidence
            attempt.resume_state = outcome.resume_state
            attempt.finished_at = utcnow()
            attempt.duration_seconds = round(seconds, 3)
            if not outcome.sent and attempt.status == "failed":
                # Certain nothing went out: the key is released (a later try may send).
                attempt.idempotency_key = None
            row.handoff_url = outcome.handoff_url
            await _move(
                session, row, status, reason=status_reason, detail=outcome.detail,
                attempt=str(attempt_id),
            )  # fmt: skip
        metric_status = METRIC_STATUS[status]
        JOB_APPLICATIONS.labels(ats, metric_status).inc()
        SUBMIT_DURATION.labels(ats, metric_status).observe(seconds)

    async def _keep_evidence(
        self,
        user_id: uuid.UUID,
        application_id: uuid.UUID,
        attempt_id: uuid.UUID,
        outcome: SubmissionOutcome,
        attachments: tuple[Attachment, ...],
    ) -> dict[str, Any]:
        """Put what was sent and what came back in the blob store; their keys by name."""
        prefix = f"applications/{user_id}/{application_id}/{attempt_id}"
        found = outcome.evidence
        keys: dict[str, Any] = {}
        sent = {
            "fields": found.sent,
            "files": found.files,
            "confirmation_url": found.confirmation_url,
            "response": found.response,
        }
        keys["sent.json"] = f"{prefix}/sent.json"
        await self.c.blobs.put(
            keys["sent.json"], json.dumps(sent, indent=2, default=str).encode(), "application/json"
        )
        if found.confirmation_html:
            keys["confirmation.html"] = f"{prefix}/confirmation.html"
            await self.c.blobs.put(
                keys["confirmation.html"], found.confirmation_html.encode(), "text/html"
            )
        if found.screenshot_png:
            keys["confirmation.png"] = f"{prefix}/confirmation.png"
            await self.c.blobs.put(keys["confirmation.png"], found.screenshot_png, "image/png")
        for attachment in attachments:
            name = f"files/{attachment.filename}"
            keys[name] = f"{prefix}/{name}"
            await self.c.blobs.put(keys[name], attachment.data, attachment.content_type)
        return keys


class _NotReady(Exception):
    """The prepared form still misses a required answer."""


def _contact(profile: dict[str, Any]) -> Contact:
    def get(kind: str) -> str | None:
        return contact_value(kind, profile)

    return Contact(
        first_name=get("first_name") or "",
        last_name=get("last_name") or "",
        email=get("email") or "",
        phone=get("phone"),
        city=get("city"),
        linkedin=get("linkedin"),
        github=get("github"),
        portfolio=get("portfolio"),
    )


class SubmissionReads:
    """The caller's submission attempts, their evidence, and email codes, in the request's
    unit of work."""

    def __init__(self, session: AsyncSession, blobs: BlobStore) -> None:
        self.session = session
        self.blobs = blobs

    async def _own(self, user_id: uuid.UUID, application_id: uuid.UUID) -> Application:
        row = await self.session.scalar(
            select(Application).where(
                Application.id == application_id, Application.user_id == user_id
            )
        )
        if row is None:
            raise ApplicationNotFound
        return row

    async def attempts(self, user_id: uuid.UUID, application_id: uuid.UUID) -> list[SubmissionRead]:
        """Every attempt to send the application, newest first."""
        await self._own(user_id, application_id)
        rows = await self.session.scalars(
            select(Submission)
            .where(Submission.application_id == application_id)
            .order_by(Submission.started_at.desc())
        )
        base = f"/api/v1/applications/{application_id}/submissions"
        return [
            SubmissionRead(
                id=r.id,
                ats=r.ats,
                channel=r.channel,
                status=r.status,
                reason=r.reason,
                detail=r.detail,
                started_at=r.started_at,
                sent_at=r.sent_at,
                finished_at=r.finished_at,
                duration_seconds=r.duration_seconds,
                evidence=[
                    EvidenceItem(name=name, url=f"{base}/{r.id}/evidence/{name}")
                    for name in sorted(r.evidence or {})
                ],
            )
            for r in rows
        ]

    async def evidence(
        self, user_id: uuid.UUID, application_id: uuid.UUID, attempt_id: uuid.UUID, name: str
    ) -> Blob:
        """One piece of an attempt's evidence."""
        await self._own(user_id, application_id)
        attempt = await self.session.scalar(
            select(Submission).where(
                Submission.id == attempt_id, Submission.application_id == application_id
            )
        )
        if attempt is None:
            raise SubmissionNotFound
        key = (attempt.evidence or {}).get(name)
        blob = await self.blobs.get(key) if isinstance(key, str) else None
        if blob is None:
            raise EvidenceNotFound
        return blob

    async def email_code(self, user_id: uuid.UUID, application_id: uuid.UUID, code: str) -> None:
        """Hand the emailed code to the worker that finishes the parked application."""
        row = await self._own(user_id, application_id)
        if row.status != "needs_user_input" or row.reason != "email_code":
            raise NotWaitingForCode(details={"status": row.status, "reason": row.reason})
        _event(self.session, row, "email_code_received", actor_user=True)
        await enqueue(
            self.session,
            RESUME_TASK,
            idempotency_key=f"email-code:{application_id}:{code}",
            application_id=str(application_id),
            code=code,
        )

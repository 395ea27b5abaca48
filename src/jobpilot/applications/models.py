"""Tables of the applications domain: applications, their timelines and notes.

User and posting ids come from other services (no foreign keys across domains). An
application keeps a copy of the posting's title, company and link, so the board still reads
right after the posting closes or is removed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base, UuidPk


class Application(UuidPk, Base):
    """One application of one user: to a posting we list, or to a job found elsewhere."""

    __tablename__ = "applications"
    __table_args__ = (
        # One application per user and job: a repost of the same job has the same key, so it
        # is caught too (entries for jobs applied to elsewhere get a key of their own).
        UniqueConstraint("user_id", "posting_key"),
        Index("ix_applications_user_id_updated_at", "user_id", "updated_at"),
        Index("ix_applications_user_id_status", "user_id", "status"),
    )

    user_id: Mapped[uuid.UUID]
    # The posting applied to; None for a job applied to elsewhere.
    job_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    posting_key: Mapped[str] = mapped_column(String(100))
    # "tracked" (a posting we list), "manual" (a job found elsewhere), "auto_apply".
    source: Mapped[str] = mapped_column(String(20))
    company: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20))
    # Why it needs the user (captcha, login_required...) or why it failed.
    reason: Mapped[str | None] = mapped_column(String(40))
    reason_detail: Mapped[str | None] = mapped_column(String(1000))
    # The exact resume version sent (or to be sent), and the cover letter.
    resume_id: Mapped[uuid.UUID | None]
    resume_version: Mapped[int | None]
    resume_version_id: Mapped[uuid.UUID | None]
    cover_letter: Mapped[str | None] = mapped_column(Text)
    # The auto-apply rule that queued it, if any.
    rule_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # The form as it will be sent: each field's key, label, type, value, source and status
    # (prepared from stored facts, then edited and approved by the user).
    prepared: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Where the user finishes by hand when it is parked (the ATS page with the captcha).
    handoff_url: Mapped[str | None] = mapped_column(String(1000))
    applied_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HostDay(Base):
    """Applications sent to one ATS host on one day (UTC): the per-host daily cap counts here,
    in the same transaction that takes the idempotency key."""

    __tablename__ = "application_host_days"

    host: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    sent: Mapped[int]


class Submission(UuidPk, Base):
    """One attempt to send an application, with the evidence of what was sent.

    `idempotency_key` is written (committed) right before the application leaves, so a worker
    that dies after that point leaves a trace: the attempt becomes `unknown`, never a second
    submission.
    """

    __tablename__ = "application_submissions"
    __table_args__ = (
        Index("ix_application_submissions_application_id", "application_id"),
        # Per-host daily caps count what was sent to a host since midnight.
        Index("ix_application_submissions_host_sent_at", "host", "sent_at"),
        # Today's outcomes and each ATS's success rate count attempts by when they ended.
        Index("ix_application_submissions_finished_at", "finished_at"),
    )

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    ats: Mapped[str] = mapped_column(String(40))
    # The ATS host the application goes to (pacing and caps are per host).
    host: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    # started (filling the form), sending (past the point of no return), then the outcome:
    # submitted, needs_user_input, failed, unknown.
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(1000))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Blob keys of what was sent and what the ATS showed back.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Browser state to resume an email-code step from (cookies of the ATS form only).
    resume_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_seconds: Mapped[float | None]


class ApplicationEvent(UuidPk, Base):
    """One entry of an application's timeline."""

    __tablename__ = "application_events"
    __table_args__ = (
        Index("ix_application_events_application_id_at", "application_id", "at"),
        # The admin's analytics read the timelines of every application over a period.
        Index("ix_application_events_at", "at"),
    )

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    at: Mapped[datetime]
    # created, status_changed, updated, note_added, note_edited, note_deleted.
    kind: Mapped[str] = mapped_column(String(30))
    # "user" or "system" (auto-apply workers).
    actor: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ApplicationNote(UuidPk, Base):
    """A note the user keeps on an application."""

    __tablename__ = "application_notes"
    __table_args__ = (Index("ix_application_notes_application_id", "application_id"),)

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AutoApplyRule(UuidPk, Base):
    """A user's standing order: which matched postings to apply to with which resume, how many
    a day, and whether each waits for the user's review (`review`) or goes out (`autopilot`)."""

    __tablename__ = "auto_apply_rules"
    __table_args__ = (Index("ix_auto_apply_rules_user_id", "user_id"),)

    user_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(100))
    # The criteria: one of the user's saved job searches, or match filters (remote, country,
    # salary_min, posted_within), never both.
    saved_search_id: Mapped[uuid.UUID | None]
    filters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    min_score: Mapped[float]
    companies_include: Mapped[list[str]] = mapped_column(JSON, default=list)
    companies_exclude: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The resume (its latest version at each run) matched and sent.
    resume_id: Mapped[uuid.UUID]
    tailor: Mapped[bool]
    daily_cap: Mapped[int]
    mode: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

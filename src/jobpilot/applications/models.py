"""Tables of the applications domain: applications, their timelines and notes.

User and posting ids come from other services (no foreign keys across domains). An
application keeps a copy of the posting's title, company and link, so the board still reads
right after the posting closes or is removed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
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
    applied_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApplicationEvent(UuidPk, Base):
    """One entry of an application's timeline."""

    __tablename__ = "application_events"
    __table_args__ = (Index("ix_application_events_application_id_at", "application_id", "at"),)

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

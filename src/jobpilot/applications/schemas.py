"""Request and response models of the applications API, and the statuses' rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

Status = Literal[
    "saved",
    "queued",
    "awaiting_review",
    "submitting",
    "submitted",
    "needs_user_input",
    "failed",
    "unknown",
    "interviewing",
    "offer",
    "rejected",
    "withdrawn",
]
# In the order of an application's life: the board's columns.
STATUSES: tuple[Status, ...] = (
    "saved",
    "queued",
    "awaiting_review",
    "submitting",
    "submitted",
    "needs_user_input",
    "failed",
    "unknown",
    "interviewing",
    "offer",
    "rejected",
    "withdrawn",
)
# What a user sets by hand; the others belong to auto-apply (queued → submitting → ...).
USER_STATUSES: frozenset[str] = frozenset(
    {"saved", "submitted", "interviewing", "offer", "rejected", "withdrawn"}
)
NeedsReason = Literal["captcha", "login_required", "email_code", "missing_answer", "form_changed"]
# Statuses that say an application went out (or may have): "already applied" for matching.
NOT_APPLIED: frozenset[str] = frozenset({"saved"})


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApplicationCreate(_Body):
    """A posting we list (`job_id`), or a job applied to elsewhere (`company` and `title`)."""

    job_id: uuid.UUID | None = None
    company: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    url: HttpUrl | None = None
    status: Status = "saved"
    resume_version_id: uuid.UUID | None = None
    cover_letter: str | None = Field(default=None, max_length=20_000)
    note: str | None = Field(default=None, min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _one_target(self) -> ApplicationCreate:
        manual = self.company is not None or self.title is not None or self.url is not None
        if self.job_id is not None and manual:
            msg = "give job_id, or company and title (and url) for a job found elsewhere"
            raise ValueError(msg)
        if self.job_id is None and (self.company is None or self.title is None):
            msg = "give job_id, or company and title for a job applied to elsewhere"
            raise ValueError(msg)
        if self.status not in USER_STATUSES:
            msg = f"status must be one of {sorted(USER_STATUSES)} (the others are auto-apply's)"
            raise ValueError(msg)
        return self


class ApplicationUpdate(_Body):
    """A new status (yours to set: saved, submitted, interviewing, offer, rejected,
    withdrawn), another resume version, or a new cover letter."""

    status: Status | None = None
    resume_version_id: uuid.UUID | None = None
    cover_letter: str | None = Field(default=None, max_length=20_000)

    @model_validator(mode="after")
    def _something(self) -> ApplicationUpdate:
        if not self.model_fields_set:
            msg = "nothing to change"
            raise ValueError(msg)
        return self


class NoteWrite(_Body):
    """A note's text."""

    body: str = Field(min_length=1, max_length=5000)


class NoteRead(BaseModel):
    """A note."""

    id: uuid.UUID
    body: str
    created_at: datetime
    updated_at: datetime


class TimelineEntry(BaseModel):
    """Something that happened to an application."""

    at: datetime
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


class ResumeRef(BaseModel):
    """The exact resume version an application sends."""

    resume_id: uuid.UUID
    version: int
    version_id: uuid.UUID


class ApplicationSummary(BaseModel):
    """An application in a list or on the board."""

    id: uuid.UUID
    job_id: uuid.UUID | None
    source: str
    company: str
    title: str
    url: str | None
    status: Status
    reason: str | None
    reason_detail: str | None
    resume: ResumeRef | None
    applied_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ApplicationDetail(ApplicationSummary):
    """An application with its cover letter, notes and timeline (oldest first)."""

    cover_letter: str | None
    notes: list[NoteRead]
    timeline: list[TimelineEntry]


class BoardColumn(BaseModel):
    """The applications in one status, most recently changed first."""

    status: Status
    count: int
    items: list[ApplicationSummary]


class Board(BaseModel):
    """Every status in lifecycle order, with its applications."""

    columns: list[BoardColumn]
    total: int


class PreparedFieldRead(BaseModel):
    """One field of the ATS form: the value that would be sent and its source, or why you
    must fill it (`needs_user_input`); optional fields nothing answers are `skipped`."""

    key: str
    label: str
    type: str
    required: bool
    options: list[str]
    value: str | list[str] | None
    source: str | None
    status: Literal["filled", "needs_user_input", "skipped"]
    reason: str | None


class PreparedForm(BaseModel):
    """The posting's application form filled from your stored facts, nothing sent."""

    application_id: uuid.UUID
    job_id: uuid.UUID
    available: bool = Field(description="False when the ATS publishes no form definition.")
    reason: str | None
    apply_url: str | None
    provider: str | None = Field(description="Who drafted free-text answers (`local-rules`...).")
    fields: list[PreparedFieldRead]
    complete: bool = Field(description="Every required field is filled.")
    missing: list[str] = Field(description="The keys of required fields you must fill.")

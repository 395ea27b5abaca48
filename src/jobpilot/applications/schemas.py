"""Request and response models of the applications API, and the statuses' rules."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

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
# Statuses of an application auto-apply has not sent (nor tried to): its quota unit is given
# back when the user discards it.
UNSENT: frozenset[str] = frozenset({"queued", "awaiting_review", "needs_user_input"})


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


class ApplicationDetail(ApplicationSummary):
    """An application with its cover letter, notes and timeline (oldest first); one that
    auto-apply prepared also has its rule and the form as it will be sent (`prepared`)."""

    cover_letter: str | None
    rule_id: uuid.UUID | None = None
    prepared: list[PreparedFieldRead] | None = Field(
        default=None,
        description="Each field of the ATS form with the value to send, its source and status "
        "(None until auto-apply has prepared it; empty when the ATS publishes no form).",
    )
    handoff_url: str | None = None
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


# Auto-apply rules.

_WITHIN = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$")
CompanyName = Annotated[str, Field(min_length=1, max_length=200)]
RuleMode = Literal["review", "autopilot"]


class RuleFilters(_Body):
    """Which postings a rule's resume is matched against: the matches endpoint's filters."""

    remote: list[Literal["remote", "hybrid", "onsite"]] = Field(default_factory=list)
    country: list[str] = Field(
        default_factory=list, max_length=50, description="ISO 3166-1 alpha-2 codes."
    )
    salary_min: float | None = Field(default=None, ge=0, description="Yearly pay floor.")
    posted_within: str | None = Field(default=None, description="`24h`, `7d`, `2w`…")

    @field_validator("country")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        cleaned = [code.strip().upper() for code in codes if code.strip()]
        if any(not re.fullmatch(r"[A-Z]{2}", code) for code in cleaned):
            msg = "country codes are two letters (ISO 3166-1 alpha-2)"
            raise ValueError(msg)
        return list(dict.fromkeys(cleaned))

    @field_validator("posted_within")
    @classmethod
    def _within(cls, value: str | None) -> str | None:
        if value is not None and not _WITHIN.fullmatch(value):
            msg = "posted_within is a number and a unit: 24h, 7d, 2w"
            raise ValueError(msg)
        return value.strip() if value else None


def _companies(names: list[str]) -> list[str]:
    """Names once each, compared without case."""
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(name.casefold(), name)
    return list(kept.values())


class _RuleFields(_Body):
    companies_include: list[CompanyName] | None = Field(default=None, max_length=200)
    companies_exclude: list[CompanyName] | None = Field(default=None, max_length=200)

    @field_validator("companies_include", "companies_exclude")
    @classmethod
    def _unique(cls, names: list[str] | None) -> list[str] | None:
        return _companies(names) if names is not None else None

    def _check(self) -> None:
        if getattr(self, "saved_search_id", None) and getattr(self, "filters", None):
            msg = "give saved_search_id or filters, not both"
            raise ValueError(msg)
        both = {n.casefold() for n in self.companies_include or []} & {
            n.casefold() for n in self.companies_exclude or []
        }
        if both:
            msg = f"a company is both included and excluded: {', '.join(sorted(both))}"
            raise ValueError(msg)


class RuleCreate(_RuleFields):
    """A new auto-apply rule. Criteria: one of your saved searches (`saved_search_id`) or
    match filters (`filters`); postings must also reach `min_score` and pass the company
    lists. `daily_cap` defaults to your plan's daily auto-apply allowance."""

    name: str = Field(min_length=1, max_length=100)
    saved_search_id: uuid.UUID | None = None
    filters: RuleFilters | None = None
    min_score: float = Field(default=0.0, ge=0, le=1)
    resume_id: uuid.UUID
    tailor: bool = False
    daily_cap: int | None = Field(default=None, ge=1)
    mode: RuleMode = "review"
    enabled: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> RuleCreate:
        self._check()
        return self


class RuleUpdate(_RuleFields):
    """Changes to a rule; setting `saved_search_id` drops its filters and setting `filters`
    drops its saved search."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    saved_search_id: uuid.UUID | None = None
    filters: RuleFilters | None = None
    min_score: float | None = Field(default=None, ge=0, le=1)
    resume_id: uuid.UUID | None = None
    tailor: bool | None = None
    daily_cap: int | None = Field(default=None, ge=1)
    mode: RuleMode | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RuleUpdate:
        if not self.model_fields_set:
            msg = "nothing to change"
            raise ValueError(msg)
        for name in ("name", "min_score", "resume_id", "tailor", "daily_cap", "mode", "enabled"):
            if name in self.model_fields_set and getattr(self, name) is None:
                msg = f"{name} cannot be null"
                raise ValueError(msg)
        self._check()
        return self


class RuleRead(BaseModel):
    """An auto-apply rule, and how many applications it queued today (UTC)."""

    id: uuid.UUID
    name: str
    saved_search_id: uuid.UUID | None
    filters: RuleFilters | None
    min_score: float
    companies_include: list[str]
    companies_exclude: list[str]
    resume_id: uuid.UUID
    tailor: bool
    daily_cap: int
    mode: RuleMode
    enabled: bool
    queued_today: int
    created_at: datetime
    updated_at: datetime


class RunSkipped(BaseModel):
    """Matched postings a run left out, by why."""

    already_applied: int = Field(description="You have an application for it or a repost.")
    below_score: int = Field(description="Its match score is under the rule's min_score.")
    company_filtered: int = Field(description="Its company is excluded, or not included.")
    unsupported_ats: int = Field(
        description="Its ATS is one auto-apply cannot send to (apply on the posting's page)."
    )
    over_cap: int = Field(description="The rule's daily cap or your daily quota is reached.")


class AutoApplyStatus(BaseModel):
    """Whether auto-apply sends applications now."""

    paused: bool = Field(
        description="True while an operator has paused every submission (the kill switch): "
        "rules still queue and prepare applications, which wait and are sent once it is lifted."
    )
    reason: str | None = Field(description='Why it is paused ("paused by an operator"); null.')


class RunResult(BaseModel):
    """What one run of a rule queued, and what it skipped."""

    queued: int
    skipped: RunSkipped
    application_ids: list[uuid.UUID]


FieldValue = str | list[str] | None


class FieldsEdit(_Body):
    """New values for fields of a prepared application, by field key (null clears one)."""

    fields: dict[Annotated[str, Field(max_length=200)], FieldValue] = Field(
        min_length=1, max_length=500
    )


class Approval(_Body):
    """Last edits to make before approving (optional)."""

    fields: dict[Annotated[str, Field(max_length=200)], FieldValue] = Field(
        default_factory=dict, max_length=500
    )


class EvidenceItem(BaseModel):
    """One thing kept of a submission: what was sent, a file, the confirmation page."""

    name: str = Field(description="sent.json, confirmation.html, confirmation.png or files/...")
    url: str


class SubmissionRead(BaseModel):
    """One attempt to send an application (newest first), with what it kept."""

    id: uuid.UUID
    ats: str
    channel: str = Field(description="`api` (a candidate endpoint) or `browser` (the form).")
    status: str = Field(
        description="started, sending, submitted, needs_user_input, failed, unknown, abandoned"
    )
    reason: str | None
    detail: str | None
    started_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    evidence: list[EvidenceItem]


class EmailCode(_Body):
    """The code the ATS emailed you, to finish an application parked at that step."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")

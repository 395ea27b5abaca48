"""The port every submitter implements: what an application sends, and what came of it.

A submitter knows one ATS's way of receiving an application: a key-less candidate API
(Recruitee) or the hosted form filled in a real browser. It never decides whether to submit:
the submission flow has already checked the kill switch, the caps and that this application
was never sent. It calls `point_of_no_return()` right before the one action that sends the
application (the POST, or the click on the form's final submit button); the flow stores the
idempotency key there, so a crash after that point is never retried blindly.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

OutcomeStatus = Literal["submitted", "needs_user_input", "failed", "unknown"]
# needs_user_input: captcha, login_required, email_code, missing_answer, form_changed.
# failed: form_closed, rejected (the ATS refused the data), error (nothing was sent).
OutcomeReason = Literal[
    "captcha",
    "login_required",
    "email_code",
    "missing_answer",
    "form_changed",
    "form_closed",
    "rejected",
    "error",
    "not_confirmed",
]


@dataclass(frozen=True)
class Answer:
    """One field to send: the form's key and label, and the value (a list for multi-selects)."""

    key: str
    label: str
    type: str
    value: str | list[str] | None
    required: bool = False


@dataclass(frozen=True)
class Attachment:
    """A file the application uploads."""

    kind: Literal["resume", "cover_letter"]
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Contact:
    """The candidate's contact details, for fields a form asks for however it labels them."""

    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    city: str | None = None
    linkedin: str | None = None
    github: str | None = None
    portfolio: str | None = None

    @property
    def name(self) -> str:
        """The full name."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class SubmissionRequest:
    """Everything one submission needs; the values are final (the user approved them)."""

    application_id: uuid.UUID
    ats: str
    # The ATS board's tenant and the posting's id at the ATS (API submitters address by them).
    tenant: str
    posting_id: str
    # The posting's page or apply page at the ATS, as the ATS published it.
    apply_url: str
    contact: Contact
    answers: tuple[Answer, ...]
    attachments: tuple[Attachment, ...]
    cover_letter_text: str | None = None
    # Resuming an application parked at an email-code step: the code the user typed, and the
    # browser state saved when it was parked.
    email_code: str | None = None
    resume_state: dict[str, Any] | None = None


@dataclass
class Evidence:
    """What was sent and what the ATS showed back, kept for the user."""

    # Each field as sent: {"key", "label", "value"} (files by name).
    sent: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    confirmation_url: str | None = None
    confirmation_html: str | None = None
    screenshot_png: bytes | None = None
    # The ATS's own answer for API submissions (status code and body).
    response: dict[str, Any] | None = None


@dataclass
class SubmissionOutcome:
    """What came of one attempt."""

    status: OutcomeStatus
    reason: OutcomeReason | None = None
    detail: str | None = None
    # Where the user can finish by hand (the ATS page showing the captcha or login wall).
    handoff_url: str | None = None
    evidence: Evidence = field(default_factory=Evidence)
    # Whether point_of_no_return() was reached: after it, nothing may be retried blindly.
    sent: bool = False
    # Browser state to resume from (email-code step); never logged.
    resume_state: dict[str, Any] | None = None


PointOfNoReturn = Callable[[], Awaitable[None]]


class Submitter(Protocol):
    """One ATS's way of receiving an application."""

    ats: str
    # "api" (a candidate endpoint) or "browser" (the hosted form).
    channel: str

    async def submit(
        self, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        """Send the application once, or stop before sending and say why. Awaits
        `point_of_no_return()` immediately before the action that sends it; raises only for
        failures before that point (anything after it is reported in the outcome)."""

    async def resume(
        self, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        """Continue an application parked at an email-code step with `request.email_code`."""

"""Response models of the admin API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ServiceHealthRead(BaseModel):
    """One service's health at its last check."""

    model_config = ConfigDict(from_attributes=True)

    name: str = Field(description="The service's name in the gateway's route table.")
    url: str | None = Field(
        description="The base URL probed; null when probed in-process (this process serves it)."
    )
    served_here: bool = Field(description="Whether the process answering serves this service.")
    status: Literal["healthy", "degraded", "down"] = Field(
        description=(
            "down: unreachable, or /readyz did not answer in time; degraded: /readyz answered "
            "503 (or not 200), the metrics are unavailable, more than 5 % of requests failed "
            "with a 5xx or the p95 latency is above 2 s; healthy otherwise."
        )
    )
    uptime_seconds: float | None = Field(
        description="Since the process started (process_start_time_seconds); null if unknown."
    )
    p95_seconds: float | None = Field(
        description="95th percentile of request durations in the window; null without requests."
    )
    error_rate: float | None = Field(
        description="Share of the window's requests answered with a 5xx; null without requests."
    )
    requests: int | None = Field(
        description="Requests in the window; null when the metrics could not be read."
    )
    window: Literal["recent", "since start"] | None = Field(
        description=(
            "recent: since the oldest check within the window (5 minutes by default); "
            "since start: the first check of this process, or the service restarted since."
        )
    )
    window_seconds: float | None = Field(description="How long the window is, in seconds.")
    last_check: datetime = Field(description="When the probe finished (UTC).")
    checked_in_ms: float = Field(description="How long the probe took.")
    failing_checks: list[str] = Field(
        description="The readiness checks /readyz reported failing (database, schema, redis)."
    )
    problems: list[str] = Field(description="Why the service is not healthy, in words.")


class ServicesHealthRead(BaseModel):
    """Every service's health, probed live."""

    model_config = ConfigDict(from_attributes=True)

    checked_at: datetime
    services: list[ServiceHealthRead]


class TaskDepthRead(BaseModel):
    """The tasks of one name that are not finished, by state."""

    name: str = Field(description="The task's name, `<domain>.<verb>_<noun>`.")
    ready: int = Field(description="Queued and due now.")
    scheduled: int = Field(description="Queued for later (a delay or a retry's backoff).")
    running: int = Field(description="Held by a worker.")
    dead: int = Field(description="Failed every retry; waiting for an admin.")


class DeadLetterRead(BaseModel):
    """A task that failed every retry."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    attempts: int = Field(description="How many times it ran.")
    error: str = Field(description="The last line of its last error: the exception.")
    finished_at: datetime | None = Field(description="When its last try failed (UTC).")


class TaskQueueRead(BaseModel):
    """The task queue per task name, and the newest dead letters."""

    model_config = ConfigDict(from_attributes=True)

    depth: list[TaskDepthRead] = Field(description="Names without unfinished tasks are left out.")
    dead: list[DeadLetterRead] = Field(description="The newest 100 dead letters, newest first.")
    dead_total: int = Field(description="Every dead letter, also those beyond the list.")


class TaskActionRead(BaseModel):
    """What an admin did to a dead task."""

    action: Literal["retried"] = Field(description="The task is queued again, due now.")
    task: DeadLetterRead = Field(description="The task as it was when dead.")


class UserSummaryRead(BaseModel):
    """An account as the admin's list shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    roles: list[str] = Field(description="`user`, and `admin` for administrators.")
    tier: str = Field(description="The subscription tier its access tokens carry.")
    status: str = Field(description="`active`, or `suspended` (sign-in refused).")
    email_verified: bool
    mfa_enabled: bool = Field(description="Whether two-factor sign-in is on.")
    created_at: datetime


class UserPageRead(BaseModel):
    """One page of accounts, newest first."""

    items: list[UserSummaryRead]
    total: int = Field(description="Every account matching the filters, on all pages.")
    page: int
    page_size: int
    pages: int = Field(description="How many pages the matching accounts fill (at least 1).")


class DeviceSessionRead(BaseModel):
    """A live session (a signed-in device)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    method: str = Field(description="How it signed in: password, password+totp, github, ...")
    device: str | None = Field(description='The browser and system ("Firefox on Linux").')
    ip: str | None
    created_at: datetime = Field(description="When it signed in.")
    last_seen_at: datetime = Field(description="When it last refreshed its tokens.")


class ProfileSummaryRead(BaseModel):
    """The user's profile in short."""

    model_config = ConfigDict(from_attributes=True)

    headline: str | None
    location: str | None
    desired_roles: list[str]
    skills: int = Field(description="How many skills are listed.")
    experience: int = Field(description="How many jobs are listed.")
    completeness: int = Field(description="How ready the profile is for auto-apply (0-100).")
    updated_at: datetime | None = Field(description="Null until the user first saved it.")


class UserDetailRead(UserSummaryRead):
    """An account, its sessions and its profile in short."""

    email_verified_at: datetime | None
    mfa_enabled_at: datetime | None
    last_sign_in: datetime | None = Field(description="When its newest session started.")
    sessions: list[DeviceSessionRead] = Field(description="Live sessions, newest first.")
    profile: ProfileSummaryRead


class AuditEventRead(BaseModel):
    """An event of the audit log."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    event: str = Field(
        description=(
            "An admin's action `<area>.<verb>` (`user.suspend`, `task.retry`), or a security "
            "event of the account (`login_succeeded`, `sessions_revoked`)."
        )
    )
    actor_id: uuid.UUID | None = Field(
        description="The admin who acted; null for a security event."
    )
    actor_email: str | None = Field(description="That admin's email, while the account exists.")
    subject_id: uuid.UUID | None = Field(description="The account the event is about, if any.")
    ip: str | None
    user_agent: str | None
    details: dict[str, Any] = Field(
        description="What changed (`before`, `after`, ...); `target` for an admin's action."
    )


class AuditPageRead(BaseModel):
    """Some events of the audit log, newest first."""

    items: list[AuditEventRead]
    total: int = Field(description="Every matching event, also those not listed.")
    page: int
    page_size: int
    pages: int


class TierChange(BaseModel):
    """The tier to move an account to."""

    tier: str = Field(min_length=1, max_length=40, description="One of the configured tiers.")


class UserActionRead(BaseModel):
    """What an admin did to an account."""

    action: str = Field(description="As audited: `user.tier_change`, `user.suspend`, ...")
    changed: bool = Field(
        description="False when the account already was that way (nothing was audited)."
    )
    details: dict[str, Any] = Field(description="`before` and `after`, sessions ended, ...")
    user: UserDetailRead = Field(description="The account afterwards.")

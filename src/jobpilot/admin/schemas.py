"""Response models of the admin API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jobpilot.kit.runtime import SettingState


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


class DayCountRead(BaseModel):
    """A count on one day (UTC)."""

    day: date
    count: int


class DayStatusesRead(BaseModel):
    """The applications that reached each status on one day (UTC)."""

    day: date
    statuses: dict[str, int] = Field(
        description="Status -> applications that reached it that day (created in it or moved "
        "to it); every status reached in the period is listed, 0 on days nobody reached it."
    )


class AtsSuccessRead(BaseModel):
    """Submission attempts to one ATS that ended in the period."""

    model_config = ConfigDict(from_attributes=True)

    ats: str
    finished: int = Field(description="Attempts that ended (abandoned ones, retried, left out).")
    submitted: int = Field(description="Of those, attempts that submitted the application.")
    rate: float = Field(description="submitted / finished.")


class ScoreBandRead(BaseModel):
    """Auto-apply applications queued in the period within one band of match score."""

    model_config = ConfigDict(from_attributes=True)

    low: float = Field(description="The band's lowest score (included).")
    high: float = Field(description="The band's upper bound (excluded, but for 1.0).")
    applications: int = Field(description="Applications queued with a score in the band.")
    sent: int = Field(description="Of those, how many went out (status now submitted or later).")
    interviews: int = Field(description="Of those, how many are at interview or offer now.")


class AnalyticsRead(BaseModel):
    """The platform over a period of days ending today (UTC, today included)."""

    days: int = Field(description="The period's length: 7, 30 or 90.")
    start: date = Field(description="The period's first day (UTC).")
    end: date = Field(description="The period's last day: today (UTC).")
    signups: list[DayCountRead] = Field(description="Accounts created per day, every day listed.")
    applications_by_status: list[DayStatusesRead] = Field(
        description="Per day, the applications that reached each status, from their timelines."
    )
    ats_success: list[AtsSuccessRead] = Field(
        description="Per ATS, submission attempts that ended in the period, most first."
    )
    match_scores: list[ScoreBandRead] = Field(
        description="Auto-apply applications queued in the period per 0.1-wide band of the "
        "match score their rule saw, with their outcomes so far; empty bands left out."
    )


class FlagRead(BaseModel):
    """A feature flag: its switch, rollout and targets, and who changed it."""

    name: str
    description: str
    enabled: bool = Field(description="The master switch: off means off for everyone.")
    rollout: int = Field(description="The share of users (0-100 %) it is on for.")
    target_users: list[uuid.UUID] = Field(description="Users it is on for, whatever else.")
    target_tiers: list[str] = Field(description="When set, only these tiers may get it.")
    stored: bool = Field(
        description="False for a well-known flag nobody set yet (the kill switch): off."
    )
    kill_switch: bool = Field(description="Whether this is the auto-apply kill switch.")
    created_at: datetime | None
    created_by: str | None = Field(description="The admin's email, or `cli`.")
    updated_at: datetime | None
    updated_by: str | None = Field(description="The admin's email, or `cli`.")


class FlagCreate(BaseModel):
    """A new flag (off at 100 % unless said otherwise)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        max_length=200,
        description="Lower-case letters, digits, dots, underscores and dashes; up to 100.",
    )
    description: str = Field(default="", max_length=500)
    enabled: bool = False
    rollout: int = Field(default=100, ge=0, le=100)
    target_users: list[str] = Field(
        default_factory=list, max_length=1000, description="Account ids or email addresses."
    )
    target_tiers: list[str] = Field(default_factory=list, max_length=50)


class FlagUpdate(BaseModel):
    """The parts of a flag to change; those left out stay."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    rollout: int | None = Field(default=None, ge=0, le=100)
    target_users: list[str] | None = Field(
        default=None, max_length=1000, description="Account ids or email addresses."
    )
    target_tiers: list[str] | None = Field(default=None, max_length=50)


class FlagEvaluationRead(BaseModel):
    """What a user (or a caller without one) gets from a flag, and why."""

    name: str
    user_id: uuid.UUID | None
    email: str | None
    tier: str | None = Field(description="The user's tier, which tier targeting reads.")
    enabled: bool = Field(description="Whether the flag is on for this user.")
    reason: Literal[
        "disabled", "targeted_user", "tier_not_targeted", "in_rollout", "outside_rollout"
    ] = Field(
        description=(
            "disabled: the master switch is off; targeted_user: the user is listed; "
            "tier_not_targeted: tiers are listed and the user's is not one; in_rollout / "
            "outside_rollout: the user's bucket is under / not under the percentage (or, "
            "without a user, the rollout is / is not 100 %)."
        )
    )
    bucket: int | None = Field(
        description="The user's stable bucket (0-9999) when the percentage decided."
    )


class SettingRead(BaseModel):
    """A runtime setting as it is now."""

    key: str = Field(description="`<domain>.<name>`, e.g. `jobs.refresh_minutes`.")
    label: str
    help: str = Field(description="What the setting does and which values it takes.")
    widget: Literal["number", "checkbox", "text", "textarea", "choice", "table"] = Field(
        description="How the admin page edits it (the value's shape)."
    )
    choices: list[str] = Field(description="The values a `choice` setting takes.")
    value: Any = Field(description="The value in force: the override, else the default.")
    default: Any = Field(description="The value from the static settings (JOBPILOT_*).")
    overridden: bool = Field(description="Whether an admin's value replaces the default.")
    updated_at: datetime | None = Field(description="When the override was set (UTC).")
    updated_by: str | None = Field(description="Who set the override (the admin's email).")

    @classmethod
    def of(cls, state: SettingState) -> SettingRead:
        """From the runtime settings' state of one setting."""
        setting = state.setting
        return cls(
            key=setting.name,
            label=setting.label,
            help=setting.help,
            widget=setting.widget,
            choices=list(setting.choices),
            value=state.value,
            default=state.default,
            overridden=state.overridden,
            updated_at=state.updated_at,
            updated_by=state.updated_by,
        )


class SettingsRead(BaseModel):
    """Every runtime setting."""

    settings: list[SettingRead]


class SettingUpdate(BaseModel):
    """A new value for a runtime setting (validated against the setting's type)."""

    value: Any = Field(description="The new value, shaped like the setting's `value`.")


class SettingChangeRead(BaseModel):
    """One change of a runtime setting."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    old_value: Any = Field(description="The value in force before the change.")
    new_value: Any = Field(description="The value in force after it (the default after a reset).")
    old_overridden: bool = Field(description="Whether the old value was an override.")
    reset: bool = Field(description="Whether the change dropped the override.")
    at: datetime
    by: str | None = Field(description="The admin who made it (their email).")


class SettingHistoryRead(BaseModel):
    """A runtime setting's changes, newest first."""

    key: str
    changes: list[SettingChangeRead]


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

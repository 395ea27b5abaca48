"""Response models of the admin API."""

from __future__ import annotations

import uuid
from datetime import datetime
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

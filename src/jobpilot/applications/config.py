"""Settings of the auto-apply service (`JOBPILOT_APPLICATIONS__*`): pace, caps and the browser."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ApplicationsSettings(BaseModel):
    """How fast and how much auto-apply sends, and how it runs the browser."""

    # Submissions in flight to one ATS host at once, per worker process.
    per_host_concurrency: int = Field(default=1, ge=1, le=8)
    # Submissions to one ATS host per day (UTC), across every user: beyond it they wait.
    per_host_daily_cap: int = Field(default=200, ge=1)
    # A random pause in [min, max] seconds before each submission to the same host.
    delay_min_seconds: float = Field(default=20.0, ge=0)
    delay_max_seconds: float = Field(default=90.0, ge=0)
    # How long a paused (kill switch) or capped submission waits before it looks again.
    recheck_minutes: float = Field(default=15.0, gt=0)
    # Browser contexts open at once in one process (each one is a hosted form being filled).
    browser_contexts: int = Field(default=2, ge=1, le=16)
    # Hosts the browser may load; empty allows all. Tests and the sandbox allow 127.0.0.1 only.
    browser_allowed_hosts: list[str] = Field(default_factory=list)
    # How long a confirmation page may take to appear after the final click.
    confirmation_timeout_seconds: float = Field(default=30.0, gt=0)

"""Settings of the admin service (`JOBPILOT_ADMIN__*`): how the Services page probes."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator


class AdminSettings(BaseModel):
    """Where and how often the admin checks every service's health."""

    # The base URL of this process, for probing the services it serves itself. None (the
    # default): the process asks itself in-process (an ASGI call, no socket), which reaches this
    # very process whatever host, port or proxy it is served behind. Set it to probe over the
    # network instead, e.g. `http://127.0.0.1:8080`.
    self_url: str | None = None
    # One probe (`/readyz`, `/metrics`) gives up after this long and the service counts as down.
    # Above the 3 s in which `/readyz` answers by itself, so a service whose dependency hangs
    # says which one (degraded) instead of looking down; a refused connection fails at once.
    probe_timeout_seconds: float = Field(default=4.0, gt=0, le=30)
    # How long the p95 latency and error rate look back (the alert rules' rate windows are
    # 5 minutes); a service seen for the first time is measured since it started.
    window_seconds: float = Field(default=300.0, ge=10, le=86_400)
    # How often the Services page checks again by itself.
    refresh_seconds: int = Field(default=30, ge=1, le=3600)

    @field_validator("self_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            msg = f"{value!r} is not an http:// or https:// URL"
            raise ValueError(msg)
        return value.rstrip("/")

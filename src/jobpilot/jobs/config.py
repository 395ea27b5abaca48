"""Settings of the jobs service (`JOBPILOT_JOBS__*`): ingestion pace and politeness."""

from __future__ import annotations

from pydantic import BaseModel, Field


class JobsSettings(BaseModel):
    """How often boards are refreshed, and how gently their hosts are asked."""

    # A board is refreshed when its last run is older than this (checked every hour).
    refresh_minutes: int = Field(default=360, ge=5)
    # Boards fetched at once by `jobpilot jobs ingest --all`.
    board_concurrency: int = Field(default=8, ge=1, le=64)
    # Requests in flight to one host at once.
    per_host_concurrency: int = Field(default=2, ge=1, le=16)
    # Tries per request on a timeout, a 5xx, or a 429/503 (which waits for Retry-After).
    request_attempts: int = Field(default=3, ge=1, le=10)
    request_timeout_seconds: float = Field(default=20.0, gt=0)
    backoff_base_seconds: float = Field(default=1.0, ge=0)
    # A Retry-After longer than this is not waited for: the board is recorded as rate-limited.
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    # Two postings with the same company, title and place are one job when their descriptions
    # are at least this similar (Jaccard over word 4-grams).
    duplicate_similarity: float = Field(default=0.5, ge=0, le=1)
    # Send every ATS request to `<url>/<host><path>` instead of the real host: a local replay
    # server for offline demos and end-to-end tests. Never set in production.
    ats_proxy_url: str | None = None

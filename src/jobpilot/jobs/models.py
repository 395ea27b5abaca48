"""The jobs domain's tables.

A company has boards (an ATS and a tenant). A posting is one job: the same job listed on several
boards, or reposted under a new id, is one posting with several sources. Full-text search lives
beside these tables (FTS5 on SQLite, a generated `tsvector` on PostgreSQL; see jobs/search/).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base, UuidPk
from jobpilot.kit.migrate import unmanaged

# Made by migration 0005, not by these models. On SQLite, a batch migration that rebuilds
# jobs_postings drops its triggers with it: such a migration must create them again.
unmanaged(
    Base.metadata,
    "jobs_search_docs",
    "ix_jobs_search_docs*",
    "jobs_postings_fts*",
    "jobs_postings.search_vector",
    "jobs_postings.rank_vector",
    "jobs_postings.place",
    "ix_jobs_postings_search_vector",
    "ix_jobs_postings_place",
)


class Company(UuidPk, Base):
    """An employer whose boards we ingest."""

    __tablename__ = "jobs_companies"

    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Board(UuidPk, Base):
    """One ATS job board of a company, and how its last ingestion went."""

    __tablename__ = "jobs_boards"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs_companies.id"), index=True)
    # "ats:tenant" or "ats:tenant/site": what `jobpilot jobs ingest --board` takes.
    key: Mapped[str] = mapped_column(String(300), unique=True)
    ats: Mapped[str] = mapped_column(String(40))
    tenant: Mapped[str] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # "never", "ok" or "error"; the reason of the last failure stays until a run succeeds.
    last_status: Mapped[str] = mapped_column(String(10), default="never")
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(60))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    consecutive_failures: Mapped[int] = mapped_column(default=0)


class BoardRun(UuidPk, Base):
    """One ingestion of one board: counts, and every record or board error with its reason."""

    __tablename__ = "jobs_board_runs"
    __table_args__ = (Index("ix_jobs_board_runs_board_id_started_at", "board_id", "started_at"),)

    board_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs_boards.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    # "ok", "partial" (some records refused) or "error" (the board could not be read).
    status: Mapped[str] = mapped_column(String(10))
    seen: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(String(1000))
    # Up to 50 refused records: {"source_id", "reason"}.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Posting(UuidPk, Base):
    """One job, normalised; its fields come from its most recently seen source."""

    __tablename__ = "jobs_postings"
    __table_args__ = (
        Index("ix_jobs_postings_status_listed_at", "status", "listed_at"),
        Index("ix_jobs_postings_company_id_status", "company_id", "status"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs_companies.id"))
    company_name: Mapped[str] = mapped_column(String(200))
    # The ATS of the first source (what the `ats` filter and facet use).
    ats: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    title_normalised: Mapped[str] = mapped_column(String(300))
    seniority: Mapped[str | None] = mapped_column(String(20), index=True)
    department: Mapped[str | None] = mapped_column(String(200))
    employment_type: Mapped[str | None] = mapped_column(String(20), index=True)
    # "remote", "hybrid" or "onsite" (None when the posting does not say).
    workplace: Mapped[str | None] = mapped_column(String(10), index=True)
    # The first location, parsed; every location is in `locations` and `jobs_posting_countries`.
    location: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    salary_min: Mapped[float | None]
    salary_max: Mapped[float | None]
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[str | None] = mapped_column(String(10))
    # The top of the range as a yearly amount, for the `salary_min` filter.
    salary_yearly_max: Mapped[float | None] = mapped_column(index=True)
    url: Mapped[str | None] = mapped_column(String(1000))
    apply_url: Mapped[str | None] = mapped_column(String(1000))
    posted_at: Mapped[datetime | None]
    source_updated_at: Mapped[datetime | None]
    # posted_at, or when we first saw it: what "newest first" and `posted_within` use.
    listed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    # Same company + normalised title + place: candidates for being the same job.
    dedup_key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The wide columns last, after everything searches and lists read.
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, sort_order=1)
    description_html: Mapped[str] = mapped_column(Text, default="", sort_order=1)
    description_text: Mapped[str] = mapped_column(Text, default="", sort_order=1)


class PostingCountry(Base):
    """A country a posting is located in (a posting may list several)."""

    __tablename__ = "jobs_posting_countries"
    __table_args__ = (Index("ix_jobs_posting_countries_country", "country", "posting_id"),)

    posting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs_postings.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)


class Source(UuidPk, Base):
    """Where a posting is published: one board's id for it."""

    __tablename__ = "jobs_sources"
    __table_args__ = (UniqueConstraint("ats", "tenant", "source_id"),)

    posting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs_postings.id", ondelete="CASCADE"), index=True
    )
    # None for a posting imported from a single URL.
    board_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jobs_boards.id", ondelete="SET NULL"), index=True
    )
    ats: Mapped[str] = mapped_column(String(40))
    tenant: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    apply_url: Mapped[str | None] = mapped_column(String(1000))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="open")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class SavedSearch(UuidPk, Base):
    """A user's named search: the filters of `GET /api/v1/jobs`."""

    __tablename__ = "jobs_saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

"""The jobs domain's tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base, UuidPk


class Company(UuidPk, Base):
    """An employer whose postings we ingest."""

    __tablename__ = "jobs_companies"

    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    ats: Mapped[str | None] = mapped_column(String(40))
    ats_tenant: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Posting(UuidPk, Base):
    """One job posting, unique per source board and the board's own id."""

    __tablename__ = "jobs_postings"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs_companies.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300), index=True)
    location: Mapped[str | None] = mapped_column(String(300))
    remote: Mapped[bool] = mapped_column(default=False)
    employment_type: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1000))
    posted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

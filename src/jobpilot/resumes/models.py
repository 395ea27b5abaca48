"""The resumes domain's tables. User ids come from the auth service (no foreign key across).

A resume is a line of immutable versions; a variant is a resume that branched from a version
of another (its lineage is `parent_resume_id` + `parent_version`). Admin-made templates are
stored with versions; the built-in ones ship with the code.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base, UuidPk


class ResumeRow(UuidPk, Base):
    """A resume of a user: its name, lineage and latest version number."""

    __tablename__ = "resumes_resumes"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(120))
    # A variant's origin: the resume and version it branched from.
    parent_resume_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("resumes_resumes.id", ondelete="SET NULL")
    )
    parent_version: Mapped[int | None]
    # The template exports use unless they name another.
    template: Mapped[str] = mapped_column(String(60), default="classic")
    latest_version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ResumeVersion(UuidPk, Base):
    """One saved state of a resume; never changed once written."""

    __tablename__ = "resumes_versions"
    __table_args__ = (UniqueConstraint("resume_id", "number"),)

    resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resumes_resumes.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    # The version this one was made from (None for the first).
    parent_number: Mapped[int | None]
    author_id: Mapped[uuid.UUID]
    # How it came to be: "created", "profile", "import", "edit", "restore", "variant",
    # "tailored" (a variant rewritten for one posting by the ai service).
    origin: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(300))
    # The JSON Resume document.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # For imports: confidence per field, parser warnings, layout, raw text.
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class TemplateRow(UuidPk, Base):
    """One version of an admin-made template (the built-in ones live in the code)."""

    __tablename__ = "resumes_templates"
    __table_args__ = (UniqueConstraint("key", "version"),)

    key: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    html: Mapped[str] = mapped_column(Text)
    # "active" or "retired"; only the latest version of a key is used.
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


class ExportRow(UuidPk, Base):
    """A rendered export, kept in the blob store per (version, template version, format)."""

    __tablename__ = "resumes_exports"
    __table_args__ = (
        UniqueConstraint("version_id", "template", "template_version", "format"),
        Index("ix_resumes_exports_created_at", "created_at"),
    )

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resumes_versions.id", ondelete="CASCADE")
    )
    template: Mapped[str] = mapped_column(String(60))
    template_version: Mapped[int]
    format: Mapped[str] = mapped_column(String(10))
    blob_key: Mapped[str] = mapped_column(String(300))
    size: Mapped[int]
    created_at: Mapped[datetime]

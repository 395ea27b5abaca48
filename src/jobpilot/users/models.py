"""The users domain's tables. User ids come from the auth service (no foreign key across)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base, UuidPk


class Profile(Base):
    """A user's profile document (validated by `schemas.Profile` on every write)."""

    __tablename__ = "users_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UserSkill(UuidPk, Base):
    """A skill of a user: a taxonomy id, or custom text that matched nothing."""

    __tablename__ = "users_skills"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # The taxonomy id, or "custom:<normalised text>" for custom skills.
    key: Mapped[str] = mapped_column(String(140))
    skill_id: Mapped[str | None] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(20))
    years: Mapped[float | None]
    position: Mapped[int]


class QuotaUsage(Base):
    """How much of a quota a user used in one period (period_start 1970 for lifetime quotas)."""

    __tablename__ = "users_quota_usage"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quota: Mapped[str] = mapped_column(String(60), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    used: Mapped[int]


class Avatar(Base):
    """The user's current avatar: the blob keys of its sizes."""

    __tablename__ = "users_avatars"
    __table_args__ = (Index("ix_users_avatars_updated_at", "updated_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
    etags: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_at: Mapped[datetime]

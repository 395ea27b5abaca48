"""Tables of the ai domain: stored vectors and the change counters of their in-memory copies,
writing usage per user and month, and the cache of language-model answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pgvector.sqlalchemy  # noqa: F401 (teaches SQLAlchemy's reflection the `vector` type)
from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base
from jobpilot.kit.migrate import unmanaged

# The vector itself is made by migration 0007, not by this model: a float32 BLOB on SQLite and
# a pgvector `vector` on PostgreSQL (read and written by the adapters in `ai/vectors/`).
unmanaged(Base.metadata, "ai_vectors.embedding", "ix_ai_vectors_hnsw_*")


class StoredVector(Base):
    """One item's vector made by one model, and the attributes searches filter on."""

    __tablename__ = "ai_vectors"
    __table_args__ = (Index("ix_ai_vectors_item_id", "item_id"),)

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    dimension: Mapped[int] = mapped_column(Integer)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class VectorVersion(Base):
    """Bumped with every change to a kind's vectors of a model, so that a process holding them
    in memory knows when another process changed them."""

    __tablename__ = "ai_vector_versions"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class AiUsage(Base):
    """A user's writing requests and tokens in one month, per task and provider."""

    __tablename__ = "ai_usage"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    month: Mapped[datetime] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)
    # Requests answered from the cache (no model call, no tokens, no quota).
    cached: Mapped[int] = mapped_column(Integer)
    prompt_tokens: Mapped[int] = mapped_column(BigInteger)
    completion_tokens: Mapped[int] = mapped_column(BigInteger)


class AiCacheEntry(Base):
    """A language model's validated answer to one exact request of one user, reused until it
    expires (the same resume, posting and question give the same prompt and the same key)."""

    __tablename__ = "ai_cache"
    __table_args__ = (
        Index("ix_ai_cache_user_id", "user_id"),
        Index("ix_ai_cache_expires_at", "expires_at"),
    )

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID]
    task: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(120))
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

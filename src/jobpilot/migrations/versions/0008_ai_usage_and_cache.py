"""ai: writing usage per user and month, cache of language-model answers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 16:09:12
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("task", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_ai_cache")),
    )
    with op.batch_alter_table("ai_cache", schema=None) as batch_op:
        batch_op.create_index("ix_ai_cache_expires_at", ["expires_at"], unique=False)
        batch_op.create_index("ix_ai_cache_user_id", ["user_id"], unique=False)

    op.create_table(
        "ai_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("task", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("cached", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "month", "task", "provider", name=op.f("pk_ai_usage")),
    )


def downgrade() -> None:
    op.drop_table("ai_usage")
    with op.batch_alter_table("ai_cache", schema=None) as batch_op:
        batch_op.drop_index("ix_ai_cache_user_id")
        batch_op.drop_index("ix_ai_cache_expires_at")

    op.drop_table("ai_cache")

"""kit: runtime settings (overrides of static settings) and their history

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kit_runtime_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kit_runtime_settings")),
    )
    op.create_table(
        "kit_runtime_setting_history",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("old_overridden", sa.Boolean(), nullable=False),
        sa.Column("reset", sa.Boolean(), nullable=False),
        sa.Column("at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=320), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_runtime_setting_history")),
    )
    with op.batch_alter_table("kit_runtime_setting_history", schema=None) as batch_op:
        batch_op.create_index("ix_kit_runtime_setting_history_at", ["at"], unique=False)
        batch_op.create_index("ix_kit_runtime_setting_history_key", ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kit_runtime_setting_history", schema=None) as batch_op:
        batch_op.drop_index("ix_kit_runtime_setting_history_key")
        batch_op.drop_index("ix_kit_runtime_setting_history_at")

    op.drop_table("kit_runtime_setting_history")
    op.drop_table("kit_runtime_settings")

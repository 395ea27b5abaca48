"""applications: auto-apply rules (criteria, resume, daily cap, review or autopilot)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 23:36:14.892056
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auto_apply_rules",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("saved_search_id", sa.Uuid(), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=True),
        sa.Column("min_score", sa.Double(), nullable=False),
        sa.Column("companies_include", sa.JSON(), nullable=False),
        sa.Column("companies_exclude", sa.JSON(), nullable=False),
        sa.Column("resume_id", sa.Uuid(), nullable=False),
        sa.Column("tailor", sa.Boolean(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auto_apply_rules")),
    )
    with op.batch_alter_table("auto_apply_rules", schema=None) as batch_op:
        batch_op.create_index("ix_auto_apply_rules_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auto_apply_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_auto_apply_rules_user_id")

    op.drop_table("auto_apply_rules")

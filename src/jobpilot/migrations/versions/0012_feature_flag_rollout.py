"""kit: feature flags get a description, a rollout percentage, target users and tiers, and
who created them (existing flags: 100 %, no targets)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults fill the existing rows: each keeps its answer (on or off for everyone).
    with op.batch_alter_table("kit_feature_flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("description", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("rollout", sa.Integer(), nullable=False, server_default="100")
        )
        batch_op.add_column(
            sa.Column("target_users", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("target_tiers", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("created_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kit_feature_flags", schema=None) as batch_op:
        batch_op.drop_column("created_by")
        batch_op.drop_column("created_at")
        batch_op.drop_column("target_tiers")
        batch_op.drop_column("target_users")
        batch_op.drop_column("rollout")
        batch_op.drop_column("description")

"""applications: submission attempts with their evidence, rule, prepared form and hand-off
link; feature flags

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 23:30:04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_host_days",
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("host", "day", name=op.f("pk_application_host_days")),
    )
    op.create_table(
        "kit_feature_flags",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kit_feature_flags")),
    )
    op.create_table(
        "application_submissions",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("ats", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("resume_state", sa.JSON(), nullable=True),
        sa.Column("started_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_submissions_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_submissions")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_application_submissions_idempotency_key")
        ),
    )
    with op.batch_alter_table("application_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_submissions_application_id", ["application_id"], unique=False
        )
        batch_op.create_index(
            "ix_application_submissions_host_sent_at", ["host", "sent_at"], unique=False
        )

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("prepared", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("handoff_url", sa.String(length=1000), nullable=True))
        batch_op.create_index(batch_op.f("ix_applications_rule_id"), ["rule_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_rule_id"))
        batch_op.drop_column("handoff_url")
        batch_op.drop_column("prepared")
        batch_op.drop_column("rule_id")

    with op.batch_alter_table("application_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_application_submissions_host_sent_at")
        batch_op.drop_index("ix_application_submissions_application_id")

    op.drop_table("application_submissions")
    op.drop_table("kit_feature_flags")
    op.drop_table("application_host_days")

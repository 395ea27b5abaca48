"""auth, applications: indexes for the admin's figures and analytics over a period

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 08:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("ix_auth_users_created_at", "auth_users", ["created_at"]),
    ("ix_auth_sessions_last_seen_at", "auth_sessions", ["last_seen_at"]),
    ("ix_application_events_at", "application_events", ["at"]),
    ("ix_application_submissions_finished_at", "application_submissions", ["finished_at"]),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)

"""auth: the audit log says who acted (admins) and whom an event is about, both indexed

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_auth_audit_events_actor_at", ["actor_id", "at"], unique=False)
        batch_op.create_index("ix_auth_audit_events_subject_at", ["subject_id", "at"], unique=False)
    # Until now an admin's action was stored under the admin's id, named `<area>.<verb>`
    # (`task.retry`); security events are single words (`login_succeeded`). The only admin
    # actions so far were on tasks, so none is about an account.
    events = sa.table(
        "auth_audit_events",
        sa.column("user_id", sa.Uuid()),
        sa.column("actor_id", sa.Uuid()),
        sa.column("subject_id", sa.Uuid()),
        sa.column("event", sa.String()),
    )
    op.execute(events.update().where(events.c.event.like("%.%")).values(actor_id=events.c.user_id))
    op.execute(
        events.update().where(events.c.event.not_like("%.%")).values(subject_id=events.c.user_id)
    )


def downgrade() -> None:
    with op.batch_alter_table("auth_audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_audit_events_subject_at")
        batch_op.drop_index("ix_auth_audit_events_actor_at")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("actor_id")

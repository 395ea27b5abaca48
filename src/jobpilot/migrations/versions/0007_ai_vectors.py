"""ai: stored vectors (a float32 BLOB on SQLite, pgvector on PostgreSQL) and their versions

On PostgreSQL this needs the pgvector extension (`CREATE EXTENSION vector`); .ci/run and
scripts/install-pgvector.sh install it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "ai_vector_versions",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("model_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "model_id", name=op.f("pk_ai_vector_versions")),
    )
    op.create_table(
        "ai_vectors",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("model_id", sa.String(length=120), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "model_id", "item_id", name=op.f("pk_ai_vectors")),
    )
    with op.batch_alter_table("ai_vectors", schema=None) as batch_op:
        batch_op.create_index("ix_ai_vectors_item_id", ["item_id"], unique=False)
    # The vector: pgvector's type without a fixed dimension (each model's HNSW index casts to its
    # own, see ai/vectors/pgvector.py), or the float32 bytes on SQLite.
    if dialect == "postgresql":
        op.execute("ALTER TABLE ai_vectors ADD COLUMN embedding vector NOT NULL")
    else:
        op.execute("ALTER TABLE ai_vectors ADD COLUMN embedding BLOB NOT NULL DEFAULT x''")


def downgrade() -> None:
    with op.batch_alter_table("ai_vectors", schema=None) as batch_op:
        batch_op.drop_index("ix_ai_vectors_item_id")
    op.drop_table("ai_vectors")
    op.drop_table("ai_vector_versions")

"""The Alembic history of every domain's tables."""

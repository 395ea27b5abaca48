"""One Alembic history that upgrades and downgrades cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from jobpilot import registry
from jobpilot.kit import migrate
from jobpilot.kit.db import Base, Database


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": migrate.include_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_the_history_matches_the_models(migrated_url: str) -> None:
    registry.import_models()
    db = Database(migrated_url)
    try:
        assert await migrate.current(db) == migrate.packaged_head()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            assert {"kit_tasks", "kit_outbox", "jobs_postings"} <= await conn.run_sync(_tables)
    finally:
        await db.dispose()


async def test_downgrade_to_base_and_upgrade_again(migrated_url: str) -> None:
    await asyncio.to_thread(migrate.downgrade, migrated_url, "base")
    db = Database(migrated_url)
    try:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_tables) <= {"alembic_version"}
        await asyncio.to_thread(migrate.upgrade, migrated_url)
        assert await migrate.current(db) == migrate.packaged_head()
    finally:
        await db.dispose()

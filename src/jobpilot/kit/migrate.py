"""Running the Alembic history from code (`jobpilot migrate`, tests, start-up checks)."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from jobpilot.kit.db import Base, Database
from jobpilot.kit.health import Unhealthy


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the packaged history, aimed at `database_url`."""
    config = Config()
    config.set_main_option("script_location", "jobpilot:migrations")
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database back to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


def revision(database_url: str, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    # Sequential ids (0001, 0002, ...) keep the history readable in a directory listing.
    latest = packaged_head()
    rev_id = f"{int(latest) + 1:04d}" if latest and latest.isdigit() else None
    command.revision(
        alembic_config(database_url), message=message, autogenerate=True, rev_id=rev_id
    )


@cache
def packaged_head() -> str | None:
    """The newest revision of the packaged history."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


class SchemaOutOfDate(Unhealthy):
    """The database is not at the newest revision: run `jobpilot migrate`."""


async def check_current(db: Database) -> None:
    """Raise SchemaOutOfDate unless the database is at the newest revision."""
    at = await current(db)
    if at != packaged_head():
        msg = f"at revision {at or 'none'}, expected {packaged_head()}: run `jobpilot migrate`"
        raise SchemaOutOfDate(msg)


async def current(db: Database) -> str | None:
    """The revision the database is at (None when never migrated)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


def unmanaged(metadata: MetaData, *names: str) -> None:
    """Declare objects a migration makes by hand (full-text tables, generated columns), so that
    autogenerate does not try to drop them. A column is "table.column"; a name ending in "*"
    covers every name it starts (an FTS5 table's shadow tables)."""
    metadata.info.setdefault("unmanaged", set()).update(names)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's include_object hook: skip what `unmanaged` declared."""
    if not reflected or compare_to is not None or name is None:
        return True
    table = getattr(obj, "table", None)
    key = f"{table.name}.{name}" if type_ == "column" and table is not None else name
    declared: set[str] = Base.metadata.info.get("unmanaged", set())
    return not any(
        key == entry or (entry.endswith("*") and key.startswith(entry[:-1])) for entry in declared
    )

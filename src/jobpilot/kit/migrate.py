"""Running the Alembic history from code (`jobpilot migrate`, tests, start-up checks)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from jobpilot.kit.db import Database


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the packaged history, aimed at `database_url`."""
    config = Config()
    config.set_main_option("script_location", "jobpilot:migrations")
    config.set_main_option("path_separator", "os")
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
    command.revision(alembic_config(database_url), message=message, autogenerate=True)


def head(database_url: str) -> str | None:
    """The newest revision of the packaged history."""
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current(db: Database) -> str | None:
    """The revision the database is at (None when never migrated)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)

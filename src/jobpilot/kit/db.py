"""The database: one declarative base, portable column types, engines and units of work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import DateTime, MetaData, event, make_url, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from jobpilot.kit import tracing
from jobpilot.kit.errors import JobPilotError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every dialect (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are not stored; use kit.clock.utcnow()"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every table; domains name tables `<domain>_<thing>`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


class UuidPk:
    """A mixin for a random UUID primary key."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def _sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int, begin: str = "BEGIN") -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; take it over
    # (SQLAlchemy's documented recipe) so that units of work and test rollbacks behave.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def _ensure_sqlite_dir(url: str) -> None:
    path = make_url(url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _trace_statements(engine: AsyncEngine, dialect: str) -> None:
    """A client span per statement when a tracer provider is bound (see kit.tracing)."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _start(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        provider = tracing.current_provider()
        if provider is None or context is None:
            return
        operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        current = provider.get_tracer(tracing.TRACER_NAME).start_span(
            f"{operation} {dialect}",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system": dialect,
                "db.operation.name": operation,
                "db.query.text": statement[:2000],
            },
        )
        # The execution context lives exactly as long as this statement.
        context._jobpilot_span = current

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _end(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        current = getattr(context, "_jobpilot_span", None)
        if current is not None:
            current.end()

    @event.listens_for(engine.sync_engine, "handle_error")
    def _failed(exception_context: Any) -> None:
        current = getattr(exception_context.execution_context, "_jobpilot_span", None)
        if current is not None:
            current.record_exception(exception_context.original_exception)
            current.set_status(Status(StatusCode.ERROR))
            current.end()


class Database:
    """An async engine and the sessions made from it."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        busy_timeout_ms: int = 5000,
        null_pool: bool = False,
    ) -> None:
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            _ensure_sqlite_dir(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if null_pool:
            kwargs["poolclass"] = NullPool
        elif self.dialect == "postgresql":
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine = create_async_engine(url, **kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        # Sessions that will write: on SQLite they take the write lock at their first statement
        # (BEGIN IMMEDIATE). A deferred transaction that read before another connection
        # committed can no longer write and fails at once with "database is locked"; an
        # immediate one waits its turn instead. PostgreSQL needs no such thing.
        self.writer_engine = self.engine
        if self.dialect == "sqlite":
            _sqlite_pragmas(self.engine, busy_timeout_ms)
            self.writer_engine = create_async_engine(url, **kwargs)
            _sqlite_pragmas(self.writer_engine, busy_timeout_ms, begin="BEGIN IMMEDIATE")
        self.writer_sessionmaker = async_sessionmaker(self.writer_engine, expire_on_commit=False)
        for engine in {self.engine, self.writer_engine}:
            _trace_statements(engine, self.dialect)

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        """A session that commits once when the block succeeds and rolls back otherwise.

        A JobPilotError raised with `keep_changes=True` commits before it propagates. With
        `write=True` the session is a writer's (on SQLite it waits for the write lock at its
        first statement rather than failing when it reads first and writes later).
        """
        maker = self.writer_sessionmaker if write else self.sessionmaker
        async with maker() as session:
            try:
                yield session
                await session.commit()
            except JobPilotError as exc:
                if exc.keep_changes:
                    await session.commit()
                else:
                    await session.rollback()
                raise
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        """Raise if the database does not answer."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.writer_engine is not self.engine:
            await self.writer_engine.dispose()


def insert_or_ignore(
    session: AsyncSession, model: Any, index_elements: list[str], **values: Any
) -> Executable:
    """INSERT that does nothing when a row with the same `index_elements` exists."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)


def upsert(
    session: AsyncSession, model: Any, index_elements: list[str], **values: Any
) -> Executable:
    """INSERT that overwrites the other columns when a row with the same `index_elements`
    exists."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    changed = {k: v for k, v in values.items() if k not in index_elements}
    return (
        insert(model)
        .values(**values)
        .on_conflict_do_update(index_elements=index_elements, set_=changed)
    )


def is_busy_error(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's 'database is locked' (a retryable contention error)."""
    text_ = str(exc).lower()
    return "database is locked" in text_ or "database table is locked" in text_

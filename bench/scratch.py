"""Scratch databases for the benchmarks: a temporary SQLite file, a PostgreSQL database that is
created for the run and dropped after it."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    """The URL of a SQLite file that is removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"


@asynccontextmanager
async def scratch_postgres(server_url: str) -> AsyncIterator[str]:
    """The URL of a new database on the server of `server_url`, dropped afterwards."""
    name = f"jobpilot_bench_{uuid.uuid4().hex[:8]}"
    base = server_url.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0]
    admin = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

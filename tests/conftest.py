"""Shared fixtures: settings, databases on SQLite and PostgreSQL, apps and HTTP clients.

PostgreSQL and Redis tests run when `JOBPILOT_TEST_PG_URL` / `JOBPILOT_TEST_REDIS_URL` are set
(`.ci/run` sets both). Without them they skip locally, and fail under `CI=true`.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from jobpilot.kit import migrate
from jobpilot.kit.db import Database
from jobpilot.settings import Settings
from support import PG_URL_ENV, REDIS_URL_ENV, client_for, make_settings, require_env

# Where the id of each test is written as it starts (set by .ci/run): when the interpreter dies
# (a crash in a native library), CI reports which test was running.
_PROGRESS = os.environ.get("JOBPILOT_TEST_PROGRESS")


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _PROGRESS:
        Path(_PROGRESS).write_text(nodeid + "\n")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A developer's .env or JOBPILOT_* variables must not leak into tests.
    for key in list(os.environ):
        if key.startswith("JOBPILOT_") and key not in {PG_URL_ENV, REDIS_URL_ENV}:
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test-profile settings on a fresh SQLite file."""
    return make_settings(tmp_path / "var")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL server under test."""
    return require_env(PG_URL_ENV, "PostgreSQL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server under test."""
    return require_env(REDIS_URL_ENV, "Redis")


async def _create_pg_database(server_url: str) -> str:
    name = f"jobpilot_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(
        Settings(_env_file=None, database={"url": server_url}).database_url,  # type: ignore[call-arg]
        isolation_level="AUTOCOMMIT",
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    base = Settings(_env_file=None, database={"url": server_url}).database_url  # type: ignore[call-arg]
    return base.rsplit("/", 1)[0] + "/" + name


async def _drop_pg_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(
        Settings(_env_file=None, database={"url": server_url}).database_url,  # type: ignore[call-arg]
        isolation_level="AUTOCOMMIT",
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture
async def pg_database_url(pg_server_url: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url = await _create_pg_database(pg_server_url)
    try:
        yield url
    finally:
        await _drop_pg_database(pg_server_url, url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
async def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database URL, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
        return
    server = require_env(PG_URL_ENV, "PostgreSQL")
    url = await _create_pg_database(server)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await _drop_pg_database(server, url)


@pytest.fixture
async def db(migrated_url: str) -> AsyncIterator[Database]:
    """A `Database` on a migrated schema (SQLite and PostgreSQL)."""
    database = Database(migrated_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database URL."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
async def client(settings: Settings, sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the whole platform on a migrated SQLite database."""
    from jobpilot.main import create_app

    settings.database.url = sqlite_url
    app = create_app(settings)
    async for c in client_for(app):
        yield c


@pytest.fixture
async def site(settings: Settings, sqlite_url: str) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The whole platform on a migrated SQLite database, and a client that keeps cookies like a
    browser (for the web pages)."""
    from jobpilot.main import create_app

    settings.database.url = sqlite_url
    app = create_app(settings)
    async for c in client_for(app):
        yield app, c

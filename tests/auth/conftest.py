"""Fixtures for the auth service: the whole platform on a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from auth_harness import AuthHarness
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import client_for


@pytest.fixture
async def auth(settings: Settings, migrated_url: str) -> AsyncIterator[AuthHarness]:
    """The whole platform on SQLite and on PostgreSQL, with its dev mailbox."""
    settings.database.url = migrated_url
    app = create_app(settings)
    async for client in client_for(app):
        yield AuthHarness(app, client)

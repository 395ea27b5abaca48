"""Fixtures for the users service: the platform on a migrated database and a signed-in user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import SignedIn, client_for, sign_in


@pytest.fixture
async def user(settings: Settings, migrated_url: str) -> AsyncIterator[SignedIn]:
    """A signed-in user of the whole platform, on SQLite and on PostgreSQL."""
    settings.database.url = migrated_url
    app = create_app(settings)
    async for client in client_for(app):
        headers = await sign_in(client, app, "ada@example.com")
        client.headers.update(headers)
        yield SignedIn(app, client, headers)

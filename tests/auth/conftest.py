"""Fixtures for the auth service: the whole platform on a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from auth_harness import AuthHarness
from fakes.oauth_provider import FakeOAuthProvider
from jobpilot.auth import oauth
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


@pytest.fixture(scope="module")
def provider_server() -> Iterator[FakeOAuthProvider]:
    """A local GitHub / LinkedIn look-alike, one per test module."""
    with FakeOAuthProvider() as fake:
        yield fake


@pytest.fixture
def provider(provider_server: FakeOAuthProvider) -> FakeOAuthProvider:
    """The provider with no memory of earlier tests."""
    provider_server.reset()
    oauth.reset_jwks_cache()
    return provider_server

"""Fixtures of the browser tests: Chromium, and a platform served from a migrated database
that holds the admin's account. A test module overrides `admin_settings`, `seeded` or
`served_services` where it needs other settings, more data or other services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from autoapply import require_chromium
from browsing import ServedPlatform, create_admin, migrated_settings
from jobpilot.adapters.browser_playwright import CHROMIUM_ARGS
from jobpilot.settings import Settings


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium, headless, shared by every browser test."""
    executable = require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture(scope="module")
def admin_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The module's settings on a migrated SQLite file. No in-process worker: a task (a
    retried one, say) stays queued where a page can show it."""
    return migrated_settings(tmp_path_factory, request.path.stem, tasks={"embedded_worker": False})


@pytest.fixture(scope="module")
async def seeded(admin_settings: Settings) -> None:
    """What the database holds before the server starts: the admin's account."""
    await create_admin(admin_settings)


@pytest.fixture(scope="module")
def served_services() -> list[str] | None:
    """The services the platform serves: the admin's alone (None: every service)."""
    return ["admin"]


@pytest.fixture(scope="module")
def served(
    admin_settings: Settings, seeded: object, served_services: list[str] | None
) -> Iterator[ServedPlatform]:
    """The platform on `admin_settings`, once `seeded`, served on a free local port."""
    with ServedPlatform(admin_settings, services=served_services) as server:
        yield server

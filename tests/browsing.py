"""Driving the web pages in headless Chromium: a served platform, pages that collect their
console errors, screenshots at a phone's and a desktop's size (under test-artifacts/web/)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from fakes.local_server import ServedApp
from jobpilot import wiring
from jobpilot.auth.public import AuthFacade
from jobpilot.kit import migrate
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import make_settings
from web_harness import ADMIN, PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# How long a part of a page may take to change in place (htmx) before a test gives up.
SWAP_MS = 10_000


class ServedPlatform(ServedApp):
    """The platform (or only `services`), lifespan included, on a free port of 127.0.0.1."""

    thread_name = "served-platform"
    lifespan = "on"

    def __init__(self, settings: Settings, services: Sequence[str] | None = None) -> None:
        super().__init__()
        self.app = create_app(settings, services=services)


def migrated_settings(
    tmp_path_factory: pytest.TempPathFactory, name: str, **overrides: object
) -> Settings:
    """Test settings on a freshly migrated SQLite file in a new temporary folder `name`."""
    root = tmp_path_factory.mktemp(name)
    url = f"sqlite+aiosqlite:///{root / 'app.sqlite3'}"
    migrate.upgrade(url)
    return make_settings(root / "var", database={"url": url}, **overrides)


async def create_admin(settings: Settings, *members: tuple[str, str], email: str = ADMIN) -> None:
    """The admin's account (Robin Root), then `members` (email, name) as plain users, all with
    PASSWORD; made before the server starts (it owns the database after)."""
    container = wiring.build_container(settings)
    try:
        accounts = AuthFacade(container.auth)
        await accounts.create_user(email, PASSWORD, "Robin Root", admin=True)
        for member, name in members:
            await accounts.create_user(member, PASSWORD, name, admin=False)
    finally:
        await container.aclose()


async def new_page(browser: Any, viewport: dict[str, int], **options: Any) -> tuple[Any, list[str]]:
    """A page in a fresh context, and the console errors and page errors it will collect (a
    script or style refused by the content security policy shows up there)."""
    context = await browser.new_context(viewport=viewport, **options)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


async def shoot(page: Any, name: str, viewport: dict[str, int]) -> None:
    """A full-page screenshot, and no horizontal scrolling of the page at this width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}.png"), full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"


async def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Open /admin, get sent to the sign-in form, sign in and land back on /admin."""
    await page.goto(f"{base}/admin")
    assert page.url == f"{base}/login?next=/admin"
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(password)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{base}/admin"


async def open_admin_page(page: Any, base: str, name: str) -> None:
    """Follow the admin navigation to the page called `name` (its heading)."""
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Admin").get_by_role("link", name=name).click()
    assert page.url == f"{base}/admin/{name.lower()}"
    assert await page.get_by_role("heading", name=name, level=1).is_visible()


async def on_phone(browser: Any, desktop: Any, url: str) -> tuple[Any, list[str]]:
    """The desktop page's session opened at `url` in a phone-sized page."""
    phone, problems = await new_page(browser, PHONE, is_mobile=True, has_touch=True)
    await phone.context.add_cookies(await desktop.context.cookies())
    await phone.goto(url)
    return phone, problems

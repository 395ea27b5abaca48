"""The admin pages in headless Chromium: keyboard sign-in, the figures, sign-out, a refusal,
and the layout at a phone's and a desktop's size (screenshots under test-artifacts/web/)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from browsing import (
    DESKTOP,
    PHONE,
    ServedPlatform,
    create_admin,
    migrated_settings,
    new_page,
    shoot,
)
from jobpilot.settings import Settings
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e

MEMBER = "ada@example.com"


@pytest.fixture(scope="module")
def admin_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return migrated_settings(tmp_path_factory, "web-e2e")


@pytest.fixture(scope="module")
async def seeded(admin_settings: Settings) -> None:
    """An admin and a member."""
    await create_admin(admin_settings, (MEMBER, "Ada Member"))


@pytest.fixture(scope="module")
def served_services() -> None:
    """Every service."""


async def _focused(page: Any) -> str:
    return str(await page.evaluate("document.activeElement && document.activeElement.id"))


async def _sign_in_with_the_keyboard(page: Any, email: str) -> None:
    # The email field has the focus when the form opens; Tab moves on, Enter submits.
    assert await _focused(page) == "field-email"
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    assert await _focused(page) == "field-password"
    await page.keyboard.type(PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def _figure(page: Any, name: str) -> str:
    return str(await page.locator(f'[data-kpi="{name}"]').inner_text()).strip()


async def test_an_admin_signs_in_with_the_keyboard_sees_the_figures_and_signs_out(
    served: ServedPlatform, browser: Any
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, DESKTOP)
    await page.goto(f"{base}/admin")
    assert page.url == f"{base}/login?next=/admin"
    await shoot(page, "login", DESKTOP)
    await _sign_in_with_the_keyboard(page, ADMIN)
    assert page.url == f"{base}/admin"
    assert await page.get_by_role("heading", name="The platform today").is_visible()
    assert await _figure(page, "users-total") == "2"
    assert await _figure(page, "tasks-dead") == "0"
    assert await page.get_by_text("Signed in as Robin Root").is_visible()
    assert await page.evaluate("htmx.version") == "2.0.11"
    await shoot(page, "admin-home", DESKTOP)

    # Refresh swaps in the figures alone, through htmx, from the keyboard.
    await page.get_by_role("link", name="Refresh").focus()
    async with page.expect_response(
        lambda r: r.url == f"{base}/admin" and r.request.headers.get("hx-request") == "true"
    ) as refreshed:
        await page.keyboard.press("Enter")
    response = await refreshed.value
    assert response.status == 200
    assert "<html" not in await response.text()
    await page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/admin"
    assert await _figure(page, "users-total") == "2"

    # The same session on a phone.
    cookies = await page.context.cookies()
    assert {c["name"] for c in cookies} >= {"jp_access", "jp_refresh"}
    assert all(c["httpOnly"] and c["sameSite"] == "Lax" for c in cookies)
    phone, phone_problems = await new_page(browser, PHONE, is_mobile=True, has_touch=True)
    await phone.context.add_cookies(cookies)
    await phone.goto(f"{base}/admin")
    assert await phone.get_by_role("heading", name="The platform today").is_visible()
    await shoot(phone, "admin-home", PHONE)
    await phone.context.close()

    # Sign out from the keyboard: the session ends, and /admin asks to sign in again.
    await page.get_by_role("button", name="Sign out").focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url == f"{base}/login"
    assert await page.get_by_text("You are signed out.").is_visible()
    assert not {c["name"] for c in await page.context.cookies()} & {"jp_access", "jp_refresh"}
    await page.goto(f"{base}/admin")
    assert page.url == f"{base}/login?next=/admin"
    await page.context.close()
    assert problems == []
    assert phone_problems == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_a_member_is_refused_the_admin_pages(
    served: ServedPlatform, browser: Any, viewport: dict[str, int]
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, viewport)
    await page.goto(f"{base}/login")
    await shoot(page, "login", viewport)
    await _sign_in_with_the_keyboard(page, MEMBER)
    assert page.url == f"{base}/"
    assert await page.get_by_role("link", name="Admin").count() == 0
    response = await page.goto(f"{base}/admin")
    assert response is not None
    assert response.status == 403
    assert await page.get_by_role("heading", name="You cannot open this page").is_visible()
    assert await page.locator('[data-kpi="users-total"]').count() == 0
    await shoot(page, "refused", viewport)
    missing = await page.goto(f"{base}/no-such-page")
    assert missing is not None
    assert missing.status == 404
    assert await page.get_by_role("heading", name="Page not found").is_visible()
    await shoot(page, "not-found", viewport)
    await page.context.close()
    # Give the console a moment to report anything late (a blocked script or style).
    await asyncio.sleep(0.1)
    # Chromium reports the two error pages' own statuses; nothing else may fail.
    expected = {
        f"Failed to load resource: the server responded with a status of {status}"
        for status in ("403 (Forbidden)", "404 (Not Found)")
    }
    assert [p for p in problems if p not in expected] == []

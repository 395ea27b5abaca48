"""The Settings page in headless Chromium: an admin sets a maintenance banner and sees it on the
next page, lowers a tier's quota, and is told why a bad value is refused; at a phone's and a
desktop's size (screenshots under test-artifacts/web/)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from browsing import (
    DESKTOP,
    PHONE,
    SWAP_MS,
    ServedPlatform,
    new_page,
    on_phone,
    open_admin_page,
    shoot,
    sign_in,
)
from jobpilot import wiring
from jobpilot.settings import Settings
from jobpilot.users.runtime import TIERS
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e

BANNER = "Planned maintenance tonight from 22:00 to 22:15 UTC: saving may fail for a moment."


def _section(page: Any, key: str) -> Any:
    return page.locator(f'section[data-setting="{key}"]')


async def _stored_tiers(settings: Settings) -> dict[str, dict[str, int]]:
    container = wiring.build_container(settings)
    try:
        return await container.runtime.get(TIERS)
    finally:
        await container.aclose()


async def test_an_admin_sets_a_banner_lowers_a_quota_and_sees_a_bad_value_refused(
    served: ServedPlatform, admin_settings: Settings, browser: Any
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, DESKTOP)
    await sign_in(page, base, ADMIN, PASSWORD)
    assert await page.locator("#maintenance-banner").count() == 0
    await open_admin_page(page, base, "Settings")
    await shoot(page, "admin-settings", DESKTOP)

    # The banner: typed, saved in place (htmx), then shown on the next page.
    await page.evaluate("window.stayedOnThisPage = true")
    banner = _section(page, "web.maintenance_banner")
    await banner.get_by_label("Maintenance banner", exact=True).fill(BANNER)
    await banner.get_by_role("button", name="Save Maintenance banner", exact=True).click()
    await banner.get_by_text("Maintenance banner is now Planned maintenance").wait_for(
        timeout=SWAP_MS
    )
    assert await page.evaluate("window.stayedOnThisPage") is True
    assert (await banner.locator("[data-overridden]").inner_text()).strip() == "Yes"
    await open_admin_page_home(page, base)
    shown = page.get_by_role("status").filter(has_text=BANNER)
    assert await shown.is_visible()
    assert await shown.get_attribute("aria-live") == "polite"

    # A tier's quota: one cell of the table lowered.
    await open_admin_page(page, base, "Settings")
    tiers = _section(page, "users.tiers")
    cell = tiers.get_by_label("free saved_searches")
    assert await cell.input_value() == "3"
    await cell.fill("1")
    await tiers.get_by_role("button", name="Save Tier quotas").click()
    await tiers.get_by_text("Tier quotas saved: free saved_searches 3 → 1.").wait_for(
        timeout=SWAP_MS
    )
    assert await tiers.get_by_label("free saved_searches").input_value() == "1"
    assert await tiers.get_by_text("default 3").is_visible()
    assert (await _stored_tiers(admin_settings))["free"]["saved_searches"] == 1

    # A bad value: the form says why, next to the field, and nothing changes.
    refresh = _section(page, "jobs.refresh_minutes")
    field = refresh.get_by_label("Board refresh interval (minutes)", exact=True)
    await field.fill("2")
    await refresh.get_by_role("button", name="Save Board refresh interval (minutes)").click()
    error = refresh.locator("[data-error]")
    await error.wait_for(timeout=SWAP_MS)
    assert "greater than or equal to 5" in await error.inner_text()
    field = _section(page, "jobs.refresh_minutes").get_by_label(
        "Board refresh interval (minutes)", exact=True
    )
    assert await field.get_attribute("aria-invalid") == "true"
    assert "setting-jobs-refresh_minutes-error" in (
        await field.get_attribute("aria-describedby") or ""
    )
    assert (await refresh.locator("[data-current]").inner_text()).strip() == "360"
    await shoot(page, "admin-settings-invalid", DESKTOP)

    # The history names who changed the banner, from what to what.
    async with page.expect_navigation():
        await (
            _section(page, "web.maintenance_banner")
            .get_by_role("link", name="History of Maintenance banner", exact=True)
            .click()
        )
    row = page.get_by_role("table", name="Changes, newest first").locator("tbody tr")
    assert await row.count() == 1
    assert ADMIN in await row.inner_text()
    assert BANNER in await row.inner_text()

    # The same session on a phone: the banner on top, the settings without sideways scrolling.
    phone, phone_problems = await on_phone(browser, page, f"{base}/admin/settings")
    assert await phone.get_by_role("status").filter(has_text=BANNER).is_visible()
    assert (
        await _section(phone, "users.tiers").get_by_label("free saved_searches").input_value()
        == "1"
    )
    await shoot(phone, "admin-settings", PHONE)
    await phone.context.close()
    await page.context.close()
    await asyncio.sleep(0.1)
    assert problems == []
    assert phone_problems == []


async def open_admin_page_home(page: Any, base: str) -> None:
    """Follow the admin navigation to the admin home."""
    async with page.expect_navigation():
        await (
            page.get_by_role("navigation", name="Admin")
            .get_by_role("link", name="Admin home")
            .click()
        )
    assert page.url == f"{base}/admin"

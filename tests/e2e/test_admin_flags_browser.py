"""The Flags page in headless Chromium: an admin creates a flag, rolls it out to half the
users, and switches the auto-apply kill switch in one click; a user's own client sees
auto-apply paused and running again through the API, with no restart. At a phone's and a
desktop's size (screenshots under test-artifacts/web/)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from browsing import (
    DESKTOP,
    PHONE,
    SWAP_MS,
    ServedPlatform,
    create_admin,
    new_page,
    on_phone,
    open_admin_page,
    shoot,
    sign_in,
)
from jobpilot.settings import Settings
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e

MEMBER = "ada@example.com"
KILL = "auto_apply.paused"


@pytest.fixture(scope="module")
async def seeded(admin_settings: Settings) -> None:
    """The admin's account and a member's."""
    await create_admin(admin_settings, (MEMBER, "Ada"))


@pytest.fixture(scope="module")
def served_services() -> None:
    """Every service: the member's client uses the API."""


def _row(page: Any, name: str) -> Any:
    return page.locator(f'tr[data-flag="{name}"]')


async def _member_status(base: str) -> dict[str, Any]:
    """The auto-apply status as the member's own client reads it, with its bearer token."""
    async with httpx.AsyncClient(base_url=base, trust_env=False) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"email": MEMBER, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        status = await client.get("/api/v1/auto-apply/status", headers=headers)
        assert status.status_code == 200, status.text
        body: dict[str, Any] = status.json()
        flags = await client.get("/api/v1/users/me/flags", headers=headers)
        body["flags"] = flags.json()
        return body


async def test_an_admin_rolls_out_a_flag_and_pauses_auto_apply(
    served: ServedPlatform, browser: Any
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, DESKTOP)
    await sign_in(page, base, ADMIN, PASSWORD)
    await open_admin_page(page, base, "Flags")
    table = page.get_by_role("table", name="Feature flags")
    assert await table.is_visible()
    kill = _row(page, KILL)
    assert "Auto-apply kill switch" in await kill.inner_text()
    assert "Never set" in await kill.inner_text()

    # Create a flag through the form: back on the list, off, at 100 %.
    await page.get_by_label("Name", exact=True).fill("ui.new_board")
    await page.get_by_label("Description").fill("The new application board")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Create flag").click()
    assert page.url == f"{base}/admin/flags"
    assert await page.get_by_text("Flag ui.new_board is created.").is_visible()
    assert "100%" in await _row(page, "ui.new_board").inner_text()

    # Roll it out to half the users on its own page.
    async with page.expect_navigation():
        await page.get_by_role("link", name="Edit ui.new_board").click()
    assert await page.get_by_role("heading", name="Flag ui.new_board", level=1).is_visible()
    await page.get_by_label("Rollout (%)").fill("50")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Save").click()
    assert page.url == f"{base}/admin/flags"
    assert "50%" in await _row(page, "ui.new_board").inner_text()

    # The member's client: auto-apply runs, the new flag is off for everyone (it is disabled).
    before = await _member_status(base)
    assert (before["paused"], before["reason"]) == (False, None)
    assert before["flags"] == {"ui.new_board": False}

    # One click on the kill switch swaps its row in place; the API says paused at once.
    await page.evaluate("window.stayedOnThisPage = true")
    await page.get_by_role("button", name=f"Turn on {KILL}").click()
    await kill.get_by_text("On: auto-apply paused").wait_for(timeout=SWAP_MS)
    assert await kill.get_by_role("button", name=f"Turn off {KILL}").is_visible()
    assert "by root@example.com" in await kill.inner_text()
    paused = await _member_status(base)
    assert (paused["paused"], paused["reason"]) == (True, "paused by an operator")
    assert paused["flags"][KILL] is True
    await shoot(page, "admin-flags", DESKTOP)

    # The same session on a phone, with the switch on: the table scrolls inside its frame.
    phone, phone_problems = await on_phone(browser, page, f"{base}/admin/flags")
    assert "On: auto-apply paused" in await _row(phone, KILL).inner_text()
    await shoot(phone, "admin-flags", PHONE)
    await phone.goto(f"{base}/admin/flags/ui.new_board")
    assert await phone.get_by_label("Rollout (%)").input_value() == "50"
    await shoot(phone, "admin-flag-edit", PHONE)

    # Off again: auto-apply resumes, still without any restart.
    await page.get_by_role("button", name=f"Turn off {KILL}").click()
    await kill.get_by_role("button", name=f"Turn on {KILL}").wait_for(timeout=SWAP_MS)
    resumed = await _member_status(base)
    assert resumed["paused"] is False
    assert await page.evaluate("window.stayedOnThisPage") is True

    await phone.context.close()
    await page.context.close()
    await asyncio.sleep(0.1)
    assert problems == []
    assert phone_problems == []

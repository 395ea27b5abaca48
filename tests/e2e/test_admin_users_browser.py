"""The Users pages in headless Chromium: an admin searches for a user as they type, opens them,
changes their tier and sees it applied, suspends them (confirming) and reactivates them; at a
phone's and a desktop's size (screenshots under test-artifacts/web/)."""

from __future__ import annotations

import asyncio
from typing import Any

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
from jobpilot import wiring
from jobpilot.auth.public import AuthFacade
from jobpilot.settings import Settings
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def ada_id(admin_settings: Settings) -> str:
    """A few members, then the admin's account; Ada's id."""
    container = wiring.build_container(admin_settings)
    try:
        accounts = AuthFacade(container.auth)
        found = None
        for email, name in [
            ("grace.hopper@example.com", "Grace Hopper"),
            ("ada.lovelace@example.com", "Ada Lovelace"),
            ("alan.turing@example.com", "Alan Turing"),
            ("a-very-long-address-of-someone@subdomain.example.com", "Someone With A Long Name"),
        ]:
            created = await accounts.create_user(email, PASSWORD, name, admin=False)
            if email.startswith("ada"):
                found = created.id
    finally:
        await container.aclose()
    await create_admin(admin_settings)
    assert found is not None
    return str(found)


@pytest.fixture(scope="module")
def seeded(ada_id: str) -> None:
    """The members and the admin, made before the server starts."""


def _rows(page: Any) -> Any:
    return page.get_by_role("table", name="Accounts, newest first").locator("tbody tr")


async def test_an_admin_finds_a_user_changes_the_tier_and_suspends_them(
    served: ServedPlatform, ada_id: str, browser: Any
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, DESKTOP)
    await sign_in(page, base, ADMIN, PASSWORD)
    await open_admin_page(page, base, "Users")
    assert await _rows(page).count() == 5
    assert "5 accounts" in await page.locator("[data-total]").inner_text()
    await shoot(page, "admin-users", DESKTOP)

    # Typing narrows the table in place, and the address follows (shareable).
    await page.evaluate("window.stayedOnThisPage = true")
    await page.get_by_label("Email or name").fill("LOVELACE")
    await page.locator("[data-total]", has_text="1 account").wait_for(timeout=SWAP_MS)
    assert await _rows(page).count() == 1
    await page.wait_for_url(f"{base}/admin/users?q=LOVELACE", timeout=SWAP_MS)
    assert await page.evaluate("window.stayedOnThisPage") is True
    # A filter that matches nobody says so.
    await page.get_by_label("Two-factor").select_option("on")
    await page.get_by_text("No account matches.").wait_for(timeout=SWAP_MS)
    await page.get_by_label("Two-factor").select_option("")
    await page.locator("[data-total]", has_text="1 account").wait_for(timeout=SWAP_MS)

    # The phone sees the same list without scrolling sideways.
    phone, phone_problems = await on_phone(browser, page, f"{base}/admin/users")
    assert await _rows(phone).count() == 5
    await shoot(phone, "admin-users", PHONE)

    async with page.expect_navigation():
        await page.get_by_role("link", name="ada.lovelace@example.com").click()
    assert page.url == f"{base}/admin/users/{ada_id}"
    assert await page.get_by_role("heading", name="Ada Lovelace", level=1).is_visible()
    assert (await page.locator("[data-tier]").inner_text()).strip() == "free"
    await page.evaluate("window.stayedOnThisPage = true")

    questions: list[str] = []

    answers: list[asyncio.Future[None]] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        answers.append(asyncio.ensure_future(dialog.accept()))

    page.on("dialog", accept)
    await page.get_by_label("Tier", exact=True).select_option("pro")
    await page.get_by_role("button", name="Change tier").click()
    await page.get_by_text("is now on the pro tier (was free).").wait_for(timeout=SWAP_MS)
    assert (await page.locator("[data-tier]").inner_text()).strip() == "pro"
    assert await page.locator('tr[data-event="user.tier_change"]').count() == 1

    await page.get_by_role("button", name="Suspend").click()
    await page.get_by_text("is suspended: sign-in is refused").wait_for(timeout=SWAP_MS)
    assert "Suspended" in await page.locator("[data-status]").inner_text()
    assert await page.get_by_role("button", name="Suspend").count() == 0
    await shoot(page, "admin-user", DESKTOP)

    await page.get_by_role("button", name="Reactivate").click()
    await page.get_by_text("is active again and can sign in.").wait_for(timeout=SWAP_MS)
    assert (await page.locator("[data-status]").inner_text()).strip() == "Active"
    assert len(questions) == 3
    assert "Suspend ada.lovelace@example.com?" in questions[1]
    assert await page.evaluate("window.stayedOnThisPage") is True

    await phone.goto(f"{base}/admin/users/{ada_id}")
    assert (await phone.locator("[data-tier]").inner_text()).strip() == "pro"
    assert await phone.locator('tr[data-event="user.suspend"]').count() == 1
    await shoot(phone, "admin-user", PHONE)

    # The audit view lists the three actions, newest first.
    await open_admin_page(page, base, "Audit")
    events = await page.locator("tbody tr[data-event]").evaluate_all(
        "rows => rows.map(r => r.dataset.event)"
    )
    assert events == ["user.reactivate", "user.suspend", "user.tier_change"]
    await shoot(page, "admin-audit", DESKTOP)
    await phone.goto(f"{base}/admin/audit")
    await shoot(phone, "admin-audit", PHONE)

    await phone.context.close()
    await page.context.close()
    await asyncio.sleep(0.1)
    assert problems == []
    assert phone_problems == []

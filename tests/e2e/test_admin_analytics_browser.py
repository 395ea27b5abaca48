"""The Analytics page in headless Chromium: an admin opens it from the navigation, sees the
charts drawn (no script, nothing refused by the CSP), switches the period in place, and reads
it on a phone without sideways scrolling (screenshots under test-artifacts/web/)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

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
from jobpilot.applications.models import Application, ApplicationEvent, Submission
from jobpilot.auth.models import User
from jobpilot.auth.public import AuthFacade
from jobpilot.kit.clock import utcnow
from jobpilot.settings import Settings
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e

# Statuses an application goes through, auto-applied and then answered.
PATH = ("queued", "submitting", "submitted", "interviewing")


@pytest.fixture(scope="module")
async def seeded(admin_settings: Settings) -> None:
    """The admin, a sign-up on each of the last 20 days, and an auto-applied application on
    each of the last 12 (sent to greenhouse or lever, at rising match scores)."""
    await create_admin(admin_settings)
    container = wiring.build_container(admin_settings)
    try:
        accounts = AuthFacade(container.auth)
        now = utcnow()
        for n in range(20):
            email = f"user{n}@example.com"
            await accounts.create_user(email, PASSWORD, f"User {n}", admin=False)
            async with container.db.unit_of_work(write=True) as session:
                await session.execute(
                    update(User)
                    .where(User.email == email)
                    .values(created_at=now - timedelta(days=n % 20, hours=1))
                )
        for n in range(12):
            when = now - timedelta(days=n, hours=2)
            async with container.db.unit_of_work(write=True) as session:
                row = Application(
                    id=uuid.uuid4(),
                    user_id=uuid.uuid4(),
                    job_id=None,
                    posting_key=f"manual:{uuid.uuid4()}",
                    source="auto_apply",
                    company="Acme",
                    title="Engineer",
                    url=None,
                    status=PATH[n % 4],
                    created_at=when,
                    updated_at=when,
                )
                session.add(row)
                await session.flush()
                for step, status in enumerate(PATH[: n % 4 + 1]):
                    session.add(
                        ApplicationEvent(
                            application_id=row.id,
                            at=when + timedelta(minutes=step),
                            kind="created" if step == 0 else "status_changed",
                            actor="system",
                            to_status=status,
                            detail={"score": 0.4 + n * 0.05} if step == 0 else {},
                        )
                    )
                ats = "greenhouse" if n % 3 else "lever"
                session.add(
                    Submission(
                        application_id=row.id,
                        ats=ats,
                        host=f"{ats}.example.com",
                        channel="browser",
                        status="submitted" if n % 4 >= 2 else "failed",
                        evidence={},
                        started_at=when,
                        finished_at=when + timedelta(minutes=1),
                    )
                )
    finally:
        await container.aclose()


async def _charts_drawn(page: Any, points: int) -> None:
    for name in (
        "Sign-ups per day",
        "Applications per status per day",
        "Submission success per ATS",
        "Match scores of auto-applied applications",
    ):
        chart = page.get_by_role("img", name=f"{name}, last {points} days")
        assert await chart.is_visible(), name
        box = await chart.bounding_box()
        assert box is not None
        assert box["height"] > 50
    circles = page.locator("#chart-signups circle")
    assert await circles.count() == points


async def test_an_admin_reads_the_charts_and_switches_the_period(
    served: ServedPlatform, browser: Any
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, DESKTOP)
    await sign_in(page, base, ADMIN, PASSWORD)
    await open_admin_page(page, base, "Analytics")
    assert page.url == f"{base}/admin/analytics"
    await _charts_drawn(page, 30)
    period = page.get_by_role("navigation", name="Period")
    assert await period.get_by_role("link", name="30 days").get_attribute("aria-current") == "true"
    # The ATS chart writes its figures; its data table opens on demand.
    ats = page.locator("#chart-ats")
    assert "greenhouse" in await ats.inner_text()
    table = ats.get_by_role("table")
    assert not await table.is_visible()
    await ats.get_by_text("Data table").click()
    assert await table.is_visible()
    # Two sign-ups a day (one of them on the admin's day): the line is drawn in the SVG.
    assert await page.locator("#chart-signups polyline").count() == 1
    await shoot(page, "admin-analytics", DESKTOP)

    # Another period swaps the charts in place and the address follows.
    await page.evaluate("window.stayedOnThisPage = true")
    await period.get_by_role("link", name="7 days").click()
    await page.wait_for_url(f"{base}/admin/analytics?days=7", timeout=SWAP_MS)
    await page.locator("#chart-signups circle").nth(6).wait_for(timeout=SWAP_MS)
    await _charts_drawn(page, 7)
    assert await page.evaluate("window.stayedOnThisPage") is True
    assert await period.get_by_role("link", name="7 days").get_attribute("aria-current") == "true"

    # On a phone: one column, the charts fill the width and the page never scrolls sideways.
    phone, phone_problems = await on_phone(browser, page, f"{base}/admin/analytics?days=90")
    await _charts_drawn(phone, 90)
    box = await phone.get_by_role("img", name="Sign-ups per day, last 90 days").bounding_box()
    assert box is not None
    assert 300 <= box["width"] <= PHONE["width"]
    # The ticks read at about 10 px or more.
    tick = await phone.locator("#chart-signups .chart-tick").first.bounding_box()
    assert tick is not None
    assert tick["height"] >= 9
    await shoot(phone, "admin-analytics", PHONE)
    await phone.context.close()
    await page.context.close()
    await asyncio.sleep(0.1)
    assert problems == []
    assert phone_problems == []

"""The Services page in headless Chromium: every service's row, and a service's status changing
on screen, by htmx polling, without a reload; at a phone's and a desktop's size (screenshots
under test-artifacts/web/)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from browsing import (
    DESKTOP,
    PHONE,
    ServedPlatform,
    migrated_settings,
    new_page,
    on_phone,
    open_admin_page,
    shoot,
    sign_in,
)
from fakes.monitored_service import MonitoredService
from jobpilot.gateway.routes import load_routes
from jobpilot.settings import Settings
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e

# The admin, last in the table, is the process answering the page.
ROUTED = [route.name for route in load_routes().services if route.name != "admin"]
# How long a change may take to show: the page polls every second.
CHANGE_MS = 10_000


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, MonitoredService]]:
    """jobs in a process of its own (its health flips); every other service in another."""
    steady, jobs = MonitoredService(), MonitoredService()
    with steady, jobs:
        steady.serve("users", count=40, seconds=0.02)
        jobs.serve("jobs", count=20, seconds=0.05)
        yield {"steady": steady, "jobs": jobs}


@pytest.fixture(scope="module")
def admin_settings(
    tmp_path_factory: pytest.TempPathFactory, upstreams: dict[str, MonitoredService]
) -> Settings:
    where = dict.fromkeys(ROUTED, upstreams["steady"].base_url)
    where["jobs"] = upstreams["jobs"].base_url
    return migrated_settings(
        tmp_path_factory,
        "services-e2e",
        gateway={"upstreams": where},
        admin={"refresh_seconds": 1},
    )


def _status(page: Any, service: str) -> Any:
    return page.locator(f'tr[data-service="{service}"] .status')


async def test_an_admin_watches_a_service_change_status_without_reloading(
    served: ServedPlatform, upstreams: dict[str, MonitoredService], browser: Any
) -> None:
    base = served.base_url
    page, problems = await new_page(browser, DESKTOP)
    await sign_in(page, base, ADMIN, PASSWORD)

    # From the admin navigation to the Services page.
    await open_admin_page(page, base, "Services")
    table = page.get_by_role("table", name="Health of every service")
    assert await table.is_visible()
    names = [n.strip() for n in await table.locator("tbody th[scope=row]").all_inner_texts()]
    assert [n.split("\n")[0] for n in names] == [*ROUTED, "admin"]
    assert (await _status(page, "jobs").inner_text()).strip().endswith("Healthy")
    assert (await _status(page, "admin").inner_text()).strip().endswith("Healthy")
    assert "this process" in await page.locator('tr[data-service="admin"] th').inner_text()
    await shoot(page, "admin-services", DESKTOP)

    # jobs loses its database: the row says so at the next poll, on the same page.
    await page.evaluate("window.stayedOnThisPage = true")
    upstreams["jobs"].database_ok = False
    await _status(page, "jobs").filter(has_text="Degraded").wait_for(timeout=CHANGE_MS)
    row = page.locator('tr[data-service="jobs"]')
    assert await row.get_by_text("database: connection refused").is_visible()
    assert await page.evaluate("window.stayedOnThisPage") is True
    assert "1 degraded" in await page.locator("[data-summary]").inner_text()
    await shoot(page, "admin-services-degraded", DESKTOP)

    # The same session on a phone: the table scrolls inside its frame, not the page.
    phone, phone_problems = await on_phone(browser, page, f"{base}/admin/services")
    assert await phone.locator("tbody tr").count() == len(ROUTED) + 1
    assert (await _status(phone, "jobs").inner_text()).strip().endswith("Degraded")
    frame = phone.locator(".table-wrap")
    assert await frame.evaluate("e => e.scrollWidth > e.clientWidth")
    await shoot(phone, "admin-services", PHONE)
    upstreams["jobs"].database_ok = True
    await _status(phone, "jobs").filter(has_text="Healthy").wait_for(timeout=CHANGE_MS)
    await phone.context.close()
    await page.context.close()
    # Give the console a moment to report anything late (a blocked script or style).
    await asyncio.sleep(0.1)
    assert problems == []
    assert phone_problems == []

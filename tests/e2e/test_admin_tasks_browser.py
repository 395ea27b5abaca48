"""The Tasks page in headless Chromium: an admin retries one dead letter and discards another
(confirming), and sees the tables change in place; at a phone's and a desktop's size
(screenshots under test-artifacts/web/)."""

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
from jobpilot.kit.tasks import TaskContext, TaskRegistry, Worker, WorkerConfig, dead_tasks, enqueue
from jobpilot.settings import Settings
from web_harness import ADMIN, PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def dead(admin_settings: Settings) -> list[dict[str, str]]:
    """The admin's account, and three dead letters made by the real worker (newest first)."""
    await create_admin(admin_settings)
    container = wiring.build_container(admin_settings)
    try:
        registry = TaskRegistry()

        @registry.task("notifications.send_mail")
        async def fail(ctx: TaskContext, n: int) -> None:
            raise ConnectionRefusedError(f"smtp.example.com:25 refused message {n}")

        config = WorkerConfig(poll_interval_seconds=0.05, max_attempts=1, depth_refresh_seconds=0)
        for n in range(3):
            async with container.db.unit_of_work(write=True) as session:
                await enqueue(session, "notifications.send_mail", n=n)
            await Worker(container.db, registry, config).drain(max_seconds=20)
        return await dead_tasks(container.db)
    finally:
        await container.aclose()


@pytest.fixture(scope="module")
def seeded(dead: list[dict[str, str]]) -> None:
    """The dead letters, made before the server starts."""


def _row(page: Any, task_id: str) -> Any:
    return page.locator(f'tr[data-dead-id="{task_id}"]')


def _depth(page: Any, column: str) -> Any:
    return page.locator(f'tr[data-task="notifications.send_mail"] [data-{column}]')


async def test_an_admin_retries_one_dead_letter_and_discards_another(
    served: ServedPlatform, dead: list[dict[str, str]], browser: Any
) -> None:
    base = served.base_url
    newest, middle, oldest = (row["id"] for row in dead)
    page, problems = await new_page(browser, DESKTOP)
    await sign_in(page, base, ADMIN, PASSWORD)
    await open_admin_page(page, base, "Tasks")
    assert await page.get_by_role("table", name="Queue depth per task").is_visible()
    dead_table = page.get_by_role("table", name="Dead letters, newest first")
    assert await dead_table.locator("tbody tr").count() == 3
    assert (await _depth(page, "dead").inner_text()).strip() == "3"
    assert "refused message 2" in await _row(page, newest).inner_text()
    await shoot(page, "admin-tasks", DESKTOP)

    # Retry swaps the tables in place: no navigation, the row leaves, the task is ready.
    await page.evaluate("window.stayedOnThisPage = true")
    await _row(page, newest).get_by_role("button", name="Retry").click()
    await page.get_by_text("is queued again.").wait_for(timeout=SWAP_MS)
    assert await _row(page, newest).count() == 0
    assert (await _depth(page, "ready").inner_text()).strip() == "1"
    assert (await _depth(page, "dead").inner_text()).strip() == "2"

    # Discard asks first; dismissing keeps the task, accepting removes it.
    questions: list[str] = []

    async def answer(dialog: Any, accept: bool) -> None:
        questions.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda d: asyncio.ensure_future(answer(d, False)))
    await _row(page, oldest).get_by_role("button", name="Discard for good").click()
    await asyncio.sleep(0.3)
    assert await _row(page, oldest).count() == 1
    page.once("dialog", lambda d: asyncio.ensure_future(answer(d, True)))
    await _row(page, oldest).get_by_role("button", name="Discard for good").click()
    await page.get_by_text("is discarded: it will never run.").wait_for(timeout=SWAP_MS)
    assert await _row(page, oldest).count() == 0
    assert len(questions) == 2
    assert f"({oldest})? It will never run." in questions[0]
    assert await dead_table.locator("tbody tr").count() == 1
    assert (await _depth(page, "dead").inner_text()).strip() == "1"
    assert await page.evaluate("window.stayedOnThisPage") is True
    await shoot(page, "admin-tasks-after", DESKTOP)

    # The same session on a phone: the last dead letter, the tables scroll inside their frame.
    phone, phone_problems = await on_phone(browser, page, f"{base}/admin/tasks")
    assert await _row(phone, middle).count() == 1
    assert await _row(phone, oldest).count() == 0
    assert await _row(phone, newest).count() == 0
    await shoot(phone, "admin-tasks", PHONE)
    await phone.context.close()
    await page.context.close()
    await asyncio.sleep(0.1)
    assert problems == []
    assert phone_problems == []

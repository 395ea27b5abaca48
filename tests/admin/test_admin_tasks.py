"""The Tasks page (`/admin/tasks`) and `/api/admin/tasks`: queue depth per task name, dead
letters made by the real worker, Retry and Discard, each audited under the admin's id."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from jobpilot.kit.tasks import (
    Task,
    TaskContext,
    TaskRegistry,
    TaskStatus,
    Worker,
    WorkerConfig,
    enqueue,
)
from support import assert_error, sign_in
from web_harness import (
    Site,
    audit,
    csrf_of,
    user_id,
    web_sign_in_admin,
    web_sign_in_member,
)

API = "/api/admin/tasks"
PAGE = "/admin/tasks"
ONE_TRY = WorkerConfig(poll_interval_seconds=0.05, max_attempts=1, depth_refresh_seconds=0)


async def make_dead(app: Any, name: str, count: int = 1) -> list[uuid.UUID]:
    """`count` tasks `name` that the real worker ran once and dead-lettered, oldest first."""
    db = app.state.container.db
    registry = TaskRegistry()

    @registry.task(name)
    async def fail(ctx: TaskContext, n: int) -> None:
        raise TimeoutError(f"mail server did not answer (try {n})")

    ids = []
    for n in range(count):
        async with db.unit_of_work(write=True) as session:
            await enqueue(session, name, n=n, idempotency_key=f"{name}:{n}")
        await Worker(db, registry, ONE_TRY).drain(max_seconds=20)
        async with db.sessionmaker() as session:
            found = await session.scalar(
                select(Task.id).where(Task.idempotency_key == f"{name}:{n}")
            )
        assert found is not None
        ids.append(found)
    return ids


async def task_status(app: Any, task_id: uuid.UUID) -> str | None:
    async with app.state.container.db.sessionmaker() as session:
        return await session.scalar(select(Task.status).where(Task.id == task_id))


async def queued(app: Any, name: str, *, later: bool = False) -> None:
    async with app.state.container.db.unit_of_work(write=True) as session:
        await enqueue(session, name, delay=timedelta(hours=1) if later else None)


# --- JSON API ---------------------------------------------------------------------------


async def test_the_api_lists_depth_per_task_and_the_dead_letters(site: Site) -> None:
    app, client = site
    mail = await make_dead(app, "notifications.send_mail", count=2)
    await queued(app, "notifications.send_mail")
    await queued(app, "jobs.refresh_boards")
    await queued(app, "jobs.refresh_boards", later=True)
    headers = await sign_in(client, app, "root@example.com", admin=True)

    response = await client.get(API, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    depth = {row["name"]: row for row in body["depth"]}
    assert depth["jobs.refresh_boards"] == {
        "name": "jobs.refresh_boards",
        "ready": 1,
        "scheduled": 1,
        "running": 0,
        "dead": 0,
    }
    assert depth["notifications.send_mail"]["ready"] == 1
    assert depth["notifications.send_mail"]["dead"] == 2
    assert body["dead_total"] == 2
    # Newest first, each with the exception that killed it.
    assert [row["id"] for row in body["dead"]] == [str(mail[1]), str(mail[0])]
    newest = body["dead"][0]
    assert newest["name"] == "notifications.send_mail"
    assert newest["attempts"] == 1
    assert newest["error"] == "TimeoutError: mail server did not answer (try 1)"
    assert newest["finished_at"]


async def test_the_api_is_for_admins_only(site: Site) -> None:
    app, client = site
    [dead] = await make_dead(app, "notifications.send_mail")
    assert_error(await client.get(API), 401, "invalid_token")
    assert_error(await client.post(f"{API}/{dead}/retry"), 401, "invalid_token")
    member = await sign_in(client, app, "ada@example.com")
    assert_error(await client.get(API, headers=member), 403, "forbidden")
    assert_error(await client.post(f"{API}/{dead}/retry", headers=member), 403, "forbidden")
    assert_error(await client.delete(f"{API}/{dead}", headers=member), 403, "forbidden")
    assert await task_status(app, dead) == TaskStatus.DEAD
    assert await audit(app, "task.retry") == []
    assert await audit(app, "task.discard") == []


async def test_retry_through_the_api_requeues_and_is_audited(site: Site) -> None:
    app, client = site
    [dead] = await make_dead(app, "notifications.send_mail")
    headers = await sign_in(client, app, "root@example.com", admin=True)
    headers["User-Agent"] = "ops-script/1.0"

    response = await client.post(f"{API}/{dead}/retry", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "retried"
    assert response.json()["task"]["id"] == str(dead)
    assert await task_status(app, dead) == TaskStatus.QUEUED

    [event] = await audit(app, "task.retry")
    assert event.user_id == await user_id(app, "root@example.com")
    assert event.user_agent == "ops-script/1.0"
    assert event.details["target"] == {
        "type": "task",
        "id": str(dead),
        "name": "notifications.send_mail",
    }
    assert event.details["error"] == "TimeoutError: mail server did not answer (try 0)"
    # Queued, no longer dead: a second retry is a 404 and is not audited.
    assert_error(
        await client.post(f"{API}/{dead}/retry", headers=headers), 404, "dead_task_not_found"
    )
    assert len(await audit(app, "task.retry")) == 1


async def test_discard_through_the_api_removes_and_is_audited(site: Site) -> None:
    app, client = site
    [dead] = await make_dead(app, "notifications.send_mail")
    await queued(app, "jobs.refresh_boards")
    headers = await sign_in(client, app, "root@example.com", admin=True)
    async with app.state.container.db.sessionmaker() as session:
        ready = await session.scalar(select(Task.id).where(Task.name == "jobs.refresh_boards"))
    assert ready is not None

    # Only dead tasks can be discarded: a queued one or an unknown id is a 404.
    assert_error(await client.delete(f"{API}/{ready}", headers=headers), 404, "dead_task_not_found")
    assert_error(
        await client.delete(f"{API}/{uuid.uuid4()}", headers=headers), 404, "dead_task_not_found"
    )
    assert await task_status(app, ready) == TaskStatus.QUEUED
    assert await audit(app, "task.discard") == []

    response = await client.delete(f"{API}/{dead}", headers=headers)
    assert response.status_code == 204, response.text
    assert await task_status(app, dead) is None
    [event] = await audit(app, "task.discard")
    assert event.user_id == await user_id(app, "root@example.com")
    assert event.details["target"]["id"] == str(dead)
    assert event.details["target"]["name"] == "notifications.send_mail"
    body = (await client.get(API, headers=headers)).json()
    assert body["dead"] == []
    assert body["dead_total"] == 0
    # The admin's own audit trail shows it.
    trail = (await client.get("/api/v1/auth/audit", headers=headers)).json()
    assert "task.discard" in [row["event"] for row in trail]


# --- The page ---------------------------------------------------------------------------


def dead_rows(page: httpx.Response) -> list[str]:
    return re.findall(r'data-dead-id="([^"]+)"', page.text)


def depth_cell(page: httpx.Response, name: str, column: str) -> str:
    row = re.search(rf'<tr data-task="{re.escape(name)}">(.*?)</tr>', page.text, re.S)
    assert row, name
    cell = re.search(rf"data-{column}>([^<]*)<", row.group(1))
    assert cell, column
    return cell.group(1).strip()


async def test_the_page_shows_depth_and_dead_letters(site: Site) -> None:
    app, client = site
    mail = await make_dead(app, "notifications.send_mail", count=2)
    await queued(app, "jobs.refresh_boards")
    await queued(app, "jobs.refresh_boards", later=True)
    await web_sign_in_admin(app, client)

    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    assert "<h1>Tasks</h1>" in page.text
    assert '<a href="/admin/tasks" aria-current="page">Tasks</a>' in page.text
    assert depth_cell(page, "jobs.refresh_boards", "ready") == "1"
    assert depth_cell(page, "jobs.refresh_boards", "scheduled") == "1"
    assert depth_cell(page, "notifications.send_mail", "dead") == "2"
    assert dead_rows(page) == [str(mail[1]), str(mail[0])]
    assert "TimeoutError: mail server did not answer (try 1)" in page.text
    # Per row, a Retry and a Discard form with the CSRF token, posting over htmx too.
    for task_id in mail:
        assert f'action="/admin/tasks/{task_id}/retry"' in page.text
        assert f'hx-post="/admin/tasks/{task_id}/discard"' in page.text
    assert page.text.count('name="csrf_token"') >= 5  # sign-out and four task forms
    assert "hx-confirm=" in page.text
    assert "Discard for good" in page.text


async def test_an_empty_queue_says_so(site: Site) -> None:
    app, client = site
    await web_sign_in_admin(app, client)
    page = await client.get(PAGE)
    assert "The queue is empty" in page.text
    assert "No dead letters" in page.text


async def test_retry_and_discard_through_the_forms(site: Site) -> None:
    app, client = site
    first, second = await make_dead(app, "notifications.send_mail", count=2)
    await web_sign_in_admin(app, client)
    token = csrf_of(await client.get(PAGE))

    retried = await client.post(f"{PAGE}/{first}/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    assert retried.headers["location"] == PAGE
    page = await client.get(PAGE)
    assert f"Task notifications.send_mail ({first}) is queued again." in html.unescape(page.text)
    assert dead_rows(page) == [str(second)]
    assert depth_cell(page, "notifications.send_mail", "ready") == "1"
    assert await task_status(app, first) == TaskStatus.QUEUED

    discarded = await client.post(f"{PAGE}/{second}/discard", data={"csrf_token": token})
    assert discarded.status_code == 303
    page = await client.get(PAGE)
    assert "is discarded: it will never run." in page.text
    assert dead_rows(page) == []
    assert await task_status(app, second) is None

    root = await user_id(app, "root@example.com")
    [retry_event] = await audit(app, "task.retry")
    [discard_event] = await audit(app, "task.discard")
    assert retry_event.user_id == root == discard_event.user_id
    assert retry_event.details["target"]["id"] == str(first)
    assert discard_event.details["target"]["id"] == str(second)

    # Already retried (queued) or gone: an error message, nothing changed, nothing audited.
    for path in (f"{PAGE}/{first}/discard", f"{PAGE}/{second}/retry"):
        again = await client.post(path, data={"csrf_token": token})
        assert again.status_code == 303
        page = await client.get(PAGE)
        assert "was not found or is not dead" in page.text
        assert "flash--error" in page.text
    assert await task_status(app, first) == TaskStatus.QUEUED
    assert len(await audit(app, "task.retry")) == 1
    assert len(await audit(app, "task.discard")) == 1


async def test_htmx_gets_the_tables_with_the_message(site: Site) -> None:
    app, client = site
    first, second = await make_dead(app, "notifications.send_mail", count=2)
    await web_sign_in_admin(app, client)
    token = csrf_of(await client.get(PAGE))
    hx = {"HX-Request": "true", "X-CSRF-Token": token}

    fragment = await client.post(f"{PAGE}/{first}/retry", headers=hx)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="tasks"')
    assert "<html" not in fragment.text
    assert "is queued again." in fragment.text
    assert "flash--success" in fragment.text
    assert dead_rows(fragment) == [str(second)]

    missing = await client.post(f"{PAGE}/{uuid.uuid4()}/discard", headers=hx)
    assert missing.status_code == 200
    assert "was not found or is not dead" in missing.text
    assert dead_rows(missing) == [str(second)]
    # The messages were shown in the fragment: the next page does not repeat them.
    page = await client.get(PAGE)
    assert "is queued again." not in page.text
    assert await audit(app, "task.discard") == []

    get_fragment = await client.get(PAGE, headers={"HX-Request": "true"})
    assert get_fragment.text.lstrip().startswith('<div id="tasks"')


async def test_a_post_without_the_csrf_token_is_refused(site: Site) -> None:
    app, client = site
    [dead] = await make_dead(app, "notifications.send_mail")
    await web_sign_in_admin(app, client)
    for data in ({}, {"csrf_token": "forged"}):
        refused = await client.post(f"{PAGE}/{dead}/discard", data=data)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
    assert await task_status(app, dead) == TaskStatus.DEAD
    assert await audit(app, "task.discard") == []


async def test_members_get_the_403_page(site: Site) -> None:
    app, client = site
    [dead] = await make_dead(app, "notifications.send_mail")
    await web_sign_in_member(app, client)
    page = await client.get(PAGE)
    assert page.status_code == 403
    assert "admin role" in page.text
    assert str(dead) not in page.text
    # With this browser's valid token, the action is still refused.
    token = csrf_of(page)
    refused = await client.post(f"{PAGE}/{dead}/retry", data={"csrf_token": token})
    assert refused.status_code == 403
    assert await task_status(app, dead) == TaskStatus.DEAD
    assert await audit(app, "task.retry") == []

    client.cookies.clear()
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/tasks"

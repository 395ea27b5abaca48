"""The admin home at /admin: for admins only, with the platform's real figures."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from jobpilot.applications.models import Application, Submission
from jobpilot.auth.models import User
from jobpilot.kit.clock import utcnow
from jobpilot.kit.tasks import Task, TaskStatus, enqueue
from web_harness import (
    Site,
    create_account,
    set_cookies,
    web_sign_in,
    web_sign_in_admin,
    web_sign_in_member,
)


def figure(page: httpx.Response, name: str) -> str:
    """The text of the figure marked `data-kpi="name"`."""
    match = re.search(rf'data-kpi="{name}">([^<]*)<', page.text)
    assert match, name
    return match.group(1).strip()


async def _submissions(app: Any, statuses: list[str], *, hours_ago: float = 0) -> None:
    """Attempts that ended `hours_ago`, one per status, on one application."""
    now = utcnow()
    async with app.state.container.db.unit_of_work(write=True) as session:
        application = Application(
            id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            job_id=None,
            posting_key=f"manual:{uuid.uuid4()}",
            source="auto_apply",
            company="Acme",
            title="Engineer",
            url=None,
            status="submitted",
            created_at=now,
            updated_at=now,
        )
        session.add(application)
        await session.flush()
        ended = now - timedelta(hours=hours_ago)
        for status in statuses:
            session.add(
                Submission(
                    application_id=application.id,
                    ats="greenhouse",
                    host="boards.greenhouse.io",
                    channel="browser",
                    status=status,
                    evidence={},
                    started_at=ended - timedelta(seconds=30),
                    finished_at=ended,
                )
            )


async def test_an_admin_sees_the_platforms_figures(site: Site) -> None:
    app, client = site
    container = app.state.container
    await create_account(app, "root@example.com", admin=True, name="Root")
    for n in range(3):
        await create_account(app, f"user{n}@example.com")
    async with container.db.unit_of_work(write=True) as session:
        await session.execute(
            update(User)
            .where(User.email == "user0@example.com")
            .values(created_at=utcnow() - timedelta(days=30))
        )
    # Three attempts ended today (two submitted), one abandoned; one ended before midnight.
    await _submissions(app, ["submitted", "submitted", "failed", "abandoned"])
    await _submissions(app, ["submitted"], hours_ago=25)
    async with container.db.unit_of_work(write=True) as session:
        await enqueue(session, "jobs.refresh_boards")
        await enqueue(session, "ai.reindex")
        await enqueue(session, "auth.purge_expired", delay=timedelta(hours=1))
        await enqueue(session, "auth.send_verification", user_id=str(uuid.uuid4()))
    async with container.db.unit_of_work(write=True) as session:
        await session.execute(
            update(Task)
            .where(Task.name == "auth.send_verification")
            .values(status=TaskStatus.DEAD.value)
        )

    await web_sign_in(client, "root@example.com")
    page = await client.get("/admin")
    assert page.status_code == 200, page.text
    assert "<h1>The platform today</h1>" in page.text
    assert figure(page, "users-total") == "4"
    assert figure(page, "users-new") == "3 new in the last 7 days"
    assert figure(page, "applications-today") == "3"
    assert figure(page, "success-rate") == "67%"
    assert "2 of 3 submitted" in page.text
    assert figure(page, "tasks-ready") == "2"
    assert "0 running, 1 scheduled for later" in page.text
    assert figure(page, "tasks-dead") == "1"
    assert "kpi kpi--alert" in page.text
    # Each figure is a section named by its heading.
    assert page.text.count('<section class="kpi') == 8
    assert page.text.count("aria-labelledby=") == 8
    # Only pages that exist are linked: the home and every area of the admin.
    assert set(re.findall(r'href="(/admin[^"]*)"', page.text)) == {
        "/admin",
        "/admin/services",
        "/admin/tasks",
        "/admin/analytics",
        "/admin/flags",
        "/admin/settings",
        "/admin/users",
        "/admin/audit",
    }
    assert '<a href="/admin" aria-current="page">Admin home</a>' in page.text


async def test_with_nothing_ended_today_the_rate_is_a_dash(site: Site) -> None:
    app, client = site
    await web_sign_in_admin(app, client)
    page = await client.get("/admin")
    assert figure(page, "applications-today") == "0"
    assert figure(page, "success-rate") == "\u2013"  # an en dash
    assert "no application has ended today" in page.text


async def test_htmx_gets_only_the_figures(site: Site) -> None:
    app, client = site
    await web_sign_in_admin(app, client)
    fragment = await client.get("/admin", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="figures"')
    assert "<html" not in fragment.text
    assert "<header" not in fragment.text
    assert figure(fragment, "users-total") == "1"
    assert "HX-Request" in fragment.headers["vary"]
    # A boosted link or a history restore needs the whole page.
    whole = await client.get("/admin", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert whole.text.lstrip().lower().startswith("<!doctype html>")
    page = await client.get("/admin")
    assert '<div id="figures"' in page.text
    assert page.text.lstrip().lower().startswith("<!doctype html>")


async def test_a_user_without_the_admin_role_gets_the_403_page(site: Site) -> None:
    app, client = site
    await web_sign_in_member(app, client)
    page = await client.get("/admin")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "You cannot open this page" in page.text
    assert "admin role" in page.text
    assert "Signed in as <strong>Ada</strong>" in page.text
    assert 'data-kpi="users-total"' not in page.text
    fragment = await client.get("/admin", headers={"HX-Request": "true"})
    assert fragment.status_code == 403
    assert 'data-kpi="users-total"' not in fragment.text


async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(site: Site) -> None:
    app, client = site
    response = await client.get("/admin")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin"
    # htmx moves the whole page instead of swapping the sign-in form into a fragment.
    hx = await client.get("/admin", headers={"HX-Request": "true"})
    assert hx.status_code == 401
    assert hx.headers["hx-redirect"] == "/login?next=/admin"

    await create_account(app, "root@example.com", admin=True)
    signed_in = await web_sign_in(client, "root@example.com", next_path="/admin")
    assert signed_in.headers["location"] == "/admin"
    assert {"jp_access", "jp_refresh"} <= set(set_cookies(signed_in))
    assert (await client.get("/admin")).status_code == 200

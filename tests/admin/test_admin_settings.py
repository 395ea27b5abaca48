"""The Settings page (`/admin/settings`) and `/api/admin/settings`: runtime settings listed,
changed (validated first), reset and audited, and their effects on the running platform: the
maintenance banner on every page, a lowered quota enforced, the ingestion schedule obeyed."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from jobpilot.jobs.models import Board, Company
from jobpilot.jobs.service import INGEST_BOARD
from jobpilot.jobs.tasks import REFRESH_BOARDS, refresh_boards
from jobpilot.kit.clock import utcnow
from jobpilot.kit.tasks import Task, TaskRegistry, Worker, WorkerConfig, enqueue
from support import assert_error, sign_in
from web_harness import (
    Site,
    audit,
    csrf_of,
    user_id,
    web_sign_in_admin,
    web_sign_in_member,
)

API = "/api/admin/settings"
PAGE = "/admin/settings"
KEYS = [
    "jobs.refresh_minutes",
    "jobs.ingestion_paused",
    "users.tiers",
    "web.maintenance_banner",
    "web.maintenance_banner_level",
]


async def admin_page(app: Any, client: httpx.AsyncClient) -> httpx.Response:
    await web_sign_in_admin(app, client)
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    return page


def section(page: httpx.Response | str, key: str) -> str:
    text = page if isinstance(page, str) else page.text
    found = re.search(rf'<section [^>]*data-setting="{re.escape(key)}">(.*?)</section>', text, re.S)
    assert found, key
    return found.group(1)


def fact(page: httpx.Response | str, key: str, name: str) -> str:
    found = re.search(rf"data-{name}>(.*?)</dd>", section(page, key), re.S)
    assert found, name
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


# --- JSON API ---------------------------------------------------------------------------


async def test_the_api_lists_every_setting_with_its_default(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    response = await client.get(API, headers=headers)
    assert response.status_code == 200, response.text
    settings = {row["key"]: row for row in response.json()["settings"]}
    assert list(settings) == KEYS
    refresh = settings["jobs.refresh_minutes"]
    assert refresh["value"] == refresh["default"] == 360
    assert refresh["widget"] == "number"
    assert refresh["overridden"] is False
    assert refresh["updated_at"] is None
    assert refresh["label"]
    assert refresh["help"]
    assert settings["users.tiers"]["value"]["free"]["saved_searches"] == 3
    assert settings["web.maintenance_banner"]["value"] == ""
    assert settings["web.maintenance_banner_level"]["choices"] == ["info", "warning"]


async def test_the_api_is_for_admins_only(site: Site) -> None:
    app, client = site
    key = f"{API}/jobs.refresh_minutes"
    assert_error(await client.get(API), 401, "invalid_token")
    assert_error(await client.put(key, json={"value": 10}), 401, "invalid_token")
    member = await sign_in(client, app, "ada@example.com")
    assert_error(await client.get(API, headers=member), 403, "forbidden")
    assert_error(await client.put(key, json={"value": 10}, headers=member), 403, "forbidden")
    assert_error(await client.delete(key, headers=member), 403, "forbidden")
    assert_error(await client.get(f"{key}/history", headers=member), 403, "forbidden")
    admin = await sign_in(client, app, "root@example.com", admin=True)
    assert (await client.get(key + "/history", headers=admin)).json()["changes"] == []
    assert await audit(app, "setting.update") == []


async def test_a_change_through_the_api_is_kept_in_the_history_and_audited(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    headers["User-Agent"] = "ops-script/2.0"
    key = f"{API}/jobs.refresh_minutes"

    response = await client.put(key, json={"value": 30}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["value"], body["default"], body["overridden"]) == (30, 360, True)
    assert body["updated_by"] == "root@example.com"
    assert body["updated_at"]

    [event] = await audit(app, "setting.update")
    assert event.user_id == await user_id(app, "root@example.com")
    assert event.user_agent == "ops-script/2.0"
    assert event.details["target"] == {"type": "setting", "id": "jobs.refresh_minutes"}
    assert event.details["before"] == 360
    assert event.details["after"] == 30

    reset = await client.delete(key, headers=headers)
    assert reset.status_code == 200, reset.text
    assert (reset.json()["value"], reset.json()["overridden"]) == (360, False)
    [reset_event] = await audit(app, "setting.reset")
    assert (reset_event.details["before"], reset_event.details["after"]) == (30, 360)
    # Resetting what is not overridden changes nothing and is not audited.
    assert (await client.delete(key, headers=headers)).status_code == 200
    assert len(await audit(app, "setting.reset")) == 1

    history = (await client.get(f"{key}/history", headers=headers)).json()
    assert history["key"] == "jobs.refresh_minutes"
    newest, oldest = history["changes"]
    assert (oldest["old_value"], oldest["new_value"], oldest["reset"]) == (360, 30, False)
    assert (newest["old_value"], newest["new_value"], newest["reset"]) == (30, 360, True)
    assert newest["by"] == oldest["by"] == "root@example.com"


async def test_invalid_values_are_refused_with_the_fields_message(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    tiers = (await client.get(API, headers=headers)).json()["settings"][2]["value"]
    cases = [
        ("jobs.refresh_minutes", 4, "greater than or equal to 5"),
        ("jobs.refresh_minutes", 10081, "less than or equal to 10080"),
        ("jobs.ingestion_paused", "perhaps", "valid boolean"),
        ("users.tiers", {"pro": tiers["pro"]}, "a 'free' tier is required"),
        (
            "users.tiers",
            {**tiers, "free": {**tiers["free"], "resumes": -2}},
            "tier 'free' has a negative limit",
        ),
        ("web.maintenance_banner", "x" * 301, "at most 300 characters"),
        ("web.maintenance_banner_level", "panic", "'info' or 'warning'"),
    ]
    for key, value, message in cases:
        response = await client.put(f"{API}/{key}", json={"value": value}, headers=headers)
        error = assert_error(response, 422, "validation_error")
        assert message in error["message"], (key, error)
        assert error["details"][0]["loc"][0] == "value"
    # The body must carry a value.
    assert_error(
        await client.put(f"{API}/jobs.refresh_minutes", json={}, headers=headers),
        422,
        "validation_error",
    )
    listed = (await client.get(API, headers=headers)).json()["settings"]
    assert not any(row["overridden"] for row in listed)
    assert await audit(app, "setting.update") == []


async def test_unknown_settings_are_404(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "root@example.com", admin=True)
    nope = f"{API}/jobs.nope"
    assert_error(
        await client.put(nope, json={"value": 1}, headers=headers), 404, "setting_not_found"
    )
    assert_error(await client.delete(nope, headers=headers), 404, "setting_not_found")
    assert_error(await client.get(f"{nope}/history", headers=headers), 404, "setting_not_found")


# --- The effects ------------------------------------------------------------------------


async def test_the_banner_appears_on_every_page_and_goes_with_a_reset(site: Site) -> None:
    app, client = site
    headers = await sign_in(client, app, "ops@example.com", admin=True)
    banner = "Maintenance tonight at 22:00 UTC: sign-in may fail for 10 minutes."
    browser = {"Accept": "text/html"}
    for path in ("/login", "/", "/no-such-page"):
        assert "maintenance-banner" not in (await client.get(path, headers=browser)).text

    await client.put(f"{API}/web.maintenance_banner", json={"value": banner}, headers=headers)
    pages = [await client.get(p, headers=browser) for p in ("/login", "/", "/no-such-page")]
    assert pages[2].status_code == 404
    for page in pages:
        found = re.search(
            r'<div class="maintenance-banner ([^"]+)"([^>]*)>(.*?)</div>', page.text, re.S
        )
        assert found, page.text
        assert found.group(1) == "maintenance-banner--info"
        assert 'role="status"' in found.group(2)
        assert 'aria-live="polite"' in found.group(2)
        assert banner in html.unescape(found.group(3))
    # The banner comes before the page's header and content.
    assert pages[0].text.index("maintenance-banner") < pages[0].text.index("<header")

    await client.put(
        f"{API}/web.maintenance_banner_level", json={"value": "warning"}, headers=headers
    )
    assert "maintenance-banner--warning" in (await client.get("/login")).text
    # JSON answers carry no banner.
    assert "maintenance" not in (await client.get("/api/v1/jobs/nope")).text

    await client.delete(f"{API}/web.maintenance_banner", headers=headers)
    assert "maintenance-banner" not in (await client.get("/login")).text


async def test_a_lowered_quota_is_enforced_and_reported(site: Site) -> None:
    app, client = site
    admin = await sign_in(client, app, "root@example.com", admin=True)
    user = await sign_in(client, app, "ada@example.com")
    searches = "/api/v1/jobs/saved-searches"
    assert (
        await client.post(searches, json={"name": "s1", "filters": {}}, headers=user)
    ).status_code == 201

    tiers = (await client.get(API, headers=admin)).json()["settings"][2]["value"]
    lowered = {**tiers, "free": {**tiers["free"], "saved_searches": 1}}
    response = await client.put(f"{API}/users.tiers", json={"value": lowered}, headers=admin)
    assert response.status_code == 200, response.text

    # The next save beyond the new limit is refused, and the usage shows the new limit.
    refused = await client.post(searches, json={"name": "s2", "filters": {}}, headers=user)
    error = assert_error(refused, 402, "quota_exceeded")
    assert error["details"]["limit"] == 1
    usage = (await client.get("/api/v1/users/me/usage", headers=user)).json()
    saved = next(q for q in usage["quotas"] if q["quota"] == "saved_searches")
    assert (saved["limit"], saved["used"]) == (1, 1)

    # Back to the default: the second save goes through.
    await client.delete(f"{API}/users.tiers", headers=admin)
    again = await client.post(searches, json={"name": "s2", "filters": {}}, headers=user)
    assert again.status_code == 201, again.text


async def _boards(app: Any, ages_minutes: list[int | None]) -> list[uuid.UUID]:
    """Active boards last read that many minutes ago (None: never)."""
    now = utcnow()
    ids = []
    async with app.state.container.db.unit_of_work(write=True) as session:
        company = Company(
            id=uuid.uuid4(), slug="acme", name="Acme", website=None, created_at=now, updated_at=now
        )
        session.add(company)
        await session.flush()
        for n, age in enumerate(ages_minutes):
            board = Board(
                id=uuid.uuid4(),
                company_id=company.id,
                key=f"greenhouse:acme{n}",
                ats="greenhouse",
                tenant=f"acme{n}",
                created_at=now,
                last_run_at=None if age is None else now - timedelta(minutes=age),
            )
            session.add(board)
            ids.append(board.id)
    return ids


async def _run_hourly_check(app: Any) -> set[str]:
    """Run the hourly check in the real worker; the boards whose read it queued (then clear
    them, so that the next check starts afresh)."""
    db = app.state.container.db
    registry = TaskRegistry()
    registry.task(REFRESH_BOARDS)(refresh_boards)
    async with db.unit_of_work(write=True) as session:
        await enqueue(session, REFRESH_BOARDS)
    config = WorkerConfig(poll_interval_seconds=0.05, max_attempts=1, depth_refresh_seconds=0)
    await Worker(db, registry, config, resources=app.state.container).drain(max_seconds=20)
    async with db.unit_of_work(write=True) as session:
        tasks = list(await session.scalars(select(Task).where(Task.name == INGEST_BOARD)))
        for task in tasks:
            await session.delete(task)
        ran = await session.scalar(
            select(Task.status).where(Task.name == REFRESH_BOARDS).order_by(Task.created_at.desc())
        )
    assert ran == "succeeded", ran
    return {task.payload["board_id"] for task in tasks}


async def test_the_hourly_check_follows_the_refresh_interval_and_the_pause(site: Site) -> None:
    app, client = site
    admin = await sign_in(client, app, "root@example.com", admin=True)
    fresh, hour_old, day_old, never = map(str, await _boards(app, [10, 60, 1440, None]))

    # The default: boards not read for 360 minutes.
    assert await _run_hourly_check(app) == {day_old, never}

    await client.put(f"{API}/jobs.refresh_minutes", json={"value": 30}, headers=admin)
    assert await _run_hourly_check(app) == {hour_old, day_old, never}

    await client.put(f"{API}/jobs.ingestion_paused", json={"value": True}, headers=admin)
    assert await _run_hourly_check(app) == set()

    await client.delete(f"{API}/jobs.ingestion_paused", headers=admin)
    await client.put(f"{API}/jobs.refresh_minutes", json={"value": 5}, headers=admin)
    assert await _run_hourly_check(app) == {fresh, hour_old, day_old, never}


# --- The pages --------------------------------------------------------------------------


async def test_the_page_lists_every_setting_with_a_form(site: Site) -> None:
    app, client = site
    page = await admin_page(app, client)
    assert "<h1>Settings</h1>" in page.text
    assert '<a href="/admin/settings" aria-current="page">Settings</a>' in page.text
    assert re.findall(r'data-setting="([^"]+)"', page.text) == KEYS
    assert fact(page, "jobs.refresh_minutes", "current") == "360"
    assert fact(page, "jobs.refresh_minutes", "default") == "360"
    assert fact(page, "jobs.refresh_minutes", "overridden") == "No: the default applies"
    assert fact(page, "jobs.ingestion_paused", "current") == "Off"
    assert fact(page, "web.maintenance_banner", "current") == "(none)"
    # Each kind of value has its input, labelled, described by the help text.
    refresh = section(page, "jobs.refresh_minutes")
    assert 'type="number"' in refresh
    assert '<label for="setting-jobs-refresh_minutes-input">' in refresh
    assert 'aria-describedby="setting-jobs-refresh_minutes-help"' in refresh
    assert 'type="checkbox"' in section(page, "jobs.ingestion_paused")
    assert "<textarea" in section(page, "web.maintenance_banner")
    assert "<select" in section(page, "web.maintenance_banner_level")
    tiers = section(page, "users.tiers")
    assert tiers.count('type="number"') == 12  # 3 tiers x 4 quotas
    assert 'name="value.pro.resumes" value="20"' in tiers
    assert (
        '<label class="visually-hidden" for="setting-users-tiers-pro-resumes">pro resumes</label>'
        in tiers
    )
    # Every form carries the CSRF token and posts to its own URL (htmx too).
    assert page.text.count('name="csrf_token"') >= 6
    for key in KEYS:
        assert f'action="/admin/settings/{key}"' in page.text
        assert f'hx-post="/admin/settings/{key}"' in page.text
        assert f'href="/admin/settings/{key}/history"' in page.text
    # Nothing is overridden: no reset button yet.
    assert "/reset" not in page.text


async def test_a_change_through_the_form_flashes_redirects_and_is_audited(site: Site) -> None:
    app, client = site
    token = csrf_of(await admin_page(app, client))

    saved = await client.post(
        f"{PAGE}/jobs.refresh_minutes", data={"csrf_token": token, "value": "45"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/settings#setting-jobs-refresh_minutes"
    page = await client.get(PAGE)
    assert "Board refresh interval (minutes) is now 45." in html.unescape(page.text)
    assert "flash--success" in page.text
    assert fact(page, "jobs.refresh_minutes", "current") == "45"
    assert fact(page, "jobs.refresh_minutes", "overridden") == "Yes"
    assert "by root@example.com" in fact(page, "jobs.refresh_minutes", "last-change")
    assert 'action="/admin/settings/jobs.refresh_minutes/reset"' in page.text

    # A checkbox left unticked is "off"; ticked is "on".
    await client.post(f"{PAGE}/jobs.ingestion_paused", data={"csrf_token": token, "value": "true"})
    page = await client.get(PAGE)
    assert fact(page, "jobs.ingestion_paused", "current") == "On"
    await client.post(f"{PAGE}/jobs.ingestion_paused", data={"csrf_token": token})
    assert fact(await client.get(PAGE), "jobs.ingestion_paused", "current") == "Off"

    # The tiers table: each cell a number input.
    form = {"csrf_token": token}
    tiers = app.state.container.settings.users.tiers
    for tier, limits in tiers.items():
        for quota, limit in limits.items():
            form[f"value.{tier}.{quota}"] = str(limit)
    form["value.free.ai_requests"] = "7"
    assert (await client.post(f"{PAGE}/users.tiers", data=form)).status_code == 303
    page = await client.get(PAGE)
    assert "Tier quotas saved: free ai_requests 50 → 7." in html.unescape(page.text)
    assert 'name="value.free.ai_requests" value="7"' in section(page, "users.tiers")
    assert "default 50" in section(page, "users.tiers")

    reset = await client.post(f"{PAGE}/jobs.refresh_minutes/reset", data={"csrf_token": token})
    assert reset.status_code == 303
    page = await client.get(PAGE)
    assert "is back to its default: 360." in page.text
    assert fact(page, "jobs.refresh_minutes", "current") == "360"

    root = await user_id(app, "root@example.com")
    updates = await audit(app, "setting.update")
    assert [e.details["target"]["id"] for e in updates] == [
        "jobs.refresh_minutes",
        "jobs.ingestion_paused",
        "jobs.ingestion_paused",
        "users.tiers",
    ]
    assert all(e.user_id == root for e in updates)
    assert (updates[1].details["before"], updates[1].details["after"]) == (False, True)
    assert updates[3].details["after"]["free"]["ai_requests"] == 7
    [reset_event] = await audit(app, "setting.reset")
    assert (reset_event.details["before"], reset_event.details["after"]) == (45, 360)

    history = await client.get(f"{PAGE}/jobs.refresh_minutes/history")
    assert history.status_code == 200
    assert "<h1>History of Board refresh interval (minutes)</h1>" in history.text
    rows = re.findall(r"<tr data-change=.*?</tr>", history.text, re.S)
    assert len(rows) == 2
    assert "root@example.com" in rows[0]
    assert "(reset to default)" in rows[0]
    assert re.search(r"data-from>45<", rows[0])
    assert re.search(r"data-from>360 <span", rows[1])
    assert re.search(r"data-to>45<", rows[1])


async def test_invalid_input_rerenders_the_form_with_the_error(site: Site) -> None:
    app, client = site
    token = csrf_of(await admin_page(app, client))

    bad = await client.post(
        f"{PAGE}/jobs.refresh_minutes", data={"csrf_token": token, "value": "3"}
    )
    assert bad.status_code == 422
    refresh = section(bad, "jobs.refresh_minutes")
    assert "greater than or equal to 5" in refresh
    assert 'id="setting-jobs-refresh_minutes-error"' in refresh
    assert 'aria-invalid="true"' in refresh
    assert (
        'aria-describedby="setting-jobs-refresh_minutes-help setting-jobs-refresh_minutes-error"'
        in refresh
    )
    # What the admin typed is kept in the form; nothing changed.
    assert 'value="3"' in refresh
    assert fact(bad, "jobs.refresh_minutes", "current") == "360"

    form = {"csrf_token": token}
    for tier, limits in app.state.container.settings.users.tiers.items():
        for quota, limit in limits.items():
            form[f"value.{tier}.{quota}"] = str(limit)
    form["value.pro.resumes"] = "lots"
    bad = await client.post(f"{PAGE}/users.tiers", data=form)
    assert bad.status_code == 422
    tiers = section(bad, "users.tiers")
    assert "Some limits are not valid" in tiers
    assert 'aria-describedby="setting-users-tiers-pro-resumes-error"' in tiers
    assert "valid integer" in tiers
    assert 'name="value.pro.resumes" value="lots"' in tiers
    form["value.pro.resumes"] = "-1"
    bad = await client.post(f"{PAGE}/users.tiers", data=form)
    assert "tier &#39;pro&#39; has a negative limit" in section(bad, "users.tiers")

    long = await client.post(
        f"{PAGE}/web.maintenance_banner", data={"csrf_token": token, "value": "y" * 301}
    )
    assert long.status_code == 422
    assert "at most 300 characters" in section(long, "web.maintenance_banner")
    assert "maintenance-banner" not in long.text

    page = await client.get(PAGE)
    assert "flash--success" not in page.text
    assert await audit(app, "setting.update") == []
    listed = await app.state.container.runtime.states()
    assert not any(state.overridden for state in listed)


async def test_htmx_gets_the_settings_section(site: Site) -> None:
    app, client = site
    token = csrf_of(await admin_page(app, client))
    hx = {"HX-Request": "true", "X-CSRF-Token": token}

    fragment = await client.post(
        f"{PAGE}/web.maintenance_banner", data={"value": "Read-only until 10:00."}, headers=hx
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="setting"')
    assert 'data-setting="web.maintenance_banner"' in fragment.text
    assert "<html" not in fragment.text
    assert "Maintenance banner is now Read-only until 10:00." in fragment.text
    assert "flash--success" in fragment.text
    assert (
        fact(fragment.text + "</section>", "web.maintenance_banner", "current")
        == "Read-only until 10:00."
    )

    invalid = await client.post(f"{PAGE}/jobs.refresh_minutes", data={"value": ""}, headers=hx)
    # htmx swaps only 2xx answers: the section with its error comes as a 200.
    assert invalid.status_code == 200
    assert invalid.text.lstrip().startswith('<section class="setting setting--invalid"')
    assert "valid integer" in invalid.text

    reset = await client.post(f"{PAGE}/web.maintenance_banner/reset", headers=hx)
    assert "is back to its default: (none)." in reset.text
    # The messages were shown in the fragments: the next page does not repeat them.
    page = await client.get(PAGE)
    assert "is now Read-only" not in page.text
    assert "maintenance-banner" not in page.text


async def test_a_post_without_the_csrf_token_is_refused(site: Site) -> None:
    app, client = site
    await admin_page(app, client)
    for data in ({"value": "10"}, {"value": "10", "csrf_token": "forged"}):
        refused = await client.post(f"{PAGE}/jobs.refresh_minutes", data=data)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
    refused = await client.post(f"{PAGE}/jobs.refresh_minutes/reset", data={})
    assert refused.status_code == 403
    assert await audit(app, "setting.update") == []
    assert not (await app.state.container.runtime.state("jobs.refresh_minutes")).overridden


async def test_members_get_the_403_page_and_unknown_settings_the_404(site: Site) -> None:
    app, client = site
    await web_sign_in_member(app, client)
    page = await client.get(PAGE)
    assert page.status_code == 403
    assert "admin role" in page.text
    token = csrf_of(page)
    refused = await client.post(
        f"{PAGE}/jobs.refresh_minutes", data={"csrf_token": token, "value": "10"}
    )
    assert refused.status_code == 403
    assert (await client.get(f"{PAGE}/jobs.refresh_minutes/history")).status_code == 403
    assert await audit(app, "setting.update") == []

    client.cookies.clear()
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/settings"

    admin = await admin_page(app, client)
    missing = await client.post(
        f"{PAGE}/jobs.nope", data={"csrf_token": csrf_of(admin), "value": "1"}
    )
    assert missing.status_code == 404
    assert "No runtime setting has this key." in missing.text
    assert (await client.get(f"{PAGE}/jobs.nope/history")).status_code == 404

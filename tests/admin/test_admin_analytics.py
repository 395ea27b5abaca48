"""The Analytics page (`/admin/analytics`) and `GET /api/admin/analytics`: sign-ups, the
applications that reached each status, submission success per ATS and match scores, per day
(UTC) over 7, 30 or 90 days, from rows with known dates."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from jobpilot.applications.models import Application, ApplicationEvent, Submission
from jobpilot.auth.models import User
from jobpilot.kit.clock import utcnow
from jobpilot.kit.days import utc_day
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, sign_in
from web_harness import Site, create_account, web_sign_in, web_sign_in_admin, web_sign_in_member

PAGE = "/admin/analytics"
API = "/api/admin/analytics"
SVG = "{http://www.w3.org/2000/svg}"


def at(days_ago: int, clock: time = time(12)) -> datetime:
    """`clock` (UTC) on the day `days_ago` days before today; today's is just past midnight,
    never in the future."""
    day = utcnow().date() - timedelta(days=days_ago)
    if days_ago == 0:
        clock = time(0, 0, 1)
    return datetime.combine(day, clock, UTC)


def label(days_ago: int) -> str:
    """How the charts label the day `days_ago` days before today."""
    day = utcnow().date() - timedelta(days=days_ago)
    return f"{day:%b} {day.day}"


def iso(days_ago: int) -> str:
    return (utcnow().date() - timedelta(days=days_ago)).isoformat()


async def set_created(app: Any, email: str, when: datetime) -> None:
    async with app.state.container.db.unit_of_work(write=True) as session:
        await session.execute(update(User).where(User.email == email).values(created_at=when))


async def add_application(
    app: Any,
    moves: list[tuple[datetime, str]],
    *,
    source: str = "manual",
    score: float | None = None,
    submissions: list[tuple[datetime, str, str]] = (),  # type: ignore[assignment]
) -> None:
    """An application created in the first status of `moves` and moved through the others,
    each at its time (its timeline as the service writes it), with submission attempts
    (finished at, ATS, status)."""
    first_at, first = moves[0]
    last_at, last = moves[-1]
    async with app.state.container.db.unit_of_work(write=True) as session:
        row = Application(
            id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            job_id=None,
            posting_key=f"manual:{uuid.uuid4()}",
            source=source,
            company="Acme",
            title="Engineer",
            url=None,
            status=last,
            created_at=first_at,
            updated_at=last_at,
        )
        session.add(row)
        await session.flush()
        detail: dict[str, Any] = {"source": source}
        if score is not None:
            detail["score"] = score
        session.add(
            ApplicationEvent(
                application_id=row.id,
                at=first_at,
                kind="created",
                actor="system" if source == "auto_apply" else "user",
                to_status=first,
                detail=detail,
            )
        )
        before = first
        for when, status in moves[1:]:
            session.add(
                ApplicationEvent(
                    application_id=row.id,
                    at=when,
                    kind="status_changed",
                    actor="system",
                    from_status=before,
                    to_status=status,
                    detail={},
                )
            )
            before = status
        for finished, ats, status in submissions:
            session.add(
                Submission(
                    application_id=row.id,
                    ats=ats,
                    host=f"{ats}.example.com",
                    channel="browser",
                    status=status,
                    evidence={},
                    started_at=finished - timedelta(seconds=40),
                    finished_at=finished,
                )
            )


async def seed(app: Any) -> None:
    """Three sign-ups besides the callers' accounts (two across a day's boundary, one 40 days
    ago) and four applications with their timelines and submission attempts."""
    for email in ("late@example.com", "early@example.com", "old@example.com"):
        await create_account(app, email)
    # 23:59:59 and 00:00:01: the two sides of a UTC midnight.
    await set_created(app, "late@example.com", at(2, time(23, 59, 59)))
    await set_created(app, "early@example.com", at(1, time(0, 0, 1)))
    await set_created(app, "old@example.com", at(40))
    # Added by hand: saved 3 days ago, submitted yesterday, at interview today.
    await add_application(app, [(at(3), "saved"), (at(1), "submitted"), (at(0), "interviewing")])
    # Queued by a rule at 0.82, sent two days ago, at interview since yesterday.
    await add_application(
        app,
        [(at(2), "queued"), (at(2), "submitting"), (at(2), "submitted"), (at(1), "interviewing")],
        source="auto_apply",
        score=0.82,
        submissions=[
            (at(2), "greenhouse", "submitted"),
            (at(1), "greenhouse", "failed"),
            (at(1), "greenhouse", "submitted"),
            # A stopped worker's attempt, tried again: not an outcome.
            (at(1), "greenhouse", "abandoned"),
            (at(0), "lever", "failed"),
            (at(40), "greenhouse", "submitted"),
        ],
    )
    # Queued at 0.87 yesterday and failed.
    await add_application(
        app,
        [(at(1), "queued"), (at(1), "submitting"), (at(1), "failed")],
        source="auto_apply",
        score=0.87,
    )
    # Queued at 0.55 fifty days ago and sent: only in the 90 days.
    await add_application(
        app,
        [(at(50), "queued"), (at(50), "submitting"), (at(50), "submitted")],
        source="auto_apply",
        score=0.55,
    )


def svg_of(page: str, chart_id: str) -> ET.Element:
    found = re.search(rf'<figure[^>]*id="{chart_id}".*?(<svg.*?</svg>)', page, re.S)
    assert found, chart_id
    return ET.fromstring(found.group(1))


def bar_titles(svg: ET.Element) -> set[str]:
    return {
        "".join(r.find(f"{SVG}title").itertext())  # type: ignore[union-attr]
        for r in svg.iter(f"{SVG}rect")
        if r.get("data-value")
    }


# The API, on SQLite and PostgreSQL.


@dataclass
class Platform:
    app: Any
    client: httpx.AsyncClient
    admin: dict[str, str]
    user: dict[str, str]


@pytest.fixture
async def platform(settings: Settings, migrated_url: str) -> AsyncIterator[Platform]:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for client in client_for(app):
        admin = await sign_in(client, app, "root@example.com", admin=True)
        user = await sign_in(client, app, "ada@example.com")
        yield Platform(app, client, admin, user)


async def test_the_api_gives_every_series_per_day(platform: Platform) -> None:
    await seed(platform.app)
    response = await platform.client.get(API, headers=platform.admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["days"] == 30
    assert body["start"] == iso(29)
    assert body["end"] == iso(0)
    # Every day is listed, zero when nobody signed up; midnight UTC splits the two late ones.
    signups = {row["day"]: row["count"] for row in body["signups"]}
    assert len(body["signups"]) == 30
    assert [row["day"] for row in body["signups"]] == [iso(n) for n in range(29, -1, -1)]
    assert signups[iso(0)] == 2  # the admin and the user calling
    assert signups[iso(1)] == 1
    assert signups[iso(2)] == 1
    assert sum(signups.values()) == 4
    days = {row["day"]: row["statuses"] for row in body["applications_by_status"]}
    assert len(days) == 30
    # Every status reached in the period, in the order of an application's life.
    assert list(days[iso(0)]) == [
        "saved",
        "queued",
        "submitting",
        "submitted",
        "failed",
        "interviewing",
    ]
    assert days[iso(3)] == {**dict.fromkeys(days[iso(3)], 0), "saved": 1}
    assert days[iso(2)] == {
        **dict.fromkeys(days[iso(2)], 0),
        "queued": 1,
        "submitting": 1,
        "submitted": 1,
    }
    assert days[iso(1)] == {
        **dict.fromkeys(days[iso(1)], 0),
        "submitted": 1,
        "interviewing": 1,
        "queued": 1,
        "submitting": 1,
        "failed": 1,
    }
    assert days[iso(0)] == {**dict.fromkeys(days[iso(0)], 0), "interviewing": 1}
    assert set(days[iso(20)].values()) == {0}
    assert body["ats_success"] == [
        {"ats": "greenhouse", "finished": 3, "submitted": 2, "rate": pytest.approx(2 / 3)},
        {"ats": "lever", "finished": 1, "submitted": 0, "rate": 0.0},
    ]
    assert body["match_scores"] == [
        {
            "low": 0.8,
            "high": pytest.approx(0.9),
            "applications": 2,
            "sent": 1,
            "interviews": 1,
        }
    ]

    wider = (await platform.client.get(API, params={"days": 90}, headers=platform.admin)).json()
    assert wider["days"] == 90
    assert len(wider["signups"]) == 90
    assert sum(row["count"] for row in wider["signups"]) == 5
    assert wider["ats_success"][0] == {
        "ats": "greenhouse",
        "finished": 4,
        "submitted": 3,
        "rate": 0.75,
    }
    assert [
        (band["low"], band["applications"], band["sent"]) for band in wider["match_scores"]
    ] == [
        (0.5, 1, 1),
        (0.8, 2, 1),
    ]
    week = (await platform.client.get(API, params={"days": 7}, headers=platform.admin)).json()
    assert week["start"] == iso(6)
    assert sum(row["count"] for row in week["signups"]) == 4


async def test_the_api_takes_only_the_offered_periods(platform: Platform) -> None:
    for days in ("14", "0", "-7", "abc", "30.5"):
        response = await platform.client.get(API, params={"days": days}, headers=platform.admin)
        error = assert_error(response, 422, "invalid_period")
        assert error["message"] == "The period must be 7, 30 or 90 days."


async def test_the_api_is_for_admins_only(platform: Platform) -> None:
    assert_error(await platform.client.get(API), 401, "invalid_token")
    assert_error(await platform.client.get(API, headers=platform.user), 403, "forbidden")


def test_days_are_grouped_in_utc_on_both_dialects() -> None:
    from sqlalchemy import func, select

    day = utc_day(ApplicationEvent.at)
    query = select(day, func.count()).group_by(day)
    pg = str(query.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    lite = str(query.compile(dialect=sqlite.dialect()))  # type: ignore[no-untyped-call]
    assert "date(timezone('UTC', application_events.at))" in pg
    assert pg.count("timezone('UTC', application_events.at)") == 2  # SELECT and GROUP BY
    assert "date(application_events.at)" in lite


# The page.


async def test_the_page_draws_the_periods_figures(site: Site) -> None:
    app, client = site
    await create_account(app, "root@example.com", admin=True)
    await seed(app)
    await web_sign_in(client, "root@example.com")
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    text = page.text
    assert "<h1>Analytics</h1>" in text
    assert '<a href="/admin/analytics" aria-current="page">Analytics</a>' in text
    assert re.search(r'href="/admin/analytics\?days=30"[^>]*aria-current="true"', text)
    assert f"From {iso(29)} to {iso(0)} (UTC): 3 sign-ups." in text
    # Sign-ups: one point per day, the last three days one each (the admin today).
    signups = svg_of(text, "chart-signups")
    points = [c.get("data-value") for c in signups.iter(f"{SVG}circle")]
    assert points == ["0"] * 27 + ["1", "1", "1"]
    assert signups.get("role") == "img"
    # Statuses: each segment says its day, count and status.
    statuses = svg_of(text, "chart-statuses")
    assert bar_titles(statuses) == {
        f"{label(3)}: 1 saved",
        f"{label(2)}: 1 queued",
        f"{label(2)}: 1 submitting",
        f"{label(2)}: 1 submitted",
        f"{label(1)}: 1 queued",
        f"{label(1)}: 1 submitting",
        f"{label(1)}: 1 submitted",
        f"{label(1)}: 1 failed",
        f"{label(1)}: 1 interviewing",
        f"{label(0)}: 1 interviewing",
    }
    assert "Applications that reached each status each day (UTC), from their timelines" in text
    # Success per ATS, with its counts.
    ats = svg_of(text, "chart-ats")
    rows = ["".join(t.itertext()) for t in ats.iter(f"{SVG}text")]
    assert rows == ["greenhouse 67% (2 of 3)", "lever 0% (0 of 1)"]
    assert '<th scope="row">greenhouse</th><td class="num">67% (2 of 3)</td>' in text
    scores = svg_of(text, "chart-scores")
    assert ["".join(t.itertext()) for t in scores.iter(f"{SVG}text")] == [
        "0.8\u20130.9 2 queued, 1 sent, 1 interview or offer"
    ]
    # Every chart has its data table.
    assert text.count('<details class="chart-data">') == 4

    week = await client.get(PAGE, params={"days": 7})
    assert week.status_code == 200
    assert re.search(r'href="/admin/analytics\?days=7"[^>]*aria-current="true"', week.text)
    assert len(list(svg_of(week.text, "chart-signups").iter(f"{SVG}circle"))) == 7
    quarter = await client.get(PAGE, params={"days": 90})
    assert (
        '<th scope="row">0.5\u20130.6</th><td class="num">1 queued, 1 sent, 0 interview or '
        "offer</td>" in quarter.text
    )
    assert '<th scope="row">greenhouse</th><td class="num">75% (3 of 4)</td>' in quarter.text


async def test_htmx_gets_the_charts_alone(site: Site) -> None:
    app, client = site
    await web_sign_in_admin(app, client)
    page = await client.get(PAGE, params={"days": 7}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<div id="analytics"')
    assert "<html" not in page.text
    assert page.headers["vary"].startswith("HX-Request")


async def test_an_empty_period_says_so(site: Site) -> None:
    app, client = site
    await web_sign_in_admin(app, client)
    page = await client.get(PAGE)
    assert page.status_code == 200
    # Only the admin signed up; nothing else happened.
    assert page.text.count('<p class="chart-empty">No data in this period.</p>') == 3
    assert "<svg" in page.text


async def test_another_period_is_refused_with_a_clear_message(site: Site) -> None:
    app, client = site
    await web_sign_in_admin(app, client)
    for days in ("14", "abc"):
        page = await client.get(PAGE, params={"days": days})
        assert page.status_code == 422
        assert (
            f"The period must be 7, 30 or 90 days. (asked for: {days}). Choose one of the "
            "periods above." in page.text
        )
        assert 'role="alert"' in page.text
        assert "<svg" not in page.text
        assert 'href="/admin/analytics?days=30"' in page.text


async def test_the_page_is_for_admins_only(site: Site) -> None:
    app, client = site
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/analytics"
    await web_sign_in_member(app, client, name="Tester")
    page = await client.get(PAGE)
    assert page.status_code == 403
    assert "chart" not in page.text

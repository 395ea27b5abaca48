"""The Services page and `GET /api/admin/services/health`: every service's health from live
probes of its `/readyz` and `/metrics`, over real HTTP to services served on 127.0.0.1 and
in-process for the services the app serves itself."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from fakes.local_server import ServedApp
from fakes.monitored_service import MonitoredService, closed_port_url
from jobpilot.gateway.routes import load_routes
from jobpilot.kit import migrate
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, make_settings, sign_in
from web_harness import Site, web_sign_in_admin, web_sign_in_member

Platform = Callable[..., AbstractAsyncContextManager[Site]]
HEALTH = "/api/admin/services/health"
# The services other than the admin, in the route table's order (the admin, last in the table,
# is the process answering the page).
ROUTED = [route.name for route in load_routes().services if route.name != "admin"]


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test works on a copy."""
    path = tmp_path_factory.mktemp("admin-services") / "template.sqlite3"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def platform_settings(
    root: Path, template: Path, upstreams: dict[str, str], **admin: object
) -> Settings:
    """Settings whose every upstream is named (none left on the default local ports)."""
    database = root / f"app-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copy(template, database)
    closed = closed_port_url()
    return make_settings(
        root / "var",
        database={"url": f"sqlite+aiosqlite:///{database}"},
        gateway={"upstreams": {name: upstreams.get(name, closed) for name in [*ROUTED, "admin"]}},
        admin=admin,
    )


@pytest.fixture
def platform(tmp_path: Path, migrated_template: Path) -> Platform:
    """Starts the app serving `services` (auth and admin unless told), its upstreams at
    `upstreams` (a refused port for the others), with `admin` settings."""

    @asynccontextmanager
    async def start(
        upstreams: dict[str, str], services: tuple[str, ...] = ("auth", "admin"), **admin: object
    ) -> AsyncIterator[Site]:
        settings = platform_settings(tmp_path, migrated_template, upstreams, **admin)
        app = create_app(settings, services=list(services))
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield app, client

    return start


@pytest.fixture
def fleet() -> Iterator[dict[str, MonitoredService]]:
    """Four service processes: steady, failing (5xx), slow (p95) and unready (database)."""
    started: dict[str, MonitoredService] = {}
    try:
        for name in ("steady", "failing", "slow", "unready"):
            started[name] = MonitoredService().__enter__()
        started["unready"].database_ok = False
        yield started
    finally:
        for service in started.values():
            service.signal_stop()
        for service in started.values():
            service.stop()


def fleet_upstreams(fleet: dict[str, MonitoredService]) -> dict[str, str]:
    """users and resumes share the steady process; analytics and notifications are refused."""
    return {
        "users": fleet["steady"].base_url,
        "resumes": fleet["steady"].base_url,
        "jobs": fleet["failing"].base_url,
        "ai": fleet["slow"].base_url,
        "auto-apply": fleet["unready"].base_url,
    }


def fleet_traffic(fleet: dict[str, MonitoredService]) -> None:
    # users: 100 requests, 3 of them 500s; 90 within 25 ms, 10 in (0.25 s, 0.5 s].
    fleet["steady"].serve("users", count=90, seconds=0.02)
    fleet["steady"].serve("users", count=7, seconds=0.3)
    fleet["steady"].serve("users", count=3, seconds=0.3, status=500)
    # jobs: 2 of 20 failed (10 %), all within 10 ms.
    fleet["failing"].serve("jobs", count=18, seconds=0.01)
    fleet["failing"].serve("jobs", count=2, seconds=0.01, status=503)
    # ai: 10 requests of 3 s each, in the (2.5 s, 5 s] bucket.
    fleet["slow"].serve("ai", count=10, seconds=3.0)
    # Another service's traffic in the same process must not count for ai.
    fleet["slow"].serve("notifications", count=50, seconds=0.001, status=500)


def rows(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in body["services"]}


async def admin_headers(app: Any, client: httpx.AsyncClient) -> dict[str, str]:
    return await sign_in(client, app, "root@example.com", admin=True)


async def test_every_service_is_judged_from_its_probes(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    fleet_traffic(fleet)
    async with platform(fleet_upstreams(fleet)) as (app, client):
        headers = await admin_headers(app, client)
        response = await client.get(HEALTH, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["checked_at"].endswith("+00:00") or body["checked_at"].endswith("Z")
    found = rows(body)
    # The route table's services in its order, then the admin.
    assert list(found) == [*ROUTED, "admin"]

    users = found["users"]
    assert users["status"] == "healthy"
    assert users["url"] == fleet["steady"].base_url
    assert users["served_here"] is False
    assert users["requests"] == 100
    assert users["error_rate"] == pytest.approx(0.03)
    # The 95th of 100 lies halfway through the 10 requests of the (0.25, 0.5] bucket.
    assert users["p95_seconds"] == pytest.approx(0.375)
    assert 3600 <= users["uptime_seconds"] < 3660
    assert users["window"] == "since start"
    assert users["window_seconds"] == pytest.approx(users["uptime_seconds"])
    assert users["problems"] == []
    assert users["failing_checks"] == []
    assert users["last_check"] >= body["checked_at"]
    assert users["checked_in_ms"] > 0

    # Same process, its own label: no traffic yet is healthy, with no figures to show.
    resumes = found["resumes"]
    assert resumes["status"] == "healthy"
    assert resumes["url"] == users["url"]
    assert resumes["requests"] == 0
    assert resumes["p95_seconds"] is None
    assert resumes["error_rate"] is None

    jobs = found["jobs"]
    assert jobs["status"] == "degraded"
    assert jobs["error_rate"] == pytest.approx(0.10)
    assert jobs["p95_seconds"] == pytest.approx(0.00975)
    assert jobs["problems"] == ["10.0% of requests failed with a 5xx (more than 5%)"]

    ai = found["ai"]
    assert ai["status"] == "degraded"
    assert ai["requests"] == 10
    assert ai["error_rate"] == 0
    assert ai["p95_seconds"] == pytest.approx(4.875)
    assert ai["problems"] == ["p95 latency 4.88 s (more than 2 s)"]

    unready = found["auto-apply"]
    assert unready["status"] == "degraded"
    assert unready["failing_checks"] == ["database"]
    assert unready["problems"] == ["database: connection refused"]

    for name in ("analytics", "notifications"):
        down = found[name]
        assert down["status"] == "down", name
        assert down["problems"] == ["no connection (refused or unreachable)"]
        assert down["uptime_seconds"] is None
        assert down["requests"] is None
        assert down["window"] is None

    # What this process serves is probed in-process: one readiness answer and one scrape.
    for name in ("auth", "admin"):
        here = found[name]
        assert here["served_here"] is True, name
        assert here["url"] is None
        assert here["status"] in {"healthy", "degraded"}
        assert here["failing_checks"] == []
        assert here["uptime_seconds"] > 0
        assert here["window"] == "since start"
    # One probe per process, not per service: users and resumes share the steady one.
    assert fleet["steady"].probes == 2


async def test_later_checks_measure_the_traffic_since_the_earlier_ones(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    fleet_traffic(fleet)
    async with platform(fleet_upstreams(fleet)) as (app, client):
        headers = await admin_headers(app, client)
        first = rows((await client.get(HEALTH, headers=headers)).json())
        assert first["users"]["requests"] == 100
        # Twenty quick failures since: the window holds them only.
        fleet["steady"].serve("users", count=20, seconds=0.001, status=500)
        second = rows((await client.get(HEALTH, headers=headers)).json())
        users = second["users"]
        assert users["window"] == "recent"
        assert 0 < users["window_seconds"] < 60
        assert users["requests"] == 20
        assert users["error_rate"] == 1.0
        assert users["p95_seconds"] == pytest.approx(0.00475)
        assert users["status"] == "degraded"
        assert users["problems"] == ["100.0% of requests failed with a 5xx (more than 5%)"]
        # The uptime is not a window: it still counts from the process's start.
        assert users["uptime_seconds"] >= first["users"]["uptime_seconds"]
        # No traffic since the first check: healthy, whatever happened before.
        assert second["jobs"]["requests"] == 0
        assert second["jobs"]["status"] == "healthy"
        assert second["ai"]["status"] == "healthy"
        for name in ("auth", "admin"):
            assert second[name]["window"] == "recent"
            assert second[name]["status"] == "healthy", second[name]["problems"]

        # The window reaches back to the oldest check within it (5 minutes), not only to the
        # previous one: a third check still sees the same twenty requests.
        third = rows((await client.get(HEALTH, headers=headers)).json())
        assert third["users"]["requests"] == 20
        assert third["users"]["window_seconds"] > users["window_seconds"]


async def test_a_restarted_service_is_measured_since_its_new_start(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    fleet_traffic(fleet)
    async with platform(fleet_upstreams(fleet)) as (app, client):
        headers = await admin_headers(app, client)
        await client.get(HEALTH, headers=headers)
        fleet["steady"].restart()
        fleet["steady"].serve("users", count=4, seconds=0.02)
        users = rows((await client.get(HEALTH, headers=headers)).json())["users"]
    assert users["window"] == "since start"
    assert users["requests"] == 4
    assert users["uptime_seconds"] < 60
    assert users["error_rate"] == 0
    assert users["status"] == "healthy"


async def test_a_readyz_that_does_not_answer_in_time_is_down(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    fleet["steady"].readyz_delay = 0.8
    async with platform(fleet_upstreams(fleet), probe_timeout_seconds=0.3) as (app, client):
        headers = await admin_headers(app, client)
        found = rows((await client.get(HEALTH, headers=headers)).json())
    assert found["users"]["status"] == "down"
    assert found["users"]["problems"] == ["/readyz did not answer within 0.3 s"]
    assert found["users"]["checked_in_ms"] < 1000
    # The same process serves resumes; the other processes answered at once.
    assert found["resumes"]["status"] == "down"
    assert found["jobs"]["status"] == "healthy"


async def test_the_embedded_platform_probes_itself_once_for_every_service(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    # `jobpilot serve`: every service in this process; the upstreams are never asked.
    async with platform(fleet_upstreams(fleet), services=()) as (app, client):
        headers = await admin_headers(app, client)
        await client.get("/api/v1/jobs", headers=headers)
        first = rows((await client.get(HEALTH, headers=headers)).json())
        await client.get("/api/v1/jobs", headers=headers)
        second = rows((await client.get(HEALTH, headers=headers)).json())
    assert list(first) == [*ROUTED, "admin"]
    assert {(r["served_here"], r["url"]) for r in first.values()} == {(True, None)}
    assert len({r["last_check"] for r in first.values()}) == 1
    assert fleet["steady"].probes == fleet["failing"].probes == 0
    assert all(r["window"] == "recent" for r in second.values())
    assert second["jobs"]["requests"] == 1
    assert second["jobs"]["error_rate"] == 0
    assert second["jobs"]["status"] == "healthy"
    assert second["users"]["requests"] == 0


class ServedService(ServedApp):
    """One real service of the platform (`jobpilot serve --service NAME`) in a thread."""

    thread_name = "served-service"
    lifespan = "on"

    def __init__(self, settings: Settings, service: str) -> None:
        super().__init__()
        self.app = create_app(settings, services=[service])


async def test_a_real_service_process_is_probed_over_http(
    platform: Platform, tmp_path: Path, migrated_template: Path
) -> None:
    (tmp_path / "jobs").mkdir()
    jobs_settings = platform_settings(tmp_path / "jobs", migrated_template, {})
    with ServedService(jobs_settings, "jobs") as jobs:
        async with platform({"jobs": jobs.base_url}) as (app, client):
            headers = await admin_headers(app, client)
            first = rows((await client.get(HEALTH, headers=headers)).json())["jobs"]
            assert first["status"] == "healthy", first["problems"]
            assert first["url"] == jobs.base_url
            assert first["window"] == "since start"
            async with httpx.AsyncClient(base_url=jobs.base_url, trust_env=False) as direct:
                for _ in range(3):
                    assert (await direct.get("/api/v1/jobs/status")).status_code == 200
            second = rows((await client.get(HEALTH, headers=headers)).json())["jobs"]
    assert second["status"] == "healthy", second["problems"]
    assert second["window"] == "recent"
    # The three calls, and the first check's own probes of that process.
    assert 3 <= second["requests"] <= 6
    assert second["error_rate"] == 0
    assert second["p95_seconds"] is not None
    assert second["uptime_seconds"] > 0


async def test_self_url_probes_this_process_over_http_instead(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    steady = fleet["steady"]
    steady.serve("auth", count=10, seconds=0.3)
    async with platform(fleet_upstreams(fleet), self_url=steady.base_url + "/") as (app, client):
        headers = await admin_headers(app, client)
        found = rows((await client.get(HEALTH, headers=headers)).json())
    auth = found["auth"]
    assert auth["served_here"] is True
    assert auth["url"] == steady.base_url
    assert auth["requests"] == 10
    assert auth["p95_seconds"] == pytest.approx(0.25 + 0.25 * 9.5 / 10)
    assert found["admin"]["url"] == steady.base_url


async def test_the_json_is_for_admins_only_and_refusals_probe_nothing(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    async with platform(fleet_upstreams(fleet)) as (app, client):
        assert_error(await client.get(HEALTH), 401, "invalid_token")
        member = await sign_in(client, app, "ada@example.com")
        assert_error(await client.get(HEALTH, headers=member), 403, "forbidden")
        assert fleet["steady"].probes == 0
        admin = await admin_headers(app, client)
        assert (await client.get(HEALTH, headers=admin)).status_code == 200
        assert fleet["steady"].probes == 2
        # Documented in the API schema, with its response model.
        schema = (await client.get("/openapi.json")).json()
        operation = schema["paths"][HEALTH]["get"]
        assert {"200", "401", "403"} <= set(operation["responses"])
        assert "ServicesHealthRead" in schema["components"]["schemas"]


def status_of(page: httpx.Response, service: str) -> str:
    match = re.search(
        rf'<tr data-service="{re.escape(service)}">.*?data-status="(\w+)">.*?</span> (\w+)</span>',
        page.text,
        re.S,
    )
    assert match, service
    assert match.group(1).lower() == match.group(2).lower()
    return match.group(2)


async def test_an_admin_sees_every_service_in_a_table_that_refreshes_itself(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    fleet_traffic(fleet)
    async with platform(fleet_upstreams(fleet)) as (app, client):
        await web_sign_in_admin(app, client, name="Root")
        home = await client.get("/admin")
        assert 'href="/admin/services"' in home.text

        page = await client.get("/admin/services")
        assert page.status_code == 200, page.text
        assert page.text.lstrip().lower().startswith("<!doctype html>")
        assert "<h1>Services</h1>" in page.text
        assert '<a href="/admin/services" aria-current="page">Services</a>' in page.text
        assert "<caption" in page.text
        assert page.text.count('<th scope="col"') == 7
        assert page.text.count('<th scope="row">') == len(ROUTED) + 1
        assert status_of(page, "users") == "Healthy"
        assert status_of(page, "jobs") == "Degraded"
        assert status_of(page, "auto-apply") == "Degraded"
        assert status_of(page, "analytics") == "Down"
        assert "database: connection refused" in page.text
        # The services this process serves count since it started: other tests' traffic too.
        assert re.search(r"\d healthy, \d degraded, 2 down\.", page.text)
        users = page.text.split('<tr data-service="users">')[1].split("</tr>")[0]
        assert "375 ms" in users
        assert "3.0%" in users
        assert "1 h 0 min" in users
        assert "since start" in users
        assert 'hx-get="/admin/services"' in page.text
        assert 'hx-trigger="every 30s"' in page.text

        fleet["unready"].database_ok = True
        fragment = await client.get("/admin/services", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="services"')
    assert "<html" not in fragment.text
    assert "<header" not in fragment.text
    assert 'hx-trigger="every 30s"' in fragment.text
    assert 'hx-get="/admin/services"' in fragment.text
    assert "<table" in fragment.text
    assert status_of(fragment, "auto-apply") == "Healthy"
    assert "HX-Request" in fragment.headers["vary"]


async def test_the_refresh_interval_comes_from_the_settings(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    async with platform(fleet_upstreams(fleet), refresh_seconds=5) as (app, client):
        await web_sign_in_admin(app, client)
        page = await client.get("/admin/services")
    assert 'hx-trigger="every 5s"' in page.text
    assert "checks again every 5 s." in page.text


async def test_the_page_is_refused_to_members_and_sends_visitors_to_sign_in(
    platform: Platform, fleet: dict[str, MonitoredService]
) -> None:
    async with platform(fleet_upstreams(fleet)) as (app, client):
        anonymous = await client.get("/admin/services")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=/admin/services"
        hx = await client.get("/admin/services", headers={"HX-Request": "true"})
        assert hx.status_code == 401
        assert hx.headers["hx-redirect"] == "/login?next=/admin/services"

        await web_sign_in_member(app, client)
        page = await client.get("/admin/services")
        assert page.status_code == 403
        assert page.headers["content-type"].startswith("text/html")
        assert "You cannot open this page" in page.text
        assert "<table" not in page.text
        fragment = await client.get("/admin/services", headers={"HX-Request": "true"})
        assert fragment.status_code == 403
        assert "<table" not in fragment.text
    assert fleet["steady"].probes == 0

"""The assembled platform: health, service selection, errors, metrics, docs and demo data."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select

from jobpilot.jobs.models import Company
from jobpilot.jobs.seed import seed_demo
from jobpilot.kit import migrate
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.errors import Conflict
from jobpilot.kit.web import DbSession
from jobpilot.main import create_app
from jobpilot.registry import service_names
from jobpilot.settings import Settings
from support import assert_error, client_for, make_settings, sign_in


@pytest.fixture
async def seeded_client(settings: Settings, sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings.database.url = sqlite_url
    db = Database(sqlite_url)
    async with db.unit_of_work() as session:
        await seed_demo(session)
    await db.dispose()
    app = create_app(settings)
    async for c in client_for(app):
        c.headers.update(await sign_in(c, app))
        yield c


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "alive"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "schema": "ok"}


async def test_readiness_fails_until_the_database_is_migrated(tmp_path: Path) -> None:
    async for c in client_for(create_app(make_settings(tmp_path))):
        error = assert_error(await c.get("/readyz"), 503, "not_ready")
        checks = error["details"]["checks"]  # type: ignore[index]
        assert checks["database"] == "ok"
        assert checks["schema"] == (
            f"at revision none, expected {migrate.packaged_head()}: run `jobpilot migrate`"
        )


async def test_readiness_names_the_dependency_that_is_down(tmp_path: Path) -> None:
    # Nothing listens on port 9: the database is unreachable.
    settings = make_settings(tmp_path, database={"url": "postgresql://nobody@127.0.0.1:9/none"})
    async for c in client_for(create_app(settings)):
        assert (await c.get("/healthz")).status_code == 200
        error = assert_error(await c.get("/readyz"), 503, "not_ready")
        assert "database" in str(error["message"])
        assert error["details"]["checks"]["database"].startswith("unreachable")  # type: ignore[index]


@pytest.mark.redis
async def test_readiness_checks_redis_when_configured(
    tmp_path: Path, sqlite_url: str, redis_url: str
) -> None:
    settings = make_settings(tmp_path, database={"url": sqlite_url}, redis={"url": redis_url})
    async for c in client_for(create_app(settings)):
        checks = (await c.get("/readyz")).json()["checks"]
        assert checks == {"database": "ok", "schema": "ok", "redis": "ok"}

    down = make_settings(
        tmp_path, database={"url": sqlite_url}, redis={"url": "redis://127.0.0.1:9/0"}
    )
    async for c in client_for(create_app(down)):
        error = assert_error(await c.get("/readyz"), 503, "not_ready")
        assert "redis" in str(error["message"])
        assert "database" not in str(error["message"])


async def test_one_service_alone_serves_only_its_routes(
    settings: Settings, sqlite_url: str
) -> None:
    settings.database.url = sqlite_url
    async for c in client_for(create_app(settings, services=["auth"])):
        status = await c.get("/api/v1/auth/status")
        assert status.status_code == 200
        assert status.json()["service"] == "auth"
        assert_error(await c.get("/api/v1/jobs"), 404, "not_found")
        assert_error(await c.get("/api/v1/jobs/status"), 404, "not_found")
        paths = (await c.get("/openapi.json")).json()["paths"]
        assert all(p.startswith("/api/v1/auth") for p in paths)


async def test_every_service_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert {t["name"] for t in spec["tags"]} == set(service_names())
    tagged = {tag for op in spec["paths"].values() for m in op.values() for tag in m["tags"]}
    assert tagged == set(service_names())
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_demo_jobs_can_be_searched_and_read(seeded_client: httpx.AsyncClient) -> None:
    newest = (await seeded_client.get("/api/v1/jobs", params={"limit": 100, "sort": "date"})).json()
    assert newest["total"] > 500
    listed = [job["listed_at"] for job in newest["items"]]
    assert listed == sorted(listed, reverse=True)
    found = (
        await seeded_client.get("/api/v1/jobs", params={"q": "engineer", "remote": "remote"})
    ).json()
    assert found["total"] > 0
    assert all(job["workplace"] == "remote" for job in found["items"])
    scores = [job["score"] for job in found["items"]]
    assert scores == sorted(scores, reverse=True)

    job_id = found["items"][0]["id"]
    job = (await seeded_client.get(f"/api/v1/jobs/{job_id}")).json()
    assert "engineer" in (job["title"] + job["description_text"]).lower()
    company = (await seeded_client.get(f"/api/v1/companies/{job['company']['id']}")).json()
    assert company["slug"] == job["company"]["slug"]
    assert company["open_postings"] >= 1
    assert all(not board["active"] for board in company["boards"])  # never fetched
    companies = (await seeded_client.get("/api/v1/companies", params={"limit": 100})).json()
    assert companies["total"] == 40
    names = [c["name"] for c in companies["items"]]
    assert names == sorted(names)

    assert_error(await seeded_client.get(f"/api/v1/jobs/{uuid.uuid4()}"), 404, "job_not_found")
    assert_error(await seeded_client.get("/api/v1/jobs/not-a-uuid"), 422, "validation_error")
    assert_error(await seeded_client.get("/api/v1/jobs?limit=1000"), 422, "validation_error")


async def test_seeding_twice_changes_nothing(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    async with db.unit_of_work() as session:
        first = await seed_demo(session)
    assert re.match(r"\d+ demo boards: \d{3} new postings, [1-9]\d* listings merged", first)
    async with db.unit_of_work() as session:
        again = await seed_demo(session)
    assert again.endswith(": 0 new postings, 0 listings merged into existing postings, 0 updated")
    await db.dispose()


class Thing(BaseModel):
    name: str
    size: int


def _probe_router() -> APIRouter:
    router = APIRouter()

    @router.post("/api/v1/jobs/_probe/things")
    async def create_thing(thing: Thing) -> Thing:
        return thing

    @router.get("/api/v1/jobs/_probe/crash")
    async def crash() -> None:
        raise RuntimeError("secret internal detail")

    @router.post("/api/v1/jobs/_probe/companies/{slug}")
    async def add_company(slug: str, session: DbSession, fail: bool = False) -> None:
        now = utcnow()
        session.add(Company(id=uuid.uuid4(), slug=slug, name=slug, created_at=now, updated_at=now))
        await session.flush()
        if fail:
            raise Conflict("Changed my mind.")

    @router.api_route("/api/v1/jobs/_probe/lock", methods=["GET", "POST"])
    async def lock(request: Request, session: DbSession) -> dict[str, bool]:
        # After a first read, does this request's transaction hold SQLite's write lock?
        await session.execute(select(Company.id).limit(1))
        path = request.app.state.db.url.split("///", 1)[1]
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            held = False
        except sqlite3.OperationalError:
            held = True
        finally:
            other.close()
        return {"holds_write_lock": held}

    @router.get("/api/v1/jobs/_probe/conflict")
    async def conflict() -> None:
        raise Conflict("Already there.", details={"id": 7})

    return router


@pytest.fixture
async def probed_client(settings: Settings, sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings.database.url = sqlite_url
    app = create_app(settings)
    app.include_router(_probe_router())
    async for c in client_for(app):
        c.headers.update(await sign_in(c, app))
        yield c


async def test_errors_have_one_json_shape(probed_client: httpx.AsyncClient) -> None:
    c = probed_client
    ok = await c.post("/api/v1/jobs/_probe/things", json={"name": "a", "size": 1})
    assert ok.status_code == 200
    malformed = await c.post(
        "/api/v1/jobs/_probe/things",
        content=b'{"name": "a", "size": ',
        headers={"Content-Type": "application/json"},
    )
    assert_error(malformed, 400, "invalid_json")
    invalid = assert_error(
        await c.post("/api/v1/jobs/_probe/things", json={"name": "a", "size": "big"}),
        422,
        "validation_error",
    )
    assert "size" in str(invalid["details"])
    assert_error(await c.get("/no/such/route"), 404, "not_found")
    assert_error(await c.delete("/api/v1/jobs"), 405, "method_not_allowed")
    assert_error(await c.get("/api/v1/jobs/_probe/conflict"), 409, "conflict")

    crash = await c.get("/api/v1/jobs/_probe/crash", headers={"X-Request-ID": "req-crash-1"})
    error = assert_error(crash, 500, "internal_error")
    assert "secret internal detail" not in crash.text
    assert "Traceback" not in crash.text
    assert crash.headers["X-Request-ID"] == "req-crash-1"
    assert "req-crash-1" in str(error["details"])


async def test_a_request_commits_all_of_its_work_or_none(
    probed_client: httpx.AsyncClient, sqlite_url: str
) -> None:
    ok = await probed_client.post("/api/v1/jobs/_probe/companies/kept")
    assert ok.status_code == 200
    failed = await probed_client.post("/api/v1/jobs/_probe/companies/dropped?fail=true")
    assert_error(failed, 409, "conflict")
    slugs = [c["slug"] for c in (await probed_client.get("/api/v1/companies")).json()["items"]]
    assert slugs == ["kept"]


async def test_requests_that_may_write_take_the_write_lock_first(
    probed_client: httpx.AsyncClient,
) -> None:
    # A transaction that reads and then writes would fail at once (not wait) if another process
    # wrote in between; so a POST waits for the write lock at its first statement, and a GET
    # does not take it at all.
    post = await probed_client.post("/api/v1/jobs/_probe/lock")
    get = await probed_client.get("/api/v1/jobs/_probe/lock")
    assert post.json() == {"holds_write_lock": True}
    assert get.json() == {"holds_write_lock": False}


async def test_oversized_bodies_are_refused(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path, database={"url": sqlite_url}, http={"max_body_bytes": 2048})
    app = create_app(settings)
    app.include_router(_probe_router())
    async for c in client_for(app):
        big = {"name": "x" * 5000, "size": 1}
        assert_error(await c.post("/api/v1/jobs/_probe/things", json=big), 413, "payload_too_large")


async def test_metrics_label_routes_by_template(seeded_client: httpx.AsyncClient) -> None:
    page = (await seeded_client.get("/api/v1/jobs")).json()
    for job in page["items"][:3]:
        await seeded_client.get(f"/api/v1/jobs/{job['id']}")
    await seeded_client.get(f"/api/v1/jobs/{uuid.uuid4()}")
    text = (await seeded_client.get("/metrics")).text
    assert 'route="/api/v1/jobs/{job_id}"' in text
    assert 'service="jobs"' in text
    assert page["items"][0]["id"] not in text
    assert "http_request_duration_seconds_bucket" in text
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("http_requests_total{")
        and 'route="/api/v1/jobs/{job_id}"' in line
        and 'status="200"' in line
    ]
    assert lines
    assert float(lines[0].rsplit(" ", 1)[1]) >= 3


async def test_traces_reach_an_otlp_collector(tmp_path: Path, sqlite_url: str) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    received: list[tuple[str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        settings = make_settings(tmp_path, database={"url": sqlite_url}, otlp_endpoint=endpoint)
        async for c in client_for(create_app(settings, services=["jobs"])):
            assert (await c.get("/api/v1/jobs")).status_code == 401  # still traced
        # Leaving the lifespan shuts the provider down, which flushes the batch.
    finally:
        server.shutdown()
        server.server_close()

    assert received, "no spans were exported"
    spans = []
    for path, body in received:
        assert path == "/v1/traces"
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert attrs["service.name"] == "jobs"
            spans += [s for scope in resource_spans.scope_spans for s in scope.spans]
    routes = {a.value.string_value for s in spans for a in s.attributes if a.key == "http.route"}
    assert "/api/v1/jobs" in routes

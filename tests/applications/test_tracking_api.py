"""/api/v1/applications: one application per user and job (reposts included), statuses users
set and those auto-apply sets, timelines, notes, the board and the CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from jobpilot import registry, wiring
from jobpilot.applications.models import Application
from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.jobs.models import Posting
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, ingest_board, sign_in


@dataclass
class World:
    app: Any
    http: httpx.AsyncClient
    headers: dict[str, str]
    jobs: list[str]

    async def post(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.post(
            "/api/v1/applications", json=body, headers=headers or self.headers
        )


@pytest.fixture
async def world(settings: Settings, migrated_url: str) -> AsyncIterator[World]:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        now = datetime.now(UTC)
        postings = [
            AtsPosting(
                ats="greenhouse",
                tenant="acme",
                source_id=str(n),
                title=title,
                company_name="Acme",
                locations=["Berlin, Germany"],
                description_html=f"<p>{title} at Acme.</p>",
                posted_at=now,
                url=f"https://boards.greenhouse.io/acme/jobs/{n}",
            )
            for n, title in enumerate(["Backend Engineer", "Data Engineer", "Designer"])
        ]
        await ingest_board(container, "Acme", "https://acme.example", postings, now)
        async with container.db.unit_of_work() as session:
            rows = await session.scalars(select(Posting).order_by(Posting.title))
            jobs = [str(p.id) for p in rows]
        yield World(app, http, await sign_in(http, app, "ada@example.com"), jobs)


async def test_an_application_records_the_posting_and_answers_409_the_second_time(
    world: World,
) -> None:
    created = await world.post({"job_id": world.jobs[0], "note": "Referred by Sam"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["company"], body["title"], body["status"], body["source"]) == (
        "Acme",
        "Backend Engineer",
        "saved",
        "tracked",
    )
    assert body["url"] == "https://boards.greenhouse.io/acme/jobs/0"
    assert body["applied_at"] is None
    assert [n["body"] for n in body["notes"]] == ["Referred by Sam"]
    assert [e["kind"] for e in body["timeline"]] == ["created", "note_added"]
    again = await world.post({"job_id": world.jobs[0], "status": "submitted"})
    details = assert_error(again, 409, "application_exists")["details"]
    assert details == {"application_id": body["id"]}


async def test_a_repost_of_the_same_job_is_the_same_application(world: World) -> None:
    first = await world.post({"job_id": world.jobs[0]})
    assert first.status_code == 201, first.text
    container: wiring.Container = world.app.state.container
    async with container.db.writer_sessionmaker() as session, session.begin():
        original = await session.get(Posting, uuid.UUID(world.jobs[0]))
        assert original is not None
        repost = Posting(
            **{c.key: getattr(original, c.key) for c in Posting.__table__.columns if c.key != "id"},
            id=uuid.uuid4(),
        )
        session.add(repost)
    response = await world.post({"job_id": str(repost.id)})
    assert_error(response, 409, "application_exists")


async def test_jobs_found_elsewhere_are_tracked_by_hand(world: World) -> None:
    body = {
        "company": "Initech",
        "title": "Platform Engineer",
        "url": "https://initech.example/jobs/7",
        "status": "submitted",
    }
    first = await world.post(body)
    assert first.status_code == 201, first.text
    assert (first.json()["source"], first.json()["job_id"]) == ("manual", None)
    assert first.json()["applied_at"] is not None
    second = await world.post(body)
    assert second.status_code == 201, second.text  # the same title twice is the user's call


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"company": "Initech"},
        {"job_id": str(uuid.uuid4()), "company": "Initech", "title": "X"},
        {"company": "Initech", "title": "X", "status": "submitting"},
        {"company": "Initech", "title": "X", "status": "nonsense"},
        {"company": "Initech", "title": "X", "url": "not a url"},
        {"company": "Initech", "title": "X", "extra": 1},
    ],
)
async def test_bad_requests_are_refused(world: World, body: dict[str, Any]) -> None:
    assert_error(await world.post(body), 422, "validation_error")


async def test_unknown_jobs_and_other_peoples_resume_versions_are_refused(world: World) -> None:
    assert_error(await world.post({"job_id": str(uuid.uuid4())}), 404, "job_not_found")
    other = await sign_in(world.http, world.app, "bob@example.com")
    resume = await world.http.post(
        "/api/v1/resumes",
        json={"name": "Bob", "resume": {"basics": {"name": "Bob"}}},
        headers=other,
    )
    assert resume.status_code == 201, resume.text
    version_id = resume.json()["version"]["id"]
    refused = await world.post({"job_id": world.jobs[0], "resume_version_id": version_id})
    assert_error(refused, 404, "resume_version_not_found")
    mine = await world.post(
        {"job_id": world.jobs[0], "resume_version_id": version_id}, headers=other
    )
    assert mine.status_code == 201, mine.text
    assert mine.json()["resume"] == {
        "resume_id": resume.json()["id"],
        "version": 1,
        "version_id": version_id,
    }


async def test_users_move_their_applications_and_auto_apply_statuses_are_not_theirs(
    world: World,
) -> None:
    created = (await world.post({"job_id": world.jobs[1]})).json()
    url = f"/api/v1/applications/{created['id']}"
    moved = await world.http.patch(url, json={"status": "submitted"}, headers=world.headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["applied_at"] is not None
    interviewing = await world.http.patch(
        url, json={"status": "interviewing"}, headers=world.headers
    )
    timeline = interviewing.json()["timeline"]
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("created", None, "saved"),
        ("status_changed", "saved", "submitted"),
        ("status_changed", "submitted", "interviewing"),
    ]
    refused = await world.http.patch(url, json={"status": "submitting"}, headers=world.headers)
    assert_error(refused, 422, "status_not_settable")
    assert_error(
        await world.http.patch(url, json={}, headers=world.headers), 422, "validation_error"
    )
    container: wiring.Container = world.app.state.container
    async with container.db.writer_sessionmaker() as session, session.begin():
        await session.execute(update(Application).values(status="submitting"))
    busy = await world.http.patch(url, json={"status": "withdrawn"}, headers=world.headers)
    assert_error(busy, 409, "application_in_flight")
    assert_error(await world.http.delete(url, headers=world.headers), 409, "application_in_flight")


async def test_only_the_owner_sees_an_application(world: World) -> None:
    created = (await world.post({"job_id": world.jobs[1]})).json()
    other = await sign_in(world.http, world.app, "eve@example.com")
    url = f"/api/v1/applications/{created['id']}"
    assert_error(await world.http.get(url, headers=other), 404, "application_not_found")
    assert_error(
        await world.http.patch(url, json={"status": "withdrawn"}, headers=other),
        404,
        "application_not_found",
    )
    assert_error(await world.http.delete(url, headers=other), 404, "application_not_found")
    listed = await world.http.get("/api/v1/applications", headers=other)
    assert listed.json()["total"] == 0
    csv_text = (await world.http.get("/api/v1/applications/export.csv", headers=other)).text
    assert csv_text.count("\n") == 1
    assert (await world.http.get("/api/v1/applications")).status_code == 401


async def test_notes_are_kept_edited_and_deleted_on_the_timeline(world: World) -> None:
    created = (await world.post({"job_id": world.jobs[2]})).json()
    notes = f"/api/v1/applications/{created['id']}/notes"
    added = await world.http.post(notes, json={"body": "Call on Monday"}, headers=world.headers)
    assert added.status_code == 201, added.text
    note = f"{notes}/{added.json()['id']}"
    edited = await world.http.patch(note, json={"body": "Call on Tuesday"}, headers=world.headers)
    assert edited.json()["body"] == "Call on Tuesday"
    assert_error(
        await world.http.post(notes, json={"body": ""}, headers=world.headers),
        422,
        "validation_error",
    )
    assert (await world.http.delete(note, headers=world.headers)).status_code == 204
    assert_error(await world.http.delete(note, headers=world.headers), 404, "note_not_found")
    detail = (
        await world.http.get(f"/api/v1/applications/{created['id']}", headers=world.headers)
    ).json()
    assert detail["notes"] == []
    assert [e["kind"] for e in detail["timeline"]] == [
        "created",
        "note_added",
        "note_edited",
        "note_deleted",
    ]


async def test_the_board_and_the_list_group_and_filter(world: World) -> None:
    await world.post({"job_id": world.jobs[0], "status": "submitted"})
    await world.post({"job_id": world.jobs[1], "status": "interviewing"})
    await world.post({"job_id": world.jobs[2]})
    await world.post({"company": "Initech", "title": "Platform Engineer", "status": "rejected"})
    board = (await world.http.get("/api/v1/applications/board", headers=world.headers)).json()
    columns = [c["status"] for c in board["columns"]]
    assert columns[:5] == ["saved", "queued", "awaiting_review", "submitting", "submitted"]
    counts = {c["status"]: c["count"] for c in board["columns"]}
    assert (counts["saved"], counts["submitted"], counts["interviewing"], counts["rejected"]) == (
        1,
        1,
        1,
        1,
    )
    assert board["total"] == 4
    listed = await world.http.get(
        "/api/v1/applications",
        params={"status": ["submitted", "interviewing"], "limit": 1},
        headers=world.headers,
    )
    assert (listed.json()["total"], len(listed.json()["items"])) == (2, 1)
    found = await world.http.get(
        "/api/v1/applications", params={"q": "initech"}, headers=world.headers
    )
    assert [i["company"] for i in found.json()["items"]] == ["Initech"]


async def test_the_csv_export_holds_every_application_and_defuses_formulas(world: World) -> None:
    await world.post({"job_id": world.jobs[0], "status": "submitted", "note": "first"})
    await world.post({"company": '=HYPERLINK("http://evil")', "title": "+1 Engineer"})
    response = await world.http.get("/api/v1/applications/export.csv", headers=world.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["company"] for r in rows] == ["Acme", '\'=HYPERLINK("http://evil")']
    assert rows[1]["title"] == "'+1 Engineer"
    assert (rows[0]["status"], rows[0]["notes"]) == ("submitted", "first")


async def test_a_deleted_account_takes_its_applications_along(world: World) -> None:
    await world.post({"job_id": world.jobs[0], "note": "keep?"})
    exported = await world.http.get("/api/v1/users/me/export", headers=world.headers)
    assert exported.status_code == 200, exported.text
    assert len(exported.json()["applications"]["applications"]) == 1
    gone = await world.http.request(
        "DELETE", "/api/v1/users/me", json={"confirm": "DELETE"}, headers=world.headers
    )
    assert gone.status_code in {200, 202, 204}, gone.text
    container: wiring.Container = world.app.state.container
    await wiring.build_worker(container, registry.domains()).drain()
    async with container.db.unit_of_work() as session:
        assert list(await session.scalars(select(Application))) == []

"""Sending approved applications through the worker: once, with evidence, paused by the kill
switch, capped per host, parked at walls, and never retried after it may have gone out."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update

from autoapply import (
    Seeker,
    ServedSandbox,
    approve,
    posting,
    prepared_for_review,
    require_chromium,
    seeker,
    store_postings,
)
from jobpilot import registry, wiring
from jobpilot.applications.models import Application, Submission
from jobpilot.applications.submission import KILL_SWITCH
from jobpilot.jobs.config import JobsSettings
from jobpilot.kit.clock import utcnow
from jobpilot.kit.tasks import Task
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, require_shared

RECRUITEE = [
    ("9001", "backend-engineer"),
    ("9002", "data-engineer"),
    ("9003", "platform-engineer"),
]


@dataclass
class World:
    app: Any
    http: httpx.AsyncClient
    container: wiring.Container
    sandbox: ServedSandbox
    who: Seeker
    jobs: dict[str, str]

    async def drain(self) -> None:
        await wiring.build_worker(self.container, registry.domains()).drain()

    async def detail(self, application_id: str) -> dict[str, Any]:
        response = await self.http.get(
            f"/api/v1/applications/{application_id}", headers=self.who.headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ServedSandbox]:
    with ServedSandbox(require_shared("fixtures", "ats"), slow_seconds=0.5) as served:
        yield served


@pytest.fixture
async def world(
    settings: Settings, migrated_url: str, sandbox: ServedSandbox
) -> AsyncIterator[World]:
    sandbox.clear()
    settings.database.url = migrated_url
    settings.jobs = JobsSettings(ats_proxy_url=sandbox.base_url, request_attempts=1)
    settings.applications.delay_min_seconds = 0
    settings.applications.delay_max_seconds = 0
    settings.applications.browser_allowed_hosts = ["127.0.0.1"]
    settings.applications.confirmation_timeout_seconds = 10
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        who = await seeker(http, app)
        postings = [
            posting(
                "recruitee", "acme", source_id,
                f"https://acme.recruitee.com/o/{slug}/c/new", slug.replace("-", " ").title(),
            )
            for source_id, slug in RECRUITEE
        ]  # fmt: skip
        jobs = await store_postings(container, postings)
        yield World(app, http, container, sandbox, who, jobs)


def _sample(ats: str, status: str) -> float:
    value = REGISTRY.get_sample_value("job_applications_total", {"ats": ats, "status": status})
    return value or 0.0


async def test_an_approved_application_is_sent_once_and_its_evidence_kept(world: World) -> None:
    before = _sample("recruitee", "success")
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["9001"]
    )
    approved = await approve(world.http, world.who, application_id)
    assert approved["status"] == "queued"
    await world.drain()

    detail = await world.detail(application_id)
    assert detail["status"] == "submitted", (detail["reason"], detail["reason_detail"])
    assert detail["applied_at"] is not None
    kinds = [(e["from_status"], e["to_status"]) for e in detail["timeline"] if e["to_status"]]
    assert ("queued", "submitting") in kinds
    assert ("submitting", "submitted") in kinds
    [received] = world.sandbox.submissions()
    assert received["fields"]["candidate[email]"] == "ada@example.com"
    assert received["fields"]["candidate[name]"] == "Ada Lovelace"
    [cv] = received["files"]
    assert cv["content_type"] == "application/pdf"
    assert _sample("recruitee", "success") == before + 1

    # What was sent is kept for the user: the fields, the resume file, the ATS's answer.
    attempts = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions", headers=world.who.headers
    )
    assert attempts.status_code == 200, attempts.text
    [attempt] = attempts.json()
    assert (attempt["status"], attempt["channel"], attempt["ats"]) == (
        "submitted", "api", "recruitee",
    )  # fmt: skip
    names = {e["name"] for e in attempt["evidence"]}
    assert "sent.json" in names
    assert any(name.startswith("files/") for name in names)
    sent = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions/{attempt['id']}/evidence/sent.json",
        headers=world.who.headers,
    )
    assert sent.status_code == 200
    fields = {f["key"]: f["value"] for f in sent.json()["fields"]}
    assert fields["candidate[email]"] == "ada@example.com"
    assert sent.json()["response"]["status"] == 201
    [file_name] = [n for n in names if n.startswith("files/")]
    pdf = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions/{attempt['id']}/evidence/{file_name}",
        headers=world.who.headers,
    )
    assert pdf.content.startswith(b"%PDF")

    # Another user sees none of it.
    other = await seeker(world.http, world.app, "eve@example.com")
    hidden = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions", headers=other.headers
    )
    assert_error(hidden, 404, "application_not_found")

    # The task running again (a redelivery) sends nothing more.
    async with world.container.db.unit_of_work(write=True) as session:
        from jobpilot.kit.tasks import enqueue

        await enqueue(session, "applications.submit_application", application_id=application_id)
    await world.drain()
    assert len(world.sandbox.submissions()) == 1


async def test_the_kill_switch_holds_queued_applications_until_it_is_lifted(
    world: World,
) -> None:
    await world.container.flags.set(KILL_SWITCH, True)
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["9002"]
    )
    await approve(world.http, world.who, application_id)
    await world.drain()
    assert (await world.detail(application_id))["status"] == "queued"
    assert world.sandbox.submissions() == []
    async with world.container.db.unit_of_work() as session:
        waiting = (
            await session.scalars(
                select(Task).where(
                    Task.name == "applications.submit_application", Task.status == "queued"
                )
            )
        ).all()
    assert len(waiting) == 1
    assert waiting[0].run_at > utcnow() + timedelta(minutes=5)

    await world.container.flags.set(KILL_SWITCH, False)
    async with world.container.db.unit_of_work(write=True) as session:
        await session.execute(update(Task).where(Task.id == waiting[0].id).values(run_at=utcnow()))
    await world.drain()
    assert (await world.detail(application_id))["status"] == "submitted"
    assert len(world.sandbox.submissions()) == 1


async def test_a_host_over_its_daily_cap_waits_for_tomorrow(world: World) -> None:
    world.container.submission.settings.per_host_daily_cap = 1
    first = await prepared_for_review(world.http, world.container, world.who, world.jobs["9001"])
    second = await prepared_for_review(world.http, world.container, world.who, world.jobs["9002"])
    await approve(world.http, world.who, first)
    await approve(world.http, world.who, second)
    await world.drain()
    statuses = sorted([(await world.detail(a))["status"] for a in (first, second)])
    assert statuses == ["queued", "submitted"]
    assert len(world.sandbox.submissions()) == 1


async def test_an_attempt_a_dead_worker_left_after_sending_becomes_unknown(world: World) -> None:
    before = _sample("recruitee", "unknown")
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["9003"]
    )
    await approve(world.http, world.who, application_id)
    # What a worker killed right after taking the idempotency key leaves behind.
    async with world.container.db.unit_of_work(write=True) as session:
        row = await session.get(Application, uuid.UUID(application_id))
        assert row is not None
        row.status = "submitting"
        session.add(
            Submission(
                id=uuid.uuid4(), application_id=row.id, ats="recruitee",
                host="acme.recruitee.com", channel="api", status="sending", evidence={},
                idempotency_key=f"application:{row.id}:submit", started_at=utcnow(),
                sent_at=utcnow(),
            )
        )  # fmt: skip
    await world.drain()
    detail = await world.detail(application_id)
    assert (detail["status"], detail["reason"]) == ("unknown", "not_confirmed")
    assert "check your email" in detail["reason_detail"]
    assert world.sandbox.submissions() == []
    assert _sample("recruitee", "unknown") == before + 1


async def test_an_attempt_a_dead_worker_left_before_sending_is_tried_again(world: World) -> None:
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["9003"]
    )
    await approve(world.http, world.who, application_id)
    async with world.container.db.unit_of_work(write=True) as session:
        row = await session.get(Application, uuid.UUID(application_id))
        assert row is not None
        row.status = "submitting"
        session.add(
            Submission(
                id=uuid.uuid4(), application_id=row.id, ats="recruitee",
                host="acme.recruitee.com", channel="api", status="started", evidence={},
                started_at=utcnow() - timedelta(minutes=1),
            )
        )  # fmt: skip
    await world.drain()
    detail = await world.detail(application_id)
    assert detail["status"] == "submitted"
    attempts = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions", headers=world.who.headers
    )
    assert [a["status"] for a in attempts.json()] == ["submitted", "abandoned"]
    assert len(world.sandbox.submissions()) == 1


async def test_a_refused_application_fails_with_the_ats_reason(world: World) -> None:
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["9001"]
    )
    await approve(world.http, world.who, application_id)
    # The stored form loses its answers after approval: Recruitee refuses the application.
    async with world.container.db.unit_of_work(write=True) as session:
        row = await session.get(Application, uuid.UUID(application_id))
        assert row is not None
        row.prepared = [f for f in row.prepared or [] if not f["key"].startswith("open_question")]
    await world.drain()
    detail = await world.detail(application_id)
    assert (detail["status"], detail["reason"]) == ("failed", "rejected")
    assert "can't be blank" in detail["reason_detail"]
    assert world.sandbox.submissions() == []


# Hosted forms in the browser (Greenhouse's sandbox form).


@pytest.fixture
async def greenhouse(world: World) -> World:
    require_chromium()
    jobs = await store_postings(
        world.container,
        [
            posting(
                "greenhouse", "acme", source_id,
                f"https://job-boards.greenhouse.io/acme/jobs/{source_id}", title,
            )
            for source_id, title in (
                ("4001", "Site Reliability Engineer"),
                ("4002captcha", "Security Engineer"),
                ("4003emailcode", "Frontend Engineer"),
            )
        ],
    )  # fmt: skip
    world.jobs.update(jobs)
    return world


async def test_a_hosted_form_is_filled_in_the_browser_and_its_confirmation_kept(
    greenhouse: World,
) -> None:
    world = greenhouse
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["4001"]
    )
    await approve(world.http, world.who, application_id)
    await world.drain()
    detail = await world.detail(application_id)
    assert detail["status"] == "submitted", (detail["reason"], detail["reason_detail"])
    [received] = world.sandbox.submissions()
    assert (received["ats"], received["fields"]["email"]) == ("greenhouse", "ada@example.com")
    attempts = (
        await world.http.get(
            f"/api/v1/applications/{application_id}/submissions", headers=world.who.headers
        )
    ).json()
    names = {e["name"] for e in attempts[0]["evidence"]}
    assert {"sent.json", "confirmation.html", "confirmation.png"} <= names
    shot = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions/{attempts[0]['id']}/evidence/"
        "confirmation.png",
        headers=world.who.headers,
    )
    assert shot.content.startswith(b"\x89PNG")
    page = await world.http.get(
        f"/api/v1/applications/{application_id}/submissions/{attempts[0]['id']}/evidence/"
        "confirmation.html",
        headers=world.who.headers,
    )
    # The ATS's page is shown inert: no script of it runs in JobPilot's origin.
    assert "sandbox" in page.headers["content-security-policy"]


async def test_a_captcha_parks_the_application_with_a_hand_off_link(greenhouse: World) -> None:
    world = greenhouse
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["4002captcha"]
    )
    await approve(world.http, world.who, application_id)
    await world.drain()
    detail = await world.detail(application_id)
    assert (detail["status"], detail["reason"]) == ("needs_user_input", "captcha")
    assert detail["handoff_url"] == "https://job-boards.greenhouse.io/acme/jobs/4002captcha"
    assert world.sandbox.submissions() == []


async def test_an_email_code_typed_into_jobpilot_finishes_a_parked_application(
    greenhouse: World,
) -> None:
    world = greenhouse
    application_id = await prepared_for_review(
        world.http, world.container, world.who, world.jobs["4003emailcode"]
    )
    await approve(world.http, world.who, application_id)
    await world.drain()
    detail = await world.detail(application_id)
    assert (detail["status"], detail["reason"]) == ("needs_user_input", "email_code")
    wrong = await world.http.post(
        f"/api/v1/applications/{application_id}/email-code",
        json={"code": ""},
        headers=world.who.headers,
    )
    assert_error(wrong, 422, "validation_error")
    [code] = world.sandbox.codes()
    sent = await world.http.post(
        f"/api/v1/applications/{application_id}/email-code",
        json={"code": code["code"]},
        headers=world.who.headers,
    )
    assert sent.status_code == 202, sent.text
    await world.drain()
    detail = await world.detail(application_id)
    assert detail["status"] == "submitted", (detail["reason"], detail["reason_detail"])
    [received] = world.sandbox.submissions()
    assert received["posting_id"] == "4003emailcode"
    again = await world.http.post(
        f"/api/v1/applications/{application_id}/email-code",
        json={"code": code["code"]},
        headers=world.who.headers,
    )
    assert_error(again, 409, "not_waiting_for_code")


async def test_a_form_with_a_country_list_longer_than_the_ai_takes_is_prepared(
    world: World,
) -> None:
    # BambooHR's captured form lists 256 countries: the country comes from the profile.
    jobs = await store_postings(
        world.container,
        [
            posting(
                "bamboohr", "acme", "45", "https://acme.bamboohr.com/careers/45",
                "Field Operations Lead",
            )
        ],
    )  # fmt: skip
    created = await world.http.post(
        "/api/v1/applications",
        json={"job_id": jobs["45"], "resume_version_id": world.who.version_id},
        headers=world.who.headers,
    )
    form = await world.http.get(
        f"/api/v1/applications/{created.json()['id']}/form", headers=world.who.headers
    )
    assert form.status_code == 200, form.text
    fields = {f["key"]: f for f in form.json()["fields"]}
    assert len(fields["countryId"]["options"]) > 200
    assert (fields["countryId"]["value"], fields["countryId"]["source"]) == (
        "United Kingdom", "profile.country",
    )  # fmt: skip

"""GET /api/v1/applications/{id}/form: the posting's real ATS form (Greenhouse's captured
CodePath form, served over HTTP by a local stand-in for its host), filled from stored facts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from fakes.local_server import Canned, FakeHosts
from jobpilot import wiring
from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.models import Posting
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, ingest_board, require_shared, sign_in

FORM_URL = (
    "https://boards-api.greenhouse.io/v1/boards/codepath/jobs/4426096007"
    "?compliance=true&demographic_questions=true&location_questions=true"
    "&pay_transparency=true&questions=true"
)
PROFILE: dict[str, Any] = {
    "name": "Ada Lovelace",
    "contact": {"email": "ada@example.com", "phone": "+14155550100"},
    "links": {"linkedin": "https://www.linkedin.com/in/ada-lovelace"},
    "location": {"city": "Arlington", "country_code": "US"},
    "work_authorization": [{"country_code": "US", "authorized": True, "needs_sponsorship": False}],
    "answer_bank": {
        "willing_to_relocate": True,
        "eeo": {"veteran_status": "not_a_veteran", "disability_status": "no"},
    },
}


@dataclass
class World:
    app: Any
    http: httpx.AsyncClient
    headers: dict[str, str]
    job_id: str
    fake: FakeHosts


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    with FakeHosts() as fake:
        yield fake


@pytest.fixture
async def world(settings: Settings, migrated_url: str, fake: FakeHosts) -> AsyncIterator[World]:
    fake.reset()
    settings.database.url = migrated_url
    settings.jobs = JobsSettings(ats_proxy_url=fake.base_url, request_attempts=1)
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        now = datetime.now(UTC)
        posting = AtsPosting(
            ats="greenhouse",
            tenant="codepath",
            source_id="4426096007",
            title="Associate Instructor - Part Time, Fall Contract",
            company_name="CodePath",
            locations=["Arlington, Virginia"],
            description_html="<p>Teach.</p>",
            posted_at=now,
            url="https://boards.greenhouse.io/codepath/jobs/4426096007",
        )
        await ingest_board(container, "CodePath", "https://codepath.org", [posting], now)
        async with container.db.unit_of_work() as session:
            job_id = str(await session.scalar(select(Posting.id)))
        headers = await sign_in(http, app, "ada@example.com")
        saved = await http.put("/api/v1/profiles/me", json=PROFILE, headers=headers)
        assert saved.status_code == 200, saved.text
        yield World(app, http, headers, job_id, fake)


async def test_the_real_greenhouse_form_is_filled_from_stored_facts(world: World) -> None:
    world.fake.add(
        "GET",
        FORM_URL,
        Canned.file(
            require_shared(
                "fixtures", "ats", "greenhouse", "codepath_job_4426096007_with_questions.json"
            )
        ),
    )
    resume = await world.http.post(
        "/api/v1/resumes",
        json={"name": "Main", "resume": {"basics": {"name": "Ada Lovelace"}}},
        headers=world.headers,
    )
    version_id = resume.json()["version"]["id"]
    created = await world.http.post(
        "/api/v1/applications",
        json={"job_id": world.job_id, "resume_version_id": version_id},
        headers=world.headers,
    )
    assert created.status_code == 201, created.text
    response = await world.http.get(
        f"/api/v1/applications/{created.json()['id']}/form", headers=world.headers
    )
    assert response.status_code == 200, response.text
    form = response.json()
    assert form["available"] is True
    assert form["provider"] == "local-rules"
    fields = {f["key"]: f for f in form["fields"]}

    def value(key: str) -> Any:
        return fields[key]["value"]

    assert (value("first_name"), value("last_name"), value("email")) == (
        "Ada",
        "Lovelace",
        "ada@example.com",
    )
    assert value("phone") == "+14155550100"
    assert value("resume") == f"resume:{resume.json()['id']}:v1"
    assert fields["resume_text"]["status"] == "skipped"
    assert fields["cover_letter"]["status"] == "skipped"  # optional, and none was written
    assert value("question_6752548007") == "https://www.linkedin.com/in/ada-lovelace"
    assert fields["question_6752548007"]["source"] == "profile.linkedin"
    authorised = fields["question_6752550007"]  # "authorized to work in the United States?"
    assert (authorised["value"], authorised["source"]) == (
        "Yes",
        "work_authorization.US.authorized",
    )
    relocate = fields["question_6752551007"]
    assert relocate["status"] == "filled"
    assert relocate["source"] == "answer_bank.willing_to_relocate"
    # Free text and "how did you hear about us" are the user's to answer, with the reason.
    why = fields["question_6752549007"]
    assert (why["status"], why["value"]) == ("needs_user_input", None)
    assert why["reason"]
    assert fields["question_6752552007"]["status"] == "needs_user_input"
    assert value("veteran_status") is not None
    assert form["complete"] is False
    assert set(form["missing"]) == {"question_6752549007", "question_6752552007"}
    # Only the form definition was fetched: nothing was posted anywhere.
    assert all(method == "GET" for method, *_ in world.fake.requests)


async def test_a_posting_the_ats_no_longer_has_answers_404(world: World) -> None:
    world.fake.add(
        "GET", FORM_URL, Canned(404, b'{"status": 404}', {"content-type": "application/json"})
    )
    created = await world.http.post(
        "/api/v1/applications", json={"job_id": world.job_id}, headers=world.headers
    )
    response = await world.http.get(
        f"/api/v1/applications/{created.json()['id']}/form", headers=world.headers
    )
    assert_error(response, 404, "board_not_found")


async def test_jobs_found_elsewhere_have_no_form_here(world: World) -> None:
    created = await world.http.post(
        "/api/v1/applications",
        json={"company": "Initech", "title": "Engineer"},
        headers=world.headers,
    )
    response = await world.http.get(
        f"/api/v1/applications/{created.json()['id']}/form", headers=world.headers
    )
    assert_error(response, 422, "no_posting")


async def test_an_ats_without_a_published_form_hands_off_to_its_site(world: World) -> None:
    container: wiring.Container = world.app.state.container
    now = datetime.now(UTC)
    posting = AtsPosting(
        ats="personio",
        tenant="acme",
        source_id="1834171",
        title="Support Engineer",
        company_name="Acme",
        locations=["Remote"],
        description_html="<p>Help.</p>",
        posted_at=now,
        url="https://acme.jobs.personio.de/job/1834171",
    )
    await ingest_board(container, "Acme", "https://acme.example", [posting], now)
    async with container.db.unit_of_work() as session:
        job_id = await session.scalar(select(Posting.id).where(Posting.ats == "personio"))
    created = await world.http.post(
        "/api/v1/applications", json={"job_id": str(job_id)}, headers=world.headers
    )
    response = await world.http.get(
        f"/api/v1/applications/{created.json()['id']}/form", headers=world.headers
    )
    assert response.status_code == 200, response.text
    form = response.json()
    assert (form["available"], form["fields"], form["complete"]) == (False, [], False)
    assert form["apply_url"] == "https://acme.jobs.personio.de/job/1834171"
    assert "site" in form["reason"]
    assert world.fake.requests == []

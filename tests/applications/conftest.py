"""A platform for auto-apply tests: postings of three companies (two on Greenhouse, one on
Workday) embedded for matching, a signed-in user with a profile and a resume, and a local
stand-in for Greenhouse's job API that serves the captured CodePath form."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from fakes.local_server import Canned, FakeHosts
from jobpilot import registry, wiring
from jobpilot.applications.tasks import tasks as applications_tasks
from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.models import Posting
from jobpilot.kit.tasks import Task, TaskRegistry, Worker
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import client_for, ingest_board, require_shared, sign_in

FORM_QUERY = (
    "?compliance=true&demographic_questions=true&location_questions=true"
    "&pay_transparency=true&questions=true"
)
INSTRUCTOR = "4426096007"  # the CodePath posting whose real form was captured
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
PYTHON = (
    "<p>Build and run Python services: REST APIs with FastAPI, PostgreSQL schemas and queries, "
    "background workers, tests with pytest, deployments on Kubernetes.</p>"
)
ACME = [
    ("11", "Python Backend Engineer", PYTHON),
    ("12", "Data Engineer", "<p>Pipelines in Python and SQL, Airflow, dbt and Spark.</p>"),
    ("13", "Product Designer", "<p>Figma, user research, prototypes and design systems.</p>"),
    ("14", "Site Reliability Engineer", "<p>Kubernetes, Terraform, on-call and Python.</p>"),
]


@dataclass
class AutoWorld:
    """The platform, a signed-in user and the postings by title."""

    app: Any
    http: httpx.AsyncClient
    headers: dict[str, str]
    fake: FakeHosts
    jobs: dict[str, str]
    resume_id: str
    resume_version_id: str
    other: dict[str, str] = field(default_factory=dict)

    @property
    def container(self) -> wiring.Container:
        return self.app.state.container  # type: ignore[no-any-return]

    async def rule(self, expect: int = 201, **body: Any) -> dict[str, Any]:
        """Create a rule for the user's resume (any field overridable)."""
        payload = {"name": "Backend roles", "resume_id": self.resume_id, **body}
        response = await self.http.post(
            "/api/v1/auto-apply/rules", json=payload, headers=self.headers
        )
        assert response.status_code == expect, response.text
        return response.json()  # type: ignore[no-any-return]

    async def run(self, rule_id: str) -> dict[str, Any]:
        """Run a rule; its 202 answer."""
        response = await self.http.post(
            f"/api/v1/auto-apply/rules/{rule_id}/run", headers=self.headers
        )
        assert response.status_code == 202, response.text
        return response.json()  # type: ignore[no-any-return]

    async def application(self, application_id: str) -> dict[str, Any]:
        """One application's detail."""
        response = await self.http.get(
            f"/api/v1/applications/{application_id}", headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def scores(self) -> list[tuple[str, float]]:
        """The resume's matches (applied ones included), best first, as the ai service ranks."""
        response = await self.http.get(
            f"/api/v1/ai/resumes/{self.resume_id}/matches",
            params={"k": 100, "exclude_applied": "false"},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        return [(m["job"]["id"], m["score"]) for m in response.json()["matches"]]

    async def used_today(self) -> int:
        """The user's auto_applies quota used today."""
        response = await self.http.get("/api/v1/users/me/usage", headers=self.headers)
        assert response.status_code == 200, response.text
        return next(q["used"] for q in response.json()["quotas"] if q["quota"] == "auto_applies")

    async def prepare(self) -> None:
        """Run the queued prepare tasks (and nothing else: submission is not under test)."""
        only = TaskRegistry(
            {"applications.prepare_application": applications_tasks.tasks[
                "applications.prepare_application"
            ]}
        )  # fmt: skip
        await Worker(self.container.db, only, resources=self.container).drain()

    async def tasks(self, name: str) -> list[dict[str, Any]]:
        """The payloads of the queued tasks called `name`."""
        async with self.container.db.unit_of_work() as session:
            rows = await session.scalars(select(Task).where(Task.name == name))
            return [dict(r.payload, status=r.status) for r in rows]

    def serve_form(self, *, all_optional: bool = False) -> None:
        """Serve the captured CodePath form (with every free-text question made optional)."""
        path = require_shared(
            "fixtures", "ats", "greenhouse", "codepath_job_4426096007_with_questions.json"
        )
        body = json.loads(path.read_text())
        if all_optional:
            body = copy.deepcopy(body)
            for question in body["questions"]:
                if question["label"] not in {"First Name", "Last Name", "Email"}:
                    question["required"] = False
        url = f"https://boards-api.greenhouse.io/v1/boards/codepath/jobs/{INSTRUCTOR}{FORM_QUERY}"
        self.fake.add(
            "GET", url, Canned(200, json.dumps(body).encode(), {"content-type": "application/json"})
        )


def _resume() -> dict[str, Any]:
    return {
        "basics": {
            "name": "Ada Lovelace",
            "label": "Python Backend Engineer",
            "location": {"countryCode": "US"},
        },
        "work": [
            {
                "name": "Previous Employer",
                "position": "Python Backend Engineer",
                "highlights": [
                    "Built and ran Python services: REST APIs with FastAPI and PostgreSQL.",
                    "Background workers, tests with pytest, deployments on Kubernetes.",
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    with FakeHosts() as fake:
        yield fake


@pytest.fixture
async def auto(settings: Settings, migrated_url: str, fake: FakeHosts) -> AsyncIterator[AutoWorld]:
    fake.reset()
    settings.database.url = migrated_url
    settings.jobs = JobsSettings(ats_proxy_url=fake.base_url, request_attempts=1)
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        now = datetime.now(UTC)
        instructor = AtsPosting(
            ats="greenhouse",
            tenant="codepath",
            source_id=INSTRUCTOR,
            title="Associate Instructor - Part Time, Fall Contract",
            company_name="CodePath",
            locations=["Arlington, Virginia"],
            description_html="<p>Teach Python and web development to college students.</p>",
            posted_at=now,
            url=f"https://boards.greenhouse.io/codepath/jobs/{INSTRUCTOR}",
        )
        await ingest_board(container, "CodePath", "https://codepath.org", [instructor], now)
        acme = [
            AtsPosting(
                ats="greenhouse",
                tenant="acme",
                source_id=n,
                title=title,
                company_name="Acme",
                locations=["Austin, Texas"],
                description_html=text,
                posted_at=now,
                url=f"https://boards.greenhouse.io/acme/jobs/{n}",
            )
            for n, title, text in ACME
        ]
        await ingest_board(container, "Acme", "https://acme.example", acme, now)
        globex = AtsPosting(
            ats="workday",
            tenant="globex/External",
            source_id="R100",
            title="Senior Python Developer",
            company_name="Globex",
            locations=["Austin, Texas"],
            description_html=PYTHON,
            posted_at=now,
            url="https://globex.wd1.myworkdayjobs.com/External/job/R100",
        )
        await ingest_board(container, "Globex", "https://globex.example", [globex], now)
        await wiring.build_worker(container, registry.domains()).drain()
        async with container.db.unit_of_work() as session:
            jobs = {p.title: str(p.id) for p in await session.scalars(select(Posting))}
        headers = await sign_in(http, app, "ada@example.com")
        saved = await http.put("/api/v1/profiles/me", json=PROFILE, headers=headers)
        assert saved.status_code == 200, saved.text
        resume = await http.post(
            "/api/v1/resumes", json={"name": "Main", "resume": _resume()}, headers=headers
        )
        assert resume.status_code == 201, resume.text
        other = await sign_in(http, app, "someone.else@example.com")
        yield AutoWorld(
            app,
            http,
            headers,
            fake,
            jobs,
            resume.json()["id"],
            resume.json()["version"]["id"],
            other,
        )

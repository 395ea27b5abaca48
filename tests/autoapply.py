"""Helpers for auto-apply tests: the ATS sandbox on a local port, a signed-in user with a
profile and a resume, postings of one ATS board, and applications prepared for review."""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from fakes.local_server import ServedApp
from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.sandbox import create_sandbox_app
from support import IN_CI, ingest_board, sign_in

PROFILE: dict[str, Any] = {
    "name": "Ada Lovelace",
    "contact": {"email": "ada@example.com", "phone": "+14155550100"},
    "links": {"linkedin": "https://www.linkedin.com/in/ada-lovelace"},
    "location": {"city": "London", "country_code": "GB"},
    "work_authorization": [{"country_code": "GB", "authorized": True, "needs_sponsorship": False}],
}
RESUME: dict[str, Any] = {
    "basics": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "work": [
        {
            "name": "Analytical Engines Ltd",
            "position": "Engineer",
            "startDate": "2019-01-01",
            "highlights": ["Built Python services on PostgreSQL."],
        }
    ],
    "skills": [{"name": "Python"}, {"name": "PostgreSQL"}],
}


def require_chromium() -> str:
    """Chromium's path; skip without it (or without playwright), fail under CI=true."""
    from jobpilot.adapters.browser_playwright import BrowserUnavailable, find_chromium

    reason = None
    if importlib.util.find_spec("playwright") is None:
        reason = "playwright is not installed"
    else:
        try:
            return find_chromium()
        except BrowserUnavailable as exc:
            reason = exc.message
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true browser tests must run")
    pytest.skip(reason)


class ServedSandbox(ServedApp):
    """The ATS sandbox on a free port of 127.0.0.1."""

    thread_name = "ats-sandbox"

    def __init__(self, fixtures: Path | None, *, slow_seconds: float = 5.0) -> None:
        super().__init__()
        self.app = create_sandbox_app(fixtures, slow_seconds=slow_seconds)

    def submissions(self) -> list[dict[str, Any]]:
        """Every application the sandbox received."""
        result: list[dict[str, Any]] = httpx.get(f"{self.base_url}/_sandbox/submissions").json()[
            "submissions"
        ]
        return result

    def duplicates(self) -> list[dict[str, Any]]:
        """(ats, posting, email) triples received more than once."""
        result: list[dict[str, Any]] = httpx.get(f"{self.base_url}/_sandbox/submissions").json()[
            "duplicates"
        ]
        return result

    def codes(self) -> list[dict[str, str]]:
        """The security codes the sandbox "emailed"."""
        result: list[dict[str, str]] = httpx.get(f"{self.base_url}/_sandbox/codes").json()["codes"]
        return result

    def clear(self) -> None:
        """Forget what it received."""
        httpx.delete(f"{self.base_url}/_sandbox/submissions")


@dataclass
class Seeker:
    """A signed-in user with a profile and a resume."""

    headers: dict[str, str]
    version_id: str


async def seeker(http: httpx.AsyncClient, app: Any, email: str = "ada@example.com") -> Seeker:
    """Sign a user in and give them a profile and a resume."""
    headers = await sign_in(http, app, email)
    profile = {**PROFILE, "contact": {**PROFILE["contact"], "email": email}}
    saved = await http.put("/api/v1/profiles/me", json=profile, headers=headers)
    assert saved.status_code == 200, saved.text
    resume = await http.post(
        "/api/v1/resumes", json={"name": "Main", "resume": RESUME}, headers=headers
    )
    assert resume.status_code == 201, resume.text
    return Seeker(headers, resume.json()["version"]["id"])


def posting(ats: str, tenant: str, source_id: str, apply_url: str, title: str) -> AtsPosting:
    """A posting of an ATS board whose apply page is `apply_url`."""
    return AtsPosting(
        ats=ats,
        tenant=tenant,
        source_id=source_id,
        title=title,
        company_name=tenant.title(),
        locations=["London, United Kingdom"],
        description_html="<p>Build Python services on PostgreSQL.</p>",
        posted_at=datetime.now(UTC),
        url=apply_url,
        apply_url=apply_url,
    )


async def store_postings(container: Any, postings: list[AtsPosting]) -> dict[str, str]:
    """Ingest `postings` (one board); the job id of each, by its source id."""
    from jobpilot.jobs.models import Source

    await ingest_board(
        container, postings[0].tenant.title(), f"https://{postings[0].tenant}.example",
        postings, datetime.now(UTC),
    )  # fmt: skip
    async with container.db.unit_of_work() as session:
        rows = await session.execute(select(Source.source_id, Source.posting_id))
        return {row.source_id: str(row.posting_id) for row in rows}


async def prepared_for_review(
    http: httpx.AsyncClient, container: Any, who: Seeker, job_id: str
) -> str:
    """An application for `job_id` with its form prepared from the user's facts and waiting
    for review (as an auto-apply rule in review mode leaves it); its id."""
    from jobpilot.applications.models import Application

    created = await http.post(
        "/api/v1/applications",
        json={"job_id": job_id, "resume_version_id": who.version_id},
        headers=who.headers,
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    form = await http.get(f"/api/v1/applications/{application_id}/form", headers=who.headers)
    assert form.status_code == 200, form.text
    assert form.json()["available"], form.json()
    async with container.db.unit_of_work(write=True) as session:
        await session.execute(
            update(Application)
            .where(Application.id == uuid.UUID(application_id))
            .values(status="awaiting_review", source="auto_apply", prepared=form.json()["fields"])
        )
    return str(application_id)


async def approve(
    http: httpx.AsyncClient, who: Seeker, application_id: str, fill: str = "Yes"
) -> dict[str, Any]:
    """Approve a prepared application, answering each required field it still misses with
    `fill` (or the field's first option)."""
    detail = await http.get(f"/api/v1/applications/{application_id}", headers=who.headers)
    assert detail.status_code == 200, detail.text
    fields: dict[str, Any] = {}
    for field in detail.json()["prepared"] or []:
        if field["required"] and field["status"] == "needs_user_input":
            value: Any = field["options"][0] if field["options"] else fill
            fields[field["key"]] = [value] if field["type"] == "multi_select" else value
    approved = await http.post(
        f"/api/v1/applications/{application_id}/approve",
        json={"fields": fields},
        headers=who.headers,
    )
    assert approved.status_code == 200, approved.text
    result: dict[str, Any] = approved.json()
    return result

"""The demo's auto-apply path: the demo user creates a review-mode rule, runs it, approves the
prepared applications and sees them land at the ATS sandbox with their evidence, on the board."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from autoapply import ServedSandbox, require_chromium
from jobpilot import registry, wiring
from jobpilot.demo import seed_demo_user
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.seed import seed_demo as seed_jobs
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import client_for, require_shared

# What a posting's ATS does with a review-mode application once approved.
SENT = {"submitted"}
PARKED = {"needs_user_input"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ServedSandbox]:
    with ServedSandbox(require_shared("fixtures", "ats"), slow_seconds=0.5) as served:
        yield served


async def test_the_demo_user_applies_through_a_review_mode_rule(
    settings: Settings, migrated_url: str, sandbox: ServedSandbox
) -> None:
    require_chromium()
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
        async with container.db.unit_of_work() as session:
            await seed_jobs(session, companies=12, postings=120)
        demo = await seed_demo_user(container)
        worker = wiring.build_worker(container, registry.domains())
        await worker.drain(max_seconds=240)
        login = await http.post(
            "/api/v1/auth/login", json={"email": demo.email, "password": demo.password}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

        rule = await http.post(
            "/api/v1/auto-apply/rules",
            json={"name": "Backend roles", "resume_id": str(demo.resume_id), "min_score": 0.0},
            headers=headers,
        )
        assert rule.status_code == 201, rule.text
        assert rule.json()["mode"] == "review"
        run = await http.post(f"/api/v1/auto-apply/rules/{rule.json()['id']}/run", headers=headers)
        assert run.status_code == 202, run.text
        queued = run.json()["application_ids"]
        assert queued
        await worker.drain(max_seconds=240)

        outcomes: dict[str, tuple[str, str | None, str]] = {}
        for application_id in queued:
            detail = (
                await http.get(f"/api/v1/applications/{application_id}", headers=headers)
            ).json()
            if detail["status"] != "awaiting_review":
                continue
            fill: dict[str, Any] = {}
            for field in detail["prepared"]:
                if field["required"] and field["status"] == "needs_user_input":
                    value = field["options"][0] if field["options"] else "Yes"
                    fill[field["key"]] = [value] if field["type"] == "multi_select" else value
            approved = await http.post(
                f"/api/v1/applications/{application_id}/approve",
                json={"fields": fill},
                headers=headers,
            )
            assert approved.status_code == 200, approved.text
        await worker.drain(max_seconds=240)
        for application_id in queued:
            detail = (
                await http.get(f"/api/v1/applications/{application_id}", headers=headers)
            ).json()
            outcomes[application_id] = (detail["status"], detail["reason"], detail["url"])
        print(outcomes)
        submitted = [a for a, (status, _, _) in outcomes.items() if status in SENT]
        assert submitted, outcomes
        # Nothing approved ends in doubt or failure: it was sent, or it waits for the user.
        assert all(
            status in SENT | PARKED | {"awaiting_review"} for status, _, _ in outcomes.values()
        ), outcomes
        assert len(sandbox.submissions()) == len(submitted)
        assert sandbox.duplicates() == []

        attempts = await http.get(
            f"/api/v1/applications/{submitted[0]}/submissions", headers=headers
        )
        evidence = {e["name"] for e in attempts.json()[0]["evidence"]}
        assert "sent.json" in evidence
        board = (await http.get("/api/v1/applications/board", headers=headers)).json()
        column = next(c for c in board["columns"] if c["status"] == "submitted")
        assert {item["id"] for item in column["items"]} == set(submitted)


async def test_the_embedded_server_mounts_the_sandbox_when_asked(
    settings: Settings, sqlite_url: str
) -> None:
    settings.database.url = sqlite_url
    settings.sandbox.enabled = True
    app = create_app(settings)
    async for http in client_for(app):
        response = await http.get("/sandbox/_sandbox/submissions")
        assert response.status_code == 200
        assert response.json() == {"submissions": [], "duplicates": []}
        offer = await http.get("/sandbox/acme.recruitee.com/api/offers/1300005")
        assert offer.json()["offer"]["id"] == 1300005
    settings.sandbox.enabled = False
    app = create_app(settings)
    async for http in client_for(app):
        missing = await http.get("/sandbox/_sandbox/submissions")
        assert missing.status_code == 404


async def test_sandbox_pages_link_inside_the_sandbox_when_it_is_mounted(
    settings: Settings, sqlite_url: str
) -> None:
    settings.database.url = sqlite_url
    settings.sandbox.enabled = True
    app = create_app(settings)
    async for http in client_for(app):
        page = await http.get("/sandbox/job-boards.greenhouse.io/acme/jobs/4001")
        assert page.status_code == 200
        # The invisible reCAPTCHA badge's frame is the sandbox's too, not JobPilot's API.
        assert 'src="/sandbox/www.google.com/recaptcha/api2/anchor' in page.text
        assert 'src="/www.google.com/' not in page.text

"""The demo job seeker of `jobpilot seed`: explained matches from the demo postings, offline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobpilot import registry, wiring
from jobpilot.auth.public import AuthFacade
from jobpilot.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_EMAIL,
    DEMO_RESUME,
    DemoUser,
    seed_demo_admin,
    seed_demo_user,
)
from jobpilot.jobs.seed import seed_demo as seed_jobs
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, make_settings


async def _login(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


async def _bearer(http: httpx.AsyncClient, user: DemoUser) -> dict[str, str]:
    response = await _login(http, user.email, user.password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_the_demo_user_has_explained_matches_and_seeding_again_duplicates_nothing(
    settings: Settings, migrated_url: str
) -> None:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        async with container.db.unit_of_work() as session:
            summary = await seed_jobs(session, companies=5, postings=60)
        assert "demo boards" in summary
        first = await seed_demo_user(container)
        assert first.email == DEMO_EMAIL
        # The postings and the resume are embedded by the worker, with the local model.
        await wiring.build_worker(container, registry.domains()).drain()

        headers = await _bearer(http, first)
        me = (await http.get("/api/v1/auth/me", headers=headers)).json()
        assert (me["email"], me["name"], me["email_verified"]) == (DEMO_EMAIL, "Dana Demo", True)
        profile = (await http.get("/api/v1/profiles/me", headers=headers)).json()
        assert profile["completeness"]["missing"] == []
        assert profile["profile"]["answer_bank"]["years_by_skill"]["Python"] == 8
        skills = {
            s["name"] for s in (await http.get("/api/v1/users/me/skills", headers=headers)).json()
        }
        assert {"Python", "FastAPI", "PostgreSQL", "Docker", "Amazon Web Services"} <= skills
        resumes = (await http.get("/api/v1/resumes", headers=headers)).json()
        assert [(r["id"], r["name"]) for r in resumes] == [(str(first.resume_id), DEMO_RESUME)]

        response = await http.get(
            f"/api/v1/ai/resumes/{first.resume_id}/matches", headers=headers, params={"k": 10}
        )
        assert response.status_code == 200, response.text
        matches: list[dict[str, Any]] = response.json()["matches"]
        assert len(matches) == 10
        scores = [m["score"] for m in matches]
        assert scores == sorted(scores, reverse=True)
        top = matches[0]
        assert top["explanation"]["similarity"] > 0.3
        assert top["explanation"]["skills"]["matched"]
        assert top["explanation"]["location"] in {"remote", "same_country", "elsewhere", "unknown"}
        # A backend resume is matched first to engineering jobs, not to sales or finance.
        assert re.search(r"Engineer|Developer", top["job"]["title"]), top["job"]["title"]

        second = await seed_demo_user(container)
        assert (second.user_id, second.resume_id) == (first.user_id, first.resume_id)
        assert second.password != first.password
        assert_error(await _login(http, first.email, first.password), 401, "invalid_credentials")
        # Seeding signs the demo user out everywhere.
        assert_error(await http.get("/api/v1/auth/me", headers=headers), 401, "invalid_token")
        headers = await _bearer(http, second)
        resumes = (await http.get("/api/v1/resumes", headers=headers)).json()
        assert [(r["id"], r["latest_version"]) for r in resumes] == [(str(first.resume_id), 1)]


def _jobpilot(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPILOT_")}
    env.update(
        JOBPILOT_DATA_DIR=str(data_dir),
        JOBPILOT_PROFILE="test",
        JOBPILOT_OBSERVABILITY__LOG_LEVEL="WARNING",
    )
    return subprocess.run(
        [sys.executable, "-m", "jobpilot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


_PRINTED = re.compile(r"^demo user: (\S+) / password: (\S+)$", re.MULTILINE)
_ADMIN_PRINTED = re.compile(
    r"^demo admin: (\S+) / password: (\S+) \(sign in at /admin\)$", re.MULTILINE
)


@pytest.mark.slow
async def test_jobpilot_seed_prints_a_new_demo_password_each_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert _jobpilot("migrate", data_dir=data_dir).returncode == 0
    runs = []
    admins = []
    for _ in range(2):
        # Without the jobs service, so that no postings are generated.
        result = _jobpilot("seed", "-s", "auth", "-s", "users", "-s", "resumes", data_dir=data_dir)
        assert result.returncode == 0, result.stderr
        printed = _PRINTED.search(result.stdout)
        assert printed is not None, result.stdout
        assert printed[2] not in result.stderr
        assert "jobs:" not in result.stdout
        runs.append((printed[1], printed[2], result.stdout))
        admin = _ADMIN_PRINTED.search(result.stdout)
        assert admin is not None, result.stdout
        admins.append((admin[1], admin[2]))
    (email, old, _), (_, new, stdout) = runs
    assert email == DEMO_EMAIL
    assert old != new
    (admin_email, old_admin), (_, new_admin) = admins
    assert admin_email == DEMO_ADMIN_EMAIL
    assert old_admin != new_admin
    resume_id = re.search(r"demo resume: (\S+) \(matches: /api/v1/ai/resumes/\1/matches\)", stdout)
    assert resume_id is not None, stdout

    only_jobs = _jobpilot("seed", "-s", "jobs", data_dir=data_dir)
    assert only_jobs.returncode == 0, only_jobs.stderr
    assert "demo user" not in only_jobs.stdout
    assert "demo admin" not in only_jobs.stdout

    app = create_app(make_settings(data_dir))
    async for http in client_for(app):
        # The demo admin holds the admin role (the demo user does not); its old password is gone.
        assert_error(await _login(http, admin_email, old_admin), 401, "invalid_credentials")
        signed_in = await _login(http, admin_email, new_admin)
        assert signed_in.status_code == 200, signed_in.text
        admin_headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        assert (await http.get("/api/admin/tasks", headers=admin_headers)).status_code == 200
        assert_error(await _login(http, email, old), 401, "invalid_credentials")
        response = await _login(http, email, new)
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        resumes = (await http.get("/api/v1/resumes", headers=headers)).json()
        assert [r["id"] for r in resumes] == [resume_id[1]]
        assert_error(await http.get("/api/admin/tasks", headers=headers), 403, "forbidden")


async def test_the_demo_admin_takes_over_an_existing_account_as_an_admin(
    settings: Settings, migrated_url: str
) -> None:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        accounts = AuthFacade(container.auth)
        existing = await accounts.create_user(
            DEMO_ADMIN_EMAIL, "an-old-Passphrase-42", "Someone", admin=False
        )
        admin = await seed_demo_admin(container)
        assert admin.user_id == existing.id
        response = await _login(http, admin.email, admin.password)
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        assert (await http.get("/api/admin/tasks", headers=headers)).status_code == 200

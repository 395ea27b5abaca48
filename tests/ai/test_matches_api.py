"""GET /api/v1/ai/resumes/{id}/matches: the open postings closest to a resume, with filters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from jobpilot import registry, wiring
from jobpilot.ai.config import MatchWeights
from jobpilot.ai.service import AiService, combined_score, resume_level, seniority_fit
from jobpilot.jobs import synthetic
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.ingest import Ingester
from jobpilot.jobs.models import Posting
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, make_settings, sign_in


@dataclass
class World:
    app: Any
    http: httpx.AsyncClient
    headers: dict[str, str]
    postings: list[Posting]


@pytest.fixture
async def world(settings: Settings, migrated_url: str) -> AsyncIterator[World]:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        now = datetime.now(UTC)
        for board in synthetic.generate(companies=4, postings=40, now=now):
            ats = adapter(board.ats)
            assert ats is not None
            ref = board.board_ref()
            listed = [p for body in board.payloads for p in ats.parse_payload(ref, body)]
            async with container.db.writer_sessionmaker() as session, session.begin():
                ingester = Ingester(session, container.settings.jobs, now)
                company = await ingester.company(board.company_name, board.website)
                stored, _ = await ingester.ensure_board(company, ref, active=False)
                await ingester.apply(stored, listed)
        await wiring.build_worker(container, registry.domains()).drain()
        async with container.db.unit_of_work() as session:
            postings = list(await session.scalars(select(Posting).where(Posting.status == "open")))
        yield World(app, http, await sign_in(http, app, "grace@example.com"), postings)


def _resume_like(posting: Posting) -> dict[str, Any]:
    return {
        "basics": {
            "name": "Grace Hopper",
            "label": posting.title,
            "location": {"countryCode": "US"},
        },
        "work": [
            {
                "name": "Previous Employer",
                "position": posting.title,
                "highlights": [
                    line[:2000] for line in posting.description_text.splitlines() if line.strip()
                ][:50],
            }
        ],
    }


async def _resume(
    world: World, document: dict[str, Any], headers: dict[str, str] | None = None
) -> str:
    created = await world.http.post(
        "/api/v1/resumes",
        json={"name": "Main", "resume": document},
        headers=headers or world.headers,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_a_resume_is_matched_to_the_postings_that_read_like_it(world: World) -> None:
    target = world.postings[0]
    resume_id = await _resume(world, _resume_like(target))
    # No drain: the resume's vector is made on the spot when its task has not run yet.
    response = await world.http.get(
        f"/api/v1/ai/resumes/{resume_id}/matches", headers=world.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["resume_id"], body["resume_version"]) == (resume_id, 1)
    assert body["model"] == "all-MiniLM-L6-v2-onnx-int8"
    matches = body["matches"]
    assert 1 <= len(matches) <= 20
    top = next(m for m in matches if m["job"]["id"] == str(target.id))
    assert matches.index(top) < 3
    # The resume repeats the posting's words: every skill the posting names is met.
    assert top["explanation"]["skills"]["missing"] == []
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    weights = world.app.state.container.ai.settings.match_weights
    for match in matches:
        assert match["job"]["status"] == "open"
        explanation = match["explanation"]
        skills = explanation["skills"]
        seniority = explanation["seniority"]
        assert seniority["fit"] in {"match", "stretch", "step_down", "above", "below", "unknown"}
        expected = combined_score(
            explanation["similarity"],
            skills["score"],
            weights,
            seniority["score"],
            explanation["lexical"],
        )
        assert match["score"] == pytest.approx(expected, abs=1e-3)
        if skills["score"] is not None:
            named = len(skills["matched"]) + len(skills["missing"])
            assert skills["score"] == pytest.approx(len(skills["matched"]) / named, abs=1e-3)
        assert match["explanation"]["location"] in {
            "remote",
            "same_country",
            "elsewhere",
            "unknown",
        }
        if match["job"]["workplace"] == "remote":
            assert match["explanation"]["location"] == "remote"


async def test_filters_narrow_the_matches(world: World) -> None:
    resume_id = await _resume(world, _resume_like(world.postings[1]))
    url = f"/api/v1/ai/resumes/{resume_id}/matches"

    async def matches(**params: Any) -> list[dict[str, Any]]:
        response = await world.http.get(url, params=params, headers=world.headers)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["matches"]
        return found

    assert len(await matches(k=3)) == 3
    remote = await matches(remote="remote", k=100)
    assert remote
    assert all(m["job"]["workplace"] == "remote" for m in remote)
    assert len(remote) == sum(p.workplace == "remote" for p in world.postings)
    paid = await matches(salary_min=100_000, k=100)
    assert all(m["job"]["salary"] is not None for m in paid)
    recent = await matches(posted_within="1d", k=100)
    cutoff = datetime.now(UTC) - timedelta(days=1)
    assert len(recent) == sum(p.listed_at >= cutoff for p in world.postings)
    assert await matches(country="ZZ") == []


async def test_only_your_own_resumes_and_valid_filters(world: World) -> None:
    resume_id = await _resume(world, _resume_like(world.postings[0]))
    url = f"/api/v1/ai/resumes/{resume_id}/matches"
    other = await sign_in(world.http, world.app, "someone.else@example.com")
    assert_error(await world.http.get(url, headers=other), 404, "resume_not_found")
    missing = "/api/v1/ai/resumes/00000000-0000-4000-8000-000000000000/matches"
    assert_error(await world.http.get(missing, headers=world.headers), 404, "resume_not_found")
    assert_error(await world.http.get(url), 401, "invalid_token")
    for params in (
        {"k": 0},
        {"k": 101},
        {"country": "USA"},
        {"posted_within": "5y"},
        {"remote": "moon"},
    ):
        response = await world.http.get(url, params=params, headers=world.headers)
        assert_error(response, 422, "validation_error")


async def test_skills_are_compared_through_the_taxonomy(tmp_path: Path) -> None:
    container = wiring.build_container(make_settings(tmp_path))
    try:
        service = AiService(container.ai)
        skills = container.ai.skills
        owned_python = {s.id for s in skills.mentions("Ten years of Python")}
        owned_fastapi = {s.id for s in skills.mentions("Built services with FastAPI")}
        wants_fastapi = "Required: FastAPI and PostgreSQL"
        wants_python = "Required: Python"
        # Python alone does not meet a FastAPI requirement...
        fit = service.skill_fit(owned_python, wants_fastapi)
        assert (fit.matched, fit.missing, fit.score) == ([], ["FastAPI", "PostgreSQL"], 0.0)
        # ...but FastAPI meets a Python one.
        fit = service.skill_fit(owned_fastapi, wants_python)
        assert (fit.matched, fit.missing, fit.score) == (["Python"], [], 1.0)
        fit = service.skill_fit(owned_fastapi, "A friendly team and a nice office")
        assert (fit.matched, fit.missing, fit.score) == ([], [], None)
    finally:
        await container.aclose()


def test_the_score_weighs_similarity_skills_and_seniority() -> None:
    weights = MatchWeights(similarity=0.7, skills=0.3, seniority=0)
    assert combined_score(0.5, 1.0, weights) == pytest.approx(0.65)
    assert combined_score(0.5, None, weights) == 0.5
    assert combined_score(0.5, 0.0, MatchWeights(similarity=1, skills=0, seniority=0)) == 0.5
    weights = MatchWeights(similarity=0.6, skills=0.3, seniority=0.1)
    assert combined_score(0.5, 1.0, weights, 0.0) == pytest.approx(0.6)
    assert combined_score(0.5, 1.0, weights, None) == pytest.approx((0.3 + 0.3) / 0.9)


async def test_the_explanation_says_how_much_wording_resume_and_posting_share(
    world: World,
) -> None:
    target = world.postings[3]
    resume_id = await _resume(world, _resume_like(target))
    response = await world.http.get(
        f"/api/v1/ai/resumes/{resume_id}/matches", params={"k": 10}, headers=world.headers
    )
    assert response.status_code == 200, response.text
    lexical = {m["job"]["id"]: m["explanation"]["lexical"] for m in response.json()["matches"]}
    assert all(0 <= value <= 1 for value in lexical.values())
    # The resume copies the target's description: no other posting shares as much of it.
    assert lexical[str(target.id)] == max(lexical.values())
    assert len(set(lexical.values())) > 1


def test_the_lexical_part_is_weighed_like_the_others() -> None:
    weights = MatchWeights(similarity=0.6, skills=0.3, seniority=0.1, lexical=1)
    assert combined_score(0.5, 1.0, weights, 0.0, 0.2) == pytest.approx((0.3 + 0.3 + 0.2) / 2)
    assert combined_score(0.5, 1.0, weights, 0.0, None) == pytest.approx(0.6)
    assert combined_score(0.5, None, weights, None, 0.0) == pytest.approx(0.3 / 1.6)


@pytest.mark.parametrize(
    ("posting", "resume", "fit", "score"),
    [
        ("senior", "senior", "match", 1.0),
        ("lead", "senior", "stretch", 0.5),
        ("mid", "senior", "step_down", 0.5),
        ("director", "mid", "above", 0.0),
        ("junior", "staff", "below", 0.0),
        ("staff", "lead", "match", 1.0),
        (None, "senior", "unknown", None),
    ],
)
def test_seniority_fit_counts_levels_apart(
    posting: str | None, resume: str | None, fit: str, score: float | None
) -> None:
    found = seniority_fit(posting, resume)
    assert (found.fit, found.score) == (fit, score)


def test_the_resume_level_comes_from_the_latest_title_then_the_years() -> None:
    titled = {"work": [{"position": "Senior Data Engineer"}, {"position": "Junior Analyst"}]}
    assert resume_level(titled, 1.0) == "senior"
    plain = {"work": [{"position": "Software Engineer"}]}
    assert resume_level(plain, 1.5) == "junior"
    assert resume_level(plain, 3) == "mid"
    assert resume_level(plain, 7) == "senior"
    assert resume_level({}, None) is None


async def test_postings_applied_to_leave_the_matches(world: World) -> None:
    resume_id = await _resume(world, _resume_like(world.postings[2]))
    url = f"/api/v1/ai/resumes/{resume_id}/matches"
    before = (await world.http.get(url, params={"k": 5}, headers=world.headers)).json()
    first, second = (m["job"]["id"] for m in before["matches"][:2])
    saved = await world.http.post(
        "/api/v1/applications", json={"job_id": first, "status": "saved"}, headers=world.headers
    )
    assert saved.status_code == 201, saved.text
    still = (await world.http.get(url, params={"k": 5}, headers=world.headers)).json()
    assert first in [m["job"]["id"] for m in still["matches"]]  # saved is not applied
    applied = await world.http.patch(
        f"/api/v1/applications/{saved.json()['id']}",
        json={"status": "submitted"},
        headers=world.headers,
    )
    assert applied.status_code == 200, applied.text
    manual = await world.http.post(
        "/api/v1/applications", json={"job_id": second, "status": "rejected"}, headers=world.headers
    )
    assert manual.status_code == 201, manual.text
    after = (await world.http.get(url, params={"k": 5}, headers=world.headers)).json()
    ids = [m["job"]["id"] for m in after["matches"]]
    assert first not in ids
    assert second not in ids
    assert len(ids) == 5
    everything = await world.http.get(
        url, params={"k": 5, "exclude_applied": "false"}, headers=world.headers
    )
    assert {first, second} <= {m["job"]["id"] for m in everything.json()["matches"]}

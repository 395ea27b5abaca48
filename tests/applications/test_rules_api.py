"""/api/v1/auto-apply/rules: rules over the user's own resume and saved searches, validated
against the plan's daily allowance, and runs that queue the matches a rule selects."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from jobpilot.ai.service import AiService
from jobpilot.applications import tasks as applications_tasks
from jobpilot.applications.models import Application
from jobpilot.auth.models import User
from jobpilot.jobs.models import Posting
from jobpilot.kit.tasks import TaskRegistry, Worker, enqueue
from jobpilot.users.public import UsersFacade
from support import assert_error

PREPARE = "applications.prepare_application"
NOBODY = "00000000-0000-4000-8000-000000000000"


def _daily_allowance(auto: Any, tier: str = "free") -> int:
    return int(auto.container.settings.users.tiers[tier]["auto_applies"])


async def test_a_rule_is_created_read_changed_and_deleted(auto: Any) -> None:
    created = await auto.rule(
        filters={"remote": ["remote"], "country": ["us"], "posted_within": "7d"},
        min_score=0.3,
        companies_exclude=["Initech", "initech", "Globex"],
        tailor=True,
    )
    assert created["filters"] == {
        "remote": ["remote"],
        "country": ["US"],
        "salary_min": None,
        "posted_within": "7d",
    }
    assert created["companies_exclude"] == ["Initech", "Globex"]  # once each, whatever the case
    assert (created["mode"], created["enabled"], created["tailor"]) == ("review", True, True)
    # Without a cap the rule may use the whole daily allowance of the plan.
    assert created["daily_cap"] == _daily_allowance(auto)
    assert created["queued_today"] == 0
    url = f"/api/v1/auto-apply/rules/{created['id']}"
    assert (await auto.http.get(url, headers=auto.headers)).json() == created
    listed = (await auto.http.get("/api/v1/auto-apply/rules", headers=auto.headers)).json()
    assert [r["id"] for r in listed["items"]] == [created["id"]]
    search = await auto.http.post(
        "/api/v1/jobs/saved-searches",
        json={"name": "Python", "filters": {"q": "python"}},
        headers=auto.headers,
    )
    assert search.status_code == 201, search.text
    changed = await auto.http.patch(
        url,
        json={"saved_search_id": search.json()["id"], "mode": "autopilot", "daily_cap": 2},
        headers=auto.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    # A saved search replaces the filters.
    assert (body["saved_search_id"], body["filters"]) == (search.json()["id"], None)
    assert (body["mode"], body["daily_cap"], body["min_score"]) == ("autopilot", 2, 0.3)
    back = await auto.http.patch(
        url, json={"filters": {"remote": ["hybrid"]}}, headers=auto.headers
    )
    assert (back.json()["saved_search_id"], back.json()["filters"]["remote"]) == (None, ["hybrid"])
    assert (await auto.http.delete(url, headers=auto.headers)).status_code == 204
    assert_error(await auto.http.get(url, headers=auto.headers), 404, "rule_not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"min_score": 1.5},
        {"min_score": -0.1},
        {"daily_cap": 0},
        {"mode": "yolo"},
        {"name": ""},
        {"filters": {"country": ["USA"]}},
        {"filters": {"posted_within": "5 years"}},
        {"filters": {"k": 5}},
        {"filters": {"remote": ["moon"]}},
        {"saved_search_id": NOBODY, "filters": {"remote": ["remote"]}},
        {"companies_include": ["Acme"], "companies_exclude": ["ACME"]},
        {"surprise": True},
    ],
)
async def test_invalid_rules_are_refused(auto: Any, body: dict[str, Any]) -> None:
    response = await auto.http.post(
        "/api/v1/auto-apply/rules",
        json={"name": "Rule", "resume_id": auto.resume_id, **body},
        headers=auto.headers,
    )
    assert_error(response, 422, "validation_error")


async def test_the_daily_cap_is_bounded_by_the_plan(auto: Any) -> None:
    allowance = _daily_allowance(auto)
    error = assert_error(
        await auto.http.post(
            "/api/v1/auto-apply/rules",
            json={"name": "Many", "resume_id": auto.resume_id, "daily_cap": allowance + 1},
            headers=auto.headers,
        ),
        422,
        "validation_error",
    )
    assert str(allowance) in error["message"]
    assert error["details"][0]["loc"] == ["body", "daily_cap"]
    rule = await auto.rule(daily_cap=allowance)
    response = await auto.http.patch(
        f"/api/v1/auto-apply/rules/{rule['id']}",
        json={"daily_cap": allowance + 1},
        headers=auto.headers,
    )
    assert_error(response, 422, "validation_error")


async def test_users_only_see_and_use_their_own(auto: Any) -> None:
    theirs = await auto.http.post(
        "/api/v1/resumes", json={"name": "Theirs", "resume": {"basics": {"name": "X"}}},
        headers=auto.other,
    )  # fmt: skip
    their_search = await auto.http.post(
        "/api/v1/jobs/saved-searches",
        json={"name": "Theirs", "filters": {"q": "python"}},
        headers=auto.other,
    )
    for body, code in (
        ({"resume_id": theirs.json()["id"]}, "resume_not_found"),
        ({"resume_id": NOBODY}, "resume_not_found"),
        ({"saved_search_id": their_search.json()["id"]}, "saved_search_not_found"),
    ):
        response = await auto.http.post(
            "/api/v1/auto-apply/rules",
            json={"name": "Rule", "resume_id": auto.resume_id, **body},
            headers=auto.headers,
        )
        assert_error(response, 404, code)
    rule = await auto.rule()
    url = f"/api/v1/auto-apply/rules/{rule['id']}"
    assert_error(await auto.http.get(url, headers=auto.other), 404, "rule_not_found")
    assert_error(
        await auto.http.patch(url, json={"enabled": False}, headers=auto.other),
        404,
        "rule_not_found",
    )
    assert_error(await auto.http.delete(url, headers=auto.other), 404, "rule_not_found")
    assert_error(await auto.http.post(f"{url}/run", headers=auto.other), 404, "rule_not_found")
    listed = await auto.http.get("/api/v1/auto-apply/rules", headers=auto.other)
    assert listed.json()["items"] == []
    assert_error(await auto.http.get(url), 401, "invalid_token")


async def _repost(auto: Any, job_id: str) -> str:
    """A repost of a posting (same company, title and place: the same dedup key), embedded."""
    async with auto.container.db.writer_sessionmaker() as session, session.begin():
        original = await session.get(Posting, uuid.UUID(job_id))
        assert original is not None
        repost = Posting(
            **{c.key: getattr(original, c.key) for c in Posting.__table__.columns if c.key != "id"},
            id=uuid.uuid4(),
        )
        session.add(repost)
    await AiService(auto.container.ai).index_postings([repost.id])
    return str(repost.id)


def _expected(
    scores: list[tuple[str, float]],
    applied: set[str],
    min_score: float,
    excluded: set[str],
    budget: int,
) -> tuple[list[str], dict[str, int]]:
    """What a run must do with these matches: the documented order of the checks."""
    queued: list[str] = []
    skipped = {
        "already_applied": 0,
        "below_score": 0,
        "company_filtered": 0,
        "unsupported_ats": 0,
        "over_cap": 0,
    }
    for job_id, score in scores:
        if job_id in applied:
            skipped["already_applied"] += 1
        elif score < min_score:
            skipped["below_score"] += 1
        elif job_id in excluded:
            skipped["company_filtered"] += 1
        elif len(queued) >= budget:
            skipped["over_cap"] += 1
        else:
            queued.append(job_id)
    return queued, skipped


async def test_a_run_queues_the_best_matches_and_skips_the_rest(auto: Any) -> None:
    jobs = auto.jobs
    # Already applied: one by hand, and a repost of one the user saved.
    applied = await auto.http.post(
        "/api/v1/applications",
        json={"job_id": jobs["Data Engineer"], "status": "submitted"},
        headers=auto.headers,
    )
    assert applied.status_code == 201, applied.text
    saved = await auto.http.post(
        "/api/v1/applications",
        json={"job_id": jobs["Site Reliability Engineer"]},
        headers=auto.headers,
    )
    assert saved.status_code == 201, saved.text
    repost = await _repost(auto, jobs["Site Reliability Engineer"])
    scores = await auto.scores()
    assert repost in dict(scores)
    applied_ids = {jobs["Data Engineer"], jobs["Site Reliability Engineer"], repost}
    # The threshold sits between the two lowest scores the rule could queue.
    open_scores = sorted(s for j, s in scores if j not in applied_ids)
    min_score = round((open_scores[0] + open_scores[1]) / 2, 6)
    assert open_scores[0] < min_score <= open_scores[1]
    rule = await auto.rule(min_score=min_score, companies_exclude=["GLOBEX"], daily_cap=1)
    queued, skipped = _expected(
        scores, applied_ids, min_score, {jobs["Senior Python Developer"]}, budget=1
    )
    result = await auto.run(rule["id"])
    assert result["skipped"] == skipped
    assert sum(skipped.values()) + result["queued"] == len(scores)
    assert skipped["already_applied"] == 3
    assert result["queued"] == 1
    [application_id] = result["application_ids"]
    detail = await auto.application(application_id)
    assert detail["job_id"] == queued[0]
    assert (detail["status"], detail["source"], detail["rule_id"]) == (
        "queued",
        "auto_apply",
        rule["id"],
    )
    assert detail["resume"] == {
        "resume_id": auto.resume_id,
        "version": 1,
        "version_id": auto.resume_version_id,
    }
    assert detail["applied_at"] is None
    assert detail["prepared"] is None  # the prepare task has not run
    assert [e["kind"] for e in detail["timeline"]] == ["created"]
    assert detail["timeline"][0]["actor"] == "system"
    assert await auto.used_today() == 1
    tasks = await auto.tasks(PREPARE)
    assert [t["application_id"] for t in tasks] == [application_id]
    assert (
        await auto.http.get(f"/api/v1/auto-apply/rules/{rule['id']}", headers=auto.headers)
    ).json()["queued_today"] == 1
    # A second run finds the queued posting applied to, and the cap spent for today.
    again = await auto.run(rule["id"])
    assert again["queued"] == 0
    assert again["skipped"] == {**skipped, "already_applied": 4}
    assert await auto.used_today() == 1


async def test_the_daily_quota_limits_a_run(auto: Any) -> None:
    allowance = _daily_allowance(auto)
    user_id = await _user_id(auto)
    async with auto.container.db.unit_of_work(write=True) as session:
        await UsersFacade(session, auto.container.users).consume_quota(
            user_id, "free", "auto_applies", allowance - 2
        )
    rule = await auto.rule()
    result = await auto.run(rule["id"])
    scores = await auto.scores()
    assert result["queued"] == 2
    assert result["skipped"]["over_cap"] == len(scores) - 2
    assert await auto.used_today() == allowance
    # The two best matches went first.
    async with auto.container.db.unit_of_work() as session:
        rows = await session.scalars(
            select(Application.job_id).where(Application.rule_id == uuid.UUID(rule["id"]))
        )
        assert {str(j) for j in rows} == {j for j, _ in scores[:2]}


async def _user_id(auto: Any) -> uuid.UUID:
    async with auto.container.db.unit_of_work() as session:
        found = await session.scalar(select(User.id).where(User.email == "ada@example.com"))
        assert found is not None
        return found


async def test_a_saved_search_and_the_company_list_narrow_a_run(auto: Any) -> None:
    search = await auto.http.post(
        "/api/v1/jobs/saved-searches",
        json={"name": "Python", "filters": {"q": "python"}},
        headers=auto.headers,
    )
    assert search.status_code == 201, search.text
    rule = await auto.rule(saved_search_id=search.json()["id"], companies_include=["acme"])
    result = await auto.run(rule["id"])
    queued = {(await auto.application(i))["title"] for i in result["application_ids"]}
    # Acme's postings that mention Python: not its designer (the search does not find it).
    assert queued == {"Python Backend Engineer", "Data Engineer", "Site Reliability Engineer"}
    # Globex's and CodePath's Python postings are found, and left out by the company list.
    assert result["skipped"]["company_filtered"] == 2


async def test_a_disabled_rule_does_not_run(auto: Any) -> None:
    rule = await auto.rule(enabled=False)
    response = await auto.http.post(
        f"/api/v1/auto-apply/rules/{rule['id']}/run", headers=auto.headers
    )
    assert_error(response, 409, "rule_disabled")
    assert await auto.tasks(PREPARE) == []


async def test_rules_are_exported_and_erased_with_the_account(auto: Any) -> None:
    rule = await auto.rule()
    exported = await auto.http.get("/api/v1/users/me/export", headers=auto.headers)
    assert exported.status_code == 200, exported.text
    assert [r["id"] for r in exported.json()["applications"]["auto_apply_rules"]] == [rule["id"]]


async def test_enabled_rules_run_by_themselves_every_hour(auto: Any) -> None:
    from jobpilot.applications.tasks import RUN_RULES, periodic

    assert [p.task for p in periodic] == [RUN_RULES]
    on = await auto.rule(daily_cap=2)
    off = await auto.rule(name="Paused", enabled=False)
    only = TaskRegistry(
        {
            name: applications_tasks.tasks.tasks[name]
            for name in (RUN_RULES, "applications.run_rule")
        }
    )
    async with auto.container.db.unit_of_work(write=True) as session:
        await enqueue(session, RUN_RULES)
    await Worker(auto.container.db, only, resources=auto.container).drain()
    async with auto.container.db.unit_of_work() as session:
        by_rule = Counter(str(r) for r in await session.scalars(select(Application.rule_id)))
    # The enabled rule queued its day's cap; the disabled one nothing.
    assert by_rule == {on["id"]: 2}
    assert off["id"] not in by_rule
    assert len(await auto.tasks(PREPARE)) == 2

    # The next hour's run finds the day's cap used and queues nothing more.
    async with auto.container.db.unit_of_work(write=True) as session:
        await enqueue(session, RUN_RULES)
    await Worker(auto.container.db, only, resources=auto.container).drain()
    async with auto.container.db.unit_of_work() as session:
        total = len((await session.scalars(select(Application.id))).all())
    assert total == 2

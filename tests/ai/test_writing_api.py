"""POST /api/v1/ai/extract, /tailor, /cover-letter, /answers and GET /api/v1/ai/usage: the
rules when no model is configured, a model (a local OpenAI-compatible server) when one is, and
the grounding checker on every draft."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from fakes.openai_server import FakeOpenAI
from jobpilot import wiring
from jobpilot.ai.assist.service import Caller, WritingService
from jobpilot.ai.models import AiCacheEntry, AiUsage
from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.jobs.models import Posting
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, ingest_board, sign_in

POSTING_HTML = """
<p>Acme Payments moves money for small businesses across Europe.</p>
<h3>What you'll do</h3>
<ul><li>Design and build APIs in Python and FastAPI</li>
<li>Run PostgreSQL at scale and keep it fast</li>
<li>Ship services in Docker containers</li></ul>
<h3>What you'll bring</h3>
<ul><li>5+ years of experience as a backend engineer</li>
<li>Strong Python and PostgreSQL</li>
<li>Experience with Kubernetes in production</li></ul>
<h3>Nice to have</h3>
<ul><li>Rust</li></ul>
<h3>Benefits</h3>
<ul><li>30 days of holiday</li></ul>
"""

RESUME: dict[str, Any] = {
    "basics": {
        "name": "Grace Hopper",
        "label": "Backend Engineer",
        "summary": "I build reliable payment systems.",
        "location": {"countryCode": "DE", "city": "Berlin"},
    },
    "work": [
        {
            "name": "Globex",
            "position": "Senior Backend Engineer",
            "startDate": "2019-03",
            "highlights": [
                "Mentored four engineers",
                "Cut p95 latency of the payments API by 40% with PostgreSQL indexing",
                "Built FastAPI services deployed with Docker",
            ],
        },
        {
            "name": "Initech",
            "position": "Software Engineer",
            "startDate": "2016-01",
            "endDate": "2019-02",
            "highlights": ["Wrote reporting jobs", "Moved billing to Python"],
        },
    ],
    "education": [{"institution": "TU Berlin", "studyType": "BSc", "area": "Computer Science"}],
    "skills": [
        {"name": "Leadership", "keywords": ["Mentoring"]},
        {"name": "Backend", "keywords": ["Python", "FastAPI", "PostgreSQL", "Docker"]},
    ],
}

PROFILE: dict[str, Any] = {
    "name": "Grace Hopper",
    "contact": {"email": "grace@example.com"},
    "work_authorization": [
        {"country_code": "DE", "authorized": True, "needs_sponsorship": False},
        {"country_code": "US", "authorized": False, "needs_sponsorship": True},
    ],
    "salary": {"min": 80000, "max": 95000, "currency": "EUR", "period": "year"},
    "notice_period_days": 30,
    "answer_bank": {
        "years_by_skill": {"Python": 8},
        "eeo": {"veteran_status": "not_a_veteran"},
        "custom": [
            {
                "question": "Why do you want to work at Acme Payments?",
                "answer": "I have built payment APIs for years and like your product.",
            }
        ],
    },
}


@dataclass
class World:
    app: Any
    http: httpx.AsyncClient
    headers: dict[str, str]
    job_id: str
    resume_id: str


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="sk-test") as server:
        yield server


async def _world(settings: Settings, migrated_url: str) -> AsyncIterator[World]:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        container: wiring.Container = app.state.container
        now = datetime.now(UTC)
        posting = AtsPosting(
            ats="greenhouse",
            tenant="acme",
            source_id="1",
            title="Senior Backend Engineer",
            company_name="Acme Payments",
            locations=["Berlin, Germany"],
            description_html=POSTING_HTML,
            posted_at=now,
        )
        await ingest_board(container, "Acme Payments", "https://acme.example", [posting], now)
        async with container.db.unit_of_work() as session:
            job_id = str(await session.scalar(select(Posting.id)))
        headers = await sign_in(http, app, "grace@example.com")
        saved = await http.put("/api/v1/profiles/me", json=PROFILE, headers=headers)
        assert saved.status_code == 200, saved.text
        created = await http.post(
            "/api/v1/resumes", json={"name": "Main", "resume": RESUME}, headers=headers
        )
        assert created.status_code == 201, created.text
        yield World(app, http, headers, job_id, created.json()["id"])


@pytest.fixture
async def rules(settings: Settings, migrated_url: str) -> AsyncIterator[World]:
    async for world in _world(settings, migrated_url):
        yield world


@pytest.fixture
async def model(settings: Settings, migrated_url: str, llm: FakeOpenAI) -> AsyncIterator[World]:
    settings.ai.llm.provider = "openai-compatible"
    settings.ai.llm.base_url = llm.base_url
    settings.ai.llm.api_key = SecretStr("sk-test")
    settings.ai.llm.model = "test-model"
    settings.ai.llm.max_retries = 1
    settings.ai.llm.max_retry_after = 0.5
    async for world in _world(settings, migrated_url):
        yield world


# The rules (no model configured).


async def test_extract_reads_what_the_posting_asks_for(rules: World) -> None:
    response = await rules.http.post(
        "/api/v1/ai/extract", json={"job_id": rules.job_id}, headers=rules.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["provider"], body["model"], body["cached"]) == ("local-rules", None, False)
    assert body["usage"]["model_calls"] == 0
    skills = {s["name"]: s["required"] for s in body["skills"]}
    assert skills["Python"] is True
    assert skills["Kubernetes"] is True
    assert skills["Rust"] is False
    assert body["years_min"] == 5
    assert "Experience with Kubernetes in production" in body["requirements"]
    assert body["nice_to_have"] == ["Rust"]
    assert "Ship services in Docker containers" in body["responsibilities"]


async def test_extract_takes_text_and_rejects_ambiguous_requests(rules: World) -> None:
    text = "We need a data engineer.\nRequirements:\n- 3+ years with Apache Spark and SQL"
    response = await rules.http.post(
        "/api/v1/ai/extract", json={"text": text, "title": "Data Engineer"}, headers=rules.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["years_min"] == 3
    assert {"Apache Spark", "SQL"} <= {s["name"] for s in response.json()["skills"]}
    both = {"text": text, "job_id": rules.job_id}
    bad = await rules.http.post("/api/v1/ai/extract", json=both, headers=rules.headers)
    assert_error(bad, 422, "validation_error")
    unknown = {"job_id": str(uuid.uuid4())}
    missing = await rules.http.post("/api/v1/ai/extract", json=unknown, headers=rules.headers)
    assert_error(missing, 404, "job_not_found")


async def test_tailor_makes_a_variant_that_only_reorders_and_leads_with_matching_skills(
    rules: World,
) -> None:
    response = await rules.http.post(
        "/api/v1/ai/tailor",
        json={"resume_id": rules.resume_id, "job_id": rules.job_id},
        headers=rules.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["provider"] == "local-rules"
    assert body["source"] == {"resume_id": rules.resume_id, "version": 1}
    assert body["resume_id"] != rules.resume_id
    kinds = {(c["path"], c["kind"]) for c in body["changes"]}
    assert ("work[0].highlights", "reorder") in kinds
    assert ("basics.summary", "summary") in kinds
    assert all(c["reason"] for c in body["changes"])
    assert "Kubernetes" in body["skills"]["missing"]
    assert "Python" in body["skills"]["matched"]
    variant = await rules.http.get(f"/api/v1/resumes/{body['resume_id']}", headers=rules.headers)
    assert variant.status_code == 200, variant.text
    doc = variant.json()["version"]["resume"]
    assert variant.json()["version"]["origin"] == "tailored"
    # Nothing added: the same bullets, the first one now shows the posting's skills.
    source_bullets = RESUME["work"][0]["highlights"]
    assert sorted(doc["work"][0]["highlights"]) == sorted(source_bullets)
    assert doc["work"][0]["highlights"][0] != "Mentored four engineers"
    assert doc["basics"]["summary"].startswith("Backend Engineer with experience in Python")
    assert "Kubernetes" not in json.dumps(doc)
    assert doc["skills"][0]["name"] == "Backend"


async def test_tailor_refuses_other_peoples_resumes(rules: World) -> None:
    other = await sign_in(rules.http, rules.app, "mallory@example.com")
    response = await rules.http.post(
        "/api/v1/ai/tailor",
        json={"resume_id": rules.resume_id, "job_id": rules.job_id},
        headers=other,
    )
    assert_error(response, 404, "resume_not_found")


async def test_cover_letter_from_rules_quotes_the_resume(rules: World) -> None:
    response = await rules.http.post(
        "/api/v1/ai/cover-letter",
        json={"resume_id": rules.resume_id, "job_id": rules.job_id},
        headers=rules.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    letter = body["letter"]
    assert body["provider"] == "local-rules"
    assert body["refused"] == []
    assert letter.startswith("Dear Acme Payments hiring team,")
    assert "Senior Backend Engineer role at Acme Payments" in letter
    assert "by 40%" in letter
    assert "Kubernetes" not in letter
    assert letter.rstrip().endswith("Grace Hopper")


async def test_screening_facts_come_from_storage_and_gaps_need_the_user(rules: World) -> None:
    questions = [
        {"id": "auth", "text": "Are you legally authorized to work in Germany?"},
        {"id": "visa-us", "text": "Will you require visa sponsorship to work in the United States?"},  # noqa: E501
        {"id": "years", "text": "How many years of Python experience do you have?"},
        {"id": "rust", "text": "How many years of experience with Rust do you have?"},
        {"id": "salary", "text": "What are your salary expectations?"},
        {"id": "notice", "text": "What is your notice period?"},
        {"id": "vet", "text": "Veteran status", "options": ["I am a protected veteran", "I am not a protected veteran", "I don't wish to answer"]},  # noqa: E501
        {"id": "gender", "text": "Gender", "options": ["Male", "Female", "Decline to self-identify"]},  # noqa: E501
        {"id": "why", "text": "Why do you want to work at Acme Payments?"},
        {"id": "hard", "text": "Describe a conflict you resolved in a team."},
        {"id": "range", "text": "Years of professional experience", "options": ["0-2", "3-5", "6-9", "10+"]},  # noqa: E501
        {"id": "ca", "text": "Are you authorized to work in Canada?"},
    ]  # fmt: skip
    response = await rules.http.post(
        "/api/v1/ai/answers",
        json={"questions": questions, "job_id": rules.job_id, "resume_id": rules.resume_id},
        headers=rules.headers,
    )
    assert response.status_code == 200, response.text
    answers = {a["id"]: a for a in response.json()["answers"]}
    assert [a["id"] for a in response.json()["answers"]] == [q["id"] for q in questions]

    def said(qid: str) -> tuple[str, str | None]:
        return answers[qid]["status"], answers[qid]["answer"]

    assert said("auth") == ("answered", "Yes")
    assert said("visa-us") == ("answered", "Yes")
    assert said("years") == ("answered", "8")
    assert answers["years"]["source"] == "answer_bank.years_by_skill.Python"
    assert said("rust")[0] == "needs_user_input"
    assert said("salary") == ("answered", "EUR 80,000-95,000 per year")
    assert said("notice") == ("answered", "30 days' notice")
    assert said("vet") == ("answered", "I am not a protected veteran")
    assert said("gender") == ("answered", "Decline to self-identify")
    assert said("why")[0] == "answered"
    assert answers["why"]["source"] == "answer_bank.custom[0]"
    assert said("hard")[0] == "needs_user_input"
    assert said("range") == ("answered", "10+")  # Initech from 2016, then Globex to this day
    assert said("ca")[0] == "needs_user_input"
    assert "Canada" in answers["ca"]["reason"] or "CA" in answers["ca"]["reason"]


async def test_answers_validate_their_input(rules: World) -> None:
    empty = await rules.http.post(
        "/api/v1/ai/answers", json={"questions": []}, headers=rules.headers
    )
    assert_error(empty, 422, "validation_error")
    many = {"questions": [{"text": f"Question {n}?"} for n in range(51)]}
    too_many = await rules.http.post("/api/v1/ai/answers", json=many, headers=rules.headers)
    assert_error(too_many, 422, "validation_error")
    anonymous = await rules.http.post("/api/v1/ai/answers", json={"questions": [{"text": "Hi?"}]})
    assert anonymous.status_code == 401


# A model behind an OpenAI-compatible API.


async def test_a_model_rewrite_that_invents_experience_is_refused(
    model: World, llm: FakeOpenAI
) -> None:
    llm.reply(
        {
            "summary": "Backend engineer who led a Kubernetes migration. I build reliable payment systems.",  # noqa: E501
            "summary_reason": "Aimed at the posting.",
            "work": [
                {
                    "work_index": 0,
                    "highlight_order": [1, 2, 0],
                    "rewrites": [
                        {"index": 1, "text": "Cut payments API p95 latency by 40% through PostgreSQL indexing", "reason": "Posting's words"},  # noqa: E501
                        {"index": 2, "text": "Built FastAPI services on Kubernetes, growing revenue by 300%", "reason": "Shows Kubernetes"},  # noqa: E501
                    ],
                    "reason": "Most relevant first",
                },
                {"work_index": 7, "highlight_order": [0]},
            ],
            "skills_order": ["Backend", "Leadership"],
        }
    )  # fmt: skip
    response = await model.http.post(
        "/api/v1/ai/tailor",
        json={"resume_id": model.resume_id, "job_id": model.job_id},
        headers=model.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["provider"], body["model"]) == ("openai-compatible", "test-model")
    assert body["usage"]["model_calls"] == 1
    assert body["usage"]["prompt_tokens"] > 0
    refused = {r["path"]: r for r in body["refused"]}
    assert "work[0].highlights[2]" in refused
    assert "work[7]" in refused
    assert any("Kubernetes" in r["text"] for r in body["refused"] if r["path"] == "basics.summary")
    variant = await model.http.get(f"/api/v1/resumes/{body['resume_id']}", headers=model.headers)
    doc = variant.json()["version"]["resume"]
    assert doc["work"][0]["highlights"] == [
        "Cut payments API p95 latency by 40% through PostgreSQL indexing",
        "Built FastAPI services deployed with Docker",
        "Mentored four engineers",
    ]
    assert doc["basics"]["summary"] == "I build reliable payment systems."
    assert "Kubernetes" not in json.dumps(doc)
    assert "300%" not in json.dumps(doc)
    # The model saw the resume and the posting, and was asked for the plan's JSON schema.
    sent = llm.chat_requests[-1].body
    assert sent["model"] == "test-model"
    assert sent["response_format"]["type"] == "json_schema"
    assert "Cut p95 latency" in json.dumps(sent["messages"])


async def test_a_model_letter_loses_its_invented_sentences(model: World, llm: FakeOpenAI) -> None:
    llm.reply(
        {
            "paragraphs": [
                "Dear Acme Payments team,",
                "I am applying for the Senior Backend Engineer role. At Globex I cut p95 latency of the payments API by 40%. I spent three years at Google running Kubernetes clusters.",  # noqa: E501
                "I hold a PhD in distributed systems.",
                "Best regards,\nGrace Hopper",
            ]
        }
    )  # fmt: skip
    response = await model.http.post(
        "/api/v1/ai/cover-letter",
        json={"resume_id": model.resume_id, "job_id": model.job_id},
        headers=model.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "Google" not in body["letter"]
    assert "PhD" not in body["letter"]
    assert "40%" in body["letter"]
    refused = " ".join(r["text"] for r in body["refused"])
    assert "Google" in refused
    assert "PhD" in refused
    assert len(body["paragraphs"]) == 3


async def test_fact_questions_never_reach_the_model(model: World, llm: FakeOpenAI) -> None:
    llm.reply({"answer": "I enjoy resolving conflicts by listening first."})
    questions = [
        {"text": "How many years of Python experience do you have?"},
        {"text": "Do you require sponsorship to work in Germany?"},
        {"text": "Describe how you handle disagreements in a team."},
    ]
    response = await model.http.post(
        "/api/v1/ai/answers", json={"questions": questions}, headers=model.headers
    )
    assert response.status_code == 200, response.text
    answers = response.json()["answers"]
    assert [a["source"] for a in answers] == [
        "answer_bank.years_by_skill.Python",
        "work_authorization.DE.needs_sponsorship",
        "model",
    ]
    assert answers[2]["answer"] == "I enjoy resolving conflicts by listening first."
    assert len(llm.chat_requests) == 1
    assert (
        "sponsorship"
        not in json.dumps(llm.chat_requests[0].body["messages"]).lower().split("question")[0]
    )


async def test_a_model_answer_with_invented_numbers_needs_the_user(
    model: World, llm: FakeOpenAI
) -> None:
    llm.reply({"answer": "I managed a team of 25 engineers at Globex."})
    response = await model.http.post(
        "/api/v1/ai/answers",
        json={"questions": [{"text": "Tell us about your leadership experience."}]},
        headers=model.headers,
    )
    answer = response.json()["answers"][0]
    assert answer["status"] == "needs_user_input"
    assert answer["answer"] is None
    assert "25" in answer["refused"][0]["text"]


async def test_identical_requests_are_answered_from_the_cache(
    model: World, llm: FakeOpenAI
) -> None:
    llm.reply({"skills": [{"name": "Python", "required": True}], "years_min": 5})
    first = await model.http.post(
        "/api/v1/ai/extract", json={"job_id": model.job_id}, headers=model.headers
    )
    second = await model.http.post(
        "/api/v1/ai/extract", json={"job_id": model.job_id}, headers=model.headers
    )
    assert first.status_code == second.status_code == 200, second.text
    assert (first.json()["cached"], second.json()["cached"]) == (False, True)
    assert first.json()["skills"] == second.json()["skills"]
    assert second.json()["usage"] == {
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "model_calls": 0,
        "cached_calls": 1,
    }
    assert len(llm.chat_requests) == 1
    usage = await model.http.get("/api/v1/ai/usage", headers=model.headers)
    assert usage.status_code == 200, usage.text
    row = usage.json()["by_task"][0]
    assert (row["task"], row["provider"], row["requests"], row["cached"]) == (
        "extract",
        "openai-compatible",
        2,
        1,
    )
    assert usage.json()["prompt_tokens"] == first.json()["usage"]["prompt_tokens"] > 0
    quota = await model.http.get("/api/v1/users/me/usage", headers=model.headers)
    used = {q["quota"]: q["used"] for q in quota.json()["quotas"]}
    assert used["ai_requests"] == 1


async def test_a_model_extraction_keeps_only_what_the_posting_says(
    model: World, llm: FakeOpenAI
) -> None:
    llm.reply(
        {
            "skills": [{"name": "Python", "required": True}, {"name": "Go", "required": True}],
            "years_min": 8,
            "requirements": ["Strong Python and PostgreSQL", "A PhD in physics"],
        }
    )
    response = await model.http.post(
        "/api/v1/ai/extract", json={"job_id": model.job_id}, headers=model.headers
    )
    body = response.json()
    assert [s["name"] for s in body["skills"]] == ["Python"]
    assert body["years_min"] is None
    assert body["requirements"] == ["Strong Python and PostgreSQL"]
    assert {r["text"] for r in body["refused"]} == {"Go", "8", "A PhD in physics"}


async def test_the_monthly_ai_quota_stops_model_calls(
    settings: Settings, migrated_url: str, llm: FakeOpenAI
) -> None:
    settings.users.tiers["free"]["ai_requests"] = 1
    settings.ai.llm.provider = "openai-compatible"
    settings.ai.llm.base_url = llm.base_url
    settings.ai.llm.api_key = SecretStr("sk-test")
    async for world in _world(settings, migrated_url):
        llm.reply({"skills": []})
        ok = await world.http.post(
            "/api/v1/ai/extract", json={"job_id": world.job_id}, headers=world.headers
        )
        assert ok.status_code == 200, ok.text
        text = {"text": "Another posting that asks for Go and 2+ years of experience."}
        over = await world.http.post("/api/v1/ai/extract", json=text, headers=world.headers)
        details = assert_error(over, 402, "quota_exceeded")["details"]
        assert (details["quota"], details["limit"], details["used"]) == ("ai_requests", 1, 1)
        assert len(llm.chat_requests) == 1


async def test_a_provider_that_stays_rate_limited_answers_503_with_retry_after(
    model: World, llm: FakeOpenAI
) -> None:
    llm.fail_next(429, times=2, retry_after="0.01")
    response = await model.http.post(
        "/api/v1/ai/extract", json={"job_id": model.job_id}, headers=model.headers
    )
    assert_error(response, 503, "llm_rate_limited")
    assert response.headers["retry-after"] == "1"
    metrics = (await model.http.get("/metrics")).text
    assert (
        'ai_requests_total{provider="openai-compatible",status="rate_limited",task="extract"}'
        in metrics
    )
    # The failed call gave its quota back.
    quota = await model.http.get("/api/v1/users/me/usage", headers=model.headers)
    used = {q["quota"]: q["used"] for q in quota.json()["quotas"]}
    assert used["ai_requests"] == 0


async def test_a_deleted_user_leaves_no_cache_or_usage(model: World, llm: FakeOpenAI) -> None:
    llm.reply({"skills": []})
    await model.http.post(
        "/api/v1/ai/extract", json={"job_id": model.job_id}, headers=model.headers
    )
    container: wiring.Container = model.app.state.container
    async with container.db.unit_of_work() as session:
        owner = await session.scalar(select(AiUsage.user_id))
        assert owner is not None
        assert await session.scalar(select(func.count()).select_from(AiCacheEntry)) == 1
    await WritingService(container.ai).forget_user(owner)
    async with container.db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(AiCacheEntry)) == 0
        assert await session.scalar(select(func.count()).select_from(AiUsage)) == 0
    assert Caller(owner, "free").tier == "free"

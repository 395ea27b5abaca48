"""The profile: a strict, field-by-field validated document with a completeness score."""

from __future__ import annotations

from typing import Any

import pytest

from support import SignedIn, assert_error

FULL: dict[str, Any] = {
    "name": "Ada Lovelace",
    "headline": "Backend engineer",
    "contact": {"email": "ada@example.com", "phone": "+49 30 901820"},
    "location": {"city": "Berlin", "region": "Berlin", "country_code": "de"},
    "links": {
        "linkedin": "https://www.linkedin.com/in/ada",
        "github": "https://github.com/ada",
        "portfolio": "https://ada.example.com",
    },
    "work_authorization": [
        {"country_code": "DE", "authorized": True},
        {"country_code": "US", "authorized": False, "needs_sponsorship": True},
    ],
    "desired_roles": ["Backend Engineer", "Platform Engineer"],
    "seniority": "senior",
    "desired_locations": [{"city": "Berlin", "country_code": "DE"}],
    "remote_preference": "hybrid",
    "salary": {"min": 80000, "max": 95000, "currency": "eur", "period": "year"},
    "notice_period_days": 90,
    "experience": [
        {
            "company": "Analytical Engines",
            "title": "Engineer",
            "start": "2019-03-01",
            "current": True,
            "description": "Built things.",
        },
        {"company": "Babbage & Co", "title": "Intern", "start": "2018-01-01", "end": "2018-12-31"},
    ],
    "education": [{"institution": "University of London", "degree": "BSc", "end": "2017-07-01"}],
    "languages": [{"language": "English", "proficiency": "native"}],
    "answer_bank": {
        "years_by_skill": {"Python": 6},
        "willing_to_relocate": False,
        "custom": [{"question": "Why us?", "answer": "Because."}],
    },
}


async def test_the_profile_round_trips_normalised(user: SignedIn) -> None:
    saved = await user.client.put("/api/v1/profiles/me", json=FULL)
    assert saved.status_code == 200, saved.text
    profile = (await user.client.get("/api/v1/profiles/me")).json()["profile"]
    assert profile["contact"]["phone"] == "+4930901820"  # E.164
    assert profile["location"]["country_code"] == "DE"
    assert profile["salary"]["currency"] == "EUR"
    assert profile["answer_bank"]["eeo"] == {
        "gender": "decline_to_answer",
        "race_ethnicity": "decline_to_answer",
        "veteran_status": "decline_to_answer",
        "disability_status": "decline_to_answer",
    }
    assert profile["experience"][0]["end"] is None


async def test_a_new_profile_starts_from_the_account(user: SignedIn) -> None:
    body = (await user.client.get("/api/v1/profiles/me")).json()
    assert body["profile"]["name"] == "Tester"
    assert body["profile"]["contact"]["email"] == "ada@example.com"
    assert body["updated_at"] is None
    missing = {m["field"] for m in body["completeness"]["missing"]}
    assert {"contact.phone", "experience", "skills", "work_authorization"} <= missing
    assert 0 < body["completeness"]["score"] < 50


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"contact": {"phone": "12"}}, ["body", "contact", "phone"], "phone number"),
        ({"location": {"country_code": "XX"}}, ["body", "location", "country_code"], "ISO 3166"),
        ({"salary": {"min": 9, "max": 1, "currency": "EUR"}}, ["body", "salary"], "min"),
        (
            {"salary": {"min": 1, "max": 9, "currency": "EUX"}},
            ["body", "salary", "currency"],
            "ISO 4217",
        ),
        ({"links": {"github": "https://gitlab.com/ada"}}, ["body", "links", "github"], "GitHub"),
        ({"links": {"portfolio": "javascript:alert(1)"}}, ["body", "links", "portfolio"], "URL"),
        (
            {
                "experience": [
                    {"company": "A", "title": "B", "start": "2020-01-01", "end": "2019-01-01"}
                ]
            },
            ["body", "experience", 0],
            "end must not be before start",
        ),
        (
            {"experience": [{"company": "A", "title": "B", "start": "2020-01-01"}]},
            ["body", "experience", 0],
            "mark the position as current",
        ),
        ({"notice_period_days": 400}, ["body", "notice_period_days"], "365"),
        ({"headline": "x" * 201}, ["body", "headline"], "200"),
        ({"unknown_field": 1}, ["body", "unknown_field"], "Extra inputs"),
        (
            {"work_authorization": [{"country_code": "DE", "authorized": True}] * 2},
            ["body", "work_authorization"],
            "each country once",
        ),
        (
            {"answer_bank": {"years_by_skill": {"Python": 99}}},
            ["body", "answer_bank", "years_by_skill"],
            "between 0 and 60",
        ),
    ],
)
async def test_each_invalid_field_is_named(
    user: SignedIn, change: dict[str, Any], field: list[Any], says: str
) -> None:
    response = await user.client.put("/api/v1/profiles/me", json={**FULL, **change})
    error = assert_error(response, 422, "validation_error")
    problems = {tuple(d["loc"]): d["msg"] for d in error["details"]}
    matching = [msg for loc, msg in problems.items() if list(loc[: len(field)]) == field]
    assert matching, problems
    assert any(says in msg for msg in matching), problems
    # Nothing was stored.
    assert (await user.client.get("/api/v1/profiles/me")).json()["updated_at"] is None


async def test_patch_merges_and_validates_the_whole(user: SignedIn) -> None:
    await user.client.put("/api/v1/profiles/me", json=FULL)
    patched = await user.client.patch(
        "/api/v1/profiles/me",
        json={
            "headline": "Staff engineer",
            "salary": None,
            "contact": {"phone": "+1 212 555 0199"},
        },
    )
    assert patched.status_code == 200, patched.text
    profile = patched.json()["profile"]
    assert profile["headline"] == "Staff engineer"
    assert profile["salary"] is None
    assert profile["contact"] == {"email": "ada@example.com", "phone": "+12125550199"}
    assert "salary" in {m["field"] for m in patched.json()["completeness"]["missing"]}
    bad = await user.client.patch("/api/v1/profiles/me", json={"contact": {"phone": "nope"}})
    assert_error(bad, 422, "validation_error")


async def test_a_complete_profile_scores_100(user: SignedIn) -> None:
    await user.client.put("/api/v1/profiles/me", json=FULL)
    skills = [{"name": n} for n in ("Python", "PostgreSQL", "Docker")]
    assert (await user.client.put("/api/v1/users/me/skills", json=skills)).status_code == 200
    body = (await user.client.get("/api/v1/profiles/me")).json()
    assert body["completeness"] == {"score": 100, "missing": []}


async def test_profiles_need_a_signed_in_user(user: SignedIn) -> None:
    anonymous = await user.client.get("/api/v1/profiles/me", headers={"Authorization": ""})
    assert_error(anonymous, 401, "invalid_token")

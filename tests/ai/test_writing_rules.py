"""The rules that write without a model: reading postings, answering from stored facts,
tailoring and letters that never claim more than the user's facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jobpilot import wiring
from jobpilot.ai.assist.plans import Rewrite, TailorPlan, WorkPlan
from jobpilot.ai.assist.requirements import PostingDoc, extract_requirements, sections
from jobpilot.ai.assist.screening import Question, ScreeningAnswers
from jobpilot.ai.assist.service import Caller, WritingService
from jobpilot.ai.assist.tailoring import apply_plan, rules_plan
from jobpilot.ai.grounding import GroundingChecker, gather_facts
from jobpilot.ai.schemas import CoverLetterRequest
from jobpilot.demo import seed_demo_user
from jobpilot.jobs.seed import seed_demo as seed_jobs
from jobpilot.settings import Settings
from jobpilot.users.public import SkillsFacade

SKILLS = SkillsFacade()
TODAY = date(2026, 11, 26)


def test_sections_follow_the_headings_employers_write() -> None:
    text = (
        "Intro line about us.\n"
        "In this role, you will\n• Build APIs\n"
        "It's a plus if you have\n• Rust\n"
        "Qualifications:\nA degree in a related field, or equivalent experience.\n"
        "Perks and benefits\n• Free lunch\n"
    )
    assert sections(text) == [
        ("intro", "Intro line about us."),
        ("responsibilities", "Build APIs"),
        ("nice", "Rust"),
        ("requirements", "A degree in a related field, or equivalent experience."),
        ("benefits", "Free lunch"),
    ]


def test_a_line_with_figures_is_never_a_heading() -> None:
    text = "Requirements\n3+ years experience\nPython"
    assert sections(text) == [("requirements", "3+ years experience"), ("requirements", "Python")]


def test_extraction_reads_minimums_and_what_is_only_nice() -> None:
    posting = PostingDoc(
        "Junior Data Engineer",
        "Acme",
        "What you'll bring\n• Up to 2 years of experience with SQL\n• Python\n"
        "Bonus points\n• Apache Spark\nBenefits\n• Kubernetes training budget",
    )
    needs = extract_requirements(posting, SKILLS)
    assert needs.years_min is None  # "up to 2 years" is no minimum
    skills = {s.name: s.required for s in needs.skills}
    assert skills["SQL"] is True
    assert skills["Apache Spark"] is False
    assert "Kubernetes" not in skills  # named only among the benefits
    plain = PostingDoc("Engineer", "Acme", "We want 4-6 years with Go and Docker.")
    found = extract_requirements(plain, SKILLS)
    assert found.years_min == 4
    assert all(s.required for s in found.skills)


PROFILE: dict[str, Any] = {
    "name": "Ada Lovelace",
    "contact": {"email": "ada@example.com", "phone": "+4915112345678"},
    "links": {"linkedin": "https://www.linkedin.com/in/ada"},
    "work_authorization": [{"country_code": "GB", "authorized": True, "needs_sponsorship": False}],
    "answer_bank": {
        "willing_to_relocate": False,
        "eeo": {"disability_status": "no", "gender": "decline_to_answer"},
        "custom": [{"question": "Do you have a driving licence?", "answer": "Yes, a full UK one."}],
    },
}


@pytest.mark.parametrize(
    ("text", "options", "status", "answer"),
    [
        ("Are you legally authorised to work in the UK?", (), "answered", "Yes"),
        ("Do you have the right to work here?", ("Yes", "No"), "answered", "Yes"),  # one country
        ("Will you now or in the future require sponsorship?", ("Yes", "No"), "answered", "No"),
        ("Are you willing to relocate?", ("Yes, I am", "No, I am not"), "answered", "No, I am not"),
        ("Do you have a disability?", ("Yes", "No", "I don't wish to answer"), "answered", "No"),
        ("Gender", ("Woman", "Man", "Prefer not to say"), "answered", "Prefer not to say"),
        ("Gender", ("Woman", "Man"), "needs_user_input", None),
        ("First name", (), "answered", "Ada"),
        ("LinkedIn profile", (), "answered", "https://www.linkedin.com/in/ada"),
        ("Do you hold a driving licence?", (), "answered", "Yes, a full UK one."),
        ("What is your notice period?", (), "needs_user_input", None),
        ("Expected salary?", (), "needs_user_input", None),
        ("How many years of Go do you have?", (), "needs_user_input", None),
    ],
)
def test_screening_answers_come_from_stored_facts_only(
    text: str, options: tuple[str, ...], status: str, answer: str | None
) -> None:
    facts = gather_facts(None, PROFILE, SKILLS, today=TODAY)
    found = ScreeningAnswers(SKILLS).answer(Question(text, None, options), PROFILE, facts, ["GB"])
    assert found is not None
    assert (found.status, found.answer) == (status, answer)
    if status == "needs_user_input":
        assert found.reason


def test_free_text_questions_are_left_to_a_writer() -> None:
    facts = gather_facts(None, PROFILE, SKILLS, today=TODAY)
    question = Question("What excites you about this role?")
    assert ScreeningAnswers(SKILLS).kind(question) == "free_text"
    assert ScreeningAnswers(SKILLS).answer(question, PROFILE, facts, []) is None


RESUME: dict[str, Any] = {
    "basics": {"name": "Ada Lovelace", "label": "Data Engineer"},
    "work": [
        {
            "name": "Globex",
            "position": "Data Engineer",
            "startDate": "2020-01",
            "highlights": ["Ran the on-call rota", "Built Apache Spark jobs in Python"],
        }
    ],
    "skills": [{"name": "Data", "keywords": ["Python", "Apache Spark", "SQL"]}],
}
POSTING = PostingDoc("Data Engineer", "Acme", "Requirements\n• Apache Spark\n• Python\n• Kafka")


def test_a_plan_that_is_not_a_reordering_or_names_no_real_bullet_is_refused() -> None:
    facts = gather_facts(RESUME, None, SKILLS, today=TODAY)
    plan = TailorPlan(
        work=[
            WorkPlan(
                work_index=0,
                highlight_order=[1, 1],
                rewrites=[Rewrite(index=5, text="x", reason="y")],
            ),
            WorkPlan(work_index=0, highlight_order=[1, 0]),
            WorkPlan(work_index=3, highlight_order=[0]),
        ]
    )  # fmt: skip
    tailored = apply_plan(RESUME, plan, GroundingChecker(SKILLS), facts, POSTING)
    assert [r.path for r in tailored.refused] == [
        "work[0].highlights[5]",
        "work[0].highlights",
        "work[0]",
        "work[3]",
    ]
    assert tailored.refused[2].reasons == ["This job was already planned."]
    assert tailored.changes == []
    assert tailored.document == RESUME


def test_the_rules_plan_leads_with_what_the_posting_asks_and_adds_nothing() -> None:
    facts = gather_facts(RESUME, None, SKILLS, today=TODAY)
    needs = extract_requirements(POSTING, SKILLS)
    plan = rules_plan(RESUME, needs, facts, SKILLS)
    tailored = apply_plan(RESUME, plan, GroundingChecker(SKILLS), facts, POSTING)
    assert tailored.refused == []
    assert tailored.document["work"][0]["highlights"] == [
        "Built Apache Spark jobs in Python",
        "Ran the on-call rota",
    ]
    summary = tailored.document["basics"]["summary"]
    assert summary == "Data Engineer with experience in Apache Spark and Python."
    assert "Kafka" not in str(tailored.document)


async def test_the_rules_drafts_pass_the_grounding_check_for_every_demo_posting(
    settings: Settings, migrated_url: str
) -> None:
    settings.database.url = migrated_url
    container = wiring.build_container(settings)
    try:
        async with container.db.unit_of_work(write=True) as session:
            await seed_jobs(session, companies=8, postings=80)
        user = await seed_demo_user(container)
        service = WritingService(container.ai)
        latest = await container.ai.resumes.latest(user.resume_id)
        assert latest is not None
        facts = gather_facts(
            latest.document, await service._profile(user.user_id), SKILLS, today=TODAY
        )
        ids = await container.ai.jobs.open_posting_ids()
        assert len(ids) >= 60
        for job_id in ids:
            letter = await service.cover_letter(
                Caller(user.user_id, "free"),
                CoverLetterRequest(resume_id=user.resume_id, job_id=job_id),
            )
            assert letter.refused == [], letter.refused
            assert letter.provider == "local-rules"
            posting = await service._posting(job_id)
            assert f"the {posting.title} role at {posting.company}" in letter.letter
            plan = rules_plan(latest.document, extract_requirements(posting, SKILLS), facts, SKILLS)
            tailored = apply_plan(latest.document, plan, service.checker, facts, posting)
            assert tailored.refused == [], tailored.refused
    finally:
        await container.aclose()


def test_the_posting_title_is_named_not_claimed() -> None:
    facts = gather_facts(RESUME, None, SKILLS, today=TODAY)
    checker = GroundingChecker(SKILLS)
    posting = {"context": "Build iOS apps.", "company": "Acme", "title": "Senior iOS Engineer"}
    applying = "I am applying for the Senior iOS Engineer role at Acme."
    assert checker.check(applying, facts, **posting) == []
    unnamed = checker.check(applying, facts, context="Build iOS apps.")
    assert "skill" in [v.kind for v in unnamed]
    claimed = "I worked as a Senior iOS Engineer at Globex."
    assert [v.kind for v in checker.check(claimed, facts, **posting)] == ["skill"]

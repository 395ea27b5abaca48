"""The grounding checker: generated text may only claim what the user's resume and profile say."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jobpilot.ai.grounding import (
    PROSE_WORDS,
    Facts,
    GroundingChecker,
    Violation,
    gather_facts,
)
from jobpilot.users.public import SkillsFacade

TODAY = date(2025, 6, 30)

RESUME: dict[str, Any] = {
    "basics": {
        "name": "Jane Doe",
        "label": "Backend Engineer",
        "summary": "Backend engineer with 9 years of experience building Python services.",
        "phone": "+49 30 1234567",
        "location": {"city": "Berlin", "countryCode": "DE"},
    },
    "work": [
        {
            "name": "Initech GmbH",
            "position": "Senior Backend Engineer",
            "startDate": "2019-03",
            "summary": "Payments platform team.",
            "highlights": [
                "Built REST APIs in FastAPI and PostgreSQL serving 2 million requests a day",
                "Cut p95 latency by 40% by adding Redis caching",
                "Mentored 3 junior engineers",
            ],
        },
        {
            "name": "Globex Corporation",
            "position": "Software Engineer",
            "startDate": "2016-01",
            "endDate": "2019-06",
            "highlights": [
                "Containerised 12 Django services with Docker",
                "Reduced infrastructure costs by 25%",
            ],
        },
    ],
    "education": [
        {
            "institution": "Technical University of Munich",
            "area": "Computer Science",
            "studyType": "Bachelor of Science",
            "startDate": "2012",
            "endDate": "2015",
        }
    ],
    "certificates": [
        {
            "name": "AWS Certified Developer \u2013 Associate",
            "issuer": "Amazon Web Services",
            "date": "2021-05",
        }
    ],
    "skills": [{"name": "Backend", "keywords": ["Python", "FastAPI", "PostgreSQL", "Docker"]}],
    "languages": [
        {"language": "English", "fluency": "Native"},
        {"language": "German", "fluency": "Professional"},
    ],
    "projects": [
        {
            "name": "queue-bench",
            "description": "A benchmark of Python task queues",
            "keywords": ["Python", "Redis"],
        }
    ],
}

PROFILE: dict[str, Any] = {
    "name": "Jane Doe",
    "headline": "Backend engineer (Python, FastAPI)",
    "contact": {"email": "jane@example.com", "phone": "+49301234567"},
    "location": {"city": "Berlin", "region": None, "country_code": "DE"},
    "work_authorization": [{"country_code": "DE", "authorized": True, "needs_sponsorship": False}],
    "salary": {"min": 85000, "max": 95000, "currency": "EUR", "period": "year"},
    "notice_period_days": 30,
    "experience": [
        {
            "company": "Initech",
            "title": "Senior Backend Engineer",
            "start": "2019-03-01",
            "end": None,
            "current": True,
            "description": "Payments APIs in FastAPI.",
        }
    ],
    "education": [],
    "languages": [],
    "answer_bank": {
        "years_by_skill": {"Python": 7},
        "willing_to_relocate": True,
        "eeo": {"gender": "decline_to_answer"},
        "custom": [
            {
                "question": "Why are you looking for a new role?",
                "answer": "I want to work on larger distributed systems.",
            }
        ],
    },
    "skills": ["Python", "FastAPI", "PostgreSQL", "Docker", "Redis"],
}

POSTING = (
    "Acme is hiring a Senior Backend Engineer to build our payments platform. You have 5+ years "
    "of experience with Python, Kafka and Kubernetes. Acme serves 10 million customers across "
    "30 countries. Salary range: \u20ac90,000\u2013\u20ac110,000."
)


@pytest.fixture(scope="module")
def skills() -> SkillsFacade:
    return SkillsFacade()


@pytest.fixture(scope="module")
def checker(skills: SkillsFacade) -> GroundingChecker:
    return GroundingChecker(skills)


@pytest.fixture(scope="module")
def facts(skills: SkillsFacade) -> Facts:
    return gather_facts(RESUME, PROFILE, skills, today=TODAY)


def problems(
    checker: GroundingChecker, text: str, facts: Facts, *, company: str = "Acme"
) -> list[Violation]:
    return checker.check(text, facts, context=POSTING, company=company)


def work(*jobs: tuple[str, str | None]) -> dict[str, Any]:
    return {
        "work": [
            {"name": f"Employer {index}", "position": "Engineer", "startDate": start}
            | ({"endDate": end} if end is not None else {})
            for index, (start, end) in enumerate(jobs)
        ]
    }


# -- gathering facts ---------------------------------------------------------------------------


def test_facts_hold_what_the_resume_and_profile_state(facts: Facts) -> None:
    assert {"python", "fastapi", "postgresql", "docker", "redis", "django"} <= facts.skill_ids
    assert "kubernetes" not in facts.skill_ids
    assert {"initech", "globex", "technical university of munich"} <= facts.organisations
    assert {"degree:bachelors", "degree:bachelors:computer science"} <= facts.credentials
    assert "cert:associate aws developer" in facts.credentials
    # Percentages, "2 million", salary bounds, the notice period, dates and the phone number.
    assert {"40", "25", "2000000", "85000", "95000", "30", "1", "2016", "2019"} <= facts.numbers
    assert "tel:301234567" in facts.numbers
    assert facts.years_by_skill == {"python": 7.0}
    assert facts.notice_period_days == 30
    assert "cut p95 latency by 40% by adding redis caching" in facts.text


def test_years_total_merges_overlapping_jobs(skills: SkillsFacade) -> None:
    facts = gather_facts(
        work(("2018-01", "2020-12"), ("2019-01", "2021-12")), None, skills, today=TODAY
    )

    # Four years from January 2018 to December 2021, not 3 + 3.
    assert facts.years_total == pytest.approx(4.0, abs=0.01)


@pytest.mark.parametrize("end", [None, "present"])
def test_a_current_job_counts_until_today(skills: SkillsFacade, end: str | None) -> None:
    facts = gather_facts(work(("2020-01", end)), None, skills, today=date(2022, 12, 31))

    assert facts.years_total == pytest.approx(3.0, abs=0.01)


def test_a_current_profile_job_counts_until_today(skills: SkillsFacade) -> None:
    profile = {
        "experience": [
            {"company": "Initech", "title": "Engineer", "start": "2021-07-01", "current": True}
        ]
    }

    facts = gather_facts(None, profile, skills, today=date(2023, 6, 30))

    assert facts.years_total == pytest.approx(2.0, abs=0.01)


def test_undated_work_has_no_total(skills: SkillsFacade) -> None:
    resume = {"work": [{"name": "Initech", "position": "Engineer"}]}

    assert gather_facts(resume, None, skills, today=TODAY).years_total is None
    assert gather_facts(None, None, skills, today=TODAY).years_total is None


def test_an_employer_named_like_a_skill_gives_no_skill(skills: SkillsFacade) -> None:
    resume = {"work": [{"name": "Oracle", "position": "Engineer", "highlights": ["Wrote Java"]}]}

    facts = gather_facts(resume, None, skills, today=TODAY)

    assert "java" in facts.skill_ids
    assert "oracle-database" not in facts.skill_ids
    assert "oracle" in facts.organisations


def test_answer_bank_years_are_keyed_by_taxonomy_id_when_known(skills: SkillsFacade) -> None:
    profile = {"answer_bank": {"years_by_skill": {"k8s": 2, "Underwater Basket Weaving": 3}}}

    facts = gather_facts(None, profile, skills, today=TODAY)

    assert facts.years_by_skill == {"kubernetes": 2.0, "underwater basket weaving": 3.0}
    assert "kubernetes" in facts.skill_ids


# -- grounded text passes ----------------------------------------------------------------------

GROUNDED = [
    "Built REST APIs in FastAPI and PostgreSQL that serve 2 million requests a day.",
    "I cut p95 latency by 40% with Redis caching.",
    "Cut p95 latency by 40%.",
    "At Globex I containerised 12 Django services with Docker and reduced costs by 25%.",
    "I mentored three junior engineers.",
    "I have 7 years of Python experience.",
    "I have 9 years of experience as a backend engineer.",
    "I have more than 9 years of experience.",
    "I have nearly a decade of experience.",
    "I have 5 years of FastAPI experience.",
    "I'd love to join Acme and help build its payments platform.",
    "I'm excited about the Senior Backend Engineer role at Acme.",
    "I am writing to apply for the Senior Backend Engineer position at Acme.",
    "Acme serves 10 million customers across 30 countries.",
    "I would love to help Acme serve its 10 million customers.",
    "As a senior engineer at Initech, I led the payments team.",
    "Since 2016 I have built backend systems at Globex and Initech.",
    "I hold a BSc in Computer Science from the Technical University of Munich.",
    "I studied Computer Science at the Technical University of Munich.",
    "I studied at TUM.",
    "In my current role at Initech, I own the payments API.",
    "I hold a B.Sc. in Computer Science.",
    "I'm drawn to Acme because of its engineering culture.",
    "I have a degree in Computer Science.",
    "I hold the AWS Certified Developer certification.",
    "I am a backend engineer who cares about clean APIs.",
    "I am also fluent in German and English.",
    "I excel at turning vague requirements into clear APIs.",
    "I keep our services on Python 3.11 and take part in the 24/7 on-call rotation.",
    "My salary expectation is \u20ac85,000 to \u20ac95,000 a year.",
    "My notice period is 30 days.",
    "My notice period is one month.",
    "You can reach me at +49 30 1234567.",
    "It's an honour to apply, and I want to work on larger distributed systems.",
    "Kind regards, Jane Doe",
]


@pytest.mark.parametrize("text", GROUNDED)
def test_grounded_text_passes(checker: GroundingChecker, facts: Facts, text: str) -> None:
    assert problems(checker, text, facts) == []


# -- invented experience is caught -------------------------------------------------------------

ADVERSARIAL = [
    ("I led our Kubernetes migration at Initech.", "skill", "Kubernetes"),
    ("I have been running k8s clusters in production.", "skill", "k8s"),
    ("I built event pipelines on Kafka for the payments team.", "skill", "Kafka"),
    ("I'm eager to learn Kubernetes.", "skill", "Kubernetes"),
    ("I am fluent in Spanish.", "skill", "Spanish"),
    ("I have 10 years of Python.", "years", "10 years"),
    ("I bring over a decade of experience.", "years", "over a decade"),
    ("With over 10 years of experience in Python, I build services.", "years", "over 10 years"),
    ("I have fifteen years of backend experience.", "years", "fifteen years"),
    ("I have 8 years of FastAPI experience.", "years", "8 years"),
    ("I increased revenue by 300%.", "number", "300%"),
    ("I've shipped features used by 500,000 users.", "number", "500,000"),
    ("Led a team of 8 engineers.", "number", "8"),
    ("I served 10 million customers at Initech.", "number", "10 million"),
    ("My salary expectation is \u20ac120,000.", "number", "\u20ac120,000"),
    ("I can start after a notice period of 2 weeks.", "number", "2 weeks"),
    ("At Google, I scaled the search infrastructure.", "organisation", "Google"),
    ("As a senior engineer at Google, I led the search team.", "organisation", "Google"),
    ("I worked at Acme for two years.", "organisation", "Acme"),
    ("I led the platform team at Acme.", "organisation", "Acme"),
    ("I joined Stripe in 2020.", "organisation", "Stripe"),
    ("I graduated from MIT.", "organisation", "MIT"),
    ("I spent three years at Google building ads systems.", "organisation", "Google"),
    # The user holds a certificate issued by Amazon Web Services, but never worked there.
    ("Previously at Amazon, I ran the checkout team.", "organisation", "Amazon"),
    ("I hold a PhD in Machine Learning.", "credential", "PhD in Machine Learning"),
    ("I have a Master's degree in Computer Science.", "credential", "Master's degree"),
    ("I hold a BSc in Physics.", "credential", "BSc in Physics"),
    ("I am an AWS Certified Solutions Architect.", "credential", "AWS Certified Solutions"),
    ("I'm PMP certified.", "credential", "PMP"),
    ("I am a CKA-certified engineer.", "credential", "CKA"),
    ("I hold an MBA from Wharton.", "credential", "MBA"),
    ("I am certified in Terraform.", "credential", "certified in Terraform"),
]


@pytest.mark.parametrize(("text", "kind", "claim"), ADVERSARIAL)
def test_invented_experience_is_caught(
    checker: GroundingChecker, facts: Facts, text: str, kind: str, claim: str
) -> None:
    found = problems(checker, text, facts)

    assert any(v.kind == kind and v.claim.startswith(claim) for v in found), found


def test_violations_explain_themselves(checker: GroundingChecker, facts: Facts) -> None:
    text = (
        "I led our Kubernetes migration, which increased revenue by 300%. "
        "I have 10 years of Python."
    )

    assert problems(checker, text, facts) == [
        Violation("skill", "Kubernetes", "Kubernetes is not in your resume or profile"),
        Violation("number", "300%", "300% does not appear in your resume or profile"),
        Violation("years", "10 years", "your resume and profile show 7 years of Python"),
    ]


def test_the_notice_period_must_be_the_stored_one(checker: GroundingChecker, facts: Facts) -> None:
    (violation,) = problems(checker, "I can start after a notice period of 2 weeks.", facts)

    assert violation.message == "your notice period is 30 days"


def test_without_a_profile_no_notice_period_is_grounded(
    checker: GroundingChecker, skills: SkillsFacade
) -> None:
    facts = gather_facts(RESUME, None, skills, today=TODAY)

    assert [v.kind for v in problems(checker, "My notice period is 30 days.", facts)] == ["number"]


def test_posting_figures_may_be_quoted_but_not_claimed(
    checker: GroundingChecker, facts: Facts
) -> None:
    quoted = "Acme serves 10 million customers across 30 countries."
    claimed = "Served 10 million customers across 30 countries."

    assert checker.check(quoted, facts, context=POSTING) == []
    assert [v.claim for v in checker.check(quoted, facts)] == ["10 million"]
    assert [v.claim for v in checker.check(claimed, facts, context=POSTING)] == ["10 million"]


def test_years_from_the_posting_are_not_the_users(checker: GroundingChecker, facts: Facts) -> None:
    found = problems(checker, "I have 5+ years of experience with Kubernetes.", facts)

    assert {v.kind for v in found} == {"skill", "years"}


# -- the taxonomy ------------------------------------------------------------------------------


def facts_with_skills(skills: SkillsFacade, *names: str, **years: float) -> Facts:
    profile = {"skills": list(names), "answer_bank": {"years_by_skill": years}}
    return gather_facts(None, profile, skills, today=TODAY)


def test_owning_a_framework_grounds_its_language(
    checker: GroundingChecker, skills: SkillsFacade
) -> None:
    facts = facts_with_skills(skills, "FastAPI")

    assert checker.check("I write Python every day.", facts) == []


def test_owning_a_language_does_not_ground_its_frameworks(
    checker: GroundingChecker, skills: SkillsFacade
) -> None:
    facts = facts_with_skills(skills, "Python")

    (violation,) = checker.check("I build APIs with FastAPI.", facts)

    assert (violation.kind, violation.claim) == ("skill", "FastAPI")


def test_years_with_a_framework_count_for_its_language(
    checker: GroundingChecker, skills: SkillsFacade
) -> None:
    facts = facts_with_skills(skills, "FastAPI", FastAPI=4)

    assert checker.check("I have 4 years of Python.", facts) == []
    assert [v.kind for v in checker.check("I have 5 years of Python.", facts)] == ["years"]


def test_lowercase_everyday_words_are_not_product_names(
    checker: GroundingChecker, facts: Facts
) -> None:
    assert problems(checker, "I excel at keeping slack in the schedule.", facts) == []
    assert [v.claim for v in problems(checker, "I use Slack and Microsoft Excel.", facts)] == [
        "Slack",
        "Microsoft Excel",
    ]


def test_prose_words_name_taxonomy_skills(skills: SkillsFacade) -> None:
    for word, skill_id in PROSE_WORDS.items():
        assert [ref.id for ref in skills.mentions(word)] == [skill_id], word


def test_a_company_named_like_a_skill_may_be_named(checker: GroundingChecker, facts: Facts) -> None:
    posting = POSTING.replace("Acme", "Stripe")
    letter = "I'd love to join Stripe. Stripe's mission resonates with me."
    bullet = "- Scaled Stripe payment integrations for our merchants"

    assert checker.check(letter, facts, context=posting, company="Stripe") == []
    found = checker.check(bullet, facts, context=posting, company="Stripe")
    assert [(v.kind, v.claim) for v in found] == [("skill", "Stripe")]


# -- filtering ---------------------------------------------------------------------------------

LETTER = """Dear Hiring Manager,

I am writing to apply for the Senior Backend Engineer role at Acme. At Initech, I built REST \
APIs in FastAPI and PostgreSQL that serve 2 million requests a day. I also led our Kubernetes \
migration, which increased revenue by 300%.

- Cut p95 latency by 40% with Redis caching
- Earned the AWS Certified Solutions Architect \u2013 Professional certification

I have 7 years of Python and hold a BSc in Computer Science.

Kind regards,
Jane Doe
"""


def test_filter_keeps_grounded_sentences_and_says_why_others_went(
    checker: GroundingChecker, facts: Facts
) -> None:
    kept, removed = checker.filter_sentences(LETTER, facts, context=POSTING, company="Acme")

    assert kept == (
        "Dear Hiring Manager,\n\n"
        "I am writing to apply for the Senior Backend Engineer role at Acme. At Initech, I built "
        "REST APIs in FastAPI and PostgreSQL that serve 2 million requests a day.\n\n"
        "- Cut p95 latency by 40% with Redis caching\n\n"
        "I have 7 years of Python and hold a BSc in Computer Science.\n\n"
        "Kind regards,\nJane Doe\n"
    )
    assert [(sentence, [v.kind for v in why]) for sentence, why in removed] == [
        (
            "I also led our Kubernetes migration, which increased revenue by 300%.",
            ["skill", "number"],
        ),
        (
            "Earned the AWS Certified Solutions Architect \u2013 Professional certification",
            ["credential"],
        ),
    ]


def test_filter_leaves_grounded_text_untouched(checker: GroundingChecker, facts: Facts) -> None:
    text = "Dear Hiring Manager,\n\nI have 7 years of Python.\n"

    assert checker.filter_sentences(text, facts, context=POSTING) == (text, [])

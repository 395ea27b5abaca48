"""The demo job seeker and the demo operator that `jobpilot seed` creates next to the demo
postings.

Dana Demo is a backend engineer whose profile and resume name the languages and tools the
synthetic boards ask for most (Python and its frameworks, PostgreSQL, Redis, Kafka, AWS, Docker,
Kubernetes, Terraform…), so that right after `make run` her resume has explained matches,
offline and without any key. Ada Admin holds the admin role, so that the admin area
(`/admin`) can be tried on the demo's real data. Both accounts get a new random password on
every run: none is written in the code, and the seed command prints the current ones.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jobpilot.auth.public import AuthFacade
from jobpilot.resumes.public import ResumesFacade
from jobpilot.users.public import UsersFacade

if TYPE_CHECKING:
    from jobpilot.wiring import Container

# The sign-in form checks addresses strictly, and `.local` is a special-use name it refuses;
# `.example` is reserved for documentation (RFC 2606), like the demo companies' websites.
DEMO_EMAIL = "demo@jobpilot.example"
DEMO_NAME = "Dana Demo"
DEMO_ADMIN_EMAIL = "admin@jobpilot.example"
DEMO_ADMIN_NAME = "Ada Admin"
DEMO_RESUME = "Dana Demo — Backend"
# The services whose data the demo user has: without all three there is nothing to show.
DEMO_SERVICES = frozenset({"auth", "users", "resumes"})

DEMO_SKILLS: tuple[tuple[str, str, float], ...] = (
    ("Python", "expert", 8),
    ("FastAPI", "advanced", 4),
    ("Django", "advanced", 5),
    ("PostgreSQL", "expert", 8),
    ("Redis", "advanced", 6),
    ("Kafka", "intermediate", 3),
    ("Docker", "advanced", 6),
    ("Kubernetes", "intermediate", 3),
    ("AWS", "advanced", 5),
    ("Terraform", "intermediate", 3),
    ("gRPC", "intermediate", 2),
    ("REST APIs", "expert", 8),
    ("GraphQL", "intermediate", 2),
    ("SQL", "expert", 8),
    ("Go", "intermediate", 2),
    ("Linux", "advanced", 8),
    ("Prometheus", "intermediate", 3),
    ("Grafana", "intermediate", 3),
    ("pytest", "advanced", 6),
    ("TypeScript", "beginner", 1),
)

_WORK: tuple[dict[str, Any], ...] = (
    {
        "company": "Ledgerline",
        "title": "Senior Backend Engineer",
        "start": "2021-03-01",
        "current": True,
        "summary": "Payments platform team: Python (FastAPI) services on AWS, PostgreSQL, "
        "Redis and Kafka, deployed with Docker and Kubernetes.",
        "highlights": [
            "Designed and built the FastAPI payment-intent service that handles 1,200 "
            "requests per second at a p99 latency of 85 ms",
            "Cut the monthly AWS bill by 32% (about $41,000 a year) by right-sizing RDS "
            "PostgreSQL and moving batch work to spot instances",
            "Moved 14 services from EC2 to Kubernetes (EKS) with Terraform and Helm, taking "
            "deploys from 45 minutes to 6 minutes",
            "Introduced Kafka change-data-capture for the ledger, removing 9 nightly batch "
            "jobs and making balances current within 2 seconds",
            "Led the on-call rotation of 7 engineers and brought pages down from 30 to 8 a "
            "month with SLOs, Prometheus alerts and Grafana dashboards",
        ],
    },
    {
        "company": "Shipwright Logistics",
        "title": "Backend Engineer",
        "start": "2018-01-08",
        "end": "2021-02-26",
        "summary": "Python (Django) and PostgreSQL APIs for carriers and warehouses.",
        "highlights": [
            "Built the Django REST API that 300 carrier integrations use to book 2 million "
            "shipments a month",
            "Rewrote the tracking pipeline around Redis streams and Celery, raising "
            "throughput 5x and cutting tracking-event lag from 10 minutes to 20 seconds",
            "Tuned PostgreSQL queries and indexes, bringing the slowest endpoint from 4.2 s "
            "to 180 ms",
            "Added pytest suites and CI on GitHub Actions, raising test coverage from 41% to 88%",
        ],
    },
    {
        "company": "Brightdesk",
        "title": "Software Engineer",
        "start": "2016-07-04",
        "end": "2017-12-22",
        "summary": "Internal tools in Python and SQL, and the first Docker-based deploys.",
        "highlights": [
            "Automated the monthly billing export with Python and SQL, saving finance 3 days "
            "of manual work a month",
            "Containerised 6 internal services with Docker and wrote the team's deployment runbook",
        ],
    },
)


def demo_profile() -> dict[str, Any]:
    """The demo user's profile, as the profile API takes it."""
    return {
        "name": DEMO_NAME,
        "headline": "Senior Backend Engineer: Python, FastAPI, PostgreSQL, AWS",
        "contact": {"email": DEMO_EMAIL, "phone": "+1 512 555 0142"},
        "location": {"city": "Austin", "region": "TX", "country_code": "US"},
        "links": {"github": "https://github.com/dana-demo"},
        "work_authorization": [
            {"country_code": "US", "authorized": True, "needs_sponsorship": False},
            {"country_code": "CA", "authorized": False, "needs_sponsorship": True},
        ],
        "desired_roles": [
            "Backend Engineer",
            "Senior Backend Engineer",
            "Python Engineer",
            "Software Engineer, Backend",
            "Platform Engineer",
        ],
        "seniority": "senior",
        "desired_locations": [
            {"city": "Austin", "region": "TX", "country_code": "US"},
            {"city": "New York", "region": "NY", "country_code": "US"},
        ],
        "remote_preference": "any",
        "salary": {"min": 150_000, "max": 185_000, "currency": "USD", "period": "year"},
        "notice_period_days": 30,
        "experience": [
            {
                "company": job["company"],
                "title": job["title"],
                "start": job["start"],
                "end": job.get("end"),
                "current": job.get("current", False),
                "description": "\n".join([job["summary"], *job["highlights"]]),
            }
            for job in _WORK
        ],
        "education": [
            {
                "institution": "University of Texas at Austin",
                "degree": "BSc",
                "field_of_study": "Computer Science",
                "start": "2012-08-24",
                "end": "2016-05-20",
            }
        ],
        "languages": [
            {"language": "English", "proficiency": "native"},
            {"language": "Spanish", "proficiency": "professional_working"},
        ],
        "answer_bank": {
            "years_by_skill": {name: years for name, _, years in DEMO_SKILLS},
            "willing_to_relocate": False,
            "custom": [
                {
                    "question": "Why are you interested in this role?",
                    "answer": "I like owning backend services end to end, from the data "
                    "model to the on-call rotation, on a team that ships often.",
                },
                {
                    "question": "Describe a system you scaled.",
                    "answer": "At Ledgerline I took the payment-intent service to 1,200 "
                    "requests per second at 85 ms p99 with FastAPI, PostgreSQL and Redis.",
                },
            ],
        },
    }


def demo_resume() -> dict[str, Any]:
    """The demo user's resume, a JSON Resume document."""
    return {
        "basics": {
            "name": DEMO_NAME,
            "label": "Senior Backend Engineer",
            "email": DEMO_EMAIL,
            "phone": "+15125550142",
            "summary": "Backend engineer with 8 years of Python building APIs and data-heavy "
            "services on PostgreSQL, Redis and Kafka, running them on AWS with Docker, "
            "Kubernetes and Terraform, and keeping them reliable with Prometheus and Grafana.",
            "location": {"city": "Austin", "region": "TX", "countryCode": "US"},
            "profiles": [
                {
                    "network": "GitHub",
                    "username": "dana-demo",
                    "url": "https://github.com/dana-demo",
                }
            ],
        },
        "work": [
            {
                "name": job["company"],
                "position": job["title"],
                "startDate": job["start"][:7],
                **({"endDate": job["end"][:7]} if "end" in job else {}),
                "summary": job["summary"],
                "highlights": job["highlights"],
            }
            for job in _WORK
        ],
        "education": [
            {
                "institution": "University of Texas at Austin",
                "area": "Computer Science",
                "studyType": "BSc",
                "startDate": "2012-08",
                "endDate": "2016-05",
                "courses": ["Databases", "Distributed Systems", "Operating Systems"],
            }
        ],
        "skills": [
            {
                "name": "Backend",
                "level": "Expert",
                "keywords": ["Python", "FastAPI", "Django", "REST APIs", "gRPC", "GraphQL", "Go"],
            },
            {
                "name": "Data",
                "level": "Expert",
                "keywords": ["PostgreSQL", "SQL", "Redis", "Kafka"],
            },
            {
                "name": "Infrastructure",
                "level": "Advanced",
                "keywords": ["AWS", "Docker", "Kubernetes", "Terraform", "Linux"],
            },
            {
                "name": "Quality and operations",
                "level": "Advanced",
                "keywords": ["pytest", "Prometheus", "Grafana", "GitHub Actions"],
            },
        ],
        "languages": [
            {"language": "English", "fluency": "Native speaker"},
            {"language": "Spanish", "fluency": "Professional working proficiency"},
        ],
    }


@dataclass(frozen=True)
class DemoUser:
    """The seeded demo account: sign in with `email` and `password`."""

    user_id: uuid.UUID
    email: str
    password: str
    resume_id: uuid.UUID


async def seed_demo_user(container: Container) -> DemoUser:
    """Create or refresh the demo user, profile and resume, with a new random password."""
    password = secrets.token_urlsafe(18)
    account = await AuthFacade(container.auth).ensure_user(DEMO_EMAIL, password, DEMO_NAME)
    async with container.db.unit_of_work(write=True) as session:
        users = UsersFacade(session, container.users)
        await users.save_profile(account.id, demo_profile())
        await users.set_skills(
            account.id,
            [{"name": name, "level": level, "years": years} for name, level, years in DEMO_SKILLS],
        )
    details = await AuthFacade(container.auth).account(account.id) or {}
    resume_id = await ResumesFacade(container.db, container.resumes).ensure_resume(
        account.id, str(details.get("tier", "free")), DEMO_RESUME, demo_resume()
    )
    return DemoUser(user_id=account.id, email=account.email, password=password, resume_id=resume_id)


@dataclass(frozen=True)
class DemoAdmin:
    """The seeded demo operator: sign in at `/admin` with `email` and `password`."""

    user_id: uuid.UUID
    email: str
    password: str


async def seed_demo_admin(container: Container) -> DemoAdmin:
    """Create or refresh the demo admin account with a new random password."""
    password = secrets.token_urlsafe(18)
    account = await AuthFacade(container.auth).ensure_user(
        DEMO_ADMIN_EMAIL, password, DEMO_ADMIN_NAME, admin=True
    )
    return DemoAdmin(user_id=account.id, email=account.email, password=password)

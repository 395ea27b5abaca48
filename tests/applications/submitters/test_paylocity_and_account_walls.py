"""Paylocity's "Step 1 of N" wizard, and the account walls of Workday, iCIMS and Taleo: the
real browser submitter against the served sandbox.

Paylocity's answers are keyed as the real jobs adapter reads the apply page's `window.pageData`,
so a prepared application fills every required box of the rendered wizard. The account-wall
ATSs must park at their sign-in with nothing typed, nothing sent, and the apply URL handed to
the user. One Chromium and two sandboxes (with and without the captured fixtures) serve the
module.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.local_server import ServedApp
from jobpilot.adapters.browser_playwright import (
    BrowserUnavailable,
    PlaywrightBrowserPool,
    find_chromium,
)
from jobpilot.applications.submitters.base import (
    Answer,
    Attachment,
    Contact,
    SubmissionOutcome,
    SubmissionRequest,
)
from jobpilot.applications.submitters.browser import BrowserSubmitter
from jobpilot.applications.submitters.sites import (
    ICIMS,
    PAYLOCITY,
    TALEO,
    WORKDAY,
    SiteProfile,
    profile_for,
)
from jobpilot.jobs.ats.base import AtsHttp, BoardRef, FormQuestion
from jobpilot.jobs.ats.paylocity import PaylocityAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import IN_CI, require_shared

RESUME = b"%PDF-1.4\n% a resume for the sandbox\n" + bytes(range(256))
COVER = b"%PDF-1.4\n% a cover letter\n"
CONTACT = Contact(
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    phone="+1 919 555 0100",
    city="Raleigh",
    linkedin="https://www.linkedin.com/in/ada",
)
# A job of the captured board (its title comes from the fixture).
PAYLOCITY_JOB = "4141169"
# Values by the keys the Paylocity adapter reads from the apply page's pageData.
PAYLOCITY_VALUES: dict[str, str | list[str]] = {
    "info.name": "Ada Lovelace",
    "info.emailAddress": "ada@example.com",
    "info.cellPhone": "+1 919 555 0100",
    "info.smsOptedIn": "No",
    "info.city": "Raleigh",
    "info.state": "NC",
    "info.postalCode": "27607",
    "info.linkedInUrl": "https://www.linkedin.com/in/ada",
    "info.howDidYouHear": "Company Website",
    "info.referredBy": "Charles Babbage",
    "workHistory.companyName": "Analytical Engines Ltd",
    "workHistory.position": "Programmer",
    "workHistory.responsibilities": "Wrote the first published algorithm.",
    "educationHistory.schoolName": "University of London",
    "educationHistory.areaOfStudy": "Mathematics",
    "acknowledgements.authorizedToWork": "Yes",
    "screener.0": "Yes",
    "screener.1": "12",
    "screener.2": ["Day", "Night"],
    "screener.3": "Notes on the Analytical Engine.",
}


def require_chromium() -> str:
    """Chromium's path; skip without it (or without playwright), fail under CI=true."""
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


class Served(ServedApp):
    thread_name = "ats-sandbox-paylocity-walls"

    def __init__(self, fixtures: Path | None) -> None:
        super().__init__()
        self.app = create_sandbox_app(fixtures, slow_seconds=1.0)

    def submissions(self) -> list[dict[str, Any]]:
        body = httpx.get(f"{self.base_url}/_sandbox/submissions").json()
        result: list[dict[str, Any]] = body["submissions"]
        return result

    def clear(self) -> None:
        httpx.delete(f"{self.base_url}/_sandbox/submissions")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Served]:
    with Served(require_shared("fixtures", "ats")) as served:
        yield served


@pytest.fixture(scope="module")
def bare() -> Iterator[Served]:
    """The sandbox without the captured fixtures (its built-in definitions)."""
    with Served(None) as served:
        yield served


@pytest.fixture(scope="module")
async def pool() -> AsyncIterator[PlaywrightBrowserPool]:
    require_chromium()
    browsers = PlaywrightBrowserPool(max_contexts=2, allowed_hosts={"127.0.0.1"})
    try:
        yield browsers
    finally:
        await browsers.close()


@pytest.fixture
def clean(
    sandbox: Served, bare: Served, pool: PlaywrightBrowserPool
) -> Iterator[PlaywrightBrowserPool]:
    sandbox.clear()
    bare.clear()
    pool.blocked.clear()
    yield pool
    # The sandbox pages need nothing outside it; a blocked request means a page changed.
    assert pool.blocked == []


def submitter(
    profile: SiteProfile, pool: PlaywrightBrowserPool, served: Served
) -> BrowserSubmitter:
    return BrowserSubmitter(profile, pool, rewrite=proxy_rewrite(served.base_url))


class Recorder:
    """A point_of_no_return that notes how many applications had arrived when it was reached."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.calls: list[int] = []

    async def __call__(self) -> None:
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"{self.served.base_url}/_sandbox/submissions")).json()
        self.calls.append(len(body["submissions"]))


def assert_png(outcome: SubmissionOutcome) -> None:
    assert outcome.evidence.screenshot_png is not None
    assert outcome.evidence.screenshot_png.startswith(b"\x89PNG\r\n\x1a\n")


async def paylocity_form(served: Served, job: str) -> list[FormQuestion]:
    """The wizard's questions as the real jobs adapter reads them from the apply page."""
    async with httpx.AsyncClient() as client:
        http = AtsHttp(client, rewrite=proxy_rewrite(served.base_url))
        questions = await PaylocityAdapter().get_application_form(
            http, BoardRef("paylocity", "", job), job
        )
    assert questions is not None
    return questions


def prepared(questions: list[FormQuestion]) -> tuple[Answer, ...]:
    """The approved answers of a prepared application: every question but the files."""
    answers = tuple(
        Answer(q.key, q.label, q.type, PAYLOCITY_VALUES.get(q.key), q.required)
        for q in questions
        if q.type != "file"
    )
    unanswered = [a.key for a in answers if a.required and a.value is None]
    assert unanswered == []
    return answers


def paylocity_request(job: str, answers: tuple[Answer, ...], **changes: Any) -> SubmissionRequest:
    base = SubmissionRequest(
        application_id=uuid.uuid4(),
        ats="paylocity",
        tenant="",
        posting_id=job,
        apply_url=f"https://recruiting.paylocity.com/Recruiting/Jobs/Details/{job}",
        contact=CONTACT,
        answers=answers,
        attachments=(
            Attachment("resume", "ada-cv.pdf", "application/pdf", RESUME),
            Attachment("cover_letter", "ada-cover.pdf", "application/pdf", COVER),
        ),
    )
    return dataclasses.replace(base, **changes)


# -- Paylocity -----------------------------------------------------------------------------


async def test_paylocity_wizard_is_filled_step_by_step_and_arrives_as_approved(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    answers = prepared(await paylocity_form(sandbox, PAYLOCITY_JOB))
    ponr = Recorder(sandbox)

    outcome = await submitter(PAYLOCITY, clean, sandbox).submit(
        paylocity_request(PAYLOCITY_JOB, answers), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["ats"], received["posting_id"]) == ("paylocity", PAYLOCITY_JOB)
    fields = received["fields"]
    assert {k: fields[k] for k in ("info.firstName", "info.lastName", "info.email")} == {
        "info.firstName": "Ada",
        "info.lastName": "Lovelace",
        "info.email": "ada@example.com",
    }
    assert fields["info.cellPhone"] == "+1 919 555 0100"
    # The react-widgets dropdowns and the radio group, chosen by label.
    assert fields["info.smsOptedIn"] == "No"
    assert fields["acknowledgements.authorizedToWork"] == "Yes"
    assert fields["info.howDidYouHearAboutUs"] == "Company Website"
    assert fields["public-site-address-city"] == "Raleigh"
    assert fields["public-site-address-us-state"] == "NC"
    assert fields["public-site-address-zip"] == "27607"
    assert fields["info.linkedIn"] == "https://www.linkedin.com/in/ada"
    assert fields["info.referredBy"] == "Charles Babbage"
    assert fields["workHistory.companyName.0"] == "Analytical Engines Ltd"
    assert fields["workHistory.responsibilities.0"] == "Wrote the first published algorithm."
    assert fields["educationHistory.schoolName.0"] == "University of London"
    assert fields["screener.questions[0].answer"] == "Yes"
    assert fields["screener.questions[1].answer"] == "12"
    assert fields["screener.questions[2].answer"] == ["Day", "Night"]
    assert fields["screener.questions[3].answer"] == "Notes on the Analytical Engine."
    # The voluntary EEO boxes are left alone; the resume-parsing box keeps its default.
    assert fields["eeo.gender"] == ""
    assert fields["useAttachedResumeToFillOutApplication"] == "true"
    assert received["files"] == [
        {
            "field": "resume",
            "filename": "ada-cv.pdf",
            "content_type": "application/pdf",
            "size": len(RESUME),
            "sha256": hashlib.sha256(RESUME).hexdigest(),
        },
        {
            "field": "coverLetter",
            "filename": "ada-cover.pdf",
            "content_type": "application/pdf",
            "size": len(COVER),
            "sha256": hashlib.sha256(COVER).hexdigest(),
        },
    ]
    sent = {entry["key"]: entry["value"] for entry in outcome.evidence.sent}
    assert sent["info.smsOptedIn"] == "No"
    assert sent["screener.questions[2].answer"] == ["Day", "Night"]
    assert outcome.evidence.confirmation_url == (
        f"https://recruiting.paylocity.com/Recruiting/Jobs/Apply/{PAYLOCITY_JOB}/Confirmation"
    )
    assert outcome.evidence.confirmation_html is not None
    assert "Engineer/Associate Engineer, Power Systems" in outcome.evidence.confirmation_html
    assert_png(outcome)


async def test_paylocity_works_without_the_captured_fixtures(
    bare: Served, clean: PlaywrightBrowserPool
) -> None:
    answers = prepared(await paylocity_form(bare, "777"))

    outcome = await submitter(PAYLOCITY, clean, bare).submit(
        paylocity_request("777", answers), Recorder(bare)
    )

    assert outcome.status == "submitted"
    [received] = bare.submissions()
    assert received["fields"]["info.email"] == "ada@example.com"
    assert received["fields"]["screener.questions[1].answer"] == "12"


async def test_paylocity_wizard_asking_more_than_its_page_data_sends_nothing(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    # Prepared from the page as it was; the wizard gained a required question since.
    answers = prepared(await paylocity_form(sandbox, PAYLOCITY_JOB))
    ponr = Recorder(sandbox)
    apply_url = "https://recruiting.paylocity.com/Recruiting/Jobs/Apply/5changed"

    outcome = await submitter(PAYLOCITY, clean, sandbox).submit(
        paylocity_request("5changed", answers, apply_url=apply_url), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == (
        "needs_user_input",
        "form_changed",
        False,
    )
    assert outcome.detail is not None
    assert "background check" in outcome.detail
    assert ponr.calls == []
    assert sandbox.submissions() == []


async def test_paylocity_required_answer_missing_stops_before_sending(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    answers = tuple(
        dataclasses.replace(a, value=None) if a.key == "screener.1" else a
        for a in prepared(await paylocity_form(sandbox, PAYLOCITY_JOB))
    )
    ponr = Recorder(sandbox)

    outcome = await submitter(PAYLOCITY, clean, sandbox).submit(
        paylocity_request(PAYLOCITY_JOB, answers), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == (
        "needs_user_input",
        "missing_answer",
        False,
    )
    assert outcome.detail is not None
    assert "years of relevant experience" in outcome.detail
    assert ponr.calls == []
    assert sandbox.submissions() == []


async def test_paylocity_closed_job_fails_without_sending(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(PAYLOCITY, clean, sandbox).submit(
        paylocity_request("6closed", ()), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []


# -- account walls -------------------------------------------------------------------------

WALLS = [
    pytest.param(
        WORKDAY,
        "https://acme.wd5.myworkdayjobs.com/en-US/External/job/London-UK/Quant-Researcher_R3691",
        "https://acme.wd5.myworkdayjobs.com/en-US/External/job/London-UK/Quant-Researcher_R3691/apply",
        id="workday",
    ),
    pytest.param(
        ICIMS,
        "https://careers-acme.icims.com/jobs/8214/software-engineer/job?mode=apply&apply=yes",
        "https://careers-acme.icims.com/jobs/8214/software-engineer/login",
        id="icims",
    ),
    pytest.param(
        TALEO,
        "https://acme.taleo.net/careersection/ex/jobdetail.ftl?job=250001&lang=en",
        "https://acme.taleo.net/careersection/ex/jobapply.ftl?job=250001&lang=en",
        id="taleo",
    ),
]
CLOSED = [
    pytest.param(
        WORKDAY,
        "https://acme.wd1.myworkdayjobs.com/External/job/Remote/Analyst_R77closed/apply",
        id="workday",
    ),
    pytest.param(
        ICIMS, "https://careers-acme.icims.com/jobs/9closed/analyst/job?mode=apply", id="icims"
    ),
    pytest.param(
        TALEO, "https://acme.taleo.net/careersection/ex/jobdetail.ftl?job=9closed", id="taleo"
    ),
]


def wall_request(profile: SiteProfile, apply_url: str) -> SubmissionRequest:
    return SubmissionRequest(
        application_id=uuid.uuid4(),
        ats=profile.ats,
        tenant="acme",
        posting_id="1",
        apply_url=apply_url,
        contact=CONTACT,
        answers=(Answer("email", "Email", "email", "ada@example.com", True),),
        attachments=(Attachment("resume", "ada-cv.pdf", "application/pdf", RESUME),),
    )


@pytest.mark.parametrize(("profile", "apply_url", "handoff"), WALLS)
async def test_an_account_wall_parks_at_the_sign_in_with_nothing_sent(
    sandbox: Served,
    clean: PlaywrightBrowserPool,
    profile: SiteProfile,
    apply_url: str,
    handoff: str,
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(profile, clean, sandbox).submit(
        wall_request(profile, apply_url), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == (
        "needs_user_input",
        "login_required",
        False,
    )
    assert outcome.handoff_url == handoff
    assert ponr.calls == []
    assert outcome.evidence.sent == []
    assert outcome.evidence.files == []
    assert sandbox.submissions() == []
    assert profile_for(profile.ats) is profile
    assert_png(outcome)


@pytest.mark.parametrize(("profile", "apply_url"), CLOSED)
async def test_a_closed_posting_behind_an_account_wall_is_closed_not_a_wall(
    sandbox: Served, clean: PlaywrightBrowserPool, profile: SiteProfile, apply_url: str
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(profile, clean, sandbox).submit(
        wall_request(profile, apply_url), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []

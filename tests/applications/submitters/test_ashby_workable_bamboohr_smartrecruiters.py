"""Ashby, Workable, BambooHR and SmartRecruiters: the real browser submitter fills each ATS's
hosted form in the sandbox, with answers keyed as the real jobs adapter reads the definition.

One Chromium and two sandboxes (with and without the captured fixtures) serve the module.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    ASHBY,
    BAMBOOHR,
    SMARTRECRUITERS,
    WORKABLE,
    SiteProfile,
)
from jobpilot.jobs.ats.ashby import AshbyAdapter
from jobpilot.jobs.ats.bamboohr import BambooHRAdapter
from jobpilot.jobs.ats.base import AtsHttp, BoardRef, FormQuestion
from jobpilot.jobs.ats.smartrecruiters import SmartRecruitersAdapter
from jobpilot.jobs.ats.workable import WorkableAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import IN_CI, require_shared

RESUME = b"%PDF-1.4\n% a resume for the sandbox\n" + bytes(range(256))
CONTACT = Contact(
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    phone="+44 20 7946 0100",
    city="London",
    linkedin="https://www.linkedin.com/in/ada",
    portfolio="https://ada.example.com",
)
ASHBY_POSTING = "309706bc-1081-48b6-89dc-f769bbe17e6d"
# Values by the Lightdash definition's field paths.
ASHBY_VALUES: dict[str, str | list[str]] = {
    "_systemfield_name": "Ada Lovelace",
    "_systemfield_email": "ada@example.com",
    "00415714-75f3-49b9-b856-ac674fd5ce8b": "London, England, United Kingdom",
    "36913b1f-c34f-4693-919c-400304a2a11d": "https://www.linkedin.com/in/ada",
    "f93bff8c-2442-42b7-b040-3876fa160aba": "Open-source BI that analysts love.",
}
WORKABLE_CODE = "C4002EDABE"
# Values by the Kroo definition's field ids.
WORKABLE_VALUES: dict[str, str | list[str]] = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0100",
    "QA_5947083": "Yes",
    "QA_7692993": "GBP 80,000",
    "QA_7692994": "GBP 90,000",
    "QA_7692995": "One month",
    "QA_7692996": "British citizen",
    "QA_5947034": "Five years of application security.",
    "QA_5947035": "Two years at a bank.",
    "QA_5947036": "Yes, SAST and DAST in CI.",
    "QA_6302137": "They/Them",
    "QA_6302138": "-",
    "QA_7694028": "no",
}
BAMBOO_OPENING = "45"
# Values by the Premise detail's formFields keys.
BAMBOO_VALUES: dict[str, str | list[str]] = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0100",
    "streetAddress": "12 St James's Square",
    "city": "London",
    "state": "Greater London",
    "zip": "SW1Y 4JH",
    "countryId": "United Kingdom",
    "linkedinUrl": "https://www.linkedin.com/in/ada",
    "desiredPay": "GBP 90,000",
    "customQuestionAnswers.short_128": "Two years on a delivery marketplace.",
}
SR_POSTING = "744000005631445"
# The one-click app's internal company id (a board's `site`), needed to read its config.
SR_COMPANY_ID = "5f3c1e2d4b6a7980a1b2c3d4"
# Values by the one-click config's keys (the adapter's).
SR_VALUES: dict[str, str | list[str]] = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "confirmEmail": "ada@example.com",
    "phoneNumber": "+44 20 7946 0100",
    "placeOfResidence": "London",
    "messageToHiringManager": "I would love to build Gousto's product.",
    "linkedIn": "https://www.linkedin.com/in/ada",
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
    thread_name = "ats-sandbox-group"

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


async def definition(
    served: Served, adapter: Any, board: BoardRef, posting_id: str
) -> list[FormQuestion]:
    """The form as the real jobs adapter reads it from the sandbox."""
    async with httpx.AsyncClient() as client:
        http = AtsHttp(client, rewrite=proxy_rewrite(served.base_url))
        questions: list[FormQuestion] = await adapter.get_application_form(http, board, posting_id)
    return questions


def answers_from(
    questions: list[FormQuestion], values: dict[str, str | list[str]]
) -> tuple[Answer, ...]:
    """Answers keyed as the definition keys them (files travel as attachments), as a prepared
    application carries them; every required question must have a value."""
    answers = []
    for q in questions:
        if q.type == "file":
            continue
        value = values.get(q.key)
        assert value is not None or not q.required, f"no value for required {q.key} {q.label}"
        answers.append(Answer(q.key, q.label, q.type, value, q.required))
    return tuple(answers)


def request_for(
    ats: str, tenant: str, posting: str, apply_url: str, answers: tuple[Answer, ...]
) -> SubmissionRequest:
    return SubmissionRequest(
        application_id=uuid.uuid4(),
        ats=ats,
        tenant=tenant,
        posting_id=posting,
        apply_url=apply_url,
        contact=CONTACT,
        answers=answers,
        attachments=(Attachment("resume", "ada-cv.pdf", "application/pdf", RESUME),),
    )


class Recorder:
    """A point_of_no_return that notes when it was reached and what the ATS had by then."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.calls: list[int] = []

    async def __call__(self) -> None:
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"{self.served.base_url}/_sandbox/submissions")).json()
        self.calls.append(len(body["submissions"]))


def resume_file(field: str) -> dict[str, Any]:
    return {
        "field": field,
        "filename": "ada-cv.pdf",
        "content_type": "application/pdf",
        "size": len(RESUME),
        "sha256": hashlib.sha256(RESUME).hexdigest(),
    }


def assert_submitted(outcome: SubmissionOutcome, ponr: Recorder) -> None:
    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True), (
        outcome.detail
    )
    # Reached once, when nothing had arrived yet.
    assert ponr.calls == [0]
    assert outcome.evidence.screenshot_png is not None
    assert outcome.evidence.confirmation_html is not None
    assert outcome.evidence.files == ["ada-cv.pdf"]


# -- Ashby -----------------------------------------------------------------------------------


async def ashby_request(served: Served, posting: str) -> SubmissionRequest:
    questions = await definition(served, AshbyAdapter(), BoardRef("ashby", "lightdash"), posting)
    return request_for(
        "ashby",
        "lightdash",
        posting,
        f"https://jobs.ashbyhq.com/lightdash/{posting}",
        answers_from(questions, ASHBY_VALUES),
    )


async def test_ashby_a_complete_application_arrives_exactly_as_approved(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(ASHBY, clean, sandbox).submit(
        await ashby_request(sandbox, ASHBY_POSTING), ponr
    )

    assert_submitted(outcome, ponr)
    [received] = sandbox.submissions()
    assert (received["tenant"], received["posting_id"]) == ("lightdash", ASHBY_POSTING)
    # Every answer under its field path; the optional referral left empty.
    assert received["fields"] == {
        **ASHBY_VALUES,
        "7b4cc459-7701-44ea-a4fb-c8d409810487": "",
    }
    assert received["files"] == [resume_file("_systemfield_resume")]
    assert outcome.evidence.confirmation_url == (
        f"https://jobs.ashbyhq.com/lightdash/{ASHBY_POSTING}/application"
    )
    assert "Application submitted" in (outcome.evidence.confirmation_html or "")


async def test_ashby_built_in_form_fills_every_widget_kind(
    bare: Served, clean: PlaywrightBrowserPool
) -> None:
    values: dict[str, str | list[str]] = {
        "_systemfield_name": "Ada Lovelace",
        "_systemfield_email": "ada@example.com",
        "7f6c1a52-0000-4000-8000-000000000001": "+44 20 7946 0100",
        "7f6c1a52-0000-4000-8000-000000000002": "Berlin, Germany",
        "7f6c1a52-0000-4000-8000-000000000004": "Analytical engines.",
        "7f6c1a52-0000-4000-8000-000000000005": "Yes",
        "7f6c1a52-0000-4000-8000-000000000006": "6+",
        "7f6c1a52-0000-4000-8000-000000000007": ["Python", "Go"],
    }
    questions = await definition(bare, AshbyAdapter(), BoardRef("ashby", "acme"), "builtin")
    request = request_for(
        "ashby",
        "acme",
        "builtin",
        "https://jobs.ashbyhq.com/acme/builtin/application",
        answers_from(questions, values),
    )
    ponr = Recorder(bare)

    outcome = await submitter(ASHBY, clean, bare).submit(request, ponr)

    assert_submitted(outcome, ponr)
    [received] = bare.submissions()
    fields = received["fields"]
    assert fields["7f6c1a52-0000-4000-8000-000000000002"] == "Berlin, Germany"
    # Options arrive as Ashby's values, chosen by their labels.
    assert fields["7f6c1a52-0000-4000-8000-000000000005"] == "true"
    assert fields["7f6c1a52-0000-4000-8000-000000000006"] == "6+"
    assert fields["7f6c1a52-0000-4000-8000-000000000007"] == ["python", "go"]
    assert received["files"] == [resume_file("_systemfield_resume")]


# -- Workable -------------------------------------------------------------------------------


async def workable_request(served: Served, code: str) -> SubmissionRequest:
    questions = await definition(served, WorkableAdapter(), BoardRef("workable", ""), code)
    return request_for(
        "workable",
        "kroo",
        code,
        f"https://apply.workable.com/j/{code}/apply",
        answers_from(questions, WORKABLE_VALUES),
    )


async def test_workable_a_complete_application_arrives_exactly_as_approved(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(WORKABLE, clean, sandbox).submit(
        await workable_request(sandbox, WORKABLE_CODE), ponr
    )

    assert_submitted(outcome, ponr)
    [received] = sandbox.submissions()
    assert received["posting_id"] == WORKABLE_CODE
    # Yes/No arrives as Workable's boolean, the dropdown as the option's name.
    assert received["fields"] == {
        **WORKABLE_VALUES,
        "QA_5947083": "true",
        "QA_6302137": "2998917",
    }
    assert received["files"] == [resume_file("resume")]
    assert outcome.evidence.confirmation_url == (
        f"https://apply.workable.com/j/{WORKABLE_CODE}/apply/"
    )


async def test_workable_built_in_form_fills_every_widget_kind(
    bare: Served, clean: PlaywrightBrowserPool
) -> None:
    values: dict[str, str | list[str]] = {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.com",
        "QA_100001": "No",
        "QA_100002": "Two weeks",
        "QA_100003": "A friend",
        "CA_100004": ["Python", "SQL"],
    }
    questions = await definition(
        bare, WorkableAdapter(), BoardRef("workable", "acme"), "ABCDEF0001"
    )
    request = request_for(
        "workable",
        "acme",
        "ABCDEF0001",
        "https://apply.workable.com/acme/j/ABCDEF0001/",
        answers_from(questions, values),
    )
    ponr = Recorder(bare)

    outcome = await submitter(WORKABLE, clean, bare).submit(request, ponr)

    assert_submitted(outcome, ponr)
    [received] = bare.submissions()
    fields = received["fields"]
    assert (fields["QA_100001"], fields["QA_100003"]) == ("false", "502")
    assert fields["CA_100004"] == ["601", "603"]
    # An optional field the user left empty stays empty.
    assert fields["phone"] == ""
    assert received["files"] == [resume_file("resume")]


# -- BambooHR -------------------------------------------------------------------------------


async def bamboo_request(served: Served, opening: str) -> SubmissionRequest:
    board = BoardRef("bamboohr", "premise")
    questions = await definition(served, BambooHRAdapter(), board, opening)
    return request_for(
        "bamboohr",
        "premise",
        opening,
        f"https://premise.bamboohr.com/careers/{opening}",
        answers_from(questions, BAMBOO_VALUES),
    )


async def test_bamboohr_a_complete_application_arrives_exactly_as_approved(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(BAMBOOHR, clean, sandbox).submit(
        await bamboo_request(sandbox, BAMBOO_OPENING), ponr
    )

    assert_submitted(outcome, ponr)
    [received] = sandbox.submissions()
    assert (received["tenant"], received["posting_id"]) == ("premise", BAMBOO_OPENING)
    # Never fooled by the honeypot.
    assert received["status"] == "confirmed"
    value_named = {"streetAddress", "city", "state", "zip", "countryId"}
    assert received["fields"] == {
        **{f"{k}.value" if k in value_named else k: v for k, v in BAMBOO_VALUES.items()},
        # The Fabric select sends the country's id, chosen by its name.
        "countryId.value": "222",
        "dateAvailable": "",
        "websiteUrl": "",
        "customQuestionAnswers.short_97": "",
        "nickname_hpcsaf": "",
    }
    assert received["files"] == [resume_file("resumeFileId")]
    assert "Application Submitted" in (outcome.evidence.confirmation_html or "")


async def test_bamboohr_built_in_form_fills_every_widget_kind(
    bare: Served, clean: PlaywrightBrowserPool
) -> None:
    values: dict[str, str | list[str]] = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phone": "+1 512 555 0100",
        "state": "New York",
        "customQuestionAnswers.short_11": "Eight",
        "customQuestionAnswers.yes_no_13": "Yes",
        "customQuestionAnswers.multi_14": "Night",
    }
    board = BoardRef("bamboohr", "acme")
    questions = await definition(bare, BambooHRAdapter(), board, "7")
    request = request_for(
        "bamboohr",
        "acme",
        "7",
        "https://acme.bamboohr.com/careers/7?source=aWQ9MTA%3D",
        answers_from(questions, values),
    )
    ponr = Recorder(bare)

    outcome = await submitter(BAMBOOHR, clean, bare).submit(request, ponr)

    assert_submitted(outcome, ponr)
    [received] = bare.submissions()
    fields = received["fields"]
    assert fields["state.value"] == "33"
    assert fields["customQuestionAnswers.yes_no_13"] == "yes"
    assert fields["customQuestionAnswers.multi_14"] == "2"
    assert received["files"] == [resume_file("resumeFileId")]


# -- SmartRecruiters ------------------------------------------------------------------------


async def sr_request(served: Served, posting: str) -> SubmissionRequest:
    board = BoardRef("smartrecruiters", "Gousto1", site=SR_COMPANY_ID)
    questions = await definition(served, SmartRecruitersAdapter(), board, posting)
    return request_for(
        "smartrecruiters",
        "Gousto1",
        posting,
        f"https://jobs.smartrecruiters.com/Gousto1/{posting}",
        answers_from(questions, SR_VALUES),
    )


async def test_smartrecruiters_both_pages_arrive_exactly_as_approved(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter(SMARTRECRUITERS, clean, sandbox).submit(
        await sr_request(sandbox, SR_POSTING), ponr
    )

    assert_submitted(outcome, ponr)
    [received] = sandbox.submissions()
    assert (received["tenant"], received["posting_id"]) == ("Gousto1", SR_POSTING)
    assert received["fields"] == {
        **SR_VALUES,
        # The city is chosen among the autocomplete's places; the dialling code kept.
        "placeOfResidence": "London, England, United Kingdom",
        "phoneCountry": "gb",
        "experience": "",
        "education": "",
        "website": "",
        "facebook": "",
        "x": "",
    }
    assert received["files"] == [resume_file("resume")]
    assert outcome.evidence.confirmation_url is not None
    assert "/oneclick-ui/company/Gousto1/publication/" in outcome.evidence.confirmation_url
    assert "Thank you for applying" in (outcome.evidence.confirmation_html or "")


# -- every ATS: the walls and endings it has -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    profile: SiteProfile
    make: Any  # async (served, posting) -> SubmissionRequest, answers from its definition
    posting: str  # a posting whose definition the answers are read from
    suffix: str  # a scenario's posting id is the scenario word + this

    async def request(self, served: Served, scenario: str) -> SubmissionRequest:
        """A request approved for `posting`, sent to the scenario's posting (whose definition
        may be gone, or lack what its form asks)."""
        approved: SubmissionRequest = await self.make(served, self.posting)
        posting = scenario + self.suffix
        return dataclasses.replace(
            approved,
            posting_id=posting,
            apply_url=approved.apply_url.replace(self.posting, posting),
        )


CASES = {
    "ashby": Case(ASHBY, ashby_request, ASHBY_POSTING, "-0000-4000-8000-000000000000"),
    "workable": Case(WORKABLE, workable_request, WORKABLE_CODE, "C4002ED"),
    "bamboohr": Case(BAMBOOHR, bamboo_request, BAMBOO_OPENING, "45"),
    "smartrecruiters": Case(SMARTRECRUITERS, sr_request, SR_POSTING, SR_POSTING),
}
# None of these ATSs puts an account wall in front of its form (the sandbox can: `login`).
SCENARIOS = {
    "captcha": ("needs_user_input", "captcha"),
    "changed": ("needs_user_input", "form_changed"),
    "closed": ("failed", "form_closed"),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("ats", list(CASES))
async def test_walls_and_endings_send_nothing(
    ats: str, scenario: str, sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    case = CASES[ats]
    request = await case.request(sandbox, scenario)
    ponr = Recorder(sandbox)

    outcome = await submitter(case.profile, clean, sandbox).submit(request, ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == (*SCENARIOS[scenario], False)
    assert ponr.calls == []
    assert sandbox.submissions() == []
    assert outcome.evidence.screenshot_png is not None
    if scenario == "captcha":
        # The user finishes on the ATS's real page, never the sandbox's address.
        assert outcome.handoff_url is not None
        handoff = urlsplit(outcome.handoff_url)
        assert handoff.scheme == "https"
        assert handoff.netloc == urlsplit(case.profile.form_url(request.apply_url)).netloc
    if scenario == "changed":
        assert "visa sponsorship" in (outcome.detail or "")


@pytest.mark.parametrize("ats", ["ashby", "bamboohr"])
async def test_an_account_wall_asks_the_user_to_sign_in(
    ats: str, sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    case = CASES[ats]

    outcome = await submitter(case.profile, clean, sandbox).submit(
        await case.request(sandbox, "login"), Recorder(sandbox)
    )

    assert (outcome.status, outcome.reason, outcome.sent) == (
        "needs_user_input",
        "login_required",
        False,
    )


async def test_a_slow_confirmation_is_waited_for(
    sandbox: Served, clean: PlaywrightBrowserPool
) -> None:
    case = CASES["workable"]
    ponr = Recorder(sandbox)

    outcome = await submitter(case.profile, clean, sandbox).submit(
        await case.request(sandbox, "slow"), ponr
    )

    assert_submitted(outcome, ponr)
    assert len(sandbox.submissions()) == 1

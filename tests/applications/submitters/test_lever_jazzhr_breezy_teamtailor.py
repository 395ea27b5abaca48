"""The browser submitter on Lever, JazzHR, Breezy and Teamtailor hosted forms in the sandbox.

One served sandbox and one Chromium serve the module. Where the ATS publishes its form (Lever
and JazzHR: the page itself), the answers are prepared from what the real adapter reads, so a
passing submission also proves the definition and the rendered form agree.
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
from jobpilot.applications.submitters.browser import BrowserSubmitter, key_forms
from jobpilot.applications.submitters.sites import BREEZY, JAZZHR, LEVER, TEAMTAILOR
from jobpilot.jobs.ats.base import AtsHttp, BoardRef, FormQuestion
from jobpilot.jobs.ats.jazzhr import JazzHRAdapter
from jobpilot.jobs.ats.lever import LeverAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import IN_CI, require_shared

RESUME = b"%PDF-1.4\n% a resume for the sandbox\n" + bytes(range(256))
ATTACHMENTS = (Attachment("resume", "ada-cv.pdf", "application/pdf", RESUME),)
CONTACT = Contact(
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    phone="+1 555 0100",
    city="London",
    linkedin="https://www.linkedin.com/in/ada",
    portfolio="https://ada.example.com",
)
LEVER_ID = "6ed76ce8-4156-4b60-b120-403538bd66cd"


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


class Sandbox(ServedApp):
    thread_name = "ats-sandbox-group"

    def __init__(self, fixtures: Path) -> None:
        super().__init__()
        self.app = create_sandbox_app(fixtures, slow_seconds=2.0)

    def submissions(self) -> list[dict[str, Any]]:
        body = httpx.get(f"{self.base_url}/_sandbox/submissions").json()
        result: list[dict[str, Any]] = body["submissions"]
        return result

    def codes(self) -> list[dict[str, str]]:
        result: list[dict[str, str]] = httpx.get(f"{self.base_url}/_sandbox/codes").json()["codes"]
        return result


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(require_shared("fixtures", "ats")) as served:
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
def clean(sandbox: Sandbox, pool: PlaywrightBrowserPool) -> Iterator[None]:
    httpx.delete(f"{sandbox.base_url}/_sandbox/submissions")
    pool.blocked.clear()
    yield
    # The sandbox pages need nothing outside it; a blocked request means a page changed.
    assert pool.blocked == []


def submitter_for(
    profile: Any, sandbox: Sandbox, pool: PlaywrightBrowserPool, **options: Any
) -> BrowserSubmitter:
    return BrowserSubmitter(profile, pool, rewrite=proxy_rewrite(sandbox.base_url), **options)


class Recorder:
    """A point_of_no_return that notes when it was reached and what the ATS had by then."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.calls: list[int] = []

    async def __call__(self) -> None:
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"{self.sandbox.base_url}/_sandbox/submissions")).json()
        self.calls.append(len(body["submissions"]))


async def definition(
    sandbox: Sandbox, adapter: Any, board: BoardRef, posting_id: str
) -> list[FormQuestion]:
    """The form definition as the real adapter reads it from the served sandbox."""
    async with httpx.AsyncClient() as client:
        http = AtsHttp(client, rewrite=proxy_rewrite(sandbox.base_url))
        questions: list[FormQuestion] = await adapter.get_application_form(http, board, posting_id)
    return questions


def prepared(questions: list[FormQuestion], values: dict[str, Any]) -> tuple[Answer, ...]:
    """Answers keyed as the definition keys them; files go as attachments."""
    return tuple(
        Answer(q.key, q.label, q.type, values.get(q.key), q.required)
        for q in questions
        if q.type != "file"
    )


def request_for(ats: str, tenant: str, posting: str, apply_url: str, **changes: Any) -> Any:
    base = SubmissionRequest(
        application_id=uuid.uuid4(),
        ats=ats,
        tenant=tenant,
        posting_id=posting,
        apply_url=apply_url,
        contact=CONTACT,
        answers=(),
        attachments=ATTACHMENTS,
    )
    return dataclasses.replace(base, **changes)


def assert_resume_arrived(received: dict[str, Any], field: str) -> None:
    assert received["files"] == [
        {
            "field": field,
            "filename": "ada-cv.pdf",
            "content_type": "application/pdf",
            "size": len(RESUME),
            "sha256": hashlib.sha256(RESUME).hexdigest(),
        }
    ]


def assert_handoff_before_sending(
    outcome: SubmissionOutcome, ponr: Recorder, sandbox: Sandbox, reason: str
) -> None:
    assert (outcome.status, outcome.reason, outcome.sent) == ("needs_user_input", reason, False)
    assert ponr.calls == []
    assert sandbox.submissions() == []
    assert outcome.evidence.screenshot_png is not None


# -- Lever ---------------------------------------------------------------------------------


def lever_request(posting: str, **changes: Any) -> Any:
    url = f"https://jobs.lever.co/palantir/{posting}"
    return request_for("lever", "palantir", posting, url, **changes)


LEVER_VALUES = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+1 555 0100"}


async def test_lever_application_from_the_definition_arrives_exactly(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    board = BoardRef("lever", "palantir")
    questions = await definition(sandbox, LeverAdapter(), board, LEVER_ID)
    assert [(q.key, q.required) for q in questions] == [
        ("resume", True),
        ("name", True),
        ("email", True),
        ("phone", False),
    ]
    ponr = Recorder(sandbox)

    outcome = await submitter_for(LEVER, sandbox, pool).submit(
        lever_request(LEVER_ID, answers=prepared(questions, LEVER_VALUES)), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["ats"], received["tenant"], received["posting_id"]) == (
        "lever",
        "palantir",
        LEVER_ID,
    )
    fields = received["fields"]
    assert {k: fields[k] for k in LEVER_VALUES} == LEVER_VALUES
    # Lever's own hidden fields go along untouched.
    assert fields["accountId"] == "b8300af6-ed1c-4d0b-8956-cee7839555b9"
    assert fields["h-captcha-response"] == ""
    assert_resume_arrived(received, "resume")
    assert outcome.evidence.confirmation_url == (
        f"https://jobs.lever.co/palantir/{LEVER_ID}/thanks"
    )
    assert outcome.evidence.files == ["ada-cv.pdf"]


async def test_lever_captcha_hands_off_before_sending(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)
    answers = tuple(Answer(k, k, "text", v) for k, v in LEVER_VALUES.items())

    outcome = await submitter_for(LEVER, sandbox, pool).submit(
        lever_request("1captcha", answers=answers), ponr
    )

    assert_handoff_before_sending(outcome, ponr, sandbox, "captcha")
    assert outcome.handoff_url == "https://jobs.lever.co/palantir/1captcha/apply"


async def test_lever_card_added_since_the_definition_sends_nothing(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    board = BoardRef("lever", "palantir")
    questions = await definition(sandbox, LeverAdapter(), board, "4changed")
    # The plain-HTTP definition does not have the card the page adds.
    assert [q.key for q in questions] == ["resume", "name", "email", "phone"]
    ponr = Recorder(sandbox)

    outcome = await submitter_for(LEVER, sandbox, pool).submit(
        lever_request("4changed", answers=prepared(questions, LEVER_VALUES)), ponr
    )

    assert_handoff_before_sending(outcome, ponr, sandbox, "form_changed")
    assert outcome.detail is not None
    assert "visa sponsorship" in outcome.detail


async def test_lever_closed_posting_fails_without_sending(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(LEVER, sandbox, pool).submit(lever_request("6closed"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []


# -- JazzHR --------------------------------------------------------------------------------

JAZZHR_ID = "AbCdE00003"
JAZZHR_VALUES = {
    "resumator-firstname-value": "Ada",
    "resumator-lastname-value": "Lovelace",
    "resumator-email-value": "ada@example.com",
    "resumator-phone-value": "+1 555 0100",
    "resumator-address-value": "12 St James's Square",
    "resumator-city-value": "London",
    "resumator-state-value": "Greater London",
    "resumator-postal-value": "SW1Y 4JH",
    "resumator-salary-value": "120000",
    "resumator-questionnaire[2791419]": "Yes, without sponsorship.",
}


def jazzhr_request(posting: str, **changes: Any) -> Any:
    url = f"https://acme.applytojob.com/apply/{posting}/Test-Role"
    return request_for("jazzhr", "acme", posting, url, **changes)


async def test_jazzhr_application_from_the_definition_arrives_exactly(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    questions = await definition(sandbox, JazzHRAdapter(), BoardRef("jazzhr", "acme"), JAZZHR_ID)
    required = {q.key for q in questions if q.required}
    assert required == set(JAZZHR_VALUES) | {"resumator-resume-value"}
    ponr = Recorder(sandbox)

    outcome = await submitter_for(JAZZHR, sandbox, pool).submit(
        jazzhr_request(JAZZHR_ID, answers=prepared(questions, JAZZHR_VALUES)), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["tenant"], received["posting_id"]) == ("acme", JAZZHR_ID)
    fields = received["fields"]
    assert {k: fields[k] for k in JAZZHR_VALUES} == JAZZHR_VALUES
    # The hidden ids JazzHR posts along name this tenant and posting.
    assert fields["resumator-subdomain-value"] == "acme"
    assert fields["resumator-job-value"] == JAZZHR_ID
    assert fields["resumator-resumetext-value"] == ""
    assert "g-recaptcha-response" not in fields
    assert_resume_arrived(received, "resumator-resume-value")
    assert outcome.evidence.confirmation_url == (
        f"https://acme.applytojob.com/apply/{JAZZHR_ID}/Test-Role/thanks"
    )


async def test_jazzhr_human_check_hands_off_before_sending(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)
    answers = tuple(Answer(k, k, "text", v) for k, v in JAZZHR_VALUES.items())

    outcome = await submitter_for(JAZZHR, sandbox, pool).submit(
        jazzhr_request("Captcha0001", answers=answers), ponr
    )

    assert_handoff_before_sending(outcome, ponr, sandbox, "captcha")
    assert outcome.handoff_url == "https://acme.applytojob.com/apply/Captcha0001/Test-Role"


async def test_jazzhr_question_added_since_the_definition_sends_nothing(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    board = BoardRef("jazzhr", "acme")
    questions = await definition(sandbox, JazzHRAdapter(), board, "Changed0001")
    assert "resumator-questionnaire[9999001]" not in {q.key for q in questions}
    ponr = Recorder(sandbox)

    outcome = await submitter_for(JAZZHR, sandbox, pool).submit(
        jazzhr_request("Changed0001", answers=prepared(questions, JAZZHR_VALUES)), ponr
    )

    assert_handoff_before_sending(outcome, ponr, sandbox, "form_changed")
    assert outcome.detail is not None
    assert "visa sponsorship" in outcome.detail


async def test_jazzhr_closed_posting_fails_without_sending(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(JAZZHR, sandbox, pool).submit(jazzhr_request("Closed0001"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []


# -- Breezy --------------------------------------------------------------------------------

BREEZY_SECTION = "section_5f2a7c1e9b3d_question_"
# Breezy publishes no definition outside its page: the answers carry the page's own names.
BREEZY_ANSWERS = (
    Answer(f"{BREEZY_SECTION}0", "What is your notice period?", "text", "Four weeks", True),
    Answer(f"{BREEZY_SECTION}1", "How many years of experience do you have?", "select", "6-10",
           True),
    Answer(f"{BREEZY_SECTION}2",
           "Are you legally authorized to work in the country of this position?", "select",
           "Yes", True),
    Answer(f"{BREEZY_SECTION}3", "Which languages do you speak?", "multi_select",
           ["English", "French"]),
)  # fmt: skip


def breezy_request(position: str, **changes: Any) -> Any:
    url = f"https://acme-labs.breezy.hr/p/{position}-software-engineer"
    fields: dict[str, Any] = {
        "answers": BREEZY_ANSWERS,
        "cover_letter_text": "Dear Acme, engines are my trade.",
    }
    return request_for("breezy", "acme-labs", position, url, **(fields | changes))


async def test_breezy_application_arrives_exactly_and_the_honeypot_stays_empty(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(BREEZY, sandbox, pool).submit(
        breezy_request("0a1b2c3d4e5f"), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["tenant"], received["posting_id"]) == ("acme-labs", "0a1b2c3d4e5f")
    fields = received["fields"]
    # Contact boxes are found by their h3 titles (Breezy has no <label>s).
    assert {k: fields[k] for k in ("cName", "cEmail", "cPhoneNumber")} == {
        "cName": "Ada Lovelace",
        "cEmail": "ada@example.com",
        "cPhoneNumber": "+1 555 0100",
    }
    assert fields["cCoverLetter"] == "Dear Acme, engines are my trade."
    assert fields[f"{BREEZY_SECTION}0"] == "Four weeks"
    assert fields[f"{BREEZY_SECTION}1"] == "6-10"
    assert fields[f"{BREEZY_SECTION}2"] == "Yes"
    assert fields[f"{BREEZY_SECTION}3"] == ["English", "French"]
    assert fields["hp_7f2b"] == ""
    # Voluntary EEO and the CCPA consent are the applicant's own: never ticked.
    assert "gender" not in fields
    assert "ccpaAgreement" not in fields
    assert_resume_arrived(received, "cResume")
    assert outcome.evidence.confirmation_url == (
        "https://acme-labs.breezy.hr/p/0a1b2c3d4e5f-software-engineer/apply/submitted"
    )


async def test_breezy_email_code_parks_then_resumes_with_the_code(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    submitter = submitter_for(BREEZY, sandbox, pool)
    parked = await submitter.submit(breezy_request("3emailcode"), Recorder(sandbox))

    assert (parked.status, parked.reason, parked.sent) == ("needs_user_input", "email_code", True)
    assert parked.resume_state is not None
    assert parked.resume_state["url"] == (
        "https://acme-labs.breezy.hr/p/3emailcode-software-engineer/apply/verify"
    )
    assert [s["status"] for s in sandbox.submissions()] == ["awaiting_code"]
    [code] = sandbox.codes()
    assert code["email"] == "ada@example.com"
    assert code["code"].isdigit()
    assert len(code["code"]) == 4

    wrong = "0000" if code["code"] != "0000" else "1111"
    retry = await submitter.resume(
        breezy_request("3emailcode", email_code=wrong, resume_state=parked.resume_state),
        Recorder(sandbox),
    )
    assert (retry.status, retry.reason) == ("needs_user_input", "email_code")
    assert retry.detail is not None
    assert "not valid" in retry.detail

    resumed = await submitter.resume(
        breezy_request("3emailcode", email_code=code["code"], resume_state=retry.resume_state),
        Recorder(sandbox),
    )
    assert (resumed.status, resumed.sent) == ("submitted", True)
    assert [s["status"] for s in sandbox.submissions()] == ["confirmed"]


async def test_breezy_sections_are_filled_step_by_step(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(BREEZY, sandbox, pool).submit(breezy_request("7steps"), ponr)

    assert outcome.status == "submitted"
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert received["fields"]["cEmail"] == "ada@example.com"
    assert received["fields"][f"{BREEZY_SECTION}2"] == "Yes"


async def test_breezy_question_beyond_the_definition_sends_nothing(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(BREEZY, sandbox, pool).submit(breezy_request("4changed"), ponr)

    assert_handoff_before_sending(outcome, ponr, sandbox, "form_changed")
    assert outcome.detail is not None
    assert "visa sponsorship" in outcome.detail


async def test_breezy_closed_position_fails_without_sending(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(BREEZY, sandbox, pool).submit(breezy_request("6closed"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []
    assert outcome.evidence.confirmation_url == (
        "https://acme-labs.breezy.hr/p/6closed-software-engineer/apply"
    )


# -- Teamtailor ----------------------------------------------------------------------------

ANSWERS_ATTRIBUTES = "candidate[answers_attributes]"
TEAMTAILOR_ANSWERS = (
    Answer(f"{ANSWERS_ATTRIBUTES}[0][boolean]", "Do you have a valid work permit?", "select",
           "Yes", True),
    Answer(f"{ANSWERS_ATTRIBUTES}[1][text]", "What are your salary expectations?", "text",
           "EUR 90,000", True),
    Answer(f"{ANSWERS_ATTRIBUTES}[2][choice]", "How did you hear about us?", "select",
           "A friend", True),
    Answer(f"{ANSWERS_ATTRIBUTES}[3][number]", "Years of experience", "number", "12"),
    # The user approved the consent themselves; it is never ticked without this answer.
    Answer("candidate[consent_given]", "I agree to the processing of my personal data",
           "boolean", "yes", True),
)  # fmt: skip


def teamtailor_request(job: str, **changes: Any) -> Any:
    url = f"https://acme.na.teamtailor.com/jobs/{job}"
    fields: dict[str, Any] = {
        "answers": TEAMTAILOR_ANSWERS,
        "cover_letter_text": "Dear Acme, I compute.",
    }
    return request_for(
        "teamtailor", "acme", job.split("-", maxsplit=1)[0], url, **(fields | changes)
    )


async def test_teamtailor_application_arrives_exactly_after_the_proof_of_work(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(TEAMTAILOR, sandbox, pool).submit(
        teamtailor_request("4242001-software-engineer"), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["tenant"], received["posting_id"]) == ("acme", "4242001")
    fields = received["fields"]
    assert {
        k: fields[f"candidate[{k}]"] for k in ("first_name", "last_name", "email", "phone")
    } == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "+1 555 0100",
    }
    assert fields["candidate[linkedin_url]"] == "https://www.linkedin.com/in/ada"
    assert fields["candidate[job_applications_attributes][0][cover_letter]"] == (
        "Dear Acme, I compute."
    )
    assert fields[f"{ANSWERS_ATTRIBUTES}[0][boolean]"] == "true"
    assert fields[f"{ANSWERS_ATTRIBUTES}[1][text]"] == "EUR 90,000"
    assert fields[f"{ANSWERS_ATTRIBUTES}[2][choice]"] == "2"
    assert fields[f"{ANSWERS_ATTRIBUTES}[3][number]"] == "12"
    assert fields["candidate[consent_given]"] == ["0", "1"]
    nonce, challenge = fields["pow[nonce]"], fields["pow[challenge]"]
    assert hashlib.sha256(f"{challenge}{nonce}".encode()).hexdigest().startswith("00")
    assert_resume_arrived(received, "candidate[resume]")
    assert outcome.evidence.confirmation_url == (
        "https://acme.na.teamtailor.com/jobs/4242001-software-engineer/applications/thanks"
    )


async def test_teamtailor_consent_is_never_given_without_the_users_answer(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    answers = tuple(a for a in TEAMTAILOR_ANSWERS if a.key != "candidate[consent_given]")
    ponr = Recorder(sandbox)

    outcome = await submitter_for(TEAMTAILOR, sandbox, pool).submit(
        teamtailor_request("4242002-software-engineer", answers=answers), ponr
    )

    assert outcome.status == "needs_user_input"
    assert outcome.detail is not None
    assert "processing of my personal data" in outcome.detail
    assert (ponr.calls, sandbox.submissions(), outcome.sent) == ([], [], False)


async def test_teamtailor_question_beyond_the_answers_sends_nothing(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(TEAMTAILOR, sandbox, pool).submit(
        teamtailor_request("4242004-changed-role"), ponr
    )

    assert_handoff_before_sending(outcome, ponr, sandbox, "form_changed")
    assert outcome.detail is not None
    assert "visa sponsorship" in outcome.detail


async def test_teamtailor_closed_job_fails_without_sending(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter_for(TEAMTAILOR, sandbox, pool).submit(
        teamtailor_request("4242006-closed-role"), ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []


def test_a_deep_key_is_not_spelled_by_its_last_part() -> None:
    # Teamtailor's questions all end in `[boolean]`/`[text]`, Lever's cards in `[field0]`:
    # the last part would answer one question with another's answer.
    assert "boolean" not in key_forms("candidate[answers_attributes][4][boolean]")
    assert "field0" not in key_forms("cards[5a1d][field0]")
    assert "email" in key_forms("candidate[email]")

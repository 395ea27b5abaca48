"""Breezy and Teamtailor applications prepared from the definition the real adapter reads, sent
by the browser submitter through the sandbox's hosted forms.

The answers are keyed exactly as the adapter keys the form (with a value for every required
question), so a submission that arrives exactly proves the definition read over plain HTTP and
the form the browser renders agree. The sandbox runs without the captured fixtures, as the demo
does without ../shared.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import uuid
from collections.abc import AsyncIterator, Iterator
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
    SubmissionRequest,
)
from jobpilot.applications.submitters.browser import BrowserSubmitter
from jobpilot.applications.submitters.sites import BREEZY, TEAMTAILOR
from jobpilot.jobs.ats.base import AtsHttp, BoardRef, FormQuestion
from jobpilot.jobs.ats.breezy import BreezyAdapter
from jobpilot.jobs.ats.teamtailor import TeamtailorAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import IN_CI

RESUME = b"%PDF-1.4\n% a resume for the sandbox\n" + bytes(range(256))
ATTACHMENTS = (Attachment("resume", "ada-cv.pdf", "application/pdf", RESUME),)
CONTACT = Contact(
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    phone="+1 555 0100",
    city="London",
    linkedin="https://www.linkedin.com/in/ada",
)


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
    thread_name = "ats-sandbox-prepared"

    def __init__(self) -> None:
        super().__init__()
        self.app = create_sandbox_app(None, slow_seconds=0.0)

    def submissions(self) -> list[dict[str, Any]]:
        body = httpx.get(f"{self.base_url}/_sandbox/submissions").json()
        result: list[dict[str, Any]] = body["submissions"]
        return result


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as served:
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


class Recorder:
    """A point_of_no_return that notes how many applications the ATS had when it was reached."""

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
    """Answers keyed as the definition keys them (no value where none was prepared); files go
    as attachments."""
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


# -- Breezy --------------------------------------------------------------------------------

SECTION = "section_5f2a7c1e9b3d_question_"
BREEZY_VALUES: dict[str, Any] = {
    "cName": "Ada Lovelace",
    "cEmail": "ada@example.com",
    "cPhoneNumber": "+1 555 0100",
    f"{SECTION}0": "Four weeks",
    f"{SECTION}1": "6-10",
    f"{SECTION}2": "Yes",
}


# The Angular build (`input#questions`) and the React build (`script#portal-data`).
@pytest.mark.parametrize("position", ["0a1b2c3d4e5f", "8react1b2c3d"])
async def test_breezy_application_prepared_from_the_definition_arrives_exactly(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None, position: str
) -> None:
    questions = await definition(
        sandbox, BreezyAdapter(), BoardRef("breezy", "acme-labs"), position
    )
    required = {q.key: q.type for q in questions if q.required}
    assert required == dict.fromkeys(BREEZY_VALUES, "text") | {
        "cEmail": "email",
        "cPhoneNumber": "phone",
        "cResume": "file",
        f"{SECTION}1": "select",
        f"{SECTION}2": "select",
    }
    ponr = Recorder(sandbox)
    url = f"https://acme-labs.breezy.hr/p/{position}-software-engineer"
    request = request_for(
        "breezy", "acme-labs", position, url, answers=prepared(questions, BREEZY_VALUES)
    )

    outcome = await BrowserSubmitter(BREEZY, pool, rewrite=proxy_rewrite(sandbox.base_url)).submit(
        request, ponr
    )

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["ats"], received["tenant"], received["posting_id"]) == (
        "breezy",
        "acme-labs",
        position,
    )
    fields = received["fields"]
    assert {key: fields[key] for key in BREEZY_VALUES} == BREEZY_VALUES
    # Nothing the definition left unanswered was filled: the honeypot, the optional boxes,
    # the voluntary EEO radios and the CCPA consent stay as the page had them.
    assert fields["hp_7f2b"] == ""
    assert (fields["cAddress"], fields["cSalary"], fields["cCoverLetter"]) == ("", "", "")
    assert f"{SECTION}3" not in fields
    assert "gender" not in fields
    assert "ccpaAgreement" not in fields
    assert_resume_arrived(received, "cResume")
    assert outcome.evidence.confirmation_url == f"{url}/apply/submitted"


# -- Teamtailor ----------------------------------------------------------------------------

ANSWER = "candidate[answers_attributes]"
TEAMTAILOR_VALUES: dict[str, Any] = {
    "candidate[first_name]": "Ada",
    "candidate[last_name]": "Lovelace",
    "candidate[email]": "ada@example.com",
    f"{ANSWER}[0][boolean]": "Yes",
    f"{ANSWER}[1][text]": "EUR 90,000",
    f"{ANSWER}[2][choice]": "A friend",
    # The consent is required; the user gave it themselves in the prepared form.
    "candidate[consent_given]": "yes",
}


async def test_teamtailor_application_prepared_from_the_definition_arrives_exactly(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, clean: None
) -> None:
    board = BoardRef("teamtailor", "acme", host="acme.na.teamtailor.com")
    # The product knows the job by Teamtailor's number, as its feed gives it.
    questions = await definition(sandbox, TeamtailorAdapter(), board, "4242001")
    required = {q.key for q in questions if q.required}
    assert required == set(TEAMTAILOR_VALUES) | {"candidate[resume]"}
    ponr = Recorder(sandbox)
    url = "https://acme.na.teamtailor.com/jobs/4242001-software-engineer"
    request = request_for(
        "teamtailor", "acme", "4242001", url, answers=prepared(questions, TEAMTAILOR_VALUES)
    )

    outcome = await BrowserSubmitter(
        TEAMTAILOR, pool, rewrite=proxy_rewrite(sandbox.base_url)
    ).submit(request, ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert (received["ats"], received["tenant"], received["posting_id"]) == (
        "teamtailor",
        "acme",
        "4242001",
    )
    fields = received["fields"]
    assert {k: fields[k] for k in ("candidate[first_name]", "candidate[last_name]")} == {
        "candidate[first_name]": "Ada",
        "candidate[last_name]": "Lovelace",
    }
    assert fields["candidate[email]"] == "ada@example.com"
    # Yes/no radios send `true`, choices their number; the rest as prepared.
    assert fields[f"{ANSWER}[0][boolean]"] == "true"
    assert fields[f"{ANSWER}[1][text]"] == "EUR 90,000"
    assert fields[f"{ANSWER}[2][choice]"] == "2"
    assert fields[f"{ANSWER}[3][number]"] == ""
    assert [fields[f"{ANSWER}[{i}][question_id]"] for i in range(4)] == ["301", "302", "303", "304"]
    assert fields["candidate[consent_given]"] == ["0", "1"]
    # Optional boxes the definition left unanswered are sent empty.
    assert fields["candidate[phone]"] == ""
    assert fields["candidate[job_applications_attributes][0][cover_letter]"] == ""
    nonce, challenge = fields["pow[nonce]"], fields["pow[challenge]"]
    assert hashlib.sha256(f"{challenge}{nonce}".encode()).hexdigest().startswith("00")
    assert_resume_arrived(received, "candidate[resume]")
    assert outcome.evidence.confirmation_url == f"{url}/applications/thanks"

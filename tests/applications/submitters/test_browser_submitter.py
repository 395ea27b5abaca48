"""The browser submitter with the real Playwright pool against the ATS sandbox on a local port.

One Chromium serves the module; each test gets fresh contexts and an empty sandbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import importlib.util
import shutil
import time
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
from jobpilot.applications.submitters.browser import BrowserSubmitter, key_forms, norm_label
from jobpilot.applications.submitters.sites import GREENHOUSE
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import IN_CI, require_shared

RESUME = b"%PDF-1.4\n% a resume for the sandbox\n" + bytes(range(256))
CONTACT = Contact(
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    phone="+1 555 0100",
    city="London",
    linkedin="https://www.linkedin.com/in/ada",
    portfolio="https://ada.example.com",
)
ANSWERS = (
    Answer("question_6752548007", "LinkedIn Profile", "text", "https://www.linkedin.com/in/ada",
           True),
    Answer("question_6752549007", "Why are you interested in working at CodePath?", "textarea",
           "I taught engines to compute.", True),
    Answer("question_6752550007", "Are you currently authorized to work in the United States?",
           "select", "Yes", True),
    Answer("question_6752551007",
           "Are you currently located in the Arlington/DC area or willing to relocate?",
           "select", " no ", True),
    Answer("question_6752552007", "How did you hear about CodePath?", "select", "linkedin", True),
    Answer("demographic_question_4006277007",
           "How would you describe your gender identity? (mark all that apply)",
           "multi_select", ["Woman"]),
)  # fmt: skip


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
    thread_name = "ats-sandbox"

    def __init__(self, fixtures: Path) -> None:
        super().__init__()
        self.app = create_sandbox_app(fixtures, slow_seconds=5.0)

    def submissions(self) -> list[dict[str, Any]]:
        body = httpx.get(f"{self.base_url}/_sandbox/submissions").json()
        result: list[dict[str, Any]] = body["submissions"]
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
def submitter(sandbox: Sandbox, pool: PlaywrightBrowserPool) -> Iterator[BrowserSubmitter]:
    httpx.delete(f"{sandbox.base_url}/_sandbox/submissions")
    pool.blocked.clear()
    yield BrowserSubmitter(GREENHOUSE, pool, rewrite=proxy_rewrite(sandbox.base_url))
    # The sandbox pages need nothing outside it; a blocked request means a page changed.
    assert pool.blocked == []


def request_for(posting: str, **changes: Any) -> SubmissionRequest:
    base = SubmissionRequest(
        application_id=uuid.uuid4(),
        ats="greenhouse",
        tenant="acme",
        posting_id=posting,
        apply_url=f"https://boards.greenhouse.io/acme/jobs/{posting}",
        contact=CONTACT,
        answers=ANSWERS,
        attachments=(Attachment("resume", "ada-cv.pdf", "application/pdf", RESUME),),
        cover_letter_text="Dear CodePath, I would love to teach.",
    )
    return dataclasses.replace(base, **changes)


class Recorder:
    """A point_of_no_return that notes when it was reached and what the ATS had by then."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.calls: list[int] = []

    async def __call__(self) -> None:
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"{self.sandbox.base_url}/_sandbox/submissions")).json()
        self.calls.append(len(body["submissions"]))


def assert_png(outcome: SubmissionOutcome) -> None:
    assert outcome.evidence.screenshot_png is not None
    assert outcome.evidence.screenshot_png.startswith(b"\x89PNG\r\n\x1a\n")


async def test_a_complete_application_arrives_exactly_as_approved(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter.submit(request_for("4426096007"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("submitted", None, True)
    # Reached once, when nothing had arrived yet.
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert received["posting_id"] == "4426096007"
    fields = received["fields"]
    assert {k: fields[k] for k in ("first_name", "last_name", "email", "phone")} == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "+1 555 0100",
    }
    assert fields["question_6752548007"] == "https://www.linkedin.com/in/ada"
    assert fields["question_6752549007"] == "I taught engines to compute."
    # Options are chosen by label and arrive as Greenhouse's option values.
    assert fields["question_6752550007"] == "1"
    assert fields["question_6752551007"] == "0"
    assert fields["question_6752552007"] == "10044899007"
    assert fields["demographic_question_4006277007"] == ["4037606007"]
    assert fields["cover_letter_text"] == "Dear CodePath, I would love to teach."
    assert received["files"] == [
        {
            "field": "resume",
            "filename": "ada-cv.pdf",
            "content_type": "application/pdf",
            "size": len(RESUME),
            "sha256": hashlib.sha256(RESUME).hexdigest(),
        }
    ]
    evidence = outcome.evidence
    sent = {entry["key"]: entry["value"] for entry in evidence.sent}
    assert sent["question_6752550007"] == "Yes"
    assert sent["resume"] == "ada-cv.pdf"
    assert evidence.files == ["ada-cv.pdf"]
    assert evidence.confirmation_url == (
        "https://job-boards.greenhouse.io/acme/jobs/4426096007/confirmation"
    )
    assert evidence.confirmation_html is not None
    assert "Thank you for applying" in evidence.confirmation_html
    assert_png(outcome)


async def test_honeypots_are_never_filled(sandbox: Sandbox, submitter: BrowserSubmitter) -> None:
    # The contact has a website and a name: exactly what the two traps are labelled.
    outcome = await submitter.submit(request_for("4426096007"), Recorder(sandbox))

    assert outcome.status == "submitted"
    [received] = sandbox.submissions()
    assert received["fields"]["website"] == ""
    assert received["fields"]["full_name_confirm"] == ""
    assert not {"website", "full_name_confirm"} & {e["key"] for e in outcome.evidence.sent}


async def test_a_visible_captcha_hands_off_before_anything_is_sent(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter.submit(request_for("1captcha"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("needs_user_input", "captcha", False)
    assert outcome.handoff_url == "https://job-boards.greenhouse.io/acme/jobs/1captcha"
    assert ponr.calls == []
    assert sandbox.submissions() == []
    assert outcome.evidence.sent == []
    assert_png(outcome)


async def test_an_account_wall_asks_the_user_to_sign_in(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter.submit(request_for("2login"), ponr)

    assert (outcome.status, outcome.reason) == ("needs_user_input", "login_required")
    assert outcome.handoff_url == "https://job-boards.greenhouse.io/acme/jobs/2login"
    assert ponr.calls == []
    assert_png(outcome)


async def test_an_email_code_parks_then_resumes_with_the_code(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    first = Recorder(sandbox)
    parked = await submitter.submit(request_for("3emailcode"), first)

    assert (parked.status, parked.reason, parked.sent) == ("needs_user_input", "email_code", True)
    assert first.calls == [0]
    assert parked.resume_state is not None
    assert parked.resume_state["url"] == (
        "https://job-boards.greenhouse.io/acme/jobs/3emailcode/security_code"
    )
    cookies = parked.resume_state["storage_state"]["cookies"]
    assert [c["name"] for c in cookies] == ["sandbox_session"]
    assert [s["status"] for s in sandbox.submissions()] == ["awaiting_code"]

    wrong = await submitter.resume(
        request_for("3emailcode", email_code="ZZZZ9999", resume_state=parked.resume_state),
        Recorder(sandbox),
    )
    assert (wrong.status, wrong.reason) == ("needs_user_input", "email_code")
    assert wrong.detail is not None
    assert "Incorrect security code" in wrong.detail
    assert wrong.resume_state is not None

    async with httpx.AsyncClient() as client:
        codes = (await client.get(f"{sandbox.base_url}/_sandbox/codes")).json()["codes"]
    resumed = await submitter.resume(
        request_for("3emailcode", email_code=codes[0]["code"], resume_state=wrong.resume_state),
        Recorder(sandbox),
    )

    assert (resumed.status, resumed.sent) == ("submitted", True)
    assert resumed.evidence.confirmation_url is not None
    assert resumed.evidence.confirmation_url.endswith("/3emailcode/confirmation")
    assert [s["status"] for s in sandbox.submissions()] == ["confirmed"]


async def test_a_form_asking_more_than_the_definition_sends_nothing(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter.submit(request_for("4changed"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == (
        "needs_user_input",
        "form_changed",
        False,
    )
    assert outcome.detail is not None
    assert "visa sponsorship" in outcome.detail
    assert ponr.calls == []
    assert sandbox.submissions() == []


async def test_a_required_question_without_an_answer_sends_nothing(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    answers = tuple(
        dataclasses.replace(a, value=None) if a.key == "question_6752549007" else a for a in ANSWERS
    )
    ponr = Recorder(sandbox)

    outcome = await submitter.submit(request_for("4426096007", answers=answers), ponr)

    assert (outcome.status, outcome.reason) == ("needs_user_input", "missing_answer")
    assert outcome.detail is not None
    assert "Why are you interested" in outcome.detail
    assert ponr.calls == []
    assert sandbox.submissions() == []


async def test_an_answer_the_form_does_not_offer_sends_nothing(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    answers = tuple(
        dataclasses.replace(a, value="Maybe") if a.key == "question_6752550007" else a
        for a in ANSWERS
    )

    outcome = await submitter.submit(request_for("4426096007", answers=answers), Recorder(sandbox))

    assert (outcome.status, outcome.reason) == ("needs_user_input", "form_changed")
    assert sandbox.submissions() == []


async def test_a_slow_confirmation_is_waited_for(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    started = time.monotonic()

    outcome = await submitter.submit(request_for("5slow"), Recorder(sandbox))

    assert outcome.status == "submitted"
    assert time.monotonic() - started >= 5.0
    assert len(sandbox.submissions()) == 1


async def test_no_confirmation_in_time_is_unknown_never_failed(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, submitter: BrowserSubmitter
) -> None:
    impatient = BrowserSubmitter(
        GREENHOUSE, pool, rewrite=submitter.rewrite, confirmation_timeout=1.0
    )

    outcome = await impatient.submit(request_for("5slow"), Recorder(sandbox))

    assert (outcome.status, outcome.reason, outcome.sent) == ("unknown", "not_confirmed", True)
    # It was sent all the same: the sandbox receives it once its delay is over.
    deadline = time.monotonic() + 10
    while not sandbox.submissions() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert len(sandbox.submissions()) == 1


async def test_a_closed_posting_fails_without_sending(
    sandbox: Sandbox, submitter: BrowserSubmitter
) -> None:
    ponr = Recorder(sandbox)

    outcome = await submitter.submit(request_for("6closed"), ponr)

    assert (outcome.status, outcome.reason, outcome.sent) == ("failed", "form_closed", False)
    assert ponr.calls == []


async def test_a_multi_step_form_is_filled_step_by_step(
    sandbox: Sandbox, pool: PlaywrightBrowserPool, submitter: BrowserSubmitter
) -> None:
    profile = dataclasses.replace(GREENHOUSE, next_selectors=('button:has-text("Next")',))
    stepped = BrowserSubmitter(profile, pool, rewrite=submitter.rewrite)
    ponr = Recorder(sandbox)

    outcome = await stepped.submit(request_for("7steps"), ponr)

    assert outcome.status == "submitted"
    assert ponr.calls == [0]
    [received] = sandbox.submissions()
    assert received["fields"]["email"] == "ada@example.com"
    assert received["fields"]["question_6752552007"] == "10044899007"


async def test_the_network_guard_blocks_every_other_host(
    sandbox: Sandbox, pool: PlaywrightBrowserPool
) -> None:
    pool.blocked.clear()
    async with pool.context() as page:
        await page.goto(f"{sandbox.base_url}/job-boards.greenhouse.io/acme")
        # An address literal: blocked or not, no DNS lookup leaves the machine.
        outside = await page.evaluate(
            "() => fetch('http://203.0.113.7/beacon').then(() => 'sent', () => 'blocked')"
        )
        inside = await page.evaluate(
            "(url) => fetch(url).then((r) => String(r.status), () => 'blocked')",
            f"{sandbox.base_url}/_sandbox/codes",
        )

    assert outside == "blocked"
    assert pool.blocked == ["http://203.0.113.7/beacon"]
    assert inside == "200"
    pool.blocked.clear()


async def test_a_crashed_browser_is_relaunched(
    sandbox: Sandbox, pool: PlaywrightBrowserPool
) -> None:
    async with pool.context() as page:
        await page.context.browser.close()  # type: ignore[union-attr]
    launches = pool.launches

    async with pool.context() as page:
        response = await page.goto(f"{sandbox.base_url}/job-boards.greenhouse.io/acme")

    assert response is not None
    assert response.status == 200
    assert pool.launches == launches + 1


def test_a_missing_chromium_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BrowserUnavailable, match="Chromium was not found"):
        find_chromium(str(tmp_path / "no-chromium"))
    assert shutil.which("chromium") is None or find_chromium() == shutil.which("chromium")


def test_keys_match_in_the_spellings_forms_use() -> None:
    assert key_forms("job_application[first_name]") >= {"first_name"}
    assert key_forms("question_123[]") >= {"question_123"}
    assert "0" not in key_forms("cards[0]")
    assert norm_label("  Why CodePath? *") == norm_label("why codepath")

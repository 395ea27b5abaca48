"""Teamtailor adapter over real HTTP against a captured JSON Feed, and its application form
(the served Rails form) on a hand-made page and in the sandbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.teamtailor import TeamtailorAdapter, parse_application_form
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import require_shared

HOST = "career.teamtailor.com"
BOARD = BoardRef("teamtailor", "career", host=HOST)
FEED = f"https://{HOST}/jobs.json"
adapter = TeamtailorAdapter()


def sample() -> Path:
    return require_shared(
        "fixtures", "ats", "teamtailor", "career_teamtailor_jobs_jsonfeed_trimmed.json"
    )


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    with FakeHosts() as server:
        yield server


@pytest.fixture
async def http(fake: FakeHosts) -> AsyncIterator[AtsHttp]:
    fake.reset()
    async with httpx.AsyncClient() as client:
        yield AtsHttp(client, rewrite=fake.rewrite)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://career.teamtailor.com/jobs", BOARD),
        ("https://career.teamtailor.com/", BOARD),
        (
            "https://career.teamtailor.com/jobs/7167985-account-executive-italy-madrid-based",
            BoardRef("teamtailor", "career", "7167985", HOST),
        ),
        (
            "https://acme.na.teamtailor.com/jobs/123456-engineer",
            BoardRef("teamtailor", "acme", "123456", "acme.na.teamtailor.com"),
        ),
    ],
)
def test_detect_recognises_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.teamtailor.com/jobs",
        "https://app.teamtailor.com/companies/1",
        "https://career.teamtailor.com.evil.example/jobs/1-x",
        "https://careerteamtailor.com/jobs",
        "https://career.teamtailor.com/jobs/not-an-id",
        "https://career.teamtailor.com/people",
        "https://jobs.example.com/jobs/7167985-account-executive",
    ],
)
def test_detect_rejects_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_list_postings_reads_the_feed(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, Canned.file(sample()))

    postings = await adapter.list_postings(http, BOARD)

    assert [p.title for p in postings] == [
        "Account Executive - Italy (Madrid based)",
        "Mid-Market Account Executive - Copenhagen",
    ]
    first, second = postings
    assert first.source_id == "7167985"
    assert first.url == (
        "https://career.teamtailor.com/jobs/7167985-account-executive-italy-madrid-based"
    )
    assert first.apply_url == f"{first.url}/applications/new"
    assert first.company_name == "Teamtailor"
    assert first.locations == ["Madrid, ES"]
    assert first.posted_at == datetime(2026, 2, 4, 8, 26, 20, tzinfo=UTC)
    assert first.posted_at.tzinfo is UTC
    assert second.source_id == "7069633"
    assert second.locations == ["Stockholm, SE", "København, DK"]


async def test_list_postings_follows_next_url(fake: FakeHosts, http: AtsHttp) -> None:
    page1 = json.loads(sample().read_text())
    page1["next_url"] = f"https://{HOST}/jobs.json?page=2"
    page2 = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "u", "title": "Designer", "url": f"https://{HOST}/jobs/42-designer"}],
    }
    fake.add("GET", FEED, Canned(200, json.dumps(page1).encode()))
    fake.add("GET", f"{FEED}?page=2", Canned(200, json.dumps(page2).encode()))

    postings = await adapter.list_postings(http, BOARD)

    assert [p.source_id for p in postings] == ["7167985", "7069633", "42"]


async def test_get_posting_finds_the_job_in_the_feed(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, Canned.file(sample()))
    posting = await adapter.get_posting(http, BOARD, "7069633")
    assert posting.title == "Mid-Market Account Executive - Copenhagen"
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "1")


# -- the application form -------------------------------------------------------------------

ANSWER = "candidate[answers_attributes]"
# A form frame as Teamtailor serves it: stars on labels, no `required` on some boxes, Dropzone's
# file input left to the browser (only the upload's hidden URL box is served).
FORM_PAGE = f"""<!doctype html><html><body><turbo-frame id="application_form">
<form id="new_candidate" action="/jobs/7167985-ae/applications" method="post">
<input type="hidden" name="authenticity_token" value="t0ken">
<input type="hidden" name="pow[challenge]" value="abc"><input type="hidden" name="pow[nonce]">
<label for="candidate_first_name">First name *</label>
<input type="text" id="candidate_first_name" name="candidate[first_name]">
<label for="candidate_last_name">Last name *</label>
<input type="text" id="candidate_last_name" name="candidate[last_name]">
<label for="candidate_email">Email *</label>
<input type="email" id="candidate_email" name="candidate[email]" required>
<label for="candidate_phone">Phone</label>
<input type="tel" id="candidate_phone" name="candidate[phone]">
<div class="form-group"><label for="candidate_resume">Resume *</label>
<div class="dropzone"></div>
<input type="hidden" id="candidate_resume_remote_url" name="candidate[resume_remote_url]">
<template><input type="url" name="candidate[link_url]"></template></div>
<label for="candidate_location_query">Town or city</label>
<input type="text" role="combobox" id="candidate_location_query"
 name="candidate[location][query]">
<div class="question" data-question-mandatory="true">
<input type="hidden" name="{ANSWER}[0][question_id]" value="11">
<fieldset><legend>Are you based in Europe? *</legend>
<input type="radio" id="boolean-x9-true" name="{ANSWER}[0][boolean]" value="true">
<label for="boolean-x9-true">Yes</label>
<input type="radio" id="boolean-x9-false" name="{ANSWER}[0][boolean]" value="false">
<label for="boolean-x9-false">No</label></fieldset></div>
<div class="question" data-question-mandatory="true" data-question-multiple-choice="true">
<input type="hidden" name="{ANSWER}[1][question_id]" value="12">
<fieldset><legend>Which tools do you use?</legend>
<input type="checkbox" id="c-1" name="{ANSWER}[1][choice][]" value="1">
<label for="c-1">Excel</label>
<input type="checkbox" id="c-2" name="{ANSWER}[1][choice][]" value="2">
<label for="c-2">Salesforce</label></fieldset></div>
<div class="question" data-question-mandatory="true">
<input type="hidden" name="{ANSWER}[2][question_id]" value="13">
<label for="range-13">How much travel is fine (%)?</label>
<input type="range" id="range-13" name="{ANSWER}[2][range]" min="0" max="100" step="10">
<input type="number" class="range-custom_number"></div>
<div class="question" data-question-mandatory="false">
<input type="hidden" name="{ANSWER}[3][question_id]" value="14">
<label for="q-14">Anything else?</label>
<textarea id="q-14" name="{ANSWER}[3][text]" maxlength="500"></textarea></div>
<input type="hidden" name="candidate[consent_given]" value="0">
<input type="checkbox" id="candidate_consent_given" name="candidate[consent_given]" value="1">
<label for="candidate_consent_given">I agree to the privacy policy *</label>
<input type="hidden" name="candidate[future_jobs_consent]" value="0">
<input type="checkbox" id="future" name="candidate[future_jobs_consent]" value="1">
<label for="future">Keep me in mind for future jobs</label>
<button type="submit">Submit application</button>
</form></turbo-frame></body></html>"""


def test_parses_the_served_form() -> None:
    questions = parse_application_form(FORM_PAGE)

    assert [(q.key, q.label, q.type, q.required) for q in questions] == [
        ("candidate[first_name]", "First name", "text", True),
        ("candidate[last_name]", "Last name", "text", True),
        ("candidate[email]", "Email", "email", True),
        ("candidate[phone]", "Phone", "phone", False),
        ("candidate[resume]", "Resume", "file", True),
        ("candidate[location][query]", "Town or city", "text", False),
        (f"{ANSWER}[0][boolean]", "Are you based in Europe?", "select", True),
        (f"{ANSWER}[1][choice][]", "Which tools do you use?", "multi_select", True),
        (f"{ANSWER}[2][range]", "How much travel is fine (%)?", "number", True),
        (f"{ANSWER}[3][text]", "Anything else?", "textarea", False),
        # The consent is asked as the required yes/no it is; prepare leaves it to the user.
        ("candidate[consent_given]", "I agree to the privacy policy", "boolean", True),
        ("candidate[future_jobs_consent]", "Keep me in mind for future jobs", "boolean", False),
    ]
    by_key = {q.key: q for q in questions}
    assert by_key[f"{ANSWER}[0][boolean]"].options == ("Yes", "No")
    assert by_key[f"{ANSWER}[1][choice][]"].options == ("Excel", "Salesforce")
    assert by_key[f"{ANSWER}[3][text]"].max_length == 500


def test_a_page_without_the_form_is_refused() -> None:
    with pytest.raises(BoardNotFound):
        parse_application_form("<h1>Acme</h1><p>This job is no longer available.</p>")
    with pytest.raises(AtsError):
        parse_application_form("<h1>Acme</h1><p>Hello.</p>")


async def test_reads_the_form_page_of_a_bare_id(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        f"https://{HOST}/jobs/7167985/applications/new",
        Canned(200, FORM_PAGE.encode(), {"content-type": "text/html"}),
    )

    questions = await adapter.get_application_form(http, BOARD, "7167985")

    assert questions is not None
    assert questions[0].key == "candidate[first_name]"
    assert [r[2] for r in fake.requests] == ["/jobs/7167985/applications/new"]


async def test_a_job_the_short_url_misses_is_found_through_the_feed(
    fake: FakeHosts, http: AtsHttp
) -> None:
    fake.add("GET", FEED, Canned.file(sample()))
    fake.add(
        "GET",
        f"https://{HOST}/jobs/7167985-account-executive-italy-madrid-based/applications/new",
        Canned(200, FORM_PAGE.encode(), {"content-type": "text/html"}),
    )

    questions = await adapter.get_application_form(http, BOARD, "7167985")

    assert questions is not None
    assert len(questions) == 12
    assert [r[2] for r in fake.requests] == [
        "/jobs/7167985/applications/new",
        "/jobs.json",
        "/jobs/7167985-account-executive-italy-madrid-based/applications/new",
    ]


async def test_a_job_neither_served_nor_listed_is_board_not_found(
    fake: FakeHosts, http: AtsHttp
) -> None:
    fake.add("GET", FEED, Canned.file(sample()))

    with pytest.raises(BoardNotFound):
        await adapter.get_application_form(http, BOARD, "1")


# -- the form in the sandbox, over plain HTTP -----------------------------------------------

SANDBOX = "http://sandbox"


@pytest.fixture
async def sandbox_http() -> AsyncIterator[AtsHttp]:
    # Without the captured fixtures: the demo's sandbox runs without ../shared.
    transport = httpx.ASGITransport(app=create_sandbox_app(None))
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX) as client:
        yield AtsHttp(client, rewrite=proxy_rewrite(SANDBOX))


class _Required(HTMLParser):
    """The names of the boxes the form marks `required`."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in {"input", "select", "textarea"} and "required" in attr and attr.get("name"):
            self.names.add(str(attr["name"]))


@pytest.mark.parametrize("job", ["4242001", "4242001-software-engineer"])
async def test_reads_the_sandbox_form(sandbox_http: AtsHttp, job: str) -> None:
    board = BoardRef("teamtailor", "acme", host="acme.na.teamtailor.com")
    page = await sandbox_http.text(
        "GET", f"https://acme.na.teamtailor.com/jobs/{job}/applications/new"
    )

    questions = await adapter.get_application_form(sandbox_http, board, job)

    assert questions is not None
    assert [(q.key, q.type, q.required) for q in questions] == [
        ("candidate[first_name]", "text", True),
        ("candidate[last_name]", "text", True),
        ("candidate[email]", "email", True),
        ("candidate[phone]", "phone", False),
        ("candidate[resume]", "file", True),
        ("candidate[linkedin_url]", "url", False),
        ("candidate[job_applications_attributes][0][cover_letter]", "textarea", False),
        (f"{ANSWER}[0][boolean]", "select", True),
        (f"{ANSWER}[1][text]", "text", True),
        (f"{ANSWER}[2][choice]", "select", True),
        (f"{ANSWER}[3][number]", "number", False),
        ("candidate[consent_given]", "boolean", True),
    ]
    rendered = _Required()
    rendered.feed(page)
    # Every box the page requires is asked, and asked as required.
    assert rendered.names == {q.key for q in questions if q.required and q.type != "file"}
    by_key = {q.key: q for q in questions}
    assert by_key[f"{ANSWER}[2][choice]"].options == ("LinkedIn", "A friend", "A job board")
    assert by_key["candidate[resume]"].label == "Resume"


async def test_the_sandbox_closed_job_is_board_not_found(sandbox_http: AtsHttp) -> None:
    board = BoardRef("teamtailor", "acme", host="acme.teamtailor.com")
    with pytest.raises(BoardNotFound):
        await adapter.get_application_form(sandbox_http, board, "88-closed-role")


async def test_unknown_site_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, Canned(429, b"", {"retry-after": "5"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "5"


@pytest.mark.parametrize(
    "body", [b"<!doctype html><p>Jobs</p>", b'{"version": "1.1"}', b'{"items": [{"id": "x"}]}']
)
async def test_malformed_payload_is_ats_error(fake: FakeHosts, http: AtsHttp, body: bytes) -> None:
    fake.add("GET", FEED, Canned(200, body))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

"""Breezy HR adapter over real HTTP against the captured board JSON, and its apply-page form
definition (both builds) on hand-made pages and in the sandbox."""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.breezy import BreezyAdapter, parse_application_form
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import require_shared

JSON_URL = "https://breezy.breezy.hr/json"
BOARD = BoardRef(ats="breezy", tenant="breezy")
adapter = BreezyAdapter()


def sample() -> Path:
    return require_shared("fixtures", "ats", "breezy", "breezy_trial_json_positions.json")


async def test_lists_every_position(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned.file(sample()))

    postings = await adapter.list_postings(http, BOARD)

    assert [(p.source_id, p.title) for p in postings] == [
        ("98323abf2296", "Employee #12"),
        ("088ac6d52139", "Open Position"),
    ]
    employee, open_position = postings
    assert employee.url == "https://breezy.breezy.hr/p/98323abf2296-employee-12"
    assert employee.apply_url == "https://breezy.breezy.hr/p/98323abf2296-employee-12/apply"
    assert employee.company_name == "MS Breezy Trial"
    assert employee.department == "Does Not Matter"
    assert employee.employment_type == "Other"
    assert employee.locations == ["Chaos, FL"]
    assert employee.workplace is None  # is_remote false says nothing about hybrid/onsite
    assert employee.posted_at == datetime(2024, 2, 15, 14, 37, 22, 684000, tzinfo=UTC)
    assert employee.salary_text == "$0.05 \u2013 $0.06 / hour"
    assert employee.salary_min is None  # only display text is published
    assert employee.description_html is None  # the board JSON carries no description
    assert open_position.locations == ["New York, NY"]
    assert open_position.employment_type == "Contract"


async def test_gets_one_position_by_id_or_friendly_id(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned.file(sample()))

    by_id = await adapter.get_posting(http, BOARD, "088ac6d52139")
    by_friendly = await adapter.get_posting(http, BOARD, "088ac6d52139-open-position")

    assert by_id.title == by_friendly.title == "Open Position"
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "ffffffffffff")


# -- the application form -------------------------------------------------------------------

SECTION = "64f1c0ffee"
QUESTIONS_JSON = [
    {
        "_id": SECTION,
        "title": "Questions",
        "questions": [
            {"_id": "a1", "text": "Notice period?", "type": {"id": "text"}, "required": True},
            {
                "_id": "b2",
                "text": "Years of experience",
                "type": {"id": "dropdown"},
                "required": True,
                "options": [{"text": "0-2"}, {"text": "3+"}],
            },
            {
                "_id": "c3",
                "text": "Authorized to work?",
                "type": {"id": "multiplechoice"},
                "required": True,
                "options": [{"text": "Yes"}, {"text": "No", "actions": {"add_tags": ["dq"]}}],
            },
            {
                "_id": "d4",
                "text": "Languages",
                "type": {"id": "checkboxes"},
                "required": False,
                "options": [{"text": "English"}, {"text": "French"}],
            },
            {"_id": "e5", "text": "Start date", "type": {"id": "date"}, "required": False},
        ],
    }
]
# The boxes both builds draw (Breezy's React build draws the Angular form).
BOXES = f"""
<div class="hp" aria-hidden="true"><input type="text" name="hp_7f2b" tabindex="-1"></div>
<input type="hidden" name="source" value="careers">
<div class="form-group"><h3><span>Full Name</span><span class="required">*</span></h3>
  <input type="text" name="cName"></div>
<div class="form-group"><h3><span>Email Address</span>*</h3><input type="email" name="cEmail"></div>
<div class="form-group"><h3><span>Phone</span></h3><input type="tel" name="cPhoneNumber"></div>
<div class="form-group"><h3><span>Resume</span>*</h3>
  <input type="file" id="main-attachment" name="cResume" accept=".pdf, .docx"></div>
<div class="form-group"><h3><span>Cover Letter</span></h3><textarea name="cCoverLetter"></textarea>
</div>
<div class="form-group"><h3><span>Notice period?</span>*</h3>
  <input type="text" name="section_{SECTION}_question_0"></div>
<div class="form-group"><h3><span>Years of experience</span>*</h3>
  <select name="section_{SECTION}_question_1"><option value="">Select</option>
  <option value="0-2">0-2</option><option value="3+">3+</option></select></div>
<div class="form-group"><h3><span>Authorized to work?</span>*</h3>
  <label><input type="radio" name="section_{SECTION}_question_2" value="Yes">Yes</label>
  <label><input type="radio" name="section_{SECTION}_question_2" value="No">No</label>
</div>
<div class="form-group"><h3><span>Languages</span></h3>
  <label><input type="checkbox" name="section_{SECTION}_question_3"><span>English</span></label>
  <label><input type="checkbox" name="section_{SECTION}_question_3"><span>French</span></label>
</div>
<div class="form-group"><h3><span>Start date</span></h3>
  <input type="text" name="section_{SECTION}_question_4"></div>
<div class="form-group"><h3><span>Race or Ethnicity</span>*</h3>
  <label><input type="radio" name="race_ethnicity" value="a"><span>Asian</span></label>
  <label><input type="radio" name="race_ethnicity" value="w"><span>White</span></label></div>
<div class="form-group"><label><input type="checkbox" name="ccpaAgreement" value="true">
  <span>I agree to the privacy notice.</span></label></div>
"""


def apply_page(definition: str) -> str:
    return (
        "<!doctype html><html><body><h1>Engineer</h1>"
        f'<form class="application-form" name="applicationForm">{definition}{BOXES}'
        "<button>Submit Application</button></form></body></html>"
    )


def angular_page() -> str:
    escaped = html.escape(json.dumps(QUESTIONS_JSON))
    flags = {
        "name": "true",
        "email_address": "true",
        "phone_number": "false",
        "resume": "true",
        "cover_letter": "false",
    }
    return apply_page(
        f'<input type="hidden" id="questions" value="{escaped}">'
        + "".join(f'<input type="hidden" id="{k}_required" value="{v}">' for k, v in flags.items())
    )


def react_page(*, wrapped: bool = True) -> str:
    application_form = {
        "name": "required",
        "email_address": "required",
        "phone_number": "required",
        "address": "hidden",
        "resume": "optional",
        "cover_letter": "hidden",
        "summary": "optional",
        "work_history": "optional",
        "eeoc": "hidden",
        "ccpa": "required",
    }
    data = {"position": {"application_form": application_form}, "questions": QUESTIONS_JSON}
    body = json.dumps({"data": data} if wrapped else data)
    return apply_page(f'<script type="application/json" id="portal-data">{body}</script>')


def test_parses_the_angular_build() -> None:
    questions = parse_application_form(angular_page())

    assert [(q.key, q.type, q.required) for q in questions] == [
        ("cName", "text", True),
        ("cEmail", "email", True),
        ("cPhoneNumber", "phone", False),
        ("cResume", "file", True),
        ("cCoverLetter", "textarea", False),
        (f"section_{SECTION}_question_0", "text", True),
        (f"section_{SECTION}_question_1", "select", True),
        (f"section_{SECTION}_question_2", "select", True),
        (f"section_{SECTION}_question_3", "multi_select", False),
        (f"section_{SECTION}_question_4", "date", False),
        ("race_ethnicity", "select", True),
        ("ccpaAgreement", "boolean", False),
    ]
    by_key = {q.key: q for q in questions}
    # Labels are the h3 titles (Breezy has no <label>s), stars left out.
    assert [by_key[k].label for k in ("cName", "cPhoneNumber", "cResume")] == [
        "Full Name",
        "Phone",
        "Resume",
    ]
    assert by_key["cResume"].file_types == (".pdf", ".docx")
    assert by_key[f"section_{SECTION}_question_1"].options == ("0-2", "3+")
    assert by_key[f"section_{SECTION}_question_2"].label == "Authorized to work?"
    assert by_key[f"section_{SECTION}_question_2"].options == ("Yes", "No")
    assert by_key[f"section_{SECTION}_question_3"].options == ("English", "French")
    assert by_key["race_ethnicity"].options == ("Asian", "White")
    assert by_key["ccpaAgreement"].label == "I agree to the privacy notice."
    # Neither the honeypot nor hidden inputs are questions.
    assert not {"hp_7f2b", "source"} & set(by_key)


@pytest.mark.parametrize("wrapped", [True, False])
def test_parses_the_react_build(wrapped: bool) -> None:
    questions = parse_application_form(react_page(wrapped=wrapped))

    by_key = {q.key: q for q in questions}
    assert [(q.key, q.required) for q in questions if not q.key.startswith("section_")] == [
        ("cName", True),
        ("cEmail", True),
        ("cPhoneNumber", True),
        ("cResume", False),
        # Asked by the definition though not drawn here: titled by its part.
        ("cSummary", False),
        ("ccpaAgreement", True),
    ]
    assert (by_key["cSummary"].label, by_key["cSummary"].type) == ("Summary", "textarea")
    # `hidden` parts (the cover letter, EEO) are left out even where a box is drawn.
    assert "cCoverLetter" not in by_key
    assert "race_ethnicity" not in by_key
    sections = [(q.key, q.type, q.required) for q in questions if q.key.startswith("section_")]
    assert sections == [
        (f"section_{SECTION}_question_0", "text", True),
        (f"section_{SECTION}_question_1", "select", True),
        (f"section_{SECTION}_question_2", "select", True),
        (f"section_{SECTION}_question_3", "multi_select", False),
        (f"section_{SECTION}_question_4", "date", False),
    ]


def test_a_page_without_a_definition_is_refused() -> None:
    closed = "<h1>Position Closed</h1><p>Sorry, this position is no longer accepting candidates."

    with pytest.raises(BoardNotFound):
        parse_application_form(closed)
    with pytest.raises(AtsError):
        parse_application_form("<html><body><h1>Breezy HR</h1></body></html>")


async def test_reads_the_apply_page_of_a_friendly_id(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        "https://breezy.breezy.hr/p/088ac6d52139-open-position/apply",
        Canned(200, angular_page().encode(), {"content-type": "text/html"}),
    )

    questions = await adapter.get_application_form(http, BOARD, "088ac6d52139-open-position")

    assert questions is not None
    assert questions[0].key == "cName"
    assert [r[2] for r in fake.requests] == ["/p/088ac6d52139-open-position/apply"]


async def test_a_bare_id_is_found_through_the_board_json(fake: FakeHosts, http: AtsHttp) -> None:
    # `/p/{id}/apply` is not answered here: the board JSON's friendly id names the page.
    fake.add("GET", JSON_URL, Canned.file(sample()))
    fake.add(
        "GET",
        "https://breezy.breezy.hr/p/088ac6d52139-open-position/apply",
        Canned(200, react_page().encode(), {"content-type": "text/html"}),
    )

    questions = await adapter.get_application_form(http, BOARD, "088ac6d52139")

    assert questions is not None
    assert "cName" in {q.key for q in questions}
    assert [r[2] for r in fake.requests] == [
        "/p/088ac6d52139/apply",
        "/json",
        "/p/088ac6d52139-open-position/apply",
    ]


async def test_a_bare_id_whose_page_carries_the_definition_needs_no_listing(
    fake: FakeHosts, http: AtsHttp
) -> None:
    fake.add(
        "GET",
        "https://breezy.breezy.hr/p/088ac6d52139/apply",
        Canned(200, angular_page().encode(), {"content-type": "text/html"}),
    )

    questions = await adapter.get_application_form(http, BOARD, "088ac6d52139")

    assert questions is not None
    assert [r[2] for r in fake.requests] == ["/p/088ac6d52139/apply"]


async def test_an_unlisted_bare_id_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned.file(sample()))

    with pytest.raises(BoardNotFound):
        await adapter.get_application_form(http, BOARD, "ffffffffffff")


# -- the form in the sandbox, over plain HTTP -----------------------------------------------

SANDBOX = "http://sandbox"


@pytest.fixture
async def sandbox_http() -> AsyncIterator[AtsHttp]:
    # Without the captured fixtures: the demo's sandbox runs without ../shared.
    transport = httpx.ASGITransport(app=create_sandbox_app(None))
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX) as client:
        yield AtsHttp(client, rewrite=proxy_rewrite(SANDBOX))


class _Starred(HTMLParser):
    """The names of the boxes the page marks required (a starred h3 above them)."""

    def __init__(self) -> None:
        super().__init__()
        self.required: set[str] = set()
        self._starred = False
        self._in_h3 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "h3":
            self._in_h3, self._starred = True, False
        elif self._in_h3 and "required" in (attr.get("class") or ""):
            self._starred = True
        elif tag in {"input", "select", "textarea"} and self._starred and attr.get("name"):
            self.required.add(str(attr["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_h3 = False


@pytest.mark.parametrize("position", ["0a1b2c3d4e5f", "5react9a8b7c", "5react9a8b7c-engineer"])
async def test_reads_the_sandbox_form_of_either_build(sandbox_http: AtsHttp, position: str) -> None:
    board = BoardRef("breezy", "acme-labs")
    page = await sandbox_http.text("GET", f"https://acme-labs.breezy.hr/p/{position}/apply")
    rejected = await sandbox_http.client.post(
        proxy_rewrite(SANDBOX)(f"https://acme-labs.breezy.hr/p/{position}/apply"),
        headers={"Accept": "application/json"},
    )

    questions = await adapter.get_application_form(sandbox_http, board, position)

    assert ("portal-data" in page) == ("react" in position)
    assert questions is not None
    section = "section_5f2a7c1e9b3d_question_"
    assert [(q.key, q.type, q.required) for q in questions] == [
        ("cName", "text", True),
        ("cEmail", "email", True),
        ("cPhoneNumber", "phone", True),
        ("cAddress", "text", False),
        ("cSalary", "text", False),
        ("salaryCurrency", "select", False),
        ("cResume", "file", True),
        ("cCoverLetter", "textarea", False),
        (f"{section}0", "text", True),
        (f"{section}1", "select", True),
        (f"{section}2", "select", True),
        (f"{section}3", "multi_select", False),
        (f"{section}4", "textarea", False),
        ("gender", "select", False),
        ("ccpaAgreement", "boolean", False),
    ]
    required = {q.key for q in questions if q.required}
    # What the page marks required and what the sandbox refuses without are all asked as such.
    starred = _Starred()
    starred.feed(page)
    assert starred.required == required
    assert set(rejected.json()["errors"]) == required
    assert "hp_7f2b" not in {q.key for q in questions}
    by_key = {q.key: q for q in questions}
    assert by_key[f"{section}2"].options == ("Yes", "No")
    assert by_key["gender"].options == ("Female", "Male", "Non-binary", "Decline to self-identify")


async def test_the_sandbox_closed_position_is_board_not_found(sandbox_http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.get_application_form(sandbox_http, BoardRef("breezy", "acme"), "6closed")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://breezy.breezy.hr", BoardRef("breezy", "breezy")),
        ("https://breezy.breezy.hr/", BoardRef("breezy", "breezy")),
        (
            "https://breezy.breezy.hr/p/98323abf2296-employee-12",
            BoardRef("breezy", "breezy", "98323abf2296"),
        ),
        (
            "https://acme.breezy.hr/p/088ac6d52139-open-position/apply",
            BoardRef("breezy", "acme", "088ac6d52139"),
        ),
        ("https://acme.breezy.hr/json", BoardRef("breezy", "acme")),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://breezy.hr/",
        "https://app.breezy.hr/signin",
        "https://www.breezy.hr/p/1-x",
        "https://acme.breezy.hr.evil.com/p/1-x",
        "https://evil.com/acme.breezy.hr/p/1-x",
        "https://acme.recruitee.com/o/x",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_missing_board_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(404, b"", {}))

    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(429, b"", {"retry-after": "5"}))

    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)

    assert caught.value.details["retry_after"] == "5"


async def test_burst_403_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(403, b"Forbidden", {}))

    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)

    assert caught.value.details["status"] == 403


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(200, b"<!doctype html><p>Breezy HR</p>", {}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)


async def test_an_object_instead_of_a_list_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(200, b'{"error": "x"}', {}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

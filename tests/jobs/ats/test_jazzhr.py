"""JazzHR adapter over real HTTP: the captured application form, list and detail pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.jazzhr import JazzHRAdapter
from support import require_shared

BASE = "https://acme.applytojob.com"
BOARD = BoardRef("jazzhr", "acme")
adapter = JazzHRAdapter()

# Built from the documented row shape (no list page was captured): each job renders twice.
LIST_PAGE = """<!doctype html><html><body><div id="resumator-jobs">
<table class="table"><tbody>
<tr id="row_job_1" class="resumator_even_row"><td>
  <a class="job_title_link" href="/apply/jobs/details/AbCdE00003?&">Test Role</a>
  <br /><span class="resumator_department">Operations</span></td>
  <td>Denver, CO</td></tr>
<tr id="row_job_2" class="resumator_odd_row"><td>
  <a class="job_title_link" href="/apply/jobs/details/ZyXwV00009?&">Night Auditor</a></td>
  <td>Remote</td></tr>
</tbody></table>
<table class="mobile"><tbody>
<tr id="row_job_1_m"><td><a class="job_title_link" href="/apply/jobs/details/AbCdE00003?&">Test
  Role</a></td><td>Denver, CO</td></tr>
</tbody></table></div></body></html>"""

DETAIL_PAGE = """<!doctype html><html><head>
<script type="application/ld+json">{"@context": "http://schema.org", "@type": "JobPosting",
"title": "Test Role", "description": "<p>Run the front desk.</p>",
"employmentType": "FULL_TIME", "datePosted": "2026-09-30",
"hiringOrganization": {"@type": "Organization", "name": "Acme"},
"jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
  "addressLocality": "Denver", "addressRegion": "CO", "addressCountry": "US"}},
"baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
  "value": {"@type": "QuantitativeValue", "minValue": 52000, "maxValue": 60000,
  "unitText": "YEAR"}}}</script></head>
<body><h1>Test Role</h1></body></html>"""


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    with FakeHosts() as server:
        yield server


@pytest.fixture
async def http(fake: FakeHosts) -> AsyncIterator[AtsHttp]:
    fake.reset()
    async with httpx.AsyncClient() as client:
        yield AtsHttp(client, rewrite=fake.rewrite)


def html(body: str | bytes, status: int = 200, **headers: str) -> Canned:
    data = body.encode() if isinstance(body, str) else body
    return Canned(status, data, {"content-type": "text/html; charset=utf-8", **headers})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.applytojob.com/apply", BOARD),
        ("https://acme.applytojob.com/apply/", BOARD),
        ("https://acme.applytojob.com/apply/jobs", BOARD),
        ("https://acme.applytojob.com/apply/jobs/", BOARD),
        (
            "https://acme.applytojob.com/apply/AbCdE00003/Test-Role",
            BoardRef("jazzhr", "acme", "AbCdE00003"),
        ),
        ("https://acme.applytojob.com/apply/AbCdE00003", BoardRef("jazzhr", "acme", "AbCdE00003")),
        (
            "https://acme.applytojob.com/apply/jobs/details/AbCdE00003?&",
            BoardRef("jazzhr", "acme", "AbCdE00003"),
        ),
        ("acme.applytojob.com/apply/jobs", BOARD),
        ("https://acme.applytojob.com/", None),
        ("https://www.applytojob.com/apply/jobs", None),
        ("https://acme.applytojob.com.evil.example/apply/jobs", None),
        ("https://acme.notapplytojob.com/apply/jobs", None),
        ("https://boards.greenhouse.io/acme", None),
        ("not a url", None),
    ],
)
def test_detect(url: str, expected: BoardRef | None) -> None:
    assert adapter.detect(url) == expected


async def test_list_postings_dedupes_desktop_and_mobile_rows(
    fake: FakeHosts, http: AtsHttp
) -> None:
    fake.add("GET", f"{BASE}/apply/jobs", html(LIST_PAGE))
    postings = await adapter.list_postings(http, BOARD)
    assert [(p.source_id, p.title) for p in postings] == [
        ("AbCdE00003", "Test Role"),
        ("ZyXwV00009", "Night Auditor"),
    ]
    first = postings[0]
    assert first.department == "Operations"
    assert first.locations == ["Denver, CO"]
    assert first.url == f"{BASE}/apply/jobs/details/AbCdE00003"
    assert first.apply_url == f"{BASE}/apply/AbCdE00003"
    assert postings[1].department is None


async def test_get_posting_reads_jsonld(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/apply/jobs/details/AbCdE00003", html(DETAIL_PAGE))
    posting = await adapter.get_posting(http, BOARD, "AbCdE00003")
    assert (posting.ats, posting.tenant, posting.source_id) == ("jazzhr", "acme", "AbCdE00003")
    assert posting.title == "Test Role"
    assert posting.description_html == "<p>Run the front desk.</p>"
    assert posting.posted_at == datetime(2026, 9, 30, tzinfo=UTC)
    assert posting.locations == ["Denver, CO, US"]
    assert (posting.salary_min, posting.salary_max, posting.salary_period) == (
        52000.0,
        60000.0,
        "year",
    )
    assert posting.apply_url == f"{BASE}/apply/AbCdE00003"


async def test_get_posting_older_theme_without_jsonld(fake: FakeHosts, http: AtsHttp) -> None:
    page = '<html><body><h1>Night Auditor</h1><div class="job_description"><p>Nights.</p></div>'
    fake.add("GET", f"{BASE}/apply/jobs/details/ZyXwV00009", html(page))
    posting = await adapter.get_posting(http, BOARD, "ZyXwV00009")
    assert (posting.title, posting.description_html) == ("Night Auditor", "<p>Nights.</p>")


async def test_application_form_from_captured_page(fake: FakeHosts, http: AtsHttp) -> None:
    sample = require_shared("fixtures", "ats", "jazzhr", "apply_form_tenant_c_anonymised.html")
    fake.add("GET", f"{BASE}/apply/AbCdE00003", html(sample.read_bytes()))
    questions = await adapter.get_application_form(http, BOARD, "AbCdE00003")
    assert questions is not None
    by_key = {q.key: q for q in questions}
    assert [q.label for q in questions] == [
        "First Name",
        "Last Name",
        "Email Address",
        "Phone",
        "Address",
        "City",
        "State/Province",
        "Postal",
        "Resume",
        "Resume (pasted text)",
        "Desired salary",
        "Are you legally authorized to work in the United States for any employer, without "
        "the need for visa sponsorship or work authorization transfer (e.g., H-1B)?",
    ]
    assert by_key["resumator-email-value"].type == "email"
    assert by_key["resumator-phone-value"].type == "phone"
    assert by_key["resumator-phone-value"].max_length == 50
    resume = by_key["resumator-resume-value"]
    assert (resume.type, resume.required) == ("file", True)
    assert resume.file_types == (".pdf", ".doc", ".docx", ".odt", ".txt", ".rtf")
    assert by_key["resumator-resumetext-value"].required is False
    question = by_key["resumator-questionnaire[2791419]"]
    assert (question.type, question.required) == ("textarea", True)
    assert all(q.required for q in questions if q.key != "resumator-resumetext-value")
    # Hidden bookkeeping fields and the captcha are not questions.
    assert not {"resumator-job-value", "form_id", "resumator-xml-value"} & by_key.keys()


async def test_application_form_options_from_selects_and_checkboxes(
    fake: FakeHosts, http: AtsHttp
) -> None:
    page = """<form id="form_submit_new_resume">
    <div class="form-group"><label for="resumator-questionnaire-q1" class="control-label">
      Shift<i class="asterisk">*</i></label>
      <select name="resumator-questionnaire[1]" id="resumator-questionnaire-q1">
      <option value="">Choose</option><option value="Day">Day</option>
      <option value="Night">Night</option></select></div>
    <div class="form-group"><label class="control-label">Languages</label>
      <input type="checkbox" name="resumator-questionnaire[2][]" id="l1" value="en">
      <label for="l1">English</label>
      <input type="checkbox" name="resumator-questionnaire[2][]" id="l2" value="es">
      <label for="l2">Spanish</label></div>
    <div class="form-group"><label for="resumator-start-value" class="control-label">
      Start date</label><input type="text" class="form-control datepicker"
      id="resumator-start-value" name="resumator-start-value"></div>
    </form>"""
    fake.add("GET", f"{BASE}/apply/ZyXwV00009", html(page))
    questions = await adapter.get_application_form(http, BOARD, "ZyXwV00009")
    assert questions is not None
    shift, languages, start = questions
    assert (shift.label, shift.type, shift.required, shift.options) == (
        "Shift",
        "select",
        True,
        ("Day", "Night"),
    )
    assert (languages.label, languages.type, languages.options) == (
        "Languages",
        "multi_select",
        ("English", "Spanish"),
    )
    assert (start.type, start.required) == ("date", False)


async def test_unknown_tenant_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BoardRef("jazzhr", "nobody"))


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/apply/jobs", html("slow down", 429, **{"retry-after": "30"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "30"


async def test_malformed_pages_are_ats_errors(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/apply/jobs", Canned(200, b'{"jobs": 3}', {}))
    fake.add("GET", f"{BASE}/apply/jobs/details/AbCdE00003", html("<html><p>hi</p></html>"))
    fake.add("GET", f"{BASE}/apply/AbCdE00003", html("<html><p>closed</p></html>"))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)
    with pytest.raises(AtsError):
        await adapter.get_posting(http, BOARD, "AbCdE00003")
    with pytest.raises(AtsError):
        await adapter.get_application_form(http, BOARD, "AbCdE00003")

"""iCIMS adapter over real HTTP against the captured search rows (careers-wipfli)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.icims import IcimsAdapter
from support import require_shared

HOST = "careers-wipfli.icims.com"
SEARCH = f"https://{HOST}/jobs/search?ss=1&in_iframe=1"
BOARD = BoardRef("icims", "wipfli", host=HOST)
adapter = IcimsAdapter()

# What a portal answers past its last page: the list frame with a message and no rows.
EMPTY_PAGE = """<!doctype html><html><body><div class="iCIMS_JobsTable">
<div class="iCIMS_Message">Sorry, no jobs were found that match your search.</div>
</div></body></html>"""


def sample() -> Path:
    return require_shared("fixtures", "ats", "icims", "wipfli_jobs_search_trimmed.html")


def html(body: str | bytes, status: int = 200, **headers: str) -> Canned:
    data = body.encode() if isinstance(body, str) else body
    return Canned(status, data, {"content-type": "text/html; charset=utf-8", **headers})


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
        ("https://careers-wipfli.icims.com/jobs/search?ss=1", BOARD),
        ("https://careers-wipfli.icims.com/jobs/intro", BOARD),
        ("https://careers-wipfli.icims.com/jobs", BOARD),
        (
            "https://careers-wipfli.icims.com/jobs/8214/payroll-tax-specialist/job?in_iframe=1",
            BoardRef("icims", "wipfli", "8214", HOST),
        ),
        (
            "https://careers-wipfli.icims.com/jobs/8214/job",
            BoardRef("icims", "wipfli", "8214", HOST),
        ),
        (
            "https://uscareers-acme-health.icims.com/jobs/77/nurse/job",
            BoardRef("icims", "acme-health", "77", "uscareers-acme-health.icims.com"),
        ),
        (
            "https://jobs-acme.icims.com/jobs/search?ss=1&searchLocation=12",
            BoardRef("icims", "acme", None, "jobs-acme.icims.com"),
        ),
        ("https://www.icims.com/jobs/", None),
        ("https://careers-wipfli.icims.com/", None),
        ("https://careers-wipfli.icims.com.evil.example/jobs/search", None),
        ("https://careers-wipfli.noticims.com/jobs/search", None),
        ("https://acme.applytojob.com/apply/jobs", None),
    ],
)
def test_detect(url: str, expected: BoardRef | None) -> None:
    assert adapter.detect(url) == expected


async def test_list_postings_pages_until_a_page_has_no_rows(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{SEARCH}&pr=0", html(sample().read_bytes()))
    fake.add("GET", f"{SEARCH}&pr=1", html(EMPTY_PAGE))
    postings = await adapter.list_postings(http, BOARD)
    assert [(p.source_id, p.title) for p in postings] == [
        ("8214", "Payroll Tax Specialist"),
        ("8212", "Payroll Support Specialist"),
    ]
    first = postings[0]
    assert (first.ats, first.tenant) == ("icims", "wipfli")
    assert first.url == f"https://{HOST}/jobs/8214/payroll-tax-specialist/job"
    assert first.locations == ["US"]
    assert first.raw["fields"]["Job ID"] == "2026-8214"
    assert [request[2] for request in fake.requests] == [
        "/jobs/search?ss=1&in_iframe=1&pr=0",
        "/jobs/search?ss=1&in_iframe=1&pr=1",
    ]


async def test_list_postings_stops_at_the_last_page_and_on_repeats(
    fake: FakeHosts, http: AtsHttp
) -> None:
    rows = sample().read_text(encoding="utf-8")
    last = rows.replace("</ul>", '</ul><div class="iCIMS_Paging">Page 1 of 1</div>')
    fake.add("GET", f"{SEARCH}&pr=0", html(last))
    assert len(await adapter.list_postings(http, BOARD)) == 2
    assert len(fake.requests) == 1

    fake.reset()
    # A portal that answers every page with the same rows must not loop forever.
    fake.add("GET", f"{SEARCH}&pr=0", html(rows))
    fake.add("GET", f"{SEARCH}&pr=1", html(rows))
    assert len(await adapter.list_postings(http, BOARD)) == 2
    assert len(fake.requests) == 2


async def test_get_posting_prefers_jsonld(fake: FakeHosts, http: AtsHttp) -> None:
    page = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "JobPosting", "title": "Payroll Tax Specialist", "datePosted": "2026-08-01",
    "description": "<p>Prepare payroll tax filings.</p>",
    "hiringOrganization": {"@type": "Organization", "name": "Wipfli"},
    "jobLocation": [{"@type": "Place", "address": {"addressLocality": "Milwaukee",
    "addressRegion": "WI", "addressCountry": "US"}}]}</script></head><body></body></html>"""
    fake.add("GET", f"https://{HOST}/jobs/8214/job?in_iframe=1", html(page))
    posting = await adapter.get_posting(http, BOARD, "8214")
    assert (posting.ats, posting.tenant, posting.source_id) == ("icims", "wipfli", "8214")
    assert posting.company_name == "Wipfli"
    assert posting.locations == ["Milwaukee, WI, US"]
    assert posting.posted_at == datetime(2026, 8, 1, tzinfo=UTC)


async def test_get_posting_from_header_tags(fake: FakeHosts, http: AtsHttp) -> None:
    page = """<html><body><div class="iCIMS_Header"><h1>Payroll Support Specialist</h1></div>
    <dl class="iCIMS_JobHeaderGroup">
    <div class="iCIMS_JobHeaderTag"><dt class="iCIMS_JobHeaderField">Job Locations</dt>
      <dd class="iCIMS_JobHeaderData">US-WI-Madison</dd></div>
    <div class="iCIMS_JobHeaderTag"><dt class="iCIMS_JobHeaderField">Category</dt>
      <dd class="iCIMS_JobHeaderData">Payroll</dd></div></dl>
    <div class="iCIMS_InfoMsg iCIMS_InfoMsg_Job"><h2>Responsibilities</h2><p>Support.</p></div>
    </body></html>"""
    fake.add("GET", f"https://{HOST}/jobs/8212/job?in_iframe=1", html(page))
    posting = await adapter.get_posting(http, BOARD, "8212")
    assert posting.title == "Payroll Support Specialist"
    assert posting.locations == ["US-WI-Madison"]
    assert posting.department == "Payroll"
    assert posting.description_html is not None
    assert "<p>Support.</p>" in posting.description_html


async def test_no_public_form_definition(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "8214") is None


async def test_unknown_portal_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(
            http, BoardRef("icims", "nobody", host="careers-nobody.icims.com")
        )


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{SEARCH}&pr=0", html("busy", 429, **{"retry-after": "120"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details == {"status": 429, "retry_after": "120"}


async def test_malformed_pages_are_ats_errors(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{SEARCH}&pr=0", Canned(200, b'{"unexpected": true}', {}))
    fake.add("GET", f"https://{HOST}/jobs/1/job?in_iframe=1", html("<html><p>?</p></html>"))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)
    with pytest.raises(AtsError):
        await adapter.get_posting(http, BOARD, "1")

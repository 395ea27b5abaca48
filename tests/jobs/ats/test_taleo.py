"""Taleo adapter over real HTTP, with payloads built from the documented shape.

No real Taleo response has been captured (SOURCES.md): every payload below is constructed in
this file after NOTES.md section 6 and is not a copy of anything.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.taleo import TaleoAdapter

HOST = "acmehealth.taleo.net"
SEARCH = f"https://{HOST}/careersection/rest/jobboard/searchjobs?lang=en&portal=8100120"
BOARD = BoardRef("taleo", "acmehealth", host=HOST, site="ext:8100120")
TBE_HOST = "phq.tbe.taleo.net"
TBE = BoardRef("taleo", "ACMEORG", host=TBE_HOST, site="phq01:7")
adapter = TaleoAdapter()


def requisition(job_id: str, contest: str, title: str, where: list[str], date: str) -> Any:
    return {"jobId": job_id, "contestNo": contest, "column": [title, json.dumps(where), date]}


def page(rows: list[Any], page_no: int, total: int) -> Canned:
    body = {
        "requisitionList": rows,
        "pagingData": {"currentPageNo": page_no, "pageSize": 2, "totalCount": total},
        "careerSectionUnAvailable": False,
    }
    return Canned(200, json.dumps(body).encode(), {"content-type": "application/json"})


def html(body: str, status: int = 200, **headers: str) -> Canned:
    return Canned(status, body.encode(), {"content-type": "text/html", **headers})


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
        (
            "https://acmehealth.taleo.net/careersection/ext/jobsearch.ftl?lang=en&portal=8100120",
            BOARD,
        ),
        (
            "https://acmehealth.taleo.net/careersection/ext/jobsearch.ftl?lang=en",
            BoardRef("taleo", "acmehealth", host=HOST, site="ext"),
        ),
        (
            "https://acmehealth.taleo.net/careersection/ext/jobdetail.ftl?job=2600123&lang=en",
            BoardRef("taleo", "acmehealth", "2600123", HOST, "ext"),
        ),
        (
            "https://phq.tbe.taleo.net/phq01/ats/careers/v2/searchResults?org=ACMEORG&cws=7",
            TBE,
        ),
        (
            "https://phq.tbe.taleo.net/phq01/ats/careers/v2/viewRequisition?org=ACMEORG&cws=7&rid=415",
            BoardRef("taleo", "ACMEORG", "415", TBE_HOST, "phq01:7"),
        ),
        ("https://phq.tbe.taleo.net/phq01/ats/careers/v2/searchResults", None),
        ("https://acmehealth.taleo.net/", None),
        ("https://www.taleo.net/careersection/ext/jobsearch.ftl", None),
        ("https://acmehealth.taleo.net.evil.example/careersection/ext/jobsearch.ftl", None),
        ("https://acmehealth.nottaleo.net/careersection/ext/jobsearch.ftl", None),
    ],
)
def test_detect(url: str, expected: BoardRef | None) -> None:
    assert adapter.detect(url) == expected


async def test_enterprise_search_pages_through_the_total(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "POST",
        SEARCH,
        page(
            [
                requisition(
                    "31", "2600123", "Registered Nurse", ["US-OR-Portland"], "Sep 18, 2026"
                ),
                requisition(
                    "32",
                    "2600124",
                    "Pharmacist",
                    ["US-OR-Salem", "US-WA-Vancouver"],
                    "Sep 17, 2026",
                ),
            ],
            1,
            3,
        ),
        page([requisition("33", "2600130", "Unit Clerk", ["US-OR-Bend"], "Today")], 2, 3),
    )
    postings = await adapter.list_postings(http, BOARD)
    assert [(p.source_id, p.title) for p in postings] == [
        ("2600123", "Registered Nurse"),
        ("2600124", "Pharmacist"),
        ("2600130", "Unit Clerk"),
    ]
    nurse, pharmacist, clerk = postings
    assert nurse.posted_at == datetime(2026, 9, 18, tzinfo=UTC)
    assert pharmacist.locations == ["US-OR-Salem", "US-WA-Vancouver"]
    assert (clerk.posted_at, clerk.posted_text) == (None, "Today")
    assert nurse.url == f"https://{HOST}/careersection/ext/jobdetail.ftl?job=2600123&lang=en"
    bodies = [json.loads(request[3]) for request in fake.requests]
    assert [body["pageNo"] for body in bodies] == [1, 2]


async def test_enterprise_portal_is_read_from_the_search_page(
    fake: FakeHosts, http: AtsHttp
) -> None:
    fake.add(
        "GET",
        f"https://{HOST}/careersection/ext/jobsearch.ftl?lang=en",
        html('<html><script>var portal = "8100120";</script></html>'),
    )
    fake.add("POST", SEARCH, page([], 1, 0))
    board = BoardRef("taleo", "acmehealth", host=HOST, site="ext")
    assert await adapter.list_postings(http, board) == []
    assert [request[0] for request in fake.requests] == ["GET", "POST"]


async def test_tbe_search_page_and_detail(fake: FakeHosts, http: AtsHttp) -> None:
    listing = """<html><body><div class="oracletaleocwsv2-accordion">
    <h4 class="oracletaleocwsv2-head-title"><a class="viewJobLink"
      href="https://phq.tbe.taleo.net/phq01/ats/careers/v2/viewRequisition?org=ACMEORG&amp;cws=7&amp;rid=415">
      Line Cook</a></h4>
    <a class="viewJobLink" href="https://phq.tbe.taleo.net/phq01/ats/careers/v2/viewRequisition?org=ACMEORG&amp;cws=7&amp;rid=415">View</a>
    <h4 class="oracletaleocwsv2-head-title"><a class="viewJobLink"
      href="/phq01/ats/careers/v2/viewRequisition?org=ACMEORG&amp;cws=7&amp;rid=416">Host</a></h4>
    </div></body></html>"""
    base = f"https://{TBE_HOST}/phq01/ats/careers/v2"
    fake.add("GET", f"{base}/searchResults?org=ACMEORG&cws=7", html(listing))
    postings = await adapter.list_postings(http, TBE)
    assert [(p.source_id, p.title) for p in postings] == [("415", "Line Cook"), ("416", "Host")]
    assert postings[1].url == f"{base}/viewRequisition?org=ACMEORG&cws=7&rid=416"

    detail = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "JobPosting", "title": "Line Cook", "description": "<p>Prep and cook.</p>",
    "employmentType": "Full Time", "datePosted": "2025-07-28 00:00:00.0",
    "hiringOrganization": {"@type": "Organization", "name": "Acme Dining"},
    "jobLocation": {"@type": "Place", "address": {"addressLocality": "Boise",
      "addressRegion": "ID", "addressCountry": "US"}}}</script></head></html>"""
    fake.add("GET", f"{base}/viewRequisition?org=ACMEORG&cws=7&rid=415", html(detail))
    posting = await adapter.get_posting(http, TBE, "415")
    assert (posting.ats, posting.tenant, posting.source_id) == ("taleo", "ACMEORG", "415")
    assert posting.posted_at == datetime(2025, 7, 28, tzinfo=UTC)
    assert posting.company_name == "Acme Dining"
    assert posting.locations == ["Boise, ID, US"]


async def test_no_public_form_definition(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "2600123") is None


async def test_unknown_board_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(
            http, BoardRef("taleo", "nobody", host="nobody.taleo.net", site="ext:1")
        )
    unavailable = {"requisitionList": [], "careerSectionUnAvailable": True}
    fake.add("POST", SEARCH, Canned(200, json.dumps(unavailable).encode(), {}))
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("POST", SEARCH, Canned(429, b"", {"retry-after": "60"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "60"


async def test_malformed_payloads_are_ats_errors(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("POST", SEARCH, html("<html>maintenance</html>"))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)
    fake.reset()
    fake.add("POST", SEARCH, Canned(200, b'{"requisitionList": "none"}', {}))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)
    fake.add(
        "GET",
        f"https://{HOST}/careersection/ext/jobdetail.ftl?job=9&lang=en",
        html("<html><body>Loading...</body></html>"),
    )
    with pytest.raises(AtsError):
        await adapter.get_posting(http, BOARD, "9")

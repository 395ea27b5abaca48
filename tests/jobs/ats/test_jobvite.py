"""Jobvite adapter over real HTTP against the captured search rows (feedingamerica)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.jobvite import JobviteAdapter
from support import require_shared

BASE = "https://jobs.jobvite.com/feedingamerica"
BOARD = BoardRef("jobvite", "feedingamerica")
adapter = JobviteAdapter()


def sample() -> Path:
    return require_shared("fixtures", "ats", "jobvite", "feedingamerica_search_trimmed.html")


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
        ("https://jobs.jobvite.com/feedingamerica", BOARD),
        ("https://jobs.jobvite.com/feedingamerica/", BOARD),
        ("https://jobs.jobvite.com/feedingamerica/search?p=2", BOARD),
        ("https://jobs.jobvite.com/feedingamerica/jobs", BOARD),
        (
            "https://jobs.jobvite.com/feedingamerica/job/octxAfww",
            BoardRef("jobvite", "feedingamerica", "octxAfww"),
        ),
        (
            "https://jobs.jobvite.com/feedingamerica/job/octxAfww/apply",
            BoardRef("jobvite", "feedingamerica", "octxAfww"),
        ),
        (
            "https://jobs.jobvite.com/careers/feedingamerica/job/octxAfww",
            BoardRef("jobvite", "feedingamerica", "octxAfww", site="careers"),
        ),
        (
            "https://jobs.jobvite.com/careers/feedingamerica/jobs",
            BoardRef("jobvite", "feedingamerica", site="careers"),
        ),
        ("https://jobs.jobvite.com/", None),
        ("https://jobs.jobvite.com/careers/", None),
        ("https://www.jobvite.com/feedingamerica", None),
        ("https://jobs.jobvite.com.evil.example/feedingamerica", None),
        ("https://jobs.notjobvite.com/feedingamerica", None),
    ],
)
def test_detect(url: str, expected: BoardRef | None) -> None:
    assert adapter.detect(url) == expected


async def test_list_postings_from_captured_rows(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/search?p=0", html(sample().read_bytes()))
    postings = await adapter.list_postings(http, BOARD)
    assert [(p.source_id, p.title, p.locations) for p in postings] == [
        ("octxAfww", "Manager, Development (Chicago/Hybrid)", ["Chicago, Illinois"]),
        (
            "ohAzAfwK",
            "Manager, Technology Vendor Management (Chicago/Hybrid)",
            ["Chicago, Illinois"],
        ),
    ]
    assert postings[0].url == f"{BASE}/job/octxAfww"
    assert (postings[0].ats, postings[0].tenant) == ("jobvite", "feedingamerica")
    # The captured page has no pager: the whole list is on one page.
    assert len(fake.requests) == 1


async def test_list_postings_follows_the_pager(fake: FakeHosts, http: AtsHttp) -> None:
    rows = sample().read_text(encoding="utf-8")
    first = rows.replace("</table>", '</table><div class="jv-pagination-text">1-2 of 3</div>')
    second = """<html><body><table class="jv-job-list"><tr>
    <td class="jv-job-list-name"><a href="/feedingamerica/job/oQrsAfw1">Data Analyst</a></td>
    <td class="jv-job-list-location">Remote</td></tr></table>
    <div class="jv-pagination-text">3-3 of 3</div></body></html>"""
    fake.add("GET", f"{BASE}/search?p=0", html(first))
    fake.add("GET", f"{BASE}/search?p=1", html(second))
    postings = await adapter.list_postings(http, BOARD)
    assert [p.source_id for p in postings] == ["octxAfww", "ohAzAfwK", "oQrsAfw1"]
    assert postings[2].locations == ["Remote"]


async def test_get_posting_reads_jsonld_and_apply_link(fake: FakeHosts, http: AtsHttp) -> None:
    page = """<html><head><script type="application/ld+json">{"@context": "http://schema.org",
    "@type": "JobPosting", "title": "Manager, Development (Chicago/Hybrid)",
    "identifier": "octxAfww", "datePosted": "2026-09-12", "employmentType": "Full-Time",
    "hiringOrganization": {"@type": "Organization", "name": "Feeding America"},
    "description": "<p>Grow philanthropic support.</p>",
    "jobLocation": {"@type": "Place", "address": {"addressLocality": "Chicago",
      "addressRegion": "Illinois", "addressCountry": "US"}}}</script></head>
    <body><p class="jv-job-detail-meta">Development <span>|</span> Chicago, Illinois</p>
    <a class="jv-button jv-button-apply" href="/feedingamerica/job/octxAfww/apply">Apply</a>
    </body></html>"""
    fake.add("GET", f"{BASE}/job/octxAfww", html(page))
    posting = await adapter.get_posting(http, BOARD, "octxAfww")
    assert (posting.ats, posting.source_id) == ("jobvite", "octxAfww")
    assert posting.company_name == "Feeding America"
    assert posting.locations == ["Chicago, Illinois, US"]
    assert posting.department == "Development"
    assert posting.posted_at == datetime(2026, 9, 12, tzinfo=UTC)
    assert posting.apply_url == f"{BASE}/job/octxAfww/apply"


async def test_no_public_form_definition(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "octxAfww") is None


async def test_unknown_company_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BoardRef("jobvite", "nobody"))


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/search?p=0", html("", 429, **{"retry-after": "5"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "5"


async def test_malformed_pages_are_ats_errors(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/search?p=0", Canned(200, b"[1, 2, 3]", {}))
    fake.add("GET", f"{BASE}/job/gone", html("<html><body>Moved</body></html>"))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)
    with pytest.raises(AtsError):
        await adapter.get_posting(http, BOARD, "gone")

"""Homebase adapter over real HTTP, with pages built from the best-known shape.

Nothing from Homebase has been captured (SOURCES.md, NOTES.md section 11): the pages below are
constructed here, as a schema.org-described careers page would be.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.homebase import HomebaseAdapter

BASE = "https://app.joinhomebase.com/jobs/corner-cafe-austin"
BOARD = BoardRef("homebase", "corner-cafe-austin")
adapter = HomebaseAdapter()


def posting_ld(job_id: str, title: str) -> dict[str, object]:
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "url": f"{BASE}/{job_id}",
        "datePosted": "2026-09-20",
        "employmentType": "PART_TIME",
        "hiringOrganization": {"@type": "Organization", "name": "Corner Cafe"},
        "jobLocation": {
            "@type": "Place",
            "address": {"addressLocality": "Austin", "addressRegion": "TX", "addressCountry": "US"},
        },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "USD",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": 15,
                "maxValue": 18,
                "unitText": "HOUR",
            },
        },
        "description": f"<p>{title} wanted.</p>",
    }


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
        (BASE, BOARD),
        (f"{BASE}/", BOARD),
        (f"{BASE}/4821", BoardRef("homebase", "corner-cafe-austin", "4821")),
        ("https://joinhomebase.com/jobs/corner-cafe-austin", BOARD),
        ("https://app.joinhomebase.com/jobs", None),
        ("https://app.joinhomebase.com/accounts/sign-in", None),
        ("https://app.joinhomebase.com.evil.example/jobs/corner-cafe-austin", None),
        ("https://app.notjoinhomebase.com/jobs/corner-cafe-austin", None),
    ],
)
def test_detect(url: str, expected: BoardRef | None) -> None:
    assert adapter.detect(url) == expected


async def test_list_postings_from_jsonld(fake: FakeHosts, http: AtsHttp) -> None:
    graph = {"@graph": [posting_ld("4821", "Barista"), posting_ld("4822", "Line Cook")]}
    fake.add("GET", BASE, html(f'<script type="application/ld+json">{json.dumps(graph)}</script>'))
    barista, cook = await adapter.list_postings(http, BOARD)
    assert [(barista.source_id, barista.title), (cook.source_id, cook.title)] == [
        ("4821", "Barista"),
        ("4822", "Line Cook"),
    ]
    assert (barista.ats, barista.tenant) == ("homebase", "corner-cafe-austin")
    assert barista.company_name == "Corner Cafe"
    assert barista.locations == ["Austin, TX, US"]
    assert (barista.salary_min, barista.salary_max, barista.salary_period) == (15.0, 18.0, "hour")


async def test_list_postings_from_links(fake: FakeHosts, http: AtsHttp) -> None:
    page = f"""<html><head><title>Corner Cafe jobs | Homebase</title></head><body>
    <a href="/jobs/corner-cafe-austin/4821">Barista</a>
    <a href="{BASE}/4821">Barista</a>
    <a href="/jobs/other-place/9">Elsewhere</a>
    <a href="https://joinhomebase.com/">Homebase</a></body></html>"""
    fake.add("GET", BASE, html(page))
    [posting] = await adapter.list_postings(http, BOARD)
    assert (posting.source_id, posting.title, posting.url) == ("4821", "Barista", f"{BASE}/4821")


async def test_get_posting(fake: FakeHosts, http: AtsHttp) -> None:
    ld = json.dumps(posting_ld("4821", "Barista"))
    fake.add("GET", f"{BASE}/4821", html(f'<script type="application/ld+json">{ld}</script>'))
    posting = await adapter.get_posting(http, BOARD, "4821")
    assert (posting.ats, posting.source_id, posting.title) == ("homebase", "4821", "Barista")
    assert posting.posted_at == datetime(2026, 9, 20, tzinfo=UTC)
    assert posting.description_html == "<p>Barista wanted.</p>"


async def test_no_public_form_definition(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "4821") is None


async def test_unknown_company_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BoardRef("homebase", "nobody"))


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", BASE, html("", 429, **{"retry-after": "9"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "9"


async def test_malformed_pages_are_ats_errors(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", BASE, Canned(200, b'{"error": "maintenance"}', {}))
    fake.add("GET", f"{BASE}/1", html("<html><body>Loading</body></html>"))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)
    with pytest.raises(AtsError):
        await adapter.get_posting(http, BOARD, "1")

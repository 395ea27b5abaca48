"""Workday adapter over real HTTP against captured CXS payloads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.workday import WorkdayAdapter
from support import require_shared

HOST = "motorolasolutions.wd5.myworkdayjobs.com"
API = f"https://{HOST}/wday/cxs/motorolasolutions/Careers"
BOARD = BoardRef("workday", "motorolasolutions", host=HOST, site="Careers")
DETAIL_PATH = "Uxbridge-UK-ZUK131/Graduate-Software-Engineer_R45693"
adapter = WorkdayAdapter()


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "workday", name)


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
            "https://motorolasolutions.wd5.myworkdayjobs.com/Careers",
            BoardRef("workday", "motorolasolutions", None, HOST, "Careers"),
        ),
        (
            "https://motorolasolutions.wd5.myworkdayjobs.com/en-US/Careers/",
            BoardRef("workday", "motorolasolutions", None, HOST, "Careers"),
        ),
        (
            "https://motorolasolutions.wd5.myworkdayjobs.com/en-US/Careers/job/"
            "Uxbridge-UK-ZUK131/Graduate-Software-Engineer_R45693",
            BoardRef("workday", "motorolasolutions", DETAIL_PATH, HOST, "Careers"),
        ),
        (
            "https://motorolasolutions.wd5.myworkdayjobs.com/Careers/job/"
            "Uxbridge-UK-ZUK131/Graduate-Software-Engineer_R45693/apply",
            BoardRef("workday", "motorolasolutions", DETAIL_PATH, HOST, "Careers"),
        ),
        (
            "https://wd3.myworkdaysite.com/en-US/recruiting/acme/External",
            BoardRef("workday", "acme", None, "wd3.myworkdaysite.com", "External"),
        ),
        (
            "https://wd3.myworkdaysite.com/recruiting/acme/External/job/Remote-US/Engineer_R1-1",
            BoardRef(
                "workday", "acme", "Remote-US/Engineer_R1-1", "wd3.myworkdaysite.com", "External"
            ),
        ),
    ],
)
def test_detect_recognises_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://motorolasolutions.wd5.myworkdayjobs.com/",
        "https://motorolasolutions.wd5.myworkdayjobs.com.evil.example/Careers",
        "https://myworkdayjobs.com/Careers",
        "https://motorolasolutions.myworkdayjobs.example/Careers",
        "https://boards.greenhouse.io/codepath",
        "ftp://motorolasolutions.wd5.myworkdayjobs.com/Careers",
        "https://motorolasolutions.wd5.myworkdayjobs.com/Careers/job/no-req-id",
        "not a url",
    ],
)
def test_detect_rejects_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_list_postings_pages_by_offset_until_a_short_page(
    fake: FakeHosts, http: AtsHttp
) -> None:
    page1 = sample("motorolasolutions_cxs_jobs_page1.json")
    page2 = {
        "total": 0,  # Workday reports the total on the first page only
        "jobPostings": [
            {
                "title": "Field Engineer",
                "externalPath": "/job/Chicago-IL/Field-Engineer_R50001",
                "locationsText": "2 Locations",
                "postedOn": "Posted 30+ Days Ago",
                "bulletFields": ["R50001"],
            }
        ],
    }
    fake.add("POST", f"{API}/jobs", Canned.file(page1), Canned(200, json.dumps(page2).encode()))

    postings = await adapter.list_postings(http, BOARD)

    bodies = [json.loads(body) for method, _, _, body in fake.requests if method == "POST"]
    assert [body["offset"] for body in bodies] == [0, 20]
    assert bodies[0] == {"limit": 20, "offset": 0, "appliedFacets": {}, "searchText": ""}
    assert len(postings) == 21
    first = postings[0]
    assert first.source_id == "R49214"
    assert first.title == "Junior Accounts Payable Specialist  (mixed shift) / 12 months contract"
    assert first.locations == ["Krakow, Poland"]
    assert first.posted_text == "Posted Today"
    assert first.posted_at is None
    assert first.url == (
        f"https://{HOST}/Careers/job/Krakow-Poland/"
        "Junior-Accounts-Payable-Specialist---mixed-shift----12-months-contract_R49214"
    )
    assert first.apply_url == f"{first.url}/apply"
    by_id = {posting.source_id: posting for posting in postings}
    # A re-posted requisition keeps its own posting suffix.
    assert by_id["R48860-1"].locations == ["Schleswig-Holstein/Berlin, Germany (ZWG133)"]
    assert by_id["R49177"].locations == ["Tennessee Remote Work"]
    assert by_id["R50001"].locations == []
    assert by_id["R50001"].posted_text == "Posted 30+ Days Ago"


async def test_list_postings_stops_at_total(fake: FakeHosts, http: AtsHttp) -> None:
    page = {
        "total": 20,
        "jobPostings": [
            {
                "title": f"Job {n}",
                "externalPath": f"/job/X/Job-{n}_R{n}",
                "postedOn": "Posted Today",
            }
            for n in range(20)
        ],
    }
    fake.add("POST", f"{API}/jobs", Canned(200, json.dumps(page).encode()))
    postings = await adapter.list_postings(http, BOARD)
    assert len(postings) == 20
    assert len(fake.requests) == 1


async def test_get_posting_reads_the_detail(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        f"{API}/job/{DETAIL_PATH}",
        Canned.file(sample("motorolasolutions_cxs_job_detail_R45693.json")),
    )

    posting = await adapter.get_posting(http, BOARD, DETAIL_PATH)

    assert posting.source_id == "R45693"
    assert posting.title == "Graduate Software Engineer"
    assert posting.company_name == "908000 Motorola Solutions UK Limited"
    assert posting.employment_type == "Full time"
    assert posting.locations == ["Uxbridge, UK (ZUK131)"]
    assert posting.posted_at == datetime(2024, 8, 7, tzinfo=UTC)
    assert posting.posted_text == "Posted Yesterday"
    assert posting.url == f"https://{HOST}/Careers/job/{DETAIL_PATH}"
    assert posting.apply_url == f"https://{HOST}/Careers/job/{DETAIL_PATH}/apply"
    assert posting.description_html is not None
    assert posting.description_html.startswith("<h2><b>Company Overview</b></h2>")
    assert posting.closed is False


async def test_get_posting_by_requisition_id_searches_first(fake: FakeHosts, http: AtsHttp) -> None:
    search = {
        "total": 1,
        "jobPostings": [
            {
                "title": "Graduate Software Engineer",
                "externalPath": f"/job/{DETAIL_PATH}",
                "bulletFields": ["R45693", "Uxbridge, UK (ZUK131)"],
            }
        ],
    }
    fake.add("POST", f"{API}/jobs", Canned(200, json.dumps(search).encode()))
    fake.add(
        "GET",
        f"{API}/job/{DETAIL_PATH}",
        Canned.file(sample("motorolasolutions_cxs_job_detail_R45693.json")),
    )

    posting = await adapter.get_posting(http, BOARD, "R45693")

    assert posting.title == "Graduate Software Engineer"
    assert json.loads(fake.requests[0][3])["searchText"] == "R45693"


async def test_unknown_requisition_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("POST", f"{API}/jobs", Canned(200, b'{"total": 0, "jobPostings": []}'))
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "R00000")


async def test_application_form_is_not_public(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, DETAIL_PATH) is None


async def test_unknown_site_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("POST", f"{API}/jobs", Canned(429, b"slow down", {"retry-after": "30"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "30"


@pytest.mark.parametrize(
    "body", [b"<html>maintenance</html>", b'{"total": 3}', b'{"jobPostings": {"a": 1}}']
)
async def test_malformed_payload_is_ats_error(fake: FakeHosts, http: AtsHttp, body: bytes) -> None:
    fake.add("POST", f"{API}/jobs", Canned(200, body))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

"""ApplicantPro adapter over real HTTP, with payloads built from the documented shape.

No real ApplicantPro response has been captured (SOURCES.md): the careers page and the
`core/jobs` answers below are constructed here after NOTES.md section 13.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.applicantpro import ApplicantProAdapter
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef

BASE = "https://lakeside.applicantpro.com"
BOARD = BoardRef("applicantpro", "lakeside")
LIST = f"{BASE}/core/jobs/5120?getParams=%7B%7D"
adapter = ApplicantProAdapter()

CAREERS_PAGE = """<!doctype html><html><head><title>Job Listings - Lakeside Dental Jobs</title>
</head><body><div id="app"></div>
<script>window.courier = { domainId : 5120, subdomain : "lakeside" };</script></body></html>"""

JOBS: list[dict[str, Any]] = [
    {
        "id": 88121,
        "title": "Dental Hygienist",
        "city": "Boise",
        "abbreviation": "ID",
        "iso3": "USA",
        "orgTitle": "Clinical",
        "employmentType": "Full Time",
        "workplaceType": "On-site",
        "startDateRef": "Sep 02, 2026",
        "minSalary": "38.00",
        "maxSalary": "46.00",
        "payType": "Hourly",
        "payDetails": "$38-$46 per hour DOE",
    },
    {
        "id": 88130,
        "title": "Billing Specialist",
        "jobLocation": "Remote - Idaho",
        "workplaceType": "Remote",
        "employmentType": "Part Time",
        "startDateRef": "2026-09-10",
        "minSalary": 0,
        "maxSalary": 0,
    },
]


def as_json(body: Any, status: int = 200, **headers: str) -> Canned:
    return Canned(
        status, json.dumps(body).encode(), {"content-type": "application/json", **headers}
    )


def html(body: str, status: int = 200) -> Canned:
    return Canned(status, body.encode(), {"content-type": "text/html"})


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    with FakeHosts() as server:
        yield server


@pytest.fixture
async def http(fake: FakeHosts) -> AsyncIterator[AtsHttp]:
    fake.reset()
    async with httpx.AsyncClient() as client:
        yield AtsHttp(client, rewrite=fake.rewrite)


def serve_board(fake: FakeHosts) -> None:
    fake.add("GET", f"{BASE}/jobs/", html(CAREERS_PAGE))
    body = {"success": True, "data": {"jobs": JOBS, "jobCount": 2, "domainId": 5120}}
    fake.add("GET", LIST, as_json(body))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://lakeside.applicantpro.com/jobs/", BOARD),
        ("https://lakeside.applicantpro.com/jobs", BOARD),
        (
            "https://lakeside.applicantpro.com/jobs/88121",
            BoardRef("applicantpro", "lakeside", "88121"),
        ),
        (
            "https://lakeside.applicantpro.com/jobs/88121.html",
            BoardRef("applicantpro", "lakeside", "88121"),
        ),
        ("https://www.applicantpro.com/openings/lakeside/jobs", BOARD),
        (
            "https://www.applicantpro.com/openings/lakeside/jobs/88121",
            BoardRef("applicantpro", "lakeside", "88121"),
        ),
        ("https://lakeside.applicantpro.com/", None),
        ("https://lakeside.applicantpro.com/jobs/apply-now", None),
        ("https://www.applicantpro.com/jobs/", None),
        ("https://feeds.applicantpro.com/jobs/", None),
        ("https://lakeside.applicantpro.com.evil.example/jobs/", None),
        ("https://lakeside.notapplicantpro.com/jobs/", None),
    ],
)
def test_detect(url: str, expected: BoardRef | None) -> None:
    assert adapter.detect(url) == expected


async def test_list_postings(fake: FakeHosts, http: AtsHttp) -> None:
    serve_board(fake)
    hygienist, billing = await adapter.list_postings(http, BOARD)
    assert (hygienist.source_id, hygienist.title) == ("88121", "Dental Hygienist")
    assert hygienist.company_name == "Lakeside Dental"
    assert hygienist.locations == ["Boise, ID, USA"]
    assert hygienist.department == "Clinical"
    assert hygienist.workplace == "onsite"
    assert hygienist.posted_at == datetime(2026, 9, 2, tzinfo=UTC)
    assert (hygienist.salary_min, hygienist.salary_max, hygienist.salary_period) == (
        38.0,
        46.0,
        "hour",
    )
    assert hygienist.salary_text == "$38-$46 per hour DOE"
    assert hygienist.url == f"{BASE}/jobs/88121"
    assert billing.locations == ["Remote - Idaho"]
    assert billing.workplace == "remote"
    assert (billing.salary_min, billing.salary_max, billing.salary_period) == (None, None, None)


async def test_get_posting_adds_the_description(fake: FakeHosts, http: AtsHttp) -> None:
    serve_board(fake)
    detail = {
        "success": True,
        "data": {
            "id": 88121,
            "advertisingDescriptionHtml": "<p>Clean teeth, kindly.</p>",
            "startDateRef": "Sep 03, 2026",
        },
    }
    fake.add("GET", f"{BASE}/core/jobs/5120/88121/job-details", as_json(detail))
    posting = await adapter.get_posting(http, BOARD, "88121")
    assert posting.title == "Dental Hygienist"
    assert posting.description_html == "<p>Clean teeth, kindly.</p>"
    assert posting.posted_at == datetime(2026, 9, 3, tzinfo=UTC)


async def test_get_posting_not_listed_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    serve_board(fake)
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "1")


async def test_no_public_form_definition(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "88121") is None


async def test_unknown_tenant_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BoardRef("applicantpro", "nobody"))
    # A tenant without a public careers site: a page with no domain id.
    fake.add("GET", f"{BASE}/jobs/", html("<html><title>ApplicantPro</title></html>"))
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/jobs/", html(CAREERS_PAGE))
    fake.add("GET", LIST, as_json({}, 429, **{"retry-after": "15"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "15"


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "data": None},
        {"success": True, "data": {"jobs": "none"}},
        {"success": True, "data": {"jobs": [{"id": 5}]}},
        [1, 2],
    ],
)
async def test_malformed_payloads_are_ats_errors(fake: FakeHosts, http: AtsHttp, body: Any) -> None:
    fake.add("GET", f"{BASE}/jobs/", html(CAREERS_PAGE))
    fake.add("GET", LIST, as_json(body))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)


async def test_non_json_list_is_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{BASE}/jobs/", html(CAREERS_PAGE))
    fake.add("GET", LIST, html("<html>500</html>"))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

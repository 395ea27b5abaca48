"""SmartRecruiters adapter over real HTTP against captured Posting API payloads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef, FormQuestion
from jobpilot.jobs.ats.smartrecruiters import SmartRecruitersAdapter
from support import require_shared

API = "https://api.smartrecruiters.com/v1/companies/Gousto1"
BOARD = BoardRef("smartrecruiters", "Gousto1")
POSTING_ID = "744000005631445"
UUID = "960b8cf2-123d-4db1-b1a8-0ef50349126a"
COMPANY_ID = "0123456789abcdef01234567"
adapter = SmartRecruitersAdapter()


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "smartrecruiters", name)


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
            "https://jobs.smartrecruiters.com/Gousto1/744000005631445-product-manager",
            BoardRef("smartrecruiters", "Gousto1", POSTING_ID),
        ),
        (
            "https://jobs.smartrecruiters.com/Gousto1/744000005631445-product-manager?oga=true",
            BoardRef("smartrecruiters", "Gousto1", POSTING_ID),
        ),
        ("https://jobs.smartrecruiters.com/Gousto1", BoardRef("smartrecruiters", "Gousto1")),
        ("https://careers.smartrecruiters.com/Gousto1", BoardRef("smartrecruiters", "Gousto1")),
        (
            "https://api.smartrecruiters.com/v1/companies/Gousto1/postings/744000005631445",
            BoardRef("smartrecruiters", "Gousto1", POSTING_ID),
        ),
    ],
)
def test_detect_recognises_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://jobs.smartrecruiters.com/",
        "https://jobs.smartrecruiters.com.evil.example/Gousto1",
        "https://smartrecruiters.com/Gousto1",
        "https://jobs.smartrecruiters.co/Gousto1",
        "https://jobs.smartrecruiters.com/Gousto1/not-a-posting",
        "https://jobs.smartrecruiters.com/oneclick-ui/company/Gousto1/publication/x",
        "https://jobs.lever.co/gousto",
    ],
)
def test_detect_rejects_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_list_postings_reads_every_posting(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        f"{API}/postings?limit=100&offset=0",
        Canned.file(sample("gousto_postings_list.json")),
    )

    postings = await adapter.list_postings(http, BOARD)

    assert len(postings) == 15
    assert len(fake.requests) == 1
    first = postings[0]
    assert first.source_id == POSTING_ID
    assert first.title == "Product Manager"
    assert first.company_name == "Gousto"
    assert first.employment_type == "Full-time"
    assert first.department is None
    assert first.locations == ["London, GB"]
    assert first.workplace == "onsite"
    assert first.posted_at == datetime(2024, 8, 8, 7, 51, 55, 575000, tzinfo=UTC)
    assert first.url == f"https://jobs.smartrecruiters.com/Gousto1/{POSTING_ID}"
    titles = [posting.title for posting in postings]
    assert "Head of Finance - (Operations & Cost)" in titles
    assert sum(posting.workplace == "remote" for posting in postings) == 1
    assert "Spalding, England, GB" in {loc for p in postings for loc in p.locations}


async def test_list_postings_pages_by_offset(fake: FakeHosts, http: AtsHttp) -> None:
    def page(offset: int, count: int) -> bytes:
        content = [{"id": str(offset + n), "name": f"Job {offset + n}"} for n in range(count)]
        body = {"offset": offset, "limit": 100, "totalFound": 130, "content": content}
        return json.dumps(body).encode()

    fake.add("GET", f"{API}/postings?limit=100&offset=0", Canned(200, page(0, 100)))
    fake.add("GET", f"{API}/postings?limit=100&offset=100", Canned(200, page(100, 30)))

    postings = await adapter.list_postings(http, BOARD)

    assert len(postings) == 130
    assert [target for _, _, target, _ in fake.requests] == [
        "/v1/companies/Gousto1/postings?limit=100&offset=0",
        "/v1/companies/Gousto1/postings?limit=100&offset=100",
    ]


async def test_unknown_company_is_an_empty_board(fake: FakeHosts, http: AtsHttp) -> None:
    body = b'{"offset":0,"limit":100,"totalFound":0,"content":[]}'
    fake.add("GET", f"{API}/postings?limit=100&offset=0", Canned(200, body))
    assert await adapter.list_postings(http, BOARD) == []


async def test_get_posting_reads_the_detail(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        f"{API}/postings/{POSTING_ID}",
        Canned.file(sample("gousto_posting_detail_744000005631445.json")),
    )

    posting = await adapter.get_posting(http, BOARD, POSTING_ID)

    assert posting.title == "Product Manager"
    assert posting.url == "https://jobs.smartrecruiters.com/Gousto1/744000005631445-product-manager"
    assert posting.apply_url == f"{posting.url}?oga=true"
    assert posting.closed is False
    assert posting.description_html is not None
    assert posting.description_html.startswith("<h3>Company Description</h3>")
    for heading in ("Job Description", "Qualifications", "Additional Information"):
        assert f"<h3>{heading}</h3>" in posting.description_html
    assert "Here at Gousto" in posting.description_html


async def test_application_form_from_the_oneclick_config(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        f"{API}/postings/{POSTING_ID}",
        Canned.file(sample("gousto_posting_detail_744000005631445.json")),
    )
    fake.add(
        "GET",
        f"https://jobs.smartrecruiters.com/oneclick-ui/api/company/{COMPANY_ID}/publication/{UUID}/config",
        Canned.file(sample("oneclick_config_tenant_a_anonymised.json")),
    )
    board = BoardRef("smartrecruiters", "Gousto1", site=COMPANY_ID)

    questions = await adapter.get_application_form(http, board, POSTING_ID)

    assert questions == [
        FormQuestion("firstName", "First name", "text", required=True),
        FormQuestion("lastName", "Last name", "text", required=True),
        FormQuestion("email", "Email", "email", required=True),
        FormQuestion("confirmEmail", "Confirm email", "email", required=True),
        FormQuestion("phoneNumber", "Phone number", "phone", required=True),
        FormQuestion("placeOfResidence", "City", "text", required=True),
        FormQuestion("resume", "Resume", "file", required=True),
        FormQuestion("experience", "Experience", "textarea"),
        FormQuestion("education", "Education", "textarea"),
        FormQuestion("messageToHiringManager", "Message to hiring manager", "textarea"),
        FormQuestion("linkedIn", "LinkedIn", "url"),
        FormQuestion("website", "Website", "url"),
        FormQuestion("facebook", "Facebook", "url"),
        FormQuestion("x", "X", "url"),
    ]


async def test_application_form_without_company_id_is_none(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET",
        f"{API}/postings/{POSTING_ID}",
        Canned.file(sample("gousto_posting_detail_744000005631445.json")),
    )
    assert await adapter.get_application_form(http, BOARD, POSTING_ID) is None


async def test_unknown_posting_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "1")


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{API}/postings?limit=100&offset=0", Canned(429, b"{}", {"retry-after": "12"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "12"


@pytest.mark.parametrize(
    "body", [b"<html></html>", b'{"content": []}', b'{"totalFound": 1, "content": [{"x": 1}]}']
)
async def test_malformed_payload_is_ats_error(fake: FakeHosts, http: AtsHttp, body: bytes) -> None:
    fake.add("GET", f"{API}/postings?limit=100&offset=0", Canned(200, body))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

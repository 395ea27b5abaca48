"""Teamtailor adapter over real HTTP against a captured JSON Feed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.teamtailor import TeamtailorAdapter
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


async def test_application_form_is_not_published(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "7167985") is None


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

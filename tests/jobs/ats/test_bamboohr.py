"""BambooHR adapter over real HTTP against captured careers payloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.bamboohr import BambooHRAdapter
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef, FormQuestion
from support import require_shared

AVIDBOTS = BoardRef("bamboohr", "avidbots")
PREMISE = BoardRef("bamboohr", "premise")
LIST_URL = "https://avidbots.bamboohr.com/careers/list"
DETAIL_URL = "https://premise.bamboohr.com/careers/45/detail"
adapter = BambooHRAdapter()


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "bamboohr", name)


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
        ("https://avidbots.bamboohr.com/careers", AVIDBOTS),
        ("https://avidbots.bamboohr.com/careers/", AVIDBOTS),
        ("https://AvidBots.BambooHR.com/careers/list", AVIDBOTS),
        ("https://premise.bamboohr.com/careers/45", BoardRef("bamboohr", "premise", "45")),
        ("https://premise.bamboohr.com/careers/45/detail", BoardRef("bamboohr", "premise", "45")),
    ],
)
def test_detect_recognises_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.bamboohr.com/careers",
        "https://avidbots.bamboohr.com/",
        "https://avidbots.bamboohr.com/login",
        "https://avidbots.bamboohr.com/careers/abc",
        "https://avidbots.bamboohr.com.evil.example/careers",
        "https://avidbotsbamboohr.com/careers",
        "https://avidbots.bamboohr.co/careers",
    ],
)
def test_detect_rejects_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_list_postings_reads_the_whole_board(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned.file(sample("avidbots_careers_list.json")))

    postings = await adapter.list_postings(http, AVIDBOTS)

    assert len(postings) == 17
    first = postings[0]
    assert first.source_id == "693"
    assert first.title == "Technical Support Specialist English"
    assert first.department == "Technical Support"
    assert first.employment_type == "Full-Time"
    assert first.locations == ["Cali, Colombia"]
    assert first.workplace is None
    assert first.url == "https://avidbots.bamboohr.com/careers/693"
    assert first.apply_url == first.url
    titles = [posting.title for posting in postings]
    assert titles.count("Strategic Account Executive") == 8
    assert "Senior Manager, Software Development, Web & Mobile" in titles


async def test_get_posting_reads_the_detail(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", DETAIL_URL, Canned.file(sample("premise_careers_45_detail.json")))

    posting = await adapter.get_posting(http, PREMISE, "45")

    assert posting.source_id == "45"
    assert posting.title == "Lead Product Manager, Retail Task Management & Execution"
    assert posting.url == "https://premise.bamboohr.com/careers/45"
    assert posting.department == "30-000 - Product"
    assert posting.employment_type == "Full-Time"
    assert posting.locations == ["Ciudad de México, CDMX, Mexico"]
    assert posting.posted_at == datetime(2024, 3, 13, tzinfo=UTC)
    assert posting.salary_text is None
    assert posting.closed is False
    assert posting.description_html is not None
    assert "Premise is an on-demand insights company" in posting.description_html


async def test_application_form_from_form_fields(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", DETAIL_URL, Canned.file(sample("premise_careers_45_detail.json")))

    questions = await adapter.get_application_form(http, PREMISE, "45")

    assert questions is not None
    by_key = {question.key: question for question in questions}
    assert [q.key for q in questions[:4]] == ["firstName", "lastName", "email", "phone"]
    assert by_key["email"] == FormQuestion("email", "Email", "email", required=True)
    assert by_key["resumeFileId"].type == "file"
    assert by_key["resumeFileId"].required is True
    assert by_key["linkedinUrl"] == FormQuestion("linkedinUrl", "LinkedIn Profile URL", "url")
    country = by_key["countryId"]
    assert country.type == "select"
    assert country.options[:3] == ("United States", "Canada", "Australia")
    assert by_key["state"].options == ()
    # Turned-off EEO fields (`[]`) are not questions.
    assert "genderId" not in by_key
    assert "disabilityId" not in by_key
    custom = by_key["customQuestionAnswers.short_97"]
    assert custom.label == ("Do you have experience working with CPGs and Retail Execution fields?")
    assert custom.type == "text"
    assert custom.required is False
    assert "customQuestionAnswers.short_128" in by_key


async def test_unknown_company_redirect_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned(302, b"", {"location": "https://www.bamboohr.com"}))
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, AVIDBOTS)


async def test_unknown_job_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", DETAIL_URL, Canned(404, b'{"type":"not_found"}'))
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, PREMISE, "45")


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned(429, b"", {"retry-after": "60"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, AVIDBOTS)
    assert caught.value.details["retry_after"] == "60"


@pytest.mark.parametrize(
    "body", [b"<html>Log in</html>", b'{"meta": {}}', b'{"result": [{"jobOpeningName": "x"}]}']
)
async def test_malformed_payload_is_ats_error(fake: FakeHosts, http: AtsHttp, body: bytes) -> None:
    fake.add("GET", LIST_URL, Canned(200, body))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, AVIDBOTS)

"""Personio adapter over real HTTP against a captured XML feed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.personio import PersonioAdapter
from support import require_shared

HOST = "acme.jobs.personio.de"
BOARD = BoardRef("personio", "acme", host=HOST)
FEED = f"https://{HOST}/xml"
adapter = PersonioAdapter()


def sample() -> Path:
    return require_shared("fixtures", "ats", "personio", "xml_feed_sanitized.xml")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    with FakeHosts() as server:
        yield server


@pytest.fixture
async def http(fake: FakeHosts) -> AsyncIterator[AtsHttp]:
    fake.reset()
    async with httpx.AsyncClient() as client:
        yield AtsHttp(client, rewrite=fake.rewrite)


def xml(path: Path) -> Canned:
    return Canned.file(path, "application/xml")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.jobs.personio.de", BOARD),
        ("https://acme.jobs.personio.de/?language=en", BOARD),
        (
            "https://acme.jobs.personio.de/job/1834171",
            BoardRef("personio", "acme", "1834171", HOST),
        ),
        (
            "https://acme.jobs.personio.com/job/1834171?display=en",
            BoardRef("personio", "acme", "1834171", "acme.jobs.personio.com"),
        ),
        ("https://acme.jobs.personio.de/xml", BOARD),
    ],
)
def test_detect_recognises_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.personio.de/",
        "https://acme.personio.de/",
        "https://acme.jobs.personio.de.evil.example/job/1",
        "https://acme.jobs.personio.net/job/1",
        "https://acme.jobs.personio.de/job/abc",
        "https://acme.jobs.personio.de/admin",
    ],
)
def test_detect_rejects_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_list_postings_reads_the_feed(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, xml(sample()))

    postings = await adapter.list_postings(http, BOARD)

    # The sanitised sample repeats one position twice; it is one posting.
    assert len(postings) == 1
    posting = postings[0]
    assert posting.source_id == "1834171"
    assert posting.title == "Staff Software Engineer, Data Platform"
    assert posting.company_name == "Acme SE & Co. KG"
    assert posting.department == "Product and Tech"
    assert posting.employment_type == "permanent, full-time"
    assert posting.locations == ["Munich", "Berlin"]
    assert posting.posted_at == datetime(2024, 11, 13, 14, 10, 41, tzinfo=UTC)
    assert posting.url == "https://acme.jobs.personio.de/job/1834171"
    assert posting.description_html is None
    assert posting.raw["seniority"] == "experienced"
    assert posting.raw["additionalOffices"] == ["Berlin"]


async def test_descriptions_become_html_sections(fake: FakeHosts, http: AtsHttp) -> None:
    body = (
        b"<?xml version='1.0' encoding='UTF-8'?><workzag-jobs><position><id>7</id>"
        b"<name>Designer</name><jobDescriptions><jobDescription><name>Your tasks</name>"
        b"<value><![CDATA[<ul><li>Design</li></ul>]]></value></jobDescription>"
        b"</jobDescriptions></position></workzag-jobs>"
    )
    fake.add("GET", FEED, Canned(200, body))
    (posting,) = await adapter.list_postings(http, BOARD)
    assert posting.description_html == "<h3>Your tasks</h3>\n<ul><li>Design</li></ul>"


async def test_empty_board_is_an_empty_list(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, Canned(200, b"<workzag-jobs></workzag-jobs>"))
    assert await adapter.list_postings(http, BOARD) == []


async def test_get_posting_finds_the_position(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, xml(sample()))
    posting = await adapter.get_posting(http, BOARD, "1834171")
    assert posting.title == "Staff Software Engineer, Data Platform"
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "1")


async def test_application_form_is_not_published(http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "1834171") is None


async def test_unknown_company_redirect_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, Canned(301, b"", {"location": "https://www.personio.de/"}))
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_not_found_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FEED, Canned(429, b"", {"retry-after": "120"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "120"


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Personio</body>",
        b"<html></html>",
        b"<workzag-jobs><position><id>1</id></position></workzag-jobs>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workzag-jobs/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><workzag-jobs/>'.encode("utf-16"),
    ],
)
async def test_malformed_or_dangerous_xml_is_ats_error(
    fake: FakeHosts, http: AtsHttp, body: bytes
) -> None:
    fake.add("GET", FEED, Canned(200, body))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

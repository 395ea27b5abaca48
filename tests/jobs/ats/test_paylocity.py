"""Paylocity adapter over real HTTP against a captured board page.

The board page is the real capture; the Details and Apply pages below are built from the field
names that NOTES.md cites (cezkid measurements), since no real capture of them is saved.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef, FormQuestion
from jobpilot.jobs.ats.paylocity import PaylocityAdapter
from support import require_shared

GUID = "211e692d-c45a-4e3a-ae01-3e497af97929"
BOARD = BoardRef("paylocity", GUID, site=GUID)
JOBS = "https://recruiting.paylocity.com/Recruiting/Jobs"
adapter = PaylocityAdapter()


def sample() -> Path:
    return require_shared(
        "fixtures", "ats", "paylocity", "ncadvancedenergy_jobs_all_pagedata_trimmed.html"
    )


def html(body: str) -> Canned:
    return Canned(200, body.encode(), {"content-type": "text/html"})


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
        (f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{GUID}", BOARD),
        (f"https://recruiting.paylocity.com/recruiting/jobs/all/{GUID.upper()}", BOARD),
        (
            f"https://recruiting.paylocity.com/Recruiting/Jobs/All/{GUID}/North-Carolina-Advanced",
            BOARD,
        ),
        (
            "https://recruiting.paylocity.com/Recruiting/Jobs/Details/4141169",
            BoardRef("paylocity", "", "4141169"),
        ),
        (
            "https://recruiting.paylocity.com/Recruiting/Jobs/Apply/4141169",
            BoardRef("paylocity", "", "4141169"),
        ),
    ],
)
def test_detect_recognises_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://recruiting.paylocity.com/",
        "https://recruiting.paylocity.com/Recruiting/Jobs/All/not-a-guid",
        "https://recruiting.paylocity.com/Recruiting/Jobs/Details/abc",
        f"https://recruiting.paylocity.com.evil.example/Recruiting/Jobs/All/{GUID}",
        f"https://www.paylocity.com/Recruiting/Jobs/All/{GUID}",
        f"https://recruiting.paylocity.co/Recruiting/Jobs/All/{GUID}",
    ],
)
def test_detect_rejects_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_list_postings_reads_the_page_data(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{JOBS}/All/{GUID}", Canned.file(sample(), "text/html"))

    postings = await adapter.list_postings(http, BOARD)

    assert [p.title for p in postings] == [
        "Engineer/Associate Engineer, Power Systems",
        "Administrative Assistant (Hybrid)",
    ]
    first = postings[0]
    assert first.source_id == "4141169"
    assert first.company_name == "North Carolina Advanced Energy Corporation"
    assert first.locations == ["Raleigh, NC, USA"]
    assert first.workplace is None
    assert first.description_html is None
    assert first.posted_at == datetime(2026, 8, 8, 16, 27, 44, tzinfo=UTC)
    assert first.url == f"{JOBS}/Details/4141169"
    assert first.apply_url == f"{JOBS}/Apply/4141169"
    assert postings[1].source_id == "4401262"


async def test_internal_jobs_are_skipped(fake: FakeHosts, http: AtsHttp) -> None:
    data = {
        "ModuleTitle": "Acme",
        "Jobs": [
            {"JobId": 1, "JobTitle": "Open", "IsInternal": False},
            {"JobId": 2, "JobTitle": "Staff only", "IsInternal": True},
        ],
    }
    page = f"<script>\nwindow.pageData = {json.dumps(data)};\n</script>"
    fake.add("GET", f"{JOBS}/All/{GUID}", html(page))
    postings = await adapter.list_postings(http, BOARD)
    assert [p.title for p in postings] == ["Open"]


async def test_get_posting_reads_json_ld(fake: FakeHosts, http: AtsHttp) -> None:
    ld = {
        "@context": "http://schema.org",
        "@type": "JobPosting",
        "title": "Engineer/Associate Engineer, Power Systems",
        "description": "<p>Design power systems.</p>",
        "datePosted": "2026-08-08T11:27:44-05:00",
        "employmentType": "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": "Advanced Energy"},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "addressLocality": "Raleigh",
                "addressRegion": "NC",
                "addressCountry": "US",
            },
        },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "USD",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": 70000,
                "maxValue": 90000,
                "unitText": "YEAR",
            },
        },
    }
    page = f'<html><script type="application/ld+json">{json.dumps(ld)}</script></html>'
    fake.add("GET", f"{JOBS}/Details/4141169", html(page))

    posting = await adapter.get_posting(http, BOARD, "4141169")

    assert posting.title == "Engineer/Associate Engineer, Power Systems"
    assert posting.description_html == "<p>Design power systems.</p>"
    assert posting.employment_type == "FULL_TIME"
    assert posting.locations == ["Raleigh, NC, US"]
    assert posting.posted_at == datetime(2026, 8, 8, 16, 27, 44, tzinfo=UTC)
    assert (posting.salary_min, posting.salary_max) == (70000.0, 90000.0)
    assert (posting.salary_currency, posting.salary_period) == ("USD", "YEAR")


async def test_application_form_from_apply_page_data(fake: FakeHosts, http: AtsHttp) -> None:
    data = {
        "requireResume": True,
        "customJobApplication": {
            "sections": [
                {
                    "name": "info",
                    "isIncluded": True,
                    "fields": [
                        {
                            "name": "emailAddress",
                            "displayName": "Email",
                            "isIncluded": True,
                            "isRequired": True,
                            "values": [],
                        },
                        {
                            "name": "cellPhone",
                            "displayName": "Mobile Phone",
                            "isIncluded": True,
                            "isRequired": False,
                            "values": [],
                        },
                        {
                            "name": "dateOfBirth",
                            "displayName": "Date of Birth",
                            "isIncluded": False,
                            "isRequired": False,
                            "values": [],
                        },
                        {
                            "name": "howDidYouHear",
                            "displayName": "How did you hear about us?",
                            "isIncluded": True,
                            "isRequired": True,
                            "values": [
                                {"value": "1", "label": "Indeed"},
                                {"value": "2", "label": "Referral"},
                            ],
                        },
                    ],
                },
                {
                    "name": "references",
                    "isIncluded": False,
                    "fields": [{"name": "referenceName", "isIncluded": True, "isRequired": True}],
                },
            ]
        },
        "screener": {
            "questions": [
                {
                    "title": "Are you authorised to work in the US?",
                    "isRequired": True,
                    "questionType": "multi",
                    "allowsMultipleResponses": False,
                    "answers": [{"title": "Yes", "isCorrect": True}, {"title": "No"}],
                },
                {
                    "title": "Why this role?",
                    "isRequired": False,
                    "questionType": "text",
                    "answers": [],
                },
            ]
        },
    }
    page = f"<script>window.pageData = {json.dumps(data)};</script>"
    fake.add("GET", f"{JOBS}/Apply/4141169", html(page))

    questions = await adapter.get_application_form(http, BOARD, "4141169")

    assert questions == [
        FormQuestion(
            "resume", "Resume", "file", required=True, file_types=(".doc", ".docx", ".pdf")
        ),
        FormQuestion("info.emailAddress", "Email", "email", required=True),
        FormQuestion("info.cellPhone", "Mobile Phone", "phone"),
        FormQuestion(
            "info.howDidYouHear",
            "How did you hear about us?",
            "select",
            required=True,
            options=("Indeed", "Referral"),
        ),
        FormQuestion(
            "screener.0",
            "Are you authorised to work in the US?",
            "select",
            required=True,
            options=("Yes", "No"),
        ),
        FormQuestion("screener.1", "Why this role?", "text"),
    ]


async def test_unknown_board_is_board_not_found(http: AtsHttp) -> None:
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{JOBS}/All/{GUID}", Canned(429, b"", {"retry-after": "9"}))
    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)
    assert caught.value.details["retry_after"] == "9"


@pytest.mark.parametrize(
    "page",
    [
        "<html>No data</html>",
        "<script>window.pageData = {broken: true};</script>",
        "<script>window.pageData = alert(1);</script>",
        '<script>window.pageData = {"ModuleTitle": "x"};</script>',
        '<script>window.pageData = {"Jobs": [{"JobTitle": "x"}]};</script>',
    ],
)
async def test_malformed_page_is_ats_error(fake: FakeHosts, http: AtsHttp, page: str) -> None:
    fake.add("GET", f"{JOBS}/All/{GUID}", html(page))
    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)


async def test_details_page_without_job_posting_is_ats_error(
    fake: FakeHosts, http: AtsHttp
) -> None:
    fake.add("GET", f"{JOBS}/Details/1", html("<html>gone</html>"))
    with pytest.raises(AtsError):
        await adapter.get_posting(http, BOARD, "1")

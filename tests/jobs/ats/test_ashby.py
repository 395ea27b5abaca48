"""Ashby adapter over real HTTP against the captured Job Posting API and GraphQL form."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.ashby import AshbyAdapter
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from support import require_shared

LIST_URL = "https://api.ashbyhq.com/posting-api/job-board/lightdash?includeCompensation=true"
GRAPHQL = "https://jobs.ashbyhq.com/api/non-user-graphql?op=ApiJobPosting"
BOARD = BoardRef(ats="ashby", tenant="lightdash")
ADVOCATE = "309706bc-1081-48b6-89dc-f769bbe17e6d"
ENGINEER = "9efa292a-cc34-4388-90a2-2bed5126ace4"
JSON = {"content-type": "application/json"}
adapter = AshbyAdapter()


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "ashby", name)


async def test_lists_the_board_with_compensation(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned.file(sample("lightdash_job_board_posting_api.json")))

    postings = await adapter.list_postings(http, BOARD)

    assert [(p.source_id, p.title) for p in postings] == [
        (ADVOCATE, "Analytics Engineering Advocate"),
        (ENGINEER, "Full Stack Engineer"),
    ]
    advocate, engineer = postings
    assert advocate.url == f"https://jobs.ashbyhq.com/lightdash/{ADVOCATE}"
    assert advocate.apply_url == f"https://jobs.ashbyhq.com/lightdash/{ADVOCATE}/application"
    assert advocate.locations == ["Remote"]
    assert advocate.workplace == "remote"
    assert advocate.department == "Lightdash"
    assert advocate.employment_type == "FullTime"
    assert advocate.posted_at == datetime(2024, 7, 15, 16, 45, 14, 721000, tzinfo=UTC)
    assert advocate.description_html is not None
    assert advocate.description_html.startswith("<h2>About Lightdash</h2>")
    # The salary component, not the equity one listed first.
    assert (advocate.salary_min, advocate.salary_max) == (60000.0, 95000.0)
    assert advocate.salary_currency == "GBP"
    assert advocate.salary_period == "1 YEAR"
    assert advocate.salary_text == "£60K - £95K"
    assert (engineer.salary_min, engineer.salary_max) == (60000.0, 110000.0)


async def test_gets_one_posting_from_the_board(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned.file(sample("lightdash_job_board_posting_api.json")))

    posting = await adapter.get_posting(http, BOARD, ENGINEER)

    assert posting.title == "Full Stack Engineer"
    assert posting.posted_at == datetime(2024, 2, 28, 12, 2, 30, 31000, tzinfo=UTC)


async def test_a_posting_not_on_the_board_is_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned.file(sample("lightdash_job_board_posting_api.json")))

    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "00000000-0000-0000-0000-000000000000")


async def test_reads_the_application_form(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "POST",
        GRAPHQL,
        Canned.file(sample("lightdash_graphql_ApiJobPosting_application_form.json")),
    )

    form = await adapter.get_application_form(http, BOARD, ADVOCATE)

    assert [(q.key, q.type, q.required) for q in form] == [
        ("_systemfield_name", "text", True),
        ("_systemfield_email", "email", True),
        ("00415714-75f3-49b9-b856-ac674fd5ce8b", "text", True),
        ("36913b1f-c34f-4693-919c-400304a2a11d", "text", True),
        ("f93bff8c-2442-42b7-b040-3876fa160aba", "textarea", True),
        ("_systemfield_resume", "file", False),
        ("7b4cc459-7701-44ea-a4fb-c8d409810487", "text", False),
    ]
    labels = [q.label for q in form]
    assert labels[0] == "Name"
    assert labels[2] == "Where are you based or where would you be planning on working from?"
    assert labels[3] == "Can we get a link to your Linkedin profile?"
    assert labels[5] == "Do you have a resume or CV you can share?"
    method, host, target, body = fake.requests[0]
    assert (method, host, target) == (
        "POST",
        "jobs.ashbyhq.com",
        "/api/non-user-graphql?op=ApiJobPosting",
    )
    sent = json.loads(body)
    assert sent["variables"] == {
        "organizationHostedJobsPageName": "lightdash",
        "jobPostingId": ADVOCATE,
    }
    assert "applicationForm" in sent["query"]


async def test_a_closed_posting_has_no_form(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("POST", GRAPHQL, Canned(200, b'{"data": {"jobPosting": null}}', JSON))

    with pytest.raises(BoardNotFound):
        await adapter.get_application_form(http, BOARD, ADVOCATE)


async def test_graphql_errors_are_ats_errors(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("POST", GRAPHQL, Canned(200, b'{"errors": [{"message": "bad"}]}', JSON))

    with pytest.raises(AtsError):
        await adapter.get_application_form(http, BOARD, ADVOCATE)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://jobs.ashbyhq.com/lightdash", BoardRef("ashby", "lightdash")),
        ("https://jobs.ashbyhq.com/Coder/", BoardRef("ashby", "Coder")),
        (
            f"https://jobs.ashbyhq.com/lightdash/{ADVOCATE}",
            BoardRef("ashby", "lightdash", ADVOCATE),
        ),
        (
            f"https://jobs.ashbyhq.com/lightdash/{ADVOCATE}/application",
            BoardRef("ashby", "lightdash", ADVOCATE),
        ),
        (
            f"https://jobs.ashbyhq.com/lightdash/{ADVOCATE}/application?utm_source=x",
            BoardRef("ashby", "lightdash", ADVOCATE),
        ),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://jobs.ashbyhq.com.evil.com/lightdash",
        "https://ashbyhq.com/lightdash",
        "https://www.ashbyhq.com/customers",
        "https://evil.com/jobs.ashbyhq.com/lightdash",
        "https://jobs.ashbyhq.com/",
        "https://jobs.lever.co/lightdash",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_unknown_org_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned(404, b"Not Found", {"content-type": "text/plain"}))

    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned(429, b"", {"retry-after": "60"}))

    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)

    assert caught.value.details["retry_after"] == "60"


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned(200, b"<html>oops</html>", {"content-type": "text/html"}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

"""Greenhouse adapter over real HTTP against captured Job Board API payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.greenhouse import GreenhouseAdapter
from support import require_shared

LIST_URL = "https://boards-api.greenhouse.io/v1/boards/codepath/jobs?content=true"
DETAIL_URL = (
    "https://boards-api.greenhouse.io/v1/boards/codepath/jobs/4426096007"
    "?compliance=true&demographic_questions=true&location_questions=true"
    "&pay_transparency=true&questions=true"
)
BOARD = BoardRef(ats="greenhouse", tenant="codepath")
adapter = GreenhouseAdapter()


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "greenhouse", name)


async def test_lists_every_job_of_the_board(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned.file(sample("codepath_jobs.json")))

    postings = await adapter.list_postings(http, BOARD)

    assert len(postings) == 15  # meta.total of the capture
    first = postings[0]
    assert first.source_id == "4426096007"
    assert first.title == "Associate Instructor - Part Time, Fall Contract"
    assert first.locations == ["Arlington, Virginia"]
    assert first.url == "https://boards.greenhouse.io/codepath/jobs/4426096007"
    assert first.updated_at == datetime(2024, 7, 9, 0, 45, tzinfo=UTC)
    assert first.ats == "greenhouse"
    assert first.tenant == "codepath"
    by_id = {p.source_id: p for p in postings}
    assert by_id["4426707007"].title == "Data Engineer"
    assert by_id["4426707007"].locations == ["Remote, United States"]
    assert by_id["4059099007"].locations == ["Miami, Florida"]
    assert [r[1] for r in fake.requests] == ["boards-api.greenhouse.io"]


async def test_gets_one_post_with_description_and_pay(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", DETAIL_URL, Canned.file(sample("codepath_job_4426096007_with_questions.json")))

    posting = await adapter.get_posting(http, BOARD, "4426096007")

    assert posting.title == "Associate Instructor - Part Time, Fall Contract"
    assert posting.department == "Immersives"
    assert posting.description_html is not None
    # The entity-escaped `content` is unescaped once into real HTML.
    assert posting.description_html.startswith('<div class="content-intro">')
    assert "&lt;" not in posting.description_html[:200]
    assert posting.salary_min == 50.0
    assert posting.salary_max == 70.0
    assert posting.salary_currency == "USD"
    assert posting.salary_text == "Pay range"
    assert posting.updated_at is not None
    assert posting.updated_at.utcoffset() is not None


async def test_reads_the_application_form(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", DETAIL_URL, Canned.file(sample("codepath_job_4426096007_with_questions.json")))

    form = await adapter.get_application_form(http, BOARD, "4426096007")

    by_key = {q.key: q for q in form}
    assert [q.key for q in form[:4]] == ["first_name", "last_name", "email", "phone"]
    assert by_key["first_name"].label == "First Name"
    assert by_key["first_name"].type == "text"
    assert by_key["first_name"].required is True
    assert by_key["phone"].required is False
    resume = by_key["resume"]
    assert resume.label == "Resume/CV"
    assert resume.type == "file"
    assert resume.file_types == (".pdf", ".doc", ".docx", ".txt", ".rtf")
    assert by_key["resume_text"].type == "textarea"
    assert by_key["cover_letter"].type == "file"
    linkedin = by_key["question_6752548007"]
    assert linkedin.label == "LinkedIn Profile"
    assert linkedin.required is True
    assert by_key["question_6752549007"].type == "textarea"
    authorised = by_key["question_6752550007"]
    assert authorised.type == "select"
    assert authorised.options == ("Yes", "No")
    heard = by_key["question_6752552007"]
    assert heard.options[0] == "LinkedIn"
    assert heard.options[-1] == "Other"
    assert len(heard.options) == 8
    # EEO and the demographic survey follow, never required.
    assert by_key["disability_status"].type == "select"
    assert by_key["veteran_status"].required is False
    gender = by_key["demographic_question_4006277007"]
    assert gender.type == "multi_select"
    assert "Non-binary" in gender.options


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://boards.greenhouse.io/codepath", BoardRef("greenhouse", "codepath")),
        (
            "https://boards.greenhouse.io/codepath/jobs/4426096007",
            BoardRef("greenhouse", "codepath", "4426096007"),
        ),
        (
            "https://job-boards.greenhouse.io/codepath/jobs/4426096007?gh_src=x",
            BoardRef("greenhouse", "codepath", "4426096007"),
        ),
        ("https://job-boards.greenhouse.io/codepath/", BoardRef("greenhouse", "codepath")),
        (
            "https://boards.eu.greenhouse.io/acme/jobs/123",
            BoardRef("greenhouse", "acme", "123", host="boards.eu.greenhouse.io"),
        ),
        (
            "https://job-boards.eu.greenhouse.io/acme/jobs/123",
            BoardRef("greenhouse", "acme", "123", host="job-boards.eu.greenhouse.io"),
        ),
        (
            "https://boards.greenhouse.io/embed/job_app?for=codepath&token=4426096007",
            BoardRef("greenhouse", "codepath", "4426096007"),
        ),
        (
            "https://job-boards.greenhouse.io/embed/job_app?for=codepath&token=4426096007",
            BoardRef("greenhouse", "codepath", "4426096007"),
        ),
        (
            "https://boards.greenhouse.io/embed/job_board?for=codepath",
            BoardRef("greenhouse", "codepath"),
        ),
        (
            "https://boards.greenhouse.io/embed/job_board/js?for=codepath",
            BoardRef("greenhouse", "codepath"),
        ),
        ("boards.greenhouse.io/codepath", BoardRef("greenhouse", "codepath")),
        (
            "https://boards-api.greenhouse.io/v1/boards/codepath/jobs/4426096007",
            BoardRef("greenhouse", "codepath", "4426096007"),
        ),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://greenhouse.io.evil.com/codepath",
        "https://boards.greenhouse.io.evil.com/codepath/jobs/1",
        "https://evil.com/boards.greenhouse.io/codepath",
        "https://boards.greenhouse.io@evil.com/codepath",
        "https://www.greenhouse.io/careers",
        "https://boards.greenhouse.io/",
        "https://boards.greenhouse.io/embed/job_app?token=4426096007",
        "https://jobs.lever.co/codepath",
        "ftp://boards.greenhouse.io/codepath",
        "not a url",
        "",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_unknown_board_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    body = b'{"status":404,"error":"Job board not found"}'
    fake.add("GET", LIST_URL, Canned(404, body, {"content-type": "application/json"}))

    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", DETAIL_URL, Canned(429, b"slow down", {"retry-after": "30"}))

    with pytest.raises(AtsError) as caught:
        await adapter.get_posting(http, BOARD, "4426096007")

    assert caught.value.details["retry_after"] == "30"
    assert caught.value.details["status"] == 429


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", LIST_URL, Canned(200, b'{"jobs": [', {"content-type": "application/json"}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)


async def test_unexpected_shape_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET", LIST_URL, Canned(200, b'{"jobs": {"oops": 1}}', {"content-type": "application/json"})
    )

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

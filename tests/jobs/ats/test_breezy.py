"""Breezy HR adapter over real HTTP against the captured board JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.breezy import BreezyAdapter
from support import require_shared

JSON_URL = "https://breezy.breezy.hr/json"
BOARD = BoardRef(ats="breezy", tenant="breezy")
adapter = BreezyAdapter()


def sample() -> Path:
    return require_shared("fixtures", "ats", "breezy", "breezy_trial_json_positions.json")


async def test_lists_every_position(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned.file(sample()))

    postings = await adapter.list_postings(http, BOARD)

    assert [(p.source_id, p.title) for p in postings] == [
        ("98323abf2296", "Employee #12"),
        ("088ac6d52139", "Open Position"),
    ]
    employee, open_position = postings
    assert employee.url == "https://breezy.breezy.hr/p/98323abf2296-employee-12"
    assert employee.apply_url == "https://breezy.breezy.hr/p/98323abf2296-employee-12/apply"
    assert employee.company_name == "MS Breezy Trial"
    assert employee.department == "Does Not Matter"
    assert employee.employment_type == "Other"
    assert employee.locations == ["Chaos, FL"]
    assert employee.workplace is None  # is_remote false says nothing about hybrid/onsite
    assert employee.posted_at == datetime(2024, 2, 15, 14, 37, 22, 684000, tzinfo=UTC)
    assert employee.salary_text == "$0.05 \u2013 $0.06 / hour"
    assert employee.salary_min is None  # only display text is published
    assert employee.description_html is None  # the board JSON carries no description
    assert open_position.locations == ["New York, NY"]
    assert open_position.employment_type == "Contract"


async def test_gets_one_position_by_id_or_friendly_id(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned.file(sample()))

    by_id = await adapter.get_posting(http, BOARD, "088ac6d52139")
    by_friendly = await adapter.get_posting(http, BOARD, "088ac6d52139-open-position")

    assert by_id.title == by_friendly.title == "Open Position"
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "ffffffffffff")


async def test_publishes_no_form_definition(fake: FakeHosts, http: AtsHttp) -> None:
    assert await adapter.get_application_form(http, BOARD, "088ac6d52139") is None
    assert fake.requests == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://breezy.breezy.hr", BoardRef("breezy", "breezy")),
        ("https://breezy.breezy.hr/", BoardRef("breezy", "breezy")),
        (
            "https://breezy.breezy.hr/p/98323abf2296-employee-12",
            BoardRef("breezy", "breezy", "98323abf2296"),
        ),
        (
            "https://acme.breezy.hr/p/088ac6d52139-open-position/apply",
            BoardRef("breezy", "acme", "088ac6d52139"),
        ),
        ("https://acme.breezy.hr/json", BoardRef("breezy", "acme")),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://breezy.hr/",
        "https://app.breezy.hr/signin",
        "https://www.breezy.hr/p/1-x",
        "https://acme.breezy.hr.evil.com/p/1-x",
        "https://evil.com/acme.breezy.hr/p/1-x",
        "https://acme.recruitee.com/o/x",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_missing_board_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(404, b"", {}))

    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(429, b"", {"retry-after": "5"}))

    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)

    assert caught.value.details["retry_after"] == "5"


async def test_burst_403_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(403, b"Forbidden", {}))

    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)

    assert caught.value.details["status"] == 403


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(200, b"<!doctype html><p>Breezy HR</p>", {}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)


async def test_an_object_instead_of_a_list_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", JSON_URL, Canned(200, b'{"error": "x"}', {}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

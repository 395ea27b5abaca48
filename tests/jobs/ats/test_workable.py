"""Workable adapter over real HTTP against the captured widget API and form definition."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.workable import WorkableAdapter
from support import require_shared

WIDGET_URL = "https://apply.workable.com/api/v1/widget/accounts/kroo?details=true"
FORM_URL = "https://apply.workable.com/api/v1/jobs/C4002EDABE/form"
BOARD = BoardRef(ats="workable", tenant="kroo")
JSON = {"content-type": "application/json"}
adapter = WorkableAdapter()


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "workable", name)


async def test_lists_every_job_of_the_account(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", WIDGET_URL, Canned.file(sample("kroo_widget_accounts_details.json")))

    postings = await adapter.list_postings(http, BOARD)

    assert len(postings) == 7
    assert [p.source_id for p in postings] == [
        "83183A94A5",
        "73E5769864",
        "D7625E3CAD",
        "B426457A26",
        "C4002EDABE",
        "F53433C12B",
        "8626350C83",
    ]
    first = postings[0]
    assert first.title == "Compliance Manager"
    assert first.company_name == "Kroo Bank Ltd"
    assert first.url == "https://apply.workable.com/j/83183A94A5"
    assert first.apply_url == "https://apply.workable.com/j/83183A94A5/apply"
    assert first.department == "Risk & Compliance"
    assert first.employment_type == "Full-time"
    assert first.locations == ["London, England, United Kingdom"]
    assert first.workplace is None
    assert first.posted_at == datetime(2024, 7, 2, tzinfo=UTC)
    assert first.description_html is not None
    assert first.description_html.startswith("<p><strong>What We")
    security = postings[4]
    assert security.title == "Senior Security Engineer"
    assert security.workplace == "remote"  # telecommuting true
    assert postings[2].locations == ["Manchester, England, United Kingdom"]


async def test_repeated_shortcodes_merge_their_locations(fake: FakeHosts, http: AtsHttp) -> None:
    body = json.loads(sample("kroo_widget_accounts_details.json").read_text())
    twin = dict(body["jobs"][0])
    twin["locations"] = [
        {"country": "Greece", "countryCode": "GR", "city": "Athens", "region": "Attica"}
    ]
    body["jobs"].append(twin)
    fake.add("GET", WIDGET_URL, Canned(200, json.dumps(body).encode(), JSON))

    postings = await adapter.list_postings(http, BOARD)

    assert len(postings) == 7
    assert postings[0].locations == ["London, England, United Kingdom", "Athens, Attica, Greece"]


async def test_gets_one_job_by_shortcode(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", WIDGET_URL, Canned.file(sample("kroo_widget_accounts_details.json")))

    posting = await adapter.get_posting(http, BOARD, "C4002EDABE")

    assert posting.title == "Senior Security Engineer"
    assert posting.posted_at == datetime(2024, 6, 13, tzinfo=UTC)
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "0000000000")


async def test_reads_the_application_form(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FORM_URL, Canned.file(sample("kroo_job_C4002EDABE_form.json")))

    form = await adapter.get_application_form(http, BOARD, "C4002EDABE")

    by_key = {q.key: q for q in form}
    assert len(form) == 16
    assert [q.key for q in form[:5]] == ["firstname", "lastname", "email", "phone", "resume"]
    assert (by_key["firstname"].label, by_key["firstname"].max_length) == ("First name", 127)
    assert by_key["email"].type == "email"
    assert by_key["phone"].type == "phone"
    resume = by_key["resume"]
    assert (resume.type, resume.required) == ("file", True)
    assert resume.file_types == (".pdf", ".doc", ".docx", ".odt", ".rtf")
    assert by_key["QA_5947083"].type == "boolean"
    assert by_key["QA_5947034"].type == "textarea"
    pronoun = by_key["QA_6302137"]
    assert pronoun.label == "Please select your preferred pronoun?"
    assert pronoun.type == "select"
    assert pronoun.options == ("She/her", "He/him", "They/Them", "Prefer not to say")
    assert all(q.required for q in form)


async def test_a_short_link_reads_the_form_but_not_the_board(
    fake: FakeHosts, http: AtsHttp
) -> None:
    board = adapter.detect("https://apply.workable.com/j/C4002EDABE")
    assert board == BoardRef("workable", "", "C4002EDABE")
    fake.add("GET", FORM_URL, Canned.file(sample("kroo_job_C4002EDABE_form.json")))

    assert len(await adapter.get_application_form(http, board, "C4002EDABE")) == 16
    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, board)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://apply.workable.com/kroo/", BoardRef("workable", "kroo")),
        ("https://apply.workable.com/kroo", BoardRef("workable", "kroo")),
        (
            "https://apply.workable.com/kroo/j/C4002EDABE/",
            BoardRef("workable", "kroo", "C4002EDABE"),
        ),
        (
            "https://apply.workable.com/kroo/j/C4002EDABE/apply",
            BoardRef("workable", "kroo", "C4002EDABE"),
        ),
        ("https://apply.workable.com/j/83183A94A5", BoardRef("workable", "", "83183A94A5")),
        ("https://apply.workable.com/j/83183A94A5/apply", BoardRef("workable", "", "83183A94A5")),
        ("https://kroo.workable.com/", BoardRef("workable", "kroo")),
        ("https://kroo.workable.com/j/C4002EDABE", BoardRef("workable", "kroo", "C4002EDABE")),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://apply.workable.com/",
        "https://apply.workable.com/api/v1/jobs/C4002EDABE/form",
        "https://www.workable.com/boards/workable.xml",
        "https://jobs.workable.com/search",
        "https://apply.workable.com.evil.com/kroo/j/C4002EDABE",
        "https://evil.com/apply.workable.com/kroo",
        "https://workable.com/kroo",
        "https://boards.greenhouse.io/kroo",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_unknown_account_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", WIDGET_URL, Canned(404, b"Not Found", {"content-type": "text/plain"}))

    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_a_closed_job_has_no_form(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FORM_URL, Canned(404, b"Not Found", {"content-type": "text/plain"}))

    with pytest.raises(BoardNotFound):
        await adapter.get_application_form(http, BOARD, "C4002EDABE")


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", FORM_URL, Canned(429, b"", {"retry-after": "90"}))

    with pytest.raises(AtsError) as caught:
        await adapter.get_application_form(http, BOARD, "C4002EDABE")

    assert caught.value.details["retry_after"] == "90"


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", WIDGET_URL, Canned(200, b'{"name": "Kroo", "jobs": [', JSON))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

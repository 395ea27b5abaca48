"""Lever adapter over real HTTP against captured Postings API payloads and an apply page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.lever import LeverAdapter, parse_apply_page
from support import require_shared

API = "https://api.lever.co/v0/postings/GoToGroup?mode=json"
BOARD = BoardRef(ats="lever", tenant="GoToGroup")
FIRST_ID = "f53cae40-f605-4215-9a82-b48c5db508b5"
PALANTIR_ID = "6ed76ce8-4156-4b60-b120-403538bd66cd"
JSON = {"content-type": "application/json"}


def sample(name: str) -> Path:
    return require_shared("fixtures", "ats", "lever", name)


async def test_lists_every_page_until_an_empty_one(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{API}&skip=0&limit=5", Canned.file(sample("gotogroup_postings_trimmed.json")))
    fake.add("GET", f"{API}&skip=5&limit=5", Canned(200, b"[]", JSON))

    postings = await LeverAdapter(page_size=5).list_postings(http, BOARD)

    assert [p.title for p in postings] == [
        "#10010 Senior Backend Engineer",
        "#10279 Senior Android Developer (Logistic)",
        "#10357 Senior Software Engineer - Go-food",
        "#10358 Software Engineer - Backend (Groceries)",
        "#10359 Software Engineer - Backend",
    ]
    first = postings[0]
    assert first.source_id == FIRST_ID
    assert first.url == f"https://jobs.lever.co/GoToGroup/{FIRST_ID}"
    assert first.apply_url == f"https://jobs.lever.co/GoToGroup/{FIRST_ID}/apply"
    assert first.locations == ["Bengaluru"]
    assert postings[2].locations == ["Jakarta"]
    assert first.department == "ODS - Logistics"
    assert first.employment_type == "Permanent"
    assert first.workplace == "onsite"  # the real payload says "onsite", not "on-site"
    assert first.posted_at == datetime.fromtimestamp(1721638994.130, tz=UTC)
    assert first.description_html is not None
    assert "<h3>What you will do</h3><ul><li>" in first.description_html
    assert [r[2] for r in fake.requests] == [
        "/v0/postings/GoToGroup?mode=json&skip=0&limit=5",
        "/v0/postings/GoToGroup?mode=json&skip=5&limit=5",
    ]


async def test_a_short_page_is_the_last(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add(
        "GET", f"{API}&skip=0&limit=100", Canned.file(sample("gotogroup_postings_trimmed.json"))
    )

    postings = await LeverAdapter().list_postings(http, BOARD)

    assert len(postings) == 5
    assert len(fake.requests) == 1


async def test_a_host_that_ignores_skip_does_not_loop(fake: FakeHosts, http: AtsHttp) -> None:
    body = sample("gotogroup_postings_trimmed.json")
    fake.add("GET", f"{API}&skip=0&limit=5", Canned.file(body))
    fake.add("GET", f"{API}&skip=5&limit=5", Canned.file(body))

    postings = await LeverAdapter(page_size=5).list_postings(http, BOARD)

    assert len(postings) == 5


async def test_gets_one_posting(fake: FakeHosts, http: AtsHttp) -> None:
    one = json.loads(sample("gotogroup_postings_trimmed.json").read_text())[2]
    url = f"https://api.lever.co/v0/postings/GoToGroup/{one['id']}"
    fake.add("GET", url, Canned(200, json.dumps(one).encode(), JSON))

    posting = await LeverAdapter().get_posting(http, BOARD, one["id"])

    assert posting.title == "#10357 Senior Software Engineer - Go-food"
    assert posting.department == "ODS - Food"
    assert posting.raw["country"] == "ID"


async def test_reads_the_apply_page_form(fake: FakeHosts, http: AtsHttp) -> None:
    url = f"https://jobs.lever.co/palantir/{PALANTIR_ID}/apply"
    fake.add("GET", url, Canned.file(sample("palantir_apply_form_trimmed.html"), "text/html"))
    board = BoardRef(ats="lever", tenant="palantir")

    form = await LeverAdapter().get_application_form(http, board, PALANTIR_ID)

    assert [(q.key, q.label, q.type, q.required) for q in form] == [
        ("resume", "Resume/CV", "file", True),
        ("name", "Full name", "text", True),
        ("email", "Email", "email", True),
        ("phone", "Phone", "phone", False),
    ]
    # Hidden machinery (accountId, timezone, h-captcha-response, ...) is not a question.
    assert all(q.type != "hidden" for q in form)


def test_custom_question_cards_and_selects() -> None:
    # The card and EEO markup NOTES.md describes (cards[<id>][baseTemplate] JSON, eeo[...]).
    template = json.dumps(
        {
            "fields": [
                {
                    "type": "multiple-choice",
                    "text": "Authorised?",
                    "required": True,
                    "options": [{"text": "Yes"}, {"text": "No"}],
                },
                {"type": "textarea", "text": "Why us?", "required": False},
            ]
        }
    ).replace('"', "&quot;")
    page = f"""
    <form><ul>
      <li class="application-question"><label><div class="application-label">LinkedIn URL</div>
        <div class="application-field"><input type="text" name="urls[LinkedIn]"></div></label></li>
      <li class="application-question custom-question">
        <input type="hidden" name="cards[abc][baseTemplate]" value="{template}">
        <input type="radio" name="cards[abc][field0]" value="Yes">
      </li>
      <li class="application-question"><div class="application-label">Gender</div>
        <select name="eeo[gender]"><option value="">Select ...</option>
        <option value="Female">Female</option><option value="Male">Male</option></select></li>
    </ul></form>"""

    form = {q.key: q for q in parse_apply_page(page)}

    assert form["urls[LinkedIn]"].type == "url"
    assert form["eeo[gender]"].type == "select"
    assert form["eeo[gender]"].options == ("Female", "Male")
    card = form["cards[abc][field0]"]
    assert (card.label, card.type, card.required, card.options) == (
        "Authorised?",
        "select",
        True,
        ("Yes", "No"),
    )
    assert form["cards[abc][field1]"].type == "textarea"


async def test_eu_boards_use_the_eu_hosts(fake: FakeHosts, http: AtsHttp) -> None:
    board = LeverAdapter().detect(f"https://jobs.eu.lever.co/acme/{FIRST_ID}")
    assert board is not None
    url = "https://api.eu.lever.co/v0/postings/acme?mode=json&skip=0&limit=100"
    fake.add("GET", url, Canned(200, b"[]", JSON))

    assert await LeverAdapter().list_postings(http, board) == []
    assert fake.requests[0][1] == "api.eu.lever.co"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://jobs.lever.co/GoToGroup", BoardRef("lever", "GoToGroup")),
        ("https://jobs.lever.co/GoToGroup/", BoardRef("lever", "GoToGroup")),
        (f"https://jobs.lever.co/GoToGroup/{FIRST_ID}", BoardRef("lever", "GoToGroup", FIRST_ID)),
        (
            f"https://jobs.lever.co/palantir/{PALANTIR_ID}/apply",
            BoardRef("lever", "palantir", PALANTIR_ID),
        ),
        (
            f"https://jobs.eu.lever.co/acme/{FIRST_ID}/apply",
            BoardRef("lever", "acme", FIRST_ID, host="jobs.eu.lever.co"),
        ),
        ("https://jobs.eu.lever.co/acme", BoardRef("lever", "acme", host="jobs.eu.lever.co")),
        (
            f"https://api.lever.co/v0/postings/GoToGroup/{FIRST_ID}",
            BoardRef("lever", "GoToGroup", FIRST_ID),
        ),
        ("https://jobs.lever.co/GoToGroup?team=ODS", BoardRef("lever", "GoToGroup")),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert LeverAdapter().detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://jobs.lever.co.evil.com/GoToGroup",
        "https://lever.co/GoToGroup",
        "https://www.lever.co/job-seeker-support/",
        "https://evil.com/jobs.lever.co/GoToGroup",
        "https://jobs.lever.co/",
        "https://boards.greenhouse.io/codepath",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert LeverAdapter().detect(url) is None


async def test_unknown_site_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    body = b'{"ok":false,"error":"Document not found"}'
    fake.add("GET", f"{API}&skip=0&limit=100", Canned(404, body, JSON))

    with pytest.raises(BoardNotFound):
        await LeverAdapter().list_postings(http, BOARD)


async def test_closed_posting_apply_page_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    url = f"https://jobs.lever.co/palantir/{PALANTIR_ID}/apply"
    fake.add("GET", url, Canned(404, b"Sorry, we couldn't find anything here", {}))

    with pytest.raises(BoardNotFound):
        await LeverAdapter().get_application_form(http, BoardRef("lever", "palantir"), PALANTIR_ID)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{API}&skip=0&limit=100", Canned(429, b"", {"retry-after": "7"}))

    with pytest.raises(AtsError) as caught:
        await LeverAdapter().list_postings(http, BOARD)

    assert caught.value.details["retry_after"] == "7"


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", f"{API}&skip=0&limit=100", Canned(200, b"[{", JSON))

    with pytest.raises(AtsError):
        await LeverAdapter().list_postings(http, BOARD)

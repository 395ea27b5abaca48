"""Recruitee adapter over real HTTP against the captured Careers Site API offers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.recruitee import RecruiteeAdapter
from support import require_shared

OFFERS_URL = "https://radishlab.recruitee.com/api/offers/"
BOARD = BoardRef(ats="recruitee", tenant="radishlab")
adapter = RecruiteeAdapter()


def sample() -> Path:
    return require_shared("fixtures", "ats", "recruitee", "radishlab_api_offers.json")


async def test_lists_every_offer(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned.file(sample()))

    postings = await adapter.list_postings(http, BOARD)

    assert [(p.source_id, p.title) for p in postings] == [
        ("1390320", "Copywriter Talent Pool"),
        ("1357326", "Project Manager Talent Pool"),
        ("1333509", "Developer Talent Pool"),
        ("1333465", "Design Talent Pool"),
    ]
    copywriter, manager = postings[0], postings[1]
    assert copywriter.url == "https://radishlab.recruitee.com/o/copywriter-talen-pool"
    assert copywriter.apply_url == "https://radishlab.recruitee.com/o/copywriter-talen-pool/c/new"
    assert copywriter.company_name == "Radish Lab"
    assert copywriter.locations == ["Remote job", "BROOKLYN, New York, United States"]
    assert copywriter.workplace == "remote"
    assert copywriter.employment_type == "contract"
    assert copywriter.posted_at == datetime(2023, 7, 25, 17, 53, 46, tzinfo=UTC)
    assert copywriter.updated_at == datetime(2024, 7, 10, 9, 55, 41, tzinfo=UTC)
    assert copywriter.salary_min is None
    assert copywriter.closed is False
    assert copywriter.description_html is not None
    assert copywriter.description_html.startswith('<p dir="ltr">Radish Lab')
    assert "<ul>" in copywriter.description_html  # requirements follow the description
    assert (manager.salary_min, manager.salary_max) == (52000.0, 68000.0)
    assert (manager.salary_currency, manager.salary_period) == ("USD", "year")
    assert manager.employment_type == "fulltime"


async def test_gets_one_offer_by_slug_or_id(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned.file(sample()))

    by_slug = await adapter.get_posting(http, BOARD, "developer-talent-pool")
    by_id = await adapter.get_posting(http, BOARD, "1333509")

    assert by_slug.title == by_id.title == "Developer Talent Pool"
    with pytest.raises(BoardNotFound):
        await adapter.get_posting(http, BOARD, "no-such-offer")


async def test_reads_the_application_form(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned.file(sample()))

    form = await adapter.get_application_form(http, BOARD, "copywriter-talen-pool")

    by_key = {q.key: q for q in form}
    assert [q.key for q in form[:6]] == ["name", "email", "phone", "cv", "cover_letter", "photo"]
    assert by_key["email"].type == "email"
    assert by_key["phone"].required is True  # options_phone "required"
    assert by_key["cv"].type == "file"
    assert by_key["cv"].required is True
    assert by_key["cover_letter"].required is False
    screening = form[6:]
    assert len(screening) == 12
    first = screening[0]
    assert first.key == "open_question_2039662"
    assert first.label == "Do you have experience working in an agency environment?"
    assert (first.type, first.required) == ("boolean", True)
    country = by_key["open_question_2039673"]
    assert (country.label, country.type, country.max_length) == (
        "What Country are you located in?",
        "text",
        120,
    )
    assert by_key["open_question_2039670"].required is False


async def test_choice_questions_carry_their_options(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned.file(sample()))

    manager = {q.key: q for q in await adapter.get_application_form(http, BOARD, "1357326")}
    developer = {q.key: q for q in await adapter.get_application_form(http, BOARD, "1333509")}
    design = {q.key: q for q in await adapter.get_application_form(http, BOARD, "1333465")}

    # options_photo "off" hides the photo box.
    assert "photo" not in manager
    assert manager["phone"].required is False
    assert manager["open_question_1979948"].type == "textarea"
    located = design["open_question_2069839"]
    assert located.type == "select"
    assert located.options == ("North or South America", "Europe", "Other")
    assert located.required is True
    comfortable = developer["open_question_2036791"]
    assert comfortable.type == "multi_select"
    assert comfortable.options == ("Back-end", "Front-end", "Full-stack")
    assert developer["open_question_1979956"].type == "textarea"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://radishlab.recruitee.com", BoardRef("recruitee", "radishlab")),
        ("https://radishlab.recruitee.com/", BoardRef("recruitee", "radishlab")),
        (
            "https://radishlab.recruitee.com/o/copywriter-talen-pool",
            BoardRef("recruitee", "radishlab", "copywriter-talen-pool"),
        ),
        (
            "https://radishlab.recruitee.com/o/copywriter-talen-pool/c/new",
            BoardRef("recruitee", "radishlab", "copywriter-talen-pool"),
        ),
        ("radishlab.recruitee.com/o/x", BoardRef("recruitee", "radishlab", "x")),
    ],
)
def test_detects_every_url_form(url: str, expected: BoardRef) -> None:
    assert adapter.detect(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://recruitee.com/",
        "https://www.recruitee.com/o/anything",
        "https://radishlab.recruitee.com.evil.com/o/x",
        "https://evil.com/radishlab.recruitee.com/o/x",
        "https://a.b.recruitee.com/o/x",
        "https://radishlab.breezy.hr/p/1-x",
    ],
)
def test_ignores_other_urls(url: str) -> None:
    assert adapter.detect(url) is None


async def test_unknown_company_is_board_not_found(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned(404, b'{"error":"Not Found"}', {}))

    with pytest.raises(BoardNotFound):
        await adapter.list_postings(http, BOARD)


async def test_rate_limit_carries_retry_after(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned(429, b"", {"retry-after": "15"}))

    with pytest.raises(AtsError) as caught:
        await adapter.list_postings(http, BOARD)

    assert caught.value.details["retry_after"] == "15"


async def test_malformed_json_is_an_ats_error(fake: FakeHosts, http: AtsHttp) -> None:
    fake.add("GET", OFFERS_URL, Canned(200, b'{"offers": [}', {}))

    with pytest.raises(AtsError):
        await adapter.list_postings(http, BOARD)

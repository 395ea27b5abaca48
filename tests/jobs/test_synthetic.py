"""The synthetic board generator: deterministic, counted, and parsed by the real ATS adapters."""

from __future__ import annotations

import difflib
import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from jobpilot.jobs.ats import registry
from jobpilot.jobs.ats.base import AtsPosting, BoardRef
from jobpilot.jobs.normalise import NormalisedPosting, normalise_posting
from jobpilot.jobs.synthetic import (
    ATS_NAMES,
    WITH_DESCRIPTION,
    Duplicate,
    PostingKey,
    SyntheticBoard,
    expected_duplicates,
    generate,
)

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
PAGE_SIZES = {"lever": 100, "smartrecruiters": 100, "workday": 20}
# ATSs whose listing says where the job is in a way that always names the country.
COUNTRY_ALWAYS = ("lever", "ashby", "smartrecruiters", "workable", "teamtailor", "breezy")
REGIONS = ("EMEA", "EU", "Europe", "APAC")
# ATSs that state onsite/hybrid/remote in a field of their own.
WORKPLACE_FIELD = ("lever", "ashby", "recruitee", "smartrecruiters")
# ATSs whose listing dates each posting (Workday says "Posted 3 Days Ago", BambooHR nothing).
DATED = ("greenhouse", "lever", "ashby", "recruitee", "smartrecruiters", "workable")


def parse(board: SyntheticBoard, ref: BoardRef | None = None) -> list[AtsPosting]:
    """Every posting of every page, read by the board's real adapter."""
    adapter = registry.adapter(board.ats)
    assert adapter is not None
    ref = ref or BoardRef(ats=board.ats, tenant=board.tenant)
    return [posting for body in board.payloads for posting in adapter.parse_payload(ref, body)]


@pytest.fixture(scope="module")
def demo() -> list[SyntheticBoard]:
    """The demo data set of `make run`."""
    return list(generate(companies=40, postings=800, now=NOW))


@pytest.fixture(scope="module")
def parsed(demo: list[SyntheticBoard]) -> dict[PostingKey, AtsPosting]:
    """Every demo posting as its adapter reads it, by board and source id."""
    out: dict[PostingKey, AtsPosting] = {}
    for board in demo:
        for posting in parse(board, board.board_ref()):
            out[PostingKey(board.ats, board.tenant, posting.source_id)] = posting
    return out


@pytest.fixture(scope="module")
def normalised(parsed: dict[PostingKey, AtsPosting]) -> dict[PostingKey, NormalisedPosting]:
    return {key: normalise_posting(posting, NOW) for key, posting in parsed.items()}


def test_the_same_seed_gives_the_same_bytes(demo: list[SyntheticBoard]) -> None:
    again = list(generate(companies=40, postings=800, seed=7, now=NOW))
    assert again == demo
    other = list(generate(companies=40, postings=800, seed=8, now=NOW))
    assert [b.payloads for b in other] != [b.payloads for b in demo]
    # A naive `now` is UTC.
    naive = list(generate(companies=40, postings=800, now=NOW.replace(tzinfo=None)))
    assert [b.payloads for b in naive] == [b.payloads for b in demo]


def test_counts_companies_and_uneven_boards(demo: list[SyntheticBoard]) -> None:
    assert sum(board.posting_count for board in demo) == 800
    names = {board.company_name for board in demo}
    assert len(names) == 40
    # No two companies share a first word at this size (they would look like siblings).
    assert len({name.split()[0] for name in names}) == 40
    per_company: Counter[str] = Counter()
    for board in demo:
        per_company[board.company_name] += board.posting_count
    sizes = sorted(per_company.values())
    assert sizes[-1] >= 4 * sizes[len(sizes) // 2]
    assert all(size >= 1 for size in sizes)
    # Some companies run a second board on another ATS, with the same website.
    boards_per_company = Counter(board.company_name for board in demo)
    assert 1 < max(boards_per_company.values()) <= 2
    for name in (n for n, count in boards_per_company.items() if count == 2):
        pair = [board for board in demo if board.company_name == name]
        assert pair[0].ats != pair[1].ats
        assert pair[0].website == pair[1].website


def test_every_ats_is_covered(demo: list[SyntheticBoard]) -> None:
    assert {board.ats for board in demo} == set(ATS_NAMES)
    assert len(WITH_DESCRIPTION) >= 7
    with_postings = {board.ats for board in demo if board.posting_count}
    assert with_postings == set(ATS_NAMES)


@pytest.mark.parametrize(("companies", "postings"), [(5, 0), (3, 2), (1, 1), (12, 60), (0, 0)])
def test_small_and_empty_requests(companies: int, postings: int) -> None:
    boards = list(generate(companies=companies, postings=postings, now=NOW))
    assert len({board.company_name for board in boards}) == companies
    assert sum(board.posting_count for board in boards) == postings
    for board in boards:
        assert len(parse(board, board.board_ref())) == board.posting_count


def test_bad_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate(companies=-1, postings=10, now=NOW)
    with pytest.raises(ValueError, match="company"):
        generate(companies=0, postings=10, now=NOW)


def test_careers_urls_are_recognised_as_their_board(demo: list[SyntheticBoard]) -> None:
    for board in demo:
        found = registry.detect(board.careers_url)
        assert found is not None, board.careers_url
        adapter, ref = found
        assert (adapter.name, ref.tenant) == (board.ats, board.tenant)
        assert ref == board.board_ref()
        assert board.website.startswith("https://")
        assert board.website.endswith(".example")


def test_bodies_are_valid_json_or_xml(demo: list[SyntheticBoard]) -> None:
    for board in demo:
        for body in board.payloads:
            if board.ats == "personio":
                assert ET.fromstring(body).tag == "workzag-jobs"
            else:
                json.loads(body)


def test_every_payload_parses_to_the_listed_postings(
    demo: list[SyntheticBoard], parsed: dict[PostingKey, AtsPosting]
) -> None:
    total = 0
    for board in demo:
        postings = parse(board)
        assert len(postings) == board.posting_count
        assert [p.source_id for p in postings] == list(board.source_ids)
        assert len(set(board.source_ids)) == board.posting_count
        assert all(p.title.strip() for p in postings)
        total += len(postings)
    assert total == 800 == len(parsed)


def test_descriptions_have_text_and_a_realistic_length(
    demo: list[SyntheticBoard], normalised: dict[PostingKey, NormalisedPosting]
) -> None:
    lengths = []
    for key, posting in normalised.items():
        if key.ats not in WITH_DESCRIPTION:
            continue
        words = len(posting.description_text.split())
        assert 150 <= words <= 600, (key, words)
        lengths.append(words)
    assert len(lengths) > 400
    assert max(lengths) - min(lengths) > 150
    text = " ".join(p.description_text for p in normalised.values())
    for skill in ("Python", "PostgreSQL", "React", "Kubernetes", "Salesforce", "Figma", "SQL"):
        assert skill in text


def test_paged_atss_are_split_into_pages_of_their_size() -> None:
    multi_page = set()
    for board in generate(companies=60, postings=6000, now=NOW):
        adapter = registry.adapter(board.ats)
        assert adapter is not None
        size = PAGE_SIZES.get(board.ats)
        counts = [len(adapter.parse_payload(board.board_ref(), body)) for body in board.payloads]
        assert sum(counts) == board.posting_count
        if size is None:
            assert len(board.payloads) == 1
            continue
        pages = max(1, math.ceil(board.posting_count / size))
        if board.ats == "lever" and board.posting_count % size == 0:
            pages += 1  # Lever answers an empty page after a full one.
        assert len(board.payloads) == pages, (board.ats, board.posting_count)
        assert all(count == size for count in counts[:-1] if count), (board.ats, counts)
        if len(board.payloads) > 1:
            multi_page.add(board.ats)
    assert multi_page


def test_listings_look_like_their_ats(demo: list[SyntheticBoard]) -> None:
    for board in demo:
        body = board.payloads[0]
        if board.ats == "greenhouse":
            data = json.loads(body)
            assert data["meta"]["total"] == len(data["jobs"])
            assert all("&lt;" in job["content"] for job in data["jobs"])
        elif board.ats == "smartrecruiters":
            assert json.loads(body)["totalFound"] == board.posting_count
        elif board.ats == "workday":
            assert json.loads(body)["total"] == board.posting_count
        elif board.ats == "recruitee":
            assert set(json.loads(body)) == {"offers"}
        elif board.ats == "bamboohr":
            assert json.loads(body)["meta"]["totalCount"] == board.posting_count
        elif board.ats in ("lever", "breezy"):
            assert isinstance(json.loads(body), list)


def test_normalised_places_workplaces_and_pay_are_sensible(
    normalised: dict[PostingKey, NormalisedPosting],
) -> None:
    postings = list(normalised.values())
    with_country = [p for p in postings if p.countries]
    assert len(with_country) / len(postings) > 0.75
    countries = Counter(c for p in postings for c in p.countries)
    assert {"US", "GB", "DE"} <= set(countries)
    for key, posting in normalised.items():
        if key.ats in COUNTRY_ALWAYS and not posting.countries:
            # Only a remote job open to a whole region names no country.
            assert posting.workplace == "remote", key
            assert any(region in posting.locations[0].text for region in REGIONS), key
        if key.ats in WORKPLACE_FIELD:
            assert posting.workplace in ("onsite", "hybrid", "remote"), key
    assert {p.workplace for p in postings} >= {"onsite", "hybrid", "remote"}

    paid = [p for p in postings if p.salary is not None]
    assert 0.3 <= len(paid) / len(postings) <= 0.5
    for posting in paid:
        salary = posting.salary
        assert salary is not None
        assert salary.min is not None
        assert salary.max is not None
        assert 0 < salary.min <= salary.max
        assert salary.currency is not None
        assert len(salary.currency) == 3
        assert salary.period in ("year", "hour")
    assert {p.salary.currency for p in paid if p.salary} >= {"USD", "EUR", "GBP"}
    assert any(p.salary and p.salary.period == "hour" for p in paid)

    seniorities = Counter(p.seniority for p in postings)
    assert seniorities["senior"] > seniorities["staff"] > 0
    assert seniorities["junior"] > 0
    assert seniorities["intern"] > 0
    kinds = Counter(p.employment_type for p in postings)
    assert kinds["full_time"] > kinds["contract"] > 0


def test_posting_dates_fall_in_the_sixty_days_before_now(
    normalised: dict[PostingKey, NormalisedPosting],
) -> None:
    dated = 0
    for key, posting in normalised.items():
        if key.ats in DATED or key.ats in ("teamtailor", "personio", "breezy"):
            assert posting.posted_at is not None, key
        if posting.posted_at is not None:
            # Date-only formats (Workable) round down to midnight.
            assert NOW - timedelta(days=61) <= posting.posted_at <= NOW, key
            dated += 1
    assert dated > 600


def test_duplicates_are_listed_again_with_small_edits(
    demo: list[SyntheticBoard], parsed: dict[PostingKey, AtsPosting]
) -> None:
    duplicates = expected_duplicates(demo)
    kinds = Counter(d.kind for d in duplicates)
    assert kinds["cross_board"] > 0
    assert kinds["repost"] > 0
    for duplicate in duplicates:
        original, copy = parsed[duplicate.original], parsed[duplicate.copy]
        assert duplicate.original != duplicate.copy
        assert original.title == copy.title
        if duplicate.kind == "cross_board":
            assert duplicate.original.ats != duplicate.copy.ats
            if original.department and copy.department:
                assert original.department == copy.department
        else:
            assert duplicate.original.ats == duplicate.copy.ats
            assert duplicate.original.tenant == duplicate.copy.tenant
            assert original.locations == copy.locations
            if original.posted_at and copy.posted_at:
                assert copy.posted_at > original.posted_at
        if original.description_html and copy.description_html:
            first = normalise_posting(original, NOW).description_text
            second = normalise_posting(copy, NOW).description_text
            assert first != second
            if duplicate.kind == "repost":
                matcher = difflib.SequenceMatcher(None, first.split(), second.split(), False)
                assert matcher.ratio() > 0.9, duplicate
            else:
                # Another ATS lays the ad out its own way: compare paragraphs and bullets.
                lines, others = set(first.splitlines()), set(second.splitlines())
                shared = len(lines & others) / max(len(lines), len(others))
                assert shared > 0.55, duplicate


def test_cross_board_copies_keep_the_place(
    demo: list[SyntheticBoard], normalised: dict[PostingKey, NormalisedPosting]
) -> None:
    for duplicate in expected_duplicates(demo):
        if duplicate.kind != "cross_board":
            continue
        first, second = normalised[duplicate.original], normalised[duplicate.copy]
        cities = {loc.city for loc in first.locations if loc.city}
        other = {loc.city for loc in second.locations if loc.city}
        if cities and other:
            assert cities & other, duplicate


def test_duplicate_rates() -> None:
    postings = 6000
    boards = list(generate(companies=150, postings=postings, seed=11, now=NOW))
    kinds = Counter(d.kind for d in expected_duplicates(boards))
    assert 0.03 <= kinds["cross_board"] / postings <= 0.05
    assert 0.01 <= kinds["repost"] / postings <= 0.03
    keys = [
        PostingKey(board.ats, board.tenant, source_id)
        for board in boards
        for source_id in board.source_ids
    ]
    assert len(keys) == len(set(keys)) == postings
    for duplicate in expected_duplicates(boards):
        assert isinstance(duplicate, Duplicate)
        assert duplicate.original in set(keys)


def test_boards_stream_one_company_at_a_time() -> None:
    stream = generate(companies=1000, postings=100_000, now=NOW)
    first = list(islice(stream, 3))
    assert len(first) == 3
    assert sum(board.posting_count for board in first) < 100_000

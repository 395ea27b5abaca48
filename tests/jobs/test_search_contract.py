"""The search port's contract, on SQLite (FTS5) and on PostgreSQL (tsvector) alike.

Every test inserts a few companies and postings, then asks `search_for(dialect)` what a user
would: which postings match, in what order, how many, page by page, and with what facet counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from jobpilot.jobs.models import Company, Posting, PostingCountry
from jobpilot.jobs.search import FACETS, InvalidQuery, JobQuery, PostingSearch, search_for
from jobpilot.kit.db import Database

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass
class Catalog:
    """Postings by a short name, their companies, and the backend to search them with."""

    db: Database
    search: PostingSearch
    ids: dict[str, uuid.UUID]
    companies: dict[str, uuid.UUID]

    def names(self, ids: list[uuid.UUID]) -> list[str]:
        by_id = {posting_id: name for name, posting_id in self.ids.items()}
        return [by_id[posting_id] for posting_id in ids]

    async def find(self, query: JobQuery, limit: int = 100) -> list[str]:
        async with self.db.unit_of_work() as session:
            page = await self.search.search(session, query, limit=limit)
        assert page.total == len(page.ids)
        return self.names(page.ids)

    async def facets(self, query: JobQuery) -> dict[str, dict[str, int]]:
        async with self.db.unit_of_work() as session:
            return await self.search.facets(session, query)


def _posting(company: Company, name: str, **fields: Any) -> Posting:
    title = fields.pop("title", name)
    listed_at = fields.pop("listed_at", NOW)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "company_id": company.id,
        "company_name": company.name,
        "ats": "greenhouse",
        "title": title,
        "title_normalised": title.lower(),
        "locations": [],
        "description_html": "",
        "description_text": "A role on a friendly team.",
        "listed_at": listed_at,
        "status": "open",
        "first_seen_at": listed_at,
        "last_seen_at": NOW,
        "content_hash": "0" * 64,
        "dedup_key": uuid.uuid4().hex,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    values["description_html"] = f"<p>{values['description_text']}</p>"
    return Posting(**values)


async def _insert(db: Database, companies: list[str], postings: list[dict[str, Any]]) -> Catalog:
    """Store `companies` (by name) and `postings` (dicts with `name`, `company`, `countries`)."""
    stored = {
        name: Company(
            id=uuid.uuid4(),
            slug=name.lower(),
            name=name,
            created_at=NOW,
            updated_at=NOW,
        )
        for name in companies
    }
    ids: dict[str, uuid.UUID] = {}
    async with db.unit_of_work() as session:
        session.add_all(stored.values())
        await session.flush()
        for given in postings:
            spec = dict(given)
            name = spec.pop("name")
            countries = spec.pop("countries", ())
            posting = _posting(stored[spec.pop("company", companies[0])], name, **spec)
            session.add(posting)
            await session.flush()
            session.add_all(PostingCountry(posting_id=posting.id, country=c) for c in countries)
            ids[name] = posting.id
    return Catalog(
        db=db,
        search=search_for(db.dialect),
        ids=ids,
        companies={name: company.id for name, company in stored.items()},
    )


def _days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


MARKET: list[dict[str, Any]] = [
    {
        "name": "backend",
        "title": "Senior Backend Engineer",
        "company": "Acme",
        "description_text": "Build payment APIs in Python and Go for millions of customers.",
        "workplace": "remote",
        "location": "Remote - US",
        "country": "US",
        "countries": ("US",),
        "salary_yearly_max": 180_000.0,
        "ats": "greenhouse",
        "employment_type": "full_time",
        "seniority": "senior",
        "listed_at": _days_ago(1),
    },
    {
        "name": "frontend",
        "title": "Frontend Engineer",
        "company": "Globex",
        "description_text": "React and TypeScript on our design system.",
        "workplace": "hybrid",
        "location": "London, United Kingdom",
        "city": "London",
        "region": "England",
        "country": "GB",
        "countries": ("GB",),
        "ats": "lever",
        "employment_type": "full_time",
        "seniority": "mid",
        "listed_at": _days_ago(2),
    },
    {
        "name": "designer",
        "title": "Product Designer",
        "company": "Initech",
        "description_text": "Work closely with engineers on research and prototypes.",
        "workplace": "onsite",
        "location": "Berlin, Germany",
        "city": "Berlin",
        "region": "Berlin",
        "country": "DE",
        "countries": ("DE",),
        "salary_yearly_max": 90_000.0,
        "ats": "ashby",
        "employment_type": "contract",
        "seniority": "mid",
        "listed_at": _days_ago(3),
    },
    {
        "name": "scientist",
        "title": "Data Scientist",
        "company": "Acme",
        "description_text": "Train machine learning models on AI/ML platforms.",
        "workplace": "remote",
        "location": "Toronto, ON",
        "city": "Toronto",
        "region": "ON",
        "country": "CA",
        "countries": ("CA", "US"),
        "salary_yearly_max": 150_000.0,
        "ats": "greenhouse",
        "employment_type": "full_time",
        "seniority": "senior",
        "listed_at": _days_ago(4),
    },
    {
        "name": "manager",
        "title": "Engineering Manager",
        "company": "Globex",
        "description_text": "Lead a team of six engineers building the platform.",
        "workplace": "hybrid",
        "location": "New York, NY",
        "city": "New York",
        "region": "NY",
        "country": "US",
        "countries": ("US",),
        "salary_yearly_max": 210_000.0,
        "ats": "lever",
        "employment_type": "full_time",
        "seniority": "lead",
        "listed_at": _days_ago(5),
    },
    {
        "name": "java",
        "title": "Java Developer",
        "company": "Initech",
        "description_text": "Java, Kotlin, some C++ and Node.js tooling.",
        "workplace": None,
        "location": "Bengaluru, India",
        "city": "Bengaluru",
        "region": "Karnataka",
        "country": "IN",
        "countries": ("IN",),
        "ats": "workday",
        "employment_type": "part_time",
        "seniority": None,
        "listed_at": _days_ago(6),
    },
    {
        "name": "closed",
        "title": "Backend Engineer",
        "company": "Initech",
        "description_text": "A backend role that has been filled.",
        "workplace": "remote",
        "location": "Remote - US",
        "country": "US",
        "countries": ("US",),
        "salary_yearly_max": 200_000.0,
        "ats": "greenhouse",
        "employment_type": "full_time",
        "seniority": "senior",
        "status": "closed",
        "closed_at": NOW,
        "listed_at": _days_ago(0.5),
    },
]


@pytest.fixture
async def market(db: Database) -> Catalog:
    """Seven postings (one closed) at three companies, newest first in MARKET's order."""
    return await _insert(db, ["Acme", "Globex", "Initech"], MARKET)


def test_search_for_names_a_backend_per_dialect() -> None:
    assert search_for("sqlite") is not None
    assert search_for("postgresql") is not None
    with pytest.raises(ValueError, match="mysql"):
        search_for("mysql")


# Words ----------------------------------------------------------------------------------------


async def test_words_are_stemmed_and_searched_in_title_company_and_description(
    market: Catalog,
) -> None:
    expected = {"backend", "frontend", "designer", "manager"}
    assert set(await market.find(JobQuery(q="engineers"))) == expected
    assert set(await market.find(JobQuery(q="engineer"))) == expected
    assert set(await market.find(JobQuery(q="ENGINEERING"))) == expected
    assert set(await market.find(JobQuery(q="globex"))) == {"frontend", "manager"}
    assert await market.find(JobQuery(q="prototype")) == ["designer"]


async def test_every_word_must_match(market: Catalog) -> None:
    assert await market.find(JobQuery(q="engineer python")) == ["backend"]
    assert await market.find(JobQuery(q="engineer kotlin")) == []


async def test_a_title_match_outranks_a_description_only_match(market: Catalog) -> None:
    async with market.db.unit_of_work() as session:
        page = await market.search.search(session, JobQuery(q="engineers"), limit=10)
    names = market.names(page.ids)
    assert names[-1] == "designer"
    assert set(names[:3]) == {"backend", "frontend", "manager"}
    assert set(page.scores) == set(page.ids)
    ranked = [page.scores[posting_id] for posting_id in page.ids]
    assert ranked == sorted(ranked, reverse=True)
    assert page.scores[market.ids["backend"]] > page.scores[market.ids["designer"]]


async def test_equal_scores_are_ordered_newest_first(db: Database) -> None:
    catalog = await _insert(
        db,
        ["Acme"],
        [
            {"name": f"p{days}", "title": "Platform Engineer", "listed_at": _days_ago(days)}
            for days in (3, 1, 2)
        ],
    )
    assert await catalog.find(JobQuery(q="platform")) == ["p1", "p2", "p3"]


async def test_a_quoted_phrase_matches_its_words_in_order(market: Catalog) -> None:
    assert await market.find(JobQuery(q='"machine learning"')) == ["scientist"]
    assert await market.find(JobQuery(q='"learning machine"')) == []
    assert await market.find(JobQuery(q='"backend engineers"')) == ["backend"]


async def test_a_minus_word_excludes(market: Catalog) -> None:
    found = await market.find(JobQuery(q="engineer -frontend -Globex"))
    assert set(found) == {"backend", "designer"}
    assert set(await market.find(JobQuery(q='engineer -"design system"'))) == {
        "backend",
        "designer",
        "manager",
    }


async def test_only_exclusions_find_everything_else(market: Catalog) -> None:
    found = await market.find(JobQuery(q="-engineer"))
    assert set(found) == {"scientist", "java"}


async def test_or_finds_either(market: Catalog) -> None:
    assert set(await market.find(JobQuery(q="prototypes OR scientist"))) == {
        "designer",
        "scientist",
    }
    assert set(await market.find(JobQuery(q="kotlin or typescript"))) == {"java", "frontend"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("c++", {"java"}),
        ("node.js", {"java"}),
        ("AI/ML", {"scientist"}),
        ("Go", {"backend"}),
    ],
)
async def test_punctuated_technology_names_are_found(
    market: Catalog, q: str, expected: set[str]
) -> None:
    assert set(await market.find(JobQuery(q=q))) == expected


HOSTILE = [
    '"',
    '"unterminated phrase',
    "'",
    "\\",
    "(",
    ")",
    "()",
    "*",
    "engineer*",
    "^engineer",
    "title:engineer",
    "{title}: engineer",
    "NEAR(engineer designer)",
    "engineer AND OR NOT designer",
    "AND",
    "NOT",
    "OR",
    "-",
    "--engineer",
    "- engineer",
    "engineer -",
    'engineer "" OR',
    "a:* & b | !c <-> d",
    "'; DROP TABLE jobs_postings; --",
    "%_%",
    "\x00",
    "engineer\x00",
    "🙂 ☕",
    "x" * 200,
    "engineer " * 40,
]


async def test_no_query_text_is_an_error(market: Catalog) -> None:
    for q in HOSTILE:
        async with market.db.unit_of_work() as session:
            page = await market.search.search(session, JobQuery(q=q), limit=5)
            await market.search.facets(session, JobQuery(q=q))
            await market.search.search(session, JobQuery(location=q), limit=5)
        assert page.total >= len(page.ids), q


@pytest.mark.parametrize("q", ["!!!", "the", "  ...  ", '"of the"', "-the"])
async def test_words_with_nothing_to_search_find_nothing(market: Catalog, q: str) -> None:
    async with market.db.unit_of_work() as session:
        page = await market.search.search(session, JobQuery(q=q), limit=5)
        facets = await market.search.facets(session, JobQuery(q=q))
    assert (page.ids, page.total, page.next_cursor) == ([], 0, None)
    assert facets == {facet: {} for facet in FACETS}


async def test_stop_words_are_ignored_among_other_words(market: Catalog) -> None:
    assert await market.find(JobQuery(q="the designer at initech")) == ["designer"]


# Filters --------------------------------------------------------------------------------------


async def test_closed_postings_are_left_out_unless_asked_for(market: Catalog) -> None:
    assert "closed" not in await market.find(JobQuery())
    assert set(await market.find(JobQuery(q="backend", include_closed=True))) == {
        "backend",
        "closed",
    }
    assert set(await market.find(JobQuery(include_closed=True))) == set(market.ids)


async def test_location_is_a_case_insensitive_part_of_location_city_or_region(
    market: Catalog,
) -> None:
    assert await market.find(JobQuery(location="LONDON")) == ["frontend"]
    assert await market.find(JobQuery(location="england")) == ["frontend"]
    assert await market.find(JobQuery(location="toronto")) == ["scientist"]
    assert set(await market.find(JobQuery(location="remote"))) == {"backend"}
    assert await market.find(JobQuery(location="%")) == []
    assert await market.find(JobQuery(location="_")) == []


async def test_countries_match_any_location_of_a_posting(market: Catalog) -> None:
    assert set(await market.find(JobQuery(countries=("US",)))) == {
        "backend",
        "scientist",
        "manager",
    }
    assert await market.find(JobQuery(countries=("CA",))) == ["scientist"]
    assert set(await market.find(JobQuery(countries=("GB", "DE")))) == {"frontend", "designer"}


async def test_workplace_seniority_ats_and_employment_type(market: Catalog) -> None:
    assert await market.find(JobQuery(workplaces=("remote",))) == ["backend", "scientist"]
    assert await market.find(JobQuery(workplaces=("onsite", "hybrid"))) == [
        "frontend",
        "designer",
        "manager",
    ]
    assert await market.find(JobQuery(seniorities=("senior",))) == ["backend", "scientist"]
    assert await market.find(JobQuery(ats=("lever",))) == ["frontend", "manager"]
    assert await market.find(JobQuery(employment_types=("part_time", "contract"))) == [
        "designer",
        "java",
    ]


async def test_salary_min_needs_the_top_of_the_range_to_reach_it(market: Catalog) -> None:
    assert await market.find(JobQuery(salary_min=150_000)) == ["backend", "scientist", "manager"]
    assert await market.find(JobQuery(salary_min=200_000)) == ["manager"]


async def test_listed_since_and_companies(market: Catalog) -> None:
    assert await market.find(JobQuery(listed_since=_days_ago(3))) == [
        "backend",
        "frontend",
        "designer",
    ]
    acme = market.companies["Acme"]
    assert await market.find(JobQuery(company_ids=(acme,))) == ["backend", "scientist"]
    assert await market.find(JobQuery(company_ids=(uuid.uuid4(),))) == []


async def test_filters_combine_with_words(market: Catalog) -> None:
    query = JobQuery(q="engineer", workplaces=("remote", "hybrid"), countries=("US",))
    assert set(await market.find(query)) == {"backend", "manager"}
    assert await market.find(replace(query, salary_min=200_000)) == ["manager"]


# Order and pages ------------------------------------------------------------------------------


async def test_without_words_or_by_date_the_newest_come_first(market: Catalog) -> None:
    newest_first = ["backend", "frontend", "designer", "scientist", "manager", "java"]
    assert await market.find(JobQuery()) == newest_first
    assert await market.find(JobQuery(q="engineer", sort="date")) == [
        "backend",
        "frontend",
        "designer",
        "manager",
    ]
    async with market.db.unit_of_work() as session:
        page = await market.search.search(session, JobQuery(q="engineer", sort="date"), limit=9)
    assert page.scores == {}


@pytest.fixture
async def crowd(db: Database) -> Catalog:
    """37 postings with many equal scores and equal dates, for paging."""
    postings: list[dict[str, Any]] = []
    for i in range(37):
        title = ["Platform Engineer", "Platform Engineer Platform", "Support Engineer"][i % 3]
        postings.append(
            {
                "name": f"p{i}",
                "title": title,
                "description_text": "Platform work." if i % 4 == 0 else "Other work.",
                "listed_at": _days_ago(i // 5),
                "workplace": "remote" if i % 2 else "onsite",
            }
        )
    return await _insert(db, ["Acme"], postings)


async def _all_pages(catalog: Catalog, query: JobQuery, limit: int) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    async with catalog.db.unit_of_work() as session:
        everything = await catalog.search.search(session, query, limit=1000)
        while True:
            page = await catalog.search.search(session, query, limit=limit, cursor=cursor)
            assert page.total == everything.total
            assert len(page.ids) <= limit
            seen += page.ids
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == everything.ids
    assert len(seen) == len(set(seen))
    if everything.total_exact:
        assert len(seen) == everything.total
    else:
        assert len(seen) > everything.total
    return seen


@pytest.mark.parametrize(
    "query",
    [
        JobQuery(q="platform"),
        JobQuery(q="engineer"),
        JobQuery(q="platform OR support"),
        JobQuery(q="engineer", sort="date"),
        JobQuery(),
        JobQuery(workplaces=("remote",)),
        JobQuery(q="-platform"),
    ],
    ids=["relevance", "all-tied", "or", "words-by-date", "date", "filtered", "exclusion"],
)
async def test_cursors_page_through_everything_once_in_order(
    crowd: Catalog, query: JobQuery
) -> None:
    for limit in (1, 4, 7):
        assert await _all_pages(crowd, query, limit)


async def test_the_last_page_has_no_cursor(market: Catalog) -> None:
    async with market.db.unit_of_work() as session:
        page = await market.search.search(session, JobQuery(), limit=6)
        assert page.next_cursor is None
        first = await market.search.search(session, JobQuery(), limit=5)
        assert first.next_cursor is not None
        second = await market.search.search(session, JobQuery(), limit=5, cursor=first.next_cursor)
    assert market.names(second.ids) == ["java"]
    assert second.next_cursor is None


async def test_a_cursor_of_another_search_is_refused(market: Catalog) -> None:
    async with market.db.unit_of_work() as session:
        page = await market.search.search(session, JobQuery(q="engineer"), limit=1)
        assert page.next_cursor is not None
        for other in (
            JobQuery(q="designer"),
            JobQuery(q="engineer", sort="date"),
            JobQuery(q="engineer", workplaces=("remote",)),
            JobQuery(),
        ):
            with pytest.raises(InvalidQuery):
                await market.search.search(session, other, limit=1, cursor=page.next_cursor)
        for garbage in ("", "not a cursor", "eyJ2IjoxfQ", page.next_cursor[:-3], "%%%"):
            with pytest.raises(InvalidQuery):
                await market.search.search(session, JobQuery(q="engineer"), limit=1, cursor=garbage)
        with pytest.raises(InvalidQuery):
            await market.search.search(session, JobQuery(q="!!!"), limit=1, cursor="bogus")


# Facets ---------------------------------------------------------------------------------------


async def test_facets_count_open_postings_per_value(market: Catalog) -> None:
    facets = await market.facets(JobQuery())
    assert set(facets) == set(FACETS)
    assert facets["workplace"] == {"remote": 2, "hybrid": 2, "onsite": 1}
    assert facets["country"] == {"US": 3, "CA": 1, "GB": 1, "DE": 1, "IN": 1}
    assert facets["employment_type"] == {"full_time": 4, "contract": 1, "part_time": 1}
    assert facets["seniority"] == {"senior": 2, "mid": 2, "lead": 1}
    assert facets["ats"] == {"greenhouse": 2, "lever": 2, "ashby": 1, "workday": 1}
    assert facets["company"] == {
        str(market.companies["Acme"]): 2,
        str(market.companies["Globex"]): 2,
        str(market.companies["Initech"]): 2,
    }


async def test_a_facet_ignores_its_own_filter_and_applies_the_others(market: Catalog) -> None:
    facets = await market.facets(JobQuery(workplaces=("remote",), seniorities=("senior", "mid")))
    # Every workplace is still offered, among senior and mid postings...
    assert facets["workplace"] == {"remote": 2, "hybrid": 1, "onsite": 1}
    # ...and every seniority among remote postings.
    assert facets["seniority"] == {"senior": 2}
    assert facets["ats"] == {"greenhouse": 2}
    assert facets["country"] == {"US": 2, "CA": 1}

    facets = await market.facets(JobQuery(countries=("US",), ats=("lever",)))
    assert facets["country"] == {"US": 1, "GB": 1}
    assert facets["ats"] == {"greenhouse": 2, "lever": 1}
    assert facets["company"] == {str(market.companies["Globex"]): 1}


async def test_facets_count_only_what_the_words_match(market: Catalog) -> None:
    facets = await market.facets(JobQuery(q="engineer", include_closed=True))
    assert facets["workplace"] == {"remote": 2, "hybrid": 2, "onsite": 1}
    assert facets["company"] == {
        str(market.companies["Acme"]): 1,
        str(market.companies["Globex"]): 2,
        str(market.companies["Initech"]): 2,
    }
    facets = await market.facets(JobQuery(q="engineer", location="london"))
    assert facets["workplace"] == {"hybrid": 1}
    assert facets["country"] == {"GB": 1}


# Bounded relevance ----------------------------------------------------------------------------


async def test_a_broad_query_ranks_its_newest_matches_then_lists_the_rest_newest_first(
    crowd: Catalog,
) -> None:
    window = search_for(crowd.db.dialect, rank_window=10)
    async with crowd.db.unit_of_work() as session:
        page = await window.search(session, JobQuery(q="platform"), limit=100)
        by_date = await window.search(session, JobQuery(q="platform", sort="date"), limit=100)
    assert page.total == by_date.total == len(page.ids) > 10
    newest = by_date.ids[:10]
    # The ten newest matches come first, best first (ties newest first)...
    assert set(page.ids[:10]) == set(newest)
    assert set(page.scores) == set(newest)
    ranked = [page.scores[posting_id] for posting_id in page.ids[:10]]
    assert ranked == sorted(ranked, reverse=True)
    assert ranked[0] > ranked[-1]
    # ...then every other match, newest first.
    assert page.ids[10:] == by_date.ids[10:]


@pytest.mark.parametrize(
    "query",
    [
        JobQuery(q="platform"),
        JobQuery(q="engineer"),
        JobQuery(q="platform OR support", workplaces=("remote",)),
        JobQuery(q="-platform"),
    ],
    ids=["relevance", "all-tied", "filtered", "exclusion"],
)
async def test_cursors_page_through_a_bounded_ranking_once_in_order(
    crowd: Catalog, query: JobQuery
) -> None:
    for window in (1, 5, 12):
        bounded = replace(crowd, search=search_for(crowd.db.dialect, rank_window=window))
        for limit in (1, 4, 7):
            assert await _all_pages(bounded, query, limit)


async def test_totals_are_counted_up_to_the_count_limit(crowd: Catalog) -> None:
    async with crowd.db.unit_of_work() as session:
        exact = await crowd.search.search(session, JobQuery(q="platform"), limit=5)
    assert exact.total_exact
    matches = exact.total
    assert matches > 10
    for limit, exact_total in ((matches - 1, False), (matches, True), (matches + 1, True)):
        capped = search_for(crowd.db.dialect, rank_window=3, count_limit=limit)
        async with crowd.db.unit_of_work() as session:
            page = await capped.search(session, JobQuery(q="platform"), limit=5)
        assert (page.total, page.total_exact) == (min(matches, limit), exact_total)
    # Paging is not bounded by the count: every match is still listed once.
    for query in (JobQuery(q="platform"), JobQuery(q="engineer", sort="date"), JobQuery()):
        capped = search_for(crowd.db.dialect, rank_window=3, count_limit=4)
        assert len(await _all_pages(replace(crowd, search=capped), query, 6)) > 4


def test_the_count_limit_must_reach_past_the_rank_window() -> None:
    with pytest.raises(ValueError, match="count_limit"):
        search_for("sqlite", rank_window=10, count_limit=10)
    with pytest.raises(ValueError, match="rank_window"):
        search_for("postgresql", rank_window=0)


async def test_a_window_larger_than_the_matches_ranks_them_all(market: Catalog) -> None:
    exact = search_for(market.db.dialect, rank_window=1)
    everything = search_for(market.db.dialect, rank_window=100)
    async with market.db.unit_of_work() as session:
        page = await everything.search(session, JobQuery(q="engineers"), limit=10)
        one = await exact.search(session, JobQuery(q="engineers"), limit=10)
    assert market.names(page.ids)[-1] == "designer"
    assert len(page.scores) == page.total == 4
    # With a window of one, only the newest match is ranked; the others follow newest first.
    assert market.names(one.ids) == ["backend", "frontend", "designer", "manager"]
    assert list(one.scores) == [market.ids["backend"]]


async def test_a_cursor_survives_a_moving_listed_since(market: Catalog) -> None:
    async with market.db.unit_of_work() as session:
        first = await market.search.search(
            session, JobQuery(q="engineer", listed_since=_days_ago(10)), limit=2
        )
        assert first.next_cursor is not None
        second = await market.search.search(
            session,
            JobQuery(q="engineer", listed_since=_days_ago(10) + timedelta(minutes=5)),
            limit=2,
            cursor=first.next_cursor,
        )
    assert len(first.ids) + len(second.ids) == first.total == 4
    assert not set(first.ids) & set(second.ids)


async def test_a_postings_countries_are_searched_as_they_change(market: Catalog) -> None:
    scientist = market.ids["scientist"]
    async with market.db.unit_of_work() as session:
        await session.execute(
            delete(PostingCountry).where(
                PostingCountry.posting_id == scientist, PostingCountry.country == "CA"
            )
        )
        session.add(PostingCountry(posting_id=scientist, country="PT"))
        session.add(PostingCountry(posting_id=market.ids["java"], country="PT"))
    assert await market.find(JobQuery(countries=("CA",))) == []
    assert set(await market.find(JobQuery(countries=("PT",)))) == {"scientist", "java"}
    assert "scientist" in await market.find(JobQuery(countries=("US",)))
    # A code is matched whole: "P" or "T" alone match nothing.
    assert await market.find(JobQuery(countries=("P", "T"))) == []
    async with market.db.unit_of_work() as session:
        await session.execute(delete(PostingCountry).where(PostingCountry.posting_id == scientist))
    assert set(await market.find(JobQuery(countries=("PT", "US")))) == (
        set(await market.find(JobQuery(countries=("US",)))) - {"scientist"}
    ) | {"java"}
    assert (await market.facets(JobQuery()))["country"]["PT"] == 1


async def test_changes_to_a_posting_are_searched_at_once(market: Catalog) -> None:
    async with market.db.unit_of_work() as session:
        posting = await session.get(Posting, market.ids["java"])
        assert posting is not None
        posting.workplace = "remote"
        posting.city = "Lisbon"
        posting.salary_yearly_max = 300_000.0
        closed = await session.get(Posting, market.ids["backend"])
        assert closed is not None
        closed.status = "closed"
    assert await market.find(JobQuery(workplaces=("remote",))) == ["scientist", "java"]
    assert await market.find(JobQuery(location="lisbon")) == ["java"]
    assert await market.find(JobQuery(salary_min=250_000)) == ["java"]
    assert "backend" not in await market.find(JobQuery(q="engineer"))


# Planner settings are PostgreSQL's: this test runs there only.
@pytest.mark.pg
@pytest.mark.parametrize("migrated_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("query", [JobQuery(q="engineer"), JobQuery(workplaces=("remote",))])
async def test_a_search_leaves_the_sessions_planner_settings_as_they_were(
    market: Catalog, query: JobQuery
) -> None:
    assert market.db.dialect == "postgresql"
    names = ("enable_seqscan", "enable_indexscan", "enable_bitmapscan", "plan_cache_mode")
    read = text(", ".join(f"current_setting('{name}')" for name in names))
    async with market.db.unit_of_work() as session:
        before = (await session.execute(select(read))).one()
        # Both the narrow and the broad way of reading matches.
        for search in (market.search, search_for("postgresql", rank_window=1, count_limit=2)):
            await search.search(session, query, limit=2)
            await search.facets(session, query)
            assert (await session.execute(select(read))).one() == before

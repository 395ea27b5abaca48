"""The search port: full-text and filtered search over postings, with facets.

One query shape (`JobQuery`) and one result shape for every backend. The SQL for the filters,
the pages and the facets is shared (`common.py`), and each backend adds its own text matching
and ranking (FTS5 on SQLite in `sqlite.py`, a `tsvector` on PostgreSQL in `postgres.py`); pick
one with `search_for(dialect)`. Pages are cursors over the sort key, so a page never skips or
repeats a posting when new ones arrive.

Relevance is bounded, by product decision: a search ranks at most its 1,000 most recently listed
matches (`search_for(dialect, rank_window=...)`), best first, then lists its other matches
newest first. A search with fewer matches is ranked exactly. Totals are counted up to
`count_limit` (10,000), beyond which a page says its total is a lower bound.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

Sort = Literal["relevance", "date"]

# The filters facet counts are given for.
FACETS = ("workplace", "country", "employment_type", "seniority", "ats", "company")


@dataclass(frozen=True)
class JobQuery:
    """What a job search asks for. Empty tuples and None mean "any"."""

    # Words to find in title, company and description (relevance-ranked).
    q: str | None = None
    # Words to find in the location (city, region or the location text).
    location: str | None = None
    # ISO 3166-1 alpha-2 codes; a posting matches when any of its locations is in one.
    countries: tuple[str, ...] = ()
    # "remote", "hybrid", "onsite".
    workplaces: tuple[str, ...] = ()
    # Yearly pay the top of the posting's range must reach (postings without pay are excluded).
    salary_min: float | None = None
    # Only postings listed at or after this instant.
    listed_since: datetime | None = None
    company_ids: tuple[uuid.UUID, ...] = ()
    ats: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    seniorities: tuple[str, ...] = ()
    include_closed: bool = False
    # Only these postings (empty: any); auto-apply asks which of its candidates a search finds.
    posting_ids: tuple[uuid.UUID, ...] = ()
    # "relevance" needs `q`; without one, results are newest first.
    sort: Sort = "relevance"

    @property
    def effective_sort(self) -> Sort:
        """The sort actually used: relevance only when there are words to rank by."""
        return "relevance" if self.sort == "relevance" and self.q and self.q.strip() else "date"


@dataclass(frozen=True)
class SearchPage:
    """Posting ids in result order, the cursor of the next page (None on the last), the total."""

    ids: list[uuid.UUID]
    next_cursor: str | None
    # Every match, counted up to the backend's `count_limit`: when `total_exact` is False
    # there are more than `total` matches.
    total: int
    total_exact: bool = True
    # Relevance scores by posting id (higher is better); empty when sorted by date.
    scores: dict[uuid.UUID, float] = field(default_factory=dict)


class InvalidQuery(ValueError):
    """A cursor that does not belong to this query, or words that cannot be searched."""


class PostingSearch(Protocol):
    """Search over the postings tables of one database dialect."""

    async def search(
        self, session: AsyncSession, query: JobQuery, *, limit: int, cursor: str | None = None
    ) -> SearchPage:
        """One page of matching postings; InvalidQuery for a cursor of another query."""

    async def facets(self, session: AsyncSession, query: JobQuery) -> dict[str, dict[str, int]]:
        """For each name in FACETS, the count of matching postings per value.

        A facet's counts ignore that facet's own filter (so choosing "remote" still shows how
        many hybrid postings there are), and apply every other filter.
        """

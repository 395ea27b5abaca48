"""Search on PostgreSQL: the generated, weighted `search_vector` and its GIN index.

`q` is read by `websearch_to_tsquery('english', q)`, which accepts any text (words, "quoted
phrases", `-word`, `OR`) without ever raising. Ranking is `ts_rank` with the weights of the
vector's parts: title (A) 1.0, company (B) 0.5, description (C) 0.1, so that a word in the
title outranks any number of mentions in the description alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, String, bindparam, func, literal_column
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.search.base import FACETS, JobQuery, SearchPage
from jobpilot.jobs.search.common import (
    Matching,
    empty_page,
    facet_counts,
    parse_text,
    search_page,
)

SEARCH_VECTOR: ColumnElement[Any] = literal_column("jobs_postings.search_vector")
# ts_rank's weights, in the order {D, C, B, A}.
RANK_WEIGHTS: ColumnElement[Any] = literal_column("'{0.05, 0.1, 0.5, 1.0}'::real[]")


def _tsquery(q: str) -> ColumnElement[object]:
    return func.websearch_to_tsquery(
        literal_column("'english'::regconfig"),
        bindparam(None, q.replace("\x00", " "), type_=String),
    )


def matching(q: str) -> Matching:
    """How postings matching the words of `q` are selected and scored on PostgreSQL."""
    tsquery = _tsquery(q)
    return Matching(
        where=[SEARCH_VECTOR.bool_op("@@")(tsquery)],
        score=func.ts_rank(RANK_WEIGHTS, SEARCH_VECTOR, tsquery, type_=Float),
    )


class PostgresSearch:
    """PostingSearch over a tsvector column."""

    def _matching(self, query: JobQuery) -> Matching | None:
        text = parse_text(query.q)
        if text is None:
            return Matching(where=[])
        if text.empty:
            return None
        assert query.q is not None
        return matching(query.q)

    async def search(
        self, session: AsyncSession, query: JobQuery, *, limit: int, cursor: str | None = None
    ) -> SearchPage:
        """One page of matching postings; InvalidQuery for a cursor of another query."""
        found = self._matching(query)
        if found is None:
            return empty_page(query, cursor)
        return await search_page(session, query, found, limit=limit, cursor=cursor)

    async def facets(self, session: AsyncSession, query: JobQuery) -> dict[str, dict[str, int]]:
        """For each name in FACETS, the count of matching postings per value."""
        found = self._matching(query)
        if found is None:
            return {facet: {} for facet in FACETS}
        return await facet_counts(session, query, found)

"""Search on PostgreSQL: a weighted `search_vector` to match, a small `rank_vector` to rank.

`q` is read by `websearch_to_tsquery('english', q)`, which accepts any text (words, "quoted
phrases", `-word`, `OR`) without ever raising. A posting matches when its `search_vector`
(title A, company B, description C; GIN-indexed) matches the query. It is scored by `ts_rank`
over its `rank_vector`, title (A, weight 1.0) and company (B, 0.5) only: that vector is small
and stays in the row, while the full vector and the descriptions live out of line (migration
0005), so ranking never reads them. A posting that matches in its description only scores
lowest, and equal scores are ordered newest first.

Relevance ranks at most `rank_window` candidates, the most recently listed matches (see
`common`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, String, bindparam, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.models import Posting
from jobpilot.jobs.search.base import FACETS, JobQuery, SearchPage
from jobpilot.jobs.search.common import (
    POSTINGS,
    Matching,
    empty_page,
    facet_counts,
    parse_text,
    search_page,
)

SEARCH_VECTOR: ColumnElement[Any] = literal_column("jobs_postings.search_vector")
RANK_VECTOR: ColumnElement[Any] = literal_column("jobs_postings.rank_vector")
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

    def rank(candidates: Any) -> tuple[Any, ColumnElement[float]]:
        return candidates, func.ts_rank(
            RANK_WEIGHTS, candidates.c.rank_vector, tsquery, type_=Float
        )

    return Matching(
        where=[SEARCH_VECTOR.bool_op("@@")(tsquery)],
        select_from=Posting.__table__,
        carry=[RANK_VECTOR.label("rank_vector")],
        rank=rank,
    )


async def _prefer_indexes(session: AsyncSession) -> str | None:
    """Steer the planner off sequential scans for this transaction; the previous setting.

    The planner prices `search_vector @@ query` as cheap, but on a sequential scan it reads
    every posting's out-of-line vector: far slower than the GIN index it then passes over.
    """
    previous = await session.scalar(select(func.current_setting("enable_seqscan")))
    await session.execute(select(func.set_config("enable_seqscan", "off", True)))
    return None if previous is None else str(previous)


async def _restore(session: AsyncSession, previous: str | None) -> None:
    if previous is not None:
        await session.execute(select(func.set_config("enable_seqscan", previous, True)))


class PostgresSearch:
    """PostingSearch over tsvector columns.

    A relevance page ranks at most `rank_window` candidates (see `common`).
    """

    def __init__(self, rank_window: int = 1000) -> None:
        self.rank_window = rank_window

    def _matching(self, query: JobQuery) -> Matching | None:
        text = parse_text(query.q)
        if text is None:
            return Matching(where=[], select_from=Posting.__table__)
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
        previous = await _prefer_indexes(session) if found.where else None
        try:
            return await search_page(
                session,
                query,
                found,
                POSTINGS,
                limit=limit,
                cursor=cursor,
                rank_window=self.rank_window,
            )
        finally:
            await _restore(session, previous)

    async def facets(self, session: AsyncSession, query: JobQuery) -> dict[str, dict[str, int]]:
        """For each name in FACETS, the count of matching postings per value."""
        found = self._matching(query)
        if found is None:
            return {facet: {} for facet in FACETS}
        previous = await _prefer_indexes(session) if found.where else None
        try:
            return await facet_counts(session, query, found, POSTINGS)
        finally:
            await _restore(session, previous)

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

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Float, String, bindparam, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.models import Posting
from jobpilot.jobs.search.common import (
    POSTINGS,
    BoundedSearch,
    Matching,
    Projection,
    TextQuery,
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


# The planner prices `search_vector @@ query` as cheap, but it reads the posting's out-of-line
# vector: testing it row by row (on a sequential scan, or on rows another index found) is far
# slower than asking the GIN index for the matches. So a words query turns sequential and plain
# index scans off for its transaction, which leaves bitmap scans led by the GIN index, and writes
# its few-valued filters as expressions no index covers (`WORDS`). Only a broad query (more
# than `count_limit` matches) walks the postings newest first instead, where most rows match:
# with plain index scans only, so that the walk is the one way to read them in order, and with
# its filters tested before the words, so that a vector is read only for rows that pass them.
# Every search is also planned for its own values (never with a cached generic plan): how many
# postings a word or a filter value selects varies too much for one plan to fit all.
_PLANNER_SETTINGS = ("enable_seqscan", "enable_indexscan", "enable_bitmapscan", "plan_cache_mode")


async def _set(session: AsyncSession, **settings: str) -> None:
    """Set planner `settings` until the end of the transaction (one round trip)."""
    await session.execute(
        select(*(func.set_config(name, value, True) for name, value in settings.items()))
    )


async def _narrow(session: AsyncSession) -> None:
    await _set(session, enable_seqscan="off", enable_indexscan="off")


async def _broad(session: AsyncSession) -> None:
    await _set(session, enable_indexscan="on", enable_bitmapscan="off")


# The filter columns that have an index of their own, as expressions no index covers, for
# words queries: a few-valued index (workplace, seniority...) or a range of dates finds
# thousands of rows, and the planner, pricing `@@` as cheap, would test each one's out-of-line
# vector instead of reading the matches from the GIN index.
_C = Posting.__table__.c
WORDS = dataclasses.replace(
    POSTINGS,
    listed_at=func.coalesce(_C.listed_at, _C.listed_at),
    ats=_C.ats + "",
    workplace=_C.workplace + "",
    employment_type=_C.employment_type + "",
    seniority=_C.seniority + "",
    salary_yearly_max=_C.salary_yearly_max + 0.0,
)


def matching(q: str) -> Matching:
    """How postings matching the words of `q` are selected and scored on PostgreSQL."""
    tsquery = _tsquery(q)

    def rank(candidates: Any) -> tuple[Any, ColumnElement[float]]:
        return candidates, func.ts_rank(
            RANK_WEIGHTS, candidates.c.rank_vector, tsquery, type_=Float
        )

    where = [SEARCH_VECTOR.bool_op("@@")(tsquery)]
    carry = [RANK_VECTOR.label("rank_vector")]
    return Matching(
        where=where,
        select_from=Posting.__table__,
        carry=carry,
        rank=rank,
        prepare=_narrow,
        broad=Matching(
            where=where,
            select_from=Posting.__table__,
            carry=carry,
            rank=rank,
            prepare=_broad,
            columns=POSTINGS,
            words_last=True,
        ),
    )


async def _planner_settings(session: AsyncSession) -> dict[str, str]:
    """The current values of the planner settings a search changes."""
    row = (
        await session.execute(select(*(func.current_setting(name) for name in _PLANNER_SETTINGS)))
    ).one()
    return {name: str(value) for name, value in zip(_PLANNER_SETTINGS, row, strict=True)}


T = TypeVar("T")


class PostgresSearch(BoundedSearch):
    """PostingSearch over tsvector columns.

    A relevance page ranks at most `rank_window` candidates (see `common`).
    """

    def everything(self) -> Matching:
        """Every posting (a query without words)."""
        return Matching(where=[], select_from=Posting.__table__)

    def words(self, q: str, text: TextQuery) -> Matching:
        """The postings matching the words of `q`."""
        return matching(q)

    def columns(self, found: Matching) -> Projection:
        """The filter columns, written for the GIN index to lead when there are words."""
        return WORDS if found.where else POSTINGS

    async def planned(self, session: AsyncSession, work: Callable[[], Awaitable[T]]) -> T:
        """Run one search with custom plans; the settings are local to the transaction and
        put back afterwards (an error ends the transaction, and its settings with it)."""
        previous = await _planner_settings(session)
        await _set(session, plan_cache_mode="force_custom_plan")
        result = await work()
        await _set(session, **previous)
        return result

"""Search on SQLite: an FTS5 index over title, company and description, ranked by bm25.

`jobs_postings_fts` holds one row per posting, its rowid the posting's `doc_id` in
`jobs_search_docs` (triggers on `jobs_postings` keep both in step; see migration 0005). The
words of `q` become an FTS5 MATCH expression in which every word and phrase is a quoted string
of plain tokens, so nothing a user types is read as FTS5 syntax.

bm25 weighs a word by how rare it is among all postings, so scores move a little as postings
come and go; a relevance cursor kept across such changes may then skip or repeat a posting.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    Uuid,
    column,
    func,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from jobpilot.jobs.models import Posting
from jobpilot.jobs.search.base import FACETS, JobQuery, SearchPage
from jobpilot.jobs.search.common import (
    Group,
    Matching,
    Term,
    TextQuery,
    empty_page,
    facet_counts,
    parse_text,
    search_page,
)

FTS = table("jobs_postings_fts", column("rowid", Integer))
DOCS = table("jobs_search_docs", column("doc_id", Integer), column("posting_id", Uuid))

# bm25 weights of the FTS5 columns: a word in the title counts ten times one in the description.
TITLE_WEIGHT, COMPANY_WEIGHT, DESCRIPTION_WEIGHT = 10.0, 5.0, 1.0


class CrossJoin(Join):
    """An inner join that SQLite must run with its left side as the outer loop.

    Without statistics SQLite takes any equality on an indexed column of `jobs_postings` (such
    as `status = 'open'`) for a selective one and would run the full-text query once per
    posting; `CROSS JOIN` makes it read the full-text matches first.
    """

    inherit_cache = True


@compiles(CrossJoin, "sqlite")
def _cross_join(join: CrossJoin, compiler: SQLCompiler, **kw: Any) -> str:
    kw["asfrom"] = True
    left = join.left._compiler_dispatch(compiler, **kw)
    right = join.right._compiler_dispatch(compiler, **kw)
    kw.pop("asfrom")
    assert join.onclause is not None
    return f"{left} CROSS JOIN {right} ON {join.onclause._compiler_dispatch(compiler, **kw)}"


def _phrase(term: Term) -> str:
    return '"' + " ".join(term.tokens) + '"'


def _group(group: Group) -> str:
    include = " AND ".join(_phrase(term) for term in group.include)
    if not group.exclude:
        return f"({include})"
    return f"({include}) NOT ({' OR '.join(_phrase(term) for term in group.exclude)})"


def match_expression(groups: tuple[Group, ...]) -> str:
    """The FTS5 MATCH expression for `groups`, each of which must include a term."""
    return " OR ".join(_group(group) for group in groups)


def _match(expression: str) -> ColumnElement[bool]:
    return column("jobs_postings_fts").bool_op("MATCH")(expression)


def _docs_matching(expression: str) -> Select[tuple[uuid.UUID]]:
    return (
        select(DOCS.c.posting_id)
        .join_from(FTS, DOCS, DOCS.c.doc_id == FTS.c.rowid)
        .where(_match(expression))
    )


def matching(text: TextQuery) -> Matching:
    """How postings matching `text` are selected and scored on SQLite."""
    if all(group.include for group in text.groups):
        score = -func.bm25(
            column("jobs_postings_fts"),
            TITLE_WEIGHT,
            COMPANY_WEIGHT,
            DESCRIPTION_WEIGHT,
            type_=Float,
        )
        return Matching(
            where=[_match(match_expression(text.groups))],
            score=score,
            select_from=CrossJoin(
                CrossJoin(FTS, DOCS, DOCS.c.doc_id == FTS.c.rowid),
                Posting.__table__,
                Posting.id == DOCS.c.posting_id,
            ),
        )
    # A group with only exclusions ("-java") cannot be an FTS5 expression on its own: it is the
    # postings outside the matches of its words. Such results are not ranked.
    conditions: list[ColumnElement[bool]] = []
    positive = tuple(group for group in text.groups if group.include)
    if positive:
        conditions.append(Posting.id.in_(_docs_matching(match_expression(positive))))
    for group in text.groups:
        if not group.include:
            words = " OR ".join(_phrase(term) for term in group.exclude)
            conditions.append(Posting.id.not_in(_docs_matching(words)))
    return Matching(where=[or_(*conditions)], score=literal(0.0, Float))


class SqliteSearch:
    """PostingSearch over FTS5."""

    def _matching(self, query: JobQuery) -> Matching | None:
        text = parse_text(query.q)
        if text is None:
            return Matching(where=[])
        if text.empty:
            return None
        return matching(text)

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

"""Search on SQLite: an FTS5 index over title, company and description, ranked by bm25.

`jobs_postings_fts` holds one row per posting, its rowid the posting's `doc_id` in
`jobs_search_docs`, which also holds a narrow copy of everything the filters, the sort and the
facets read (triggers on `jobs_postings` keep both in step; see migration 0005). A search reads
the FTS5 doclist and looks each match up by its integer key in that narrow table: it never
reads the wide `jobs_postings` rows. The words of `q` become an FTS5 MATCH expression in which
every word and phrase is a quoted string of plain tokens, so nothing a user types is read as
FTS5 syntax.

Relevance ranks at most `rank_window` candidates, the most recently listed matches (see
`common`); their bm25 scores are computed in one pass over the doclist that evaluates bm25 for
the candidates only. bm25 weighs a word by how rare it is among all postings, so scores move a
little as postings come and go; a relevance cursor kept across such changes may then skip or
repeat a posting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Double,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    column,
    exists,
    func,
    or_,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from jobpilot.jobs.search.common import (
    BoundedSearch,
    Group,
    Matching,
    Projection,
    Term,
    TextQuery,
)
from jobpilot.kit.db import UTCDateTime

FTS = table("jobs_postings_fts", column("rowid", Integer))

# The narrow copy of jobs_postings that searches read (made by migration 0005, not by models).
DOCS = Table(
    "jobs_search_docs",
    MetaData(),
    Column("doc_id", Integer, primary_key=True),
    Column("posting_id", Uuid, nullable=False),
    Column("status", String(10), nullable=False),
    Column("listed_at", UTCDateTime(timezone=True), nullable=False),
    Column("company_id", Uuid, nullable=False),
    Column("ats", String(40), nullable=False),
    Column("workplace", String(10)),
    Column("employment_type", String(20)),
    Column("seniority", String(20)),
    Column("salary_yearly_max", Double),
    # Location, city and region, lower-cased, one per line.
    Column("place", Text, nullable=False),
    # The posting's ISO country codes as "|US|GB|" ("" when it has none).
    Column("countries", Text, nullable=False),
)


def _in_countries(codes: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(func.instr(DOCS.c.countries, f"|{code}|") > 0 for code in codes))


COLUMNS = Projection(
    table=DOCS,
    id=DOCS.c.posting_id,
    listed_at=DOCS.c.listed_at,
    status=DOCS.c.status,
    company_id=DOCS.c.company_id,
    ats=DOCS.c.ats,
    workplace=DOCS.c.workplace,
    employment_type=DOCS.c.employment_type,
    seniority=DOCS.c.seniority,
    salary_yearly_max=DOCS.c.salary_yearly_max,
    place=lambda pattern: DOCS.c.place.like(pattern, escape="\\"),
    in_countries=_in_countries,
)

# bm25 weights of the FTS5 columns: a word in the title counts ten times one in the description.
TITLE_WEIGHT, COMPANY_WEIGHT, DESCRIPTION_WEIGHT = 10.0, 5.0, 1.0


class CrossJoin(Join):
    """An inner join that SQLite must run with its left side as the outer loop.

    Without statistics SQLite takes any equality on an indexed column (such as
    `status = 'open'`) for a selective one and would run the full-text query once per row;
    `CROSS JOIN` makes it read the full-text matches first.
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


def _matching_docs(expression: str) -> Any:
    return select(FTS.c.rowid).where(_match(expression))


def _ranker(expression: str) -> Any:
    def rank(candidates: Any) -> tuple[Any, ColumnElement[float]]:
        # `rowid + 0` keeps the candidates out of FTS5's own rowid lookups (one doclist read per
        # candidate): the doclist is read once and bm25 runs for the candidates only.
        rowid = FTS.c.rowid + 0
        scores = (
            select(
                rowid.label("key"),
                (
                    -func.bm25(
                        column("jobs_postings_fts"),
                        TITLE_WEIGHT,
                        COMPANY_WEIGHT,
                        DESCRIPTION_WEIGHT,
                        type_=Float,
                    )
                ).label("score"),
            )
            # No candidates, no pass over the doclist (SQLite tests EXISTS once, first).
            .where(
                exists(select(candidates.c.key)),
                _match(expression),
                rowid.in_(select(candidates.c.key)),
            )
            .cte("scores")
            .prefix_with("MATERIALIZED")
        )
        joined = CrossJoin(scores, candidates, candidates.c.key == scores.c.key)
        return joined, scores.c.score

    return rank


def matching(text: TextQuery) -> Matching:
    """How postings matching `text` are selected and scored on SQLite."""
    if all(group.include for group in text.groups):
        expression = match_expression(text.groups)
        return Matching(
            where=[_match(expression)],
            select_from=CrossJoin(FTS, DOCS, DOCS.c.doc_id == FTS.c.rowid),
            key=DOCS.c.doc_id,
            rank=_ranker(expression),
            # A broad query reads its matches' ids once and walks the newest-first index until
            # it has a page (or its candidates); `doc_id + 0` keeps SQLite from looking each
            # match up by its key and sorting them all instead.
            broad=Matching(
                where=[(DOCS.c.doc_id + 0).in_(_matching_docs(expression))],
                select_from=DOCS,
                key=DOCS.c.doc_id,
                rank=_ranker(expression),
            ),
        )
    # A group with only exclusions ("-java") cannot be an FTS5 expression on its own: it is the
    # postings outside the matches of its words. Such results are not ranked (all score 0).
    conditions: list[ColumnElement[bool]] = []
    positive = tuple(group for group in text.groups if group.include)
    if positive:
        conditions.append(DOCS.c.doc_id.in_(_matching_docs(match_expression(positive))))
    for group in text.groups:
        if not group.include:
            words = " OR ".join(_phrase(term) for term in group.exclude)
            conditions.append(DOCS.c.doc_id.not_in(_matching_docs(words)))
    return Matching(where=[or_(*conditions)], select_from=DOCS, key=DOCS.c.doc_id)


class SqliteSearch(BoundedSearch):
    """PostingSearch over FTS5 and the narrow `jobs_search_docs`.

    A relevance page ranks at most `rank_window` candidates (see `common`).
    """

    def everything(self) -> Matching:
        """Every posting (a query without words)."""
        return Matching(where=[], select_from=DOCS, key=DOCS.c.doc_id)

    def words(self, q: str, text: TextQuery) -> Matching:
        """The postings matching `text`."""
        return matching(text)

    def columns(self, found: Matching) -> Projection:
        """The narrow projection's columns."""
        return COLUMNS

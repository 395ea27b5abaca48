"""What both search backends share: the words of a query, the filter SQL, pages and facets.

A backend supplies the columns its filters read (a `Projection`: `jobs_postings` itself on
PostgreSQL, a narrow copy on SQLite), the condition that restricts them to the postings
matching the words of `q`, and how to score a set of candidates. Everything else, the filters,
the keyset pagination, the totals and the facet counts, is written once here.

Relevance is bounded: a query ranks at most `rank_window` candidates (1,000 by default), the
most recently listed of its matches after every filter. When a query matches fewer postings,
all of them are ranked, and the ranking is exact. When it matches more (a broad query such as
"engineer"), the newest `rank_window` matches come first, best first, and the other matches
follow newest first. Paging through every page still returns each match exactly once. This
keeps a broad query as fast as a narrow one, at the price of ranking only the recent part of its
matches, which is what a job seeker reads first.

Totals are bounded the same way: a query counts its matches up to `count_limit` (10,000 by
default) and says whether its `total` is exact; a broader query reports "at least 10,000".
Counting 70,000 matches would cost more than finding and ranking the page. A first page counts
and reads its matches in one statement; later pages carry its count in their cursor.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.models import Posting, PostingCountry
from jobpilot.jobs.search.base import FACETS, InvalidQuery, JobQuery, SearchPage

# PostgreSQL's `english` stop words: words its parser drops from queries and documents alike,
# dropped here too so that both backends find the same postings for "engineer at acme".
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_TOKEN = re.compile(r"[^\W_]+")
_CURSOR_VERSION = 3


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of a query, as the tokens the full-text index holds."""

    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Terms that must all be present (`include`) and terms that must all be absent."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...]


@dataclass(frozen=True)
class TextQuery:
    """The words of `q` read as web-search syntax: groups joined by OR.

    Inside a group, words are ANDed; a "quoted phrase" matches its words in order; a word or
    phrase written with a leading `-` must be absent. OR binds loosest, so `a b OR c` means
    `(a AND b) OR c`, as in PostgreSQL's `websearch_to_tsquery` and in FTS5.
    """

    groups: tuple[Group, ...]

    @property
    def empty(self) -> bool:
        """True when nothing in `q` can be searched for (only punctuation or stop words)."""
        return not self.groups


def _term(text: str, *, phrase: bool) -> Term | None:
    tokens = tuple(token.lower() for token in _TOKEN.findall(text))
    if not tokens or all(token in STOP_WORDS for token in tokens):
        return None
    if len(tokens) == 1 and not phrase and tokens[0] in STOP_WORDS:
        return None
    return Term(tokens)


def parse_text(q: str | None) -> TextQuery | None:
    """The words of `q` (None when there is no `q`); never fails, whatever `q` holds.

    Words and phrases with nothing searchable in them ("!!!", "the") are dropped, as
    PostgreSQL drops them; a query left with no groups is `empty` and matches no posting.
    """
    if q is None or not q.strip():
        return None
    groups: list[Group] = []
    include: list[Term] = []
    exclude: list[Term] = []

    def close_group() -> None:
        if include or exclude:
            groups.append(Group(tuple(include), tuple(exclude)))
        include.clear()
        exclude.clear()

    i, n = 0, len(q)
    while i < n:
        char = q[i]
        if char.isspace():
            i += 1
            continue
        negated = False
        if char == "-":
            while i < n and q[i] == "-":
                i += 1
            if i >= n or q[i].isspace():
                continue
            negated = True
        if q[i] == '"':
            end = q.find('"', i + 1)
            end = n if end < 0 else end
            text, phrase, i = q[i + 1 : end], True, end + 1
        else:
            end = i
            while end < n and not q[end].isspace() and q[end] != '"':
                end += 1
            text, phrase, i = q[i:end], False, end
            if not negated and text.lower() == "or":
                close_group()
                continue
        term = _term(text, phrase=phrase)
        if term is not None:
            (exclude if negated else include).append(term)
    close_group()
    return TextQuery(tuple(groups))


# Projections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """The columns that filters, the sort and the facets read, where a backend keeps them.

    PostgreSQL reads `jobs_postings` itself; SQLite its narrow copy, `jobs_search_docs`. `id` is
    the posting's id. `place` is the condition that a LIKE pattern (lower-cased, `\\` escapes)
    is part of the posting's location, city or region; `in_countries` that one of the posting's
    countries is one of the (upper-case ISO) codes.
    """

    table: Any
    id: ColumnElement[Any]
    listed_at: ColumnElement[Any]
    status: ColumnElement[Any]
    company_id: ColumnElement[Any]
    ats: ColumnElement[Any]
    workplace: ColumnElement[Any]
    employment_type: ColumnElement[Any]
    seniority: ColumnElement[Any]
    salary_yearly_max: ColumnElement[Any]
    place: Callable[[str], ColumnElement[bool]]
    in_countries: Callable[[Sequence[str]], ColumnElement[bool]]


# PostgreSQL's generated, trigram-indexed copy of location, city and region (migration 0005).
_POSTING_PLACE: ColumnElement[str] = literal_column("jobs_postings.place")


def _posting_place(pattern: str) -> ColumnElement[bool]:
    return _POSTING_PLACE.like(pattern, escape="\\")


def _posting_in_countries(codes: Sequence[str]) -> ColumnElement[bool]:
    return Posting.id.in_(
        select(PostingCountry.posting_id).where(PostingCountry.country.in_(codes))
    )


_POSTINGS = Posting.__table__.c

# The filters read straight from `jobs_postings` (on PostgreSQL, whose columns these are).
POSTINGS = Projection(
    table=Posting.__table__,
    id=_POSTINGS.id,
    listed_at=_POSTINGS.listed_at,
    status=_POSTINGS.status,
    company_id=_POSTINGS.company_id,
    ats=_POSTINGS.ats,
    workplace=_POSTINGS.workplace,
    employment_type=_POSTINGS.employment_type,
    seniority=_POSTINGS.seniority,
    salary_yearly_max=_POSTINGS.salary_yearly_max,
    place=_posting_place,
    in_countries=_posting_in_countries,
)


# Filters ------------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """A LIKE pattern (with `\\` as escape) for lower-cased text that contains `text`."""
    escaped = (
        text.replace("\x00", "")
        .lower()
        .replace("\\", "\\\\")
        .replace("%", "\\%")
        .replace("_", "\\_")
    )
    return f"%{escaped}%"


def _facet_condition(
    query: JobQuery, facet: str, columns: Projection
) -> ColumnElement[bool] | None:
    if facet == "workplace" and query.workplaces:
        return columns.workplace.in_(query.workplaces)
    if facet == "country" and query.countries:
        return columns.in_countries(sorted({code.upper() for code in query.countries}))
    if facet == "employment_type" and query.employment_types:
        return columns.employment_type.in_(query.employment_types)
    if facet == "seniority" and query.seniorities:
        return columns.seniority.in_(query.seniorities)
    if facet == "ats" and query.ats:
        return columns.ats.in_(query.ats)
    if facet == "company" and query.company_ids:
        return columns.company_id.in_(query.company_ids)
    return None


def filter_conditions(
    query: JobQuery, columns: Projection, *, skip: str | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE conditions over `columns` for every filter of `query` but the text.

    `skip` names a facet whose own filter is left out (its counts ignore it).
    """
    conditions: list[ColumnElement[bool]] = []
    if not query.include_closed:
        conditions.append(columns.status == "open")
    if query.posting_ids:
        conditions.append(columns.id.in_(query.posting_ids))
    if query.location and query.location.strip():
        conditions.append(columns.place(like_pattern(query.location.strip())))
    if query.salary_min is not None:
        conditions.append(columns.salary_yearly_max >= query.salary_min)
    if query.listed_since is not None:
        conditions.append(columns.listed_at >= query.listed_since)
    for facet in FACETS:
        if facet != skip:
            condition = _facet_condition(query, facet, columns)
            if condition is not None:
                conditions.append(condition)
    return conditions


# Cursors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateKey:
    """A posting's place in newest-first order: (listed_at desc, id desc)."""

    listed_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class Position:
    """Where a page ended.

    `ranked` says whether the last posting was one of the ranked candidates (then `score` is
    its score) or of the matches listed newest first after them. `boundary` is the oldest
    candidate when matches older than it were left out of the ranking (None when every match
    was ranked). `total` and `total_exact` are the first page's count, which later pages
    report again rather than count again.
    """

    ranked: bool
    score: float | None
    key: DateKey
    boundary: DateKey | None = None
    total: int = 0
    total_exact: bool = True


def query_hash(query: JobQuery) -> str:
    """A short digest of everything that decides which postings a query finds, in what order.

    `listed_since` is left out: the service computes it from the current time (`posted_within`),
    so it moves between two pages of one search.
    """
    fields = dataclasses.asdict(query)
    fields.pop("listed_since")
    fields["sort"] = query.effective_sort
    fields["company_ids"] = sorted(str(company_id) for company_id in query.company_ids)
    fields["posting_ids"] = sorted(str(posting_id) for posting_id in query.posting_ids)
    canonical = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _encode_key(key: DateKey | None) -> list[str] | None:
    return None if key is None else [key.listed_at.isoformat(), key.id.hex]


def _decode_key(raw: Any) -> DateKey | None:
    if raw is None:
        return None
    listed_at, posting_id = raw
    key = DateKey(listed_at=datetime.fromisoformat(listed_at), id=uuid.UUID(hex=posting_id))
    if key.listed_at.tzinfo is None:
        raise InvalidQuery("the cursor is not valid")
    return key


def encode_cursor(query: JobQuery, position: Position) -> str:
    """An opaque cursor for the page after `position`, valid for `query` only."""
    payload = {
        "v": _CURSOR_VERSION,
        "h": query_hash(query),
        "r": position.ranked,
        "s": position.score,
        "k": _encode_key(position.key),
        "b": _encode_key(position.boundary),
        "t": position.total,
        "x": position.total_exact,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(query: JobQuery, cursor: str) -> Position:
    """The position in `cursor`; InvalidQuery when it is malformed or from another query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["v"] != _CURSOR_VERSION:
            raise InvalidQuery("this cursor is from an older version; search again")
        digest = payload["h"]
        ranked, score = payload["r"], payload["s"]
        key = _decode_key(payload["k"])
        if not isinstance(ranked, bool) or key is None:
            raise InvalidQuery("the cursor is not valid")
        position = Position(
            ranked=ranked,
            score=None if score is None else float(score),
            key=key,
            boundary=_decode_key(payload["b"]),
            total=payload["t"],
            total_exact=payload["x"],
        )
        if (
            not isinstance(position.total, int)
            or isinstance(position.total, bool)
            or position.total < 0
            or not isinstance(position.total_exact, bool)
        ):
            raise InvalidQuery("the cursor is not valid")
    except InvalidQuery:
        raise
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError, KeyError) as exc:
        raise InvalidQuery("the cursor is not valid") from exc
    if digest != query_hash(query):
        raise InvalidQuery("the cursor belongs to another search")
    relevance = query.effective_sort == "relevance"
    if position.ranked != (position.score is not None) or (position.ranked and not relevance):
        raise InvalidQuery("the cursor is not valid")
    if position.boundary is not None and not position.ranked:
        raise InvalidQuery("the cursor is not valid")
    return position


# Pages --------------------------------------------------------------------------------------


# Each keyset condition also bounds `listed_at` on its own (redundantly), which an index on
# `listed_at` can use as a range: the OR alone would make a database read the whole index.


def _older(key: DateKey, listed_at: Any, posting_id: Any) -> ColumnElement[bool]:
    """Postings after `key` newest first."""
    return and_(
        listed_at <= key.listed_at,
        or_(listed_at < key.listed_at, and_(listed_at == key.listed_at, posting_id < key.id)),
    )


def _not_older(key: DateKey, listed_at: Any, posting_id: Any) -> ColumnElement[bool]:
    """`key` and the postings before it newest first."""
    return and_(
        listed_at >= key.listed_at,
        or_(listed_at > key.listed_at, and_(listed_at == key.listed_at, posting_id >= key.id)),
    )


def _after_ranked(
    score: float, key: DateKey, scores: Any, listed_at: Any, posting_id: Any
) -> ColumnElement[bool]:
    """Postings after (score, key) in (score desc, listed_at desc, id asc) order."""
    return or_(
        scores < score,
        and_(
            scores == score,
            or_(
                listed_at < key.listed_at,
                and_(listed_at == key.listed_at, posting_id > key.id),
            ),
        ),
    )


# Scores `candidates` (a CTE with the columns `key`, `id`, `listed_at` and the `carry` columns
# of its Matching): what to select from (candidates joined to whatever holds the scores) and
# the score of each candidate.
Ranker = Callable[[Any], tuple[Any, ColumnElement[float]]]


@dataclass(frozen=True)
class Matching:
    """Postings matching the words of a query, as a backend expresses them.

    `select_from` is what the statement selects from (the projection's table, or a join that
    ends in it) and `where` restricts it to the postings whose text matches. `key` is the
    column that identifies a match to `rank` (the posting's id when None), `carry` are the
    labelled columns `rank` reads from the candidates, and `rank` scores the candidates (all
    score 0.0 when None).
    """

    where: Sequence[ColumnElement[bool]]
    select_from: Any
    key: ColumnElement[Any] | None = None
    carry: Sequence[ColumnElement[Any]] = ()
    rank: Ranker | None = None
    # The same matches, written for a query with more than `count_limit` of them: one that
    # walks the postings newest first and keeps the matches, instead of finding every match
    # and sorting them.
    broad: Matching | None = None
    # Run before the statements that read these matches (a backend's planner settings).
    prepare: Callable[[AsyncSession], Awaitable[None]] | None = None
    # The columns the filters read when not those the backend searches with otherwise.
    columns: Projection | None = None
    # Test the words only on rows that pass the filters (for a planner that would otherwise
    # test the costly match first).
    words_last: bool = False


@dataclass(frozen=True)
class _Hit:
    id: uuid.UUID
    listed_at: datetime
    score: float | None


class Pager:
    """Reads the pages of one query: its matches, filters and sort over one projection.

    Relevance ranks at most `rank_window` candidates: the most recently listed matches. When
    there are more matches, the rest follow the candidates newest first.
    """

    def __init__(
        self, query: JobQuery, matching: Matching, columns: Projection, rank_window: int
    ) -> None:
        self.query = query
        self.matching = matching
        self.columns = columns
        self.rank_window = rank_window
        filters = filter_conditions(query, columns)
        self.where: list[ColumnElement[bool]] = [*filters, *matching.where]
        if matching.words_last and filters and matching.where:
            # A CASE is evaluated in the order written, whatever order the planner picks.
            words = case((and_(*filters), and_(*matching.where)), else_=false())
            self.where = [*filters, words]

    def _matches(self, *columns: Any) -> Select[Any]:
        return select(*columns).select_from(self.matching.select_from).where(*self.where)

    def newest(self, after: DateKey | None, limit: int) -> Select[Any]:
        """Up to `limit` matches newest first, after `after`."""
        c = self.columns
        stmt = self._matches(c.id.label("id"), c.listed_at.label("listed_at"))
        if after is not None:
            stmt = stmt.where(_older(after, c.listed_at, c.id))
        return stmt.order_by(c.listed_at.desc(), c.id.desc()).limit(limit)

    def _candidate_columns(self) -> list[ColumnElement[Any]]:
        c = self.columns
        key = self.matching.key if self.matching.key is not None else c.id
        return [key.label("key"), c.id.label("id"), c.listed_at.label("listed_at")]

    def ranked(self, position: Position | None, limit: int) -> Select[Any]:
        """Up to `limit` candidates in (score desc, listed_at desc, id asc) order.

        On the first page the candidates are the `rank_window` newest matches; after a cursor,
        the matches no older than its boundary. Each row also says how many candidates there
        are (`candidates`) and the oldest of them (`boundary_listed_at`, `boundary_id`).
        """
        c = self.columns
        stmt = self._matches(*self._candidate_columns(), *self.matching.carry)
        if position is None:
            stmt = stmt.order_by(c.listed_at.desc(), c.id.desc()).limit(self.rank_window)
        elif position.boundary is not None:
            stmt = stmt.where(_not_older(position.boundary, c.listed_at, c.id))
        # Read four times below (scores, join, count, oldest): computed once.
        candidates = stmt.cte("candidates").prefix_with("MATERIALIZED")
        return self._ranked_page(candidates, position, limit)

    def first_ranked(self, count_limit: int, limit: int) -> Select[Any]:
        """The first relevance page, and the matches counted up to `count_limit`, at once.

        The matches are read once, up to `count_limit` of them, in any order: when there are
        no more than that, they are all the matches, and the candidates are their `rank_window`
        newest. Every row has `matched`, the count; without matches there is one row, whose
        other columns are NULL. (With more matches, the caller discards the page.)
        """
        capped = (
            self._matches(*self._candidate_columns(), *self.matching.carry)
            .limit(count_limit)
            .cte("capped")
            .prefix_with("MATERIALIZED")
        )
        # A broad query's page is discarded: it ranks nothing (the condition is evaluated once).
        within = select(func.count()).select_from(capped).scalar_subquery() < count_limit
        candidates = (
            select(*capped.c)
            .where(within)
            .order_by(capped.c.listed_at.desc(), capped.c.id.desc())
            .limit(self.rank_window)
            .cte("candidates")
            .prefix_with("MATERIALIZED")
        )
        return self._ranked_page(candidates, None, limit, capped=capped)

    def _ranked_page(
        self, candidates: Any, position: Position | None, limit: int, capped: Any = None
    ) -> Select[Any]:
        if self.matching.rank is None:
            source: Any = candidates
            score: ColumnElement[float] = literal(0.0, Float)
        else:
            source, score = self.matching.rank(candidates)
        oldest = (
            select(candidates.c.listed_at, candidates.c.id)
            .order_by(candidates.c.listed_at.asc(), candidates.c.id.asc())
            .limit(1)
            .subquery("oldest")
        )
        # Materialized on PostgreSQL, which would otherwise compute a score each time a cursor's
        # condition compares it (SQLite computes it once either way, and faster inline).
        scored = (
            select(
                candidates.c.id,
                candidates.c.listed_at,
                score.label("score"),
            )
            .select_from(source)
            .cte("scored")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        columns = [
            scored.c.id,
            scored.c.listed_at,
            scored.c.score,
            select(func.count()).select_from(candidates).scalar_subquery().label("candidates"),
            oldest.c.listed_at.label("boundary_listed_at"),
            oldest.c.id.label("boundary_id"),
        ]
        ranked = scored.join(oldest, true())
        if capped is None:
            page = select(*columns).select_from(ranked)
        else:
            counted = select(func.count().label("matched")).select_from(capped).subquery("counted")
            page = select(counted.c.matched, *columns).select_from(
                counted.outerjoin(ranked, true())
            )
        if position is not None:
            assert position.score is not None
            page = page.where(
                _after_ranked(
                    position.score, position.key, scored.c.score, scored.c.listed_at, scored.c.id
                )
            )
        return page.order_by(
            scored.c.score.desc(), scored.c.listed_at.desc(), scored.c.id.asc()
        ).limit(limit)

    def first_newest(self, count_limit: int, limit: int) -> Select[Any]:
        """The first newest-first page, and the matches counted up to `count_limit`, at once.

        As `first_ranked`: every row has `matched`, and without matches there is one row whose
        other columns are NULL.
        """
        c = self.columns
        capped = (
            self._matches(c.id.label("id"), c.listed_at.label("listed_at"))
            .limit(count_limit)
            .cte("capped")
            .prefix_with("MATERIALIZED")
        )
        counted = select(func.count().label("matched")).select_from(capped).subquery("counted")
        newest = (
            select(capped.c.id, capped.c.listed_at)
            .order_by(capped.c.listed_at.desc(), capped.c.id.desc())
            .limit(limit)
            .subquery("newest")
        )
        return (
            select(counted.c.matched, newest.c.id, newest.c.listed_at)
            .select_from(counted.outerjoin(newest, true()))
            .order_by(newest.c.listed_at.desc(), newest.c.id.desc())
        )


def _ranked_hits(rows: Sequence[Any]) -> list[_Hit]:
    return [_Hit(row.id, row.listed_at, float(row.score)) for row in rows if row.id is not None]


def _first_boundary(rows: Sequence[Any], rank_window: int, matches: int) -> DateKey | None:
    """The oldest candidate of a first page, when older matches were left out of its ranking."""
    if rows and rows[0].id is not None:
        candidates = int(rows[0].candidates)
        if candidates >= rank_window and matches > candidates:
            return DateKey(rows[0].boundary_listed_at, rows[0].boundary_id)
    return None


async def search_page(
    session: AsyncSession,
    query: JobQuery,
    matching: Matching,
    columns: Projection,
    *,
    limit: int,
    cursor: str | None,
    rank_window: int,
    count_limit: int,
) -> SearchPage:
    """Count the matches of `query` (up to `count_limit`) and read the page after `cursor`.

    Sorted by relevance, a first page ranks the `rank_window` newest matches (all of them when
    there are fewer); the matches older than those follow, newest first. The cursor says which
    of the two parts a page ended in, and where the ranked part ends.
    """
    if limit < 1:
        msg = "limit must be at least 1"
        raise ValueError(msg)
    check_limits(rank_window, count_limit)
    position = None if cursor is None else decode_cursor(query, cursor)
    pager = Pager(query, matching, columns, rank_window)
    await _prepare(session, matching)
    ranking = query.effective_sort == "relevance" and (position is None or position.ranked)
    first: Sequence[Any] = []
    if position is None:
        # A first page counts and reads its matches in one statement (one more than the limit
        # tells "exactly count_limit" from "more than that").
        statement = pager.first_ranked if ranking else pager.first_newest
        first = (await session.execute(statement(count_limit + 1, limit + 1))).all()
        counted = int(first[0].matched)
    else:
        # Later pages repeat the first page's count.
        counted = position.total if position.total_exact else count_limit + 1
    total, total_exact = min(counted, count_limit), counted <= count_limit
    if not total_exact:
        # A broad query: its first page is read again, the broad way.
        first = []
        broad = matching.broad
        if broad is not None:
            pager = Pager(query, broad, broad.columns or columns, rank_window)
            await _prepare(session, broad)
    hits, boundary = await _hits(session, pager, position, ranking, first, counted, limit)
    page = hits[:limit]
    next_cursor = None
    if len(hits) > limit:
        last = page[-1]
        next_cursor = encode_cursor(
            query,
            Position(
                ranked=last.score is not None,
                score=last.score,
                key=DateKey(last.listed_at, last.id),
                boundary=boundary if last.score is not None else None,
                total=total,
                total_exact=total_exact,
            ),
        )
    scores = {hit.id: hit.score for hit in page if hit.score is not None}
    return SearchPage(
        ids=[hit.id for hit in page],
        next_cursor=next_cursor,
        total=total,
        total_exact=total_exact,
        scores=scores,
    )


async def _prepare(session: AsyncSession, matching: Matching) -> None:
    if matching.prepare is not None:
        await matching.prepare(session)


async def _hits(
    session: AsyncSession,
    pager: Pager,
    position: Position | None,
    ranking: bool,
    first: Sequence[Any],
    matches: int,
    limit: int,
) -> tuple[list[_Hit], DateKey | None]:
    """Up to `limit + 1` hits after `position` (from `first` when it holds the first page), and
    the oldest ranked candidate when older matches follow the ranked ones."""
    hits: list[_Hit] = []
    boundary: DateKey | None = None
    rest_after: DateKey | None = None
    if ranking:
        if position is None:
            rows = first or (await session.execute(pager.ranked(None, limit + 1))).all()
            boundary = _first_boundary(rows, pager.rank_window, matches)
        else:
            rows = (await session.execute(pager.ranked(position, limit + 1))).all()
            boundary = position.boundary
        hits = _ranked_hits(rows)
        rest_after = boundary
        more = len(hits) <= limit and boundary is not None
    elif position is None and first:
        hits = [_Hit(row.id, row.listed_at, None) for row in first if row.id is not None]
        more = False
    else:
        rest_after = position.key if position is not None else None
        more = True
    if more and len(hits) <= limit:
        rows = (await session.execute(pager.newest(rest_after, limit + 1 - len(hits)))).all()
        hits += [_Hit(row.id, row.listed_at, None) for row in rows]
    return hits, boundary


def check_limits(rank_window: int, count_limit: int) -> None:
    """ValueError unless both bounds are usable; counting must reach past the rank window
    (which is how a first page knows that older matches follow its candidates)."""
    if rank_window < 1:
        msg = "rank_window must be at least 1"
        raise ValueError(msg)
    if count_limit <= rank_window:
        msg = "count_limit must be greater than rank_window"
        raise ValueError(msg)


def empty_page(query: JobQuery, cursor: str | None) -> SearchPage:
    """The page of a query whose words match nothing (its cursor is still checked)."""
    if cursor is not None:
        decode_cursor(query, cursor)
    return SearchPage(ids=[], next_cursor=None, total=0)


# Facets -------------------------------------------------------------------------------------

# Facets that are a column with a handful of values: counted together in one GROUP BY over
# their combinations when none of them is being filtered on.
_SMALL_FACETS = ("workplace", "employment_type", "seniority", "ats")


def _counts(rows: Iterable[Any]) -> dict[str, int]:
    return {str(value): int(count) for value, count in rows if value is not None}


async def facet_counts(
    session: AsyncSession, query: JobQuery, matching: Matching, columns: Projection
) -> dict[str, dict[str, int]]:
    """For each name in FACETS, the matching postings per value, ignoring that facet's filter."""
    result: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    if matching.prepare is not None:
        await matching.prepare(session)
    by_facet: dict[str, ColumnElement[Any]] = {
        "workplace": columns.workplace,
        "employment_type": columns.employment_type,
        "seniority": columns.seniority,
        "ats": columns.ats,
        "company": columns.company_id,
    }

    def where(skip: str | None) -> list[ColumnElement[bool]]:
        return [*matching.where, *filter_conditions(query, columns, skip=skip)] or [true()]

    def grouped(skip: str | None, *group: ColumnElement[Any]) -> Select[Any]:
        return (
            select(*group, func.count())
            .select_from(matching.select_from)
            .where(*where(skip))
            .group_by(*group)
        )

    shared = [
        facet
        for facet in (*_SMALL_FACETS, "company")
        if _facet_condition(query, facet, columns) is None
    ]
    if shared:
        totals: dict[str, Counter[str]] = {facet: Counter() for facet in shared}
        combined = grouped(None, *(by_facet[facet] for facet in shared))
        for *values, count in (await session.execute(combined)).all():
            for facet, value in zip(shared, values, strict=True):
                if value is not None:
                    totals[facet][str(value)] += int(count)
        for facet in shared:
            result[facet] = dict(totals[facet])
    for facet, column in by_facet.items():
        if facet not in shared:
            result[facet] = _counts((await session.execute(grouped(facet, column))).all())

    countries = (
        select(PostingCountry.country, func.count())
        .select_from(matching.select_from)
        .join(PostingCountry, PostingCountry.posting_id == columns.id)
        .where(*where("country"))
        .group_by(PostingCountry.country)
    )
    result["country"] = _counts((await session.execute(countries)).all())
    return result


# The port, over one backend ------------------------------------------------------------------

T = TypeVar("T")


class BoundedSearch(ABC):
    """A PostingSearch from a backend's matching and columns: the bounds, reading `q`, pages and
    facets are the same for every backend."""

    def __init__(self, rank_window: int = 1000, count_limit: int = 10_000) -> None:
        check_limits(rank_window, count_limit)
        self.rank_window = rank_window
        self.count_limit = count_limit

    @abstractmethod
    def everything(self) -> Matching:
        """Every posting (a query without words)."""

    @abstractmethod
    def words(self, q: str, text: TextQuery) -> Matching:
        """The postings matching the words of `q` (read as `text`, which is not empty)."""

    @abstractmethod
    def columns(self, found: Matching) -> Projection:
        """The columns the filters read for `found`."""

    async def planned(self, session: AsyncSession, work: Callable[[], Awaitable[T]]) -> T:
        """Run one search's statements; a backend may set its planner up around them."""
        return await work()

    def _found(self, query: JobQuery) -> Matching | None:
        text = parse_text(query.q)
        if text is None:
            return self.everything()
        if text.empty:
            return None
        assert query.q is not None
        return self.words(query.q, text)

    async def search(
        self, session: AsyncSession, query: JobQuery, *, limit: int, cursor: str | None = None
    ) -> SearchPage:
        """One page of matching postings; InvalidQuery for a cursor of another query."""
        found = self._found(query)
        if found is None:
            return empty_page(query, cursor)
        return await self.planned(
            session,
            lambda: search_page(
                session,
                query,
                found,
                self.columns(found),
                limit=limit,
                cursor=cursor,
                rank_window=self.rank_window,
                count_limit=self.count_limit,
            ),
        )

    async def facets(self, session: AsyncSession, query: JobQuery) -> dict[str, dict[str, int]]:
        """For each name in FACETS, the count of matching postings per value."""
        found = self._found(query)
        if found is None:
            return {facet: {} for facet in FACETS}
        return await self.planned(
            session, lambda: facet_counts(session, query, found, self.columns(found))
        )

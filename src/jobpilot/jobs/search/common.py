"""What both search backends share: the words of a query, the filter SQL, pages and facets.

A backend supplies two things: the condition that restricts postings to those matching the
words of `q` (and, when results are ranked, the score of each), and a way to run the
statement. Everything else, the filters, the keyset pagination, the totals and the facet
counts, is written once here over `Posting` and `PostingCountry`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
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
_CURSOR_VERSION = 1


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


# Filters ------------------------------------------------------------------------------------


def _like_pattern(text: str) -> str:
    escaped = (
        text.replace("\x00", "")
        .lower()
        .replace("\\", "\\\\")
        .replace("%", "\\%")
        .replace("_", "\\_")
    )
    return f"%{escaped}%"


def _facet_condition(query: JobQuery, facet: str) -> ColumnElement[bool] | None:
    if facet == "workplace" and query.workplaces:
        return Posting.workplace.in_(query.workplaces)
    if facet == "country" and query.countries:
        codes = sorted({code.upper() for code in query.countries})
        return Posting.id.in_(
            select(PostingCountry.posting_id).where(PostingCountry.country.in_(codes))
        )
    if facet == "employment_type" and query.employment_types:
        return Posting.employment_type.in_(query.employment_types)
    if facet == "seniority" and query.seniorities:
        return Posting.seniority.in_(query.seniorities)
    if facet == "ats" and query.ats:
        return Posting.ats.in_(query.ats)
    if facet == "company" and query.company_ids:
        return Posting.company_id.in_(query.company_ids)
    return None


def filter_conditions(query: JobQuery, *, skip: str | None = None) -> list[ColumnElement[bool]]:
    """The WHERE conditions over `Posting` for every filter of `query` but the text.

    `skip` names a facet whose own filter is left out (its counts ignore it).
    """
    conditions: list[ColumnElement[bool]] = []
    if not query.include_closed:
        conditions.append(Posting.status == "open")
    if query.location and query.location.strip():
        pattern = _like_pattern(query.location.strip())
        conditions.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Posting.location, Posting.city, Posting.region)
                )
            )
        )
    if query.salary_min is not None:
        conditions.append(Posting.salary_yearly_max >= query.salary_min)
    if query.listed_since is not None:
        conditions.append(Posting.listed_at >= query.listed_since)
    for facet in FACETS:
        if facet != skip:
            condition = _facet_condition(query, facet)
            if condition is not None:
                conditions.append(condition)
    return conditions


# Cursors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """Where a page ended: the sort key of its last posting."""

    score: float | None
    listed_at: datetime
    id: uuid.UUID


def query_hash(query: JobQuery) -> str:
    """A short digest of everything that decides which postings a query finds, in what order."""
    fields = dataclasses.asdict(query)
    fields["sort"] = query.effective_sort
    fields["company_ids"] = sorted(str(company_id) for company_id in query.company_ids)
    canonical = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(query: JobQuery, key: SortKey) -> str:
    """An opaque cursor for the page after `key`, valid for `query` only."""
    payload = {
        "v": _CURSOR_VERSION,
        "h": query_hash(query),
        "k": [key.score, key.listed_at.isoformat(), key.id.hex],
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(query: JobQuery, cursor: str) -> SortKey:
    """The sort key in `cursor`; InvalidQuery when it is malformed or from another query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["v"] != _CURSOR_VERSION:
            raise InvalidQuery("this cursor is from an older version; search again")
        digest = payload["h"]
        score, listed_at, posting_id = payload["k"]
        key = SortKey(
            score=None if score is None else float(score),
            listed_at=datetime.fromisoformat(listed_at),
            id=uuid.UUID(hex=posting_id),
        )
    except InvalidQuery:
        raise
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError, KeyError) as exc:
        raise InvalidQuery("the cursor is not valid") from exc
    if digest != query_hash(query):
        raise InvalidQuery("the cursor belongs to another search")
    if key.listed_at.tzinfo is None:
        raise InvalidQuery("the cursor is not valid")
    if (key.score is None) != (query.effective_sort == "date"):
        raise InvalidQuery("the cursor is not valid")
    return key


# Pages --------------------------------------------------------------------------------------


def _after(key: SortKey, listed_at: Any, posting_id: Any, score: Any = None) -> ColumnElement[bool]:
    if score is None:
        return or_(
            listed_at < key.listed_at,
            and_(listed_at == key.listed_at, posting_id < key.id),
        )
    assert key.score is not None
    return or_(
        score < key.score,
        and_(
            score == key.score,
            or_(
                listed_at < key.listed_at,
                and_(listed_at == key.listed_at, posting_id > key.id),
            ),
        ),
    )


@dataclass(frozen=True)
class Matching:
    """Postings matching the words of a query, as a backend expresses them.

    `select_from` is what the statement selects from (`Posting`, or a join that ends in it);
    `where` restricts it to the postings whose text matches; `score` is the relevance of each
    (higher is better), used when sorting by relevance.
    """

    where: Sequence[ColumnElement[bool]]
    score: ColumnElement[float] | None = None
    select_from: Any = Posting


async def search_page(
    session: AsyncSession,
    query: JobQuery,
    matching: Matching,
    *,
    limit: int,
    cursor: str | None,
) -> SearchPage:
    """Count the matches of `query` and read the page after `cursor` in its sort order."""
    if limit < 1:
        msg = "limit must be at least 1"
        raise ValueError(msg)
    key = None if cursor is None else decode_cursor(query, cursor)
    sort = query.effective_sort
    score = matching.score if sort == "relevance" else None
    where = [*matching.where, *filter_conditions(query)]

    count = select(func.count()).select_from(matching.select_from).where(*where)
    total = int(await session.scalar(count) or 0)
    if score is None:
        if key is not None:
            where.append(_after(key, Posting.listed_at, Posting.id))
        stmt: Any = (
            select(Posting.id, Posting.listed_at)
            .select_from(matching.select_from)
            .where(*where)
            .order_by(Posting.listed_at.desc(), Posting.id.desc())
        )
    elif key is None:
        stmt = (
            select(Posting.id, Posting.listed_at, score.label("score"))
            .select_from(matching.select_from)
            .where(*where)
            .order_by(score.desc(), Posting.listed_at.desc(), Posting.id.asc())
        )
    else:
        # After a cursor the score is computed once per posting in a subquery (OFFSET 0 keeps it
        # one) that the cursor's condition and the order read; without a cursor the plain form
        # lets PostgreSQL rank in parallel workers.
        ranked = (
            select(Posting.id, Posting.listed_at, score.label("score"))
            .select_from(matching.select_from)
            .where(*where)
            .offset(0)
            .subquery("ranked")
        )
        stmt = (
            select(ranked.c.id, ranked.c.listed_at, ranked.c.score)
            .where(_after(key, ranked.c.listed_at, ranked.c.id, ranked.c.score))
            .order_by(ranked.c.score.desc(), ranked.c.listed_at.desc(), ranked.c.id.asc())
        )
    rows = (await session.execute(stmt.limit(limit + 1))).all()
    page = rows[:limit]
    ids = [row.id for row in page]
    scores = {row.id: float(row.score) for row in page} if score is not None else {}
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor(
            query,
            SortKey(
                score=float(last.score) if score is not None else None,
                listed_at=last.listed_at,
                id=last.id,
            ),
        )
    return SearchPage(ids=ids, next_cursor=next_cursor, total=total, scores=scores)


def empty_page(query: JobQuery, cursor: str | None) -> SearchPage:
    """The page of a query whose words match nothing (its cursor is still checked)."""
    if cursor is not None:
        decode_cursor(query, cursor)
    return SearchPage(ids=[], next_cursor=None, total=0)


# Facets -------------------------------------------------------------------------------------

# Facets that are a column of `Posting` with a handful of values: counted together in one
# GROUP BY over their combinations when none of them is being filtered on.
_SMALL_FACETS = {
    "workplace": Posting.workplace,
    "employment_type": Posting.employment_type,
    "seniority": Posting.seniority,
    "ats": Posting.ats,
}


def _counts(rows: Iterable[Any]) -> dict[str, int]:
    return {str(value): int(count) for value, count in rows if value is not None}


async def facet_counts(
    session: AsyncSession, query: JobQuery, matching: Matching
) -> dict[str, dict[str, int]]:
    """For each name in FACETS, the matching postings per value, ignoring that facet's filter."""
    result: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}

    def where(skip: str | None) -> list[ColumnElement[bool]]:
        return [*matching.where, *filter_conditions(query, skip=skip)] or [true()]

    shared = [facet for facet in _SMALL_FACETS if _facet_condition(query, facet) is None]
    if shared:
        columns = [_SMALL_FACETS[facet] for facet in shared]
        combined = (
            select(*columns, func.count())
            .select_from(matching.select_from)
            .where(*where(None))
            .group_by(*columns)
        )
        totals: dict[str, Counter[str]] = {facet: Counter() for facet in shared}
        for *values, count in (await session.execute(combined)).all():
            for facet, value in zip(shared, values, strict=True):
                if value is not None:
                    totals[facet][str(value)] += int(count)
        for facet in shared:
            result[facet] = dict(totals[facet])
    for facet, column in _SMALL_FACETS.items():
        if facet not in shared:
            one = (
                select(column, func.count())
                .select_from(matching.select_from)
                .where(*where(facet))
                .group_by(column)
            )
            result[facet] = _counts((await session.execute(one)).all())

    companies = (
        select(Posting.company_id, func.count())
        .select_from(matching.select_from)
        .where(*where("company"))
        .group_by(Posting.company_id)
    )
    result["company"] = _counts((await session.execute(companies)).all())

    countries = (
        select(PostingCountry.country, func.count())
        .select_from(matching.select_from)
        .join(PostingCountry, PostingCountry.posting_id == Posting.id)
        .where(*where("country"))
        .group_by(PostingCountry.country)
    )
    result["country"] = _counts((await session.execute(countries)).all())
    return result

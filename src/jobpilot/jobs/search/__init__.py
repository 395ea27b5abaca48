"""Job search: one port (`base.PostingSearch`) and a backend per database dialect."""

from __future__ import annotations

from jobpilot.jobs.search.base import (
    FACETS,
    InvalidQuery,
    JobQuery,
    PostingSearch,
    SearchPage,
    Sort,
)
from jobpilot.jobs.search.postgres import PostgresSearch
from jobpilot.jobs.search.sqlite import SqliteSearch

__all__ = [
    "FACETS",
    "InvalidQuery",
    "JobQuery",
    "PostingSearch",
    "SearchPage",
    "Sort",
    "search_for",
]


def search_for(dialect: str, rank_window: int = 1000, count_limit: int = 10_000) -> PostingSearch:
    """The search backend of a database dialect: "sqlite" or "postgresql".

    A relevance search ranks at most `rank_window` of its most recently listed matches; the
    others follow newest first. Totals are exact up to `count_limit` (see `common`).
    """
    if dialect == "sqlite":
        return SqliteSearch(rank_window, count_limit)
    if dialect == "postgresql":
        return PostgresSearch(rank_window, count_limit)
    msg = f"no posting search for the {dialect!r} dialect"
    raise ValueError(msg)

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


def search_for(dialect: str, rank_window: int = 1000) -> PostingSearch:
    """The search backend of a database dialect: "sqlite" or "postgresql".

    A relevance search ranks at most `rank_window` of its most recently listed matches; the
    others follow newest first (see `common`).
    """
    if dialect == "sqlite":
        return SqliteSearch(rank_window)
    if dialect == "postgresql":
        return PostgresSearch(rank_window)
    msg = f"no posting search for the {dialect!r} dialect"
    raise ValueError(msg)

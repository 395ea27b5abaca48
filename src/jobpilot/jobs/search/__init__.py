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


def search_for(dialect: str) -> PostingSearch:
    """The search backend of a database dialect: "sqlite" or "postgresql"."""
    if dialect == "sqlite":
        return SqliteSearch()
    if dialect == "postgresql":
        return PostgresSearch()
    msg = f"no posting search for the {dialect!r} dialect"
    raise ValueError(msg)

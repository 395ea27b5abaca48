"""Counting by day (UTC) in SQL, the same on SQLite and PostgreSQL, and the days of a period.

`utc_day(column)` is the calendar day (UTC) of a timestamp column, usable in SELECT and GROUP
BY: SQLite stores timestamps as UTC text (kit.db.UTCDateTime), so `date(column)` is their day;
PostgreSQL's `date()` of a `timestamptz` would use the session's time zone, so the timestamp is
first turned into UTC wall time. The zone is written as a literal, not a bound parameter:
PostgreSQL would not know that `$1` in SELECT and `$2` in GROUP BY are the same expression.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class utc_day(FunctionElement[date]):
    """The UTC calendar day of a timestamp, as a date."""

    type = Date()
    inherit_cache = True
    name = "utc_day"

    def __init__(self, column: ColumnElement[Any] | Any) -> None:
        super().__init__(column)


@compiles(utc_day)
def _utc_day_default(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date(timezone('UTC', {compiler.process(element.clauses, **kw)}))"


def as_day(value: date | str) -> date:
    """A day as the driver returned it (a date, or SQLite's `YYYY-MM-DD` text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def period_start(today: date, days: int) -> datetime:
    """Midnight (UTC) of the first of the `days` days that end with `today`."""
    first = today - timedelta(days=days - 1)
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def days_of(today: date, days: int) -> list[date]:
    """The `days` calendar days that end with `today`, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]

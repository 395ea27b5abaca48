"""Counting by day (UTC): the days of a period, and the day of a timestamp in SQL on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, MetaData, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from jobpilot.kit.days import as_day, days_of, period_start, utc_day
from jobpilot.kit.db import Database

EVENTS = Table("events", MetaData(), Column("at", DateTime(timezone=True)))


def test_a_period_is_its_days_oldest_first() -> None:
    today = date(2026, 3, 2)
    assert days_of(today, 3) == [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]
    assert period_start(today, 3) == datetime(2026, 2, 28, tzinfo=UTC)
    assert len(days_of(today, 90)) == 90


def test_drivers_days_become_dates() -> None:
    assert as_day("2026-11-27") == date(2026, 11, 27)
    assert as_day(date(2026, 11, 27)) == date(2026, 11, 27)
    assert as_day(datetime(2026, 11, 27, 23, 59, tzinfo=UTC)) == date(2026, 11, 27)


def test_the_day_is_taken_in_utc_and_grouped_by_the_same_expression() -> None:
    day = utc_day(EVENTS.c.at)
    query = select(day, func.count()).group_by(day)
    pg = str(query.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    lite = str(query.compile(dialect=sqlite.dialect()))  # type: ignore[no-untyped-call]
    # No bound parameter: PostgreSQL matches the GROUP BY with the SELECT by their text.
    assert pg.count("date(timezone('UTC', events.at))") == 2
    assert lite.count("date(events.at)") == 2


async def test_sqlite_groups_stored_timestamps_by_their_utc_day(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'days.sqlite3'}")
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(EVENTS.metadata.create_all)
            await conn.execute(
                EVENTS.insert(),
                [
                    {"at": datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)},
                    {"at": datetime(2026, 11, 27, 0, 0, 1, tzinfo=UTC)},
                    {"at": datetime(2026, 11, 27, 12, tzinfo=UTC)},
                ],
            )
            day = utc_day(EVENTS.c.at)
            rows = (await conn.execute(select(day, func.count()).group_by(day))).all()
        assert {as_day(d): n for d, n in rows} == {date(2026, 11, 26): 1, date(2026, 11, 27): 2}
    finally:
        await db.dispose()

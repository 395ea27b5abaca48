"""Jobs: ingest N synthetic postings, then search them on SQLite and on PostgreSQL.

The postings come from the synthetic board generator in the payload shapes of real ATSs and go
through the real path: adapter parsing, normalisation, de-duplication and storage (one
transaction per board). Then a mix of searches a user makes (words, filters, both, newest
first, next pages) runs through the jobs service, as the API runs them, and latencies print.

    BENCH_POSTINGS=100000 .venv/bin/python bench/bench_jobs.py

PostgreSQL runs too when JOBPILOT_BENCH_PG_URL is set (e.g.
postgresql://postgres@127.0.0.1:5432/test; a scratch database is created and dropped).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from jobpilot.jobs import synthetic
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.ingest import Ingester
from jobpilot.jobs.schemas import SearchFilters
from jobpilot.jobs.service import JobsComponents, JobsService
from jobpilot.kit import migrate
from jobpilot.kit.db import Database
from scratch import scratch_postgres, scratch_sqlite

POSTINGS = int(os.environ.get("BENCH_POSTINGS", "100000"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", str(max(10, POSTINGS // 50))))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
NOW = datetime(2026, 11, 26, tzinfo=UTC)

# What people search for: words alone, filters alone, both; relevance and newest first.
SEARCHES: dict[str, dict[str, Any]] = {
    "q=engineer": {"q": "engineer"},
    "q=senior python engineer": {"q": "senior python engineer"},
    'q="machine learning"': {"q": '"machine learning"'},
    "q=kubernetes -java": {"q": "kubernetes -java"},
    "q=engineer remote": {"q": "engineer", "remote": ["remote"]},
    "q=designer country=GB": {"q": "designer", "country": ["GB"]},
    "q=data salary>=120k 30d": {"q": "data", "salary_min": 120000, "posted_within": "30d"},
    "q=engineer by date": {"q": "engineer", "sort": "date"},
    "newest first (no q)": {},
    "remote + senior": {"remote": ["remote"], "seniority": ["senior"]},
    "country=US full_time": {"country": ["US"], "employment_type": ["full_time"]},
    "location=london": {"location": "london"},
    "ats=greenhouse 7d": {"ats": ["greenhouse"], "posted_within": "7d"},
}


class Timer:
    """Latencies in milliseconds."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    async def time(self, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = await call()
        self.samples.append((time.perf_counter() - started) * 1000)
        return result

    def summary(self) -> str:
        ordered = sorted(self.samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return f"p50 {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms"


async def ingest(db: Database, label: str) -> None:
    settings = JobsSettings()
    parsed = stored = 0
    parse_seconds = store_seconds = 0.0
    boards = 0
    started = time.perf_counter()
    for board in synthetic.generate(companies=COMPANIES, postings=POSTINGS, now=NOW):
        t0 = time.perf_counter()
        ats = adapter(board.ats)
        assert ats is not None
        ref = board.board_ref()
        postings = [p for body in board.payloads for p in ats.parse_payload(ref, body)]
        t1 = time.perf_counter()
        async with db.writer_sessionmaker() as session, session.begin():
            ingester = Ingester(session, settings, NOW)
            company = await ingester.company(board.company_name, board.website)
            stored_board, _ = await ingester.ensure_board(company, ref, active=False)
            result = await ingester.apply(stored_board, postings)
        t2 = time.perf_counter()
        parse_seconds += t1 - t0
        store_seconds += t2 - t1
        parsed += len(postings)
        stored += result.new + result.merged
        boards += 1
    total = time.perf_counter() - started
    print(
        f"{label}: ingested {parsed:,} postings from {boards:,} boards in {total:,.1f} s: "
        f"{parsed / total:,.0f} postings/s overall (generate+parse {parse_seconds:,.1f} s, "
        f"normalise+dedup+store {store_seconds:,.1f} s = {parsed / store_seconds:,.0f}/s)"
    )
    async with db.unit_of_work() as session:
        count = await session.scalar(text("SELECT count(*) FROM jobs_postings"))
        sources = await session.scalar(text("SELECT count(*) FROM jobs_sources"))
    print(f"{label}: {count:,} postings with {sources:,} sources (duplicates merged)")


async def search(db: Database, label: str) -> None:
    # Search needs only the settings of the service's components.
    components = cast(JobsComponents, SimpleNamespace(settings=JobsSettings()))
    overall, pages, facets = Timer(), Timer(), Timer()
    per_search = {name: Timer() for name in SEARCHES}
    rng = random.Random(3)
    async with db.unit_of_work() as session:
        service = JobsService(session, components)
        for params in SEARCHES.values():  # warm caches once
            await service.search(SearchFilters.model_validate(params), limit=20)
        for _ in range(ROUNDS):
            names = list(SEARCHES)
            rng.shuffle(names)
            for name in names:
                filters = SearchFilters.model_validate(SEARCHES[name])
                page = await per_search[name].time(lambda f=filters: service.search(f, limit=20))
                overall.samples.append(per_search[name].samples[-1])
                if page.next_cursor:
                    await pages.time(
                        lambda f=filters, c=page.next_cursor: service.search(f, limit=20, cursor=c)
                    )
            filters = SearchFilters.model_validate({"q": "engineer"})
            await facets.time(lambda f=filters: service.search(f, limit=20, facets=True))
    print(f"{label}: search, {ROUNDS} rounds of {len(SEARCHES)} searches (first page of 20):")
    for name, timer in per_search.items():
        print(f"    {name:28} {timer.summary()}")
    print(f"  all first pages               {overall.summary()}")
    print(f"  next pages (cursor)           {pages.summary()}")
    print(f"  q=engineer with facet counts  {facets.summary()}")


async def settle(db: Database, url: str) -> None:
    """Bring the database to its steady state after a bulk load: planner statistics (and, on
    PostgreSQL, the vacuum autovacuum would run within minutes)."""
    if db.dialect == "sqlite":
        async with db.engine.connect() as conn:
            await conn.execute(text("PRAGMA optimize=0x10002"))
            await conn.commit()
        return
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("VACUUM ANALYZE"))
    await engine.dispose()


async def run(url: str, label: str) -> None:
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    try:
        await ingest(db, label)
        started = time.perf_counter()
        await settle(db, url)
        settled = time.perf_counter() - started
        print(f"{label}: statistics (and vacuum) after the load: {settled:.1f} s")
        await search(db, label)
    finally:
        await db.dispose()


async def main() -> None:
    print(f"jobs benchmark: {POSTINGS:,} postings over {COMPANIES:,} companies")
    with scratch_sqlite() as url:
        await run(url, "SQLite")
    pg = os.environ.get("JOBPILOT_BENCH_PG_URL")
    if pg:
        async with scratch_postgres(pg) as url:
            await run(url, "PostgreSQL")
    else:
        print("PostgreSQL: skipped (set JOBPILOT_BENCH_PG_URL to run it)")


if __name__ == "__main__":
    asyncio.run(main())

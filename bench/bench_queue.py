"""Task queue throughput: enqueue N tasks, drain them with one or two workers.

Prints tasks per second on SQLite, and on PostgreSQL when JOBPILOT_BENCH_PG_URL is set
(e.g. postgresql://postgres@127.0.0.1:5432/test; a scratch database is created and dropped).
"""

from __future__ import annotations

import asyncio
import os
import time

from jobpilot.kit import migrate
from jobpilot.kit.db import Database
from jobpilot.kit.tasks import TaskContext, TaskRegistry, Worker, WorkerConfig, enqueue
from scratch import scratch_postgres, scratch_sqlite

TASKS = int(os.environ.get("BENCH_TASKS", "2000"))


def registry() -> TaskRegistry:
    tasks = TaskRegistry()

    @tasks.task("bench.noop")
    async def noop(ctx: TaskContext, n: int) -> None:
        return None

    return tasks


async def run(url: str, label: str) -> None:
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    started = time.perf_counter()
    async with db.unit_of_work() as session:
        for n in range(TASKS):
            await enqueue(session, "bench.noop", n=n)
    enqueued = time.perf_counter() - started
    print(f"{label}: enqueue {TASKS} in one transaction: {TASKS / enqueued:,.0f} tasks/s")
    for workers in (1, 2):
        if workers == 2:
            async with db.unit_of_work() as session:
                for n in range(TASKS):
                    await enqueue(session, "bench.noop", n=n)
        dbs = [Database(url) for _ in range(workers)]
        config = WorkerConfig(concurrency=8, poll_interval_seconds=0.01)
        pool = [Worker(d, registry(), config) for d in dbs]
        started = time.perf_counter()
        await asyncio.gather(*(w.drain(max_seconds=600) for w in pool))
        elapsed = time.perf_counter() - started
        print(f"{label}: drain {TASKS} with {workers} worker(s): {TASKS / elapsed:,.0f} tasks/s")
        for d in dbs:
            await d.dispose()
    await db.dispose()


async def main() -> None:
    with scratch_sqlite() as url:
        await run(url, "sqlite")
    server = os.environ.get("JOBPILOT_BENCH_PG_URL")
    if not server:
        print("postgresql: skipped (set JOBPILOT_BENCH_PG_URL)")
        return
    async with scratch_postgres(server) as url:
        await run(url, "postgresql")


if __name__ == "__main__":
    asyncio.run(main())

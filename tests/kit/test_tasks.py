"""The durable task queue and the outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text, update

from jobpilot.adapters.waker_pg import PgNotifyWaker
from jobpilot.kit.db import Database
from jobpilot.kit.events import Event, Subscriptions, publish, relay_outbox, subscribe
from jobpilot.kit.tasks import (
    Task,
    TaskContext,
    TaskRegistry,
    TaskStatus,
    Worker,
    WorkerConfig,
    backoff_seconds,
    enqueue,
    queue_depth,
    retry_dead,
)

FAST = WorkerConfig(
    concurrency=4,
    lease_seconds=5,
    poll_interval_seconds=0.05,
    max_attempts=3,
    backoff_base_seconds=0.01,
    backoff_max_seconds=0.02,
    depth_refresh_seconds=0,
)


async def _make_effects_table(db: Database) -> None:
    async with db.unit_of_work() as session:
        await session.execute(
            text("CREATE TABLE test_effects (task_key VARCHAR(100), worker VARCHAR(200))")
        )


async def _effects(db: Database) -> list[tuple[str, str]]:
    async with db.sessionmaker() as session:
        rows = await session.execute(text("SELECT task_key, worker FROM test_effects"))
        return [(r[0], r[1]) for r in rows.all()]


async def _tasks(db: Database) -> list[Task]:
    async with db.sessionmaker() as session:
        return list((await session.scalars(select(Task))).all())


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_task_exists_only_if_its_transaction_commits(db: Database) -> None:
    async def boom() -> None:
        async with db.unit_of_work() as session:
            await enqueue(session, "test.noop", n=1)
            raise RuntimeError("business change failed")

    with pytest.raises(RuntimeError):
        await boom()
    assert await _tasks(db) == []

    async with db.unit_of_work() as session:
        await enqueue(session, "test.noop", n=2)
    tasks = await _tasks(db)
    assert [(t.name, t.payload, t.status) for t in tasks] == [("test.noop", {"n": 2}, "queued")]


async def test_handler_work_and_completion_commit_together(db: Database) -> None:
    await _make_effects_table(db)
    registry = TaskRegistry()

    @registry.task("test.record")
    async def record(ctx: TaskContext, key: str) -> None:
        await ctx.session.execute(
            text("INSERT INTO test_effects VALUES (:k, :w)"), {"k": key, "w": "w"}
        )

    async with db.unit_of_work() as session:
        await enqueue(session, "test.record", key="a")
        await enqueue(
            session, "test.record", key="b", delay=__import__("datetime").timedelta(hours=1)
        )
    before = _metric("jobpilot_tasks_total", task="test.record", status="succeeded")
    await Worker(db, registry, FAST).drain()

    assert await _effects(db) == [("a", "w")]  # the delayed task is not due yet
    statuses = sorted((t.payload["key"], t.status, t.attempts) for t in await _tasks(db))
    assert statuses == [("a", "succeeded", 1), ("b", "queued", 0)]
    assert _metric("jobpilot_tasks_total", task="test.record", status="succeeded") == before + 1
    depth = await queue_depth(db)
    assert depth == {"ready": 0, "scheduled": 1, "running": 0, "dead": 0}


async def test_failures_retry_with_backoff_then_dead_letter(db: Database) -> None:
    await _make_effects_table(db)
    registry = TaskRegistry()
    calls: list[int] = []

    @registry.task("test.flaky")
    async def flaky(ctx: TaskContext, fail_times: int) -> None:
        calls.append(ctx.attempt)
        # Written, then rolled back with the failed attempt: a failure leaves nothing behind.
        await ctx.session.execute(text("INSERT INTO test_effects VALUES ('flaky', 'x')"))
        if ctx.attempt <= fail_times:
            raise ValueError(f"attempt {ctx.attempt} fails")

    @registry.task("test.hopeless")
    async def hopeless(ctx: TaskContext) -> None:
        raise ConnectionError("upstream down")

    async with db.unit_of_work() as session:
        await enqueue(session, "test.flaky", fail_times=2)
        await enqueue(session, "test.hopeless")

    worker = Worker(db, registry, FAST)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await worker.drain()
        states = {t.name: t.status for t in await _tasks(db)}
        if states == {"test.flaky": "succeeded", "test.hopeless": "dead"}:
            break
        await asyncio.sleep(0.02)

    by_name = {t.name: t for t in await _tasks(db)}
    assert calls == [1, 2, 3]
    assert by_name["test.flaky"].status == TaskStatus.SUCCEEDED
    assert await _effects(db) == [("flaky", "x")]  # only the successful attempt's write
    dead = by_name["test.hopeless"]
    assert dead.status == TaskStatus.DEAD
    assert dead.attempts == FAST.max_attempts
    assert "ConnectionError: upstream down" in (dead.last_error or "")

    assert await retry_dead(db, dead.id) == 1
    again = {t.name: t for t in await _tasks(db)}["test.hopeless"]
    assert (again.status, again.attempts) == ("queued", 0)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        values = [backoff_seconds(attempt, 2.0, 60.0) for _ in range(200)]
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert max(values) - min(values) > ceiling / 10  # jittered, not constant


async def test_idempotency_key_queues_once(db: Database) -> None:
    for _ in range(3):
        async with db.unit_of_work() as session:
            await enqueue(session, "test.noop", idempotency_key="welcome-mail:42", user=42)
    assert len(await _tasks(db)) == 1


async def test_a_claim_takes_at_most_the_free_slots(db: Database) -> None:
    async with db.unit_of_work() as session:
        for i in range(20):
            await enqueue(session, "test.noop", i=i)
    registry = TaskRegistry()
    registry.task("test.noop")(_noop)
    first, second = Worker(db, registry, FAST), Worker(db, registry, FAST)
    assert len(await first.claim(4)) == 4
    assert len(await second.claim(4)) == 4
    held = Counter(t.locked_by for t in await _tasks(db))
    assert held == {None: 12, first.worker_id: 4, second.worker_id: 4}


async def _noop(ctx: TaskContext, **_: Any) -> None:
    return None


async def test_two_workers_racing_run_each_task_once(migrated_url: str) -> None:
    setup = Database(migrated_url)
    await _make_effects_table(setup)
    async with setup.unit_of_work() as session:
        for i in range(60):
            await enqueue(session, "test.race", key=f"t{i}")
    invocations: Counter[str] = Counter()

    def make_registry(name: str) -> TaskRegistry:
        registry = TaskRegistry()

        @registry.task("test.race")
        async def race(ctx: TaskContext, key: str) -> None:
            invocations[key] += 1
            await ctx.session.execute(
                text("INSERT INTO test_effects VALUES (:k, :w)"), {"k": key, "w": name}
            )
            await asyncio.sleep(0.01)

        return registry

    # Separate engines: the two workers race through separate database connections.
    dbs = [Database(migrated_url), Database(migrated_url)]
    workers = [Worker(d, make_registry(f"w{i}"), FAST) for i, d in enumerate(dbs)]
    try:
        await asyncio.gather(*(w.drain(max_seconds=60) for w in workers))
    finally:
        for d in dbs:
            await d.dispose()

    effects = await _effects(setup)
    assert sorted(k for k, _ in effects) == sorted(f"t{i}" for i in range(60))
    assert set(invocations.values()) == {1}
    assert {w for _, w in effects} == {"w0", "w1"}  # both really took part
    assert all(t.status == "succeeded" and t.attempts == 1 for t in await _tasks(setup))
    await setup.dispose()


async def test_a_worker_that_lost_its_lease_commits_nothing(db: Database) -> None:
    await _make_effects_table(db)
    registry = TaskRegistry()
    release = asyncio.Event()
    started = asyncio.Event()

    @registry.task("test.slow")
    async def slow(ctx: TaskContext) -> None:
        started.set()
        await release.wait()
        await ctx.session.execute(text("INSERT INTO test_effects VALUES ('slow', 'stale')"))

    async with db.unit_of_work() as session:
        await enqueue(session, "test.slow")
    worker = Worker(db, registry, FAST)
    run = asyncio.create_task(worker.drain())
    await asyncio.wait_for(started.wait(), 5)
    # Another worker took the task over (as after an expired lease).
    async with db.unit_of_work() as session:
        await session.execute(
            update(Task).values(locked_by="someone-else", attempts=Task.attempts + 1)
        )
    release.set()
    await run

    assert await _effects(db) == []
    (task,) = await _tasks(db)
    assert (task.status, task.locked_by, task.attempts) == ("running", "someone-else", 2)


WORKER_SCRIPT = textwrap.dedent(
    """
    import asyncio, pathlib, sys
    from sqlalchemy import text
    from jobpilot.kit.db import Database
    from jobpilot.kit.tasks import TaskRegistry, Worker, WorkerConfig

    url, marker = sys.argv[1], pathlib.Path(sys.argv[2])
    registry = TaskRegistry()

    @registry.task("test.killable")
    async def killable(ctx, key):
        await ctx.session.execute(
            text("INSERT INTO test_effects VALUES (:k, 'killed')"), {"k": key}
        )
        marker.write_text("started")
        await asyncio.sleep(600)

    async def main():
        config = WorkerConfig(lease_seconds=1.5, poll_interval_seconds=0.05)
        worker = Worker(Database(url), registry, config)
        await worker.run(asyncio.Event())

    asyncio.run(main())
    """
)


@pytest.mark.slow
async def test_a_task_whose_worker_is_killed_runs_again_after_its_lease(
    migrated_url: str, tmp_path: Path
) -> None:
    db = Database(migrated_url)
    await _make_effects_table(db)
    async with db.unit_of_work() as session:
        await enqueue(session, "test.killable", key="k1")
    marker = tmp_path / "started"
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT)
    proc = subprocess.Popen(  # noqa: ASYNC220 - a real process to kill
        [sys.executable, str(script), migrated_url, str(marker)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert proc.poll() is None, "worker process exited early"
            assert time.monotonic() < deadline, "worker never started the task"
            await asyncio.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()

    (task,) = await _tasks(db)
    assert (task.status, task.attempts) == ("running", 1)  # orphaned under a lease

    registry = TaskRegistry()
    runs: list[int] = []

    @registry.task("test.killable")
    async def finish(ctx: TaskContext, key: str) -> None:
        runs.append(ctx.attempt)
        await ctx.session.execute(
            text("INSERT INTO test_effects VALUES (:k, 'rescuer')"), {"k": key}
        )

    rescuer = Worker(db, registry, FAST)
    deadline = time.monotonic() + 15
    while not runs and time.monotonic() < deadline:
        await rescuer.drain()
        await asyncio.sleep(0.1)

    (task,) = await _tasks(db)
    assert runs == [2]
    assert (task.status, task.attempts) == ("succeeded", 2)
    assert await _effects(db) == [("k1", "rescuer")]  # the killed run's write never committed
    await db.dispose()


class ThingHappened(Event):
    name = "test.thing_happened"

    thing_id: uuid.UUID
    note: str


async def test_events_reach_each_handler_once_after_commit(db: Database) -> None:
    registry = TaskRegistry()
    subscriptions = Subscriptions()
    seen: list[tuple[str, Any]] = []

    @subscribe(registry, subscriptions, ThingHappened, "test.on_thing_a")
    async def on_a(ctx: TaskContext, event: ThingHappened) -> None:
        seen.append(("a", event))

    @subscribe(registry, subscriptions, ThingHappened, "test.on_thing_b")
    async def on_b(ctx: TaskContext, event: ThingHappened) -> None:
        seen.append(("b", event))

    thing = uuid.uuid4()

    async def publish_then_fail() -> None:
        async with db.unit_of_work() as session:
            await publish(session, ThingHappened(thing_id=uuid.uuid4(), note="rolled back"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await publish_then_fail()
    async with db.unit_of_work() as session:
        await publish(session, ThingHappened(thing_id=thing, note="kept"))

    assert await relay_outbox(db, subscriptions) == 1
    assert await relay_outbox(db, subscriptions) == 0  # relayed once only
    await Worker(db, registry, FAST).drain()

    assert sorted(name for name, _ in seen) == ["a", "b"]
    assert all(e == ThingHappened(thing_id=thing, note="kept") for _, e in seen)


@pytest.mark.pg
async def test_postgres_notify_wakes_an_idle_worker_at_once(
    pg_database_url: str,
) -> None:
    from jobpilot.kit import migrate

    await asyncio.to_thread(migrate.upgrade, pg_database_url)
    db = Database(pg_database_url)
    registry = TaskRegistry()
    done = asyncio.Event()

    @registry.task("test.wake")
    async def wake(ctx: TaskContext) -> None:
        done.set()

    # A 30 s poll: only the NOTIFY can make this run quickly.
    config = WorkerConfig(poll_interval_seconds=30, depth_refresh_seconds=0)
    worker = Worker(db, registry, config, waker=PgNotifyWaker(pg_database_url))
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.5)  # the worker is idle and listening
    started = time.monotonic()
    async with db.unit_of_work() as session:
        await enqueue(session, "test.wake")
    await asyncio.wait_for(done.wait(), 10)
    assert time.monotonic() - started < 5
    stop.set()
    await running
    await db.dispose()

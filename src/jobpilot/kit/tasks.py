"""A durable task queue in the database (DESIGN.md §4).

A task is a row written in the same transaction as the change that caused it, so it exists
exactly when that change does. Workers claim due tasks under a lease; the handler's own database
work and the task's completion commit together, and a worker that lost its lease (it stalled or
was killed) cannot commit over the one that took the task after it. Failures retry with
exponential backoff and jitter, then land in the dead letters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import socket
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypedDict

from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import JSON, Index, String, Text, delete, event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from jobpilot.kit import tracing
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database, insert_or_ignore

log = logging.getLogger("jobpilot.tasks")

NOTIFY_CHANNEL = "jobpilot_tasks"
# The payload key holding the enqueuing request's trace context; never passed to a handler.
TRACE_KEY = "__trace__"
MAX_ERROR_CHARS = 4000

TASKS_TOTAL = Counter(
    "jobpilot_tasks_total",
    "Task runs by outcome: succeeded, retried, dead, lease_lost.",
    ["task", "status"],
)
TASK_DURATION = Histogram(
    "jobpilot_task_duration_seconds",
    "Wall time of one task run.",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
QUEUE_DEPTH = Gauge(
    "jobpilot_task_queue_depth",
    "Tasks in the queue by state: ready (due now), scheduled (due later), running, dead.",
    ["state"],
    multiprocess_mode="mostrecent",
)


class TaskStatus(StrEnum):
    """Where a task is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    DEAD = "dead"


class Task(Base):
    """One unit of background work."""

    __tablename__ = "kit_tasks"
    __table_args__ = (Index("ix_kit_tasks_claim", "status", "run_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    run_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


@dataclass(frozen=True)
class TaskContext:
    """What a handler gets: the unit of work it runs in and facts about the run."""

    session: AsyncSession
    task_id: uuid.UUID
    name: str
    attempt: int
    resources: Any = None


TaskHandler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class TaskDef:
    """A registered task: its name, handler and retry budget."""

    name: str
    handler: TaskHandler
    max_attempts: int | None = None


@dataclass
class TaskRegistry:
    """The tasks a worker can run, by name."""

    tasks: dict[str, TaskDef] = field(default_factory=dict)

    def task(
        self, name: str, *, max_attempts: int | None = None
    ) -> Callable[[TaskHandler], TaskHandler]:
        """Register `handler` under `name` (`"<domain>.<verb>_<noun>"`)."""

        def register(handler: TaskHandler) -> TaskHandler:
            self.add(TaskDef(name, handler, max_attempts))
            return handler

        return register

    def add(self, task_def: TaskDef) -> None:
        """Register a task definition; a name may be registered once."""
        if task_def.name in self.tasks:
            msg = f"task {task_def.name!r} is registered twice"
            raise ValueError(msg)
        if "." not in task_def.name:
            msg = f"task name {task_def.name!r} must read '<domain>.<verb>_<noun>'"
            raise ValueError(msg)
        self.tasks[task_def.name] = task_def

    def merge(self, others: Iterable[TaskRegistry]) -> TaskRegistry:
        """A registry holding this one's tasks and the others'."""
        merged = TaskRegistry(dict(self.tasks))
        for other in others:
            for task_def in other.tasks.values():
                merged.add(task_def)
        return merged


class Waker(Protocol):
    """Wakes idle workers when tasks are committed."""

    async def wait(self, max_seconds: float) -> None:
        """Return when woken or after `max_seconds`."""

    async def close(self) -> None:
        """Release what the waker holds."""


class LocalWaker:
    """Wakes workers in this process after a commit that enqueued tasks."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        _local_wakers.add(self)

    def wake(self) -> None:
        """Wake the waiting worker."""
        self._event.set()

    async def wait(self, max_seconds: float) -> None:
        """Return when woken or after `max_seconds`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), max_seconds)
        self._event.clear()

    async def close(self) -> None:
        """Stop receiving wake-ups."""
        _local_wakers.discard(self)


_local_wakers: set[LocalWaker] = set()


def wake_local_workers() -> None:
    """Wake every worker of this process (called after a commit that enqueued tasks)."""
    for waker in list(_local_wakers):
        waker.wake()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop("jobpilot.enqueued", False):
        wake_local_workers()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop("jobpilot.enqueued", None)


def _dumps(payload: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(json.loads(json.dumps(payload, default=_json_default)))
    except (TypeError, ValueError) as exc:
        msg = f"task payload must be JSON-serialisable: {exc}"
        raise TypeError(msg) from exc


def _json_default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    msg = f"{type(value).__name__} is not JSON-serialisable"
    raise TypeError(msg)


async def enqueue(
    session: AsyncSession,
    name: str,
    *,
    idempotency_key: str | None = None,
    delay: timedelta | None = None,
    max_attempts: int | None = None,
    trace_context: Mapping[str, str] | None = None,
    **payload: Any,
) -> None:
    """Queue task `name` in the caller's transaction; it runs only once that commits.

    With an `idempotency_key`, a task already queued under the same key is not queued again.
    The task's span joins the current trace, or the one `trace_context` (a `carrier()`) names.
    """
    now = utcnow()
    stored = _dumps(payload)
    if trace := (trace_context or tracing.carrier()):
        # The worker continues the enqueuing request's trace (see jobpilot.kit.tracing).
        stored[TRACE_KEY] = dict(trace)
    values = {
        "id": uuid.uuid4(),
        "name": name,
        "payload": stored,
        "status": TaskStatus.QUEUED.value,
        "attempts": 0,
        "max_attempts": max_attempts or 0,
        "run_at": now + (delay or timedelta()),
        "idempotency_key": idempotency_key,
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    await session.execute(insert_or_ignore(session, Task, ["idempotency_key"], **values))
    session.info["jobpilot.enqueued"] = True
    if dialect == "postgresql":
        # NOTIFY is transactional: listeners hear it only if this transaction commits.
        await session.execute(
            text("SELECT pg_notify(:channel, :name)"),
            {
                "channel": NOTIFY_CHANNEL,
                "name": name,
            },
        )


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: between half and all of `base * 2**(attempt-1)`."""
    ceiling = min(cap, base * float(2 ** max(0, attempt - 1)))
    return ceiling * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


@dataclass(frozen=True)
class ClaimedTask:
    """A task this worker holds the lease of."""

    id: uuid.UUID
    name: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


@dataclass
class WorkerConfig:
    """How a worker runs."""

    concurrency: int = 4
    lease_seconds: float = 30.0
    poll_interval_seconds: float = 1.0
    max_attempts: int = 5
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 600.0
    depth_refresh_seconds: float = 5.0


class Worker:
    """Claims due tasks, runs them under a renewed lease, and records the outcome."""

    def __init__(
        self,
        db: Database,
        registry: TaskRegistry,
        config: WorkerConfig | None = None,
        *,
        waker: Waker | None = None,
        resources: Any = None,
        before_claim: Callable[[], Awaitable[None]] | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.registry = registry
        self.config = config or WorkerConfig()
        self.waker: Waker = waker or LocalWaker()
        self.resources = resources
        self.before_claim = before_claim
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._running: set[asyncio.Task[None]] = set()
        self._last_depth = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then let running tasks finish."""
        log.info("worker started", extra={"worker_id": self.worker_id})
        try:
            while not stop.is_set():
                claimed = 0
                try:
                    claimed = await self.run_available()
                except Exception:
                    log.exception("worker loop error; retrying after the poll interval")
                if claimed == 0 and not stop.is_set():
                    await self._wait_for_work(stop)
        finally:
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            await self.waker.close()
            log.info("worker stopped", extra={"worker_id": self.worker_id})

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        waiters: list[asyncio.Future[Any]] = [
            asyncio.ensure_future(self.waker.wait(self.config.poll_interval_seconds)),
            asyncio.ensure_future(stop.wait()),
        ]
        if self._running:
            waiters.append(asyncio.ensure_future(asyncio.wait(set(self._running))))
        _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def run_available(self) -> int:
        """Claim as many due tasks as there are free slots and start them; return how many."""
        if self.before_claim is not None:
            await self.before_claim()
        await self._refresh_depth()
        free = self.config.concurrency - len(self._running)
        if free <= 0:
            return 0
        claimed = await self.claim(free)
        for task in claimed:
            runner = asyncio.create_task(self._execute(task))
            self._running.add(runner)
            runner.add_done_callback(self._running.discard)
        return len(claimed)

    async def drain(self, *, max_seconds: float = 30.0) -> None:
        """Run until no task is due (tests and `jobpilot worker --drain`)."""
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            claimed = await self.run_available()
            if self._running:
                await asyncio.wait(set(self._running), return_when=asyncio.FIRST_COMPLETED)
            elif claimed == 0:
                return
        msg = "tasks were still due when drain timed out"
        raise TimeoutError(msg)

    async def claim(self, limit: int) -> list[ClaimedTask]:
        """Take the leases of up to `limit` due tasks this worker can run."""
        names = list(self.registry.tasks)
        if not names or limit <= 0:
            return []
        now = utcnow()
        due = (Task.name.in_(names)) & (
            ((Task.status == TaskStatus.QUEUED) & (Task.run_at <= now))
            | ((Task.status == TaskStatus.RUNNING) & (Task.lease_until < now))
        )
        pick = select(Task.id).where(due).order_by(Task.run_at).limit(limit)
        if self.db.dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        # A materialized CTE runs the pick exactly once; as an IN-subquery PostgreSQL may
        # re-run it per row and, skipping locked rows, claim more than `limit` tasks.
        picked = pick.cte("picked").prefix_with("MATERIALIZED", dialect="postgresql")
        lease_until = now + timedelta(seconds=self.config.lease_seconds)
        stmt = (
            update(Task)
            # Re-checking `due` makes the claim safe on SQLite too, where the statement
            # holds the only write lock and no row lock exists to skip.
            .where(Task.id == picked.c.id, due)
            .values(
                status=TaskStatus.RUNNING.value,
                attempts=Task.attempts + 1,
                lease_until=lease_until,
                locked_by=self.worker_id,
                updated_at=now,
            )
            .returning(Task.id, Task.name, Task.payload, Task.attempts, Task.max_attempts)
            .execution_options(synchronize_session=False)
        )
        async with self.db.unit_of_work() as session:
            rows = (await session.execute(stmt)).all()
        return [
            ClaimedTask(
                id=row.id,
                name=row.name,
                payload=dict(row.payload),
                attempt=row.attempts,
                max_attempts=row.max_attempts
                or self.registry.tasks[row.name].max_attempts
                or self.config.max_attempts,
            )
            for row in rows
        ]

    def _held(self, task: ClaimedTask) -> Any:
        return (
            (Task.id == task.id)
            & (Task.locked_by == self.worker_id)
            & (Task.attempts == task.attempt)
            & (Task.status == TaskStatus.RUNNING)
        )

    async def _execute(self, task: ClaimedTask) -> None:
        trace = task.payload.pop(TRACE_KEY, None)
        with tracing.span(
            f"task {task.name}",
            kind=SpanKind.CONSUMER,
            context=tracing.context_from(trace),
            attributes={"jobpilot.task.name": task.name, "jobpilot.task.attempt": task.attempt},
        ):
            await self._run(task)

    async def _run(self, task: ClaimedTask) -> None:
        task_def = self.registry.tasks[task.name]
        started = time.perf_counter()
        heartbeat = asyncio.create_task(self._heartbeat(task))
        outcome = "succeeded"
        try:
            # A task reads and then writes while other tasks and requests write too: on SQLite
            # it takes the write lock up front (slow external calls belong before its first
            # query, or in a task of their own).
            async with self.db.writer_sessionmaker() as session:
                try:
                    ctx = TaskContext(session, task.id, task.name, task.attempt, self.resources)
                    await task_def.handler(ctx, **task.payload)
                    now = utcnow()
                    done = await session.execute(
                        update(Task)
                        .where(self._held(task))
                        .values(
                            status=TaskStatus.SUCCEEDED.value,
                            lease_until=None,
                            finished_at=now,
                            updated_at=now,
                            last_error=None,
                        )
                        .execution_options(synchronize_session=False)
                    )
                    if _rowcount(done) != 1:
                        # Another worker holds the task now: its run wins, ours leaves nothing.
                        await session.rollback()
                        outcome = "lease_lost"
                        log.warning("task lease lost; discarding this run", extra=_task_log(task))
                    else:
                        await session.commit()
                except Exception as exc:
                    await session.rollback()
                    outcome = await self._record_failure(task, exc)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
            if outcome != "cancelled":
                TASKS_TOTAL.labels(task.name, outcome).inc()

    async def _record_failure(self, task: ClaimedTask, exc: Exception) -> str:
        error = "".join(traceback.format_exception(exc))[-MAX_ERROR_CHARS:]
        now = utcnow()
        dead = task.attempt >= task.max_attempts
        values: dict[str, Any] = {"lease_until": None, "updated_at": now, "last_error": error}
        if dead:
            values.update(status=TaskStatus.DEAD.value, finished_at=now)
        else:
            delay = backoff_seconds(
                task.attempt, self.config.backoff_base_seconds, self.config.backoff_max_seconds
            )
            values.update(status=TaskStatus.QUEUED.value, run_at=now + timedelta(seconds=delay))
        async with self.db.unit_of_work() as session:
            result = await session.execute(
                update(Task)
                .where(self._held(task))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if _rowcount(result) != 1:
            return "lease_lost"
        level = logging.ERROR if dead else logging.WARNING
        log.log(
            level,
            "task dead-lettered" if dead else "task failed; will retry",
            extra={**_task_log(task), "error": f"{type(exc).__name__}: {exc}"},
        )
        return "dead" if dead else "retried"

    async def _heartbeat(self, task: ClaimedTask) -> None:
        interval = self.config.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            try:
                async with self.db.unit_of_work() as session:
                    await session.execute(
                        update(Task)
                        .where(self._held(task))
                        .values(lease_until=utcnow() + timedelta(seconds=self.config.lease_seconds))
                        .execution_options(synchronize_session=False)
                    )
            except Exception:
                log.warning("lease renewal failed; will try again", extra=_task_log(task))

    async def _refresh_depth(self) -> None:
        if time.monotonic() - self._last_depth < self.config.depth_refresh_seconds:
            return
        self._last_depth = time.monotonic()
        for state, count in (await queue_depth(self.db)).items():
            QUEUE_DEPTH.labels(state).set(count)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0))


def _task_log(task: ClaimedTask) -> dict[str, Any]:
    return {"task_id": str(task.id), "task": task.name, "attempt": task.attempt}


async def queue_depth(db: Database) -> dict[str, int]:
    """How many tasks are ready, scheduled, running and dead."""
    now = utcnow()
    ready = (Task.status == TaskStatus.QUEUED) & (Task.run_at <= now)
    scheduled = (Task.status == TaskStatus.QUEUED) & (Task.run_at > now)
    async with db.sessionmaker() as session:
        row = (
            await session.execute(
                select(
                    func.count().filter(ready),
                    func.count().filter(scheduled),
                    func.count().filter(Task.status == TaskStatus.RUNNING),
                    func.count().filter(Task.status == TaskStatus.DEAD),
                ).select_from(Task)
            )
        ).one()
    return {"ready": row[0], "scheduled": row[1], "running": row[2], "dead": row[3]}


class TaskDepth(TypedDict):
    """How many tasks of one name are ready, scheduled, running and dead."""

    name: str
    ready: int
    scheduled: int
    running: int
    dead: int


async def queue_by_task(db: Database) -> list[TaskDepth]:
    """Queue depth per task name (names with no unfinished or dead task left out), by name."""
    now = utcnow()
    ready = (Task.status == TaskStatus.QUEUED) & (Task.run_at <= now)
    scheduled = (Task.status == TaskStatus.QUEUED) & (Task.run_at > now)
    stmt = (
        select(
            Task.name,
            func.count().filter(ready),
            func.count().filter(scheduled),
            func.count().filter(Task.status == TaskStatus.RUNNING),
            func.count().filter(Task.status == TaskStatus.DEAD),
        )
        # Succeeded tasks are history, not queue: they would only make the count slower.
        .where(Task.status.in_([TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.DEAD]))
        .group_by(Task.name)
        .order_by(Task.name)
    )
    async with db.sessionmaker() as session:
        rows = (await session.execute(stmt)).all()
    return [
        TaskDepth(name=row[0], ready=row[1], scheduled=row[2], running=row[3], dead=row[4])
        for row in rows
    ]


async def discard_dead(db: Database, task_id: uuid.UUID) -> int:
    """Delete one dead-lettered task so it never runs; 0 when it is not there or not dead."""
    stmt = (
        delete(Task)
        .where(Task.id == task_id, Task.status == TaskStatus.DEAD)
        .execution_options(synchronize_session=False)
    )
    async with db.unit_of_work() as session:
        result = await session.execute(stmt)
    return _rowcount(result)


async def retry_dead(db: Database, task_id: uuid.UUID | None = None) -> int:
    """Put dead-lettered tasks (one, or all) back in the queue with a fresh retry budget."""
    now = utcnow()
    stmt = (
        update(Task)
        .where(Task.status == TaskStatus.DEAD)
        .values(
            status=TaskStatus.QUEUED.value, attempts=0, run_at=now, updated_at=now, finished_at=None
        )
        .execution_options(synchronize_session=False)
    )
    if task_id is not None:
        stmt = stmt.where(Task.id == task_id)
    async with db.unit_of_work() as session:
        result = await session.execute(stmt)
        if _rowcount(result):
            session.info["jobpilot.enqueued"] = True
    return _rowcount(result)


async def dead_tasks(db: Database, limit: int = 50) -> list[dict[str, str]]:
    """Dead-lettered tasks, newest first, with the last line of their error."""
    async with db.sessionmaker() as session:
        rows = await session.scalars(
            select(Task)
            .where(Task.status == TaskStatus.DEAD)
            .order_by(Task.finished_at.desc())
            .limit(limit)
        )
        return [_dead_letter(task) for task in rows.all()]


async def dead_task(db: Database, task_id: uuid.UUID) -> dict[str, str] | None:
    """One dead-lettered task as `dead_tasks` lists it; None when not there or not dead."""
    async with db.sessionmaker() as session:
        task = await session.scalar(
            select(Task).where(Task.id == task_id, Task.status == TaskStatus.DEAD)
        )
        return _dead_letter(task) if task is not None else None


def _dead_letter(task: Task) -> dict[str, str]:
    lines = (task.last_error or "").strip().splitlines()
    return {
        "id": str(task.id),
        "name": task.name,
        "attempts": str(task.attempts),
        "finished_at": task.finished_at.isoformat() if task.finished_at else "",
        # A traceback ends with the exception and its message: the line that says what failed.
        "error": lines[-1] if lines else "",
    }

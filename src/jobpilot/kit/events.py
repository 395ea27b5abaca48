"""Domain events through a transactional outbox (DESIGN.md §3).

`publish` writes the event in the caller's transaction. The relay, run by every worker, turns
each new event into one task per subscribed handler (idempotency key `event:<id>:<handler>`), so
handlers get the queue's leases, retries and dead letters, and a relay that runs twice queues
nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit import tracing
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database
from jobpilot.kit.tasks import TRACE_KEY, TaskContext, TaskDef, TaskRegistry, enqueue


class Event(BaseModel):
    """A fact a domain publishes, named `"<domain>.<past_tense>"` by its `name`."""

    model_config = ConfigDict(frozen=True)

    name: ClassVar[str]


class OutboxEvent(Base):
    """An event written with the change that caused it, waiting to be relayed."""

    __tablename__ = "kit_outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime]
    relayed_at: Mapped[datetime | None] = mapped_column(index=True)


async def publish(session: AsyncSession, event: Event) -> uuid.UUID:
    """Record `event` in the caller's transaction; handlers see it only after commit."""
    payload = event.model_dump(mode="json")
    if trace := tracing.carrier():
        # The handlers' tasks continue the publishing request's trace.
        payload[TRACE_KEY] = trace
    row = OutboxEvent(
        id=uuid.uuid4(),
        name=event.name,
        payload=payload,
        occurred_at=utcnow(),
        relayed_at=None,
    )
    session.add(row)
    await session.flush()
    session.info["jobpilot.enqueued"] = True
    return row.id


E = TypeVar("E", bound=Event)
EventHandler = Callable[[TaskContext, Any], Awaitable[None]]


@dataclass
class Subscriptions:
    """Which handler task runs for which event name."""

    by_event: dict[str, list[str]] = field(default_factory=dict)

    def add(self, event_name: str, task_name: str) -> None:
        """Subscribe task `task_name` to events named `event_name`."""
        self.by_event.setdefault(event_name, []).append(task_name)

    def merge(self, other: Subscriptions) -> None:
        """Take over every subscription of `other`."""
        for event_name, task_names in other.by_event.items():
            for task_name in task_names:
                self.add(event_name, task_name)


def subscribe(
    registry: TaskRegistry,
    subscriptions: Subscriptions,
    event_type: type[E],
    task_name: str,
) -> Callable[
    [Callable[[TaskContext, E], Awaitable[None]]], Callable[[TaskContext, E], Awaitable[None]]
]:
    """Register a handler for `event_type` as task `task_name` (`"<domain>.on_<event>"`)."""

    def register(
        handler: Callable[[TaskContext, E], Awaitable[None]],
    ) -> Callable[[TaskContext, E], Awaitable[None]]:
        async def run(ctx: TaskContext, event_id: str, event: dict[str, Any]) -> None:
            await handler(ctx, event_type.model_validate(event))

        registry.add(TaskDef(task_name, run))
        subscriptions.add(event_type.name, task_name)
        return handler

    return register


async def relay_outbox(db: Database, subscriptions: Subscriptions, *, batch: int = 100) -> int:
    """Turn up to `batch` new outbox events into handler tasks; return how many were relayed."""
    pending = OutboxEvent.relayed_at.is_(None)
    pick = select(OutboxEvent.id).where(pending).order_by(OutboxEvent.occurred_at).limit(batch)
    if db.dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    # Materialized so that PostgreSQL runs the pick once (see Worker.claim).
    picked = pick.cte("picked").prefix_with("MATERIALIZED", dialect="postgresql")
    # Marking first (one write statement) takes SQLite's write lock before anything is read,
    # so two relays never both see the same events as new.
    mark = (
        update(OutboxEvent)
        .where(OutboxEvent.id == picked.c.id, pending)
        .values(relayed_at=utcnow())
        .returning(OutboxEvent.id, OutboxEvent.name, OutboxEvent.payload)
        .execution_options(synchronize_session=False)
    )
    async with db.unit_of_work() as session:
        rows = (await session.execute(mark)).all()
        for row in rows:
            event = dict(row.payload)
            trace = event.pop(TRACE_KEY, None)
            for task_name in subscriptions.by_event.get(row.name, []):
                await enqueue(
                    session,
                    task_name,
                    idempotency_key=f"event:{row.id}:{task_name}",
                    trace_context=trace,
                    event_id=str(row.id),
                    event=event,
                )
    return len(rows)

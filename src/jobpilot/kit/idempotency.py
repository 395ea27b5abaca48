"""External side effects (sending an email, submitting an application) done at most once.

The key is stored, in its own committed transaction, *before* the side effect runs. A retry
that finds the key done gets the stored result instead of acting again; one that finds it
started but never finished cannot know whether the effect happened, and says so
(`OutcomeUnknown`) instead of risking it twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database, insert_or_ignore
from jobpilot.kit.errors import Conflict

STARTED = "started"
DONE = "done"


class SideEffectRecord(Base):
    """One side effect, by its idempotency key."""

    __tablename__ = "kit_side_effects"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[Any | None] = mapped_column(JSON)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class OutcomeUnknown(Conflict):
    """The side effect was started before and its outcome never recorded; it is not retried."""

    code = "outcome_unknown"
    default_message = "An earlier attempt started this and its outcome is unknown."


class NotPerformed(Exception):
    """Raised by an action that is certain the side effect did not happen (safe to retry)."""


async def once(
    db: Database,
    key: str,
    action: Callable[[], Awaitable[Any]],
    *,
    session: AsyncSession | None = None,
) -> Any:
    """Run `action` at most once for `key` and return its (JSON-serialisable) result.

    A key already done returns the stored result without running `action`. If `action` raises
    NotPerformed the key is released so a later call may try again; any other exception leaves
    the key started, and later calls raise OutcomeUnknown.

    Pass the caller's `session` when it has read but not yet written: its transaction is ended
    first, because on SQLite a transaction that read before another connection committed can no
    longer write. Call `once` before writing anything in that session.
    """
    if session is not None and session.in_transaction():
        await session.commit()
    async with db.unit_of_work() as own:
        claimed = await own.execute(
            insert_or_ignore(
                own, SideEffectRecord, ["key"], key=key, status=STARTED, started_at=utcnow()
            )
        )
        if int(getattr(claimed, "rowcount", 0)) != 1:
            row = (
                await own.execute(
                    select(SideEffectRecord.status, SideEffectRecord.result).where(
                        SideEffectRecord.key == key
                    )
                )
            ).one()
            if row.status == DONE:
                return row.result
            raise OutcomeUnknown(details={"key": key})
    try:
        result = await action()
    except NotPerformed:
        async with db.unit_of_work() as own:
            await own.execute(delete(SideEffectRecord).where(SideEffectRecord.key == key))
        raise
    async with db.unit_of_work() as own:
        await own.execute(
            update(SideEffectRecord)
            .where(SideEffectRecord.key == key)
            .values(status=DONE, result=result, finished_at=utcnow())
        )
    return result

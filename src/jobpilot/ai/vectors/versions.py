"""Change counters of stored vectors: a process holding vectors in memory compares them."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.ai.models import VectorVersion
from jobpilot.kit.db import insert_or_ignore


async def bump_version(session: AsyncSession, kind: str, model_id: str) -> int:
    """Count one more change to a kind's vectors of a model; the new count."""
    await session.execute(
        insert_or_ignore(
            session, VectorVersion, ["kind", "model_id"], kind=kind, model_id=model_id, version=0
        )
    )
    result = await session.execute(
        update(VectorVersion)
        .where(VectorVersion.kind == kind, VectorVersion.model_id == model_id)
        .values(version=VectorVersion.version + 1)
        .returning(VectorVersion.version)
    )
    return int(result.scalar_one())


async def read_version(session: AsyncSession, kind: str, model_id: str) -> int:
    """The change count of a kind's vectors of a model (0 before the first change)."""
    version = await session.scalar(
        select(VectorVersion.version).where(
            VectorVersion.kind == kind, VectorVersion.model_id == model_id
        )
    )
    return int(version or 0)

"""Feature flags every service reads: named switches kept in the database.

Reads are cached in the process for a few seconds, so a flag can be checked on every request
or task; a change made through `set` is seen at once by this process and within the cache's
time by every other one. The auto-apply kill switch is the flag `auto_apply.paused`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, String, select
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database, upsert

CACHE_SECONDS = 5.0


class FeatureFlagRow(Base):
    """One flag and who changed it last."""

    __tablename__ = "kit_feature_flags"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(200))


@dataclass(frozen=True)
class Flag:
    """A flag's state."""

    name: str
    enabled: bool
    updated_at: datetime
    updated_by: str | None


class FeatureFlags:
    """Named switches, read through a short in-process cache."""

    def __init__(self, db: Database, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self._db = db
        self._cache_seconds = cache_seconds
        self._cached: dict[str, bool] = {}
        self._read_at = float("-inf")

    async def enabled(self, name: str, default: bool = False) -> bool:
        """Whether the flag is on (`default` when it was never set)."""
        if time.monotonic() - self._read_at > self._cache_seconds:
            async with self._db.unit_of_work() as session:
                rows = await session.execute(select(FeatureFlagRow.name, FeatureFlagRow.enabled))
                self._cached = {row.name: row.enabled for row in rows}
            self._read_at = time.monotonic()
        return self._cached.get(name, default)

    async def set(self, name: str, enabled: bool, *, by: str | None = None) -> None:
        """Turn the flag on or off."""
        async with self._db.unit_of_work(write=True) as session:
            await session.execute(
                upsert(
                    session,
                    FeatureFlagRow,
                    ["name"],
                    name=name,
                    enabled=enabled,
                    updated_at=utcnow(),
                    updated_by=by,
                )
            )
        self._read_at = float("-inf")

    async def all(self) -> list[Flag]:
        """Every flag that was ever set, by name."""
        async with self._db.unit_of_work() as session:
            rows = await session.scalars(select(FeatureFlagRow).order_by(FeatureFlagRow.name))
            return [Flag(r.name, r.enabled, r.updated_at, r.updated_by) for r in rows]

"""Feature flags every service reads: named switches kept in the database, rolled out to a
share of the users, to named users or to tiers.

A flag has a name (lower-case letters, digits, dots, underscores and dashes, up to 100
characters), a description, a master switch (`enabled`), a rollout percentage (0-100), target
users (user ids) and target tiers (tier names). `await flags.enabled(name, user_id=, tier=)`
answers, in this order:

1. off when the flag is disabled (or was never set: then `default`);
2. on for a user listed in the target users, whatever their tier and the percentage;
3. off when target tiers are listed and the caller's tier is not one of them (also when the
   tier is not known);
4. on at 100 %: a global flag such as the auto-apply kill switch `auto_apply.paused` (100 %,
   no targets) is on for everyone, with or without a user;
5. without a user, off below 100 %;
6. on when the user's bucket falls under the percentage. The bucket is a stable hash of (flag
   name, user id) in 0-9999, so the same user always gets the same answer, raising the
   percentage only adds users (those already in keep their bucket, under a higher bar), and
   each flag picks its own share of the users (the name is part of the hash).

`evaluate` returns the answer with the reason (`disabled`, `targeted_user`,
`tier_not_targeted`, `in_rollout`, `outside_rollout`).

Caching: one query loads every flag into this process, and answers come from that copy for
`CACHE_SECONDS` (5 s). A change made through this facade (`set`, `create`, `update`) drops
this process's copy at once; other processes see it when their copy expires, so within 5 s.
No cross-process signal is sent: the short period keeps the cost at one small query per
process every 5 s and the delay short enough for a kill switch.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, Boolean, Integer, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database
from jobpilot.kit.errors import Conflict, NotFound, ValidationFailed

CACHE_SECONDS = 5.0
NAME_MAX = 100
DESCRIPTION_MAX = 500
TARGETS_MAX = 1000
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
# Buckets per user and flag: a percentage is 100 of them per point.
BUCKETS = 10_000

Reason = Literal["disabled", "targeted_user", "tier_not_targeted", "in_rollout", "outside_rollout"]


class FeatureFlagRow(Base):
    """One flag, its rollout and targets, and who created and changed it last."""

    __tablename__ = "kit_feature_flags"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    enabled: Mapped[bool] = mapped_column(Boolean)
    rollout: Mapped[int] = mapped_column(Integer, default=100)
    # User ids (as strings) and tier names.
    target_users: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_tiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(200))


@dataclass(frozen=True)
class Flag:
    """A flag's state. `created_at` is None for a flag set before flags kept it."""

    name: str
    enabled: bool
    updated_at: datetime
    updated_by: str | None
    description: str = ""
    rollout: int = 100
    target_users: tuple[uuid.UUID, ...] = ()
    target_tiers: tuple[str, ...] = ()
    created_at: datetime | None = None
    created_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The flag as JSON-ready values (for the audit log)."""
        return {
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            "rollout": self.rollout,
            "target_users": [str(u) for u in self.target_users],
            "target_tiers": list(self.target_tiers),
        }


@dataclass(frozen=True)
class Evaluation:
    """What a flag answers for one caller, and why."""

    name: str
    enabled: bool
    reason: Reason
    # The caller's bucket (0-9999) when the rollout decided; None otherwise.
    bucket: int | None = None


class FlagNotFound(NotFound):
    """No flag has this name."""

    code = "flag_not_found"
    default_message = "No feature flag has this name."


class FlagExists(Conflict):
    """A flag with this name exists already."""

    code = "flag_exists"
    default_message = "A feature flag with this name exists already."


class InvalidFlag(ValidationFailed):
    """A flag's name, description, rollout or targets are not acceptable; `details` says
    which (`[{loc, msg, type}]`)."""

    default_message = "The feature flag did not pass validation."


def name_problem(name: str) -> str | None:
    """Why `name` is not a flag name, or None when it is one."""
    if not name:
        return "A flag needs a name."
    if len(name) > NAME_MAX:
        return f"A flag name is at most {NAME_MAX} characters."
    if not _NAME.fullmatch(name):
        return (
            "A flag name is lower-case letters, digits, dots, underscores and dashes, "
            "starting with a letter or digit."
        )
    return None


def bucket_of(name: str, user_id: uuid.UUID) -> int:
    """The user's stable bucket (0-9999) for this flag."""
    digest = hashlib.sha256(f"{name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def evaluate(flag: Flag, user_id: uuid.UUID | None = None, tier: str | None = None) -> Evaluation:
    """Whether `flag` is on for this caller, and why (the order is the module's)."""
    if not flag.enabled:
        return Evaluation(flag.name, False, "disabled")
    if user_id is not None and user_id in flag.target_users:
        return Evaluation(flag.name, True, "targeted_user")
    if flag.target_tiers and tier not in flag.target_tiers:
        return Evaluation(flag.name, False, "tier_not_targeted")
    if flag.rollout >= 100:
        return Evaluation(flag.name, True, "in_rollout")
    if user_id is None:
        return Evaluation(flag.name, False, "outside_rollout")
    bucket = bucket_of(flag.name, user_id)
    inside = bucket < flag.rollout * (BUCKETS // 100)
    return Evaluation(flag.name, inside, "in_rollout" if inside else "outside_rollout", bucket)


class _Unset:
    """Marks an argument of `update` that was not given."""


UNSET: Any = _Unset()


def _problem(field: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": message, "type": "value_error"}


def _check(
    *,
    name: str | None = None,
    description: str | None = None,
    rollout: int | None = None,
    target_users: Sequence[uuid.UUID] | None = None,
    target_tiers: Sequence[str] | None = None,
) -> None:
    problems = []
    if name is not None and (why := name_problem(name)):
        problems.append(_problem("name", why))
    if description is not None and len(description) > DESCRIPTION_MAX:
        problems.append(
            _problem("description", f"A description is at most {DESCRIPTION_MAX} characters.")
        )
    if rollout is not None and not 0 <= rollout <= 100:
        problems.append(_problem("rollout", "The rollout is a percentage from 0 to 100."))
    if target_users is not None and len(target_users) > TARGETS_MAX:
        problems.append(_problem("target_users", f"At most {TARGETS_MAX} target users."))
    if target_tiers is not None and any(not t or len(t) > NAME_MAX for t in target_tiers):
        problems.append(_problem("target_tiers", "A tier name is 1 to 100 characters."))
    if problems:
        raise InvalidFlag(details=problems)


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _flag(row: FeatureFlagRow) -> Flag:
    return Flag(
        name=row.name,
        enabled=row.enabled,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        description=row.description or "",
        rollout=row.rollout if row.rollout is not None else 100,
        target_users=tuple(uuid.UUID(u) for u in row.target_users or ()),
        target_tiers=tuple(row.target_tiers or ()),
        created_at=row.created_at,
        created_by=row.created_by,
    )


class FeatureFlags:
    """Named switches with a rollout and targets, read through a short in-process cache."""

    def __init__(self, db: Database, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self._db = db
        self._cache_seconds = cache_seconds
        self._cached: dict[str, Flag] = {}
        self._read_at = float("-inf")
        # Bumped by every change made here: a load that began before a change must not be
        # kept as fresh (it may hold the old state).
        self._generation = 0
        self._loading = asyncio.Lock()

    # Reading

    async def enabled(
        self,
        name: str,
        default: bool = False,
        *,
        user_id: uuid.UUID | None = None,
        tier: str | None = None,
    ) -> bool:
        """Whether the flag is on for this caller (`default` when it was never set)."""
        flag = (await self._snapshot()).get(name)
        if flag is None:
            return default
        return evaluate(flag, user_id, tier).enabled

    async def evaluate_all(
        self, user_id: uuid.UUID | None = None, tier: str | None = None
    ) -> dict[str, bool]:
        """Every flag that was ever set, evaluated for this caller (from the cache)."""
        flags = await self._snapshot()
        return {name: evaluate(flag, user_id, tier).enabled for name, flag in sorted(flags.items())}

    async def get(self, name: str) -> Flag | None:
        """The flag as stored now (not from the cache), or None."""
        async with self._db.unit_of_work() as session:
            row = await session.get(FeatureFlagRow, name)
            return _flag(row) if row is not None else None

    async def all(self) -> list[Flag]:
        """Every flag that was ever set, by name, as stored now."""
        async with self._db.unit_of_work() as session:
            rows = await session.scalars(select(FeatureFlagRow).order_by(FeatureFlagRow.name))
            return [_flag(r) for r in rows]

    async def _snapshot(self) -> dict[str, Flag]:
        if time.monotonic() - self._read_at <= self._cache_seconds:
            return self._cached
        # One load at a time: callers arriving meanwhile get its result.
        async with self._loading:
            if time.monotonic() - self._read_at <= self._cache_seconds:
                return self._cached
            generation = self._generation
            async with self._db.unit_of_work() as session:
                rows = await session.scalars(select(FeatureFlagRow))
                self._cached = {row.name: _flag(row) for row in rows}
            if generation == self._generation:
                self._read_at = time.monotonic()
            return self._cached

    def invalidate(self) -> None:
        """Forget this process's copy: the next read loads every flag again."""
        self._generation += 1
        self._read_at = float("-inf")

    # Changing

    async def set(self, name: str, enabled: bool, *, by: str | None = None) -> None:
        """Turn the flag on or off (a new flag: at 100 %, no targets)."""
        _check(name=name)
        now = utcnow()
        try:
            async with self._db.unit_of_work(write=True) as session:
                insert = _insert(session).values(
                    name=name,
                    description="",
                    enabled=enabled,
                    rollout=100,
                    target_users=[],
                    target_tiers=[],
                    created_at=now,
                    created_by=by,
                    updated_at=now,
                    updated_by=by,
                )
                await session.execute(
                    insert.on_conflict_do_update(
                        index_elements=["name"],
                        set_={"enabled": enabled, "updated_at": now, "updated_by": by},
                    )
                )
        finally:
            self.invalidate()

    async def create(
        self,
        name: str,
        *,
        description: str = "",
        enabled: bool = False,
        rollout: int = 100,
        target_users: Sequence[uuid.UUID] = (),
        target_tiers: Sequence[str] = (),
        by: str | None = None,
    ) -> Flag:
        """A new flag (off unless `enabled`); FlagExists when the name is taken."""
        description = description.strip()
        _check(
            name=name,
            description=description,
            rollout=rollout,
            target_users=target_users,
            target_tiers=target_tiers,
        )
        now = utcnow()
        row = FeatureFlagRow(
            name=name,
            description=description,
            enabled=enabled,
            rollout=rollout,
            target_users=[str(u) for u in _unique(target_users)],
            target_tiers=_unique(target_tiers),
            created_at=now,
            created_by=by,
            updated_at=now,
            updated_by=by,
        )
        try:
            async with self._db.unit_of_work(write=True) as session:
                if await session.get(FeatureFlagRow, name) is not None:
                    raise FlagExists(f"A feature flag named {name} exists already.")
                session.add(row)
                await session.flush()
                flag = _flag(row)
        except IntegrityError:
            # Created by someone else between the check and the insert.
            raise FlagExists(f"A feature flag named {name} exists already.") from None
        finally:
            self.invalidate()
        return flag

    async def update(
        self,
        name: str,
        *,
        by: str | None = None,
        description: str = UNSET,
        enabled: bool = UNSET,
        rollout: int = UNSET,
        target_users: Sequence[uuid.UUID] = UNSET,
        target_tiers: Sequence[str] = UNSET,
    ) -> tuple[Flag, Flag]:
        """Change the given parts of a flag; the flag before and after. FlagNotFound when it
        does not exist."""
        given: dict[str, Any] = {
            "description": description.strip() if isinstance(description, str) else description,
            "enabled": enabled,
            "rollout": rollout,
            "target_users": target_users,
            "target_tiers": target_tiers,
        }
        changes = {k: v for k, v in given.items() if v is not UNSET}
        _check(
            description=changes.get("description"),
            rollout=changes.get("rollout"),
            target_users=changes.get("target_users"),
            target_tiers=changes.get("target_tiers"),
        )
        try:
            async with self._db.unit_of_work(write=True) as session:
                row = await session.get(FeatureFlagRow, name, with_for_update=True)
                if row is None:
                    raise FlagNotFound(f"No feature flag is named {name}.")
                before = _flag(row)
                if "target_users" in changes:
                    changes["target_users"] = [str(u) for u in _unique(changes["target_users"])]
                if "target_tiers" in changes:
                    changes["target_tiers"] = _unique(changes["target_tiers"])
                for key, value in changes.items():
                    setattr(row, key, value)
                row.updated_at = utcnow()
                row.updated_by = by
                await session.flush()
                after = _flag(row)
        finally:
            self.invalidate()
        return before, after

    async def ensure(self, name: str, *, description: str = "", by: str | None = None) -> bool:
        """Store the flag, off at 100 % with `description`, unless it exists; whether it was
        created (a well-known flag such as the kill switch exists before anyone set it)."""
        _check(name=name, description=description)
        now = utcnow()
        try:
            async with self._db.unit_of_work(write=True) as session:
                insert = _insert(session).values(
                    name=name,
                    description=description,
                    enabled=False,
                    rollout=100,
                    target_users=[],
                    target_tiers=[],
                    created_at=now,
                    created_by=by,
                    updated_at=now,
                    updated_by=by,
                )
                result = await session.execute(insert.on_conflict_do_nothing())
                created = bool(getattr(result, "rowcount", 0))
        finally:
            self.invalidate()
        return created


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(FeatureFlagRow)

"""Runtime settings: a few values operators change while the platform runs (ADR 0010).

The static settings (`jobpilot.settings`, env `JOBPILOT_*`) give each runtime setting its
default; an override kept in the database replaces it until it is reset. Each domain declares
its runtime settings (a `RuntimeSetting`: key, label, help, type and default) and reads them with
`await runtime.get(KEY)`.

Reads are cached in the process for a few seconds (`CACHE_SECONDS`), so a setting can be read on
every request or task; a change made through `set` or `reset` is seen at once by this process
and within the cache's time by every other one. A change is validated before anything is written,
and the value and its history row are written in one unit of work.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar, cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import JSON, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database, UuidPk, upsert
from jobpilot.kit.errors import NotFound, ValidationFailed, validation_details

log = logging.getLogger("jobpilot.runtime")

CACHE_SECONDS = 5.0
# A setting's history lists this many changes, newest first.
HISTORY_SHOWN = 50

T = TypeVar("T")
Widget = Literal["number", "checkbox", "text", "textarea", "choice", "table"]


class RuntimeSettingRow(Base):
    """An override of one runtime setting, and who set it last."""

    __tablename__ = "kit_runtime_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(320))


class RuntimeSettingHistoryRow(UuidPk, Base):
    """One change of a runtime setting: an override set, or a reset (`reset` true; the new value
    is the default that applies from then on)."""

    __tablename__ = "kit_runtime_setting_history"

    key: Mapped[str] = mapped_column(String(100), index=True)
    old_value: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    # Whether the old and new values were overrides (False: the default applied).
    old_overridden: Mapped[bool]
    reset: Mapped[bool]
    at: Mapped[datetime] = mapped_column(index=True)
    by: Mapped[str | None] = mapped_column(String(320))


@dataclass(frozen=True)
class Key(Generic[T]):
    """The name of a runtime setting, typed with its value's type (for `RuntimeSettings.get`)."""

    name: str


@dataclass(frozen=True)
class RuntimeSetting(Generic[T]):
    """What a domain declares: a setting's key, how it is shown, its type and default.

    `type` is what pydantic validates a new value against (a type, or `Annotated` with
    constraints and validators); `widget` says how a form edits it.
    """

    key: Key[T]
    label: str
    help: str
    type: Any
    default: T
    widget: Widget = "text"
    # The values a `choice` offers.
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The setting's key as a string (`jobs.refresh_minutes`)."""
        return self.key.name

    @cached_property
    def _adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.type)

    def validate(self, value: Any) -> T:
        """`value` as this setting's type, or ValidationFailed (422) naming what is wrong, with
        each problem's place inside the value under `details` (`loc` starts with "value")."""
        try:
            return cast("T", self._adapter.validate_python(value))
        except ValidationError as exc:
            details = validation_details(exc.errors(), prefix=("value",))
            first = details[0]["msg"] if details else "invalid value"
            raise ValidationFailed(f"{self.label}: {first}", details=details) from None

    def dump(self, value: T) -> Any:
        """`value` as JSON-able data (what the database keeps and the API shows)."""
        return self._adapter.dump_python(value, mode="json")


class SettingNotFound(NotFound):
    """No runtime setting has this key."""

    code = "setting_not_found"
    default_message = "No runtime setting has this key."


@dataclass(frozen=True)
class SettingState:
    """A setting as it is now: its value, default, and whether (and by whom) it is overridden."""

    setting: RuntimeSetting[Any]
    value: Any
    default: Any
    overridden: bool
    updated_at: datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class SettingChange:
    """One change of a setting, as its history keeps it."""

    id: uuid.UUID
    key: str
    old_value: Any
    new_value: Any
    old_overridden: bool
    reset: bool
    at: datetime
    by: str | None


@dataclass
class _Snapshot:
    values: dict[str, Any] = field(default_factory=dict)
    read_at: float = float("-inf")


class RuntimeSettings:
    """The declared runtime settings, their overrides in the database, read through a short
    in-process cache."""

    def __init__(
        self,
        db: Database,
        declared: Iterable[RuntimeSetting[Any]],
        *,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._db = db
        self._cache_seconds = cache_seconds
        self._declared: dict[str, RuntimeSetting[Any]] = {}
        for setting in declared:
            if setting.name in self._declared:
                msg = f"runtime setting {setting.name!r} is declared twice"
                raise ValueError(msg)
            # A default that does not pass its own validation is a bug in the declaration.
            setting.validate(setting.dump(setting.default))
            self._declared[setting.name] = setting
        self._snapshot = _Snapshot()

    @property
    def declared(self) -> Sequence[RuntimeSetting[Any]]:
        """Every declared setting, in declaration order."""
        return tuple(self._declared.values())

    def setting(self, key: str) -> RuntimeSetting[Any]:
        """The declared setting `key`, or SettingNotFound (404)."""
        found = self._declared.get(key)
        if found is None:
            raise SettingNotFound(details={"key": key})
        return found

    async def get(self, key: Key[T]) -> T:
        """The setting's value: its override, or the default when none is set (or when the
        stored override no longer passes validation, e.g. after a static setting changed)."""
        setting = self.setting(key.name)
        values = await self._values()
        return cast("T", values.get(key.name, setting.default))

    def invalidate(self) -> None:
        """Forget the cached values: the next read goes to the database."""
        self._snapshot = _Snapshot()

    async def _values(self) -> dict[str, Any]:
        snapshot = self._snapshot
        if time.monotonic() - snapshot.read_at <= self._cache_seconds:
            return snapshot.values
        async with self._db.unit_of_work() as session:
            rows = (
                await session.execute(select(RuntimeSettingRow.key, RuntimeSettingRow.value))
            ).all()
        values: dict[str, Any] = {}
        for key, stored in rows:
            setting = self._declared.get(key)
            if setting is None:
                continue
            try:
                values[key] = setting.validate(stored)
            except ValidationFailed:
                log.warning(
                    "runtime setting %s: the stored value is invalid; the default applies", key
                )
        self._snapshot = _Snapshot(values, time.monotonic())
        return values

    async def states(self) -> list[SettingState]:
        """Every declared setting as it is now (read from the database, not the cache)."""
        async with self._db.unit_of_work() as session:
            rows = {row.key: row for row in await session.scalars(select(RuntimeSettingRow))}
        return [self._state(setting, rows.get(setting.name)) for setting in self._declared.values()]

    async def state(self, key: str) -> SettingState:
        """One setting as it is now."""
        setting = self.setting(key)
        async with self._db.unit_of_work() as session:
            row = await session.get(RuntimeSettingRow, key)
        return self._state(setting, row)

    def _state(self, setting: RuntimeSetting[Any], row: RuntimeSettingRow | None) -> SettingState:
        default = setting.dump(setting.default)
        if row is None:
            return SettingState(setting, default, default, False, None, None)
        try:
            value = setting.dump(setting.validate(row.value))
        except ValidationFailed:
            value = default
        return SettingState(setting, value, default, True, row.updated_at, row.updated_by)

    async def set(self, key: str, value: Any, *, by: str | None) -> SettingChange:
        """Override the setting with `value` once it passes validation (422 otherwise, and
        nothing is written); the override and its history row are written together."""
        setting = self.setting(key)
        new = setting.dump(setting.validate(value))
        now = utcnow()
        async with self._db.unit_of_work(write=True) as session:
            row = await session.get(RuntimeSettingRow, key, with_for_update=True)
            old, old_overridden = self._current(setting, row)
            # An upsert: two admins saving a setting that had no override both succeed (the
            # last one wins; the history keeps both) instead of one hitting the primary key.
            await session.execute(
                upsert(
                    session,
                    RuntimeSettingRow,
                    ["key"],
                    key=key,
                    value=new,
                    updated_at=now,
                    updated_by=by,
                )
            )
            change = self._record(
                session, key, old, new, old_overridden, reset=False, at=now, by=by
            )
        self.invalidate()
        return change

    async def reset(self, key: str, *, by: str | None) -> SettingChange | None:
        """Delete the override so that the default applies again; None when there was none
        (nothing changes and no history is written)."""
        setting = self.setting(key)
        now = utcnow()
        async with self._db.unit_of_work(write=True) as session:
            row = await session.get(RuntimeSettingRow, key, with_for_update=True)
            if row is None:
                return None
            old, _ = self._current(setting, row)
            await session.execute(delete(RuntimeSettingRow).where(RuntimeSettingRow.key == key))
            default = setting.dump(setting.default)
            change = self._record(session, key, old, default, True, reset=True, at=now, by=by)
        self.invalidate()
        return change

    @staticmethod
    def _current(setting: RuntimeSetting[Any], row: RuntimeSettingRow | None) -> tuple[Any, bool]:
        if row is None:
            return setting.dump(setting.default), False
        return row.value, True

    @staticmethod
    def _record(
        session: Any,
        key: str,
        old: Any,
        new: Any,
        old_overridden: bool,
        *,
        reset: bool,
        at: datetime,
        by: str | None,
    ) -> SettingChange:
        entry = RuntimeSettingHistoryRow(
            id=uuid.uuid4(),
            key=key,
            old_value=old,
            new_value=new,
            old_overridden=old_overridden,
            reset=reset,
            at=at,
            by=by,
        )
        session.add(entry)
        return SettingChange(entry.id, key, old, new, old_overridden, reset, at, by)

    async def history(self, key: str, limit: int = HISTORY_SHOWN) -> list[SettingChange]:
        """The setting's changes, newest first."""
        self.setting(key)
        async with self._db.unit_of_work() as session:
            rows = await session.scalars(
                select(RuntimeSettingHistoryRow)
                .where(RuntimeSettingHistoryRow.key == key)
                .order_by(RuntimeSettingHistoryRow.at.desc(), RuntimeSettingHistoryRow.id)
                .limit(limit)
            )
            return [
                SettingChange(
                    r.id, r.key, r.old_value, r.new_value, r.old_overridden, r.reset, r.at, r.by
                )
                for r in rows
            ]

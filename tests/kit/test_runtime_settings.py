"""Runtime settings (kit.runtime): defaults from the static settings, validated changes with
their history, the in-process cache and its invalidation, reset to the default."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import pytest
from pydantic import Field
from sqlalchemy import func, select

from jobpilot import registry
from jobpilot.jobs.runtime import INGESTION_PAUSED, REFRESH_MINUTES
from jobpilot.kit.db import Database
from jobpilot.kit.errors import ValidationFailed
from jobpilot.kit.runtime import (
    Key,
    RuntimeSetting,
    RuntimeSettingHistoryRow,
    RuntimeSettings,
    SettingNotFound,
)
from jobpilot.settings import Settings
from jobpilot.users.config import UsersSettings
from jobpilot.users.runtime import TIERS
from jobpilot.web.runtime import MAINTENANCE_BANNER
from support import make_settings

LIMIT: Key[int] = Key("demo.limit")


def limit_setting(default: int = 10, maximum: int = 100) -> RuntimeSetting[Any]:
    return RuntimeSetting(
        key=LIMIT,
        label="Demo limit",
        help="A number from 1 to the maximum.",
        type=Annotated[int, Field(ge=1, le=maximum)],
        default=default,
        widget="number",
    )


@pytest.fixture
def platform_settings(tmp_path: Any) -> Settings:
    return make_settings(tmp_path / "var", jobs={"refresh_minutes": 90})


async def history_count(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count(RuntimeSettingHistoryRow.id))) or 0)


async def test_defaults_come_from_the_static_settings(
    db: Database, platform_settings: Settings
) -> None:
    runtime = RuntimeSettings(db, registry.runtime_settings(platform_settings))
    assert await runtime.get(REFRESH_MINUTES) == 90
    assert await runtime.get(INGESTION_PAUSED) is False
    assert await runtime.get(TIERS) == platform_settings.users.tiers
    assert await runtime.get(MAINTENANCE_BANNER) == ""
    names = [s.name for s in runtime.declared]
    assert names == [
        "jobs.refresh_minutes",
        "jobs.ingestion_paused",
        "users.tiers",
        "web.maintenance_banner",
        "web.maintenance_banner_level",
    ]
    assert all(not state.overridden for state in await runtime.states())


async def test_a_change_is_validated_written_with_its_history_and_seen_at_once(
    db: Database,
) -> None:
    runtime = RuntimeSettings(db, [limit_setting()], cache_seconds=3600)
    assert await runtime.get(LIMIT) == 10  # now cached for an hour

    change = await runtime.set("demo.limit", "25", by="root@example.com")
    # The string a form posts becomes the setting's type; this process sees it at once.
    assert change.new_value == 25
    assert change.old_value == 10
    assert change.old_overridden is False
    assert await runtime.get(LIMIT) == 25

    await runtime.set("demo.limit", 30, by="ops@example.com")
    state = await runtime.state("demo.limit")
    assert (state.value, state.default, state.overridden) == (30, 10, True)
    assert state.updated_by == "ops@example.com"
    assert state.updated_at is not None

    newest, oldest = await runtime.history("demo.limit")
    assert (oldest.old_value, oldest.new_value, oldest.by) == (10, 25, "root@example.com")
    assert (newest.old_value, newest.new_value, newest.by) == (25, 30, "ops@example.com")
    assert newest.old_overridden is True
    assert not newest.reset
    assert newest.at >= oldest.at


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "greater than or equal to 1"),
        (101, "less than or equal to 100"),
        ("many", "valid integer"),
        (None, "valid integer"),
    ],
)
async def test_an_invalid_value_changes_nothing(db: Database, value: Any, message: str) -> None:
    runtime = RuntimeSettings(db, [limit_setting()])
    await runtime.set("demo.limit", 20, by="root@example.com")
    with pytest.raises(ValidationFailed) as caught:
        await runtime.set("demo.limit", value, by="root@example.com")
    assert caught.value.status == 422
    assert message in caught.value.message
    assert caught.value.message.startswith("Demo limit: ")
    assert caught.value.details[0]["loc"] == ["value"]
    assert await runtime.get(LIMIT) == 20
    assert (await runtime.state("demo.limit")).value == 20
    assert await history_count(db) == 1


async def test_other_processes_see_a_change_when_their_cache_expires(db: Database) -> None:
    here = RuntimeSettings(db, [limit_setting()], cache_seconds=0.3)
    elsewhere = RuntimeSettings(db, [limit_setting()], cache_seconds=0.3)
    assert await elsewhere.get(LIMIT) == 10

    await here.set("demo.limit", 42, by=None)
    assert await here.get(LIMIT) == 42
    # Another process keeps its cached value for at most cache_seconds...
    assert await elsewhere.get(LIMIT) == 10
    await asyncio.sleep(0.35)
    # ...then reads the database again.
    assert await elsewhere.get(LIMIT) == 42
    await here.reset("demo.limit", by=None)
    elsewhere.invalidate()
    assert await elsewhere.get(LIMIT) == 10


async def test_reset_deletes_the_override_and_is_in_the_history(db: Database) -> None:
    runtime = RuntimeSettings(db, [limit_setting()])
    # Nothing to reset: nothing changes, no history.
    assert await runtime.reset("demo.limit", by="root@example.com") is None
    assert await history_count(db) == 0

    await runtime.set("demo.limit", 55, by="root@example.com")
    change = await runtime.reset("demo.limit", by="ops@example.com")
    assert change is not None
    assert (change.old_value, change.new_value, change.reset) == (55, 10, True)
    assert await runtime.get(LIMIT) == 10
    state = await runtime.state("demo.limit")
    assert (state.overridden, state.updated_at, state.updated_by) == (False, None, None)
    newest, _ = await runtime.history("demo.limit")
    assert newest.reset
    assert newest.by == "ops@example.com"


async def test_unknown_keys_are_not_found(db: Database) -> None:
    runtime = RuntimeSettings(db, [limit_setting()])
    for call in (
        runtime.set("demo.nope", 1, by=None),
        runtime.reset("demo.nope", by=None),
        runtime.history("demo.nope"),
        runtime.state("demo.nope"),
        runtime.get(Key[int]("demo.nope")),
    ):
        with pytest.raises(SettingNotFound) as caught:
            await call
        assert caught.value.status == 404
        assert caught.value.code == "setting_not_found"


async def test_a_stored_value_that_no_longer_validates_gives_the_default(db: Database) -> None:
    await RuntimeSettings(db, [limit_setting(maximum=100)]).set("demo.limit", 80, by=None)
    # The maximum was lowered in a release: the stored 80 is out of range, the default applies.
    stricter = RuntimeSettings(db, [limit_setting(maximum=50)])
    assert await stricter.get(LIMIT) == 10
    assert (await stricter.state("demo.limit")).value == 10


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        RuntimeSettings(Database("sqlite+aiosqlite://"), [limit_setting(), limit_setting()])
    with pytest.raises(ValidationFailed):
        RuntimeSettings(Database("sqlite+aiosqlite://"), [limit_setting(default=500)])


async def test_tier_quotas_are_validated_like_the_static_settings(
    db: Database, platform_settings: Settings
) -> None:
    runtime = RuntimeSettings(db, registry.runtime_settings(platform_settings))
    tiers = platform_settings.users.tiers
    bad: list[tuple[dict[str, Any], str]] = [
        ({k: v for k, v in tiers.items() if k != "free"}, "a 'free' tier is required"),
        ({**tiers, "pro": {**tiers["pro"], "resumes": -1}}, "tier 'pro' has a negative limit"),
        (
            {**tiers, "pro": {k: v for k, v in tiers["pro"].items() if k != "resumes"}},
            "tier 'pro' must set exactly the quotas",
        ),
        ({**tiers, "pro": {**tiers["pro"], "boosts": 3}}, "unknown ['boosts']"),
    ]
    for value, message in bad:
        with pytest.raises(ValidationFailed) as caught:
            await runtime.set("users.tiers", value, by=None)
        assert message in caught.value.message
        # The static settings refuse the same tiers with the same words.
        with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
            UsersSettings(tiers=value)
    assert await history_count(db) == 0

    lower = {**tiers, "free": {**tiers["free"], "saved_searches": 1}}
    await runtime.set("users.tiers", lower, by=None)
    assert (await runtime.get(TIERS))["free"]["saved_searches"] == 1


async def test_the_banner_is_at_most_300_characters(
    db: Database, platform_settings: Settings
) -> None:
    runtime = RuntimeSettings(db, registry.runtime_settings(platform_settings))
    with pytest.raises(ValidationFailed) as caught:
        await runtime.set("web.maintenance_banner", "x" * 301, by=None)
    assert "at most 300 characters" in caught.value.message
    await runtime.set("web.maintenance_banner", "  Upgrade at 22:00 UTC.  ", by=None)
    assert await runtime.get(MAINTENANCE_BANNER) == "Upgrade at 22:00 UTC."
    with pytest.raises(ValidationFailed):
        await runtime.set("web.maintenance_banner_level", "panic", by=None)
    with pytest.raises(ValidationFailed):
        await runtime.set("jobs.ingestion_paused", "maybe", by=None)
    with pytest.raises(ValidationFailed):
        await runtime.set("jobs.refresh_minutes", 10081, by=None)

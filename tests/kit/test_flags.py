"""Feature flags: kept in the database, read through a short cache, changed by `set`,
`create` and `update`; rolled out to a stable share of users, to named users and tiers."""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, text

from jobpilot.kit import migrate
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.flags import FeatureFlags, Flag, FlagExists, FlagNotFound, InvalidFlag, evaluate


async def test_a_flag_is_off_until_set_and_follows_each_change(db: Database) -> None:
    flags = FeatureFlags(db)
    assert await flags.enabled("auto_apply.paused") is False
    assert await flags.enabled("auto_apply.paused", default=True) is True
    await flags.set("auto_apply.paused", True, by="ops@example.com")
    assert await flags.enabled("auto_apply.paused") is True
    await flags.set("auto_apply.paused", False)
    assert await flags.enabled("auto_apply.paused") is False
    [flag] = await flags.all()
    assert (flag.name, flag.enabled, flag.updated_by) == ("auto_apply.paused", False, None)


async def test_other_processes_see_a_change_once_their_cache_expires(db: Database) -> None:
    here, elsewhere = FeatureFlags(db, cache_seconds=60), FeatureFlags(db, cache_seconds=0)
    assert await here.enabled("auto_apply.paused") is False
    await elsewhere.set("auto_apply.paused", True)
    # `here` read a moment ago and keeps its answer for its cache's time...
    assert await here.enabled("auto_apply.paused") is False
    # ...while a reader without a cache sees the change at once.
    assert await elsewhere.enabled("auto_apply.paused") is True
    assert await FeatureFlags(db).enabled("auto_apply.paused") is True


async def test_a_change_here_is_seen_here_at_once_and_elsewhere_after_the_cache(
    db: Database,
) -> None:
    here, elsewhere = FeatureFlags(db, cache_seconds=60), FeatureFlags(db, cache_seconds=60)
    await here.create("search.semantic", description="Semantic search", enabled=True)
    assert await here.enabled("search.semantic") is True
    assert await elsewhere.enabled("search.semantic") is True
    before, after = await here.update("search.semantic", enabled=False, by="ops")
    assert (before.enabled, after.enabled, after.updated_by) == (True, False, "ops")
    # This process dropped its copy with the change...
    assert await here.enabled("search.semantic") is False
    # ...the other keeps its copy until its cache time is over (60 s here, 5 s by default).
    assert await elsewhere.enabled("search.semantic") is True
    elsewhere.invalidate()
    assert await elsewhere.enabled("search.semantic") is False


async def test_one_query_loads_every_flag_for_the_cache_time(db: Database) -> None:
    flags = FeatureFlags(db, cache_seconds=60)
    await flags.create("a.one", enabled=True)
    await flags.create("a.two", enabled=True)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert await flags.enabled("a.one") is True
            assert await flags.enabled("a.two") is True
            assert await flags.enabled("a.missing") is False
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    selects = [s for s in statements if "kit_feature_flags" in s]
    assert len(selects) == 1


async def test_rollout_is_stable_per_user_and_raising_it_only_adds_users(db: Database) -> None:
    # A long cache: the answers come from this process's copy, and each change renews it.
    flags = FeatureFlags(db, cache_seconds=60)
    await flags.create("ui.new_board", enabled=True, rollout=30)
    rng = random.Random(20261127)
    users = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(10_000)]
    at_30 = {u for u in users if await flags.enabled("ui.new_board", user_id=u)}
    assert 2_800 <= len(at_30) <= 3_200
    # The same users get the same answer every time.
    assert {u for u in users if await flags.enabled("ui.new_board", user_id=u)} == at_30
    await flags.update("ui.new_board", rollout=50)
    at_50 = {u for u in users if await flags.enabled("ui.new_board", user_id=u)}
    assert 4_800 <= len(at_50) <= 5_200
    assert at_30 <= at_50
    # Without a user, a partial rollout is off; at 100 % everyone is in, with or without one.
    assert await flags.enabled("ui.new_board") is False
    await flags.update("ui.new_board", rollout=100)
    assert await flags.enabled("ui.new_board") is True
    assert all([await flags.enabled("ui.new_board", user_id=u) for u in users[:100]])
    # Another flag at 30 % picks its own users (the name is part of the hash).
    other = Flag("ui.other", True, utcnow(), None, rollout=30)
    assert {u for u in users if evaluate(other, u).enabled} != at_30


async def test_targets_come_before_the_rollout(db: Database) -> None:
    flags = FeatureFlags(db, cache_seconds=0)
    ada, bob = uuid.uuid4(), uuid.uuid4()
    await flags.create(
        "beta.tailoring", enabled=True, rollout=0, target_users=[ada], target_tiers=["pro"]
    )
    flag = await flags.get("beta.tailoring")
    assert flag is not None
    # A targeted user is in whatever the tier; others need a targeted tier and the rollout.
    assert evaluate(flag, ada, "free").reason == "targeted_user"
    assert evaluate(flag, bob, "free").reason == "tier_not_targeted"
    assert evaluate(flag, bob, None).reason == "tier_not_targeted"
    assert evaluate(flag, bob, "pro").reason == "outside_rollout"
    assert await flags.enabled("beta.tailoring", user_id=bob, tier="pro") is False
    await flags.update("beta.tailoring", rollout=100)
    assert await flags.enabled("beta.tailoring", user_id=bob, tier="pro") is True
    assert await flags.enabled("beta.tailoring", user_id=bob, tier="free") is False
    await flags.update("beta.tailoring", enabled=False)
    disabled = evaluate((await flags.all())[0], ada, "pro")
    assert (disabled.enabled, disabled.reason) == (False, "disabled")


async def test_names_rollout_and_duplicates_are_checked(db: Database) -> None:
    flags = FeatureFlags(db)
    for bad in ("", "Upper.case", "spaces here", "-leading", "x" * 101, "emoji.✓"):
        with pytest.raises(InvalidFlag):
            await flags.create(bad)
    with pytest.raises(InvalidFlag) as caught:
        await flags.create("ok.name", rollout=101)
    assert caught.value.details[0]["loc"] == ["body", "rollout"]
    await flags.create("ok.name-with_all.kinds")
    with pytest.raises(FlagExists):
        await flags.create("ok.name-with_all.kinds")
    with pytest.raises(FlagNotFound):
        await flags.update("no.such.flag", enabled=True)
    with pytest.raises(InvalidFlag):
        await flags.update("ok.name-with_all.kinds", rollout=-1)
    assert [f.name for f in await flags.all()] == ["ok.name-with_all.kinds"]


async def test_set_keeps_the_rollout_and_targets_of_an_existing_flag(db: Database) -> None:
    flags = FeatureFlags(db, cache_seconds=0)
    ada = uuid.uuid4()
    await flags.create("beta.x", description="X", rollout=20, target_users=[ada])
    await flags.set("beta.x", True, by="cli")
    [flag] = await flags.all()
    assert (flag.enabled, flag.rollout, flag.target_users, flag.description) == (
        True,
        20,
        (ada,),
        "X",
    )
    assert await flags.ensure("beta.x", description="other") is False
    assert await flags.ensure("auto_apply.paused", description="Kill switch") is True
    paused = await flags.get("auto_apply.paused")
    assert paused is not None
    assert (paused.enabled, paused.rollout, paused.description) == (False, 100, "Kill switch")


def test_a_flag_set_before_rollouts_keeps_its_answer(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url, "0011")

    async def before() -> None:
        db = Database(url)
        try:
            async with db.unit_of_work(write=True) as session:
                await session.execute(
                    text(
                        "INSERT INTO kit_feature_flags (name, enabled, updated_at, updated_by) "
                        "VALUES ('auto_apply.paused', 1, '2026-11-01 10:00:00', 'cli')"
                    )
                )
        finally:
            await db.dispose()

    async def after() -> None:
        db = Database(url)
        try:
            flags = FeatureFlags(db)
            assert await flags.enabled("auto_apply.paused") is True
            assert await flags.enabled("auto_apply.paused", user_id=uuid.uuid4()) is True
            [flag] = await flags.all()
            assert (flag.rollout, flag.target_users, flag.target_tiers) == (100, (), ())
            assert flag.created_at is None
        finally:
            await db.dispose()

    asyncio.run(before())
    migrate.upgrade(url)
    asyncio.run(after())

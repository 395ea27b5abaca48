"""Feature flags: kept in the database, read through a short cache, changed by `set`."""

from __future__ import annotations

from jobpilot.kit.db import Database
from jobpilot.kit.flags import FeatureFlags


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

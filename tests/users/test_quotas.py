"""Tiers and quotas: one place to ask, atomic under concurrency, on both databases."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fastapi import APIRouter

from jobpilot.kit.authn import CurrentUser
from jobpilot.kit.db import Database
from jobpilot.kit.web import DbSession
from jobpilot.users.errors import QuotaExceeded
from jobpilot.users.public import UsersFacade
from support import SignedIn, assert_error


def _facade_in(db: Database, user: SignedIn):  # type: ignore[no-untyped-def]
    async def consume(user_id: uuid.UUID, quota: str) -> int:
        async with db.unit_of_work() as session:
            return await UsersFacade(session, user.app.state.container.users).consume_quota(
                user_id, "free", quota
            )

    return consume


async def test_concurrent_spending_never_exceeds_the_limit(
    user: SignedIn, migrated_url: str
) -> None:
    user_id = uuid.uuid4()
    limit = user.app.state.container.users.settings.tiers["free"]["auto_applies"]
    setup = Database(migrated_url)
    spend = _facade_in(setup, user)
    for _ in range(limit - 1):
        await spend(user_id, "auto_applies")
    # Two requests race for the last unit, each on its own connection.
    dbs = [Database(migrated_url), Database(migrated_url)]
    results = await asyncio.gather(
        *(_facade_in(d, user)(user_id, "auto_applies") for d in dbs), return_exceptions=True
    )
    for d in dbs:
        await d.dispose()
    assert sorted(r for r in results if isinstance(r, int)) == [limit]
    (refused,) = [r for r in results if isinstance(r, QuotaExceeded)]
    assert refused.details["quota"] == "auto_applies"
    assert refused.details["limit"] == limit
    assert refused.details["used"] == limit
    assert refused.details["resets_at"].endswith("T00:00:00+00:00")
    with pytest.raises(QuotaExceeded):
        await spend(user_id, "auto_applies")
    await setup.dispose()


async def test_a_burst_of_racing_requests_lets_exactly_the_limit_through(
    user: SignedIn, migrated_url: str
) -> None:
    user_id = uuid.uuid4()
    limit = user.app.state.container.users.settings.tiers["free"]["resumes"]
    dbs = [Database(migrated_url) for _ in range(4)]
    calls = [_facade_in(dbs[i % 4], user)(user_id, "resumes") for i in range(12)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    for d in dbs:
        await d.dispose()
    assert sorted(r for r in results if isinstance(r, int)) == list(range(1, limit + 1))
    assert sum(isinstance(r, QuotaExceeded) for r in results) == 12 - limit


async def test_usage_shows_limits_and_tier_changes_reach_the_token(user: SignedIn) -> None:
    usage = (await user.client.get("/api/v1/users/me/usage")).json()
    assert usage["tier"] == "free"
    by_quota = {q["quota"]: q for q in usage["quotas"]}
    assert by_quota["ai_requests"]["period"] == "month"
    assert by_quota["resumes"]["resets_at"] is None
    assert by_quota["auto_applies"]["limit"] == 5

    me = (await user.client.get("/api/v1/auth/me")).json()
    async with user.app.state.db.unit_of_work() as session:
        facade = UsersFacade(session, user.app.state.container.users)
        await facade.change_tier(uuid.UUID(me["id"]), "pro")
    # The next token carries the new tier.
    login = await user.client.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "a test passphrase that is long"},
    )
    pro = await user.client.get(
        "/api/v1/users/me/usage",
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
    )
    assert pro.json()["tier"] == "pro"
    assert {q["quota"]: q["limit"] for q in pro.json()["quotas"]}["auto_applies"] == 50


async def test_an_exceeded_quota_answers_402_with_details(user: SignedIn) -> None:
    probe = APIRouter()

    @probe.post("/api/v1/users/_probe/spend")
    async def spend(principal: CurrentUser, session: DbSession) -> dict[str, int]:
        facade = UsersFacade(session, user.app.state.container.users)
        used = await facade.consume_quota(principal.user_id, principal.tier, "saved_searches")
        return {"used": used}

    user.app.include_router(probe)
    for expected in (1, 2, 3):
        assert (await user.client.post("/api/v1/users/_probe/spend")).json() == {"used": expected}
    refused = await user.client.post("/api/v1/users/_probe/spend")
    error = assert_error(refused, 402, "quota_exceeded")
    assert error["details"] == {"quota": "saved_searches", "limit": 3, "used": 3, "resets_at": None}


async def test_unknown_tiers_are_refused(user: SignedIn) -> None:
    from jobpilot.users.errors import UnknownTier

    async with user.app.state.db.unit_of_work() as session:
        with pytest.raises(UnknownTier):
            await UsersFacade(session, user.app.state.container.users).change_tier(
                uuid.uuid4(), "platinum"
            )

"""`GET /api/v1/users/me/flags`: every feature flag evaluated for the caller (their id and
tier), as the web app and the extension read them."""

from __future__ import annotations

import uuid

from jobpilot.auth.public import AuthFacade
from support import SignedIn, assert_error


async def test_the_caller_gets_each_flag_as_it_applies_to_them(user: SignedIn) -> None:
    client, flags = user.client, user.app.state.container.flags
    assert (await client.get("/api/v1/users/me/flags")).json() == {}

    me = uuid.UUID((await client.get("/api/v1/auth/me")).json()["id"])
    await flags.set("auto_apply.paused", True, by="ops")
    await flags.create("beta.only_me", enabled=True, rollout=0, target_users=[me])
    await flags.create("beta.nobody", enabled=True, rollout=0)
    await flags.create("beta.off", enabled=False)
    await flags.create("beta.pro", enabled=True, target_tiers=["pro"])
    response = await client.get("/api/v1/users/me/flags")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "auto_apply.paused": True,
        "beta.nobody": False,
        "beta.off": False,
        "beta.only_me": True,
        "beta.pro": False,
    }

    # The tier comes from the access token: once on pro (and signed in again), the tier's
    # flag is on.
    await AuthFacade(user.app.state.container.auth).set_tier(me, "pro")
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "a test passphrase that is long"},
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    mine = (await client.get("/api/v1/users/me/flags", headers=headers)).json()
    assert mine["beta.pro"] is True

    assert_error(
        await client.get("/api/v1/users/me/flags", headers={"Authorization": ""}),
        401,
        "invalid_token",
    )

"""Skills normalised through the taxonomy, and the user's export and erasure."""

from __future__ import annotations

import uuid

from jobpilot import registry, wiring
from jobpilot.users.public import UsersFacade
from support import SignedIn, assert_error


async def test_skills_are_normalised_and_unknown_ones_kept(user: SignedIn) -> None:
    typed = [
        {"name": "JS", "level": "advanced", "years": 5},
        {"name": "javascript"},  # the same skill again
        {"name": "k8s"},
        {"name": "FastAPI", "years": 3},
        {"name": "Underwater basket weaving"},
    ]
    saved = await user.client.put("/api/v1/users/me/skills", json=typed)
    assert saved.status_code == 200, saved.text
    skills = saved.json()
    assert [s["name"] for s in skills] == [
        "JavaScript",
        "Kubernetes",
        "FastAPI",
        "Underwater basket weaving",
    ]
    assert skills[0]["level"] == "advanced"
    assert skills[0]["years"] == 5
    assert skills[3]["custom"] is True
    assert skills[3]["skill_id"] is None
    assert "Python" in skills[2]["path"]

    me = uuid.UUID((await user.client.get("/api/v1/auth/me")).json()["id"])
    async with user.app.state.db.unit_of_work() as session:
        facade = UsersFacade(session, user.app.state.container.users)
        assert await facade.has_skill(me, "python")  # through FastAPI, a descendant
        assert await facade.has_skill(me, "Kubernetes")
        assert not await facade.has_skill(me, "Rust")
        assert not await facade.has_skill(me, "Underwater basket weaving")
        expanded = facade.expand_skills(["fastapi"])
    assert {"fastapi", "python"} <= expanded


async def test_skill_search_autocompletes(user: SignedIn) -> None:
    found = (await user.client.get("/api/v1/users/skills/search", params={"q": "pyth"})).json()
    assert found[0]["name"] == "Python"
    assert found[0]["path"] == ["Programming languages"]
    k8s = (await user.client.get("/api/v1/users/skills/search", params={"q": "k8s"})).json()
    assert k8s[0]["name"] == "Kubernetes"
    empty = await user.client.get("/api/v1/users/skills/search", params={"q": ""})
    assert_error(empty, 422, "validation_error")


async def test_export_has_everything_and_delete_erases_everywhere(user: SignedIn) -> None:
    c = user.client
    await c.put("/api/v1/profiles/me", json={"name": "Ada", "headline": "Engineer"})
    await c.put("/api/v1/users/me/skills", json=[{"name": "Python"}])
    export = (await c.get("/api/v1/users/me/export")).json()
    assert export["users"]["profile"]["headline"] == "Engineer"
    assert [s["name"] for s in export["users"]["skills"]] == ["Python"]
    assert export["auth"]["account"]["email"] == "ada@example.com"
    assert export["auth"]["sessions"]
    assert "password_hash" not in str(export)

    refused = await c.request("DELETE", "/api/v1/users/me", json={"confirm": "yes"})
    assert_error(refused, 422, "confirmation_required")
    gone = await c.request("DELETE", "/api/v1/users/me", json={"confirm": "DELETE"})
    assert gone.status_code == 204
    container = user.app.state.container
    await wiring.build_worker(container, registry.domains()).drain()
    # Signed out everywhere, the account gone, the profile gone.
    assert_error(await c.get("/api/v1/auth/me"), 401, "invalid_token")
    relogin = await c.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "a test passphrase that is long"},
    )
    assert_error(relogin, 401, "invalid_credentials")
    async with user.app.state.db.sessionmaker() as session:
        from sqlalchemy import func, select

        from jobpilot.auth.models import User
        from jobpilot.users.models import Profile, UserSkill

        for model in (User, Profile, UserSkill):
            assert await session.scalar(select(func.count()).select_from(model)) == 0

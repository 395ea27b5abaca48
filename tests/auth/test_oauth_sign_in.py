"""Sign-in with GitHub and LinkedIn through our API, against a local provider (ASVS 5.0 V10)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auth_harness import PASSWORD, AuthHarness, bearer
from fakes.oauth_provider import FakeOAuthProvider, FakeUser
from jobpilot.main import create_app
from support import assert_error, client_for, make_settings


@pytest.fixture
async def auth(
    provider: FakeOAuthProvider, tmp_path: Path, sqlite_url: str
) -> AsyncIterator[AuthHarness]:
    settings = make_settings(tmp_path, database={"url": sqlite_url})
    settings.auth.github = provider.github_settings()
    settings.auth.linkedin = provider.linkedin_settings()
    app = create_app(settings)
    async for client in client_for(app):
        yield AuthHarness(app, client)


async def _sign_in(auth: AuthHarness, name: str) -> httpx.Response:
    """Our authorize → the provider approves → our callback, as a browser would go."""
    start = await auth.client.get(f"/api/v1/auth/oauth/{name}/authorize")
    assert start.status_code == 302, start.text
    at_provider = urlsplit(start.headers["location"])
    query = parse_qs(at_provider.query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert query["code_challenge"][0]
    async with httpx.AsyncClient() as browser:
        approved = await browser.get(start.headers["location"], follow_redirects=False)
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    assert back.path == f"/api/v1/auth/oauth/{name}/callback"
    return await auth.client.get(f"{back.path}?{back.query}")


@pytest.mark.parametrize("name", ["github", "linkedin"])
async def test_a_new_user_signs_up_with_a_provider(
    auth: AuthHarness, provider: FakeOAuthProvider, name: str
) -> None:
    provider.approve_as(FakeUser(subject="5811234", email="Mona@Example.com", name="Mona Lisa"))
    methods = (await auth.client.get("/api/v1/auth/methods")).json()
    assert methods == {"password": True, "github": True, "linkedin": True}
    signed_in = await _sign_in(auth, name)
    assert signed_in.status_code == 200, signed_in.text
    me = (await auth.client.get("/api/v1/auth/me", headers=bearer(signed_in.json()))).json()
    assert (me["email"], me["name"], me["email_verified"], me["has_password"]) == (
        "mona@example.com",
        "Mona Lisa",
        True,
        False,
    )
    assert me["linked_providers"] == [name]
    # The second time the same provider account signs in to the same user.
    again = await _sign_in(auth, name)
    me_again = (await auth.client.get("/api/v1/auth/me", headers=bearer(again.json()))).json()
    assert me_again["id"] == me["id"]


@pytest.mark.parametrize("name", ["github", "linkedin"])
async def test_a_verified_provider_email_links_the_existing_account(
    auth: AuthHarness, provider: FakeOAuthProvider, name: str
) -> None:
    await auth.register_verified("ada@example.com")
    provider.approve_as(FakeUser(email="ada@example.com", email_verified=True))
    linked = await _sign_in(auth, name)
    assert linked.status_code == 200, linked.text
    me = (await auth.client.get("/api/v1/auth/me", headers=bearer(linked.json()))).json()
    assert (me["has_password"], me["linked_providers"]) == (True, [name])
    trail = (await auth.client.get("/api/v1/auth/audit", headers=bearer(linked.json()))).json()
    assert any(e["event"] == "oauth_linked" and e["details"]["provider"] == name for e in trail)
    await auth.login("ada@example.com", PASSWORD)  # the password still works


@pytest.mark.parametrize("name", ["github", "linkedin"])
async def test_an_unverified_provider_email_never_takes_over_an_account(
    auth: AuthHarness, provider: FakeOAuthProvider, name: str
) -> None:
    await auth.register_verified("ada@example.com")
    provider.approve_as(FakeUser(email="ada@example.com", email_verified=False))
    refused = await _sign_in(auth, name)
    assert_error(refused, 409, "oauth_email_unverified")


async def test_a_bad_id_token_or_a_replayed_state_is_refused(
    auth: AuthHarness, provider: FakeOAuthProvider
) -> None:
    provider.tamper_next_id_token("foreign_key")
    assert_error(await _sign_in(auth, "linkedin"), 400, "oauth_failed")

    start = await auth.client.get("/api/v1/auth/oauth/github/authorize")
    async with httpx.AsyncClient() as browser:
        approved = await browser.get(start.headers["location"], follow_redirects=False)
    callback = urlsplit(approved.headers["location"])
    first = await auth.client.get(f"{callback.path}?{callback.query}")
    assert first.status_code == 200
    replay = await auth.client.get(f"{callback.path}?{callback.query}")
    assert_error(replay, 400, "oauth_failed")  # the state was used up

    forged = await auth.client.get(
        "/api/v1/auth/oauth/github/callback", params={"code": "abc", "state": "not-ours"}
    )
    assert_error(forged, 400, "oauth_failed")
    denied = await auth.client.get(
        "/api/v1/auth/oauth/github/callback", params={"error": "access_denied"}
    )
    assert_error(denied, 400, "oauth_failed")


async def test_unconfigured_providers_are_not_offered(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path, database={"url": sqlite_url})
    async for client in client_for(create_app(settings)):
        methods = (await client.get("/api/v1/auth/methods")).json()
        assert methods == {"password": True, "github": False, "linkedin": False}
        missing = await client.get("/api/v1/auth/oauth/github/authorize")
        assert_error(missing, 404, "provider_not_configured")
        unknown = await client.get("/api/v1/auth/oauth/myspace/authorize")
        assert_error(unknown, 404, "provider_not_configured")

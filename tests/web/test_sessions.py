"""Browser sessions without a browser: sign-in, cookies, CSRF, refresh, revocation, sign-out."""

from __future__ import annotations

import time

import httpx
import pyotp
import pytest

from support import assert_error
from web_harness import (
    PASSWORD,
    Site,
    create_account,
    csrf_of,
    expired_copy,
    get_with_cookies,
    set_cookies,
    web_sign_in,
)

SESSION_COOKIES = {"jp_access", "jp_refresh"}


async def test_the_sign_in_form_is_labelled_and_carries_a_csrf_token(site: Site) -> None:
    _, client = site
    page = await client.get("/login", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert '<label for="field-email">Email address' in page.text
    assert '<label for="field-password">Password' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert csrf_of(page)
    # Before a session the token is bound to a random nonce in an HttpOnly cookie.
    nonce = set_cookies(page)["jp_csrf"]
    assert "httponly" in nonce
    assert nonce["samesite"] == "Lax"
    # The page's assets are served from here, versioned, cached for a year.
    assert "/static/vendor/htmx-2.0.11.min.js?v=" in page.text
    assert "/static/app.css?v=" in page.text


async def test_signing_in_sets_http_only_same_site_cookies_and_follows_next(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    response = await web_sign_in(client, "ada@example.com", next_path="/?tab=1")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/?tab=1"
    cookies = set_cookies(response)
    assert set(cookies) >= SESSION_COOKIES
    for name in SESSION_COOKIES:
        assert "httponly" in cookies[name], name
        assert cookies[name]["samesite"] == "Lax"
        assert cookies[name]["path"] == "/"
        # On http://… a Secure cookie would never come back; see test_cookies_are_secure_…
        assert "secure" not in cookies[name]
    assert cookies["jp_access"]["max-age"] == str(15 * 60)
    assert int(cookies["jp_refresh"]["max-age"]) > 29 * 24 * 3600
    # The access cookie is a real access token of the auth service.
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {cookies['jp_access']['value']}"}
    )
    assert me.json()["email"] == "ada@example.com"
    home = await client.get("/")
    assert "Signed in as <strong>Tester</strong>" in home.text
    assert 'action="/logout"' in home.text


async def test_a_wrong_password_shows_the_form_again_with_an_error_and_no_session(
    site: Site,
) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    response = await web_sign_in(client, "ada@example.com", password="not the password at all")
    assert response.status_code == 401
    assert 'role="alert"' in response.text
    assert "email or password" in response.text.lower()
    assert 'value="ada@example.com"' in response.text
    assert "not the password at all" not in response.text
    assert not SESSION_COOKIES & set(set_cookies(response))
    assert not SESSION_COOKIES & set(client.cookies.keys())


async def test_missing_fields_are_named_next_to_the_field(site: Site) -> None:
    _, client = site
    form = await client.get("/login")
    response = await client.post("/login", data={"csrf_token": csrf_of(form), "email": ""})
    assert response.status_code == 422
    assert 'aria-describedby="field-email-error"' in response.text
    assert 'id="field-email-error">Enter your email address.' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'id="field-password-error">Enter your password.' in response.text


@pytest.mark.parametrize("token", [None, "forged-token", "wrong"])
async def test_a_form_without_this_browsers_csrf_token_is_refused(
    site: Site, token: str | None
) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    await client.get("/login")  # the nonce cookie exists; only the token is missing or wrong
    data = {"email": "ada@example.com", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = await client.post("/login", data=data)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "did not come from this site" in response.text
    assert not SESSION_COOKIES & set(set_cookies(response))


async def test_a_token_from_another_browser_is_refused(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    theirs = csrf_of(await client.get("/login"))
    client.cookies.clear()
    await client.get("/login")  # a new nonce: the old token no longer matches
    response = await client.post(
        "/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": theirs}
    )
    assert response.status_code == 403


async def test_signed_in_forms_and_htmx_requests_need_the_session_token(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    await web_sign_in(client, "ada@example.com")
    home = await client.get("/")
    token = csrf_of(home)
    # The same token goes in htmx's header (hx-headers on the body).
    assert f'"X-CSRF-Token": "{token}"' in home.text
    refused = await client.post("/logout", data={"csrf_token": "nope"})
    assert refused.status_code == 403
    assert (await client.get("/")).status_code == 200  # still signed in
    by_header = await client.post("/logout", headers={"X-CSRF-Token": token})
    assert by_header.status_code == 303


async def test_signing_out_revokes_the_session_and_clears_the_cookies(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    await web_sign_in(client, "ada@example.com")
    access = client.cookies["jp_access"]
    bearer = {"Authorization": f"Bearer {access}"}
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 200

    token = csrf_of(await client.get("/"))
    response = await client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    cleared = set_cookies(response)
    for name in SESSION_COOKIES:
        assert cleared[name]["max-age"] == "0", name
    # The auth service ended the session: the old access token is refused everywhere.
    error = assert_error(await client.get("/api/v1/auth/me", headers=bearer), 401, "invalid_token")
    assert "signed out" in error["message"]
    # The flash message shows once.
    login = await client.get("/login")
    assert "You are signed out." in login.text
    assert "You are signed out." not in (await client.get("/login")).text


async def test_signing_in_again_ends_the_session_the_browser_held(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    await create_account(app, "bob@example.com")
    await web_sign_in(client, "ada@example.com")
    ada = {"Authorization": f"Bearer {client.cookies['jp_access']}"}
    assert (await client.get("/api/v1/auth/me", headers=ada)).status_code == 200
    # The same browser signs in as someone else (a form still open from before, say).
    token = csrf_of(await client.get("/"))
    data = {"email": "bob@example.com", "password": PASSWORD, "csrf_token": token}
    response = await client.post("/login", data=data)
    assert response.status_code == 303, response.text
    # Ada's session is over, not merely forgotten by this browser.
    assert_error(await client.get("/api/v1/auth/me", headers=ada), 401, "invalid_token")
    bob = {"Authorization": f"Bearer {client.cookies['jp_access']}"}
    assert (await client.get("/api/v1/auth/me", headers=bob)).json()["email"] == "bob@example.com"


async def test_a_session_revoked_elsewhere_sends_the_browser_to_sign_in(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com", admin=True)
    await web_sign_in(client, "ada@example.com")
    assert (await client.get("/admin")).status_code == 200
    bearer = {"Authorization": f"Bearer {client.cookies['jp_access']}"}
    # Signed out of every device from somewhere else (the API).
    assert (await client.post("/api/v1/auth/logout-all", headers=bearer)).status_code == 200
    response = await client.get("/admin")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin"
    assert not SESSION_COOKIES & set(client.cookies.keys())


async def test_an_expired_access_token_is_refreshed_without_the_user_noticing(
    site: Site,
) -> None:
    app, client = site
    await create_account(app, "ada@example.com", admin=True)
    await web_sign_in(client, "ada@example.com")
    access, refresh = client.cookies["jp_access"], client.cookies["jp_refresh"]
    expired = await expired_copy(app, access)
    page = await get_with_cookies(client, "/admin", jp_access=expired, jp_refresh=refresh)
    assert page.status_code == 200, page.text
    assert "The platform today" in page.text
    rotated = set_cookies(page)
    assert rotated["jp_access"]["value"] not in {access, expired}
    assert rotated["jp_refresh"]["value"] != refresh
    assert "httponly" in rotated["jp_refresh"]
    new_bearer = {"Authorization": f"Bearer {rotated['jp_access']['value']}"}
    assert (await client.get("/api/v1/auth/me", headers=new_bearer)).status_code == 200
    # The browser dropped the access cookie when it expired: the refresh cookie is enough.
    again = await get_with_cookies(client, "/admin", jp_refresh=rotated["jp_refresh"]["value"])
    assert again.status_code == 200
    assert set(set_cookies(again)) >= SESSION_COOKIES


async def test_requests_racing_with_one_refresh_token_all_stay_signed_in(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    await web_sign_in(client, "ada@example.com")
    refresh = client.cookies["jp_refresh"]
    # A page and the requests it triggers arrive together, each with the same refresh token;
    # presenting it twice to the auth service would end the session as a replay.
    first = await get_with_cookies(client, "/", jp_refresh=refresh)
    second = await get_with_cookies(client, "/", jp_refresh=refresh)
    assert "Signed in as" in first.text
    assert "Signed in as" in second.text
    assert set_cookies(first)["jp_refresh"] == set_cookies(second)["jp_refresh"]
    newest = set_cookies(second)["jp_access"]["value"]
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {newest}"})
    assert me.status_code == 200


async def test_a_refused_refresh_token_clears_the_cookies_and_asks_to_sign_in(
    site: Site,
) -> None:
    _, client = site
    response = await get_with_cookies(
        client, "/admin", jp_access="not-a-token", jp_refresh="x" * 43
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin"
    cleared = set_cookies(response)
    assert cleared["jp_access"]["max-age"] == "0"
    assert cleared["jp_refresh"]["max-age"] == "0"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/ok\r\nSet-Cookie: x=1",
    ],
)
async def test_next_never_leads_to_another_site(site: Site, target: str) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    response = await web_sign_in(client, "ada@example.com", next_path=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    # Signed in already, /login?next=… leads on — to this site only.
    again = await client.get("/login", params={"next": target})
    assert again.headers["location"] == "/"


async def test_cookies_are_secure_when_the_site_is_served_over_https(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    secure = httpx.AsyncClient(transport=client._transport, base_url="https://test")
    async with secure:
        response = await web_sign_in(secure, "ada@example.com")
    cookies = set_cookies(response)
    assert "secure" in cookies["jp_access"]
    assert "secure" in cookies["jp_refresh"]
    # And on http when the public address says https (TLS ends at a proxy in front).
    app.state.container.web.public_url = "https://jobs.example.org"
    assert "secure" in set_cookies(await client.get("/login"))["jp_csrf"]


async def test_a_two_factor_account_signs_in_with_a_second_step(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com")
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    secret = (await client.post("/api/v1/auth/mfa/totp/setup", headers=bearer)).json()["secret"]
    totp = pyotp.TOTP(secret)
    enabled = await client.post(
        "/api/v1/auth/mfa/totp/enable", json={"code": totp.now()}, headers=bearer
    )
    assert enabled.status_code == 200, enabled.text

    step = await web_sign_in(client, "ada@example.com", next_path="/admin")
    assert step.status_code == 200
    assert 'action="/login/code"' in step.text
    assert 'autocomplete="one-time-code"' in step.text
    assert not SESSION_COOKIES & set(set_cookies(step))
    mfa_token = step.text.split('name="mfa_token" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_of(step), "mfa_token": mfa_token, "next": "/admin"}

    wrong = await client.post("/login/code", data={**form, "code": "000000"})
    assert wrong.status_code == 401
    assert 'id="field-code-error"' in wrong.text
    # The code used to enable is spent; the next time step's code is accepted.
    code = totp.at(int(time.time()) + 30)
    done = await client.post("/login/code", data={**form, "code": code})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/admin"
    assert set(set_cookies(done)) >= SESSION_COOKIES

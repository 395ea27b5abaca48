"""The admin's Users area (`/admin/users`, `/api/admin/users`) and the admin-wide audit view
(`/admin/audit`, `/api/admin/audit`): finding accounts, one account's details, and each action
seen the way its user notices it (a token refused, a sign-in refused, a new tier's quotas, a
sign-in without a code), every action in the audit log."""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from typing import Any

import httpx
import jwt
import pyotp
from sqlalchemy import func, select, text

from jobpilot.auth.models import AuditEvent, RecoveryCode, User
from jobpilot.auth.public import AuthFacade
from jobpilot.kit import migrate
from support import assert_error
from web_harness import ADMIN, PASSWORD, Site, audit, create_account, csrf_of, web_sign_in

API = "/api/admin/users"
PAGE = "/admin/users"
ME = "/api/v1/auth/me"


# --- helpers ------------------------------------------------------------------------------


async def account(app: Any, email: str, name: str = "Tester", *, admin: bool = False) -> uuid.UUID:
    """A verified account with PASSWORD; its id."""
    created = await AuthFacade(app.state.container.auth).create_user(
        email, PASSWORD, name, admin=admin
    )
    return created.id


async def login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    """POST /api/v1/auth/login with PASSWORD (no cookies kept from it)."""
    return await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})


async def bearer(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """A fresh access token of `email`, as an Authorization header."""
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def admin_headers(app: Any, client: httpx.AsyncClient) -> dict[str, str]:
    await account(app, ADMIN, "Robin Root", admin=True)
    return await bearer(client, ADMIN)


async def enable_mfa(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """Turn two-factor on through the account's own API; the TOTP secret."""
    setup = await client.post("/api/v1/auth/mfa/totp/setup", headers=headers)
    assert setup.status_code == 200, setup.text
    secret = str(setup.json()["secret"])
    enabled = await client.post(
        "/api/v1/auth/mfa/totp/enable",
        json={"code": pyotp.TOTP(secret).now()},
        headers=headers,
    )
    assert enabled.status_code == 200, enabled.text
    return secret


async def admin_action_count(app: Any) -> int:
    async with app.state.container.db.sessionmaker() as session:
        found = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_id.is_not(None))
        )
    return int(found or 0)


async def status_of(app: Any, user_id: uuid.UUID) -> tuple[str, str]:
    async with app.state.container.db.sessionmaker() as session:
        user = await session.get(User, user_id)
    assert user is not None
    return user.status, user.tier


def emails(body: dict[str, Any]) -> list[str]:
    return [row["email"] for row in body["items"]]


# --- JSON API: finding accounts -------------------------------------------------------------


async def test_the_api_searches_filters_and_pages_newest_first(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    ids = {}
    for n in range(27):
        ids[n] = await account(app, f"member{n:02d}@example.com", f"Member {n:02d}")
    await account(app, "ada.lovelace@example.com", "Ada Lovelace")
    await account(app, "grace@example.com", "Grace HOPPER")
    facade = AuthFacade(app.state.container.auth)
    await facade.set_tier(ids[3], "pro")
    await facade.set_tier(ids[4], "premium")
    await facade.suspend(ids[5])
    ada = await bearer(client, "ada.lovelace@example.com")
    await enable_mfa(client, ada)

    first = (await client.get(API, headers=headers)).json()
    assert first["total"] == 30
    assert first["page_size"] == 25
    assert first["pages"] == 2
    assert len(first["items"]) == 25
    # Newest first: the last accounts created lead.
    assert emails(first)[:3] == [
        "grace@example.com",
        "ada.lovelace@example.com",
        "member26@example.com",
    ]
    second = (await client.get(API, params={"page": 2}, headers=headers)).json()
    assert emails(second) == [f"member{n:02d}@example.com" for n in (3, 2, 1, 0)] + [ADMIN]
    assert second["page"] == 2
    assert (await client.get(API, params={"page": 3}, headers=headers)).json()["items"] == []

    async def found(**params: str) -> list[str]:
        response = await client.get(API, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return emails(response.json())

    # Email or name, any case, any part.
    assert await found(q="LOVELACE") == ["ada.lovelace@example.com"]
    assert await found(q="hopper") == ["grace@example.com"]
    assert await found(q="member2") == [
        f"member{n}@example.com" for n in (26, 25, 24, 23, 22, 21, 20)
    ]
    # A % or _ is a character, not a wildcard.
    assert await found(q="%") == []
    assert await found(q="_") == []
    assert await found(tier="pro") == ["member03@example.com"]
    assert await found(tier="premium", q="member") == ["member04@example.com"]
    assert await found(status="suspended") == ["member05@example.com"]
    assert len(await found(status="active")) == 25
    assert await found(role="admin") == [ADMIN]
    assert ADMIN not in await found(role="member", q="example")
    assert await found(mfa="on") == ["ada.lovelace@example.com"]
    assert "ada.lovelace@example.com" not in await found(mfa="off", q="a")
    body = (await client.get(API, params={"mfa": "on"}, headers=headers)).json()
    [row] = body["items"]
    assert row["mfa_enabled"] is True
    assert row["name"] == "Ada Lovelace"
    assert row["roles"] == ["user"]
    assert row["status"] == "active"
    assert row["email_verified"] is True

    # Unknown values are refused with the error shape.
    assert_error(
        await client.get(API, params={"tier": "platinum"}, headers=headers), 422, "unknown_tier"
    )
    assert_error(
        await client.get(API, params={"page": 0}, headers=headers), 422, "validation_error"
    )
    assert_error(
        await client.get(API, params={"status": "banned"}, headers=headers), 422, "validation_error"
    )
    assert_error(
        await client.get(API, params={"mfa": "maybe"}, headers=headers), 422, "validation_error"
    )


async def test_the_api_is_for_admins_only(site: Site) -> None:
    app, client = site
    ada = await account(app, "ada@example.com")
    requests = [
        ("GET", API, None),
        ("GET", f"{API}/{ada}", None),
        ("GET", f"{API}/{ada}/audit", None),
        ("PUT", f"{API}/{ada}/tier", {"tier": "pro"}),
        ("POST", f"{API}/{ada}/suspend", None),
        ("POST", f"{API}/{ada}/reactivate", None),
        ("POST", f"{API}/{ada}/sessions/revoke", None),
        ("POST", f"{API}/{ada}/mfa/reset", None),
        ("GET", "/api/admin/audit", None),
    ]
    for method, path, body in requests:
        assert_error(await client.request(method, path, json=body), 401, "invalid_token")
    member = await bearer(client, "ada@example.com")
    for method, path, body in requests:
        response = await client.request(method, path, json=body, headers=member)
        assert_error(response, 403, "forbidden")
    assert await status_of(app, ada) == ("active", "free")
    assert (await client.get(ME, headers=member)).status_code == 200
    assert await admin_action_count(app) == 0


async def test_unknown_and_malformed_ids(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    nobody = uuid.uuid4()
    for method, path, body in [
        ("GET", f"{API}/{nobody}", None),
        ("GET", f"{API}/{nobody}/audit", None),
        ("PUT", f"{API}/{nobody}/tier", {"tier": "pro"}),
        ("POST", f"{API}/{nobody}/suspend", None),
        ("POST", f"{API}/{nobody}/reactivate", None),
        ("POST", f"{API}/{nobody}/sessions/revoke", None),
        ("POST", f"{API}/{nobody}/mfa/reset", None),
    ]:
        response = await client.request(method, path, json=body, headers=headers)
        assert_error(response, 404, "user_not_found")
    assert_error(await client.get(f"{API}/not-an-id", headers=headers), 422, "validation_error")
    assert_error(
        await client.put(f"{API}/{nobody}/tier", json={}, headers=headers), 422, "validation_error"
    )
    assert await admin_action_count(app) == 0


# --- JSON API: actions ----------------------------------------------------------------------


async def test_a_tier_change_reaches_the_next_token_and_the_quotas(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    ada_id = await account(app, "ada@example.com", "Ada")
    ada = await bearer(client, "ada@example.com")
    usage = (await client.get("/api/v1/users/me/usage", headers=ada)).json()
    assert usage["tier"] == "free"
    assert {q["quota"]: q["limit"] for q in usage["quotas"]}["auto_applies"] == 5
    headers["User-Agent"] = "ops-script/2.0"

    response = await client.put(f"{API}/{ada_id}/tier", json={"tier": "pro"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["action"] == "user.tier_change"
    assert body["changed"] is True
    assert body["details"] == {"before": "free", "after": "pro"}
    assert body["user"]["tier"] == "pro"

    # A freshly issued token carries the tier, and the quotas are the new tier's.
    fresh = await login(client, "ada@example.com")
    claims = jwt.decode(fresh.json()["access_token"], options={"verify_signature": False})
    assert claims["tier"] == "pro"
    pro_usage = await client.get(
        "/api/v1/users/me/usage",
        headers={"Authorization": f"Bearer {fresh.json()['access_token']}"},
    )
    assert pro_usage.json()["tier"] == "pro"
    assert {q["quota"]: q["limit"] for q in pro_usage.json()["quotas"]}["auto_applies"] == 50

    [event] = await audit(app, "user.tier_change")
    root = (await client.get(ME, headers=headers)).json()["id"]
    assert str(event.user_id) == root == str(event.actor_id)
    assert event.subject_id == ada_id
    assert event.user_agent == "ops-script/2.0"
    assert event.details == {
        "before": "free",
        "after": "pro",
        "target": {"type": "user", "id": str(ada_id), "email": "ada@example.com"},
    }

    # Not a configured tier: 422, nothing changed, nothing audited.
    refused = await client.put(f"{API}/{ada_id}/tier", json={"tier": "platinum"}, headers=headers)
    error = assert_error(refused, 422, "unknown_tier")
    assert "free, pro, premium" in error["message"]
    # The same tier again changes nothing and is not audited.
    again = await client.put(f"{API}/{ada_id}/tier", json={"tier": "pro"}, headers=headers)
    assert again.json()["changed"] is False
    assert await status_of(app, ada_id) == ("active", "pro")
    assert len(await audit(app, "user.tier_change")) == 1


async def test_suspension_cuts_the_token_at_once_and_refuses_sign_in(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    ada_id = await account(app, "ada@example.com", "Ada")
    ada = await bearer(client, "ada@example.com")
    assert (await client.get(ME, headers=ada)).status_code == 200

    response = await client.post(f"{API}/{ada_id}/suspend", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["details"] == {
        "before": "active",
        "after": "suspended",
        "sessions_revoked": 1,
    }
    assert response.json()["user"]["status"] == "suspended"
    assert response.json()["user"]["sessions"] == []
    assert_error(await client.get(ME, headers=ada), 401, "invalid_token")
    assert_error(await login(client, "ada@example.com"), 403, "account_suspended")
    [event] = await audit(app, "user.suspend")
    assert event.subject_id == ada_id
    assert event.details["target"]["email"] == "ada@example.com"

    # Suspending again changes nothing and is not audited.
    again = await client.post(f"{API}/{ada_id}/suspend", headers=headers)
    assert again.json()["changed"] is False
    assert len(await audit(app, "user.suspend")) == 1

    reactivated = await client.post(f"{API}/{ada_id}/reactivate", headers=headers)
    assert reactivated.status_code == 200, reactivated.text
    assert reactivated.json()["details"] == {"before": "suspended", "after": "active"}
    # The ended session stays ended; signing in works again.
    assert_error(await client.get(ME, headers=ada), 401, "invalid_token")
    ada_again = await bearer(client, "ada@example.com")
    assert (await client.get(ME, headers=ada_again)).status_code == 200
    assert len(await audit(app, "user.reactivate")) == 1

    # The user's own security trail says what happened to the account.
    own = [
        row["event"] for row in (await client.get("/api/v1/auth/audit", headers=ada_again)).json()
    ]
    assert {"account_suspended", "sessions_revoked", "account_reactivated"} <= set(own)


async def test_an_admin_cannot_lock_themselves_out(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    root = uuid.UUID((await client.get(ME, headers=headers)).json()["id"])
    for action in ("suspend", "sessions/revoke", "mfa/reset"):
        response = await client.post(f"{API}/{root}/{action}", headers=headers)
        assert_error(response, 409, "cannot_act_on_self")
    assert (await client.get(ME, headers=headers)).status_code == 200
    assert await status_of(app, root) == ("active", "free")
    # A tier change of one's own account is allowed.
    own_tier = await client.put(f"{API}/{root}/tier", json={"tier": "premium"}, headers=headers)
    assert own_tier.status_code == 200
    assert await admin_action_count(app) == 1


async def test_revoking_sessions_signs_out_everywhere_without_suspending(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    ada_id = await account(app, "ada@example.com")
    phone, laptop = await bearer(client, "ada@example.com"), await bearer(client, "ada@example.com")
    detail = (await client.get(f"{API}/{ada_id}", headers=headers)).json()
    assert len(detail["sessions"]) == 2

    response = await client.post(f"{API}/{ada_id}/sessions/revoke", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["details"] == {"sessions_revoked": 2}
    for token in (phone, laptop):
        assert_error(await client.get(ME, headers=token), 401, "invalid_token")
    assert await status_of(app, ada_id) == ("active", "free")
    assert (await login(client, "ada@example.com")).status_code == 200
    [event] = await audit(app, "user.revoke_sessions")
    assert event.subject_id == ada_id


async def test_an_mfa_reset_lets_the_password_alone_sign_in(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    ada_id = await account(app, "ada@example.com")
    ada = await bearer(client, "ada@example.com")
    await enable_mfa(client, ada)
    challenge = (await login(client, "ada@example.com")).json()
    assert challenge["mfa_required"] is True
    assert "access_token" not in challenge

    response = await client.post(f"{API}/{ada_id}/mfa/reset", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["details"] == {"before": "on", "after": "off", "sessions_revoked": 1}
    assert response.json()["user"]["mfa_enabled"] is False
    assert_error(await client.get(ME, headers=ada), 401, "invalid_token")

    # The password alone signs in, and two-factor can be set up again.
    signed_in = await login(client, "ada@example.com")
    assert signed_in.status_code == 200
    assert "access_token" in signed_in.json()
    again = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert (await client.get(ME, headers=again)).json()["mfa_enabled"] is False
    async with app.state.container.db.sessionmaker() as session:
        user = await session.get(User, ada_id)
        codes = await session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == ada_id)
        )
    assert user is not None
    assert user.totp_secret is None
    assert user.totp_pending_secret is None
    assert codes == 0
    await enable_mfa(client, again)
    [event] = await audit(app, "user.reset_mfa")
    assert event.details["target"]["id"] == str(ada_id)


async def test_the_detail_and_the_trails(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    ada_id = await account(app, "ada@example.com", "Ada Lovelace")
    ada = await bearer(client, "ada@example.com")
    ada["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"
    await login(client, "ada@example.com")
    profile = await client.put(
        "/api/v1/profiles/me",
        json={
            "name": "Ada Lovelace",
            "headline": "Analytical engine programmer",
            "location": {"city": "London", "country_code": "GB"},
            "desired_roles": ["Backend engineer"],
        },
        headers=ada,
    )
    assert profile.status_code == 200, profile.text
    skills = await client.put(
        "/api/v1/users/me/skills", json=[{"name": "Python"}, {"name": "SQL"}], headers=ada
    )
    assert skills.status_code == 200, skills.text
    await client.put(f"{API}/{ada_id}/tier", json={"tier": "premium"}, headers=headers)

    detail = (await client.get(f"{API}/{ada_id}", headers=headers)).json()
    assert detail["email"] == "ada@example.com"
    assert detail["tier"] == "premium"
    assert detail["email_verified_at"]
    assert detail["mfa_enabled_at"] is None
    assert detail["last_sign_in"]
    assert len(detail["sessions"]) == 2
    assert detail["profile"]["headline"] == "Analytical engine programmer"
    assert detail["profile"]["location"] == "London, GB"
    assert detail["profile"]["desired_roles"] == ["Backend engineer"]
    assert detail["profile"]["skills"] == 2

    trail = (await client.get(f"{API}/{ada_id}/audit", headers=headers)).json()
    events = [row["event"] for row in trail["items"]]
    # Newest first: the admin's action, the tier the account got, then the sign-ins.
    assert events[0] == "user.tier_change"
    assert "tier_changed" in events
    assert events.count("login_succeeded") == 2
    assert trail["total"] == len(events)
    action = trail["items"][0]
    assert action["actor_email"] == ADMIN
    assert action["details"]["target"]["id"] == str(ada_id)
    assert trail["items"][-1]["actor_id"] is None
    # The admin's own sign-in is not in Ada's trail.
    assert events.count("login_succeeded") == 2

    log = (await client.get("/api/admin/audit", headers=headers)).json()
    assert [row["event"] for row in log["items"]] == ["user.tier_change"]
    assert log["items"][0]["actor_email"] == ADMIN
    for params, expected in [
        ({"action": "user."}, 1),
        ({"action": "user.tier"}, 1),
        ({"action": "task."}, 0),
        ({"action": "%"}, 0),
        ({"actor": "ROOT@"}, 1),
        ({"actor": "ada@"}, 0),
    ]:
        found = (await client.get("/api/admin/audit", params=params, headers=headers)).json()
        assert found["total"] == expected, params
    assert_error(
        await client.get("/api/admin/audit", params={"page": 0}, headers=headers),
        422,
        "validation_error",
    )


async def test_the_audit_log_pages_and_keeps_other_areas_actions(site: Site) -> None:
    app, client = site
    headers = await admin_headers(app, client)
    root = uuid.UUID((await client.get(ME, headers=headers)).json()["id"])
    facade = AuthFacade(app.state.container.auth)
    for n in range(27):
        await facade.record_admin_action(
            root, "flag.update", {"type": "flag", "key": f"flag-{n}"}, {"before": n, "after": n + 1}
        )
    await facade.record_admin_action(root, "task.retry", {"type": "task", "id": "t1", "name": "x"})
    first = (await client.get("/api/admin/audit", headers=headers)).json()
    assert first["total"] == 28
    assert first["pages"] == 2
    assert first["items"][0]["event"] == "task.retry"
    assert first["items"][0]["subject_id"] is None
    second = (await client.get("/api/admin/audit", params={"page": 2}, headers=headers)).json()
    assert [row["details"]["target"]["key"] for row in second["items"]] == [
        "flag-2",
        "flag-1",
        "flag-0",
    ]
    flags = (
        await client.get("/api/admin/audit", params={"action": "flag."}, headers=headers)
    ).json()
    assert flags["total"] == 27
    # Security events are not admins' actions.
    assert all(row["actor_id"] for row in first["items"])


# --- Pages ----------------------------------------------------------------------------------


def user_rows(page: httpx.Response) -> list[str]:
    return re.findall(r'data-user-id="([^"]+)"', page.text)


async def signed_in_admin(app: Any, client: httpx.AsyncClient) -> uuid.UUID:
    root = await account(app, ADMIN, "Robin Root", admin=True)
    await web_sign_in(client, ADMIN)
    return root


async def test_the_users_page_searches_filters_and_pages(site: Site) -> None:
    app, client = site
    ids = [await account(app, f"member{n:02d}@example.com", f"Member {n:02d}") for n in range(26)]
    ada = await account(app, "ada@example.com", "Ada Lovelace")
    await AuthFacade(app.state.container.auth).set_tier(ada, "pro")
    root = await signed_in_admin(app, client)

    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    assert "<h1>Users</h1>" in page.text
    assert '<a href="/admin/users" aria-current="page">Users</a>' in page.text
    assert "28 accounts, showing 1\u201325" in page.text
    assert len(user_rows(page)) == 25
    assert user_rows(page)[:3] == [str(root), str(ada), str(ids[25])]
    assert 'href="/admin/users?page=2"' in page.text
    # A GET form that htmx sends as one types, keeping the address shareable.
    assert 'method="get" action="/admin/users"' in page.text
    assert 'hx-trigger="input delay:300ms, submit"' in page.text
    assert 'hx-push-url="true"' in page.text
    assert '<label for="filter-q">' in page.text

    second = await client.get(PAGE, params={"page": 2})
    assert user_rows(second) == [str(ids[2]), str(ids[1]), str(ids[0])]
    assert "showing 26\u201328" in second.text
    assert 'href="/admin/users"' in second.text

    found = await client.get(PAGE, params={"q": "LOVELACE"})
    assert user_rows(found) == [str(ada)]
    assert "1 account" in found.text
    assert 'value="LOVELACE"' in found.text
    pro = await client.get(PAGE, params={"tier": "pro"})
    assert user_rows(pro) == [str(ada)]
    assert '<option value="pro" selected>' in pro.text
    admins = await client.get(PAGE, params={"role": "admin"})
    assert len(user_rows(admins)) == 1
    nothing = await client.get(PAGE, params={"q": "nobody-at-all"})
    assert "No account matches." in nothing.text

    # htmx gets the table alone.
    fragment = await client.get(PAGE, params={"q": "ada"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="users"')
    assert "<html" not in fragment.text
    assert user_rows(fragment) == [str(ada)]
    # The address bar gets the filters that apply, not the form's empty fields.
    assert fragment.headers["HX-Push-Url"] == "/admin/users?q=ada"
    everyone = await client.get(PAGE, params={"q": "", "tier": ""}, headers={"HX-Request": "true"})
    assert everyone.headers["HX-Push-Url"] == "/admin/users"

    # Values it does not know: a clear message, the rest of the filters still apply.
    bad = await client.get(PAGE, params={"tier": "platinum", "page": "0", "q": "ada"})
    assert bad.status_code == 422
    text_ = html.unescape(bad.text)
    assert "Choose one of: free, pro, premium (not 'platinum')." in text_
    assert "The page is a whole number from 1 (not '0')." in text_
    assert 'aria-describedby="filter-tier-error"' in bad.text
    assert user_rows(bad) == [str(ada)]


async def test_the_user_page_shows_account_profile_sessions_and_trail(site: Site) -> None:
    app, client = site
    ada_id = await account(app, "ada@example.com", "Ada Lovelace")
    ada = await bearer(client, "ada@example.com")
    await client.put(
        "/api/v1/profiles/me",
        json={"name": "Ada Lovelace", "headline": "Engine programmer"},
        headers=ada,
    )
    await signed_in_admin(app, client)

    page = await client.get(f"{PAGE}/{ada_id}")
    assert page.status_code == 200, page.text
    assert "<h1>Ada Lovelace</h1>" in page.text
    assert "<dd data-email>ada@example.com</dd>" in page.text
    assert "<dd data-tier>free</dd>" in page.text
    assert "Engine programmer" in page.text
    assert page.text.count("data-session-id=") == 1
    assert 'data-event="login_succeeded"' in page.text
    for action in ("tier", "suspend", "sessions/revoke", "mfa/reset"):
        assert f'action="/admin/users/{ada_id}/{action}"' in page.text
        assert f'hx-post="/admin/users/{ada_id}/{action}"' in page.text
    assert page.text.count("hx-confirm=") == 4
    assert page.text.count('name="csrf_token"') >= 5

    missing = await client.get(f"{PAGE}/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    malformed = await client.get(f"{PAGE}/not-an-id")
    assert malformed.status_code == 404
    assert malformed.headers["content-type"].startswith("text/html")


async def test_each_action_through_the_forms(site: Site) -> None:
    app, client = site
    ada_id = await account(app, "ada@example.com", "Ada")
    ada = await bearer(client, "ada@example.com")
    await enable_mfa(client, ada)
    await signed_in_admin(app, client)
    path = f"{PAGE}/{ada_id}"
    token = csrf_of(await client.get(path))

    changed = await client.post(f"{path}/tier", data={"csrf_token": token, "tier": "premium"})
    assert changed.status_code == 303
    assert changed.headers["location"] == path
    page = await client.get(path)
    assert "ada@example.com is now on the premium tier (was free)." in page.text
    assert "<dd data-tier>premium</dd>" in page.text

    unknown = await client.post(f"{path}/tier", data={"csrf_token": token, "tier": "platinum"})
    assert unknown.status_code == 422
    assert 'aria-describedby="field-tier-error"' in unknown.text
    assert "Choose one of the tiers: free, pro, premium." in unknown.text
    assert await status_of(app, ada_id) == ("active", "premium")

    suspended = await client.post(f"{path}/suspend", data={"csrf_token": token})
    assert suspended.status_code == 303
    page = await client.get(path)
    assert "ada@example.com is suspended: sign-in is refused, 1 session ended." in page.text
    assert f'action="/admin/users/{ada_id}/reactivate"' in page.text
    assert_error(await login(client, "ada@example.com"), 403, "account_suspended")

    reactivated = await client.post(f"{path}/reactivate", data={"csrf_token": token})
    assert reactivated.status_code == 303
    assert "is active again and can sign in." in (await client.get(path)).text

    assert (await login(client, "ada@example.com")).json()["mfa_required"] is True
    reset = await client.post(f"{path}/mfa/reset", data={"csrf_token": token})
    assert reset.status_code == 303
    assert "Two-factor is off for ada@example.com" in (await client.get(path)).text
    ada = await bearer(client, "ada@example.com")

    revoked = await client.post(f"{path}/sessions/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert "is signed out everywhere: 1 session ended." in (await client.get(path)).text
    assert_error(await client.get(ME, headers=ada), 401, "invalid_token")

    for action in (
        "user.tier_change",
        "user.suspend",
        "user.reactivate",
        "user.reset_mfa",
        "user.revoke_sessions",
    ):
        [event] = await audit(app, action)
        assert event.subject_id == ada_id
    trail = (await client.get(path)).text
    assert 'data-event="user.revoke_sessions"' in trail


async def test_htmx_actions_swap_the_user_in_place(site: Site) -> None:
    app, client = site
    ada_id = await account(app, "ada@example.com", "Ada")
    await signed_in_admin(app, client)
    path = f"{PAGE}/{ada_id}"
    token = csrf_of(await client.get(path))
    hx = {"HX-Request": "true", "X-CSRF-Token": token}

    fragment = await client.post(f"{path}/suspend", headers=hx)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="user"')
    assert "<html" not in fragment.text
    assert "is suspended" in fragment.text
    assert "flash--success" in fragment.text
    assert "Reactivate" in fragment.text
    # Shown in the fragment: the next page does not repeat it.
    assert "ada@example.com is suspended:" not in (await client.get(path)).text

    bad_tier = await client.post(f"{path}/tier", data={"tier": "gold"}, headers=hx)
    assert bad_tier.status_code == 200
    assert "field-tier-error" in bad_tier.text
    assert await status_of(app, ada_id) == ("suspended", "free")


async def test_an_admin_cannot_suspend_themselves_through_the_page(site: Site) -> None:
    app, client = site
    root = await signed_in_admin(app, client)
    path = f"{PAGE}/{root}"
    page = await client.get(path)
    assert "This is your own account" in page.text
    assert f'action="{path}/suspend"' not in page.text
    token = csrf_of(page)
    refused = await client.post(f"{path}/suspend", data={"csrf_token": token})
    assert refused.status_code == 303
    after = await client.get(path)
    assert after.status_code == 200  # still signed in
    assert "You cannot suspend your own account." in after.text
    assert "flash--error" in after.text
    revoke = await client.post(f"{path}/sessions/revoke", data={"csrf_token": token})
    assert revoke.status_code == 303
    assert "You cannot end your own sessions here" in (await client.get(path)).text
    assert await status_of(app, root) == ("active", "free")
    assert await admin_action_count(app) == 0


async def test_posts_without_the_csrf_token_are_refused(site: Site) -> None:
    app, client = site
    ada_id = await account(app, "ada@example.com")
    await signed_in_admin(app, client)
    for action, data in [
        ("suspend", {}),
        ("suspend", {"csrf_token": "forged"}),
        ("tier", {"tier": "pro"}),
        ("sessions/revoke", {}),
        ("mfa/reset", {"csrf_token": "forged"}),
    ]:
        refused = await client.post(f"{PAGE}/{ada_id}/{action}", data=data)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
    assert await status_of(app, ada_id) == ("active", "free")
    assert await admin_action_count(app) == 0


async def test_members_get_the_403_page(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com", name="Ada")
    grace = await account(app, "grace@example.com", "Grace")
    await web_sign_in(client, "ada@example.com")
    for path in (PAGE, f"{PAGE}/{grace}", "/admin/audit"):
        page = await client.get(path)
        assert page.status_code == 403
        assert "admin role" in page.text
        assert "grace@example.com" not in page.text
    token = csrf_of(await client.get(PAGE))
    refused = await client.post(f"{PAGE}/{grace}/suspend", data={"csrf_token": token})
    assert refused.status_code == 403
    assert await status_of(app, grace) == ("active", "free")
    client.cookies.clear()
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/users"


async def test_the_audit_page_lists_and_filters_admin_actions(site: Site) -> None:
    app, client = site
    ada_id = await account(app, "ada@example.com", "Ada")
    other = await account(app, "ops@example.com", "Ops", admin=True)
    facade = AuthFacade(app.state.container.auth)
    await facade.record_admin_action(
        other, "task.retry", {"type": "task", "id": "t-1", "name": "notifications.send_mail"}
    )
    root = await signed_in_admin(app, client)
    token = csrf_of(await client.get(f"{PAGE}/{ada_id}"))
    await client.post(f"{PAGE}/{ada_id}/tier", data={"csrf_token": token, "tier": "pro"})

    page = await client.get("/admin/audit")
    assert page.status_code == 200, page.text
    assert "<h1>Audit</h1>" in page.text
    assert '<a href="/admin/audit" aria-current="page">Audit</a>' in page.text
    assert "2 actions" in page.text
    rows = re.findall(r'<tr data-event="([^"]+)">', page.text)
    assert rows == ["user.tier_change", "task.retry"]
    assert f'<a href="/admin/users/{ada_id}">ada@example.com</a>' in page.text
    assert "free → pro" in page.text
    assert "task notifications.send_mail" in page.text
    assert ADMIN in page.text
    assert "ops@example.com" in page.text
    # No security event (sign-ins) in the admin-wide view.
    assert "login_succeeded" not in page.text

    by_action = await client.get("/admin/audit", params={"action": "task."})
    assert re.findall(r'<tr data-event="([^"]+)">', by_action.text) == ["task.retry"]
    by_actor = await client.get(
        "/admin/audit", params={"actor": "ROOT"}, headers={"HX-Request": "true"}
    )
    assert by_actor.text.lstrip().startswith('<div id="audit"')
    assert re.findall(r'<tr data-event="([^"]+)">', by_actor.text) == ["user.tier_change"]
    bad = await client.get("/admin/audit", params={"page": "x"})
    assert bad.status_code == 422
    assert "The page is a whole number from 1" in html.unescape(bad.text)
    assert root != other


# --- The audit log's new columns --------------------------------------------------------------


async def test_the_migration_sorts_existing_events_into_actors_and_subjects(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await asyncio.to_thread(migrate.upgrade, url, "0011")
    from jobpilot.kit.db import Database

    db = Database(url)
    admin, ada = uuid.uuid4(), uuid.uuid4()
    try:
        async with db.engine.begin() as conn:
            for event, user in (
                ("task.retry", admin),
                ("login_succeeded", ada),
                ("login_failed", None),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO auth_audit_events (id, at, user_id, event, details) "
                        "VALUES (:id, '2026-11-01 10:00:00.000000', :user, :event, '{}')"
                    ),
                    {"id": uuid.uuid4().hex, "user": user.hex if user else None, "event": event},
                )
        await asyncio.to_thread(migrate.upgrade, url)
        async with db.sessionmaker() as session:
            rows = {
                row.event: (row.actor_id, row.subject_id)
                for row in (await session.scalars(select(AuditEvent))).all()
            }
    finally:
        await db.dispose()
    assert rows == {
        "task.retry": (admin, None),
        "login_succeeded": (None, ada),
        "login_failed": (None, None),
    }


async def test_an_erased_account_leaves_the_admin_log_without_its_address(site: Site) -> None:
    from jobpilot import registry, wiring

    app, client = site
    headers = await admin_headers(app, client)
    ada_id = await account(app, "ada@example.com")
    ada = await bearer(client, "ada@example.com")
    await client.put(f"{API}/{ada_id}/tier", json={"tier": "pro"}, headers=headers)
    gone = await client.request(
        "DELETE", "/api/v1/users/me", json={"confirm": "DELETE"}, headers=ada
    )
    assert gone.status_code == 204, gone.text
    await wiring.build_worker(app.state.container, registry.domains()).drain()

    assert_error(await client.get(f"{API}/{ada_id}", headers=headers), 404, "user_not_found")
    log = (await client.get("/api/admin/audit", headers=headers)).json()
    [action] = log["items"]
    # What was done, and by whom, stays; whom it was done to is no longer told.
    assert action["event"] == "user.tier_change"
    assert action["actor_email"] == ADMIN
    assert action["subject_id"] is None
    assert action["details"]["target"] == {"type": "user", "id": str(ada_id)}
    assert "ada@example.com" not in str(log)


async def test_the_user_page_shows_the_newest_50_events_and_says_so(site: Site) -> None:
    app, client = site
    ada_id = await account(app, "ada@example.com", "Ada")
    root = await signed_in_admin(app, client)
    facade = AuthFacade(app.state.container.auth)
    target = {"type": "user", "id": str(ada_id), "email": "ada@example.com"}
    for n in range(55):
        await facade.record_admin_action(root, "user.note", target, {"n": n})
    page = await client.get(f"{PAGE}/{ada_id}")
    assert page.text.count('<tr data-event="user.note">') == 50
    assert "The newest 50 of 55 events" in page.text
    # Newest first: the last note leads.
    assert page.text.index("n: 54") < page.text.index("n: 53")
    assert "n: 4<" not in page.text
    trail = (await client.get(f"{API}/{ada_id}/audit", headers=await bearer(client, ADMIN))).json()
    assert len(trail["items"]) == 50
    assert trail["total"] == 55

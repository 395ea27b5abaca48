"""Accounts, sign-in, tokens, sessions and revocation, over HTTP (ASVS 5.0 V6, V7, V9)."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt import PyJWK
from sqlalchemy import select

from auth_harness import PASSWORD, AuthHarness, bearer
from jobpilot.auth.config import Argon2Settings
from jobpilot.auth.models import User
from jobpilot.auth.passwords import Hasher, common_passwords
from jobpilot.kit.events import OutboxEvent
from support import assert_error


async def test_register_verify_login_use_logout(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register("Ada.Lovelace@Example.COM ")
    # Not verified yet: the right password is still not enough.
    early = await c.post(
        "/api/v1/auth/login", json={"email": "ada.lovelace@example.com", "password": PASSWORD}
    )
    assert_error(early, 403, "email_not_verified")

    (mail,) = await auth.mails("ada.lovelace@example.com")
    assert mail.subject == "Confirm your email address for JobPilot"
    token = await auth.last_token("ada.lovelace@example.com")
    verified = await c.get("/api/v1/auth/verify-email", params={"token": token})
    assert verified.json() == {"verified": True, "email": "ada.lovelace@example.com"}
    again = await c.get("/api/v1/auth/verify-email", params={"token": token})
    assert_error(again, 400, "invalid_or_expired_token")  # single use

    tokens = await auth.login("ADA.LOVELACE@example.com")
    assert tokens["token_type"] == "Bearer"
    jobs = await c.get("/api/v1/jobs", headers=bearer(tokens))
    assert jobs.status_code == 200
    me = (await c.get("/api/v1/auth/me", headers=bearer(tokens))).json()
    assert (me["email"], me["roles"], me["email_verified"]) == (
        "ada.lovelace@example.com",
        ["user"],
        True,
    )

    assert (await c.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    refused = await c.get("/api/v1/jobs", headers=bearer(tokens))
    assert_error(refused, 401, "invalid_token")
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert_error(await c.get("/api/v1/auth/me", headers=bearer(tokens)), 401, "invalid_token")


async def test_protected_routes_need_a_token(auth: AuthHarness) -> None:
    assert_error(await auth.client.get("/api/v1/jobs"), 401, "invalid_token")
    assert_error(
        await auth.client.get("/api/v1/jobs", headers={"Authorization": "Basic YTpi"}),
        401,
        "invalid_token",
    )


async def test_registering_an_existing_address_reveals_nothing(auth: AuthHarness) -> None:
    await auth.register_verified("grace@example.com")
    again = await auth.client.post(
        "/api/v1/auth/register",
        json={"email": "grace@example.com", "password": "another long passphrase", "name": "X"},
    )
    assert again.status_code == 202
    mails = await auth.mails("grace@example.com")
    assert mails[0].subject == "You already have a JobPilot account"
    async with auth.container.db.sessionmaker() as session:
        users = (await session.scalars(select(User))).all()
    assert [u.name for u in users] == ["Ada"]


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short pass", "at least 12 characters"),
        ("x" * 129, "at most 128 characters"),
        ("grace@example.com", "must not be your email address or name"),
    ],
)
async def test_password_policy(auth: AuthHarness, password: str, says: str) -> None:
    response = await auth.client.post(
        "/api/v1/auth/register",
        json={"email": "grace@example.com", "password": password, "name": "Grace"},
    )
    error = assert_error(response, 422, "weak_password")
    assert says in error["message"]


async def test_breached_passwords_are_refused_and_any_characters_allowed(
    auth: AuthHarness,
) -> None:
    breached = next(p for p in sorted(common_passwords()) if len(p) >= 12)
    response = await auth.client.post(
        "/api/v1/auth/register",
        json={"email": "grace@example.com", "password": breached.upper(), "name": "Grace"},
    )
    assert "breached" in assert_error(response, 422, "weak_password")["message"]
    await auth.register_verified("grace@example.com", password="пароль 🐎 with spaces ∑")
    await auth.login("grace@example.com", password="пароль 🐎 with spaces ∑")


async def test_passwords_are_argon2id_and_rehashed_when_the_cost_changes(
    auth: AuthHarness,
) -> None:
    await auth.register_verified("ada@example.com")

    async def stored_hash() -> str:
        async with auth.container.db.sessionmaker() as session:
            user = await session.scalar(select(User).where(User.email == "ada@example.com"))
            assert user is not None
            assert user.password_hash is not None
            return user.password_hash

    before = await stored_hash()
    assert before.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    auth.container.auth.hasher = Hasher(Argon2Settings(time_cost=2, memory_cost_kib=128))
    await auth.login("ada@example.com")
    after = await stored_hash()
    assert after.startswith("$argon2id$v=19$m=128,t=2,p=1$")
    await auth.login("ada@example.com")  # the new hash verifies


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_access_tokens_are_short_lived_es256_with_the_right_claims(
    auth: AuthHarness,
) -> None:
    await auth.register_verified("ada@example.com")
    tokens = await auth.login("ada@example.com")
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "ES256"
    jwks = (await auth.client.get("/api/v1/auth/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [header["kid"]]
    assert all("d" not in k for k in jwks["keys"])  # no private parts published
    claims = jwt.decode(
        tokens["access_token"],
        PyJWK(jwks["keys"][0]),
        algorithms=["ES256"],
        audience="jobpilot-api",
        issuer="jobpilot",
    )
    assert claims["exp"] - claims["iat"] <= 15 * 60
    assert claims["sid"] == str(tokens["session_id"])
    assert (claims["roles"], claims["tier"]) == (["user"], "free")
    assert uuid.UUID(claims["sub"])


async def test_forged_and_foreign_tokens_are_refused(auth: AuthHarness) -> None:
    await auth.register_verified("ada@example.com")
    tokens = await auth.login("ada@example.com")
    good = tokens["access_token"]
    header_b64, payload_b64, signature = good.split(".")
    header = jwt.get_unverified_header(good)
    claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
    jwks = (await auth.client.get("/api/v1/auth/.well-known/jwks.json")).json()
    public_pem = PyJWK(jwks["keys"][0]).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    stranger = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())

    tampered = ".".join(
        [header_b64, _b64(json.dumps({**claims, "roles": ["admin"]}).encode()), signature]
    )
    unsigned = ".".join(
        [_b64(json.dumps({"alg": "none", "kid": header["kid"]}).encode()), payload_b64, ""]
    )
    # The classic confusion attack: HMAC "signed" with the published public key.
    hs256 = ".".join(
        [
            _b64(json.dumps({"alg": "HS256", "kid": header["kid"], "typ": "JWT"}).encode()),
            payload_b64,
        ]
    )
    import hashlib
    import hmac

    hs256 += "." + _b64(hmac.new(public_pem, hs256.encode(), hashlib.sha256).digest())
    foreign = jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": header["kid"]})
    expired = jwt.encode(
        {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 60},
        stranger,
        algorithm="ES256",
        headers={"kid": header["kid"]},
    )
    for bad in (tampered, unsigned, hs256, foreign, expired, "not.a.jwt", good + "x"):
        response = await auth.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {bad}"}
        )
        assert_error(response, 401, "invalid_token")

    # Properly signed but wrong audience, wrong issuer, expired, or not yet valid.
    service = auth.container.auth
    from jobpilot.auth.repository import AuthRepository
    from jobpilot.auth.service import AuthService

    async with auth.container.db.unit_of_work() as session:
        kid, key = await AuthService(AuthRepository(session), service)._signing_key(
            __import__("jobpilot.kit.clock", fromlist=["utcnow"]).utcnow()
        )
    variants = [
        {**claims, "aud": "someone-else"},
        {**claims, "iss": "https://evil.example"},
        {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 1},
        {**claims, "nbf": now + 600, "exp": now + 900},
        {k: v for k, v in claims.items() if k != "sid"},
    ]
    for variant in variants:
        signed = jwt.encode(variant, key, algorithm="ES256", headers={"kid": kid})
        response = await auth.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {signed}"}
        )
        assert_error(response, 401, "invalid_token")
    ok = jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})
    assert (
        await auth.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {ok}"})
    ).status_code == 200


async def test_key_rotation_keeps_old_tokens_valid(auth: AuthHarness) -> None:
    from jobpilot.auth.public import AuthFacade

    await auth.register_verified("ada@example.com")
    old = await auth.login("ada@example.com")
    old_kid = jwt.get_unverified_header(old["access_token"])["kid"]
    new_kid = await AuthFacade(auth.container.auth).rotate_keys()
    new = await auth.login("ada@example.com")
    assert jwt.get_unverified_header(new["access_token"])["kid"] == new_kid != old_kid
    jwks = (await auth.client.get("/api/v1/auth/.well-known/jwks.json")).json()
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid}
    for tokens in (old, new):
        assert (await auth.client.get("/api/v1/auth/me", headers=bearer(tokens))).status_code == 200


async def test_refresh_rotates_and_reuse_kills_the_session(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register_verified("ada@example.com")
    first = await auth.login("ada@example.com")
    second = (
        await c.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["session_id"] == first["session_id"]
    third = (
        await c.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    ).json()
    assert (await c.get("/api/v1/auth/me", headers=bearer(third))).status_code == 200

    # The first token comes back: a thief or a replay. The whole family dies.
    replay = await c.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_error(replay, 401, "invalid_refresh_token")
    assert_error(await c.get("/api/v1/auth/me", headers=bearer(third)), 401, "invalid_token")
    latest = await c.post("/api/v1/auth/refresh", json={"refresh_token": third["refresh_token"]})
    assert_error(latest, 401, "invalid_refresh_token")
    assert_error(
        await c.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43}),
        401,
        "invalid_refresh_token",
    )
    events = [
        e["event"]
        for e in (
            await c.get("/api/v1/auth/audit", headers=bearer(await auth.login("ada@example.com")))
        ).json()
    ]
    assert "session_revoked" in events


async def test_sessions_can_be_listed_and_ended(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register_verified("ada@example.com")
    laptop = await auth.login(
        "ada@example.com", **{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
    )
    phone = await auth.login("ada@example.com", **{"User-Agent": "Mozilla/5.0 (iPhone) Safari/605"})
    listed = (await c.get("/api/v1/auth/sessions", headers=bearer(laptop))).json()
    assert {s["device"] for s in listed} == {"Firefox on Linux", "Safari on iOS"}
    assert [s["current"] for s in listed if s["id"] == laptop["session_id"]] == [True]

    ended = await c.delete(f"/api/v1/auth/sessions/{phone['session_id']}", headers=bearer(laptop))
    assert ended.status_code == 204
    assert_error(await c.get("/api/v1/auth/me", headers=bearer(phone)), 401, "invalid_token")
    assert (await c.get("/api/v1/auth/me", headers=bearer(laptop))).status_code == 200

    await auth.register_verified("eve@example.com", name="Eve")
    eve = await auth.login("eve@example.com")
    stolen = await c.delete(f"/api/v1/auth/sessions/{laptop['session_id']}", headers=bearer(eve))
    assert_error(stolen, 404, "session_not_found")  # another user's session is invisible

    tablet = await auth.login("ada@example.com")
    revoked = await c.post("/api/v1/auth/logout-all", headers=bearer(tablet))
    assert revoked.json() == {"revoked": 2}
    for tokens in (laptop, tablet):
        assert_error(await c.get("/api/v1/auth/me", headers=bearer(tokens)), 401, "invalid_token")
    assert (await c.get("/api/v1/auth/me", headers=bearer(eve))).status_code == 200


async def test_failed_logins_are_throttled_without_revealing_accounts(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register_verified("ada@example.com")
    answers = {}
    for email in ("ada@example.com", "nobody@example.com"):
        for _ in range(5):
            bad = await c.post(
                "/api/v1/auth/login", json={"email": email, "password": "wrong password!"}
            )
            answers.setdefault(email, set()).add((bad.status_code, bad.json()["error"]["message"]))
        sixth = await c.post(
            "/api/v1/auth/login", json={"email": email, "password": "wrong password!"}
        )
        assert_error(sixth, 429, "too_many_attempts")
        assert int(sixth.headers["Retry-After"]) >= 1
    assert (
        answers["ada@example.com"]
        == answers["nobody@example.com"]
        == {(401, "The email or password is incorrect.")}
    )
    # Even the right password waits out the delay.
    assert_error(
        await c.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}),
        429,
        "too_many_attempts",
    )


async def test_the_hourly_lock_caps_failures_per_account(auth: AuthHarness) -> None:
    throttle = auth.container.auth.throttle
    for _ in range(100):
        await throttle.failed("target@example.com", None)
    with pytest.raises(Exception, match="Too many failed attempts") as caught:
        await throttle.check("target@example.com", None)
    assert int(caught.value.headers["Retry-After"]) > 3000  # type: ignore[attr-defined]
    assert throttle.delay_after(4) == 0
    assert throttle.delay_after(6) == 2
    assert throttle.delay_after(30) == 900


async def test_password_reset_by_email_signs_out_everywhere(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register_verified("ada@example.com")
    session = await auth.login("ada@example.com")
    unknown = await c.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.com"})
    known = await c.post("/api/v1/auth/password/forgot", json={"email": "ada@example.com"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert await auth.mails("nobody@example.com") == []
    code = await auth.last_token("ada@example.com")

    weak = await c.post(
        "/api/v1/auth/password/reset", json={"token": code, "new_password": "short"}
    )
    assert_error(weak, 422, "weak_password")
    done = await c.post(
        "/api/v1/auth/password/reset",
        json={"token": code, "new_password": "a brand new passphrase"},
    )
    assert done.status_code == 204
    reused = await c.post(
        "/api/v1/auth/password/reset",
        json={"token": code, "new_password": "yet another passphrase"},
    )
    assert_error(reused, 400, "invalid_or_expired_token")
    assert_error(await c.get("/api/v1/auth/me", headers=bearer(session)), 401, "invalid_token")
    assert_error(
        await c.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}),
        401,
        "invalid_credentials",
    )
    await auth.login("ada@example.com", password="a brand new passphrase")


async def test_changing_the_password_keeps_only_this_session(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register_verified("ada@example.com")
    here, there = await auth.login("ada@example.com"), await auth.login("ada@example.com")
    wrong = await c.post(
        "/api/v1/auth/password/change",
        json={"current_password": "not my password", "new_password": "a brand new passphrase"},
        headers=bearer(here),
    )
    assert_error(wrong, 401, "invalid_credentials")
    changed = await c.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=bearer(here),
    )
    assert changed.status_code == 204
    assert (await c.get("/api/v1/auth/me", headers=bearer(here))).status_code == 200
    assert_error(await c.get("/api/v1/auth/me", headers=bearer(there)), 401, "invalid_token")


async def test_security_events_are_audited_and_published(auth: AuthHarness) -> None:
    c = auth.client
    await auth.register_verified("ada@example.com")
    await c.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "wrong password!"},
        headers={"User-Agent": "attacker-agent/1.0"},
    )
    tokens = await auth.login("ada@example.com")
    trail = (await c.get("/api/v1/auth/audit", headers=bearer(tokens))).json()
    events = [e["event"] for e in trail]
    assert events[:2] == ["login_succeeded", "login_failed"]
    assert {"registered", "email_verified"} <= set(events)
    failed = next(e for e in trail if e["event"] == "login_failed")
    assert failed["user_agent"] == "attacker-agent/1.0"
    assert failed["ip"] == "127.0.0.1"
    async with auth.container.db.sessionmaker() as session:
        names = (await session.scalars(select(OutboxEvent.name))).all()
    assert "auth.user_registered" in names
    assert names.count("auth.security_event_recorded") >= 4


async def test_admin_only_routes(auth: AuthHarness) -> None:
    from jobpilot.auth.public import AuthFacade

    await AuthFacade(auth.container.auth).create_user(
        "root@example.com", "an admin passphrase", "Root", admin=True
    )
    await auth.register_verified("ada@example.com")
    admin = await auth.login("root@example.com", password="an admin passphrase")
    user = await auth.login("ada@example.com")
    assert_error(
        await auth.client.get("/api/v1/auth/dev/mailbox", headers=bearer(user)), 403, "forbidden"
    )
    box = await auth.client.get(
        "/api/v1/auth/dev/mailbox", params={"to": "ada@example.com"}, headers=bearer(admin)
    )
    assert box.status_code == 200
    assert [m["subject"] for m in box.json()] == ["Confirm your email address for JobPilot"]

"""TOTP two-factor: setup, sign-in, replay refusal, recovery codes, disabling (ASVS 5.0 V6.5)."""

from __future__ import annotations

import time

import pyotp

from auth_harness import PASSWORD, AuthHarness, bearer
from jobpilot.auth import totp
from support import assert_error


async def _enable(auth: AuthHarness) -> tuple[dict[str, object], str, list[str]]:
    await auth.register_verified("ada@example.com")
    tokens = await auth.login("ada@example.com")
    setup = (await auth.client.post("/api/v1/auth/mfa/totp/setup", headers=bearer(tokens))).json()
    secret = setup["secret"]
    assert setup["otpauth_uri"].startswith("otpauth://totp/JobPilot:ada%40example.com?secret=")
    assert setup["qr_svg"].lstrip().startswith("<?xml")
    assert "<svg" in setup["qr_svg"]
    wrong = await auth.client.post(
        "/api/v1/auth/mfa/totp/enable", json={"code": "000000"}, headers=bearer(tokens)
    )
    assert_error(wrong, 401, "invalid_mfa_code")
    enabled = await auth.client.post(
        "/api/v1/auth/mfa/totp/enable",
        json={"code": pyotp.TOTP(secret).now()},
        headers=bearer(tokens),
    )
    codes: list[str] = enabled.json()["recovery_codes"]
    return tokens, secret, codes


async def _challenge(auth: AuthHarness) -> str:
    response = await auth.client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    body = response.json()
    assert body["mfa_required"] is True
    assert "access_token" not in body
    return str(body["mfa_token"])


def _code_for(secret: str, step_offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + step_offset * totp.STEP_SECONDS)


async def test_sign_in_needs_the_second_factor_once_enabled(auth: AuthHarness) -> None:
    tokens, secret, codes = await _enable(auth)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    me = (await auth.client.get("/api/v1/auth/me", headers=bearer(tokens))).json()
    assert me["mfa_enabled"] is True

    mfa_token = await _challenge(auth)
    # The code used to enable is already spent; the next step's code (clock skew) works.
    done = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": _code_for(secret, 1)}
    )
    assert done.status_code == 200, done.text
    assert (
        await auth.client.get("/api/v1/auth/me", headers=bearer(done.json()))
    ).status_code == 200
    # One challenge, one sign-in.
    again = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": _code_for(secret, 1)}
    )
    assert_error(again, 400, "invalid_or_expired_token")


async def test_a_totp_code_is_accepted_once(auth: AuthHarness) -> None:
    _tokens, secret, _codes = await _enable(auth)
    code = _code_for(secret, 1)
    first = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": await _challenge(auth), "code": code}
    )
    assert first.status_code == 200
    replay = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": await _challenge(auth), "code": code}
    )
    assert_error(replay, 401, "invalid_mfa_code")
    too_old = await auth.client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": await _challenge(auth), "code": _code_for(secret, -3)},
    )
    assert_error(too_old, 401, "invalid_mfa_code")


async def test_recovery_codes_work_once(auth: AuthHarness) -> None:
    _tokens, _secret, codes = await _enable(auth)
    typed = codes[0].upper().replace("-", " ")
    first = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": await _challenge(auth), "code": typed}
    )
    assert first.status_code == 200, first.text
    second = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": await _challenge(auth), "code": codes[0]}
    )
    assert_error(second, 401, "invalid_mfa_code")
    other = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": await _challenge(auth), "code": codes[1]}
    )
    assert other.status_code == 200


async def test_wrong_codes_exhaust_the_challenge(auth: AuthHarness) -> None:
    _tokens, secret, _codes = await _enable(auth)
    mfa_token = await _challenge(auth)
    for _ in range(5):
        wrong = await auth.client.post(
            "/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": "123456"}
        )
        assert_error(wrong, 401, "invalid_mfa_code")
    locked = await auth.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": _code_for(secret, 1)}
    )
    assert_error(locked, 400, "invalid_or_expired_token")


async def test_disabling_needs_the_password_and_a_code(auth: AuthHarness) -> None:
    tokens, secret, codes = await _enable(auth)
    c = auth.client
    no_password = await c.post(
        "/api/v1/auth/mfa/totp/disable",
        json={"password": "not the password", "code": _code_for(secret, 1)},
        headers=bearer(tokens),
    )
    assert_error(no_password, 401, "invalid_credentials")
    no_code = await c.post(
        "/api/v1/auth/mfa/totp/disable",
        json={"password": PASSWORD, "code": "000000"},
        headers=bearer(tokens),
    )
    assert_error(no_code, 401, "invalid_mfa_code")
    off = await c.post(
        "/api/v1/auth/mfa/totp/disable",
        json={"password": PASSWORD, "code": codes[3]},
        headers=bearer(tokens),
    )
    assert off.status_code == 204
    plain = await auth.login("ada@example.com")
    assert "access_token" in plain
    trail = [e["event"] for e in (await c.get("/api/v1/auth/audit", headers=bearer(plain))).json()]
    assert {"mfa_enabled", "mfa_disabled"} <= set(trail)

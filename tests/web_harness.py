"""Driving the web pages in tests without a browser: accounts, the CSRF field, sign-in, and
what the database says afterwards (the audit log, an account's id)."""

from __future__ import annotations

import html
import re
import time
import uuid
from typing import Any

import httpx
import jwt
from sqlalchemy import select

from jobpilot.auth.models import AuditEvent, User

PASSWORD = "a test passphrase that is long"
ADMIN = "root@example.com"
MEMBER = "ada@example.com"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# The `site` fixture: the app, and a client that keeps cookies like a browser.
Site = tuple[Any, httpx.AsyncClient]


async def create_account(
    app: Any, email: str, *, admin: bool = False, name: str = "Tester"
) -> None:
    """A verified account with PASSWORD (an admin with `admin`)."""
    from jobpilot.auth.public import AuthFacade

    await AuthFacade(app.state.container.auth).create_user(email, PASSWORD, name, admin=admin)


async def web_sign_in_admin(app: Any, client: httpx.AsyncClient, name: str = "Tester") -> None:
    """An admin account ADMIN (called `name`), signed in through the form."""
    await create_account(app, ADMIN, admin=True, name=name)
    await web_sign_in(client, ADMIN)


async def web_sign_in_member(app: Any, client: httpx.AsyncClient, name: str = "Ada") -> None:
    """A member's account MEMBER (called `name`, no admin role), signed in through the form."""
    await create_account(app, MEMBER, name=name)
    await web_sign_in(client, MEMBER)


async def audit(app: Any, action: str) -> list[AuditEvent]:
    """The audit log's events `action`, oldest first."""
    async with app.state.container.db.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.event == action).order_by(AuditEvent.at)
        )
        return list(rows.all())


async def user_id(app: Any, email: str) -> uuid.UUID:
    """The id of the account `email`."""
    async with app.state.container.db.sessionmaker() as session:
        found = await session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token in a page's forms."""
    match = _CSRF.search(page.text)
    assert match, page.text
    return html.unescape(match.group(1))


def set_cookies(response: httpx.Response) -> dict[str, dict[str, str]]:
    """The cookies a response sets: name -> {"value": ..., attribute (lower case): value}."""
    found: dict[str, dict[str, str]] = {}
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        entry = {"value": value}
        for attribute in attributes:
            key, _, attr_value = attribute.partition("=")
            entry[key.lower()] = attr_value
        found[name] = entry
    return found


async def web_sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next_path: str | None = None
) -> httpx.Response:
    """Sign in through the form (the client keeps the cookies); the POST's response."""
    form_page = await client.get("/login", params={"next": next_path} if next_path else None)
    assert form_page.status_code == 200, form_page.text
    data = {"email": email, "password": password, "csrf_token": csrf_of(form_page)}
    if next_path is not None:
        data["next"] = next_path
    return await client.post("/login", data=data)


async def get_with_cookies(client: httpx.AsyncClient, path: str, **cookies: str) -> httpx.Response:
    """GET `path` sending exactly `cookies` (the client's jar is emptied first: httpx would send
    its own cookies instead of a Cookie header)."""
    client.cookies.clear()
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return await client.get(path, headers={"Cookie": header})


async def expired_copy(app: Any, access_token: str) -> str:
    """The same access token's claims, signed by the auth service's key, expired a second ago."""
    from jobpilot.auth.repository import AuthRepository
    from jobpilot.auth.service import AuthService
    from jobpilot.kit.clock import utcnow

    container = app.state.container
    claims = jwt.decode(access_token, options={"verify_signature": False})
    async with container.db.unit_of_work() as session:
        kid, key = await AuthService(AuthRepository(session), container.auth)._signing_key(utcnow())
    now = int(time.time())
    return jwt.encode(
        {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 1},
        key,
        algorithm="ES256",
        headers={"kid": kid},
    )

"""What other parts of the platform may ask of the auth domain."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jobpilot.auth.repository import AuthRepository
from jobpilot.auth.schemas import TokenPair
from jobpilot.auth.service import AuthComponents, AuthService, ClientInfo, normalise_email
from jobpilot.kit.authn import Principal, SecondFactorRequired, SessionTokens


@dataclass(frozen=True)
class CreatedUser:
    """An account an operator created."""

    id: uuid.UUID
    email: str
    roles: list[str]


@dataclass(frozen=True)
class AccountRef:
    """Who an account is: its id, email, name and tier."""

    id: uuid.UUID
    email: str
    name: str
    tier: str


@dataclass(frozen=True)
class AccountCounts:
    """How many accounts there are, and how many are new."""

    total: int
    new: int


def _session_tokens(pair: TokenPair) -> SessionTokens:
    return SessionTokens(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        access_expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )


class AuthFacade:
    """Keys, accounts, and browser sign-in; each call is its own unit of work.

    The sign-in methods are the JSON API's (`/login`, `/mfa/verify`, `/refresh`, `/logout`) for
    the web pages, which keep the tokens in cookies instead of handing them to a client.
    """

    def __init__(self, components: AuthComponents) -> None:
        self._c = components

    async def jwks(self) -> dict[str, Any]:
        """The public keys access tokens are verified with."""
        async with self._c.db.unit_of_work() as session:
            return await AuthService(AuthRepository(session), self._c).jwks()

    async def rotate_keys(self) -> str:
        """Sign with a new key from now on; returns its kid."""
        async with self._c.db.unit_of_work() as session:
            return await AuthService(AuthRepository(session), self._c).rotate_keys()

    async def account(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        """Email, name and tier of an account."""
        async with self._c.db.unit_of_work() as session:
            user = await AuthRepository(session).user(user_id)
            if user is None:
                return None
            return {"email": user.email, "name": user.name, "tier": user.tier}

    async def account_by_email(self, email: str) -> AccountRef | None:
        """The account with this email address (matched as stored: trimmed, lower-case)."""
        async with self._c.db.unit_of_work() as session:
            user = await AuthRepository(session).user_by_email(normalise_email(email))
            if user is None:
                return None
            return AccountRef(id=user.id, email=user.email, name=user.name, tier=user.tier)

    async def emails_of(self, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The email address of each of these accounts that exists."""
        wanted = set(user_ids)
        if not wanted:
            return {}
        async with self._c.db.unit_of_work() as session:
            return await AuthRepository(session).emails_of(wanted)

    async def set_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Change the tier that the user's next access tokens carry."""
        async with self._c.db.unit_of_work() as session:
            await AuthService(AuthRepository(session), self._c).set_tier(user_id, tier)

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The account, its sessions, linked providers and security events."""
        async with self._c.db.unit_of_work() as session:
            return await AuthService(AuthRepository(session), self._c).export_user(user_id)

    async def create_user(
        self, email: str, password: str, name: str, *, admin: bool
    ) -> CreatedUser:
        """A verified account (an admin one with `admin`)."""
        async with self._c.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), self._c)
            user = await service.create_user_with_password(email, password, name, admin=admin)
            return CreatedUser(id=user.id, email=user.email, roles=list(user.roles))

    async def ensure_user(
        self, email: str, password: str, name: str, *, admin: bool = False
    ) -> CreatedUser:
        """A verified account with this password (and the admin role with `admin`): created, or
        reset and signed out everywhere."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            user = await service.ensure_user_with_password(email, password, name, admin=admin)
            return CreatedUser(id=user.id, email=user.email, roles=list(user.roles))

    async def sign_in(
        self, email: str, password: str, *, ip: str | None, user_agent: str | None
    ) -> SessionTokens | SecondFactorRequired:
        """A new session's tokens, or the challenge of an account with two-factor on."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            outcome = await service.login(email, password, ClientInfo(ip, user_agent))
        if isinstance(outcome, TokenPair):
            return _session_tokens(outcome)
        return SecondFactorRequired(mfa_token=outcome.mfa_token, expires_in=outcome.expires_in)

    async def finish_sign_in(
        self, mfa_token: str, code: str, *, ip: str | None, user_agent: str | None
    ) -> SessionTokens:
        """A new session's tokens for the challenge of `sign_in` and a TOTP or recovery code."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            pair = await service.verify_mfa(mfa_token, code, ClientInfo(ip, user_agent))
        return _session_tokens(pair)

    async def refresh_session(
        self, refresh_token: str, *, ip: str | None, user_agent: str | None
    ) -> SessionTokens:
        """New tokens for a refresh token, which stops working (a replay ends the session)."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            pair = await service.refresh(refresh_token, ClientInfo(ip, user_agent))
        return _session_tokens(pair)

    async def sign_out(
        self, principal: Principal, *, ip: str | None, user_agent: str | None
    ) -> None:
        """End the caller's session everywhere at once (as `POST /api/v1/auth/logout`)."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            await service.revoke_session(
                principal, principal.session_id, ClientInfo(ip, user_agent), "logout"
            )

    async def account_counts(self, since: datetime) -> AccountCounts:
        """Every account, and those created at or after `since`."""
        async with self._c.db.unit_of_work() as session:
            total, new = await AuthRepository(session).count_users(since)
        return AccountCounts(total=total, new=new)

    async def signups_per_day(self, since: datetime) -> dict[date, int]:
        """Accounts created at or after `since`, per day (UTC); days without any left out."""
        async with self._c.db.unit_of_work() as session:
            return await AuthRepository(session).signups_per_day(since)

    async def active_accounts(self, since: datetime) -> int:
        """Accounts with a session seen (a sign-in or a token refresh) at or after `since`."""
        async with self._c.db.unit_of_work() as session:
            return await AuthRepository(session).count_active_users(since)

    async def record_admin_action(
        self,
        actor_id: uuid.UUID,
        action: str,
        target: Mapping[str, str],
        details: Mapping[str, Any] | None = None,
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        """Add to the audit log that admin `actor_id` did `action` (`task.retry`) to `target`."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            await service.record_admin_action(
                actor_id, action, dict(target), dict(details or {}), ClientInfo(ip, user_agent)
            )

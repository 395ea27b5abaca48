"""What other parts of the platform may ask of the auth domain."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jobpilot.auth.models import AuditEvent, User
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


@dataclass(frozen=True)
class AccountSummary:
    """An account as an admin's list shows it."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    tier: str
    status: str
    email_verified: bool
    mfa_enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> AccountSummary:
        """From the account's row."""
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            roles=list(user.roles),
            tier=user.tier,
            status=user.status,
            email_verified=user.email_verified_at is not None,
            mfa_enabled=user.totp_enabled_at is not None,
            created_at=user.created_at,
        )


@dataclass(frozen=True)
class AccountPage:
    """One page of accounts, and how many match in all."""

    accounts: list[AccountSummary]
    total: int


@dataclass(frozen=True)
class DeviceSession:
    """A signed-in device."""

    id: uuid.UUID
    method: str
    device: str | None
    ip: str | None
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class AccountDetails:
    """An account, its live sessions and when it last signed in."""

    account: AccountSummary
    email_verified_at: datetime | None
    mfa_enabled_at: datetime | None
    last_sign_in: datetime | None
    sessions: list[DeviceSession]


@dataclass(frozen=True)
class AuditEntry:
    """An event of the audit log: a security event, or an admin's action (with its actor)."""

    id: uuid.UUID
    at: datetime
    event: str
    user_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    actor_email: str | None
    subject_id: uuid.UUID | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, row: AuditEvent, actor_email: str | None) -> AuditEntry:
        """From the event's row and its admin's email."""
        return cls(
            id=row.id,
            at=row.at,
            event=row.event,
            user_id=row.user_id,
            actor_id=row.actor_id,
            actor_email=actor_email,
            subject_id=row.subject_id,
            ip=row.ip,
            user_agent=row.user_agent,
            details=dict(row.details),
        )


@dataclass(frozen=True)
class AuditPage:
    """Some events of the audit log, newest first, and how many there are in all."""

    entries: list[AuditEntry]
    total: int


@dataclass(frozen=True)
class Suspension:
    """What suspending an account did."""

    status_before: str
    sessions_revoked: int


@dataclass(frozen=True)
class MfaReset:
    """What resetting an account's two-factor did."""

    was_enabled: bool
    sessions_revoked: int


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

    # Administration

    async def find_accounts(
        self,
        *,
        text: str | None = None,
        tier: str | None = None,
        status: str | None = None,
        admin: bool | None = None,
        mfa: bool | None = None,
        offset: int = 0,
        limit: int = 25,
    ) -> AccountPage:
        """Accounts whose email or name contains `text` (any case) and that match every other
        filter given (None: any), newest first, from `offset`; and how many match."""
        async with self._c.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), self._c)
            rows, total = await service.find_accounts(
                text=text,
                tier=tier,
                status=status,
                admin=admin,
                mfa=mfa,
                offset=offset,
                limit=limit,
            )
            return AccountPage([AccountSummary.of(row) for row in rows], total)

    async def account_details(self, user_id: uuid.UUID) -> AccountDetails | None:
        """The account, its live sessions and its last sign-in; None if there is none."""
        async with self._c.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), self._c)
            found = await service.account_with_sessions(user_id)
            if found is None:
                return None
            user, sessions, last_sign_in = found
            return AccountDetails(
                account=AccountSummary.of(user),
                email_verified_at=user.email_verified_at,
                mfa_enabled_at=user.totp_enabled_at,
                last_sign_in=last_sign_in,
                sessions=[
                    DeviceSession(
                        id=s.id,
                        method=s.method,
                        device=s.device,
                        ip=s.ip,
                        created_at=s.created_at,
                        last_seen_at=s.last_seen_at,
                    )
                    for s in sessions
                ],
            )

    async def suspend(self, user_id: uuid.UUID) -> Suspension | None:
        """Suspend the account: sign-in is refused and every session ends at once. None if
        there is no such account."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            done = await service.suspend(user_id)
        return Suspension(*done) if done is not None else None

    async def reactivate(self, user_id: uuid.UUID) -> str | None:
        """Let a suspended account sign in again; its status before, None if there is none."""
        async with self._c.db.unit_of_work(write=True) as session:
            return await AuthService(AuthRepository(session), self._c).reactivate(user_id)

    async def revoke_sessions(self, user_id: uuid.UUID) -> int | None:
        """End every session of the account at once; how many, None if there is none."""
        async with self._c.db.unit_of_work(write=True) as session:
            return await AuthService(AuthRepository(session), self._c).end_sessions(user_id)

    async def reset_mfa(self, user_id: uuid.UUID) -> MfaReset | None:
        """Turn the account's two-factor off (secrets and recovery codes removed) and end its
        sessions; the password alone signs in again. None if there is no such account."""
        async with self._c.db.unit_of_work(write=True) as session:
            done = await AuthService(AuthRepository(session), self._c).reset_mfa(user_id)
        return MfaReset(*done) if done is not None else None

    async def events_about(self, user_id: uuid.UUID, limit: int = 50) -> AuditPage:
        """The account's security events and admins' actions on it: the newest `limit`."""
        async with self._c.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), self._c)
            rows, total = await service.events_about(user_id, limit)
            return AuditPage([AuditEntry.of(row, email) for row, email in rows], total)

    async def admin_actions(
        self,
        *,
        action_prefix: str | None = None,
        actor_email: str | None = None,
        offset: int = 0,
        limit: int = 25,
    ) -> AuditPage:
        """Admins' actions (those `record_admin_action` stored), newest first: those whose name
        starts with `action_prefix` and whose admin's email contains `actor_email`."""
        async with self._c.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), self._c)
            rows, total = await service.admin_actions(
                action_prefix=action_prefix, actor_text=actor_email, offset=offset, limit=limit
            )
            return AuditPage([AuditEntry.of(row, email) for row, email in rows], total)

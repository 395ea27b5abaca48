"""Every SQL statement on the auth tables."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from jobpilot.auth.models import (
    AuditEvent,
    OAuthIdentity,
    OAuthState,
    RecoveryCode,
    RefreshToken,
    Session,
    SigningKey,
    UsedToken,
    User,
)
from jobpilot.kit.days import as_day, utc_day
from jobpilot.kit.db import insert_or_ignore

# Roles are a JSON list; its text (`["user", "admin"]`) is the same on SQLite and PostgreSQL.
_ADMIN_IN_ROLES = '%"admin"%'


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


class AuthRepository:
    """Reads and writes accounts, sessions, tokens, keys and the audit trail."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: object) -> None:
        """Stage a new row."""
        self.session.add(row)

    async def flush(self) -> None:
        """Send staged changes."""
        await self.session.flush()

    # Users

    async def user(self, user_id: uuid.UUID) -> User | None:
        """The user with `user_id`."""
        return await self.session.get(User, user_id)

    async def user_by_email(self, email: str) -> User | None:
        """The user with this (normalised) email."""
        return await self.session.scalar(select(User).where(User.email == email))

    async def emails_of(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The email of each of these users that exists."""
        rows = await self.session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
        return {row.id: row.email for row in rows}

    async def count_users(self, since: datetime) -> tuple[int, int]:
        """How many accounts exist, and how many of them were created at or after `since`."""
        row = (
            await self.session.execute(
                select(func.count(), func.count().filter(User.created_at >= since)).select_from(
                    User
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def signups_per_day(self, since: datetime) -> dict[date, int]:
        """Accounts created at or after `since`, counted per day (UTC); days without any are
        left out."""
        day = utc_day(User.created_at)
        rows = await self.session.execute(
            select(day, func.count()).where(User.created_at >= since).group_by(day)
        )
        return {as_day(d): int(n) for d, n in rows.all()}

    async def count_active_users(self, since: datetime) -> int:
        """Accounts with a session seen (signed in or refreshed) at or after `since`."""
        found = await self.session.scalar(
            select(func.count(func.distinct(Session.user_id))).where(Session.last_seen_at >= since)
        )
        return int(found or 0)

    async def find_users(
        self,
        *,
        text: str | None,
        tier: str | None,
        status: str | None,
        admin: bool | None,
        mfa: bool | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[User], int]:
        """Accounts whose email or name contains `text` (any case) and that match every other
        filter given, newest first, and how many match in all."""
        conditions: list[ColumnElement[bool]] = []
        if text:
            needle = text.lower()
            conditions.append(
                or_(
                    func.lower(User.email).contains(needle, autoescape=True),
                    func.lower(User.name).contains(needle, autoescape=True),
                )
            )
        if tier is not None:
            conditions.append(User.tier == tier)
        if status is not None:
            conditions.append(User.status == status)
        if admin is not None:
            has_admin = cast(User.roles, String).like(_ADMIN_IN_ROLES)
            conditions.append(has_admin if admin else ~has_admin)
        if mfa is not None:
            conditions.append(
                User.totp_enabled_at.is_not(None) if mfa else User.totp_enabled_at.is_(None)
            )
        total = await self.session.scalar(select(func.count()).select_from(User).where(*conditions))
        rows = await self.session.scalars(
            select(User)
            .where(*conditions)
            .order_by(User.created_at.desc(), User.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return rows.all(), int(total or 0)

    async def last_sign_in(self, user_id: uuid.UUID) -> datetime | None:
        """When the user's newest session started (a sign-in), if ever."""
        return await self.session.scalar(
            select(func.max(Session.created_at)).where(Session.user_id == user_id)
        )

    # Sessions and refresh tokens

    async def session_row(self, session_id: uuid.UUID) -> Session | None:
        """The session with `session_id`."""
        return await self.session.get(Session, session_id)

    async def active_sessions(self, user_id: uuid.UUID, now: datetime) -> Sequence[Session]:
        """The user's sessions that are neither revoked nor expired, newest first."""
        rows = await self.session.scalars(
            select(Session)
            .where(
                Session.user_id == user_id,
                Session.revoked_at.is_(None),
                Session.expires_at > now,
            )
            .order_by(Session.last_seen_at.desc())
        )
        return rows.all()

    async def all_sessions(self, user_id: uuid.UUID) -> Sequence[Session]:
        """Every session of the user, newest first."""
        rows = await self.session.scalars(
            select(Session).where(Session.user_id == user_id).order_by(Session.created_at.desc())
        )
        return rows.all()

    async def erase_user(self, user_id: uuid.UUID) -> None:
        """Delete the account and everything hanging off it; audit rows lose the user id."""
        session_ids = select(Session.id).where(Session.user_id == user_id)
        await self.session.execute(
            delete(RefreshToken).where(RefreshToken.session_id.in_(session_ids))
        )
        for model in (Session, RecoveryCode, UsedToken, OAuthIdentity):
            await self.session.execute(delete(model).where(model.user_id == user_id))
        await self.session.execute(
            update(AuditEvent)
            .where(AuditEvent.user_id == user_id)
            .values(user_id=None, ip=None, user_agent=None)
            .execution_options(synchronize_session=False)
        )
        # Events about the user lose the link too, and admins' actions on the account forget
        # its address. An admin's own actions keep `actor_id`: the admin-wide log must still
        # list what was done, by an account that is gone.
        actions_on_user = await self.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == user_id, AuditEvent.actor_id.is_not(None)
            )
        )
        for event in actions_on_user.all():
            target = {k: v for k, v in (event.details.get("target") or {}).items() if k != "email"}
            event.details = {**event.details, "target": target}
        await self.session.flush()
        await self.session.execute(
            update(AuditEvent)
            .where(AuditEvent.subject_id == user_id)
            .values(subject_id=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(delete(User).where(User.id == user_id))

    async def revoke_sessions(
        self, user_id: uuid.UUID, now: datetime, reason: str, *, keep: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        """Revoke every live session of the user (but `keep`); return their ids."""
        stmt = select(Session.id).where(Session.user_id == user_id, Session.revoked_at.is_(None))
        if keep is not None:
            stmt = stmt.where(Session.id != keep)
        ids = list((await self.session.scalars(stmt)).all())
        if ids:
            await self.session.execute(
                update(Session)
                .where(Session.id.in_(ids))
                .values(revoked_at=now, revoked_reason=reason)
                .execution_options(synchronize_session=False)
            )
        return ids

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        """The refresh token with this hash."""
        return await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        )

    async def use_refresh_token(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Mark the token used; False if it already was (a concurrent or replayed use)."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    # One-time tokens, recovery codes

    async def use_token(
        self, jti: str, purpose: str, user_id: uuid.UUID, expires_at: datetime, now: datetime
    ) -> bool:
        """Record the use of a one-time token; False if it was used before."""
        result = await self.session.execute(
            insert_or_ignore(
                self.session,
                UsedToken,
                ["jti"],
                jti=jti,
                purpose=purpose,
                user_id=user_id,
                used_at=now,
                expires_at=expires_at,
            )
        )
        return _rowcount(result) == 1

    async def token_used(self, jti: str) -> bool:
        """Whether a one-time token was used."""
        return await self.session.get(UsedToken, jti) is not None

    async def advance_totp_step(self, user_id: uuid.UUID, step: int) -> bool:
        """Record `step` as the last used TOTP step unless it is not newer; True if recorded."""
        result = await self.session.execute(
            update(User)
            .where(
                User.id == user_id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    async def linked_providers(self, user_id: uuid.UUID) -> list[str]:
        """The providers linked to the user, sorted."""
        rows = await self.session.scalars(
            select(OAuthIdentity.provider).where(OAuthIdentity.user_id == user_id)
        )
        return sorted(set(rows.all()))

    async def replace_recovery_codes(self, user_id: uuid.UUID, hashes: list[str]) -> None:
        """Drop the user's recovery codes and store these."""
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        for code_hash in hashes:
            self.session.add(
                RecoveryCode(id=uuid.uuid4(), user_id=user_id, code_hash=code_hash, used_at=None)
            )

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: str, now: datetime) -> bool:
        """Consume an unused recovery code; False if there is none such."""
        result = await self.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == code_hash,
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    async def unused_recovery_codes(self, user_id: uuid.UUID) -> int:
        """How many recovery codes the user has left."""
        rows = await self.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        )
        return len(rows.all())

    # OAuth

    async def identity(self, provider: str, subject: str) -> OAuthIdentity | None:
        """The linked identity for this provider account."""
        return await self.session.scalar(
            select(OAuthIdentity).where(
                OAuthIdentity.provider == provider, OAuthIdentity.subject == subject
            )
        )

    async def take_oauth_state(self, state_hash: str, now: datetime) -> OAuthState | None:
        """Consume a pending authorization (single use); None if unknown or expired."""
        state = await self.session.get(OAuthState, state_hash)
        if state is None:
            return None
        await self.session.delete(state)
        await self.session.flush()
        return state if state.expires_at > now else None

    async def purge_expired(self, now: datetime) -> None:
        """Delete expired authorizations and one-time tokens."""
        await self.session.execute(delete(OAuthState).where(OAuthState.expires_at <= now))
        await self.session.execute(delete(UsedToken).where(UsedToken.expires_at <= now))

    # Signing keys

    async def signing_keys(self, published_after: datetime) -> Sequence[SigningKey]:
        """Keys still published (`sign_until` after the given time), newest first."""
        rows = await self.session.scalars(
            select(SigningKey)
            .where(SigningKey.sign_until > published_after)
            .order_by(SigningKey.created_at.desc())
        )
        return rows.all()

    # Audit

    async def audit_trail(self, user_id: uuid.UUID, limit: int) -> Sequence[AuditEvent]:
        """The user's security events, newest first."""
        rows = await self.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.user_id == user_id)
            .order_by(AuditEvent.at.desc())
            .limit(limit)
        )
        return rows.all()

    async def events_about(
        self, user_id: uuid.UUID, limit: int
    ) -> tuple[Sequence[tuple[AuditEvent, str | None]], int]:
        """Events about the user (their security events, admins' actions on the account),
        newest first, each with the acting admin's email; and how many there are."""
        total = await self.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_id == user_id)
        )
        rows = await self.session.execute(
            select(AuditEvent, User.email)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.subject_id == user_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows.all()], int(total or 0)

    async def admin_actions(
        self, *, action_prefix: str | None, actor_text: str | None, offset: int, limit: int
    ) -> tuple[Sequence[tuple[AuditEvent, str | None]], int]:
        """Admins' actions (newest first) whose name starts with `action_prefix` and whose
        admin's email contains `actor_text` (any case), each with that email; and the count."""
        conditions: list[ColumnElement[bool]] = [AuditEvent.actor_id.is_not(None)]
        if action_prefix:
            conditions.append(AuditEvent.event.startswith(action_prefix, autoescape=True))
        if actor_text:
            actors = select(User.id).where(
                func.lower(User.email).contains(actor_text.lower(), autoescape=True)
            )
            conditions.append(AuditEvent.actor_id.in_(actors))
        total = await self.session.scalar(
            select(func.count()).select_from(AuditEvent).where(*conditions)
        )
        rows = await self.session.execute(
            select(AuditEvent, User.email)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows.all()], int(total or 0)

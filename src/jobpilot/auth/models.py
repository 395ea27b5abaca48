"""The auth domain's tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.db import Base, UuidPk


class User(UuidPk, Base):
    """An account. OAuth-only accounts have no password hash."""

    __tablename__ = "auth_users"
    # Sign-ups per day and new accounts are counted by creation time (admin figures).
    __table_args__ = (Index("ix_auth_users_created_at", "created_at"),)

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    email_verified_at: Mapped[datetime | None]
    roles: Mapped[list[str]] = mapped_column(JSON)
    tier: Mapped[str] = mapped_column(String(40), default="free")
    status: Mapped[str] = mapped_column(String(20), default="active")
    # TOTP secrets are stored encrypted (kit Keyring, context "totp:<user id>").
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(300))
    totp_enabled_at: Mapped[datetime | None]
    # The last accepted TOTP time step: a code is accepted at most once.
    totp_last_step: Mapped[int | None]
    password_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Session(UuidPk, Base):
    """A signed-in device; its id is the `sid` of every token issued to it."""

    __tablename__ = "auth_sessions"
    # Active accounts are those with a session seen lately (admin figures).
    __table_args__ = (Index("ix_auth_sessions_last_seen_at", "last_seen_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_users.id"), index=True)
    method: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    device: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(60))


class RefreshToken(UuidPk, Base):
    """One refresh token of a session (stored hashed); each is good for one use."""

    __tablename__ = "auth_refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(UuidPk, Base):
    """A single-use two-factor recovery code (stored as a keyed hash)."""

    __tablename__ = "auth_recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class UsedToken(Base):
    """A signed one-time token (email link, reset code, MFA step) that has been used.

    The tokens themselves are signed and carry their expiry, so nothing is stored when one is
    issued; using one records its id here, and a second use finds it.
    """

    __tablename__ = "auth_used_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_users.id"), index=True)
    used_at: Mapped[datetime]
    # Kept until the token would have expired anyway, then purged.
    expires_at: Mapped[datetime]


class OAuthIdentity(UuidPk, Base):
    """An account at GitHub or LinkedIn linked to a user."""

    __tablename__ = "auth_oauth_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    provider: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_users.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime]


class OAuthState(Base):
    """An authorization in flight: its state (hashed), PKCE verifier and nonce."""

    __tablename__ = "auth_oauth_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))
    code_verifier: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime]


class SigningKey(Base):
    """An ES256 key pair; the private half encrypted, the public half published in the JWKS."""

    __tablename__ = "auth_signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_key: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # New tokens are signed with it until then; it stays published until its tokens expire.
    sign_until: Mapped[datetime]


class AuditEvent(UuidPk, Base):
    """A security event or an admin's action: who, what, about whom, when, from where.

    `user_id` is whose trail the event is in (`GET /api/v1/auth/audit`): the account for a
    security event, the acting admin for an admin's action. `actor_id` is set only for an
    admin's action (so the admin-wide log is `actor_id IS NOT NULL`), and `subject_id` is the
    account the event is about: the account itself for a security event, the target of an
    admin's action on an account (none for one on a task or a flag).
    """

    __tablename__ = "auth_audit_events"
    __table_args__ = (
        Index("ix_auth_audit_events_user_at", "user_id", "at"),
        Index("ix_auth_audit_events_subject_at", "subject_id", "at"),
        Index("ix_auth_audit_events_actor_at", "actor_id", "at"),
    )

    at: Mapped[datetime]
    user_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    subject_id: Mapped[uuid.UUID | None]
    event: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)

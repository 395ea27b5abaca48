"""Request and response models of the auth API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class Strict(BaseModel):
    """Unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    """A new account."""

    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(min_length=1, max_length=200)


class EmailRequest(Strict):
    """Just an email address."""

    email: EmailStr = Field(max_length=320)


class LoginRequest(Strict):
    """Email and password."""

    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenRequest(Strict):
    """An emailed token."""

    token: str = Field(min_length=10, max_length=2000)


class ResetPasswordRequest(Strict):
    """The emailed reset token and the new password."""

    token: str = Field(min_length=10, max_length=2000)
    new_password: str = Field(min_length=1, max_length=1024)


class ChangePasswordRequest(Strict):
    """The current password and the new one."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(Strict):
    """A refresh token to exchange."""

    refresh_token: str = Field(min_length=10, max_length=200)


class MfaVerifyRequest(Strict):
    """The second step of a sign-in: a TOTP or recovery code."""

    mfa_token: str = Field(min_length=10, max_length=2000)
    code: str = Field(min_length=6, max_length=20)


class CodeRequest(Strict):
    """A TOTP code."""

    code: str = Field(min_length=6, max_length=20)


class DisableMfaRequest(Strict):
    """Turning two-factor off needs the password and a code."""

    password: str = Field(min_length=1, max_length=1024)
    code: str = Field(min_length=6, max_length=20)


class TokenPair(BaseModel):
    """What a successful sign-in returns."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    session_id: uuid.UUID


class MfaChallenge(BaseModel):
    """The password was right; a second factor is needed."""

    mfa_required: Literal[True] = True
    mfa_token: str
    expires_in: int


class Accepted(BaseModel):
    """The request was taken; the outcome arrives by email."""

    status: Literal["accepted"] = "accepted"
    message: str


class UserRead(BaseModel):
    """The signed-in user's account."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    tier: str
    email_verified: bool
    mfa_enabled: bool
    has_password: bool
    linked_providers: list[str]
    created_at: datetime


class SessionRead(BaseModel):
    """A signed-in device."""

    id: uuid.UUID
    method: str
    device: str | None
    ip: str | None
    user_agent: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


class TotpSetup(BaseModel):
    """What an authenticator app needs."""

    secret: str
    otpauth_uri: str
    qr_svg: str


class RecoveryCodes(BaseModel):
    """Single-use codes for when the authenticator is lost; shown once."""

    recovery_codes: list[str]


class AuditRead(BaseModel):
    """A security event of the signed-in user."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    event: str
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


class SignInMethods(BaseModel):
    """How one can sign in on this server."""

    password: bool
    github: bool
    linkedin: bool


class VerifiedEmail(BaseModel):
    """The outcome of an email verification link."""

    verified: Literal[True] = True
    email: str


class DevMailRead(BaseModel):
    """A message in the dev mailbox."""

    to: str
    subject: str
    text: str
    html: str | None
    sent_at: datetime

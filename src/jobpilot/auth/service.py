"""The auth domain's rules: accounts, sign-in, sessions, tokens, two-factor, OAuth, audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from jobpilot.auth import oauth, totp
from jobpilot.auth.config import AuthSettings, OAuthProviderSettings
from jobpilot.auth.crypto import BadSignature, Keyring, new_token, token_hash
from jobpilot.auth.errors import (
    AccountSuspended,
    DevMailboxOff,
    EmailNotVerified,
    InvalidCredentials,
    InvalidLink,
    InvalidMfaCode,
    InvalidRefreshToken,
    MfaNotSetUp,
    OAuthEmailUnverified,
    ProviderNotConfigured,
    SessionNotFound,
    WeakPassword,
)
from jobpilot.auth.events import SecurityEventRecorded, UserRegistered
from jobpilot.auth.models import (
    AuditEvent,
    OAuthIdentity,
    OAuthState,
    RefreshToken,
    Session,
    SigningKey,
    User,
)
from jobpilot.auth.passwords import Hasher, policy_problems
from jobpilot.auth.repository import AuthRepository
from jobpilot.auth.schemas import (
    AuditRead,
    DevMailRead,
    MfaChallenge,
    SessionRead,
    SignInMethods,
    TokenPair,
    TotpSetup,
    UserRead,
)
from jobpilot.auth.throttle import LoginThrottle
from jobpilot.kit.authn import CachedKeys, Principal, Revocations
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.kit.errors import BadRequest
from jobpilot.kit.events import publish
from jobpilot.kit.idempotency import once
from jobpilot.kit.ports import EmailMessage, MailboxReader, Mailer
from jobpilot.kit.tasks import enqueue

PURPOSE_VERIFY = "verify_email"
PURPOSE_RESET = "reset_password"
PURPOSE_MFA = "mfa"
MFA_ATTEMPTS = 5
OAUTH_STATE_MINUTES = 10
PROVIDERS = ("github", "linkedin")
# The audit log's event column (auth_audit_events.event) holds this many characters.
AUDIT_EVENT_CHARS = 40


@dataclass(frozen=True)
class ClientInfo:
    """Where a request comes from."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass
class AuthComponents:
    """The long-lived parts the auth service works with (built once per process by wiring)."""

    settings: AuthSettings
    db: Database
    hasher: Hasher
    keyring: Keyring
    throttle: LoginThrottle
    revocations: Revocations
    keys: CachedKeys
    mailer: Mailer
    http: httpx.AsyncClient
    _private_keys: dict[str, Any] = field(default_factory=dict)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _password_stamp(user: User) -> int:
    changed = user.password_changed_at
    return int(changed.timestamp() * 1000) if changed else 0


def _user_target(target: dict[str, str]) -> uuid.UUID | None:
    """The account an admin's action is about, when its target is one."""
    if target.get("type") != "user":
        return None
    try:
        return uuid.UUID(str(target.get("id")))
    except ValueError:
        return None


def normalise_email(email: str) -> str:
    """The one form an address is stored and looked up in."""
    return email.strip().lower()


def describe_device(user_agent: str | None) -> str | None:
    """A short human name for a user agent ("Firefox on Linux")."""
    if not user_agent:
        return None
    ua = user_agent.lower()
    browser = next(
        (
            name
            for key, name in [
                ("edg/", "Edge"),
                ("firefox", "Firefox"),
                ("chrome", "Chrome"),
                ("safari", "Safari"),
                ("curl", "curl"),
                ("httpx", "httpx"),
            ]
            if key in ua
        ),
        "Browser",
    )
    system = next(
        (
            name
            for key, name in [
                ("android", "Android"),
                ("iphone", "iOS"),
                ("ipad", "iPadOS"),
                ("windows", "Windows"),
                ("mac os", "macOS"),
                ("linux", "Linux"),
            ]
            if key in ua
        ),
        None,
    )
    return f"{browser} on {system}" if system else browser


class AuthService:
    """Everything about who a user is and how they prove it."""

    def __init__(self, repository: AuthRepository, components: AuthComponents) -> None:
        self.repo = repository
        self.c = components
        self.settings = components.settings

    # Registration and email verification

    async def register(self, email: str, password: str, name: str, client: ClientInfo) -> None:
        """Create an account and email a verification link (or, if it exists, a notice)."""
        email = normalise_email(email)
        self._check_policy(password, email=email, name=name)
        # Hashing in both branches keeps the answer's timing from telling who is registered.
        password_hash = await self.c.hasher.hash(password)
        existing = await self.repo.user_by_email(email)
        if existing is not None:
            await enqueue(self.repo.session, "auth.send_account_exists", user_id=existing.id)
            return
        user = await self.create_user(email=email, name=name, password_hash=password_hash)
        await self._audit("registered", user.id, client, {"method": "password"})
        await enqueue(self.repo.session, "auth.send_verification", user_id=user.id)

    async def create_user(
        self,
        *,
        email: str,
        name: str,
        password_hash: str | None,
        roles: list[str] | None = None,
        verified: bool = False,
        method: str = "password",
    ) -> User:
        """Store a new account and announce it."""
        now = utcnow()
        user = User(
            id=uuid.uuid4(),
            email=normalise_email(email),
            name=name.strip(),
            password_hash=password_hash,
            email_verified_at=now if verified else None,
            roles=roles or ["user"],
            tier="free",
            status="active",
            password_changed_at=now if password_hash else None,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(user)
        await self.repo.flush()
        await publish(self.repo.session, UserRegistered(user_id=user.id, method=method, at=now))
        return user

    async def create_user_with_password(
        self, email: str, password: str, name: str, *, admin: bool
    ) -> User:
        """An account made by an operator: verified, optionally an admin."""
        email = normalise_email(email)
        self._check_policy(password, email=email, name=name)
        if await self.repo.user_by_email(email) is not None:
            raise BadRequest(f"An account with {email} already exists.")
        roles = ["user", "admin"] if admin else ["user"]
        return await self.create_user(
            email=email,
            name=name,
            password_hash=await self.c.hasher.hash(password),
            roles=roles,
            verified=True,
        )

    async def ensure_user_with_password(
        self, email: str, password: str, name: str, *, admin: bool = False
    ) -> User:
        """A verified account with this password: created, or (when it exists) given the new
        password and signed out everywhere, as an operator's reset. With `admin` the account
        holds the admin role (an existing one is given it; without, roles are left alone)."""
        user = await self.repo.user_by_email(normalise_email(email))
        if user is None:
            return await self.create_user_with_password(email, password, name, admin=admin)
        self._check_policy(password, email=user.email, name=name)
        await self._set_password(user, password)
        user.name = name.strip()
        user.email_verified_at = user.email_verified_at or utcnow()
        if admin and "admin" not in user.roles:
            user.roles = [*user.roles, "admin"]
        client = ClientInfo()
        await self._revoke_all(user.id, "password_reset", client)
        await self._audit("password_reset", user.id, client, {"by": "operator"})
        return user

    async def send_verification(self, user_id: uuid.UUID, task_key: str) -> None:
        """Email a verification link to the user (task)."""
        user = await self.repo.user(user_id)
        if user is None or user.email_verified_at is not None:
            return
        token = self._one_time_token(
            user, PURPOSE_VERIFY, timedelta(hours=self.settings.email_link_hours)
        )
        link = f"{self.settings.public_url}/api/v1/auth/verify-email?token={token}"
        await self._mail(
            task_key,
            user.email,
            "Confirm your email address for JobPilot",
            f"Hello {user.name},\n\nconfirm your email address by opening this link within "
            f"{self.settings.email_link_hours} hours:\n\n{link}\n\n"
            "If you did not create a JobPilot account, ignore this message.\n",
        )

    async def send_account_exists(self, user_id: uuid.UUID, task_key: str) -> None:
        """Tell the owner of an address that someone tried to register it again (task)."""
        user = await self.repo.user(user_id)
        if user is None:
            return
        await self._mail(
            task_key,
            user.email,
            "You already have a JobPilot account",
            f"Hello {user.name},\n\nsomeone (maybe you) tried to create a JobPilot account with "
            "this address, which already has one. Sign in, or reset your password if you "
            "forgot it. If it was not you, nothing has changed.\n",
        )

    async def request_verification(self, email: str) -> None:
        """Queue a new verification link, whether or not the address exists."""
        await enqueue(self.repo.session, "auth.resend_verification", email=normalise_email(email))

    async def resend_verification(self, email: str, task_key: str) -> None:
        """Send a new verification link to an unverified account (task)."""
        user = await self.repo.user_by_email(email)
        if user is not None and user.email_verified_at is None:
            await self.send_verification(user.id, task_key)

    async def verify_email(self, token: str, client: ClientInfo) -> str:
        """Mark the address of the emailed token verified; return it."""
        user = await self._use_token(token, PURPOSE_VERIFY)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
            user.updated_at = user.email_verified_at
            await self._audit("email_verified", user.id, client, {})
        return user.email

    # Sign-in

    async def login(
        self, email: str, password: str, client: ClientInfo
    ) -> TokenPair | MfaChallenge:
        """Check the password (throttled); tokens, or a challenge for the second factor."""
        email = normalise_email(email)
        await self.c.throttle.check(email, client.ip)
        user = await self.repo.user_by_email(email)
        if not await self.c.hasher.verify(user.password_hash if user else None, password):
            await self.c.throttle.failed(email, client.ip)
            await self._audit(
                "login_failed", user.id if user else None, client, {"reason": "bad_credentials"}
            )
            raise InvalidCredentials(keep_changes=True)
        assert user is not None
        assert user.password_hash is not None
        await self.c.throttle.succeeded(email)
        self._check_can_sign_in(user)
        if self.c.hasher.needs_rehash(user.password_hash):
            user.password_hash = await self.c.hasher.hash(password)
        if user.totp_enabled_at is not None:
            minutes = self.settings.mfa_token_minutes
            token = self._one_time_token(user, PURPOSE_MFA, timedelta(minutes=minutes))
            return MfaChallenge(mfa_token=token, expires_in=minutes * 60)
        return await self._start_session(user, "password", client)

    async def verify_mfa(self, mfa_token: str, code: str, client: ClientInfo) -> TokenPair:
        """Complete a sign-in with a TOTP or recovery code."""
        payload = self._unsign(mfa_token, PURPOSE_MFA)
        jti = str(payload["j"])
        if await self.c.throttle.mfa_failures(jti) >= MFA_ATTEMPTS:
            raise InvalidLink("Too many wrong codes: sign in again.")
        if await self.repo.token_used(jti):
            raise InvalidLink
        user = await self.repo.user(uuid.UUID(str(payload["u"])))
        if user is None or user.totp_secret is None:
            raise InvalidLink
        self._check_can_sign_in(user)
        method = await self._check_second_factor(user, code)
        if method is None:
            await self.c.throttle.mfa_failed(jti, self.settings.mfa_token_minutes * 60)
            await self._audit("mfa_failed", user.id, client, {})
            raise InvalidMfaCode(keep_changes=True)
        await self._consume(payload, PURPOSE_MFA)
        return await self._start_session(user, f"password+{method}", client)

    async def refresh(self, refresh_token: str, client: ClientInfo) -> TokenPair:
        """Exchange a refresh token for new tokens; a replayed one revokes its session."""
        now = utcnow()
        row = await self.repo.refresh_token(token_hash(refresh_token))
        if row is None:
            raise InvalidRefreshToken
        session = await self.repo.session_row(row.session_id)
        if session is None:
            raise InvalidRefreshToken
        if row.used_at is not None or not await self.repo.use_refresh_token(row.id, now):
            # A used token came back: whoever holds the newer one may be a thief, so the
            # whole session (every token descended from this sign-in) ends now.
            await self._revoke_session(session, "refresh_token_reused", client)
            raise InvalidRefreshToken(keep_changes=True)
        if session.revoked_at is not None or session.expires_at <= now or row.expires_at <= now:
            raise InvalidRefreshToken
        user = await self.repo.user(session.user_id)
        if user is None or user.status != "active":
            raise InvalidRefreshToken
        session.last_seen_at = now
        session.ip = client.ip or session.ip
        if client.user_agent:
            session.user_agent = client.user_agent[:400]
            session.device = describe_device(client.user_agent)
        return await self._issue(user, session)

    # Sessions

    async def sessions(self, principal: Principal) -> list[SessionRead]:
        """The caller's live sessions, the current one marked."""
        rows = await self.repo.active_sessions(principal.user_id, utcnow())
        return [
            SessionRead(
                id=s.id,
                method=s.method,
                device=s.device,
                ip=s.ip,
                user_agent=s.user_agent,
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                current=s.id == principal.session_id,
            )
            for s in rows
        ]

    async def revoke_session(
        self, principal: Principal, session_id: uuid.UUID, client: ClientInfo, reason: str
    ) -> None:
        """End one of the caller's sessions."""
        session = await self.repo.session_row(session_id)
        if session is None or session.user_id != principal.user_id:
            raise SessionNotFound
        if session.revoked_at is None:
            await self._revoke_session(session, reason, client)

    async def logout_all(self, principal: Principal, client: ClientInfo) -> int:
        """End every session of the caller; return how many."""
        return await self._revoke_all(principal.user_id, "logout_all", client)

    # Passwords

    async def request_password_reset(self, email: str) -> None:
        """Queue a reset link; the same work whether or not the address exists."""
        await enqueue(self.repo.session, "auth.send_password_reset", email=normalise_email(email))

    async def send_password_reset(self, email: str, task_key: str) -> None:
        """Email a reset link if the account exists (task)."""
        user = await self.repo.user_by_email(email)
        if user is None or user.status != "active":
            return
        minutes = self.settings.reset_link_minutes
        token = self._one_time_token(user, PURPOSE_RESET, timedelta(minutes=minutes))
        await self._mail(
            task_key,
            user.email,
            "Reset your JobPilot password",
            f"Hello {user.name},\n\nto choose a new password, send this code to the reset page "
            f"within {minutes} minutes:\n\n{token}\n\n"
            f"(API: POST {self.settings.public_url}/api/v1/auth/password/reset)\n\n"
            "If you did not ask for this, ignore this message; your password is unchanged.\n",
        )

    async def reset_password(self, token: str, new_password: str, client: ClientInfo) -> None:
        """Set a new password with an emailed token and sign out everywhere."""
        user = await self._use_token(token, PURPOSE_RESET)
        self._check_policy(new_password, email=user.email, name=user.name)
        await self._set_password(user, new_password)
        # The mailbox was reachable, so the address is verified too.
        user.email_verified_at = user.email_verified_at or utcnow()
        await self._revoke_all(user.id, "password_reset", client)
        await self._audit("password_reset", user.id, client, {})

    async def change_password(
        self, principal: Principal, current: str, new: str, client: ClientInfo
    ) -> None:
        """Change the password; every other session is signed out."""
        user = await self._user(principal)
        if not await self.c.hasher.verify(user.password_hash, current):
            await self._audit("password_change_failed", user.id, client, {})
            raise InvalidCredentials("The current password is incorrect.", keep_changes=True)
        self._check_policy(new, email=user.email, name=user.name)
        await self._set_password(user, new)
        await self._revoke_all(user.id, "password_changed", client, keep=principal.session_id)
        await self._audit("password_changed", user.id, client, {})

    # Two-factor

    async def totp_setup(self, principal: Principal) -> TotpSetup:
        """A new secret to scan; it becomes active once a code from it is confirmed."""
        user = await self._user(principal)
        if user.totp_enabled_at is not None:
            raise MfaNotSetUp("Two-factor authentication is already on; turn it off first.")
        secret = totp.new_secret()
        user.totp_pending_secret = self.c.keyring.encrypt(secret, context=f"totp:{user.id}")
        uri = totp.provisioning_uri(secret, user.email)
        return TotpSetup(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_svg(uri))

    async def totp_enable(self, principal: Principal, code: str, client: ClientInfo) -> list[str]:
        """Turn two-factor on with a code from the new secret; return fresh recovery codes."""
        user = await self._user(principal)
        if user.totp_pending_secret is None:
            raise MfaNotSetUp("Start with the setup step.")
        secret = self.c.keyring.decrypt(user.totp_pending_secret, context=f"totp:{user.id}")
        step = totp.matching_step(secret, code, after_step=None)
        if step is None:
            raise InvalidMfaCode
        now = utcnow()
        user.totp_secret = user.totp_pending_secret
        user.totp_pending_secret = None
        user.totp_enabled_at = now
        user.totp_last_step = step
        user.updated_at = now
        codes = totp.new_recovery_codes()
        await self.repo.replace_recovery_codes(user.id, [self.c.keyring.mac(c) for c in codes])
        await self._audit("mfa_enabled", user.id, client, {"method": "totp"})
        return codes

    async def totp_disable(
        self, principal: Principal, password: str, code: str, client: ClientInfo
    ) -> None:
        """Turn two-factor off; needs the password and a current code."""
        user = await self._user(principal)
        if user.totp_enabled_at is None:
            raise MfaNotSetUp("Two-factor authentication is not on.")
        if not await self.c.hasher.verify(user.password_hash, password):
            raise InvalidCredentials("The password is incorrect.")
        if await self._check_second_factor(user, code) is None:
            raise InvalidMfaCode
        user.totp_secret = user.totp_pending_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        user.updated_at = utcnow()
        await self.repo.replace_recovery_codes(user.id, [])
        await self._audit("mfa_disabled", user.id, client, {"method": "totp"})

    async def _check_second_factor(self, user: User, code: str) -> str | None:
        """'totp' or 'recovery_code' when `code` is a valid, unused one; else None."""
        assert user.totp_secret is not None
        secret = self.c.keyring.decrypt(user.totp_secret, context=f"totp:{user.id}")
        step = totp.matching_step(secret, code, after_step=user.totp_last_step)
        if step is not None:
            # Conditional on the stored step so that two racing uses of one code cannot both win.
            if await self.repo.advance_totp_step(user.id, step):
                return "totp"
            return None
        normalised = totp.normalise_recovery_code(code)
        if await self.repo.use_recovery_code(user.id, self.c.keyring.mac(normalised), utcnow()):
            return "recovery_code"
        return None

    # OAuth

    def _provider(self, provider: str) -> OAuthProviderSettings:
        if provider not in PROVIDERS:
            raise ProviderNotConfigured
        cfg: OAuthProviderSettings = getattr(self.settings, provider)
        if not cfg.enabled:
            raise ProviderNotConfigured
        return cfg

    def _redirect_uri(self, provider: str) -> str:
        return f"{self.settings.public_url}/api/v1/auth/oauth/{provider}/callback"

    async def oauth_start(self, provider: str) -> str:
        """Where to send the browser to sign in with `provider`."""
        cfg = self._provider(provider)
        request = oauth.start_authorization(provider, cfg, self._redirect_uri(provider))
        self.repo.add(
            OAuthState(
                state_hash=token_hash(request.state),
                provider=provider,
                code_verifier=self.c.keyring.encrypt(request.code_verifier, context="pkce"),
                nonce=request.nonce,
                expires_at=utcnow() + timedelta(minutes=OAUTH_STATE_MINUTES),
            )
        )
        return request.url

    async def oauth_finish(
        self, provider: str, code: str, state: str, client: ClientInfo
    ) -> TokenPair:
        """Complete a provider sign-in: link or create the account, then sign in."""
        cfg = self._provider(provider)
        pending = await self.repo.take_oauth_state(token_hash(state), utcnow())
        if pending is None or pending.provider != provider:
            raise oauth.OAuthFailed("The sign-in took too long or was not started here; try again.")
        identity = await oauth.complete_authorization(
            provider,
            cfg,
            code=code,
            code_verifier=self.c.keyring.decrypt(pending.code_verifier, context="pkce"),
            redirect_uri=self._redirect_uri(provider),
            nonce=pending.nonce,
            http=self.c.http,
        )
        user = await self._user_for_identity(identity, client)
        self._check_can_sign_in(user)
        return await self._start_session(user, provider, client)

    async def _user_for_identity(
        self, identity: oauth.ExternalIdentity, client: ClientInfo
    ) -> User:
        linked = await self.repo.identity(identity.provider, identity.subject)
        if linked is not None:
            user = await self.repo.user(linked.user_id)
            if user is None:
                raise InvalidCredentials
            return user
        if not identity.email:
            raise oauth.OAuthFailed("The provider did not share an email address.")
        email = normalise_email(identity.email)
        user = await self.repo.user_by_email(email)
        if user is not None and not identity.email_verified:
            raise OAuthEmailUnverified
        if user is None:
            user = await self.create_user(
                email=email,
                name=identity.name or email.split("@", 1)[0],
                password_hash=None,
                verified=identity.email_verified,
                method=identity.provider,
            )
            await self._audit("registered", user.id, client, {"method": identity.provider})
        elif identity.email_verified and user.email_verified_at is None:
            user.email_verified_at = utcnow()
        self.repo.add(
            OAuthIdentity(
                id=uuid.uuid4(),
                provider=identity.provider,
                subject=identity.subject,
                user_id=user.id,
                email=email,
                created_at=utcnow(),
            )
        )
        await self._audit("oauth_linked", user.id, client, {"provider": identity.provider})
        return user

    # Reading

    async def me(self, principal: Principal) -> UserRead:
        """The caller's account."""
        user = await self._user(principal)
        providers = await self.repo.linked_providers(user.id)
        return UserRead(
            id=user.id,
            email=user.email,
            name=user.name,
            roles=list(user.roles),
            tier=user.tier,
            email_verified=user.email_verified_at is not None,
            mfa_enabled=user.totp_enabled_at is not None,
            has_password=user.password_hash is not None,
            linked_providers=providers,
            created_at=user.created_at,
        )

    async def audit_trail(self, principal: Principal, limit: int) -> list[AuditRead]:
        """The caller's security events, newest first."""
        rows = await self.repo.audit_trail(principal.user_id, limit)
        return [AuditRead.model_validate(r) for r in rows]

    async def dev_mailbox(self, to: str | None, limit: int) -> list[DevMailRead]:
        """Mail sent through the dev mailbox, newest first (404 with a real mailer)."""
        if not isinstance(self.c.mailer, MailboxReader):
            raise DevMailboxOff
        messages = await self.c.mailer.messages(to=to, limit=limit)
        return [
            DevMailRead(
                to=m.to_address, subject=m.subject, text=m.text, html=m.html, sent_at=m.sent_at
            )
            for m in messages
        ]

    def methods(self) -> SignInMethods:
        """Which sign-in methods this server offers."""
        return SignInMethods(
            password=True,
            github=self.settings.github.enabled,
            linkedin=self.settings.linkedin.enabled,
        )

    async def purge_expired(self) -> None:
        """Forget authorizations and used tokens that have expired anyway."""
        await self.repo.purge_expired(utcnow())

    # Account data

    async def set_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Change the tier claim of tokens issued from now on."""
        user = await self.repo.user(user_id)
        if user is None:
            raise InvalidCredentials("No such account.")
        user.tier = tier
        user.updated_at = utcnow()
        await self._audit("tier_changed", user.id, ClientInfo(), {"tier": tier})

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """Everything the auth domain holds about the user, without secrets."""
        user = await self.repo.user(user_id)
        if user is None:
            return {}
        sessions = await self.repo.all_sessions(user_id)
        return {
            "account": {
                "email": user.email,
                "name": user.name,
                "roles": list(user.roles),
                "tier": user.tier,
                "email_verified_at": _iso(user.email_verified_at),
                "mfa_enabled": user.totp_enabled_at is not None,
                "created_at": _iso(user.created_at),
            },
            "linked_providers": await self.repo.linked_providers(user_id),
            "sessions": [
                {
                    "method": s.method,
                    "device": s.device,
                    "ip": s.ip,
                    "created_at": _iso(s.created_at),
                    "last_seen_at": _iso(s.last_seen_at),
                    "revoked_at": _iso(s.revoked_at),
                }
                for s in sessions
            ],
            "security_events": [
                a.model_dump(mode="json") for a in await self.audit_trail_of(user_id, 1000)
            ],
        }

    async def audit_trail_of(self, user_id: uuid.UUID, limit: int) -> list[AuditRead]:
        """A user's security events, newest first."""
        return [AuditRead.model_validate(r) for r in await self.repo.audit_trail(user_id, limit)]

    async def erase_user(self, user_id: uuid.UUID) -> None:
        """Sign the user out everywhere and delete the account (on `users.deleted`)."""
        for session in await self.repo.active_sessions(user_id, utcnow()):
            await self.c.revocations.revoke(session.id)
        await self.repo.erase_user(user_id)

    # Administration (the admin's Users area, through the facade)

    async def find_accounts(
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
        """A page of accounts matching the filters, newest first, and how many match."""
        return await self.repo.find_users(
            text=text.strip() if text else None,
            tier=tier,
            status=status,
            admin=admin,
            mfa=mfa,
            offset=offset,
            limit=limit,
        )

    async def account_with_sessions(
        self, user_id: uuid.UUID
    ) -> tuple[User, Sequence[Session], datetime | None] | None:
        """The account, its live sessions (newest first) and its last sign-in; None if gone."""
        user = await self.repo.user(user_id)
        if user is None:
            return None
        sessions = await self.repo.active_sessions(user_id, utcnow())
        return user, sessions, await self.repo.last_sign_in(user_id)

    async def suspend(self, user_id: uuid.UUID) -> tuple[str, int] | None:
        """Suspend the account and end every session at once (their access tokens stop working
        at the next request); the status before and how many sessions ended. None if gone."""
        user = await self.repo.user(user_id)
        if user is None:
            return None
        before = user.status
        if before != "suspended":
            user.status = "suspended"
            user.updated_at = utcnow()
            await self._audit("account_suspended", user.id, ClientInfo(), {"by": "admin"})
        revoked = await self._revoke_all(user.id, "account_suspended", ClientInfo())
        return before, revoked

    async def reactivate(self, user_id: uuid.UUID) -> str | None:
        """Let a suspended account sign in again (its ended sessions stay ended); the status
        before, or None if gone."""
        user = await self.repo.user(user_id)
        if user is None:
            return None
        before = user.status
        if before != "active":
            user.status = "active"
            user.updated_at = utcnow()
            await self._audit("account_reactivated", user.id, ClientInfo(), {"by": "admin"})
        return before

    async def end_sessions(self, user_id: uuid.UUID) -> int | None:
        """End every session of the account at once; how many, or None if gone."""
        if await self.repo.user(user_id) is None:
            return None
        return await self._revoke_all(user_id, "revoked_by_admin", ClientInfo())

    async def reset_mfa(self, user_id: uuid.UUID) -> tuple[bool, int] | None:
        """Turn two-factor off for a user who lost their authenticator: the secrets and the
        recovery codes are removed and every session ends, so the password alone signs in and
        the user can set it up again. Whether it was on, and how many sessions ended."""
        user = await self.repo.user(user_id)
        if user is None:
            return None
        was_on = user.totp_enabled_at is not None
        user.totp_secret = user.totp_pending_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        user.updated_at = utcnow()
        await self.repo.replace_recovery_codes(user.id, [])
        await self._audit("mfa_disabled", user.id, ClientInfo(), {"by": "admin"})
        revoked = await self._revoke_all(user.id, "mfa_reset", ClientInfo())
        return was_on, revoked

    async def events_about(
        self, user_id: uuid.UUID, limit: int
    ) -> tuple[Sequence[tuple[AuditEvent, str | None]], int]:
        """The account's security events and the admins' actions on it, newest first."""
        return await self.repo.events_about(user_id, limit)

    async def admin_actions(
        self, *, action_prefix: str | None, actor_text: str | None, offset: int, limit: int
    ) -> tuple[Sequence[tuple[AuditEvent, str | None]], int]:
        """Admins' actions, newest first, filtered by the action's start and the admin's email."""
        return await self.repo.admin_actions(
            action_prefix=action_prefix.strip() if action_prefix else None,
            actor_text=actor_text.strip() if actor_text else None,
            offset=offset,
            limit=limit,
        )

    # Keys

    async def jwks(self) -> dict[str, Any]:
        """Every public key a live access token may be signed with."""
        horizon = utcnow() - timedelta(minutes=self.settings.access_token_minutes)
        keys = await self.repo.signing_keys(horizon)
        return {"keys": [k.public_jwk for k in keys]}

    async def rotate_keys(self) -> str:
        """Start signing with a new key; the old ones stay published until their tokens expire."""
        now = utcnow()
        for key in await self.repo.signing_keys(now):
            key.sign_until = now
        key = self._new_signing_key(now)
        await self.repo.flush()
        self.c.keys.forget()
        return key.kid

    # Internals

    def _check_policy(self, password: str, *, email: str, name: str) -> None:
        problems = policy_problems(password, email=email, name=name)
        if problems:
            raise WeakPassword(
                "The password " + "; ".join(problems) + ".",
                details=[{"loc": ["password"], "msg": p} for p in problems],
            )

    @staticmethod
    def _check_can_sign_in(user: User) -> None:
        if user.status != "active":
            raise AccountSuspended
        if user.email_verified_at is None:
            raise EmailNotVerified

    async def _user(self, principal: Principal) -> User:
        user = await self.repo.user(principal.user_id)
        if user is None:
            raise InvalidCredentials
        return user

    async def _set_password(self, user: User, password: str) -> None:
        now = utcnow()
        user.password_hash = await self.c.hasher.hash(password)
        user.password_changed_at = now
        user.updated_at = now

    async def _start_session(self, user: User, method: str, client: ClientInfo) -> TokenPair:
        now = utcnow()
        session = Session(
            id=uuid.uuid4(),
            user_id=user.id,
            method=method,
            ip=client.ip,
            user_agent=(client.user_agent or "")[:400] or None,
            device=describe_device(client.user_agent),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=self.settings.refresh_token_days),
            revoked_at=None,
            revoked_reason=None,
        )
        self.repo.add(session)
        await self.repo.flush()
        await self._audit("login_succeeded", user.id, client, {"method": method})
        return await self._issue(user, session)

    async def _issue(self, user: User, session: Session) -> TokenPair:
        now = utcnow()
        refresh = new_token()
        refresh_ttl = session.expires_at - now
        self.repo.add(
            RefreshToken(
                id=uuid.uuid4(),
                session_id=session.id,
                token_hash=token_hash(refresh),
                created_at=now,
                expires_at=session.expires_at,
                used_at=None,
            )
        )
        access_seconds = self.settings.access_token_minutes * 60
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": str(user.id),
            "sid": str(session.id),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(now.timestamp()) + access_seconds,
            "jti": uuid.uuid4().hex,
            "roles": list(user.roles),
            "tier": user.tier,
        }
        kid, private_key = await self._signing_key(now)
        access = jwt.encode(claims, private_key, algorithm="ES256", headers={"kid": kid})
        await self.repo.flush()
        return TokenPair(
            access_token=access,
            expires_in=access_seconds,
            refresh_token=refresh,
            refresh_expires_in=int(refresh_ttl.total_seconds()),
            session_id=session.id,
        )

    async def _signing_key(self, now: datetime) -> tuple[str, Any]:
        keys = [k for k in await self.repo.signing_keys(now) if k.created_at <= now]
        key = keys[0] if keys else self._new_signing_key(now)
        cached = self.c._private_keys.get(key.kid)
        if cached is None:
            pem = self.c.keyring.decrypt(key.private_key, context=f"signing-key:{key.kid}")
            cached = serialization.load_pem_private_key(pem.encode(), password=None)
            self.c._private_keys[key.kid] = cached
        return key.kid, cached

    def _new_signing_key(self, now: datetime) -> SigningKey:
        private = ec.generate_private_key(ec.SECP256R1())
        kid = uuid.uuid4().hex
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
        jwk.update(kid=kid, alg="ES256", use="sig")
        key = SigningKey(
            kid=kid,
            private_key=self.c.keyring.encrypt(pem, context=f"signing-key:{kid}"),
            public_jwk=jwk,
            created_at=now,
            sign_until=now + timedelta(days=self.settings.signing_key_days),
        )
        self.repo.add(key)
        self.c._private_keys[kid] = private
        return key

    async def _revoke_session(self, session: Session, reason: str, client: ClientInfo) -> None:
        # The revocation list is written first: if the commit then failed, the session would
        # look revoked for a few minutes, which is the safe way to be wrong.
        await self.c.revocations.revoke(session.id)
        session.revoked_at = utcnow()
        session.revoked_reason = reason
        await self._audit(
            "session_revoked",
            session.user_id,
            client,
            {"session_id": str(session.id), "reason": reason},
        )

    async def _revoke_all(
        self, user_id: uuid.UUID, reason: str, client: ClientInfo, *, keep: uuid.UUID | None = None
    ) -> int:
        sessions = [s for s in await self.repo.active_sessions(user_id, utcnow()) if s.id != keep]
        for session in sessions:
            await self.c.revocations.revoke(session.id)
        ids = await self.repo.revoke_sessions(user_id, utcnow(), reason, keep=keep)
        if ids:
            await self._audit(
                "sessions_revoked", user_id, client, {"count": len(ids), "reason": reason}
            )
        return len(ids)

    def _one_time_token(self, user: User, purpose: str, ttl: timedelta) -> str:
        # Bound to the password in force: a reset link dies when the password changes.
        return self.c.keyring.sign(
            {
                "p": purpose,
                "u": str(user.id),
                "j": uuid.uuid4().hex,
                "e": int((utcnow() + ttl).timestamp()),
                "pw": _password_stamp(user),
            }
        )

    def _unsign(self, token: str, purpose: str) -> dict[str, Any]:
        try:
            payload = self.c.keyring.unsign(token)
        except BadSignature as exc:
            raise InvalidLink from exc
        if payload.get("p") != purpose or int(payload.get("e", 0)) <= utcnow().timestamp():
            raise InvalidLink
        return payload

    async def _consume(self, payload: dict[str, Any], purpose: str) -> None:
        expires = datetime.fromtimestamp(int(payload["e"]), UTC)
        user_id = uuid.UUID(str(payload["u"]))
        if not await self.repo.use_token(str(payload["j"]), purpose, user_id, expires, utcnow()):
            raise InvalidLink

    async def _use_token(self, token: str, purpose: str) -> User:
        payload = self._unsign(token, purpose)
        user = await self.repo.user(uuid.UUID(str(payload["u"])))
        if user is None or payload.get("pw") != _password_stamp(user):
            raise InvalidLink
        await self._consume(payload, purpose)
        return user

    async def _mail(self, key: str, to: str, subject: str, text: str) -> None:
        message = EmailMessage(to=to, subject=subject, text=text)
        await once(
            self.c.db, f"mail:{key}", lambda: self.c.mailer.send(message), session=self.repo.session
        )

    async def record_admin_action(
        self,
        actor_id: uuid.UUID,
        action: str,
        target: dict[str, str],
        details: dict[str, Any],
        client: ClientInfo,
    ) -> None:
        """Audit an admin's action on something (a task, an account) under the admin's id;
        an action on an account (`target["type"] == "user"`) is also in that account's trail."""
        if not action or len(action) > AUDIT_EVENT_CHARS:
            msg = f"an audited action is 1 to {AUDIT_EVENT_CHARS} characters: {action!r}"
            raise ValueError(msg)
        subject = _user_target(target)
        await self._audit(
            action,
            actor_id,
            client,
            {**details, "target": target},
            actor_id=actor_id,
            subject_id=subject,
        )

    async def _audit(
        self,
        event: str,
        user_id: uuid.UUID | None,
        client: ClientInfo,
        details: dict[str, Any],
        *,
        actor_id: uuid.UUID | None = None,
        subject_id: uuid.UUID | None = None,
    ) -> None:
        now = utcnow()
        self.repo.add(
            AuditEvent(
                id=uuid.uuid4(),
                at=now,
                user_id=user_id,
                # A security event is about the account it is recorded under.
                actor_id=actor_id,
                subject_id=subject_id if actor_id is not None else user_id,
                event=event,
                ip=client.ip,
                user_agent=(client.user_agent or "")[:400] or None,
                details=details,
            )
        )
        await publish(
            self.repo.session, SecurityEventRecorded(user_id=user_id, event=event, at=now)
        )

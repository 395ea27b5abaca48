"""Settings of the auth service (`JOBPILOT_AUTH__*`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class OAuthProviderSettings(BaseModel):
    """One OAuth / OpenID Connect provider; endpoints are settings so tests can use a local one."""

    kind: Literal["github", "oidc"]
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    authorize_url: str
    token_url: str
    userinfo_url: str
    # GitHub only: where the account's email addresses and their verification state are listed.
    emails_url: str | None = None
    # OpenID Connect only: who signs the ID token and where its keys are.
    issuer: str | None = None
    jwks_url: str | None = None
    scopes: list[str] = Field(default_factory=list)

    @property
    def enabled(self) -> bool:
        """Whether sign-in with this provider is configured."""
        return bool(self.client_id and self.client_secret.get_secret_value())


def _github() -> OAuthProviderSettings:
    return OAuthProviderSettings(
        kind="github",
        authorize_url="https://github.com/login/oauth/authorize",
        token_url="https://github.com/login/oauth/access_token",  # noqa: S106 - a URL
        userinfo_url="https://api.github.com/user",
        emails_url="https://api.github.com/user/emails",
        scopes=["read:user", "user:email"],
    )


def _linkedin() -> OAuthProviderSettings:
    return OAuthProviderSettings(
        kind="oidc",
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",  # noqa: S106 - a URL
        userinfo_url="https://api.linkedin.com/v2/userinfo",
        issuer="https://www.linkedin.com/oauth",
        jwks_url="https://www.linkedin.com/oauth/openid/jwks",
        scopes=["openid", "profile", "email"],
    )


class Argon2Settings(BaseModel):
    """argon2id cost; the defaults are OWASP's (19 MiB, 2 passes, 1 lane)."""

    time_cost: int = Field(default=2, ge=1, le=20)
    memory_cost_kib: int = Field(default=19_456, ge=8, le=4_194_304)
    parallelism: int = Field(default=1, ge=1, le=16)


class ThrottleSettings(BaseModel):
    """Brute-force protection of the login."""

    free_failures: int = Field(default=5, ge=1, le=100)
    max_delay_seconds: int = Field(default=900, ge=1, le=86_400)
    # ASVS 5.0 (V6, authentication): no more than 100 failed attempts per hour on one account.
    lock_after_failures: int = Field(default=100, ge=1, le=100)
    window_seconds: int = Field(default=3600, ge=60, le=86_400)
    ip_failures_per_window: int = Field(default=300, ge=1)


class AuthSettings(BaseModel):
    """Accounts, tokens, sessions and sign-in providers."""

    issuer: str = "jobpilot"
    audience: str = "jobpilot-api"
    # The public address users reach, used in emailed links and OAuth redirects.
    public_url: str = "http://127.0.0.1:8080"
    # Encrypts signing keys and TOTP secrets and signs emailed links. Empty in embedded mode
    # means: generate one and keep it in `<data_dir>/secret.key`.
    secret_key: SecretStr = SecretStr("")
    access_token_minutes: int = Field(default=15, ge=1, le=15)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    signing_key_days: int = Field(default=30, ge=1, le=365)
    email_link_hours: int = Field(default=24, ge=1, le=168)
    reset_link_minutes: int = Field(default=30, ge=5, le=1440)
    mfa_token_minutes: int = Field(default=5, ge=1, le=30)
    # URL that receives the JWKS in split mode; empty means read keys from the database.
    jwks_url: str = ""
    argon2: Argon2Settings = Field(default_factory=Argon2Settings)
    throttle: ThrottleSettings = Field(default_factory=ThrottleSettings)
    github: OAuthProviderSettings = Field(default_factory=_github)
    linkedin: OAuthProviderSettings = Field(default_factory=_linkedin)

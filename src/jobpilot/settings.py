"""Every setting of the platform, read from `JOBPILOT_*` variables and `.env`.

Nested sections are set with a double underscore: `JOBPILOT_DATABASE__URL`,
`JOBPILOT_TASKS__LEASE_SECONDS`. Only `wiring.py` turns these values into adapters.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jobpilot.admin.config import AdminSettings
from jobpilot.ai.config import AiSettings
from jobpilot.applications.config import ApplicationsSettings
from jobpilot.auth.config import AuthSettings
from jobpilot.gateway.config import GatewaySettings
from jobpilot.jobs.config import JobsSettings
from jobpilot.users.config import UsersSettings

ENV_PREFIX = "JOBPILOT_"
NESTED_DELIMITER = "__"


class Profile(StrEnum):
    """How the platform runs: one process on SQLite, services on PostgreSQL, or under test."""

    EMBEDDED = "embedded"
    DISTRIBUTED = "distributed"
    TEST = "test"


class DatabaseSettings(BaseModel):
    """Where the data lives. Empty `url` means SQLite at `<data_dir>/jobpilot.sqlite3`."""

    url: str | None = None
    echo: bool = False
    pool_size: int = Field(default=10, ge=1, le=200)
    busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)

    @field_validator("url")
    @classmethod
    def _known_dialect(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme.startswith("sqlite"):
            return value
        if scheme in {"postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg"}:
            rest = value.split("://", 1)[1]
            return f"postgresql+asyncpg://{rest}"
        msg = "must be a sqlite:// or postgresql:// URL"
        raise ValueError(msg)


class RedisSettings(BaseModel):
    """Redis for caches and rate limits at scale. Empty means in-process stores."""

    url: str | None = None

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            msg = "must be a redis://, rediss:// or unix:// URL"
            raise ValueError(msg)
        return value


class HttpSettings(BaseModel):
    """The HTTP edge of every process."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8080"])
    # Room for a 10 MB upload and its multipart framing.
    max_body_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)


class TaskSettings(BaseModel):
    """The durable task queue and its workers."""

    embedded_worker: bool = True
    concurrency: int = Field(default=4, ge=1, le=64)
    lease_seconds: float = Field(default=30.0, gt=0, le=60)
    poll_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    max_attempts: int = Field(default=5, ge=1, le=100)
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=600.0, gt=0)
    outbox_batch: int = Field(default=100, ge=1, le=10_000)
    # Succeeded tasks and relayed events are deleted after this many days; dead ones are kept.
    retention_days: int = Field(default=7, ge=1, le=3650)


class ObservabilitySettings(BaseModel):
    """Logs, metrics and traces."""

    log_level: str = "INFO"
    log_json: bool = True
    otlp_endpoint: str | None = None
    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            msg = "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
            raise ValueError(msg)
        return upper


class MailSettings(BaseModel):
    """Outgoing email: a mailbox in the database (embedded) or an SMTP server."""

    backend: Literal["devbox", "smtp"] = "devbox"
    from_address: str = "JobPilot <no-reply@jobpilot.localhost>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    # "starttls" upgrades a plain connection, "tls" connects over TLS, "none" sends in clear
    # (only sensible for a relay on the same host).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class BlobSettings(BaseModel):
    """Where files (avatars, exports) are kept."""

    backend: Literal["local", "s3"] = "local"
    # Empty means `<data_dir>/blobs`.
    local_dir: Path | None = None
    s3_endpoint_url: str = ""
    s3_bucket: str = "jobpilot"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")


class SandboxSettings(BaseModel):
    """The ATS sandbox: local stand-ins of ATS job boards and application forms, served by
    this process under `path` for the offline demo (`make run`). Point
    `JOBPILOT_JOBS__ATS_PROXY_URL` at it to send every ATS request there."""

    enabled: bool = False
    path: str = Field(default="/sandbox", pattern=r"^/[a-z0-9_-]+$")
    # The captured ATS payloads (`shared/fixtures/ats`); without them built-in forms are used.
    fixtures_dir: Path | None = None


class Settings(BaseSettings):
    """All configuration of one JobPilot process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    profile: Profile = Profile.EMBEDDED
    # Comma-separated services this process serves; empty serves every one.
    services: str = ""
    data_dir: Path = Path("./var")
    # Spelled out so that JOBPILOT_OTLP_ENDPOINT works as documented.
    otlp_endpoint: str | None = None
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    blobs: BlobSettings = Field(default_factory=BlobSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    users: UsersSettings = Field(default_factory=UsersSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)
    ai: AiSettings = Field(default_factory=AiSettings)
    applications: ApplicationsSettings = Field(default_factory=ApplicationsSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.otlp_endpoint and not self.observability.otlp_endpoint:
            self.observability.otlp_endpoint = self.otlp_endpoint
        if self.profile is Profile.DISTRIBUTED:
            if not self.database.url or not self.database.url.startswith("postgresql"):
                msg = "database.url: the distributed profile needs a postgresql:// database URL"
                raise ValueError(msg)
            if not self.redis.url:
                msg = "redis.url: the distributed profile needs a Redis URL"
                raise ValueError(msg)
            if not self.auth.secret_key.get_secret_value():
                msg = "auth.secret_key: the distributed profile needs a secret key (32+ chars)"
                raise ValueError(msg)
            if self.mail.backend != "smtp":
                msg = "mail.backend: the distributed profile sends mail over smtp"
                raise ValueError(msg)
        return self

    @property
    def database_url(self) -> str:
        """The SQLAlchemy async URL in force (SQLite under the data dir by default)."""
        if self.database.url:
            if self.database.url.startswith("sqlite") and "+aiosqlite" not in self.database.url:
                return self.database.url.replace("sqlite", "sqlite+aiosqlite", 1)
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'jobpilot.sqlite3').resolve()}"

    @property
    def service_list(self) -> list[str]:
        """The services named by `services`, in order."""
        return [s.strip() for s in self.services.split(",") if s.strip()]

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return self.database_url.startswith("sqlite")


class SettingsError(Exception):
    """Configuration that cannot start the platform, with the variables to fix."""


def env_name(loc: tuple[int | str, ...]) -> str:
    """The environment variable that sets the field at `loc`."""
    return ENV_PREFIX + NESTED_DELIMITER.join(str(part).upper() for part in loc)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment, failing with a message that names each bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            if not loc and ":" in message:
                field, _, message = message.partition(":")
                loc = tuple(field.strip().split("."))
            name = env_name(loc) if loc else "settings"
            # The offending value is not echoed: it may be a password or a key.
            lines.append(f"{name}: {message.strip()}")
        raise SettingsError("Invalid configuration:\n  " + "\n  ".join(lines)) from None

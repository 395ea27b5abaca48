"""The one place where settings become adapters (DESIGN.md §3.3)."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
from opentelemetry.sdk.trace import TracerProvider

from jobpilot import __version__, registry
from jobpilot.adapters.blob_local import LocalBlobStore
from jobpilot.adapters.blob_s3 import S3BlobStore
from jobpilot.adapters.browser_playwright import PlaywrightBrowserPool
from jobpilot.adapters.cache_memory import MemoryCache
from jobpilot.adapters.cache_redis import RedisCache
from jobpilot.adapters.jwks_http import HttpJwks
from jobpilot.adapters.mail_devbox import DevMailbox
from jobpilot.adapters.mail_smtp import SmtpMailer
from jobpilot.adapters.waker_pg import PgNotifyWaker
from jobpilot.admin.health import ServiceEndpoint, ServiceHealthMonitor
from jobpilot.admin.service.common import AdminComponents
from jobpilot.ai.embeddings import Embedder, LocalEmbedder, OpenAIEmbedder
from jobpilot.ai.providers import ChatModel
from jobpilot.ai.providers.openai_compatible import OpenAIChatModel
from jobpilot.ai.public import AiFacade
from jobpilot.ai.service import AiComponents
from jobpilot.ai.vectors import EmbeddedVectorIndex, PgVectorIndex, VectorIndex
from jobpilot.applications.public import ApplicationsComponents, ApplicationsFacade
from jobpilot.applications.submission import SubmissionComponents
from jobpilot.applications.submitters.base import Submitter
from jobpilot.applications.submitters.browser import BrowserSubmitter
from jobpilot.applications.submitters.recruitee import RecruiteeSubmitter
from jobpilot.applications.submitters.sites import PROFILES
from jobpilot.auth.config import Argon2Settings
from jobpilot.auth.crypto import Keyring
from jobpilot.auth.passwords import Hasher
from jobpilot.auth.public import AuthFacade
from jobpilot.auth.service import AuthComponents
from jobpilot.auth.throttle import LoginThrottle
from jobpilot.gateway.ratelimit import RateLimiter
from jobpilot.jobs.fetch import USER_AGENT, build_ats_http, proxy_rewrite
from jobpilot.jobs.public import JobsFacade
from jobpilot.jobs.service import JobsComponents
from jobpilot.kit import migrate
from jobpilot.kit.authn import CachedKeys, KeySource, Revocations, TokenVerifier
from jobpilot.kit.db import Database
from jobpilot.kit.domain import DomainSpec
from jobpilot.kit.events import relay_outbox
from jobpilot.kit.flags import FeatureFlags
from jobpilot.kit.health import CallableCheck
from jobpilot.kit.housekeeping import PURGE_EVERY, PURGE_TASK
from jobpilot.kit.ports import BlobStore, Cache, HealthCheck, Mailer
from jobpilot.kit.runtime import RuntimeSettings
from jobpilot.kit.schedule import Periodic, schedule_periodic
from jobpilot.kit.tasks import LocalWaker, Waker, Worker, WorkerConfig
from jobpilot.kit.tracing import TracedTransport, setup_tracing
from jobpilot.resumes.public import ResumesFacade
from jobpilot.resumes.service import ResumesComponents
from jobpilot.settings import Profile, Settings
from jobpilot.users.public import SkillsFacade
from jobpilot.users.service import Exporter, UsersComponents
from jobpilot.web.components import WebComponents
from jobpilot.web.signing import WebSigner

# How often a worker offers the periodic tasks to the queue (each is queued once a period).
SCHEDULE_CHECK_SECONDS = 60.0


@dataclass
class Container:
    """The adapters one process runs with."""

    settings: Settings
    db: Database
    cache: Cache
    http: httpx.AsyncClient
    mailer: Mailer
    auth: AuthComponents
    users: UsersComponents
    jobs: JobsComponents
    resumes: ResumesComponents
    applications: ApplicationsComponents
    ai: AiComponents
    verifier: TokenVerifier
    submission: SubmissionComponents
    flags: FeatureFlags
    runtime: RuntimeSettings
    rate_limiter: RateLimiter
    web: WebComponents
    admin: AdminComponents
    health_checks: list[HealthCheck] = field(default_factory=list)
    _closers: list[Any] = field(default_factory=list)

    async def aclose(self) -> None:
        """Release every connection."""
        for close in self._closers:
            await close()
        await self.rate_limiter.aclose()
        await self.http.aclose()
        await self.jobs.http.client.aclose()
        if self.ai.llm is not None:
            await self.ai.llm.aclose()
        await self.cache.close()
        await self.db.dispose()


class _FacadeJwks:
    """Keys read from the database through the auth facade (set once it exists)."""

    facade: AuthFacade | None = None

    async def jwks(self) -> dict[str, Any]:
        assert self.facade is not None
        return await self.facade.jwks()


def secret_key(settings: Settings) -> str:
    """The auth secret: from settings, or generated once and kept in the data dir (0600)."""
    configured = settings.auth.secret_key.get_secret_value()
    if configured:
        return configured
    path = settings.data_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def argon2_params(settings: Settings) -> Argon2Settings:
    """OWASP cost everywhere but the test profile, where hashing must be cheap."""
    if settings.profile is Profile.TEST:
        return Argon2Settings(time_cost=1, memory_cost_kib=64, parallelism=1)
    return settings.auth.argon2


def build_mailer(settings: Settings, db: Database) -> Mailer:
    """SMTP when configured, else the mailbox in the database."""
    if settings.mail.backend == "smtp":
        return SmtpMailer(settings.mail)
    return DevMailbox(db)


def build_blobs(settings: Settings) -> BlobStore:
    """An S3-compatible bucket when configured, else a directory under the data dir."""
    blobs = settings.blobs
    if blobs.backend == "s3":
        return S3BlobStore(
            endpoint_url=blobs.s3_endpoint_url,
            bucket=blobs.s3_bucket,
            region=blobs.s3_region,
            access_key_id=blobs.s3_access_key_id,
            secret_access_key=blobs.s3_secret_access_key.get_secret_value(),
        )
    return LocalBlobStore(blobs.local_dir or settings.data_dir / "blobs")


def build_auth(
    settings: Settings, db: Database, cache: Cache, mailer: Mailer, http: httpx.AsyncClient
) -> tuple[AuthComponents, TokenVerifier]:
    """Everything the auth service and the token verifier of every service need."""
    auth = settings.auth
    serves_auth = not settings.service_list or "auth" in settings.service_list
    local = _FacadeJwks()
    source: KeySource = (
        HttpJwks(auth.jwks_url, http) if auth.jwks_url and not serves_auth else local
    )
    keys = CachedKeys(source)
    # A revoked session stays listed as long as one of its access tokens can live.
    revocations = Revocations(cache, ttl_seconds=auth.access_token_minutes * 60 + 60)
    components = AuthComponents(
        settings=auth,
        db=db,
        hasher=Hasher(argon2_params(settings)),
        keyring=Keyring(secret_key(settings)),
        throttle=LoginThrottle(cache, auth.throttle),
        revocations=revocations,
        keys=keys,
        mailer=mailer,
        http=http,
    )
    local.facade = AuthFacade(components)
    verifier = TokenVerifier(keys, revocations, issuer=auth.issuer, audience=auth.audience)
    return components, verifier


def build_database(settings: Settings) -> Database:
    """The database the settings name (SQLite under the data dir by default)."""
    return Database(
        settings.database_url,
        echo=settings.database.echo,
        pool_size=settings.database.pool_size,
        busy_timeout_ms=settings.database.busy_timeout_ms,
    )


def build_embedder(settings: Settings, http: httpx.AsyncClient) -> Embedder:
    """The local model (no key, no network) unless an OpenAI-compatible endpoint is chosen."""
    ai = settings.ai
    if ai.embedder == "openai":
        return OpenAIEmbedder(
            ai.openai.base_url,
            ai.openai.api_key.get_secret_value() or None,
            ai.openai.model,
            ai.openai.dimension,
            http=http,
            batch_size=ai.openai.batch_size,
        )
    return LocalEmbedder(batch_size=ai.local_batch_size, intra_op_threads=ai.local_threads)


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The language model for writing help; None when the rules write (the default)."""
    llm = settings.ai.llm
    if llm.provider == "openai-compatible":
        return OpenAIChatModel.from_settings(llm)
    return None


def build_vector_index(settings: Settings, db: Database) -> VectorIndex:
    """Exact in-memory search over the database's vectors on SQLite, pgvector on PostgreSQL."""
    if db.dialect == "sqlite":
        return EmbeddedVectorIndex(db)
    return PgVectorIndex(db, ef_search=settings.ai.hnsw_ef_search)


@dataclass
class GatewayContainer:
    """The adapters of a standalone gateway: no database, only tokens and limits."""

    cache: Cache
    http: httpx.AsyncClient
    verifier: TokenVerifier
    rate_limiter: RateLimiter

    async def aclose(self) -> None:
        """Release every connection."""
        await self.rate_limiter.aclose()
        await self.http.aclose()
        await self.cache.close()


def build_rate_limiter(settings: Settings) -> RateLimiter:
    """The edge's limiter: counts in Redis when one is configured, else in this process."""
    gateway = settings.gateway
    storage = gateway.rate_limit_storage or settings.redis.url or "memory"
    return RateLimiter(storage, fault_tolerant=gateway.fault_tolerant)


def embedded_edge(settings: Settings, services: Sequence[str] | None) -> bool:
    """Whether `jobpilot serve` applies the route table itself (see GatewaySettings)."""
    if settings.gateway.embedded_edge is not None:
        return settings.gateway.embedded_edge
    # Tests build the app per case and opt in; a single service sits behind `jobpilot gateway`.
    return not services and settings.profile is not Profile.TEST


def build_gateway(settings: Settings) -> GatewayContainer:
    """Token verification and rate limits for `jobpilot gateway`, from the auth service's keys."""
    auth = settings.auth
    cache = build_cache(settings)
    http = httpx.AsyncClient(
        timeout=5.0, follow_redirects=False, trust_env=False, transport=TracedTransport()
    )
    jwks_url = auth.jwks_url or (
        settings.gateway.upstreams["auth"] + "/api/v1/auth/.well-known/jwks.json"
    )
    # Logouts reach the gateway through the shared cache (Redis in any split deployment).
    revocations = Revocations(cache, ttl_seconds=auth.access_token_minutes * 60 + 60)
    verifier = TokenVerifier(
        CachedKeys(HttpJwks(jwks_url, http)),
        revocations,
        issuer=auth.issuer,
        audience=auth.audience,
    )
    return GatewayContainer(
        cache=cache, http=http, verifier=verifier, rate_limiter=build_rate_limiter(settings)
    )


def build_cache(settings: Settings) -> Cache:
    """Redis when configured, else an in-process cache."""
    if settings.redis.url:
        return RedisCache(settings.redis.url)
    return MemoryCache()


def build_health_monitor(settings: Settings) -> ServiceHealthMonitor:
    """The admin's prober of every service: the route table's services at their upstreams (or
    in-process when this process serves them), and the admin itself."""
    admin = settings.admin
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(
            admin.probe_timeout_seconds, connect=min(1.0, admin.probe_timeout_seconds)
        ),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": f"jobpilot-admin/{__version__}"},
        transport=TracedTransport(),
    )
    upstreams = settings.gateway.upstreams
    endpoints = [
        ServiceEndpoint(route.name, upstreams.get(route.name))
        for route in settings.gateway.routes().services
    ]
    # The admin is the process answering the page (probed in-process there); a route table of
    # one's own may leave it out, and it is listed all the same.
    if not any(endpoint.name == "admin" for endpoint in endpoints):
        endpoints.append(ServiceEndpoint("admin", None))
    return ServiceHealthMonitor(
        endpoints,
        http,
        timeout_seconds=admin.probe_timeout_seconds,
        window_seconds=admin.window_seconds,
        self_url=admin.self_url,
    )


def build_submission(
    settings: Settings,
    *,
    db: Database,
    jobs: JobsFacade,
    resumes: ResumesFacade,
    users: UsersComponents,
    blobs: BlobStore,
    flags: FeatureFlags,
) -> tuple[SubmissionComponents, list[Any]]:
    """The submitters (Recruitee's API, the hosted forms in Chromium) and what the submission
    flow needs; the second item closes what they hold."""
    config = settings.applications
    rewrite = proxy_rewrite(settings.jobs.ats_proxy_url) if settings.jobs.ats_proxy_url else None
    pool = PlaywrightBrowserPool(
        max_contexts=config.browser_contexts,
        allowed_hosts=set(config.browser_allowed_hosts) or None,
    )
    client = httpx.AsyncClient(
        timeout=config.confirmation_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
        transport=TracedTransport(),
    )
    submitters: dict[str, Submitter] = {
        ats: BrowserSubmitter(
            profile, pool, rewrite=rewrite, confirmation_timeout=config.confirmation_timeout_seconds
        )
        for ats, profile in PROFILES.items()
    }
    submitters["recruitee"] = RecruiteeSubmitter(client, rewrite=rewrite)
    components = SubmissionComponents(
        db=db,
        jobs=jobs,
        resumes=resumes,
        users=users,
        blobs=blobs,
        flags=flags,
        settings=config,
        submitters=submitters,
    )
    return components, [pool.close, client.aclose]


def build_container(settings: Settings) -> Container:
    """Every adapter of one process."""
    db = build_database(settings)
    cache = build_cache(settings)
    http = httpx.AsyncClient(timeout=10.0, follow_redirects=False, transport=TracedTransport())
    mailer = build_mailer(settings, db)
    auth, verifier = build_auth(settings, db, cache, mailer, http)
    accounts = AuthFacade(auth)
    blobs = build_blobs(settings)
    # Every process reads the same overrides from the shared database (ADR 0010).
    runtime = RuntimeSettings(db, registry.runtime_settings(settings))
    exporters: dict[str, Exporter] = {"auth": accounts.export_user}
    users = UsersComponents(
        settings=settings.users,
        blobs=blobs,
        accounts=accounts,
        runtime=runtime,
        exporters=exporters,
    )
    jobs = JobsComponents(
        settings=settings.jobs,
        http=build_ats_http(settings.jobs),
        users=users,
        runtime=runtime,
    )
    resumes = ResumesComponents(blobs=blobs, users=users)
    jobs_facade = JobsFacade(db, jobs.http, settings.jobs)
    resumes_facade = ResumesFacade(db, resumes)
    ai = AiComponents(
        settings=settings.ai,
        embedder=build_embedder(settings, http),
        vectors=build_vector_index(settings, db),
        jobs=jobs_facade,
        resumes=resumes_facade,
        skills=SkillsFacade(),
        db=db,
        users=users,
        llm=build_chat_model(settings),
    )
    ai_facade = AiFacade(ai)
    applications = ApplicationsComponents(
        jobs=jobs_facade, resumes=resumes_facade, users=users, ai=ai_facade, db=db
    )
    applications_facade = ApplicationsFacade(db, applications)
    flags = FeatureFlags(db)
    submission, closers = build_submission(
        settings,
        db=db,
        jobs=jobs_facade,
        resumes=resumes_facade,
        users=users,
        blobs=blobs,
        flags=flags,
    )
    # Matching leaves out what the user applied to; the facade exists only now.
    ai.applied = applications_facade.applied
    exporters["jobs"] = jobs_facade.export_user
    exporters["resumes"] = resumes_facade.export_user
    exporters["applications"] = applications_facade.export_user
    checks: list[HealthCheck] = [
        CallableCheck("database", db.ping),
        CallableCheck("schema", partial(migrate.check_current, db)),
    ]
    if settings.redis.url:
        checks.append(CallableCheck("redis", cache.ping))
    health = build_health_monitor(settings)
    closers.append(health.http.aclose)
    return Container(
        settings=settings,
        db=db,
        cache=cache,
        http=http,
        mailer=mailer,
        auth=auth,
        users=users,
        jobs=jobs,
        resumes=resumes,
        applications=applications,
        ai=ai,
        verifier=verifier,
        submission=submission,
        flags=flags,
        runtime=runtime,
        rate_limiter=build_rate_limiter(settings),
        web=WebComponents(
            accounts=accounts,
            signer=WebSigner(secret_key(settings)),
            public_url=settings.auth.public_url,
            runtime=runtime,
        ),
        admin=AdminComponents(
            accounts=accounts,
            applications=applications_facade,
            db=db,
            health=health,
            settings=settings.admin,
            ai=ai_facade,
            jobs=jobs_facade,
            flags=flags,
            runtime=runtime,
            users=users,
        ),
        health_checks=checks,
        _closers=closers,
    )


def build_tracer_provider(settings: Settings, service_name: str) -> TracerProvider | None:
    """OTLP trace export when an endpoint is set; None (tracing off) otherwise."""
    observability = settings.observability
    return setup_tracing(
        service_name, observability.otlp_endpoint, observability.trace_sample_ratio
    )


def build_waker(settings: Settings) -> Waker:
    """LISTEN/NOTIFY on PostgreSQL, in-process wake-ups on SQLite."""
    if settings.is_sqlite:
        return LocalWaker()
    return PgNotifyWaker(settings.database_url)


def build_worker(
    container: Container, selected: Sequence[DomainSpec], *, concurrency: int | None = None
) -> Worker:
    """A task worker for the selected domains that also relays the outbox."""
    task_settings = container.settings.tasks
    subscriptions = registry.subscriptions()
    periodics = [
        Periodic(PURGE_TASK, PURGE_EVERY, {"retention_days": task_settings.retention_days}),
        *(p for domain in selected for p in domain.periodic),
    ]
    next_schedule = 0.0

    async def before_claim() -> None:
        nonlocal next_schedule
        await relay_outbox(container.db, subscriptions, batch=task_settings.outbox_batch)
        if time.monotonic() >= next_schedule:
            await schedule_periodic(container.db, periodics)
            next_schedule = time.monotonic() + SCHEDULE_CHECK_SECONDS

    config = WorkerConfig(
        concurrency=concurrency or task_settings.concurrency,
        lease_seconds=task_settings.lease_seconds,
        poll_interval_seconds=task_settings.poll_interval_seconds,
        max_attempts=task_settings.max_attempts,
        backoff_base_seconds=task_settings.backoff_base_seconds,
        backoff_max_seconds=task_settings.backoff_max_seconds,
    )
    return Worker(
        container.db,
        registry.task_registry(selected),
        config,
        waker=build_waker(container.settings),
        resources=container,
        before_claim=before_claim,
    )

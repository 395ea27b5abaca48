"""The one place where settings become adapters (DESIGN.md §3.3)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from opentelemetry.sdk.trace import TracerProvider

from jobpilot import registry
from jobpilot.adapters.cache_memory import MemoryCache
from jobpilot.adapters.cache_redis import RedisCache
from jobpilot.adapters.waker_pg import PgNotifyWaker
from jobpilot.kit import migrate
from jobpilot.kit.db import Database
from jobpilot.kit.domain import DomainSpec
from jobpilot.kit.events import relay_outbox
from jobpilot.kit.health import CallableCheck
from jobpilot.kit.housekeeping import schedule_purge
from jobpilot.kit.ports import Cache, HealthCheck
from jobpilot.kit.tasks import LocalWaker, Waker, Worker, WorkerConfig
from jobpilot.kit.tracing import setup_tracing
from jobpilot.settings import Settings

PURGE_CHECK_SECONDS = 600.0


@dataclass
class Container:
    """The adapters one process runs with."""

    settings: Settings
    db: Database
    cache: Cache
    health_checks: list[HealthCheck] = field(default_factory=list)

    async def aclose(self) -> None:
        """Release every connection."""
        await self.cache.close()
        await self.db.dispose()


def build_database(settings: Settings) -> Database:
    """The database the settings name (SQLite under the data dir by default)."""
    return Database(
        settings.database_url,
        echo=settings.database.echo,
        pool_size=settings.database.pool_size,
        busy_timeout_ms=settings.database.busy_timeout_ms,
    )


def build_cache(settings: Settings) -> Cache:
    """Redis when configured, else an in-process cache."""
    if settings.redis.url:
        return RedisCache(settings.redis.url)
    return MemoryCache()


def build_container(settings: Settings) -> Container:
    """Every adapter of one process."""
    db = build_database(settings)
    cache = build_cache(settings)
    checks: list[HealthCheck] = [
        CallableCheck("database", db.ping),
        CallableCheck("schema", partial(migrate.check_current, db)),
    ]
    if settings.redis.url:
        checks.append(CallableCheck("redis", cache.ping))
    return Container(settings=settings, db=db, cache=cache, health_checks=checks)


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
    next_purge = 0.0

    async def before_claim() -> None:
        nonlocal next_purge
        await relay_outbox(container.db, subscriptions, batch=task_settings.outbox_batch)
        if time.monotonic() >= next_purge:
            await schedule_purge(container.db, task_settings.retention_days)
            next_purge = time.monotonic() + PURGE_CHECK_SECONDS

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

"""What a domain declares so that the platform can mount, migrate, seed and run it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.kit.events import Subscriptions
from jobpilot.kit.schedule import Periodic
from jobpilot.kit.tasks import TaskRegistry

Seeder = Callable[[AsyncSession], Awaitable[str]]


@dataclass(frozen=True)
class DomainSpec:
    """One domain: the service it belongs to, its routes and pages, tasks, handlers, tables and
    demo data."""

    name: str
    service: str
    port: int
    prefixes: tuple[str, ...]
    description: str
    router: APIRouter
    # HTML pages (jobpilot.web), mounted with the web foundation when the service runs.
    pages: APIRouter | None = None
    tasks: TaskRegistry = field(default_factory=TaskRegistry)
    subscriptions: Subscriptions = field(default_factory=Subscriptions)
    models: str | None = None
    seed: Seeder | None = None
    periodic: tuple[Periodic, ...] = ()

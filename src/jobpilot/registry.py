"""The list of domains: which service each belongs to, its routes, tasks, handlers and tables."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache
from typing import Any

from jobpilot.admin.api import router as admin_router
from jobpilot.admin.web import router as admin_pages
from jobpilot.ai.api import router as ai_router
from jobpilot.ai.tasks import periodic as ai_periodic
from jobpilot.ai.tasks import subscriptions as ai_subscriptions
from jobpilot.ai.tasks import tasks as ai_tasks
from jobpilot.analytics.api import router as analytics_router
from jobpilot.applications.api import router as applications_router
from jobpilot.applications.tasks import periodic as applications_periodic
from jobpilot.applications.tasks import subscriptions as applications_subscriptions
from jobpilot.applications.tasks import tasks as applications_tasks
from jobpilot.auth.api import router as auth_router
from jobpilot.auth.tasks import periodic as auth_periodic
from jobpilot.auth.tasks import subscriptions as auth_subscriptions
from jobpilot.auth.tasks import tasks as auth_tasks
from jobpilot.jobs import runtime as jobs_runtime
from jobpilot.jobs.api import router as jobs_router
from jobpilot.jobs.seed import seed_demo as seed_jobs
from jobpilot.jobs.tasks import periodic as jobs_periodic
from jobpilot.jobs.tasks import subscriptions as jobs_subscriptions
from jobpilot.jobs.tasks import tasks as jobs_tasks
from jobpilot.kit import housekeeping
from jobpilot.kit.domain import DomainSpec
from jobpilot.kit.events import Subscriptions
from jobpilot.kit.runtime import RuntimeSetting
from jobpilot.kit.tasks import TaskRegistry
from jobpilot.notifications.api import router as notifications_router
from jobpilot.resumes.api import router as resumes_router
from jobpilot.resumes.tasks import subscriptions as resumes_subscriptions
from jobpilot.resumes.tasks import tasks as resumes_tasks
from jobpilot.settings import Settings
from jobpilot.users import runtime as users_runtime
from jobpilot.users.api import router as users_router
from jobpilot.users.tasks import tasks as users_tasks
from jobpilot.web import runtime as web_runtime

# Tables every process needs: the task queue, the outbox, the side-effect keys, feature flags,
# the dev mailbox.
KIT_MODELS = (
    "jobpilot.kit.tasks",
    "jobpilot.kit.events",
    "jobpilot.kit.idempotency",
    "jobpilot.kit.flags",
    "jobpilot.kit.runtime",
    "jobpilot.adapters.mail_devbox",
)


@cache
def domains() -> tuple[DomainSpec, ...]:
    """Every domain, in the order their routes are mounted."""
    return (
        DomainSpec(
            name="auth",
            service="auth",
            port=3001,
            prefixes=("/api/v1/auth",),
            description="Accounts, sign-in, two-factor, sessions and tokens.",
            router=auth_router,
            tasks=auth_tasks,
            subscriptions=auth_subscriptions,
            models="jobpilot.auth.models",
            periodic=auth_periodic,
        ),
        DomainSpec(
            name="users",
            service="users",
            port=3002,
            prefixes=("/api/v1/users", "/api/v1/profiles"),
            description="Profiles, skills, subscription tiers and avatars.",
            router=users_router,
            tasks=users_tasks,
            models="jobpilot.users.models",
        ),
        DomainSpec(
            name="resumes",
            service="resumes",
            port=3003,
            prefixes=("/api/v1/resumes",),
            description="Resume import, versions, templates and export.",
            router=resumes_router,
            tasks=resumes_tasks,
            subscriptions=resumes_subscriptions,
            models="jobpilot.resumes.models",
        ),
        DomainSpec(
            name="jobs",
            service="jobs",
            port=3004,
            prefixes=("/api/v1/jobs", "/api/v1/companies"),
            description="Job postings from ATS boards, companies and search.",
            router=jobs_router,
            tasks=jobs_tasks,
            subscriptions=jobs_subscriptions,
            models="jobpilot.jobs.models",
            seed=seed_jobs,
            periodic=jobs_periodic,
        ),
        DomainSpec(
            name="applications",
            service="auto-apply",
            port=3005,
            prefixes=("/api/v1/applications", "/api/v1/auto-apply"),
            description="Application tracking, auto-apply rules and submission workers.",
            router=applications_router,
            tasks=applications_tasks,
            subscriptions=applications_subscriptions,
            models="jobpilot.applications.models",
            periodic=applications_periodic,
        ),
        DomainSpec(
            name="analytics",
            service="analytics",
            port=3006,
            prefixes=("/api/v1/analytics",),
            description="Figures about the job search and the platform.",
            router=analytics_router,
        ),
        DomainSpec(
            name="notifications",
            service="notifications",
            port=3007,
            prefixes=("/api/v1/notifications",),
            description="Email, push and in-app messages.",
            router=notifications_router,
        ),
        DomainSpec(
            name="ai",
            service="ai",
            port=8000,
            prefixes=("/api/v1/ai",),
            description="Embeddings, matching and grounded LLM help.",
            router=ai_router,
            tasks=ai_tasks,
            subscriptions=ai_subscriptions,
            models="jobpilot.ai.models",
            periodic=ai_periodic,
        ),
        DomainSpec(
            name="admin",
            service="admin",
            port=3008,
            prefixes=("/api/admin",),
            description="Operating the platform.",
            router=admin_router,
            pages=admin_pages,
        ),
    )


def service_names() -> tuple[str, ...]:
    """The names of every service, in mount order."""
    return tuple(d.service for d in domains())


class UnknownService(ValueError):
    """A service name that no domain has."""


def select(services: Iterable[str] | None) -> tuple[DomainSpec, ...]:
    """The domains of `services` (every domain when None)."""
    if services is None:
        return domains()
    wanted = set(services)
    unknown = wanted - set(service_names())
    if unknown:
        msg = (
            f"unknown service(s): {', '.join(sorted(unknown))}; "
            f"choose from {', '.join(service_names())}"
        )
        raise UnknownService(msg)
    return tuple(d for d in domains() if d.service in wanted)


def page_prefixes(service: str) -> tuple[str, ...]:
    """The path prefixes of the pages `service` serves (none when it has no pages)."""
    from jobpilot.web.mount import page_prefixes as mounted

    routers = [d.pages for d in domains() if d.service == service and d.pages is not None]
    return mounted(routers) if routers else ()


def service_for_path(path: str) -> str | None:
    """The service whose prefix `path` falls under."""
    for domain in domains():
        for prefix in domain.prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                return domain.service
    return None


def task_registry(selected: Iterable[DomainSpec]) -> TaskRegistry:
    """The tasks (and event handlers) of the selected domains, and the queue's housekeeping."""
    return housekeeping.tasks.merge(d.tasks for d in selected)


def subscriptions() -> Subscriptions:
    """Every event subscription of every domain (the relay serves them all)."""
    merged = Subscriptions()
    for domain in domains():
        merged.merge(domain.subscriptions)
    return merged


def import_models() -> None:
    """Import every module that declares tables, so the metadata knows them all."""
    for module in (*KIT_MODELS, *(d.models for d in domains() if d.models)):
        importlib.import_module(module)


def runtime_settings(settings: Settings) -> list[RuntimeSetting[Any]]:
    """Every runtime setting admins may change while the platform runs, each domain's (and the
    pages') in turn, with the static settings as their defaults."""
    return [
        *jobs_runtime.runtime_settings(settings.jobs),
        *users_runtime.runtime_settings(settings.users),
        *web_runtime.runtime_settings(),
    ]

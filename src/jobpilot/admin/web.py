"""The admin area's pages (`/admin`): for users with the admin role only."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Depends, Request
from starlette.responses import Response

from jobpilot.admin.deps import AdminServiceDep, AdminSettingsDep, ThisProcessDep
from jobpilot.admin.errors import DeadTaskNotFound
from jobpilot.admin.service import Actor, AdminService
from jobpilot.kit.clock import utcnow
from jobpilot.web.flash import Flash, Level, flash
from jobpilot.web.routing import page_router
from jobpilot.web.session import BrowserUser, client_of, require_page_role
from jobpilot.web.templating import Pages, is_fragment_request, redirect

pages = Pages("jobpilot.admin")
router = page_router(prefix="/admin")

AdminUser = Annotated[BrowserUser, Depends(require_page_role("admin"))]

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
NO_VALUE = "\u2013"  # an en dash


def human_duration(seconds: float | None) -> str:
    """`42 s`, `5 min 12 s`, `3 h 20 min`, `4 d 2 h`; a dash when unknown."""
    if seconds is None:
        return NO_VALUE
    whole = int(seconds)
    if whole < _MINUTE:
        return f"{whole} s"
    if whole < _HOUR:
        minutes, rest = divmod(whole, _MINUTE)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if whole < _DAY:
        hours, rest = divmod(whole, _HOUR)
        return f"{hours} h {rest // _MINUTE} min"
    days, rest = divmod(whole, _DAY)
    return f"{days} d {rest // _HOUR} h"


def latency(seconds: float | None) -> str:
    """`375 ms`, `2.50 s`; a dash without requests."""
    if seconds is None:
        return NO_VALUE
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else "<1 ms"
    return f"{seconds:.2f} s"


def percent(rate: float | None) -> str:
    """`3.0%`; a dash without requests."""
    if rate is None:
        return NO_VALUE
    return f"{rate:.1%}"


pages.env.filters.update(duration=human_duration, latency=latency, percent=percent)


@router.get("")
async def home(request: Request, user: AdminUser, service: AdminServiceDep) -> Response:
    """The platform at a glance; an htmx request gets the figures alone (they refresh)."""
    figures = await service.figures(utcnow())
    return pages.render(request, "admin/home.html", {"figures": figures}, fragment="figures")


@router.get("/services")
async def services(
    request: Request,
    user: AdminUser,
    service: AdminServiceDep,
    here: ThisProcessDep,
    settings: AdminSettingsDep,
) -> Response:
    """Every service's health, probed now; htmx polls it for the table alone."""
    report = await service.services_health(here)
    context = {
        "report": report,
        "refresh_seconds": settings.refresh_seconds,
        "window_seconds": settings.window_seconds,
    }
    return pages.render(request, "admin/services.html", context, fragment="services")


TASKS_PATH = "/admin/tasks"


@router.get("/tasks")
async def tasks(request: Request, user: AdminUser, service: AdminServiceDep) -> Response:
    """Queue depth per task name, and the dead letters with Retry and Discard."""
    return await _tasks_page(request, service, [])


async def _tasks_page(request: Request, service: AdminService, notices: list[Flash]) -> Response:
    queue = await service.task_queue()
    context = {"queue": queue, "notices": notices}
    return pages.render(request, "admin/tasks.html", context, fragment="tasks")


@router.post("/tasks/{task_id}/retry")
async def retry_task(
    request: Request, task_id: uuid.UUID, user: AdminUser, service: AdminServiceDep
) -> Response:
    """Queue a dead task again (audited); htmx gets the refreshed tables, a form a redirect."""
    return await _act(request, user, service, task_id, "retry")


@router.post("/tasks/{task_id}/discard")
async def discard_task(
    request: Request, task_id: uuid.UUID, user: AdminUser, service: AdminServiceDep
) -> Response:
    """Delete a dead task for good (audited); htmx gets the refreshed tables, a form a redirect."""
    return await _act(request, user, service, task_id, "discard")


async def _act(
    request: Request,
    user: BrowserUser,
    service: AdminService,
    task_id: uuid.UUID,
    action: Literal["retry", "discard"],
) -> Response:
    ip, user_agent = client_of(request)
    actor = Actor(user.principal.user_id, ip, user_agent)
    level: Level = "success"
    try:
        if action == "retry":
            letter = await service.retry_task(actor, task_id)
            message = f"Task {letter.name} ({letter.id}) is queued again."
        else:
            letter = await service.discard_task(actor, task_id)
            message = f"Task {letter.name} ({letter.id}) is discarded: it will never run."
    except DeadTaskNotFound:
        level = "error"
        message = f"Task {task_id} was not found or is not dead (nothing was changed)."
    if is_fragment_request(request):
        return await _tasks_page(request, service, [Flash(level, message)])
    flash(request, message, level)
    return redirect(TASKS_PATH)

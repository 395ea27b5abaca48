"""The admin home, the Services page and the Tasks page."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request
from starlette.responses import Response

from jobpilot.admin.deps import AdminServiceDep, AdminSettingsDep, ThisProcessDep
from jobpilot.admin.errors import DeadTaskNotFound
from jobpilot.admin.service import AdminService
from jobpilot.admin.web.common import AdminUser, actor_of, pages
from jobpilot.kit.clock import utcnow
from jobpilot.web.flash import Flash, Level, flash
from jobpilot.web.session import BrowserUser
from jobpilot.web.templating import is_fragment_request, redirect

router = APIRouter(prefix="/admin")


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
    actor = actor_of(request, user)
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

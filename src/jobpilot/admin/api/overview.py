"""Service health and the task queue, as JSON."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from jobpilot.admin.api.common import actor_of
from jobpilot.admin.deps import AdminServiceDep, ThisProcessDep
from jobpilot.admin.schemas import (
    DeadLetterRead,
    ServicesHealthRead,
    TaskActionRead,
    TaskQueueRead,
)
from jobpilot.kit.authn import CurrentUser

router = APIRouter()


@router.get("/services/health", summary="Health of every service")
async def services_health(service: AdminServiceDep, here: ThisProcessDep) -> ServicesHealthRead:
    """Probe every service's `/readyz` and `/metrics` now: status, uptime, p95 latency and
    error rate over recent traffic."""
    report = await service.services_health(here)
    return ServicesHealthRead.model_validate(report)


_NOT_DEAD: dict[int | str, dict[str, Any]] = {
    404: {"description": "No dead task has this id (not found, or not dead)."}
}


@router.get("/tasks", summary="The task queue and its dead letters")
async def tasks(service: AdminServiceDep) -> TaskQueueRead:
    """Ready, scheduled, running and dead tasks per task name, and the newest dead letters."""
    return TaskQueueRead.model_validate(await service.task_queue())


@router.post("/tasks/{task_id}/retry", summary="Retry a dead task", responses=_NOT_DEAD)
async def retry_task(
    task_id: uuid.UUID, request: Request, principal: CurrentUser, service: AdminServiceDep
) -> TaskActionRead:
    """Queue a dead task again, due now, with a fresh retry budget (audited as `task.retry`)."""
    letter = await service.retry_task(actor_of(request, principal), task_id)
    return TaskActionRead(action="retried", task=DeadLetterRead.model_validate(letter))


@router.delete(
    "/tasks/{task_id}", summary="Discard a dead task", status_code=204, responses=_NOT_DEAD
)
async def discard_task(
    task_id: uuid.UUID, request: Request, principal: CurrentUser, service: AdminServiceDep
) -> Response:
    """Delete a dead task so that it never runs (audited as `task.discard`); only dead tasks
    can be discarded."""
    await service.discard_task(actor_of(request, principal), task_id)
    return Response(status_code=204)

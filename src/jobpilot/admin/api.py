"""The admin service's JSON routes (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jobpilot.admin.deps import AdminServiceDep, ThisProcessDep
from jobpilot.admin.schemas import ServicesHealthRead
from jobpilot.kit.authn import require_role

router = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    dependencies=[Depends(require_role("admin"))],
    responses={
        401: {"description": "No valid access token."},
        403: {"description": "The caller does not hold the admin role."},
    },
)


@router.get("/services/health", summary="Health of every service")
async def services_health(service: AdminServiceDep, here: ThisProcessDep) -> ServicesHealthRead:
    """Probe every service's `/readyz` and `/metrics` now: status, uptime, p95 latency and
    error rate over recent traffic."""
    report = await service.services_health(here)
    return ServicesHealthRead.model_validate(report)

"""The admin-wide audit log as JSON (`/api/admin/audit`): what admins did."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jobpilot.admin.deps import AuditLogDep
from jobpilot.admin.schemas import AuditEventRead, AuditPageRead
from jobpilot.admin.service.audit import PAGE_SIZE, AuditFilters

router = APIRouter()


@router.get("/audit", summary="What admins did")
async def admin_audit(
    log: AuditLogDep,
    action: Annotated[
        str | None,
        Query(max_length=100, description="The action's name starts with this: `user.`."),
    ] = None,
    actor: Annotated[
        str | None, Query(max_length=100, description="Part of the acting admin's email.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> AuditPageRead:
    """Every admin's actions (`user.suspend`, `task.retry`, `flag.update`, ...), newest first,
    25 a page, with the acting admin and the target in `details.target`."""
    filters = AuditFilters(
        action=(action or "").strip() or None, actor=(actor or "").strip() or None, page=page
    )
    listing = await log.admin_actions(filters)
    return AuditPageRead(
        items=[AuditEventRead.model_validate(e) for e in listing.result.entries],
        total=listing.result.total,
        page=page,
        page_size=PAGE_SIZE,
        pages=listing.pages,
    )

"""The admin area's pages (`/admin`): for users with the admin role only."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from jobpilot.admin.deps import AdminServiceDep
from jobpilot.kit.clock import utcnow
from jobpilot.web.routing import page_router
from jobpilot.web.session import BrowserUser, require_page_role
from jobpilot.web.templating import Pages

pages = Pages("jobpilot.admin")
router = page_router(prefix="/admin")

AdminUser = Annotated[BrowserUser, Depends(require_page_role("admin"))]


@router.get("")
async def home(request: Request, user: AdminUser, service: AdminServiceDep) -> Response:
    """The platform at a glance; an htmx request gets the figures alone (they refresh)."""
    figures = await service.figures(utcnow())
    return pages.render(request, "admin/home.html", {"figures": figures}, fragment="figures")

"""FastAPI dependencies of the admin pages and API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.admin.service import AdminComponents, AdminService


def admin_service(request: Request) -> AdminService:
    """The admin service (it reads through facades, each call its own unit of work)."""
    components: AdminComponents = request.app.state.container.admin
    return AdminService(components)


AdminServiceDep = Annotated[AdminService, Depends(admin_service)]

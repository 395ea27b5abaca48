"""FastAPI dependencies of the admin pages and API."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from jobpilot.admin.config import AdminSettings
from jobpilot.admin.health import ThisProcess
from jobpilot.admin.service import AdminService
from jobpilot.admin.service.analytics import AnalyticsService
from jobpilot.admin.service.audit import AuditLog
from jobpilot.admin.service.common import AdminComponents
from jobpilot.admin.service.flags import FlagsService
from jobpilot.admin.service.settings import SettingsAdmin
from jobpilot.admin.service.users import UsersAdmin


def _components(request: Request) -> AdminComponents:
    components: AdminComponents = request.app.state.container.admin
    return components


def admin_service(request: Request) -> AdminService:
    """The admin service (it reads through facades, each call its own unit of work)."""
    return AdminService(_components(request))


def analytics_service(request: Request) -> AnalyticsService:
    """The analytics service (it reads through facades, each call its own unit of work)."""
    return AnalyticsService(_components(request))


def settings_admin(request: Request) -> SettingsAdmin:
    """The Settings area's service (runtime settings, each call its own unit of work)."""
    return SettingsAdmin(_components(request))


def admin_settings(request: Request) -> AdminSettings:
    """The admin section of the settings this process runs with."""
    return _components(request).settings


def this_process(request: Request) -> ThisProcess:
    """The services this app serves, and a way to probe them: the app itself, over ASGI."""
    return ThisProcess(
        services=frozenset(request.app.state.services),
        transport=httpx.ASGITransport(app=request.app),
    )


def flags_service(request: Request) -> FlagsService:
    """The Flags area's service (the flags and the audit log, each call its own unit of work)."""
    return FlagsService(_components(request))


AdminServiceDep = Annotated[AdminService, Depends(admin_service)]
AnalyticsServiceDep = Annotated[AnalyticsService, Depends(analytics_service)]
FlagsServiceDep = Annotated[FlagsService, Depends(flags_service)]
AdminSettingsDep = Annotated[AdminSettings, Depends(admin_settings)]
SettingsAdminDep = Annotated[SettingsAdmin, Depends(settings_admin)]
ThisProcessDep = Annotated[ThisProcess, Depends(this_process)]


def users_admin(request: Request) -> UsersAdmin:
    """The admin's Users area (accounts and profiles through their facades)."""
    return UsersAdmin(_components(request))


def audit_log(request: Request) -> AuditLog:
    """The admin-wide audit log."""
    return AuditLog(_components(request))


UsersAdminDep = Annotated[UsersAdmin, Depends(users_admin)]
AuditLogDep = Annotated[AuditLog, Depends(audit_log)]

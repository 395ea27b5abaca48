"""The admin service's JSON routes (`/api/admin`, admins only).

Each area has a module with its own router, gathered here under one router that lets only
callers holding the admin role through.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jobpilot.admin.api import analytics, audit, flags, overview, settings, users
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
router.include_router(overview.router)
router.include_router(analytics.router)
router.include_router(flags.router)
router.include_router(settings.router)
router.include_router(users.router)
router.include_router(audit.router)

"""The admin area's pages (`/admin`): for users with the admin role only.

Each area of the admin is a module with its own router and its own prefix under `/admin`;
they are gathered here under one page router, which marks every request as a page and checks
CSRF on every unsafe one.
"""

from __future__ import annotations

from jobpilot.admin.web import analytics, audit, flags, overview, settings, users
from jobpilot.web.routing import page_router

router = page_router()
router.include_router(overview.router)
router.include_router(analytics.router)
router.include_router(flags.router)
router.include_router(settings.router)
router.include_router(users.router)
router.include_router(audit.router)

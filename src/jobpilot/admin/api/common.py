"""What the admin API's routes share."""

from __future__ import annotations

from fastapi import Request

from jobpilot.admin.service.common import Actor
from jobpilot.kit.authn import Principal


def actor_of(request: Request, principal: Principal) -> Actor:
    """The calling admin and where the request came from (for the audit log)."""
    host = request.client.host if request.client else None
    return Actor(principal.user_id, host, request.headers.get("user-agent"))

"""The Audit page: what admins did, newest first, filtered by action and admin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from jobpilot.admin.deps import AuditLogDep
from jobpilot.admin.service.audit import parse_audit_filters
from jobpilot.admin.web.common import AdminUser, pages
from jobpilot.web.templating import is_fragment_request

AUDIT_PATH = "/admin/audit"
router = APIRouter(prefix=AUDIT_PATH)

DETAIL_CHARS = 300


def details_summary(details: Mapping[str, Any]) -> str:
    """An audit event's details in a line: `free → pro; sessions revoked: 2` (the target has
    its own column)."""
    parts = []
    if "before" in details or "after" in details:
        parts.append(f"{details.get('before', '?')} → {details.get('after', '?')}")
    for key, value in details.items():
        if key in {"before", "after", "target"}:
            continue
        parts.append(f"{key.replace('_', ' ')}: {value}")
    line = "; ".join(parts) or "\u2013"
    return line if len(line) <= DETAIL_CHARS else line[: DETAIL_CHARS - 1] + "\u2026"


# The Users page's audit trail shows details the same way.
pages.env.filters["audit_details"] = details_summary


@router.get("")
async def audit(request: Request, user: AdminUser, log: AuditLogDep) -> Response:
    """Admins' actions, filtered by the GET form; htmx gets the table alone."""
    filters, problems = parse_audit_filters(request.query_params)
    listing = await log.admin_actions(filters)
    context = {"listing": listing, "filters": filters, "problems": problems}
    fragment = is_fragment_request(request)
    status = 422 if problems and not fragment else 200
    return pages.render(
        request,
        "admin/audit.html",
        context,
        fragment="audit",
        status_code=status,
        headers=push_url(AUDIT_PATH, filters.query()) if fragment else None,
    )


def push_url(path: str, query: dict[str, str]) -> dict[str, str]:
    """The address htmx shows after swapping a filtered list: the filters that apply (htmx
    would push the form as sent, empty fields included), so a shared link lists the same."""
    return {"HX-Push-Url": f"{path}?{urlencode(query)}" if query else path}

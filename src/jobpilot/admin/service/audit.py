"""The admin-wide audit view: every admin's actions (those `record_admin_action` stored), newest
first, narrowed by the action's name and the admin's email."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from jobpilot.admin.service.common import AdminComponents, ListFilters
from jobpilot.auth.public import AuditPage

PAGE_SIZE = 25
FILTER_CHARS = 100


@dataclass(frozen=True)
class AuditFilters(ListFilters):
    """Actions whose name starts with `action` (`user.`, `task.retry`), by admins whose email
    contains `actor`; and which page."""

    action: str | None = None
    actor: str | None = None
    page: int = 1


def parse_audit_filters(raw: Mapping[str, str | None]) -> tuple[AuditFilters, dict[str, str]]:
    """The filters as typed, and a message per field that is not valid (then left out)."""
    problems: dict[str, str] = {}
    values: dict[str, str | None] = {}
    for name in ("action", "actor"):
        value = (raw.get(name) or "").strip()
        if len(value) > FILTER_CHARS:
            problems[name] = f"Use at most {FILTER_CHARS} characters."
            value = ""
        values[name] = value or None
    page_text = (raw.get("page") or "").strip()
    page = 1
    if page_text:
        if page_text.isdigit() and int(page_text) >= 1:
            page = int(page_text)
        else:
            problems["page"] = f"The page is a whole number from 1 (not {page_text[:20]!r})."
    return AuditFilters(values["action"], values["actor"], page), problems


@dataclass(frozen=True)
class AuditListing:
    """A page of admins' actions and where it is in the whole log."""

    filters: AuditFilters
    result: AuditPage
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the matching actions fill (at least one)."""
        return max(1, math.ceil(self.result.total / self.page_size))


class AuditLog:
    """What admins did, read from the auth domain's audit log."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def admin_actions(self, filters: AuditFilters) -> AuditListing:
        """A page of admins' actions matching `filters`, newest first."""
        page = await self.c.accounts.admin_actions(
            action_prefix=filters.action,
            actor_email=filters.actor,
            offset=(max(1, filters.page) - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        return AuditListing(filters=filters, result=page)

"""The admin's Users area: finding accounts, looking at one, and acting on it (tier, suspension,
sessions, two-factor), every action audited.

Accounts are the auth domain's and profiles and tiers the users domain's: both are reached
through their facades only. A user's tier lives in the auth domain (the access token carries it);
`UsersFacade.change_tier` checks it against the configured tiers and hands it to
`AuthFacade.set_tier`, so the admin changes it there, once, and nothing else has to follow.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from jobpilot.admin.errors import CannotActOnSelf, InvalidFilter, UnknownTier, UserNotFound
from jobpilot.admin.service.common import Actor, AdminComponents, ListFilters
from jobpilot.auth.public import AccountDetails, AccountPage, AccountSummary, AuditPage
from jobpilot.users.public import ProfileSummary, UsersFacade

PAGE_SIZE = 25
# The detail page and its API show this many of a user's newest audit events.
TRAIL_LIMIT = 50
QUERY_CHARS = 200

Status = Literal["active", "suspended"]
Role = Literal["admin", "member"]
Mfa = Literal["on", "off"]


@dataclass(frozen=True)
class UserFilters(ListFilters):
    """What the list of accounts is narrowed to (None: anything), and which page."""

    q: str | None = None
    tier: str | None = None
    status: Status | None = None
    role: Role | None = None
    mfa: Mfa | None = None
    page: int = 1


def _choice(
    raw: Mapping[str, str | None], name: str, allowed: tuple[str, ...], problems: dict[str, str]
) -> str | None:
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        problems[name] = f"Choose one of: {', '.join(allowed)} (not {value[:40]!r})."
        return None
    return value


def _page(raw: Mapping[str, str | None], problems: dict[str, str]) -> int:
    value = (raw.get("page") or "").strip()
    if not value:
        return 1
    if not value.isdigit() or int(value) < 1:
        problems["page"] = f"The page is a whole number from 1 (not {value[:20]!r})."
        return 1
    return int(value)


def parse_user_filters(
    raw: Mapping[str, str | None], tiers: list[str]
) -> tuple[UserFilters, dict[str, str]]:
    """The filters of a list request as typed, and a message per field that is not valid
    (that field is then left out, so the list still shows)."""
    problems: dict[str, str] = {}
    q = (raw.get("q") or "").strip()
    if len(q) > QUERY_CHARS:
        problems["q"] = f"Search with at most {QUERY_CHARS} characters."
        q = ""
    filters = UserFilters(
        q=q or None,
        tier=_choice(raw, "tier", tuple(tiers), problems),
        status=_choice(raw, "status", get_args(Status), problems),  # type: ignore[arg-type]
        role=_choice(raw, "role", get_args(Role), problems),  # type: ignore[arg-type]
        mfa=_choice(raw, "mfa", get_args(Mfa), problems),  # type: ignore[arg-type]
        page=_page(raw, problems),
    )
    return filters, problems


@dataclass(frozen=True)
class UserListing:
    """A page of accounts and where it is in the whole list."""

    filters: UserFilters
    result: AccountPage
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the matching accounts fill (at least one)."""
        return max(1, math.ceil(self.result.total / self.page_size))

    @property
    def first(self) -> int:
        """The position of the page's first account (1-based; 0 when it is empty)."""
        if not self.result.accounts:
            return 0
        return (self.filters.page - 1) * self.page_size + 1

    @property
    def last(self) -> int:
        """The position of the page's last account."""
        return self.first + len(self.result.accounts) - 1 if self.result.accounts else 0


@dataclass(frozen=True)
class UserDetail:
    """An account with its sessions, its profile in short, and its audit trail."""

    details: AccountDetails
    profile: ProfileSummary
    trail: AuditPage
    tiers: list[str] = field(default_factory=list)

    @property
    def account(self) -> AccountSummary:
        """The account's summary."""
        return self.details.account


@dataclass(frozen=True)
class UserAction:
    """What an admin did to an account, as audited."""

    action: str
    user_id: uuid.UUID
    email: str
    details: dict[str, Any]
    # False when the account already was that way (nothing changed, nothing audited).
    changed: bool = True


def _target(account: AccountSummary) -> dict[str, str]:
    return {"type": "user", "id": str(account.id), "email": account.email}


class UsersAdmin:
    """Accounts seen and changed by an admin."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def tiers(self) -> list[str]:
        """The configured subscription tiers."""
        async with self.c.db.unit_of_work() as session:
            return await UsersFacade(session, self.c.users).tiers()

    async def list_users(self, filters: UserFilters) -> UserListing:
        """A page of accounts matching `filters`, newest first (UnknownTier for a tier that is
        not configured)."""
        if filters.tier is not None:
            tiers = await self.tiers()
            if filters.tier not in tiers:
                raise UnknownTier(
                    f"Choose one of the tiers: {', '.join(tiers)}.",
                    details={"tier": filters.tier[:40], "tiers": tiers},
                )
        if filters.page < 1:
            raise InvalidFilter(details=[{"loc": ["query", "page"], "msg": "at least 1"}])
        page = await self.c.accounts.find_accounts(
            text=filters.q,
            tier=filters.tier,
            status=filters.status,
            admin=None if filters.role is None else filters.role == "admin",
            mfa=None if filters.mfa is None else filters.mfa == "on",
            offset=(filters.page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        return UserListing(filters=filters, result=page)

    async def user(self, user_id: uuid.UUID) -> UserDetail:
        """The account, its live sessions, its profile in short and its newest audit events."""
        details, trail = await asyncio.gather(
            self._details(user_id), self.c.accounts.events_about(user_id, TRAIL_LIMIT)
        )
        async with self.c.db.unit_of_work() as session:
            users = UsersFacade(session, self.c.users)
            profile = await users.profile_summary(user_id)
            tiers = await users.tiers()
        return UserDetail(details=details, profile=profile, trail=trail, tiers=tiers)

    async def trail(self, user_id: uuid.UUID) -> AuditPage:
        """The account's newest audit events (its security events, admins' actions on it)."""
        await self._details(user_id)
        return await self.c.accounts.events_about(user_id, TRAIL_LIMIT)

    async def change_tier(self, actor: Actor, user_id: uuid.UUID, tier: str) -> UserAction:
        """Move the account to another configured tier: its quotas follow at once, its next
        access tokens carry it (audited as `user.tier_change`)."""
        account = (await self._details(user_id)).account
        tiers = await self.tiers()
        if tier not in tiers:
            raise UnknownTier(
                f"Choose one of the tiers: {', '.join(tiers)}.",
                details={"tier": tier[:40], "tiers": tiers},
            )
        if tier == account.tier:
            return UserAction("user.tier_change", account.id, account.email, {}, changed=False)
        async with self.c.db.unit_of_work() as session:
            await UsersFacade(session, self.c.users).change_tier(account.id, tier)
        return await self._audited(
            actor, account, "user.tier_change", {"before": account.tier, "after": tier}
        )

    async def suspend(self, actor: Actor, user_id: uuid.UUID) -> UserAction:
        """Refuse the account's sign-ins and end its sessions now (audited `user.suspend`)."""
        account = await self._other_account(actor, user_id)
        done = await self.c.accounts.suspend(account.id)
        if done is None:
            raise UserNotFound
        details = {
            "before": done.status_before,
            "after": "suspended",
            "sessions_revoked": done.sessions_revoked,
        }
        if done.status_before == "suspended" and not done.sessions_revoked:
            return UserAction("user.suspend", account.id, account.email, details, changed=False)
        return await self._audited(actor, account, "user.suspend", details)

    async def reactivate(self, actor: Actor, user_id: uuid.UUID) -> UserAction:
        """Let a suspended account sign in again (audited as `user.reactivate`)."""
        account = (await self._details(user_id)).account
        before = await self.c.accounts.reactivate(account.id)
        if before is None:
            raise UserNotFound
        details = {"before": before, "after": "active"}
        if before == "active":
            return UserAction("user.reactivate", account.id, account.email, details, False)
        return await self._audited(actor, account, "user.reactivate", details)

    async def revoke_sessions(self, actor: Actor, user_id: uuid.UUID) -> UserAction:
        """End every session of the account now (audited as `user.revoke_sessions`)."""
        account = await self._other_account(actor, user_id)
        count = await self.c.accounts.revoke_sessions(account.id)
        if count is None:
            raise UserNotFound
        return await self._audited(
            actor, account, "user.revoke_sessions", {"sessions_revoked": count}
        )

    async def reset_mfa(self, actor: Actor, user_id: uuid.UUID) -> UserAction:
        """Turn the account's two-factor off, remove its secrets and recovery codes and end its
        sessions (audited as `user.reset_mfa`)."""
        account = await self._other_account(actor, user_id)
        done = await self.c.accounts.reset_mfa(account.id)
        if done is None:
            raise UserNotFound
        details = {
            "before": "on" if done.was_enabled else "off",
            "after": "off",
            "sessions_revoked": done.sessions_revoked,
        }
        return await self._audited(actor, account, "user.reset_mfa", details)

    async def _details(self, user_id: uuid.UUID) -> AccountDetails:
        details = await self.c.accounts.account_details(user_id)
        if details is None:
            raise UserNotFound
        return details

    async def _other_account(self, actor: Actor, user_id: uuid.UUID) -> AccountSummary:
        # Suspending oneself, ending one's own sessions or resetting one's own two-factor here
        # would sign the admin out mid-task; their own settings page does the latter two.
        if user_id == actor.user_id:
            raise CannotActOnSelf
        return (await self._details(user_id)).account

    async def _audited(
        self, actor: Actor, account: AccountSummary, action: str, details: dict[str, Any]
    ) -> UserAction:
        # Audited after the change committed (the audit log is the auth domain's own unit of
        # work), so the log holds only what happened.
        await self.c.accounts.record_admin_action(
            actor.user_id,
            action,
            _target(account),
            details,
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
        return UserAction(action, account.id, account.email, details)

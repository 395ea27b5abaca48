"""Accounts as JSON (`/api/admin/users`): find them, look at one, and change its tier,
suspend or reactivate it, end its sessions or reset its two-factor (each audited)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from jobpilot.admin.api.common import actor_of
from jobpilot.admin.deps import UsersAdminDep
from jobpilot.admin.schemas import (
    AuditEventRead,
    AuditPageRead,
    DeviceSessionRead,
    ProfileSummaryRead,
    TierChange,
    UserActionRead,
    UserDetailRead,
    UserPageRead,
    UserSummaryRead,
)
from jobpilot.admin.service.users import (
    PAGE_SIZE,
    TRAIL_LIMIT,
    Mfa,
    Role,
    Status,
    UserAction,
    UserDetail,
    UserFilters,
    UsersAdmin,
)
from jobpilot.kit.authn import CurrentUser

router = APIRouter(prefix="/users")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No account has this id (`user_not_found`)."}
}
_NOT_SELF: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    409: {"description": "An admin cannot do this to their own account (`cannot_act_on_self`)."},
}


def detail_read(detail: UserDetail) -> UserDetailRead:
    """The account, its sessions and its profile, as the API answers them."""
    found = detail.details
    return UserDetailRead(
        **UserSummaryRead.model_validate(found.account).model_dump(),
        email_verified_at=found.email_verified_at,
        mfa_enabled_at=found.mfa_enabled_at,
        last_sign_in=found.last_sign_in,
        sessions=[DeviceSessionRead.model_validate(s) for s in found.sessions],
        profile=ProfileSummaryRead.model_validate(detail.profile),
    )


async def _action_read(service: UsersAdmin, done: UserAction) -> UserActionRead:
    detail = await service.user(done.user_id)
    return UserActionRead(
        action=done.action, changed=done.changed, details=done.details, user=detail_read(detail)
    )


@router.get("", summary="Find accounts")
async def list_users(
    service: UsersAdminDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Part of the email or the name, in any case."),
    ] = None,
    tier: Annotated[str | None, Query(description="One of the configured tiers.")] = None,
    status: Annotated[Status | None, Query()] = None,
    role: Annotated[Role | None, Query(description="admin, or member (not admin).")] = None,
    mfa: Annotated[Mfa | None, Query(description="Two-factor sign-in on or off.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> UserPageRead:
    """Accounts matching every filter given, newest first, 25 a page, with the total (422
    `unknown_tier` for a tier that is not configured)."""
    filters = UserFilters(
        q=(q or "").strip() or None,
        tier=(tier or "").strip() or None,
        status=status,
        role=role,
        mfa=mfa,
        page=page,
    )
    listing = await service.list_users(filters)
    return UserPageRead(
        items=[UserSummaryRead.model_validate(a) for a in listing.result.accounts],
        total=listing.result.total,
        page=page,
        page_size=PAGE_SIZE,
        pages=listing.pages,
    )


@router.get("/{user_id}", summary="One account", responses=_NOT_FOUND)
async def get_user(user_id: uuid.UUID, service: UsersAdminDep) -> UserDetailRead:
    """The account (roles, tier, status, two-factor, last sign-in), its live sessions and its
    profile in short."""
    return detail_read(await service.user(user_id))


@router.get("/{user_id}/audit", summary="An account's audit trail", responses=_NOT_FOUND)
async def user_audit(user_id: uuid.UUID, service: UsersAdminDep) -> AuditPageRead:
    """The newest 50 events about the account: its own security events and admins' actions on
    it, newest first (`total` counts them all)."""
    trail = await service.trail(user_id)
    return AuditPageRead(
        items=[AuditEventRead.model_validate(e) for e in trail.entries],
        total=trail.total,
        page=1,
        page_size=TRAIL_LIMIT,
        pages=1,
    )


@router.put(
    "/{user_id}/tier",
    summary="Change an account's tier",
    responses={
        **_NOT_FOUND,
        422: {"description": "Not a configured tier (`unknown_tier`)."},
    },
)
async def change_tier(
    user_id: uuid.UUID,
    body: TierChange,
    request: Request,
    principal: CurrentUser,
    service: UsersAdminDep,
) -> UserActionRead:
    """Move the account to another tier: its quotas follow at once and its next access tokens
    carry it (audited as `user.tier_change`)."""
    done = await service.change_tier(actor_of(request, principal), user_id, body.tier)
    return await _action_read(service, done)


def _action_route(
    run: Callable[..., Awaitable[UserAction]], doc: str
) -> Callable[..., Awaitable[UserActionRead]]:
    async def endpoint(
        user_id: uuid.UUID, request: Request, principal: CurrentUser, service: UsersAdminDep
    ) -> UserActionRead:
        done = await run(service, actor_of(request, principal), user_id)
        return await _action_read(service, done)

    endpoint.__doc__ = doc
    return endpoint


# The account actions without a body: (path, summary, the service's method, what it does, and
# whether an admin may do it to their own account).
_ACTIONS: tuple[tuple[str, str, Callable[..., Awaitable[UserAction]], str, bool], ...] = (
    (
        "suspend",
        "Suspend an account",
        UsersAdmin.suspend,
        "Refuse the account's sign-ins and end every session now: its access tokens stop "
        "working at their next request (audited as `user.suspend`).",
        False,
    ),
    (
        "reactivate",
        "Reactivate an account",
        UsersAdmin.reactivate,
        "Let a suspended account sign in again; its ended sessions stay ended (audited as "
        "`user.reactivate`).",
        True,
    ),
    (
        "sessions/revoke",
        "End an account's sessions",
        UsersAdmin.revoke_sessions,
        "Sign the account out everywhere now, without suspending it (audited as "
        "`user.revoke_sessions`).",
        False,
    ),
    (
        "mfa/reset",
        "Reset an account's two-factor",
        UsersAdmin.reset_mfa,
        "Turn two-factor off, remove the authenticator secret and the recovery codes, and end "
        "every session: the password alone signs in, and the user can set it up again (audited "
        "as `user.reset_mfa`).",
        False,
    ),
)

for _path, _summary, _run, _doc, _on_self in _ACTIONS:
    router.add_api_route(
        f"/{{user_id}}/{_path}",
        _action_route(_run, _doc),
        methods=["POST"],
        summary=_summary,
        responses=_NOT_FOUND if _on_self else _NOT_SELF,
    )

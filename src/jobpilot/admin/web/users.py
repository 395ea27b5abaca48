"""The Users pages: the list of accounts (search, filters, pages) and one account with its
actions (tier, suspend, reactivate, end sessions, reset two-factor)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from jobpilot.admin.deps import UsersAdminDep
from jobpilot.admin.errors import CannotActOnSelf, UnknownTier, UserNotFound
from jobpilot.admin.service.common import Actor
from jobpilot.admin.service.users import UserAction, UsersAdmin, parse_user_filters
from jobpilot.admin.web.audit import push_url
from jobpilot.admin.web.common import AdminUser, actor_of, pages
from jobpilot.web.flash import Flash, Level, flash
from jobpilot.web.templating import is_fragment_request, redirect

router = APIRouter(prefix="/admin/users")

USERS_PATH = "/admin/users"
_SELF_MESSAGES = {
    "user.suspend": "You cannot suspend your own account.",
    "user.revoke_sessions": "You cannot end your own sessions here: sign out instead.",
    "user.reset_mfa": "You cannot reset your own two-factor here: use your security settings.",
}


def _user_id(raw: str) -> uuid.UUID:
    # A malformed id names no account: the 404 page, as for an unknown one.
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise UserNotFound from None


@router.get("")
async def users(request: Request, user: AdminUser, service: UsersAdminDep) -> Response:
    """Accounts newest first, searched and filtered by the GET form; htmx gets the table."""
    tiers = await service.tiers()
    filters, problems = parse_user_filters(request.query_params, tiers)
    listing = await service.list_users(filters)
    context = {"listing": listing, "filters": filters, "problems": problems, "tiers": tiers}
    fragment = is_fragment_request(request)
    status = 422 if problems and not fragment else 200
    return pages.render(
        request,
        "admin/users.html",
        context,
        fragment="users",
        status_code=status,
        headers=push_url(USERS_PATH, filters.query()) if fragment else None,
    )


async def _user_page(
    request: Request,
    service: UsersAdmin,
    user_id: uuid.UUID,
    notices: list[Flash],
    *,
    tier_error: str | None = None,
    status_code: int = 200,
) -> Response:
    detail = await service.user(user_id)
    context = {"detail": detail, "notices": notices, "tier_error": tier_error}
    return pages.render(
        request, "admin/user.html", context, fragment="user", status_code=status_code
    )


@router.get("/{user_id}")
async def user_detail(
    request: Request, user_id: str, user: AdminUser, service: UsersAdminDep
) -> Response:
    """One account: its details, profile, sessions and audit trail, and the admin's actions."""
    return await _user_page(request, service, _user_id(user_id), [])


def _message(done: UserAction) -> str:
    who = done.email
    if not done.changed:
        if done.action == "user.tier_change":
            return f"{who} is already on that tier: nothing changed."
        if done.action == "user.reactivate":
            return f"{who} is already active: nothing changed."
        return f"{who} is already suspended and has no session: nothing changed."
    details = done.details
    sessions = details.get("sessions_revoked", 0)
    ended = f"{sessions} session{'s' if sessions != 1 else ''} ended"
    match done.action:
        case "user.tier_change":
            return f"{who} is now on the {details['after']} tier (was {details['before']})."
        case "user.suspend":
            return f"{who} is suspended: sign-in is refused, {ended}."
        case "user.reactivate":
            return f"{who} is active again and can sign in."
        case "user.revoke_sessions":
            return f"{who} is signed out everywhere: {ended}."
        case _:
            return f"Two-factor is off for {who}: the password alone signs in; {ended}."


async def _act(
    request: Request,
    user_id: str,
    service: UsersAdmin,
    actor: Actor,
    action: str,
    run: Callable[[uuid.UUID], Awaitable[UserAction]],
) -> Response:
    target = _user_id(user_id)
    path = f"{USERS_PATH}/{target}"
    try:
        done = await run(target)
    except CannotActOnSelf as exc:
        message = _SELF_MESSAGES.get(action, exc.message)
        if is_fragment_request(request):
            return await _user_page(request, service, target, [Flash("error", message)])
        flash(request, message, "error")
        return redirect(path)
    message = _message(done)
    level: Level = "success" if done.changed else "info"
    if is_fragment_request(request):
        return await _user_page(request, service, target, [Flash(level, message)])
    flash(request, message, level)
    return redirect(path)


@router.post("/{user_id}/tier")
async def change_tier(
    request: Request, user_id: str, user: AdminUser, service: UsersAdminDep
) -> Response:
    """Move the account to another tier (audited); an unknown tier re-renders with the error."""
    form = await request.form()
    raw = form.get("tier")
    tier = raw.strip() if isinstance(raw, str) else ""
    actor = actor_of(request, user)
    try:
        return await _act(
            request,
            user_id,
            service,
            actor,
            "user.tier_change",
            lambda target: service.change_tier(actor, target, tier),
        )
    except UnknownTier as exc:
        fragment = is_fragment_request(request)
        return await _user_page(
            request,
            service,
            _user_id(user_id),
            [Flash("error", "The tier was not changed.")],
            tier_error=exc.message,
            status_code=200 if fragment else 422,
        )


# The account actions without a form field: (path, audited action, the service's method, what
# it does).
_ACTIONS: tuple[tuple[str, str, Callable[..., Awaitable[UserAction]], str], ...] = (
    (
        "suspend",
        "user.suspend",
        UsersAdmin.suspend,
        "Refuse the account's sign-ins and end its sessions now (audited).",
    ),
    (
        "reactivate",
        "user.reactivate",
        UsersAdmin.reactivate,
        "Let a suspended account sign in again (audited).",
    ),
    (
        "sessions/revoke",
        "user.revoke_sessions",
        UsersAdmin.revoke_sessions,
        "Sign the account out everywhere, without suspending it (audited).",
    ),
    (
        "mfa/reset",
        "user.reset_mfa",
        UsersAdmin.reset_mfa,
        "Turn the account's two-factor off and end its sessions (audited).",
    ),
)


def _action_route(
    action: str, run: Callable[..., Awaitable[UserAction]], doc: str
) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request, user_id: str, user: AdminUser, service: UsersAdminDep
    ) -> Response:
        actor = actor_of(request, user)
        return await _act(
            request, user_id, service, actor, action, lambda target: run(service, actor, target)
        )

    endpoint.__doc__ = doc
    return endpoint


for _path, _action, _run, _doc in _ACTIONS:
    router.add_api_route(
        f"/{{user_id}}/{_path}", _action_route(_action, _run, _doc), methods=["POST"]
    )

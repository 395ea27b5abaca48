"""The Flags page (`/admin/flags`): every feature flag with a one-click switch, a form to
create one, and a page per flag for its description, rollout and targets."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from jobpilot.admin.deps import FlagsServiceDep
from jobpilot.admin.service.flags import (
    FlagChanges,
    FlagsService,
    FlagView,
    UserNotFound,
    split_entries,
)
from jobpilot.admin.web.common import AdminUser, actor_of, pages
from jobpilot.kit.flags import FlagExists, InvalidFlag
from jobpilot.web.flash import flash
from jobpilot.web.templating import is_fragment_request, redirect

router = APIRouter(prefix="/admin/flags")
FLAGS_PATH = "/admin/flags"


def flag_slug(name: str) -> str:
    """An HTML id for a flag's row (names hold dots, which CSS selectors would misread)."""
    return "flag-" + hashlib.sha256(name.encode()).hexdigest()[:12]


pages.env.filters.update(flag_slug=flag_slug)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _field_errors(exc: InvalidFlag) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in exc.details or []:
        field = str(problem["loc"][-1])
        errors.setdefault(field, problem["msg"])
    return errors


@router.get("")
async def flags_page(request: Request, user: AdminUser, service: FlagsServiceDep) -> Response:
    """Every flag, the kill switch first among equals, and the form to create one."""
    return await _list_page(request, service, {}, {"name": "", "description": ""})


async def _list_page(
    request: Request,
    service: FlagsService,
    errors: dict[str, str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {"flags": await service.flags(), "errors": errors, "values": values}
    return pages.render(request, "admin/flags.html", context, status_code=status_code)


@router.post("")
async def create_flag(request: Request, user: AdminUser, service: FlagsServiceDep) -> Response:
    """Create a flag (off, at 100 %); the form again with the problems, or back to the list."""
    form = await request.form()
    values = {"name": _text(form, "name").strip(), "description": _text(form, "description")}
    try:
        view = await service.create(actor_of(request, user), values["name"], values["description"])
    except InvalidFlag as exc:
        return await _list_page(request, service, _field_errors(exc), values, 422)
    except FlagExists:
        errors = {"name": f"A flag named {values['name']} exists already."}
        return await _list_page(request, service, errors, values, 409)
    flash(
        request,
        f"Flag {view.name} is created. It is off: turn it on here, or edit its rollout and "
        "targets.",
        "success",
    )
    return redirect(FLAGS_PATH)


@router.post("/{name}/toggle")
async def toggle_flag(
    request: Request, name: str, user: AdminUser, service: FlagsServiceDep
) -> Response:
    """Switch a flag on or off in one click (audited); htmx gets the flag's row, a form a
    redirect with a message."""
    view = await service.toggle(actor_of(request, user), name)
    if is_fragment_request(request):
        return pages.render(request, "admin/_flag_row.html", {"view": view})
    state = "on" if view.flag.enabled else "off"
    flash(request, f"Flag {view.name} is now {state}.", "success")
    return redirect(FLAGS_PATH)


_REASONS = {
    "disabled": "the flag is disabled",
    "targeted_user": "the user is one of its target users",
    "tier_not_targeted": "the user's tier is not one of its target tiers",
    "in_rollout": "the user is within the rollout",
    "outside_rollout": "the user is outside the rollout",
}


@router.get("/{name}")
async def edit_page(
    request: Request,
    name: str,
    user: AdminUser,
    service: FlagsServiceDep,
    check: Annotated[str | None, Query(max_length=320)] = None,
) -> Response:
    """A flag's description, rollout and targets, to change; with `check` (an email or
    account id), what that user gets and why."""
    view = await service.get(name)
    checked: dict[str, Any] = {"entry": check or ""}
    if check is not None:
        try:
            result = await service.evaluate_entry(name, check)
        except UserNotFound as exc:
            checked["error"] = exc.message
        else:
            checked["answer"] = "on" if result.evaluation.enabled else "off"
            checked["who"] = f"{result.email} ({result.tier} tier)"
            checked["why"] = _REASONS[result.evaluation.reason]
    return await _edit_page(request, service, view, _values_of(view), {}, checked=checked)


def _values_of(view: FlagView) -> dict[str, Any]:
    return {
        "description": view.flag.description,
        "rollout": str(view.flag.rollout),
        "target_tiers": list(view.flag.target_tiers),
        "target_users": "\n".join(email or str(uid) for uid, email in view.target_accounts),
    }


async def _edit_page(
    request: Request,
    service: FlagsService,
    view: FlagView,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    checked: dict[str, Any] | None = None,
) -> Response:
    context = {
        "view": view,
        "values": values,
        "errors": errors,
        "tiers": await service.tiers(),
        "checked": checked or {"entry": ""},
    }
    return pages.render(request, "admin/flag_edit.html", context, status_code=status_code)


@router.post("/{name}")
async def save_flag(
    request: Request, name: str, user: AdminUser, service: FlagsServiceDep
) -> Response:
    """Save the description, rollout and targets (audited); the form again with the problems
    (nothing changed), or back to the list."""
    view = await service.get(name)
    form = await request.form()
    values: dict[str, Any] = {
        "description": _text(form, "description"),
        "rollout": _text(form, "rollout").strip(),
        "target_tiers": [t for t in form.getlist("target_tiers") if isinstance(t, str)],
        "target_users": _text(form, "target_users"),
    }
    errors: dict[str, str] = {}
    rollout = 100
    if not view.kill_switch:
        try:
            rollout = int(values["rollout"])
        except ValueError:
            errors["rollout"] = "Enter a whole number from 0 to 100."
    changes = FlagChanges(description=values["description"])
    if not view.kill_switch:  # the kill switch is global: its form has no rollout or targets
        changes.rollout = rollout
        changes.target_tiers = values["target_tiers"]
        changes.target_users = split_entries(values["target_users"])
    if not errors:
        try:
            view = await service.update(actor_of(request, user), name, changes)
        except InvalidFlag as exc:
            errors = _field_errors(exc)
    if errors:
        return await _edit_page(request, service, view, values, errors, 422)
    flash(request, f"Flag {view.name} is saved: {_summary(view)}.", "success")
    return redirect(FLAGS_PATH)


def _summary(view: FlagView) -> str:
    flag = view.flag
    parts = ["on" if flag.enabled else "off", f"{flag.rollout} % rollout"]
    if flag.target_tiers:
        parts.append("tiers " + ", ".join(flag.target_tiers))
    if flag.target_users:
        parts.append(f"{len(flag.target_users)} target user(s)")
    return ", ".join(parts)

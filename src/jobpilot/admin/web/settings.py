"""The Settings page (`/admin/settings`): every runtime setting with a form to change it or
reset it to its default, and each setting's history."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from jobpilot.admin.deps import SettingsAdminDep
from jobpilot.admin.service.settings import SettingsAdmin
from jobpilot.admin.web.common import NO_VALUE, AdminUser, actor_of, pages
from jobpilot.kit.errors import ValidationFailed
from jobpilot.kit.runtime import RuntimeSetting, SettingChange, SettingState
from jobpilot.web.flash import Flash, flash
from jobpilot.web.templating import is_fragment_request, redirect

router = APIRouter(prefix="/admin/settings")

SETTINGS_PATH = "/admin/settings"
FORM_FIELD = "value"
# A table's cell `<row>.<column>` is posted as `value.<row>.<column>`.
_CELL = re.compile(r"^value\.([^.]+)\.([^.]+)$")
_SHORT = 80


def slug(key: str) -> str:
    """The setting's key as an HTML id part (`jobs-refresh_minutes`)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", key)


def show(value: Any, widget: str = "text") -> str:
    """A setting's value in words: On/Off, (none) for an empty text, `row: a 1, b 2; ...` for
    a table."""
    if widget == "checkbox" or isinstance(value, bool):
        return "On" if value else "Off"
    if isinstance(value, dict):
        rows = []
        for row, cells in value.items():
            if isinstance(cells, dict):
                rows.append(f"{row}: " + ", ".join(f"{k} {v}" for k, v in cells.items()))
            else:
                rows.append(f"{row}: {cells}")
        return "; ".join(rows)
    if value is None or value == "":
        return "(none)"
    return str(value)


def short(value: Any, widget: str = "text") -> str:
    """`show`, cut to a line."""
    text = show(value, widget)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "\u2026"


pages.env.filters.update(setting_value=show, setting_short=short)


@dataclass
class SettingView:
    """One setting on the page: its state, what the form shows, and what went wrong."""

    state: SettingState
    # What the form's inputs hold: the value in force, or what the admin entered.
    entered: Any
    error: str | None = None
    # A table's problems per cell, by (row, column).
    cell_errors: dict[tuple[str, str], str] = field(default_factory=dict)
    notices: list[Flash] = field(default_factory=list)

    @property
    def setting(self) -> RuntimeSetting[Any]:
        """The declared setting."""
        return self.state.setting

    @property
    def slug(self) -> str:
        """Its HTML id part."""
        return slug(self.setting.name)

    @property
    def columns(self) -> list[str]:
        """A table's columns (the quotas), from its first row."""
        rows = self.entered if isinstance(self.entered, dict) else {}
        for cells in rows.values():
            if isinstance(cells, dict):
                return list(cells)
        return []

    def default_cell(self, row: str, column: str) -> Any:
        """A table cell's default, None when the row or column is not in the default."""
        default = self.state.default if isinstance(self.state.default, dict) else {}
        cells = default.get(row)
        return cells.get(column) if isinstance(cells, dict) else None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def value_from_form(setting: RuntimeSetting[Any], form: FormData) -> Any:
    """What the form posted for `setting`, shaped like its value (validated afterwards)."""
    if setting.widget == "checkbox":
        return FORM_FIELD in form
    if setting.widget == "table":
        table: dict[str, dict[str, str]] = {}
        for name in form:
            match = _CELL.match(name)
            if match:
                table.setdefault(match.group(1), {})[match.group(2)] = _text(form, name).strip()
        return table
    if setting.widget == "number":
        return _text(form, FORM_FIELD).strip()
    return _text(form, FORM_FIELD)


def _problems(exc: ValidationFailed, view: SettingView) -> None:
    general = []
    for detail in exc.details or []:
        place = [str(part) for part in detail.get("loc", [])[1:]]
        if view.setting.widget == "table" and len(place) == 2:
            view.cell_errors[(place[0], place[1])] = detail["msg"]
        else:
            general.append(str(detail["msg"]))
    if general:
        view.error = " ".join(general)
    elif view.cell_errors:
        view.error = "Some limits are not valid: see the marked cells."
    else:
        view.error = exc.message


async def _views(service: SettingsAdmin) -> list[SettingView]:
    return [SettingView(state, state.value) for state in await service.settings()]


def _render(request: Request, views: list[SettingView], changed: SettingView | None) -> Response:
    """The page, or (htmx) the one setting's section; 422 when its form had errors."""
    status = 422 if changed is not None and changed.error else 200
    if changed is not None and is_fragment_request(request):
        # htmx swaps only 2xx answers: the fragment with its errors is a 200.
        return pages.render(request, "admin/settings.html", {"item": changed}, fragment="setting")
    return pages.render(
        request,
        "admin/settings.html",
        {"items": views},
        fragment="settings",
        status_code=status,
    )


@router.get("")
async def settings_page(request: Request, user: AdminUser, service: SettingsAdminDep) -> Response:
    """Every runtime setting with its value, default, last change and a form to change it."""
    return _render(request, await _views(service), None)


@router.post("/{key}")
async def update_setting(
    request: Request, key: str, user: AdminUser, service: SettingsAdminDep
) -> Response:
    """Change a setting; invalid input re-renders its form with the error and changes nothing."""
    state = await service.setting(key)
    form = await request.form()
    value = value_from_form(state.setting, form)
    try:
        change = await service.update(actor_of(request, user), key, value)
    except ValidationFailed as exc:
        views = await _views(service)
        view = next(v for v in views if v.setting.name == key)
        view.entered = value
        _problems(exc, view)
        return _render(request, views, view)
    return await _done(request, service, key, _saved(state.setting, change))


def _saved(setting: RuntimeSetting[Any], change: SettingChange) -> str:
    """What a change did, in a sentence: the new value, or a table's changed cells."""
    if setting.widget != "table":
        return f"{setting.label} is now {short(change.new_value, setting.widget)}."
    old = change.old_value if isinstance(change.old_value, dict) else {}
    new = change.new_value if isinstance(change.new_value, dict) else {}
    cells = []
    for row, values in new.items():
        found = old.get(row)
        before: dict[str, Any] = found if isinstance(found, dict) else {}
        for column, value in values.items():
            if before.get(column) != value:
                was = before.get(column)
                cells.append(f"{row} {column} {NO_VALUE if was is None else was} → {value}")
    if not cells:
        return f"{setting.label} saved (no value changed)."
    return f"{setting.label} saved: {'; '.join(cells)}."


@router.post("/{key}/reset")
async def reset_setting(
    request: Request, key: str, user: AdminUser, service: SettingsAdminDep
) -> Response:
    """Drop a setting's override so that its default applies again."""
    state = await service.setting(key)
    change = await service.reset(actor_of(request, user), key)
    label, widget = state.setting.label, state.setting.widget
    if change is None:
        message = f"{label} already has its default value; nothing was changed."
    else:
        message = f"{label} is back to its default: {short(change.new_value, widget)}."
    return await _done(request, service, key, message)


async def _done(request: Request, service: SettingsAdmin, key: str, message: str) -> Response:
    if is_fragment_request(request):
        state = await service.setting(key)
        view = SettingView(state, state.value, notices=[Flash("success", message)])
        return _render(request, [], view)
    flash(request, message, "success")
    return redirect(f"{SETTINGS_PATH}#setting-{slug(key)}")


@router.get("/{key}/history")
async def setting_history(
    request: Request, key: str, user: AdminUser, service: SettingsAdminDep
) -> Response:
    """Who changed the setting, from what to what, and when; newest first."""
    state = await service.setting(key)
    changes = await service.history(key)
    return pages.render(
        request,
        "admin/setting_history.html",
        {"state": state, "changes": changes, "anchor": slug(key)},
    )

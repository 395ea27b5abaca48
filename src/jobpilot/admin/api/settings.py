"""Runtime settings as JSON: list, change, reset, history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from jobpilot.admin.api.common import actor_of
from jobpilot.admin.deps import SettingsAdminDep
from jobpilot.admin.schemas import (
    SettingChangeRead,
    SettingHistoryRead,
    SettingRead,
    SettingsRead,
    SettingUpdate,
)
from jobpilot.kit.authn import CurrentUser

router = APIRouter(prefix="/settings")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No runtime setting has this key (`setting_not_found`)."}
}
_INVALID: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    422: {"description": "The value does not pass the setting's validation; nothing changed."},
}


@router.get("", summary="Every runtime setting")
async def list_settings(service: SettingsAdminDep) -> SettingsRead:
    """Each runtime setting's value, default, whether it is overridden, and its last change."""
    return SettingsRead(settings=[SettingRead.of(s) for s in await service.settings()])


@router.put("/{key}", summary="Change a runtime setting", responses=_INVALID)
async def update_setting(
    key: str,
    body: SettingUpdate,
    request: Request,
    principal: CurrentUser,
    service: SettingsAdminDep,
) -> SettingRead:
    """Override the setting with `value` (validated first: a 422 changes nothing); every process
    uses it within a few seconds. Audited as `setting.update`."""
    await service.update(actor_of(request, principal), key, body.value)
    return SettingRead.of(await service.setting(key))


@router.delete("/{key}", summary="Reset a runtime setting to its default", responses=_NOT_FOUND)
async def reset_setting(
    key: str, request: Request, principal: CurrentUser, service: SettingsAdminDep
) -> SettingRead:
    """Drop the override so that the static settings' default applies again (audited as
    `setting.reset`; a setting that is not overridden is left as it is)."""
    await service.reset(actor_of(request, principal), key)
    return SettingRead.of(await service.setting(key))


@router.get("/{key}/history", summary="A runtime setting's changes", responses=_NOT_FOUND)
async def setting_history(key: str, service: SettingsAdminDep) -> SettingHistoryRead:
    """Who changed the setting, from what to what, and when; newest first."""
    changes = await service.history(key)
    return SettingHistoryRead(
        key=key, changes=[SettingChangeRead.model_validate(c) for c in changes]
    )

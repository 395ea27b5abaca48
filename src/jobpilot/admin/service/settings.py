"""The Settings area: the runtime settings every domain declares, changed and reset by admins
(each change validated, kept in the setting's history and audited)."""

from __future__ import annotations

from typing import Any

from jobpilot.admin.service.common import Actor, AdminComponents
from jobpilot.kit.runtime import SettingChange, SettingState


class SettingsAdmin:
    """Listing, changing and resetting runtime settings, audited under the admin's id."""

    def __init__(self, components: AdminComponents) -> None:
        self.c = components

    async def settings(self) -> list[SettingState]:
        """Every runtime setting: value, default, whether overridden, and its last change."""
        return await self.c.runtime.states()

    async def setting(self, key: str) -> SettingState:
        """One runtime setting (404 `setting_not_found` for an unknown key)."""
        return await self.c.runtime.state(key)

    async def history(self, key: str) -> list[SettingChange]:
        """The setting's changes, newest first."""
        return await self.c.runtime.history(key)

    async def update(self, actor: Actor, key: str, value: Any) -> SettingChange:
        """Override the setting once `value` passes its validation (422 otherwise, nothing
        changed), and audit it as `setting.update` with the values before and after."""
        change = await self.c.runtime.set(key, value, by=await self._name(actor))
        await self._audit(actor, "setting.update", change)
        return change

    async def reset(self, actor: Actor, key: str) -> SettingChange | None:
        """Drop the override so that the default applies (audited as `setting.reset`); None
        when the setting was not overridden (nothing changes, nothing is audited)."""
        change = await self.c.runtime.reset(key, by=await self._name(actor))
        if change is not None:
            await self._audit(actor, "setting.reset", change)
        return change

    async def _name(self, actor: Actor) -> str:
        # The history names the admin as people know them; the audit log keeps the id.
        account = await self.c.accounts.account(actor.user_id)
        return str(account["email"]) if account else str(actor.user_id)

    async def _audit(self, actor: Actor, action: str, change: SettingChange) -> None:
        # Audited after the change committed (the audit log is the auth domain's, its own unit
        # of work), so the log holds only what happened.
        await self.c.accounts.record_admin_action(
            actor.user_id,
            action,
            {"type": "setting", "id": change.key},
            {"before": change.old_value, "after": change.new_value},
            ip=actor.ip,
            user_agent=actor.user_agent,
        )

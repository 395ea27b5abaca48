"""The users domain's runtime settings: the tiers' quota limits (changed by admins while the
platform runs; `JOBPILOT_USERS__TIERS` gives the default)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator

from jobpilot.kit.runtime import Key, RuntimeSetting
from jobpilot.users.config import UsersSettings, check_tiers

Tiers = dict[str, dict[str, int]]
TIERS: Key[Tiers] = Key("users.tiers")


def runtime_settings(config: UsersSettings) -> list[RuntimeSetting[Any]]:
    """The users domain's runtime settings, with the static settings as their defaults."""
    return [
        RuntimeSetting(
            key=TIERS,
            label="Tier quotas",
            help=(
                "Each subscription tier's limit per quota, enforced from the next request. "
                "A free tier is required, every tier sets every quota, no limit is negative."
            ),
            # The same check as the static settings, against the quotas they define.
            type=Annotated[Tiers, AfterValidator(partial(check_tiers, quotas=list(config.quotas)))],
            default=config.tiers,
            widget="table",
        )
    ]

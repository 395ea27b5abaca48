"""Settings of the users service (`JOBPILOT_USERS__*`): subscription tiers and their quotas."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class QuotaSpec(BaseModel):
    """A countable allowance and the period after which it starts again."""

    period: Literal["day", "month", "total"]
    description: str


def _quotas() -> dict[str, QuotaSpec]:
    return {
        "resumes": QuotaSpec(period="total", description="Resumes stored"),
        "ai_requests": QuotaSpec(period="month", description="AI requests per month"),
        "auto_applies": QuotaSpec(period="day", description="Automatic applications per day"),
        "saved_searches": QuotaSpec(period="total", description="Saved job searches"),
    }


def _tiers() -> dict[str, dict[str, int]]:
    return {
        "free": {"resumes": 3, "ai_requests": 50, "auto_applies": 5, "saved_searches": 3},
        "pro": {"resumes": 20, "ai_requests": 1000, "auto_applies": 50, "saved_searches": 20},
        "premium": {
            "resumes": 100,
            "ai_requests": 10_000,
            "auto_applies": 200,
            "saved_searches": 100,
        },
    }


class UsersSettings(BaseModel):
    """Tiers and quotas; every tier sets a limit for every quota."""

    quotas: dict[str, QuotaSpec] = Field(default_factory=_quotas)
    tiers: dict[str, dict[str, int]] = Field(default_factory=_tiers)

    @model_validator(mode="after")
    def _complete(self) -> UsersSettings:
        check_tiers(self.tiers, self.quotas)
        return self


def check_tiers(
    tiers: dict[str, dict[str, int]], quotas: Collection[str]
) -> dict[str, dict[str, int]]:
    """`tiers` when they are complete: a free tier, every tier setting exactly `quotas`, no
    negative limit; else ValueError naming the problem. Used by the static settings and by the
    runtime setting `users.tiers`."""
    if "free" not in tiers:
        msg = "tiers: a 'free' tier is required (new accounts start there)"
        raise ValueError(msg)
    for tier, limits in tiers.items():
        missing = set(quotas) - set(limits)
        unknown = set(limits) - set(quotas)
        if missing or unknown:
            msg = (
                f"tiers: tier {tier!r} must set exactly the quotas "
                f"{sorted(quotas)} (missing {sorted(missing)}, unknown {sorted(unknown)})"
            )
            raise ValueError(msg)
        if any(limit < 0 for limit in limits.values()):
            msg = f"tiers: tier {tier!r} has a negative limit"
            raise ValueError(msg)
    return tiers

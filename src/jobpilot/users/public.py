"""What other parts of the platform may ask of the users domain."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.kit.errors import ValidationFailed, validation_details
from jobpilot.users.repository import UserRepository
from jobpilot.users.schemas import Profile, SkillInput
from jobpilot.users.service import UsersComponents, UsersService
from jobpilot.users.skills.taxonomy import Taxonomy

__all__ = ["ProfileSummary", "SkillRef", "SkillsFacade", "UsersComponents", "UsersFacade"]

_SKILL_INPUTS = TypeAdapter(list[SkillInput])


@dataclass(frozen=True)
class SkillRef:
    """A skill of the taxonomy: its stable id and its name."""

    id: str
    name: str


@dataclass(frozen=True)
class ProfileSummary:
    """A profile in a few words (for an admin looking at an account)."""

    headline: str | None
    location: str | None
    desired_roles: list[str]
    skills: int
    experience: int
    # How ready the profile is for auto-apply, 0 to 100.
    completeness: int
    updated_at: datetime | None


class SkillsFacade:
    """The skill taxonomy, for reading skills out of text and comparing them (no database)."""

    def __init__(self) -> None:
        self._taxonomy = Taxonomy.load()

    def mentions(self, text: str) -> list[SkillRef]:
        """The skills `text` names, each once, in order of appearance."""
        return [SkillRef(skill.id, skill.name) for skill in self._taxonomy.mentions(text)]

    def is_area(self, skill_id: str) -> bool:
        """Whether the skill is a broad area at the top of the taxonomy ("Backend development"),
        rather than a skill one lists (Python, FastAPI)."""
        skill = self._taxonomy.get(skill_id)
        return skill is not None and skill.parent is None

    def satisfies(self, owned_ids: Collection[str], wanted_id: str) -> bool:
        """Whether owning `owned_ids` meets a requirement for `wanted_id`: the skill itself or a
        more specific one under it (FastAPI meets Python; Python does not meet FastAPI)."""
        return self._taxonomy.has_skill_or_descendant(owned_ids, wanted_id)


class UsersFacade:
    """Quotas, skills and tiers, in the caller's unit of work."""

    def __init__(self, session: AsyncSession, components: UsersComponents) -> None:
        self._service = UsersService(UserRepository(session), components)

    async def consume_quota(
        self, user_id: uuid.UUID, tier: str, quota: str, amount: int = 1
    ) -> int:
        """Spend `amount` of `quota` (402 `quota_exceeded` when over the limit); usage after."""
        return await self._service.consume(user_id, tier, quota, amount)

    async def quota_limit(self, tier: str, quota: str) -> int:
        """The tier's limit for `quota` in one period."""
        return await self._service.limit(tier, quota)

    async def quota_left(self, user_id: uuid.UUID, tier: str, quota: str) -> int:
        """How much of `quota` the user may still spend in the current period."""
        usage = await self._service.usage(user_id, tier)
        found = next(q for q in usage.quotas if q.quota == quota)
        return max(0, found.limit - found.used)

    async def release_quota(self, user_id: uuid.UUID, quota: str, amount: int = 1) -> None:
        """Give back part of a quota in its current period (lifetime, or today's / this month's)."""
        await self._service.release(user_id, quota, amount)

    async def has_skill(self, user_id: uuid.UUID, skill: str) -> bool:
        """Whether the user has `skill` or a more specific one under it."""
        return await self._service.has_skill(user_id, skill)

    def expand_skills(self, skill_ids: list[str]) -> set[str]:
        """The skills with all their ancestors (for matching)."""
        return self._service.expand_skills(skill_ids)

    async def profile(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The user's profile document and skill names (for a resume made from the profile)."""
        profile = await self._service.profile(user_id)
        skills = await self._service.skills(user_id)
        return {
            **profile.profile.model_dump(mode="json"),
            "skills": [skill.name for skill in skills],
        }

    def normalise_skill(self, text: str) -> tuple[str, str | None]:
        """The taxonomy's name and id for a skill as written ("k8s" → Kubernetes), or the text
        itself and None when the taxonomy does not know it."""
        found = self._service.taxonomy.normalise(text)
        return (found.name, found.id) if found is not None else (text.strip(), None)

    async def tier(self, user_id: uuid.UUID) -> str | None:
        """The user's subscription tier (None when the account is gone)."""
        account = await self._service.c.accounts.account(user_id)
        return str(account.get("tier") or "free") if account is not None else None

    async def profile_summary(self, user_id: uuid.UUID) -> ProfileSummary:
        """Headline, place, wanted roles, how many skills and jobs, and its completeness."""
        read = await self._service.profile(user_id)
        profile = read.profile
        place = [profile.location.city, profile.location.region, profile.location.country_code]
        return ProfileSummary(
            headline=profile.headline,
            location=", ".join(part for part in place if part) or None,
            desired_roles=list(profile.desired_roles),
            skills=len(await self._service.skills(user_id)),
            experience=len(profile.experience),
            completeness=read.completeness.score,
            updated_at=read.updated_at,
        )

    async def tiers(self) -> list[str]:
        """The subscription tiers one can be moved to, as admins set them now."""
        return list(await self._service.tiers())

    async def change_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Move a user to another subscription tier (admins)."""
        await self._service.change_tier(user_id, tier)

    async def save_profile(self, user_id: uuid.UUID, profile: dict[str, Any]) -> None:
        """Replace the user's profile with `profile` (422 naming every invalid field)."""
        try:
            document = Profile.model_validate(profile)
        except ValidationError as exc:
            raise ValidationFailed(
                "The profile did not pass validation.",
                details=validation_details(exc.errors(), prefix=("profile",)),
            ) from None
        await self._service.replace_profile(user_id, document)

    async def set_skills(self, user_id: uuid.UUID, skills: list[dict[str, Any]]) -> list[str]:
        """Replace the user's skills (`name`, optional `level` and `years`); their names as kept."""
        try:
            inputs = _SKILL_INPUTS.validate_python(skills)
        except ValidationError as exc:
            raise ValidationFailed(
                "The skills did not pass validation.",
                details=validation_details(exc.errors(), prefix=("skills",)),
            ) from None
        return [skill.name for skill in await self._service.replace_skills(user_id, inputs)]

"""What other parts of the platform may ask of the users domain."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.users.repository import UserRepository
from jobpilot.users.service import UsersComponents, UsersService
from jobpilot.users.skills.taxonomy import Taxonomy

__all__ = ["SkillRef", "SkillsFacade", "UsersComponents", "UsersFacade"]


@dataclass(frozen=True)
class SkillRef:
    """A skill of the taxonomy: its stable id and its name."""

    id: str
    name: str


class SkillsFacade:
    """The skill taxonomy, for reading skills out of text and comparing them (no database)."""

    def __init__(self) -> None:
        self._taxonomy = Taxonomy.load()

    def mentions(self, text: str) -> list[SkillRef]:
        """The skills `text` names, each once, in order of appearance."""
        return [SkillRef(skill.id, skill.name) for skill in self._taxonomy.mentions(text)]

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

    async def release_quota(self, user_id: uuid.UUID, quota: str, amount: int = 1) -> None:
        """Give back part of a lifetime quota."""
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

    async def change_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Move a user to another subscription tier (admins)."""
        await self._service.change_tier(user_id, tier)

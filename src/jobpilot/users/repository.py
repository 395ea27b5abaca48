"""Every SQL statement on the users tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.kit.db import insert_or_ignore
from jobpilot.users.models import Avatar, Profile, QuotaUsage, UserSkill


class UserRepository:
    """Reads and writes profiles, skills, quota usage and avatars."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def profile(self, user_id: uuid.UUID) -> Profile | None:
        """The user's profile row."""
        return await self.session.get(Profile, user_id)

    def add(self, row: object) -> None:
        """Stage a new row."""
        self.session.add(row)

    async def flush(self) -> None:
        """Send staged changes."""
        await self.session.flush()

    async def skills(self, user_id: uuid.UUID) -> Sequence[UserSkill]:
        """The user's skills in the order they gave them."""
        rows = await self.session.scalars(
            select(UserSkill).where(UserSkill.user_id == user_id).order_by(UserSkill.position)
        )
        return rows.all()

    async def replace_skills(self, user_id: uuid.UUID, skills: list[UserSkill]) -> None:
        """Make `skills` the user's skills."""
        await self.session.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
        self.session.add_all(skills)
        await self.session.flush()

    async def consume(
        self, user_id: uuid.UUID, quota: str, period_start: datetime, amount: int, limit: int
    ) -> int | None:
        """Add `amount` to the usage if it stays within `limit`; the new usage, or None.

        One conditional UPDATE does check and count together: on PostgreSQL a concurrent one
        waits for the row lock and re-checks the condition, on SQLite writers are serialised.
        """
        await self.session.execute(
            insert_or_ignore(
                self.session,
                QuotaUsage,
                ["user_id", "quota", "period_start"],
                user_id=user_id,
                quota=quota,
                period_start=period_start,
                used=0,
            )
        )
        result = await self.session.execute(
            update(QuotaUsage)
            .where(
                QuotaUsage.user_id == user_id,
                QuotaUsage.quota == quota,
                QuotaUsage.period_start == period_start,
                QuotaUsage.used + amount <= limit,
            )
            .values(used=QuotaUsage.used + amount)
            .returning(QuotaUsage.used)
            .execution_options(synchronize_session=False)
        )
        row = result.first()
        return None if row is None else int(row[0])

    async def release(
        self, user_id: uuid.UUID, quota: str, period_start: datetime, amount: int
    ) -> None:
        """Give back `amount` (never below zero)."""
        await self.session.execute(
            update(QuotaUsage)
            .where(
                QuotaUsage.user_id == user_id,
                QuotaUsage.quota == quota,
                QuotaUsage.period_start == period_start,
                QuotaUsage.used >= amount,
            )
            .values(used=QuotaUsage.used - amount)
            .execution_options(synchronize_session=False)
        )

    async def usage(self, user_id: uuid.UUID) -> Sequence[QuotaUsage]:
        """Every usage row of the user."""
        rows = await self.session.scalars(select(QuotaUsage).where(QuotaUsage.user_id == user_id))
        return rows.all()

    async def avatar(self, user_id: uuid.UUID) -> Avatar | None:
        """The user's current avatar."""
        return await self.session.get(Avatar, user_id)

    async def erase(self, user_id: uuid.UUID) -> None:
        """Delete every row of the user in this domain."""
        for model in (UserSkill, QuotaUsage):
            await self.session.execute(delete(model).where(model.user_id == user_id))
        for single in (Profile, Avatar):
            await self.session.execute(delete(single).where(single.user_id == user_id))

"""Every SQL statement on the jobs tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.models import Company, Posting
from jobpilot.jobs.schemas import JobFilters


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


class JobRepository:
    """Reads and writes postings and companies."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _postings(self, filters: JobFilters) -> Select[Posting, str]:
        stmt = select(Posting, Company.name).join(Company, Company.id == Posting.company_id)
        if filters.q:
            pattern = _like_pattern(filters.q)
            stmt = stmt.where(
                or_(
                    func.lower(Posting.title).like(pattern, escape="\\"),
                    func.lower(Company.name).like(pattern, escape="\\"),
                    func.lower(Posting.location).like(pattern, escape="\\"),
                )
            )
        if filters.company_id is not None:
            stmt = stmt.where(Posting.company_id == filters.company_id)
        if filters.remote is not None:
            stmt = stmt.where(Posting.remote == filters.remote)
        return stmt

    async def search(
        self, filters: JobFilters, offset: int, limit: int
    ) -> tuple[Sequence[tuple[Posting, str]], int]:
        """A page of postings matching `filters`, newest first, and the total count."""
        stmt = self._postings(filters)
        total = await self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = await self.session.execute(
            stmt.order_by(Posting.posted_at.desc(), Posting.id).offset(offset).limit(limit)
        )
        return [(row[0], row[1]) for row in rows.all()], int(total or 0)

    async def get(self, job_id: uuid.UUID) -> tuple[Posting, str] | None:
        """The posting with `job_id` and its company's name."""
        row = (
            await self.session.execute(
                select(Posting, Company.name)
                .join(Company, Company.id == Posting.company_id)
                .where(Posting.id == job_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def companies(self, offset: int, limit: int) -> tuple[Sequence[Company], int]:
        """A page of companies by name, and the total count."""
        total = await self.session.scalar(select(func.count()).select_from(Company))
        rows = await self.session.scalars(
            select(Company).order_by(Company.name).offset(offset).limit(limit)
        )
        return rows.all(), int(total or 0)

    async def company(self, company_id: uuid.UUID) -> Company | None:
        """The company with `company_id`."""
        return await self.session.get(Company, company_id)

    async def company_by_slug(self, slug: str) -> Company | None:
        """The company with `slug`."""
        return await self.session.scalar(select(Company).where(Company.slug == slug))

    async def posting_by_source(self, source: str, external_id: str) -> Posting | None:
        """The posting a board knows as `external_id`."""
        return await self.session.scalar(
            select(Posting).where(Posting.source == source, Posting.external_id == external_id)
        )

    def add(self, row: Company | Posting) -> None:
        """Stage a new row."""
        self.session.add(row)

    async def flush(self) -> None:
        """Send staged rows so that their ids exist."""
        await self.session.flush()

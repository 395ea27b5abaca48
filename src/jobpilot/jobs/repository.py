"""SQL on the jobs tables that is not search (jobs/search/) or ingestion (ingest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.models import Board, Company, Posting, PostingCountry, SavedSearch, Source
from jobpilot.jobs.search.common import like_pattern


class JobRepository:
    """Reads postings, companies and boards; reads and writes saved searches."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def postings(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Posting]:
        """The postings with `ids`."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Posting).where(Posting.id.in_(ids)))
        return {p.id: p for p in rows}

    async def open_posting_ids(self) -> list[uuid.UUID]:
        """The id of every open posting."""
        return list(await self.session.scalars(select(Posting.id).where(Posting.status == "open")))

    async def board_freshness(
        self, fresh_since: datetime
    ) -> tuple[int, int, int, int, datetime | None]:
        """Over the active boards: how many there are, how many were read successfully at or
        after `fresh_since`, how many failed their last run, how many were never read, and the
        oldest last success."""
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.count().filter(Board.last_success_at >= fresh_since),
                    func.count().filter(Board.last_status == "error"),
                    func.count().filter(Board.last_success_at.is_(None)),
                    func.min(Board.last_success_at),
                ).where(Board.active.is_(True))
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3]), row[4]

    async def countries(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        """The ISO country codes of each of the postings with `ids` (sorted)."""
        found: dict[uuid.UUID, list[str]] = {}
        if not ids:
            return found
        rows = await self.session.execute(
            select(PostingCountry.posting_id, PostingCountry.country)
            .where(PostingCountry.posting_id.in_(ids))
            .order_by(PostingCountry.country)
        )
        for posting_id, country in rows:
            found.setdefault(posting_id, []).append(country)
        return found

    async def posting(self, job_id: uuid.UUID) -> Posting | None:
        """The posting with `job_id`."""
        return await self.session.get(Posting, job_id)

    async def sources(self, job_id: uuid.UUID) -> Sequence[Source]:
        """Every source of a posting, open ones first."""
        rows = await self.session.scalars(
            select(Source)
            .where(Source.posting_id == job_id)
            .order_by(Source.status.desc(), Source.first_seen_at)
        )
        return rows.all()

    async def companies_by_id(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Company]:
        """The companies with `ids`."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Company).where(Company.id.in_(set(ids))))
        return {c.id: c for c in rows}

    async def company_ids(self, slugs_or_ids: Sequence[str]) -> list[uuid.UUID]:
        """The ids of the companies named by slug or id (unknown ones are left out)."""
        ids, slugs = [], []
        for value in slugs_or_ids:
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                slugs.append(value)
        if slugs:
            ids.extend(
                await self.session.scalars(select(Company.id).where(Company.slug.in_(slugs)))
            )
        return ids

    async def companies(
        self, q: str | None, offset: int, limit: int
    ) -> tuple[Sequence[Company], int]:
        """A page of companies by name (names containing `q`), and the total."""
        stmt = select(Company)
        if q:
            stmt = stmt.where(func.lower(Company.name).like(like_pattern(q), escape="\\"))
        total = await self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = await self.session.scalars(
            stmt.order_by(Company.name, Company.id).offset(offset).limit(limit)
        )
        return rows.all(), int(total or 0)

    async def company(self, company_id: uuid.UUID) -> Company | None:
        """The company with `company_id`."""
        return await self.session.get(Company, company_id)

    async def boards(self, company_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Board]]:
        """The boards of each company."""
        found: dict[uuid.UUID, list[Board]] = {c: [] for c in company_ids}
        if company_ids:
            rows = await self.session.scalars(
                select(Board).where(Board.company_id.in_(company_ids)).order_by(Board.key)
            )
            for board in rows:
                found[board.company_id].append(board)
        return found

    async def boards_by_id(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Board]:
        """The boards with these ids."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Board).where(Board.id.in_(set(ids))))
        return {board.id: board for board in rows}

    async def open_postings(self, company_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many open postings each company has."""
        if not company_ids:
            return {}
        rows = await self.session.execute(
            select(Posting.company_id, func.count())
            .where(Posting.company_id.in_(company_ids), Posting.status == "open")
            .group_by(Posting.company_id)
        )
        return {row[0]: int(row[1]) for row in rows}

    # Saved searches

    async def saved_searches(self, user_id: uuid.UUID) -> Sequence[SavedSearch]:
        """A user's saved searches by name."""
        rows = await self.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.name)
        )
        return rows.all()

    async def saved_search(self, user_id: uuid.UUID, search_id: uuid.UUID) -> SavedSearch | None:
        """The user's saved search `search_id` (None for another user's)."""
        return await self.session.scalar(
            select(SavedSearch).where(SavedSearch.id == search_id, SavedSearch.user_id == user_id)
        )

    async def saved_search_named(self, user_id: uuid.UUID, name: str) -> SavedSearch | None:
        """The user's saved search called `name`."""
        return await self.session.scalar(
            select(SavedSearch).where(SavedSearch.user_id == user_id, SavedSearch.name == name)
        )

    def add(self, row: SavedSearch) -> None:
        """Stage a new row."""
        self.session.add(row)

    async def delete(self, row: SavedSearch) -> None:
        """Delete a row."""
        await self.session.delete(row)

    async def flush(self) -> None:
        """Send staged changes."""
        await self.session.flush()

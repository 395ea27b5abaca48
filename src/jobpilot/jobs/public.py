"""What other parts of the platform may ask of the jobs domain."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from jobpilot.jobs.ats.base import AtsHttp, BoardRef, FormQuestion
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.errors import JobNotFound
from jobpilot.jobs.normalise import seniority_of
from jobpilot.jobs.repository import JobRepository
from jobpilot.jobs.schemas import SearchFilters
from jobpilot.jobs.search import search_for
from jobpilot.jobs.service import job_summary, search_query
from jobpilot.kit.db import Database

__all__ = [
    "BoardFreshness",
    "FormQuestion",
    "JobsFacade",
    "PostingRef",
    "PostingText",
    "SubmissionTarget",
    "seniority_of",
]

# Postings read per query (bound parameters stay well under SQLite's limit).
_CHUNK = 500


@dataclass(frozen=True)
class PostingText:
    """What another domain needs to embed and filter a posting."""

    id: uuid.UUID
    open: bool
    title: str
    company: str
    description_text: str
    workplace: str | None
    employment_type: str | None
    seniority: str | None
    countries: list[str]
    salary_yearly_max: float | None
    listed_at: datetime
    # Same company, normalised title and place: a repost of the same job has the same key.
    dedup_key: str = ""
    # The posting as a list of results shows it (JSON-ready), when asked for.
    summary: dict[str, Any] | None = None


@dataclass(frozen=True)
class PostingRef:
    """What an application records of the posting it is for."""

    id: uuid.UUID
    title: str
    company: str
    url: str | None
    apply_url: str | None
    ats: str
    open: bool
    # Same company, normalised title and place: a repost of the same job has the same key.
    dedup_key: str


@dataclass(frozen=True)
class SubmissionTarget:
    """Where an application to a posting goes: the ATS, the board's tenant, the posting's id
    there and its apply page."""

    ats: str
    tenant: str
    posting_id: str
    apply_url: str | None
    host: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class BoardFreshness:
    """How recent the active boards' postings are, at `at`."""

    at: datetime
    # Boards are read again when their last run is older than this.
    refresh_minutes: int
    boards: int
    # Read successfully within the refresh interval.
    fresh: int
    # Whose last run failed (their postings are as old as their last success).
    failing: int
    never_read: int
    oldest_success_at: datetime | None

    @property
    def oldest_success_age(self) -> timedelta | None:
        """How long ago the stalest board (of those ever read) was last read successfully."""
        return self.at - self.oldest_success_at if self.oldest_success_at else None


class JobsFacade:
    """Reads for other domains, each in its own unit of work."""

    def __init__(
        self, db: Database, http: AtsHttp | None = None, settings: JobsSettings | None = None
    ) -> None:
        self._db = db
        self._http = http
        self._settings = settings or JobsSettings()

    async def board_freshness(self, now: datetime) -> BoardFreshness:
        """The active boards, how many were read within the refresh interval, how many
        failed their last run, and when the stalest was last read successfully."""
        minutes = self._settings.refresh_minutes
        async with self._db.unit_of_work() as session:
            boards, fresh, failing, never, oldest = await JobRepository(session).board_freshness(
                now - timedelta(minutes=minutes)
            )
        return BoardFreshness(
            at=now,
            refresh_minutes=minutes,
            boards=boards,
            fresh=fresh,
            failing=failing,
            never_read=never,
            oldest_success_at=oldest,
        )

    async def posting_texts(
        self, ids: Collection[uuid.UUID], *, with_summary: bool = False
    ) -> list[PostingText]:
        """The postings among `ids` that exist, open or closed, in no particular order (with
        their result-list summary when `with_summary`)."""
        wanted = sorted(set(ids))
        found: list[PostingText] = []
        async with self._db.unit_of_work() as session:
            repository = JobRepository(session)
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                countries = await repository.countries(chunk)
                postings = (await repository.postings(chunk)).values()
                companies = (
                    await repository.companies_by_id([p.company_id for p in postings])
                    if with_summary
                    else {}
                )
                found += [
                    PostingText(
                        id=p.id,
                        open=p.status == "open",
                        title=p.title,
                        company=p.company_name,
                        description_text=p.description_text,
                        workplace=p.workplace,
                        employment_type=p.employment_type,
                        seniority=p.seniority,
                        countries=countries.get(p.id, []),
                        salary_yearly_max=p.salary_yearly_max,
                        listed_at=p.listed_at,
                        dedup_key=p.dedup_key,
                        summary=job_summary(p, companies[p.company_id]).model_dump(mode="json")
                        if with_summary
                        else None,
                    )
                    for p in postings
                ]
        return found

    async def posting_refs(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, PostingRef]:
        """The postings among `ids` that exist, open or closed, by id."""
        wanted = sorted(set(ids))
        found: dict[uuid.UUID, PostingRef] = {}
        async with self._db.unit_of_work() as session:
            repository = JobRepository(session)
            for start in range(0, len(wanted), _CHUNK):
                for p in (await repository.postings(wanted[start : start + _CHUNK])).values():
                    found[p.id] = PostingRef(
                        id=p.id,
                        title=p.title,
                        company=p.company_name,
                        url=p.url,
                        apply_url=p.apply_url,
                        ats=p.ats,
                        open=p.status == "open",
                        dedup_key=p.dedup_key,
                    )
        return found

    async def application_form(self, job_id: uuid.UUID) -> list[FormQuestion] | None:
        """The posting's application form as its ATS defines it, read live from the ATS; None
        when the ATS publishes no definition (the form lives behind an account wall or only
        on its site). 404 `job_not_found` for an unknown posting; the ATS's errors as they are."""
        if self._http is None:
            msg = "this JobsFacade was built without an ATS HTTP client"
            raise RuntimeError(msg)
        async with self._db.unit_of_work() as session:
            repository = JobRepository(session)
            if await repository.posting(job_id) is None:
                raise JobNotFound
            sources = list(await repository.sources(job_id))
            boards = await repository.boards_by_id(
                [s.board_id for s in sources if s.board_id is not None]
            )
        for source in sources:
            ats = adapter(source.ats)
            if ats is None:
                continue
            board = boards.get(source.board_id) if source.board_id else None
            ref = BoardRef(
                source.ats,
                source.tenant,
                host=board.host if board is not None else None,
                site=board.site if board is not None else None,
            )
            return await ats.get_application_form(self._http, ref, source.source_id)
        return None

    async def submission_target(self, job_id: uuid.UUID) -> SubmissionTarget | None:
        """The ATS board and posting an application to `job_id` goes to (its first listing
        with a known ATS); None when the posting is unknown or listed by no ATS we know."""
        async with self._db.unit_of_work() as session:
            repository = JobRepository(session)
            posting = await repository.posting(job_id)
            if posting is None:
                return None
            sources = list(await repository.sources(job_id))
            boards = await repository.boards_by_id(
                [s.board_id for s in sources if s.board_id is not None]
            )
        for source in sources:
            if adapter(source.ats) is None:
                continue
            board = boards.get(source.board_id) if source.board_id else None
            return SubmissionTarget(
                ats=source.ats,
                tenant=source.tenant,
                posting_id=source.source_id,
                apply_url=source.apply_url or source.url or posting.apply_url or posting.url,
                host=board.host if board is not None else None,
                site=board.site if board is not None else None,
            )
        return None

    async def saved_search_hits(
        self, user_id: uuid.UUID, search_id: uuid.UUID, ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID] | None:
        """The open postings among `ids` that the user's saved search `search_id` finds (None
        when the user has no such saved search)."""
        async with self._db.unit_of_work() as session:
            repository = JobRepository(session)
            saved = await repository.saved_search(user_id, search_id)
            if saved is None:
                return None
            wanted = tuple(sorted(set(ids)))
            if not wanted:
                return set()
            query = await search_query(repository, SearchFilters.model_validate(saved.filters))
            backend = search_for(self._db.dialect)
            found: set[uuid.UUID] = set()
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                page = await backend.search(
                    session, replace(query, posting_ids=chunk), limit=len(chunk)
                )
                found.update(page.ids)
            return found

    async def open_posting_ids(self) -> list[uuid.UUID]:
        """The id of every open posting."""
        async with self._db.unit_of_work() as session:
            return await JobRepository(session).open_posting_ids()

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The user's saved searches, for a data export."""
        async with self._db.unit_of_work() as session:
            rows = await JobRepository(session).saved_searches(user_id)
            return {
                "saved_searches": [
                    {
                        "id": str(r.id),
                        "name": r.name,
                        "filters": r.filters,
                        "created_at": r.created_at.isoformat(),
                        "updated_at": r.updated_at.isoformat(),
                    }
                    for r in rows
                ]
            }

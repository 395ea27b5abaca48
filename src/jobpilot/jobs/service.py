"""The jobs domain's rules: search, postings, companies and their boards, saved searches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.ats.base import AtsHttp, AtsPosting
from jobpilot.jobs.ats.jsonld import extract_job_postings
from jobpilot.jobs.ats.registry import detect
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.errors import (
    BoardAlreadyRegistered,
    CompanyNotFound,
    InvalidCursor,
    JobNotFound,
    NoJobPosting,
    SavedSearchNameTaken,
    SavedSearchNotFound,
    UnsupportedUrl,
)
from jobpilot.jobs.fetch import UnsafeUrl, fetch_page
from jobpilot.jobs.ingest import Ingester, board_key
from jobpilot.jobs.models import Board, Company, Posting, SavedSearch
from jobpilot.jobs.repository import JobRepository
from jobpilot.jobs.schemas import (
    BoardRead,
    CompanyCreate,
    CompanyRead,
    CompanyRef,
    FacetValue,
    JobDetail,
    JobSearchResult,
    JobSummary,
    LocationRead,
    Salary,
    SavedSearchRead,
    SavedSearchWrite,
    SearchFilters,
    SourceRead,
    posted_within_delta,
)
from jobpilot.jobs.search import search_for
from jobpilot.jobs.search.base import InvalidQuery, JobQuery
from jobpilot.kit.clock import utcnow
from jobpilot.kit.errors import ValidationFailed
from jobpilot.kit.pagination import Page, PageParams
from jobpilot.kit.runtime import RuntimeSettings
from jobpilot.kit.tasks import enqueue
from jobpilot.users.public import UsersComponents, UsersFacade

INGEST_BOARD = "jobs.ingest_board"
SAVED_SEARCHES_QUOTA = "saved_searches"
SNIPPET_CHARS = 280
FACET_VALUES = 20
# A company filter that names no known company matches nothing.
_NO_COMPANY = uuid.UUID(int=0)
_LABELS = {
    "remote": "Remote",
    "hybrid": "Hybrid",
    "onsite": "On-site",
    "full_time": "Full-time",
    "part_time": "Part-time",
    "contract": "Contract",
    "temporary": "Temporary",
    "internship": "Internship",
}


@dataclass
class JobsComponents:
    """The long-lived parts the jobs service works with (built once by wiring)."""

    settings: JobsSettings
    http: AtsHttp
    users: UsersComponents
    # Runtime settings: the refresh interval and the ingestion pause (jobs/runtime.py).
    runtime: RuntimeSettings


def _salary(posting: Posting) -> Salary | None:
    if posting.salary_min is None and posting.salary_max is None:
        return None
    return Salary(
        min=posting.salary_min,
        max=posting.salary_max,
        currency=posting.salary_currency,
        period=posting.salary_period,
    )


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def _summary_fields(posting: Posting, company: Company) -> dict[str, object]:
    return {
        "id": posting.id,
        "title": posting.title,
        "company": CompanyRef(id=company.id, slug=company.slug, name=company.name),
        "department": posting.department,
        "location": posting.location,
        "city": posting.city,
        "region": posting.region,
        "country": posting.country,
        "workplace": posting.workplace,
        "employment_type": posting.employment_type,
        "seniority": posting.seniority,
        "salary": _salary(posting),
        "posted_at": posting.posted_at,
        "listed_at": posting.listed_at,
        "status": posting.status,
        "ats": posting.ats,
        "url": posting.url,
        "apply_url": posting.apply_url,
        "snippet": _snippet(posting.description_text),
    }


def job_summary(posting: Posting, company: Company) -> JobSummary:
    """A posting as a list of results shows it."""
    return JobSummary.model_validate(_summary_fields(posting, company))


def _label(facet: str, value: str, companies: dict[uuid.UUID, Company]) -> str:
    if facet == "company":
        company = companies.get(uuid.UUID(value))
        return company.name if company else value
    if facet == "country":
        country = pycountry.countries.get(alpha_2=value)
        return str(getattr(country, "common_name", None) or country.name) if country else value
    return _LABELS.get(value, value.replace("_", " ").capitalize())


async def search_query(
    repository: JobRepository, filters: SearchFilters, now: datetime | None = None
) -> JobQuery:
    """The search port's query for API (or saved search) filters."""
    company_ids: tuple[uuid.UUID, ...] = ()
    if filters.company:
        company_ids = tuple(await repository.company_ids(filters.company)) or (_NO_COMPANY,)
    since = None
    if filters.posted_within:
        since = (now or utcnow()) - posted_within_delta(filters.posted_within)
    return JobQuery(
        q=filters.q,
        location=filters.location,
        countries=tuple(filters.country),
        workplaces=tuple(filters.remote),
        salary_min=filters.salary_min,
        listed_since=since,
        company_ids=company_ids,
        ats=tuple(filters.ats),
        employment_types=tuple(filters.employment_type),
        seniorities=tuple(filters.seniority),
        sort=filters.sort,
    )


class JobsService:
    """What the jobs API does, in one unit of work."""

    def __init__(self, session: AsyncSession, components: JobsComponents) -> None:
        self.session = session
        self.components = components
        self.repository = JobRepository(session)

    # Search

    async def query(self, filters: SearchFilters, now: datetime | None = None) -> JobQuery:
        """The search port's query for API filters."""
        return await search_query(self.repository, filters, now)

    async def search(
        self,
        filters: SearchFilters,
        *,
        limit: int,
        cursor: str | None = None,
        facets: bool = False,
    ) -> JobSearchResult:
        """A page of open postings matching `filters`, and facet counts when asked."""
        query = await self.query(filters)
        backend = search_for(self.session.get_bind().dialect.name)
        try:
            page = await backend.search(self.session, query, limit=limit, cursor=cursor)
        except InvalidQuery as exc:
            raise InvalidCursor(str(exc) or None) from exc
        postings = await self.repository.postings(page.ids)
        counts = await backend.facets(self.session, query) if facets else None
        company_ids = [p.company_id for p in postings.values()]
        if counts is not None:
            company_ids += [uuid.UUID(v) for v in counts.get("company", {})]
        companies = await self.repository.companies_by_id(company_ids)
        items = [
            JobSummary.model_validate(
                {
                    **_summary_fields(postings[i], companies[postings[i].company_id]),
                    "score": page.scores.get(i),
                }
            )
            for i in page.ids
            if i in postings
        ]
        facet_values = None
        if counts is not None:
            facet_values = {
                facet: [
                    FacetValue(value=value, label=_label(facet, value, companies), count=count)
                    for value, count in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[
                        :FACET_VALUES
                    ]
                ]
                for facet, values in counts.items()
            }
        return JobSearchResult(
            items=items,
            total=page.total,
            total_exact=page.total_exact,
            next_cursor=page.next_cursor,
            facets=facet_values,
        )

    async def get(self, job_id: uuid.UUID) -> JobDetail:
        """One posting with its description and sources; JobNotFound when absent."""
        posting = await self.repository.posting(job_id)
        if posting is None:
            raise JobNotFound
        company = await self.repository.company(posting.company_id)
        assert company is not None
        sources = await self.repository.sources(job_id)
        return JobDetail.model_validate(
            {
                **_summary_fields(posting, company),
                "title_normalised": posting.title_normalised,
                "locations": [LocationRead.model_validate(loc) for loc in posting.locations],
                "description_html": posting.description_html,
                "description_text": posting.description_text,
                "first_seen_at": posting.first_seen_at,
                "last_seen_at": posting.last_seen_at,
                "closed_at": posting.closed_at,
                "sources": [SourceRead.model_validate(s) for s in sources],
            }
        )

    async def import_url(self, url: str) -> tuple[JobDetail, bool]:
        """Store the posting at `url`; True when it is a new job."""
        raw = await self._read_posting(url)
        try:
            posting, created = await Ingester(
                self.session, self.components.settings
            ).import_posting(raw)
        except ValueError as exc:
            raise NoJobPosting(f"The posting on this page cannot be used: {exc}.") from exc
        return await self.get(posting.id), created

    async def _read_posting(self, url: str) -> AtsPosting:
        http = self.components.http
        found = detect(url)
        if found is not None:
            ats, ref = found
            if ref.tenant and ref.posting_id:
                return await ats.get_posting(http, ref, ref.posting_id)
        try:
            page, final_url = await fetch_page(
                http, url, proxied=bool(self.components.settings.ats_proxy_url)
            )
        except UnsafeUrl as exc:
            raise ValidationFailed(
                f"This URL cannot be read: {exc}.",
                details=[{"loc": ["body", "url"], "msg": str(exc), "type": "unsafe_url"}],
            ) from exc
        postings = extract_job_postings(page, final_url)
        if not postings:
            raise NoJobPosting
        host = (urlsplit(final_url).hostname or "web").lower()
        first = postings[0]
        return replace(first, ats="jsonld", tenant=host[:200], source_id=first.source_id or url)

    # Companies and boards

    async def _company_reads(self, companies: list[Company]) -> list[CompanyRead]:
        ids = [c.id for c in companies]
        boards = await self.repository.boards(ids)
        counts = await self.repository.open_postings(ids)
        return [
            CompanyRead(
                id=c.id,
                slug=c.slug,
                name=c.name,
                website=c.website,
                open_postings=counts.get(c.id, 0),
                boards=[BoardRead.model_validate(b) for b in boards[c.id]],
            )
            for c in companies
        ]

    async def companies(self, q: str | None, page: PageParams) -> Page[CompanyRead]:
        """Companies by name, with their boards and open-posting counts."""
        rows, total = await self.repository.companies(q, page.offset, page.limit)
        return Page(
            items=await self._company_reads(list(rows)),
            total=total,
            offset=page.offset,
            limit=page.limit,
        )

    async def company(self, company_id: uuid.UUID) -> CompanyRead:
        """One company; CompanyNotFound when absent."""
        company = await self.repository.company(company_id)
        if company is None:
            raise CompanyNotFound
        return (await self._company_reads([company]))[0]

    async def register_board(self, body: CompanyCreate) -> CompanyRead:
        """Register the board of a careers URL (and its company), and queue its first read."""
        url = str(body.url)
        found = detect(url)
        if found is None or not found[1].tenant:
            raise UnsupportedUrl(
                details=[
                    {
                        "loc": ["body", "url"],
                        "msg": "not the careers page of a supported ATS",
                        "type": "unsupported_url",
                    }
                ]
            )
        ref = found[1]
        ingester = Ingester(self.session, self.components.settings)
        key = board_key(ref.ats, ref.tenant, ref.site)
        existing = await ingester.board(key)
        if existing is not None:
            raise BoardAlreadyRegistered(
                details={"board": key, "company_id": str(existing.company_id)}
            )
        if body.company_id is not None:
            company = await self.repository.company(body.company_id)
            if company is None:
                raise CompanyNotFound
        else:
            website = str(body.website) if body.website else None
            company = await ingester.company(body.name or ref.tenant, website)
        board, _ = await ingester.ensure_board(company, ref, url)
        if body.ingest:
            await self.queue_ingest(board)
        return await self.company(company.id)

    async def queue_ingest(self, board: Board) -> None:
        """Queue a read of `board` (once, however often asked before it runs)."""
        await enqueue(
            self.session,
            INGEST_BOARD,
            idempotency_key=f"{INGEST_BOARD}:{board.id}:{int(utcnow().timestamp() // 60)}",
            board_id=str(board.id),
            ats=board.ats,
            tenant=board.tenant,
            host=board.host,
            site=board.site,
        )

    async def refresh_company(self, company_id: uuid.UUID) -> CompanyRead:
        """Queue a read of every board of a company."""
        company = await self.repository.company(company_id)
        if company is None:
            raise CompanyNotFound
        for board in (await self.repository.boards([company_id]))[company_id]:
            if board.active:
                await self.queue_ingest(board)
        return await self.company(company_id)

    # Saved searches

    def _saved(self, row: SavedSearch) -> SavedSearchRead:
        return SavedSearchRead(
            id=row.id,
            name=row.name,
            filters=SearchFilters.model_validate(row.filters),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def saved_searches(self, user_id: uuid.UUID) -> list[SavedSearchRead]:
        """The user's saved searches."""
        return [self._saved(r) for r in await self.repository.saved_searches(user_id)]

    async def saved_search(self, user_id: uuid.UUID, search_id: uuid.UUID) -> SavedSearchRead:
        """One of the user's saved searches."""
        return self._saved(await self._own(user_id, search_id))

    async def _own(self, user_id: uuid.UUID, search_id: uuid.UUID) -> SavedSearch:
        row = await self.repository.saved_search(user_id, search_id)
        if row is None:
            raise SavedSearchNotFound
        return row

    async def create_saved_search(
        self, user_id: uuid.UUID, tier: str, body: SavedSearchWrite
    ) -> SavedSearchRead:
        """Save a search, within the tier's quota (402 when it is used up)."""
        if await self.repository.saved_search_named(user_id, body.name) is not None:
            raise SavedSearchNameTaken
        await UsersFacade(self.session, self.components.users).consume_quota(
            user_id, tier, SAVED_SEARCHES_QUOTA
        )
        now = utcnow()
        row = SavedSearch(
            id=uuid.uuid4(),
            user_id=user_id,
            name=body.name,
            filters=body.filters.model_dump(mode="json", exclude_defaults=True),
            created_at=now,
            updated_at=now,
        )
        self.repository.add(row)
        await self.repository.flush()
        return self._saved(row)

    async def update_saved_search(
        self, user_id: uuid.UUID, search_id: uuid.UUID, body: SavedSearchWrite
    ) -> SavedSearchRead:
        """Rename a saved search or change its filters."""
        row = await self._own(user_id, search_id)
        clash = await self.repository.saved_search_named(user_id, body.name)
        if clash is not None and clash.id != row.id:
            raise SavedSearchNameTaken
        row.name = body.name
        row.filters = body.filters.model_dump(mode="json", exclude_defaults=True)
        row.updated_at = utcnow()
        await self.repository.flush()
        return self._saved(row)

    async def delete_saved_search(self, user_id: uuid.UUID, search_id: uuid.UUID) -> None:
        """Delete a saved search and give its quota back."""
        row = await self._own(user_id, search_id)
        await self.repository.delete(row)
        await UsersFacade(self.session, self.components.users).release_quota(
            user_id, SAVED_SEARCHES_QUOTA
        )

    async def delete_user_data(self, user_id: uuid.UUID) -> int:
        """Erase a deleted account's saved searches; how many there were."""
        rows = await self.repository.saved_searches(user_id)
        for row in rows:
            await self.repository.delete(row)
        return len(rows)

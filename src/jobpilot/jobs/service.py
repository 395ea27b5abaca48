"""The jobs domain's rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from jobpilot.jobs.errors import CompanyNotFound, JobNotFound
from jobpilot.jobs.models import Company, Posting
from jobpilot.jobs.repository import JobRepository
from jobpilot.jobs.schemas import CompanyRead, JobFilters, JobRead
from jobpilot.kit.clock import utcnow
from jobpilot.kit.pagination import Page, PageParams


def _job_read(posting: Posting, company_name: str) -> JobRead:
    return JobRead.model_validate(
        {
            **{c: getattr(posting, c) for c in JobRead.model_fields if c != "company_name"},
            "company_name": company_name,
        }
    )


class JobService:
    """Searches and reads postings and companies, and stores what boards publish."""

    def __init__(self, repository: JobRepository) -> None:
        self.repository = repository

    async def search(self, filters: JobFilters, page: PageParams) -> Page[JobRead]:
        """Postings matching `filters`, newest first."""
        rows, total = await self.repository.search(filters, page.offset, page.limit)
        return Page(
            items=[_job_read(p, name) for p, name in rows],
            total=total,
            offset=page.offset,
            limit=page.limit,
        )

    async def get(self, job_id: uuid.UUID) -> JobRead:
        """One posting; JobNotFound when absent."""
        row = await self.repository.get(job_id)
        if row is None:
            raise JobNotFound
        return _job_read(*row)

    async def companies(self, page: PageParams) -> Page[CompanyRead]:
        """Companies by name."""
        rows, total = await self.repository.companies(page.offset, page.limit)
        return Page(
            items=[CompanyRead.model_validate(c) for c in rows],
            total=total,
            offset=page.offset,
            limit=page.limit,
        )

    async def company(self, company_id: uuid.UUID) -> CompanyRead:
        """One company; CompanyNotFound when absent."""
        company = await self.repository.company(company_id)
        if company is None:
            raise CompanyNotFound
        return CompanyRead.model_validate(company)

    async def upsert_company(self, data: dict[str, Any]) -> tuple[Company, bool]:
        """Create the company with `data["slug"]` or update it; True when it was created."""
        company = await self.repository.company_by_slug(data["slug"])
        created = company is None
        if company is None:
            company = Company(id=uuid.uuid4(), slug=data["slug"], created_at=utcnow())
            self.repository.add(company)
        company.name = data["name"]
        company.website = data.get("website")
        company.ats = data.get("ats")
        company.ats_tenant = data.get("ats_tenant")
        await self.repository.flush()
        return company, created

    async def upsert_posting(self, company: Company, data: dict[str, Any]) -> bool:
        """Create or update the posting a board knows as `data["external_id"]`; True if new."""
        now = utcnow()
        posting = await self.repository.posting_by_source(data["source"], data["external_id"])
        created = posting is None
        if posting is None:
            posting = Posting(
                id=uuid.uuid4(),
                source=data["source"],
                external_id=data["external_id"],
                created_at=now,
            )
            self.repository.add(posting)
        posting.company_id = company.id
        posting.title = data["title"]
        posting.location = data.get("location")
        posting.remote = bool(data.get("remote", False))
        posting.employment_type = data.get("employment_type")
        posting.description = data.get("description", "")
        posting.url = data.get("url")
        posted = data.get("posted_at")
        posting.posted_at = datetime.fromisoformat(posted) if posted else None
        posting.updated_at = now
        await self.repository.flush()
        return created

"""The jobs service's JSON routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jobpilot.jobs.deps import JobServiceDep
from jobpilot.jobs.schemas import CompanyRead, JobFilters, JobRead
from jobpilot.kit.authn import current_principal
from jobpilot.kit.pagination import Page, PageParams, page_params

# Every jobs route needs a signed-in caller (the gateway's route table: JWT yes).
router = APIRouter(tags=["jobs"], dependencies=[Depends(current_principal)])

Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/api/v1/jobs", summary="Search job postings")
async def search_jobs(
    service: JobServiceDep,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in title, company or location.")
    ] = None,
    company_id: Annotated[
        uuid.UUID | None, Query(description="Only this company's postings.")
    ] = None,
    remote: Annotated[
        bool | None, Query(description="Only remote (true) or on-site (false).")
    ] = None,
) -> Page[JobRead]:
    """Postings matching the filters, newest first."""
    return await service.search(JobFilters(q=q, company_id=company_id, remote=remote), paging)


@router.get("/api/v1/jobs/{job_id}", summary="Read one job posting")
async def get_job(job_id: uuid.UUID, service: JobServiceDep) -> JobRead:
    """One posting by id."""
    return await service.get(job_id)


@router.get("/api/v1/companies", summary="List companies")
async def list_companies(service: JobServiceDep, paging: Paging) -> Page[CompanyRead]:
    """Companies by name."""
    return await service.companies(paging)


@router.get("/api/v1/companies/{company_id}", summary="Read one company")
async def get_company(company_id: uuid.UUID, service: JobServiceDep) -> CompanyRead:
    """One company by id."""
    return await service.company(company_id)

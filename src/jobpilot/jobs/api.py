"""The jobs service's JSON routes: search, postings, imports, companies, saved searches."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import ValidationError

from jobpilot.jobs.deps import JobsServiceDep
from jobpilot.jobs.schemas import (
    CompanyCreate,
    CompanyRead,
    ImportRequest,
    JobDetail,
    JobSearchResult,
    SavedSearchRead,
    SavedSearchWrite,
    SearchFilters,
)
from jobpilot.kit.authn import CurrentUser, Principal, current_principal, require_role
from jobpilot.kit.errors import ValidationFailed, validation_details
from jobpilot.kit.pagination import MAX_LIMIT, Page, PageParams, page_params

# Every jobs route needs a signed-in caller (the gateway's route table: JWT yes).
router = APIRouter(tags=["jobs"], dependencies=[Depends(current_principal)])

Paging = Annotated[PageParams, Depends(page_params)]
Admin = Annotated[Principal, Depends(require_role("admin"))]
Many = Annotated[
    list[str] | None,
    Query(description="Repeat the parameter, or separate values with commas."),
]


def _many(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def search_filters(
    q: Annotated[
        str | None,
        Query(description='Words in title, company or description; "phrases", -word, OR.'),
    ] = None,
    location: Annotated[str | None, Query(description="Words in the location.")] = None,
    country: Many = None,
    remote: Annotated[
        list[str] | None, Query(description="remote, hybrid or onsite (repeatable).")
    ] = None,
    salary_min: Annotated[
        float | None, Query(description="Yearly pay the top of the range reaches.")
    ] = None,
    posted_within: Annotated[
        str | None, Query(description='Listed within "24h", "7d", "2w"…')
    ] = None,
    company: Many = None,
    ats: Many = None,
    employment_type: Many = None,
    seniority: Many = None,
    sort: Annotated[str, Query(description="relevance (with q) or date.")] = "relevance",
) -> SearchFilters:
    """The search filters of the query string, validated (422 names the parameter)."""
    try:
        return SearchFilters.model_validate(
            {
                "q": q,
                "location": location,
                "country": _many(country),
                "remote": _many(remote),
                "salary_min": salary_min,
                "posted_within": posted_within,
                "company": _many(company),
                "ats": _many(ats),
                "employment_type": _many(employment_type),
                "seniority": _many(seniority),
                "sort": sort,
            }
        )
    except ValidationError as exc:
        raise ValidationFailed(
            details=validation_details(exc.errors(), prefix=("query",))
        ) from None


Filters = Annotated[SearchFilters, Depends(search_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page.")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="`next_cursor` of the previous page.")
]


@router.get("/api/v1/jobs", summary="Search job postings")
async def search_jobs(
    service: JobsServiceDep,
    filters: Filters,
    cursor: Cursor = None,
    limit: Limit = 20,
    facets: Annotated[bool, Query(description="Include counts per filter value.")] = False,
) -> JobSearchResult:
    """Open postings matching the filters: by relevance with `q`, else newest first."""
    return await service.search(filters, limit=limit, cursor=cursor, facets=facets)


# Saved searches come before /jobs/{job_id} so that their path is not read as a job id.


@router.get("/api/v1/jobs/saved-searches", summary="List your saved searches")
async def list_saved_searches(
    service: JobsServiceDep, principal: CurrentUser
) -> list[SavedSearchRead]:
    """Your saved searches by name."""
    return await service.saved_searches(principal.user_id)


@router.post(
    "/api/v1/jobs/saved-searches",
    status_code=status.HTTP_201_CREATED,
    summary="Save a search",
    responses={402: {"description": "The saved_searches quota of your tier is used up."}},
)
async def create_saved_search(
    body: SavedSearchWrite, service: JobsServiceDep, principal: CurrentUser
) -> SavedSearchRead:
    """Remember filters under a name (counts against your tier's saved_searches quota)."""
    return await service.create_saved_search(principal.user_id, principal.tier, body)


@router.get("/api/v1/jobs/saved-searches/{search_id}", summary="Read a saved search")
async def get_saved_search(
    search_id: uuid.UUID, service: JobsServiceDep, principal: CurrentUser
) -> SavedSearchRead:
    """One of your saved searches."""
    return await service.saved_search(principal.user_id, search_id)


@router.put("/api/v1/jobs/saved-searches/{search_id}", summary="Change a saved search")
async def update_saved_search(
    search_id: uuid.UUID, body: SavedSearchWrite, service: JobsServiceDep, principal: CurrentUser
) -> SavedSearchRead:
    """Rename a saved search or replace its filters."""
    return await service.update_saved_search(principal.user_id, search_id, body)


@router.delete(
    "/api/v1/jobs/saved-searches/{search_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a saved search",
)
async def delete_saved_search(
    search_id: uuid.UUID, service: JobsServiceDep, principal: CurrentUser
) -> Response:
    """Delete a saved search (its quota is given back)."""
    await service.delete_saved_search(principal.user_id, search_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/v1/jobs/saved-searches/{search_id}/results", summary="Run a saved search")
async def run_saved_search(
    search_id: uuid.UUID,
    service: JobsServiceDep,
    principal: CurrentUser,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> JobSearchResult:
    """The postings a saved search finds now."""
    saved = await service.saved_search(principal.user_id, search_id)
    return await service.search(saved.filters, limit=limit, cursor=cursor)


@router.post(
    "/api/v1/jobs/import",
    summary="Import one posting from its URL",
    responses={
        200: {"description": "The posting was known; it is returned (updated)."},
        201: {"description": "A new posting."},
    },
)
async def import_job(body: ImportRequest, service: JobsServiceDep, response: Response) -> JobDetail:
    """Read a posting from an ATS posting page or any page with schema.org JobPosting data."""
    detail, created = await service.import_url(str(body.url))
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return detail


@router.get("/api/v1/jobs/{job_id}", summary="Read one job posting")
async def get_job(job_id: uuid.UUID, service: JobsServiceDep) -> JobDetail:
    """One posting with its description, locations and the boards that list it."""
    return await service.get(job_id)


@router.get("/api/v1/companies", summary="List companies")
async def list_companies(
    service: JobsServiceDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=100, description="Words in the name.")] = None,
) -> Page[CompanyRead]:
    """Companies by name, with their boards and open-posting counts."""
    return await service.companies(q, paging)


@router.post(
    "/api/v1/companies",
    status_code=status.HTTP_201_CREATED,
    summary="Register a job board (admins)",
    responses={409: {"description": "The board is registered already."}},
)
async def register_company(
    body: CompanyCreate, service: JobsServiceDep, _admin: Admin
) -> CompanyRead:
    """Recognise the ATS and tenant of a careers URL and register the board."""
    return await service.register_board(body)


@router.get("/api/v1/companies/{company_id}", summary="Read one company")
async def get_company(company_id: uuid.UUID, service: JobsServiceDep) -> CompanyRead:
    """One company, its boards and open-posting count."""
    return await service.company(company_id)


@router.post(
    "/api/v1/companies/{company_id}/refresh",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Read a company's boards now (admins)",
)
async def refresh_company(
    company_id: uuid.UUID, service: JobsServiceDep, _admin: Admin
) -> CompanyRead:
    """Queue a read of each of the company's active boards."""
    return await service.refresh_company(company_id)

"""Request and response models of the jobs API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

import pycountry
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from jobpilot.jobs.normalise import EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES

Workplace = Literal["remote", "hybrid", "onsite"]
EmploymentType = Literal["full_time", "part_time", "contract", "temporary", "internship"]
Seniority = Literal[
    "intern", "junior", "mid", "senior", "staff", "principal", "lead", "manager", "director",
    "executive",
]  # fmt: skip
assert set(WORKPLACES) == set(Workplace.__args__)  # type: ignore[attr-defined]
assert set(EMPLOYMENT_TYPES) == set(EmploymentType.__args__)  # type: ignore[attr-defined]
assert set(SENIORITIES) == set(Seniority.__args__)  # type: ignore[attr-defined]

_WITHIN = re.compile(r"^(\d{1,4})\s*([hdw]?)$")
_UNIT = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "": timedelta(days=1),
}
MAX_WITHIN = timedelta(days=365)


def posted_within_delta(value: str) -> timedelta:
    """ "24h", "7d", "2w" or a number of days as a duration (ValueError otherwise)."""
    match = _WITHIN.match(value.strip().lower())
    if match is None:
        msg = 'use a number of hours, days or weeks such as "24h", "7d" or "2w"'
        raise ValueError(msg)
    delta = int(match[1]) * _UNIT[match[2]]
    if not timedelta(hours=1) <= delta <= MAX_WITHIN:
        msg = "must be between 1 hour and 365 days"
        raise ValueError(msg)
    return delta


class SearchFilters(BaseModel):
    """The filters of a job search (the query string of `GET /api/v1/jobs`, a saved search)."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None, max_length=200, description="Words in title, company or description."
    )
    location: str | None = Field(default=None, max_length=100, description="Words in the location.")
    country: list[str] = Field(default_factory=list, max_length=20, description="ISO 3166 codes.")
    remote: list[Workplace] = Field(default_factory=list, description="remote, hybrid, onsite.")
    salary_min: float | None = Field(default=None, ge=0, le=10_000_000, description="Yearly pay.")
    posted_within: str | None = Field(default=None, description='"24h", "7d", "2w".')
    company: list[str] = Field(default_factory=list, max_length=20, description="Slugs or ids.")
    ats: list[str] = Field(default_factory=list, max_length=20)
    employment_type: list[EmploymentType] = Field(default_factory=list)
    seniority: list[Seniority] = Field(default_factory=list)
    sort: Literal["relevance", "date"] = "relevance"

    @field_validator("q", "location")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return " ".join(value.split()) or None if value is not None else None

    @field_validator("country")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        codes = []
        for value in values:
            code = value.strip().upper()
            if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
                msg = f"{value!r} is not an ISO 3166-1 alpha-2 country code"
                raise ValueError(msg)
            codes.append(code)
        return list(dict.fromkeys(codes))

    @field_validator("posted_within")
    @classmethod
    def _within(cls, value: str | None) -> str | None:
        if value is not None:
            posted_within_delta(value)
        return value

    @field_validator("ats")
    @classmethod
    def _ats(cls, values: list[str]) -> list[str]:
        from jobpilot.jobs.ats.registry import ADAPTERS

        known = {a.name for a in ADAPTERS} | {"jsonld"}
        unknown = [v for v in values if v not in known]
        if unknown:
            msg = f"unknown ATS {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
            raise ValueError(msg)
        return list(dict.fromkeys(values))

    @field_validator("company")
    @classmethod
    def _company(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip().lower() for v in values if v.strip()]
        if any(len(v) > 120 for v in cleaned):
            msg = "a company is its slug or id"
            raise ValueError(msg)
        return list(dict.fromkeys(cleaned))


class Salary(BaseModel):
    """A pay range; `period` is hour, day, week, month or year."""

    min: float | None
    max: float | None
    currency: str | None
    period: str | None


class CompanyRef(BaseModel):
    """The company of a posting."""

    id: uuid.UUID
    slug: str
    name: str


class JobSummary(BaseModel):
    """A posting in a list of results."""

    id: uuid.UUID
    title: str
    company: CompanyRef
    department: str | None
    location: str | None
    city: str | None
    region: str | None
    country: str | None
    workplace: Workplace | None
    employment_type: EmploymentType | None
    seniority: Seniority | None
    salary: Salary | None
    posted_at: datetime | None
    listed_at: datetime
    status: Literal["open", "closed"]
    ats: str
    url: str | None
    apply_url: str | None
    snippet: str = Field(description="The start of the description, as plain text.")
    score: float | None = Field(default=None, description="Relevance, when sorted by it.")


class LocationRead(BaseModel):
    """One parsed location."""

    text: str
    city: str | None
    region: str | None
    country: str | None
    workplace: Workplace | None


class SourceRead(BaseModel):
    """One board that lists the posting."""

    model_config = ConfigDict(from_attributes=True)

    ats: str
    tenant: str
    source_id: str
    url: str | None
    apply_url: str | None
    status: Literal["open", "closed"]
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None


class JobDetail(JobSummary):
    """A posting with its description, every location and every source."""

    title_normalised: str
    locations: list[LocationRead]
    description_html: str = Field(description="Sanitised HTML: no scripts, styles or handlers.")
    description_text: str
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    sources: list[SourceRead]


class FacetValue(BaseModel):
    """How many results have one value of a filter."""

    value: str
    label: str
    count: int


class JobSearchResult(BaseModel):
    """A page of search results."""

    items: list[JobSummary]
    total: int = Field(description="Matching postings, counted up to 10,000.")
    total_exact: bool = Field(
        description="False when there are more matches than `total` (show it as 10,000+)."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    facets: dict[str, list[FacetValue]] | None = None


class BoardRead(BaseModel):
    """A company's board and how its last ingestion went."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    ats: str
    tenant: str
    url: str | None
    active: bool
    last_status: Literal["never", "ok", "error"]
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error_code: str | None
    last_error: str | None
    consecutive_failures: int


class CompanyRead(BaseModel):
    """A company, its boards and how many of its postings are open."""

    id: uuid.UUID
    slug: str
    name: str
    website: str | None
    open_postings: int
    boards: list[BoardRead]


class CompanyCreate(BaseModel):
    """Register a board from its careers URL (a new company unless `company_id` is given)."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(
        description="Any careers URL of the board: board, posting or apply page."
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)
    website: AnyHttpUrl | None = None
    company_id: uuid.UUID | None = None
    ingest: bool = Field(default=True, description="Read the board right away (in the background).")


class ImportRequest(BaseModel):
    """A posting's URL: an ATS posting page or any page with schema.org JobPosting data."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl

    @field_validator("url")
    @classmethod
    def _length(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if len(str(value)) > 2000:
            msg = "URL longer than 2,000 characters"
            raise ValueError(msg)
        return value


class SavedSearchWrite(BaseModel):
    """A name and the filters to remember."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    filters: SearchFilters

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        name = " ".join(value.split())
        if not name:
            msg = "the name is empty"
            raise ValueError(msg)
        return name


class SavedSearchRead(BaseModel):
    """A saved search."""

    id: uuid.UUID
    name: str
    filters: SearchFilters
    created_at: datetime
    updated_at: datetime


def filters_query(filters: SearchFilters) -> dict[str, Any]:
    """The filters as query parameters of `GET /api/v1/jobs` (defaults left out)."""
    return filters.model_dump(exclude_defaults=True)

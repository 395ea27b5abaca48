"""Request and response models of the jobs API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CompanyRead(BaseModel):
    """A company as clients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    website: str | None
    ats: str | None


class JobRead(BaseModel):
    """A job posting as clients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    company_name: str
    source: str
    external_id: str
    title: str
    location: str | None
    remote: bool
    employment_type: str | None
    description: str
    url: str | None
    posted_at: datetime | None


class JobFilters(BaseModel):
    """What a job search narrows by."""

    q: str | None = None
    company_id: uuid.UUID | None = None
    remote: bool | None = None

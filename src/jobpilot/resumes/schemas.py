"""Request and response models of the resumes API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jobpilot.resumes.schema import Resume

Origin = Literal["created", "profile", "import", "edit", "restore", "variant", "tailored"]
ExportFormat = Literal["pdf", "docx", "json", "txt"]
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        msg = "the name is empty"
        raise ValueError(msg)
    return name


class ResumeCreate(BaseModel):
    """A new resume: from a JSON Resume document, or from the profile."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    resume: Resume | None = Field(default=None, description="A JSON Resume document.")
    from_profile: bool = Field(default=False, description="Fill it from your profile.")
    template: str = Field(default="classic", max_length=60)
    note: str | None = Field(default=None, max_length=300)

    _n = field_validator("name")(_name)


class ResumeUpdate(BaseModel):
    """A new version of a resume."""

    model_config = ConfigDict(extra="forbid")

    resume: Resume
    note: str | None = Field(default=None, max_length=300)
    # The version the edit was made on: a 409 when another save came first.
    base_version: int | None = Field(default=None, ge=1)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    template: str | None = Field(default=None, max_length=60)


class VariantCreate(BaseModel):
    """A named variant branching from a version."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    version: int | None = Field(default=None, ge=1, description="Default: the latest.")
    note: str | None = Field(default=None, max_length=300)

    _n = field_validator("name")(_name)


class RestoreRequest(BaseModel):
    """Why an old version comes back."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=300)


class Lineage(BaseModel):
    """Where a variant came from."""

    resume_id: uuid.UUID | None
    version: int | None


class ResumeSummary(BaseModel):
    """A resume in a list."""

    id: uuid.UUID
    name: str
    template: str
    latest_version: int
    parent: Lineage | None
    created_at: datetime
    updated_at: datetime


class VersionSummary(BaseModel):
    """A version in a list."""

    id: uuid.UUID
    number: int
    parent_number: int | None
    author_id: uuid.UUID
    origin: Origin
    note: str | None
    created_at: datetime


class VersionDetail(VersionSummary):
    """A version with its document."""

    resume: dict[str, Any]


class ResumeDetail(ResumeSummary):
    """A resume with its latest version."""

    version: VersionDetail


class ImportResult(ResumeDetail):
    """A resume read from a file: check it, then edit what the parser got wrong."""

    confidence: dict[str, float] = Field(description="0 to 1 per field path.")
    warnings: list[str]
    layout: str
    pages: int
    raw_text: str


class TemplateRead(BaseModel):
    """A template users can export with."""

    key: str
    name: str
    description: str
    version: int
    builtin: bool
    status: Literal["active", "retired"]


class TemplateWrite(BaseModel):
    """An admin's template: Jinja2 HTML with its CSS (rendered in a sandbox)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="Lowercase letters, digits and dashes.")
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=500)
    html: str = Field(min_length=1, max_length=200_000)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.match(value):
            msg = "use 3-60 lowercase letters, digits and dashes"
            raise ValueError(msg)
        return value

"""The canonical resume: the JSON Resume schema (https://jsonresume.org/schema, v1.x).

Every resume JobPilot stores, imports, renders and exports is a `Resume`. Known fields are typed
and length-bounded; fields JSON Resume does not define are kept as they came (the schema allows
additional properties), so a user's data goes back out as it came in. Dates are JSON Resume's
ISO 8601 subset: "2019", "2019-03" or "2019-03-15".
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_ISO_DATE = re.compile(r"^[1-2]\d{3}(-[0-1]\d(-[0-3]\d)?)?$")


def _iso_date(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _ISO_DATE.match(value):
        msg = 'use "YYYY", "YYYY-MM" or "YYYY-MM-DD"'
        raise ValueError(msg)
    return value


IsoDate = Annotated[str | None, AfterValidator(_iso_date)]
Short = Annotated[str | None, Field(default=None, max_length=300)]
Long = Annotated[str | None, Field(default=None, max_length=5000)]
Items = Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=100)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Location(_Part):
    """Where the person lives."""

    address: Short = None
    postalCode: Short = None
    city: Short = None
    countryCode: Short = None
    region: Short = None


class Profile(_Part):
    """An account elsewhere (GitHub, LinkedIn…)."""

    network: Short = None
    username: Short = None
    url: Short = None


class Basics(_Part):
    """Who the resume is about and how to reach them."""

    name: Short = None
    label: Short = None
    image: Short = None
    email: Short = None
    phone: Short = None
    url: Short = None
    summary: Long = None
    location: Location | None = None
    profiles: list[Profile] = Field(default_factory=list, max_length=20)


class Work(_Part):
    """One job."""

    name: Short = None
    position: Short = None
    url: Short = None
    location: Short = None
    startDate: IsoDate = None
    endDate: IsoDate = None
    summary: Long = None
    highlights: Items = Field(default_factory=list)


class Volunteer(_Part):
    """Unpaid work."""

    organization: Short = None
    position: Short = None
    url: Short = None
    startDate: IsoDate = None
    endDate: IsoDate = None
    summary: Long = None
    highlights: Items = Field(default_factory=list)


class Education(_Part):
    """A degree, diploma or course of study."""

    institution: Short = None
    url: Short = None
    area: Short = None
    studyType: Short = None
    startDate: IsoDate = None
    endDate: IsoDate = None
    score: Short = None
    courses: Items = Field(default_factory=list)


class Award(_Part):
    """An award."""

    title: Short = None
    date: IsoDate = None
    awarder: Short = None
    summary: Long = None


class Certificate(_Part):
    """A certificate."""

    name: Short = None
    date: IsoDate = None
    issuer: Short = None
    url: Short = None


class Publication(_Part):
    """A publication."""

    name: Short = None
    publisher: Short = None
    releaseDate: IsoDate = None
    url: Short = None
    summary: Long = None


class Skill(_Part):
    """A skill (or a group of them: `name` the group, `keywords` its parts)."""

    name: Short = None
    level: Short = None
    keywords: Items = Field(default_factory=list)


class Language(_Part):
    """A spoken language."""

    language: Short = None
    fluency: Short = None


class Interest(_Part):
    """An interest."""

    name: Short = None
    keywords: Items = Field(default_factory=list)


class Reference(_Part):
    """A reference."""

    name: Short = None
    reference: Long = None


class Project(_Part):
    """A project."""

    name: Short = None
    description: Long = None
    highlights: Items = Field(default_factory=list)
    keywords: Items = Field(default_factory=list)
    startDate: IsoDate = None
    endDate: IsoDate = None
    url: Short = None
    roles: Items = Field(default_factory=list)
    entity: Short = None
    type: Short = None


class Resume(_Part):
    """A whole resume in JSON Resume form."""

    basics: Basics = Field(default_factory=Basics)
    work: list[Work] = Field(default_factory=list, max_length=100)
    volunteer: list[Volunteer] = Field(default_factory=list, max_length=100)
    education: list[Education] = Field(default_factory=list, max_length=50)
    awards: list[Award] = Field(default_factory=list, max_length=100)
    certificates: list[Certificate] = Field(default_factory=list, max_length=100)
    publications: list[Publication] = Field(default_factory=list, max_length=100)
    skills: list[Skill] = Field(default_factory=list, max_length=200)
    languages: list[Language] = Field(default_factory=list, max_length=50)
    interests: list[Interest] = Field(default_factory=list, max_length=50)
    references: list[Reference] = Field(default_factory=list, max_length=50)
    projects: list[Project] = Field(default_factory=list, max_length=100)

    def document(self) -> dict[str, Any]:
        """The resume as a JSON Resume document (empty parts left out)."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


# The sections in the order templates and exports lay them out.
SECTIONS = (
    "work",
    "education",
    "skills",
    "projects",
    "volunteer",
    "awards",
    "certificates",
    "publications",
    "languages",
    "interests",
    "references",
)

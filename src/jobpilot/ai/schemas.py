"""Request and response models of the ai API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

_WITHIN = re.compile(r"^(\d{1,4})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class MatchFilters(BaseModel):
    """Which postings a resume is matched against (all open ones by default)."""

    k: int = Field(default=20, ge=1, le=100, description="How many matches.")
    remote: list[Literal["remote", "hybrid", "onsite"]] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes.")
    salary_min: float | None = Field(default=None, ge=0, description="Yearly pay floor.")
    posted_within: str | None = Field(default=None, description="`24h`, `7d`, `2w`…")

    @field_validator("country")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        cleaned = [code.strip().upper() for code in codes if code.strip()]
        if any(not re.fullmatch(r"[A-Z]{2}", code) for code in cleaned):
            msg = "country codes are two letters (ISO 3166-1 alpha-2)"
            raise ValueError(msg)
        return cleaned

    @field_validator("posted_within")
    @classmethod
    def _within(cls, value: str | None) -> str | None:
        if value is not None and not _WITHIN.fullmatch(value.strip()):
            msg = "posted_within is a number and a unit: 24h, 7d, 2w"
            raise ValueError(msg)
        return value.strip() if value else None

    def within(self) -> timedelta | None:
        """`posted_within` as a duration."""
        if self.posted_within is None:
            return None
        found = _WITHIN.fullmatch(self.posted_within)
        assert found is not None
        return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


class SkillFit(BaseModel):
    """The skills a posting names, met or not by the resume (a more specific skill meets a
    general one: FastAPI meets Python, Python alone does not meet FastAPI)."""

    matched: list[str]
    missing: list[str]
    score: float | None = Field(description="The share matched; None when the posting names none.")


class MatchExplanation(BaseModel):
    """Why a posting was matched."""

    similarity: float = Field(description="Cosine similarity of resume and posting, -1 to 1.")
    skills: SkillFit
    location: Literal["remote", "same_country", "elsewhere", "unknown"] = Field(
        description="Where the job is, seen from the resume's country."
    )


class Match(BaseModel):
    """A posting that fits a resume."""

    job: dict[str, Any] = Field(description="The posting, as job search lists it.")
    score: float = Field(description="Similarity and skills combined by the configured weights.")
    explanation: MatchExplanation


class MatchList(BaseModel):
    """The postings that fit a resume best, best first."""

    resume_id: str
    resume_version: int
    model: str = Field(description="The embedding model that compared them.")
    matches: list[Match]

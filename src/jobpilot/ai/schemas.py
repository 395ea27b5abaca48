"""Request and response models of the ai API."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_WITHIN = re.compile(r"^(\d{1,4})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class MatchFilters(BaseModel):
    """Which postings a resume is matched against (all open ones by default)."""

    k: int = Field(default=20, ge=1, le=100, description="How many matches.")
    remote: list[Literal["remote", "hybrid", "onsite"]] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes.")
    salary_min: float | None = Field(default=None, ge=0, description="Yearly pay floor.")
    posted_within: str | None = Field(default=None, description="`24h`, `7d`, `2w`…")
    exclude_applied: bool = Field(
        default=True,
        description="Leave out postings you applied to (or are applying to), reposts included.",
    )

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


class SeniorityFit(BaseModel):
    """The posting's level against the resume's (its latest title, else its years)."""

    posting: str | None
    resume: str | None
    fit: Literal["match", "stretch", "step_down", "above", "below", "unknown"] = Field(
        description="stretch/step_down: one level up/down; above/below: further."
    )
    score: float | None = Field(description="1 same level, 0.5 one apart, 0 further.")


class MatchExplanation(BaseModel):
    """Why a posting was matched."""

    similarity: float = Field(description="Cosine similarity of resume and posting, -1 to 1.")
    lexical: float | None = Field(
        description="Words resume and posting share, weighed by how rare they are among the "
        "postings compared (TF-IDF cosine), 0 to 1."
    )
    skills: SkillFit
    seniority: SeniorityFit
    location: Literal["remote", "same_country", "elsewhere", "unknown"] = Field(
        description="Where the job is, seen from the resume's country."
    )


class Match(BaseModel):
    """A posting that fits a resume."""

    job: dict[str, Any] = Field(description="The posting, as job search lists it.")
    score: float = Field(
        description="Similarity, skills, seniority and shared words combined by the weights."
    )
    explanation: MatchExplanation


class MatchList(BaseModel):
    """The postings that fit a resume best, best first."""

    resume_id: str
    resume_version: int
    model: str = Field(description="The embedding model that compared them.")
    matches: list[Match]


# Writing help: extraction, tailoring, cover letters, screening answers.


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenUsage(BaseModel):
    """What a request cost in model tokens (0 for the rules and for cached answers)."""

    prompt_tokens: int
    completion_tokens: int
    model_calls: int
    cached_calls: int


class WritingResult(BaseModel):
    """Who wrote it, and at what cost."""

    provider: str = Field(description="`local-rules` when no model is configured.")
    model: str | None
    cached: bool = Field(description="Every model answer came from the cache.")
    usage: TokenUsage


class Refusal(BaseModel):
    """Something a writer proposed that was left out because the facts do not back it."""

    path: str
    text: str
    reasons: list[str]


class ExtractRequest(_Request):
    """A stored posting by id, or a posting's text."""

    job_id: uuid.UUID | None = None
    text: str | None = Field(default=None, min_length=20, max_length=50_000)
    title: str = Field(default="", max_length=300)
    company: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _one_source(self) -> ExtractRequest:
        if (self.job_id is None) == (self.text is None):
            msg = "give either job_id or text"
            raise ValueError(msg)
        return self


class ExtractedSkill(BaseModel):
    """A skill the posting asks for."""

    name: str
    skill_id: str | None = Field(description="The taxonomy's id, when it knows the skill.")
    required: bool


class ExtractResult(WritingResult):
    """What a posting asks of a candidate."""

    job_id: str | None
    skills: list[ExtractedSkill]
    years_min: int | None
    requirements: list[str]
    nice_to_have: list[str]
    responsibilities: list[str]
    refused: list[Refusal]


class TailorRequest(_Request):
    """Which resume to fit to which posting."""

    resume_id: uuid.UUID
    job_id: uuid.UUID
    name: str | None = Field(default=None, min_length=1, max_length=120)


class ResumeChange(BaseModel):
    """One change the tailored variant makes, and why."""

    path: str
    kind: Literal["reorder", "rewrite", "summary"]
    before: Any
    after: Any
    reason: str


class VersionRef(BaseModel):
    """A resume version."""

    resume_id: str
    version: int


class TailorResult(WritingResult):
    """The tailored variant (a new resume), every change with its reason, and the gap."""

    resume_id: str
    version: int
    source: VersionRef
    job_id: str
    changes: list[ResumeChange]
    refused: list[Refusal]
    skills: SkillFit


class CoverLetterRequest(_Request):
    """Which resume, for which posting."""

    resume_id: uuid.UUID
    job_id: uuid.UUID


class CoverLetterResult(WritingResult):
    """A cover letter whose every claim comes from the resume or profile."""

    job_id: str
    source: VersionRef
    letter: str
    paragraphs: list[str]
    refused: list[Refusal]


class QuestionIn(_Request):
    """A screening question; `options` when the form offers a choice."""

    id: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=2, max_length=2000)
    options: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=200
    )


class AnswersRequest(_Request):
    """Questions to answer, with the posting and resume they are about (both optional)."""

    questions: list[QuestionIn] = Field(min_length=1, max_length=50)
    job_id: uuid.UUID | None = None
    resume_id: uuid.UUID | None = None


class ScreeningAnswer(BaseModel):
    """One answer, where it came from, or why you must answer it yourself."""

    id: str | None
    question: str
    kind: str = Field(description="What the question asks about (eeo, sponsorship, years…).")
    status: Literal["answered", "needs_user_input"]
    answer: str | None
    source: str | None = Field(description="The stored fact it comes from, or `model`.")
    reason: str | None
    refused: list[Refusal] = Field(default_factory=list)


class AnswersResult(WritingResult):
    """Answers to every question, in the order asked."""

    answers: list[ScreeningAnswer]


class UsageRow(BaseModel):
    """Writing requests and tokens of one task and provider."""

    task: str
    provider: str
    requests: int
    cached: int
    prompt_tokens: int
    completion_tokens: int


class AiUsageRead(BaseModel):
    """Your writing requests and model tokens in one month."""

    month: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    by_task: list[UsageRow]

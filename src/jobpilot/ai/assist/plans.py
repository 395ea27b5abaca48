"""What a writer (a language model or the rules) proposes, before it is checked and applied.

These models are also the JSON schemas a language model is asked to answer in, so their field
descriptions are written for the model as much as for the reader.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Line = Annotated[str, Field(max_length=600)]
Reason = Annotated[str, Field(max_length=400)]


class _Plan(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PostingSkill(_Plan):
    """A skill the posting asks for."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    required: bool = Field(description="True when required, false when only nice to have.")


class Requirements(_Plan):
    """What a posting asks of a candidate, as the posting states it."""

    skills: list[PostingSkill] = Field(default_factory=list, max_length=60)
    years_min: int | None = Field(
        default=None, ge=0, le=40, description="Minimum years of experience the posting asks."
    )
    requirements: list[Line] = Field(
        default_factory=list, max_length=40, description="Must-have lines, as written."
    )
    nice_to_have: list[Line] = Field(
        default_factory=list, max_length=40, description="Nice-to-have lines, as written."
    )
    responsibilities: list[Line] = Field(
        default_factory=list, max_length=40, description="What the job involves, as written."
    )


class Rewrite(_Plan):
    """One bullet said differently, with why."""

    index: int = Field(ge=0, description="The bullet's index in the job's highlights.")
    text: Line
    reason: Reason


class WorkPlan(_Plan):
    """Changes to one job of the resume."""

    work_index: int = Field(ge=0, description="The job's index in the resume's work list.")
    highlight_order: list[int] = Field(
        default_factory=list,
        description="Every highlight index once, most relevant to the posting first.",
    )
    rewrites: list[Rewrite] = Field(default_factory=list, max_length=30)
    reason: Reason | None = None


class TailorPlan(_Plan):
    """How to fit a resume to a posting without adding anything the resume does not say."""

    summary: Annotated[str, Field(max_length=1500)] | None = Field(
        default=None, description="A new summary built only from the resume's own facts."
    )
    summary_reason: Reason | None = None
    work: list[WorkPlan] = Field(default_factory=list, max_length=100)
    skills_order: list[str] = Field(
        default_factory=list,
        description="The names of the resume's skill groups, most relevant first.",
    )
    skills_reason: Reason | None = None


class LetterDraft(_Plan):
    """A cover letter as paragraphs (greeting and sign-off included)."""

    paragraphs: list[Annotated[str, Field(max_length=2000)]] = Field(min_length=1, max_length=10)


class AnswerDraft(_Plan):
    """An answer to one free-text screening question."""

    answer: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="The answer, or null when the facts given do not answer it."
    )

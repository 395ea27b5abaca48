"""What other parts of the platform may ask of the ai domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from jobpilot.ai.assist.service import Caller, PlatformUsage, WritingService
from jobpilot.ai.schemas import (
    AnswersRequest,
    AnswersResult,
    CoverLetterRequest,
    CoverLetterResult,
    ExtractRequest,
    ExtractResult,
    MatchFilters,
    QuestionIn,
    TailorRequest,
    TailorResult,
)
from jobpilot.ai.service import AiComponents, AiService

__all__ = [
    "AiFacade",
    "AnswersRequest",
    "Caller",
    "MatchFilters",
    "MatchedPosting",
    "PlatformUsage",
    "QuestionIn",
    "ResumeMatches",
    "TailorRequest",
]


@dataclass(frozen=True)
class MatchedPosting:
    """An open posting that fits a resume, with its match score (0 to 1, higher fits better)."""

    job_id: uuid.UUID
    score: float
    title: str
    company: str


@dataclass(frozen=True)
class ResumeMatches:
    """The postings closest to a resume's latest version, best first."""

    resume_id: uuid.UUID
    resume_version: int
    postings: list[MatchedPosting]


class AiFacade:
    """Matching and writing help on behalf of a user (auto-apply selects and prepares
    applications with it)."""

    def __init__(self, components: AiComponents) -> None:
        self._components = components
        self._writing = WritingService(components)

    async def matches(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, filters: MatchFilters
    ) -> ResumeMatches:
        """The open postings that fit one of the user's resumes, best first (404
        `resume_not_found` when the resume is not theirs)."""
        found = await AiService(self._components).matches(user_id, resume_id, filters)
        return ResumeMatches(
            resume_id=uuid.UUID(found.resume_id),
            resume_version=found.resume_version,
            postings=[
                MatchedPosting(
                    job_id=uuid.UUID(str(m.job["id"])),
                    score=m.score,
                    title=str(m.job.get("title") or ""),
                    company=str((m.job.get("company") or {}).get("name") or ""),
                )
                for m in found.matches
            ],
        )

    async def extract(self, caller: Caller, body: ExtractRequest) -> ExtractResult:
        """What a posting asks of a candidate."""
        return await self._writing.extract(caller, body)

    async def tailor(self, caller: Caller, body: TailorRequest) -> TailorResult:
        """A variant of the caller's resume fitted to a posting, with every change listed."""
        return await self._writing.tailor(caller, body)

    async def cover_letter(self, caller: Caller, body: CoverLetterRequest) -> CoverLetterResult:
        """A grounded cover letter for a posting."""
        return await self._writing.cover_letter(caller, body)

    async def answers(self, caller: Caller, body: AnswersRequest) -> AnswersResult:
        """Screening answers from stored facts (`needs_user_input` where none)."""
        return await self._writing.answers(caller, body)

    async def platform_usage(self, now: datetime) -> PlatformUsage:
        """Every user's writing requests and tokens this month (of `now`), and their cost at
        the configured prices (0 for local rules and, by default, for a model of your own)."""
        return await self._writing.platform_usage(now)

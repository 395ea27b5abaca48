"""What other parts of the platform may ask of the ai domain."""

from __future__ import annotations

from jobpilot.ai.assist.service import Caller, WritingService
from jobpilot.ai.schemas import (
    AnswersRequest,
    AnswersResult,
    CoverLetterRequest,
    CoverLetterResult,
    ExtractRequest,
    ExtractResult,
    QuestionIn,
    TailorRequest,
    TailorResult,
)
from jobpilot.ai.service import AiComponents

__all__ = ["AiFacade", "AnswersRequest", "Caller", "QuestionIn"]


class AiFacade:
    """Writing help on behalf of a user (auto-apply prepares applications with it)."""

    def __init__(self, components: AiComponents) -> None:
        self._writing = WritingService(components)

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

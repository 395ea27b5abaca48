"""The ai service's JSON routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jobpilot.ai.assist.service import Caller
from jobpilot.ai.deps import AiServiceDep, WritingServiceDep
from jobpilot.ai.schemas import (
    AiUsageRead,
    AnswersRequest,
    AnswersResult,
    CoverLetterRequest,
    CoverLetterResult,
    ExtractRequest,
    ExtractResult,
    MatchFilters,
    MatchList,
    TailorRequest,
    TailorResult,
)
from jobpilot.kit.authn import CurrentUser, Principal, current_principal
from jobpilot.kit.errors import ValidationFailed

router = APIRouter(tags=["ai"], dependencies=[Depends(current_principal)])


def _caller(principal: Principal) -> Caller:
    return Caller(principal.user_id, principal.tier)


@router.get("/api/v1/ai/resumes/{resume_id}/matches", summary="Jobs that fit a resume")
async def resume_matches(
    resume_id: uuid.UUID,
    service: AiServiceDep,
    principal: CurrentUser,
    filters: Annotated[MatchFilters, Query()],
) -> MatchList:
    """The open postings closest in meaning to one of your resumes (its latest version), best
    first, with why each was matched."""
    return await service.matches(principal.user_id, resume_id, filters)


@router.post("/api/v1/ai/extract", summary="What a posting asks for")
async def extract(
    body: ExtractRequest, service: WritingServiceDep, principal: CurrentUser
) -> ExtractResult:
    """The skills (required or nice to have), minimum years and requirement lines of a stored
    posting (`job_id`) or of a posting's text."""
    return await service.extract(_caller(principal), body)


@router.post("/api/v1/ai/tailor", status_code=201, summary="Tailor a resume to a posting")
async def tailor(
    body: TailorRequest, service: WritingServiceDep, principal: CurrentUser
) -> TailorResult:
    """A new variant of your resume fitted to the posting: bullets and skills reordered, a
    summary aimed at it, rewrites checked against your facts. Every change is listed with its
    reason; nothing the resume does not say is added."""
    return await service.tailor(_caller(principal), body)


@router.post("/api/v1/ai/cover-letter", summary="Write a cover letter")
async def cover_letter(
    body: CoverLetterRequest, service: WritingServiceDep, principal: CurrentUser
) -> CoverLetterResult:
    """A cover letter for the posting from your resume and profile; sentences that claim what
    they do not say are left out and listed under `refused`."""
    return await service.cover_letter(_caller(principal), body)


@router.post("/api/v1/ai/answers", summary="Answer screening questions")
async def answers(
    body: AnswersRequest, service: WritingServiceDep, principal: CurrentUser
) -> AnswersResult:
    """Answers from your profile and answer bank. Years, salary, notice period, work
    authorization, sponsorship and EEO questions are answered from stored facts only
    (`needs_user_input` when the fact is missing); other questions are drafted by the model
    when one is configured."""
    return await service.answers(_caller(principal), body)


@router.get("/api/v1/ai/usage", summary="Your AI usage")
async def usage(
    service: WritingServiceDep,
    principal: CurrentUser,
    month: Annotated[
        str | None, Query(pattern=r"^\d{4}-\d{2}$", description="`YYYY-MM`; default: this month.")
    ] = None,
) -> AiUsageRead:
    """Writing requests and model tokens of one month, per task and provider."""
    start = None
    if month is not None:
        try:
            start = datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValidationFailed("month must be YYYY-MM with a real month") from None
    return await service.usage(principal.user_id, start)

"""The ai service's JSON routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jobpilot.ai.deps import AiServiceDep
from jobpilot.ai.schemas import MatchFilters, MatchList
from jobpilot.kit.authn import CurrentUser, current_principal

router = APIRouter(tags=["ai"], dependencies=[Depends(current_principal)])


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

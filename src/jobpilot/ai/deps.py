"""FastAPI dependencies of the ai API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.ai.assist.service import WritingService
from jobpilot.ai.service import AiComponents, AiService


def _components(request: Request) -> AiComponents:
    components: AiComponents = request.app.state.container.ai
    return components


def ai_service(request: Request) -> AiService:
    """The ai service with this process's components (it reads through other domains' facades,
    each in its own unit of work)."""
    return AiService(_components(request))


def writing_service(request: Request) -> WritingService:
    """Writing help with this process's components."""
    return WritingService(_components(request))


AiServiceDep = Annotated[AiService, Depends(ai_service)]
WritingServiceDep = Annotated[WritingService, Depends(writing_service)]

"""FastAPI dependencies of the ai API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.ai.service import AiComponents, AiService


def ai_service(request: Request) -> AiService:
    """The ai service with this process's components (it reads through other domains' facades,
    each in its own unit of work)."""
    components: AiComponents = request.app.state.container.ai
    return AiService(components)


AiServiceDep = Annotated[AiService, Depends(ai_service)]

"""FastAPI dependencies of the resumes API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.kit.web import DbSession
from jobpilot.resumes.service import ResumesComponents, ResumesService


def resumes_service(request: Request, session: DbSession) -> ResumesService:
    """The resumes service bound to the request's unit of work."""
    components: ResumesComponents = request.app.state.container.resumes
    return ResumesService(session, components)


ResumesServiceDep = Annotated[ResumesService, Depends(resumes_service)]

"""FastAPI dependencies of the jobs API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.jobs.service import JobsComponents, JobsService
from jobpilot.kit.web import DbSession


def jobs_service(request: Request, session: DbSession) -> JobsService:
    """The jobs service bound to the request's unit of work."""
    components: JobsComponents = request.app.state.container.jobs
    return JobsService(session, components)


JobsServiceDep = Annotated[JobsService, Depends(jobs_service)]

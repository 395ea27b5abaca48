"""FastAPI dependencies of the jobs API."""

from typing import Annotated

from fastapi import Depends

from jobpilot.jobs.repository import JobRepository
from jobpilot.jobs.service import JobService
from jobpilot.kit.web import DbSession


def job_service(session: DbSession) -> JobService:
    """The jobs service bound to the request's unit of work."""
    return JobService(JobRepository(session))


JobServiceDep = Annotated[JobService, Depends(job_service)]

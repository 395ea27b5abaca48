"""FastAPI dependencies of the applications API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.applications.service import ApplicationsComponents, ApplicationsService
from jobpilot.applications.submission import SubmissionComponents, SubmissionReads
from jobpilot.kit.flags import FeatureFlags
from jobpilot.kit.web import DbSession


def applications_service(request: Request, session: DbSession) -> ApplicationsService:
    """The applications service bound to the request's unit of work."""
    components: ApplicationsComponents = request.app.state.container.applications
    return ApplicationsService(session, components)


ApplicationsServiceDep = Annotated[ApplicationsService, Depends(applications_service)]


def submission_reads(request: Request, session: DbSession) -> SubmissionReads:
    """Submission attempts and their evidence, in the request's unit of work."""
    components: SubmissionComponents = request.app.state.container.submission
    return SubmissionReads(session, components.blobs)


SubmissionReadsDep = Annotated[SubmissionReads, Depends(submission_reads)]


def feature_flags(request: Request) -> FeatureFlags:
    """The process's feature flags (the auto-apply kill switch is one)."""
    flags: FeatureFlags = request.app.state.container.flags
    return flags


FeatureFlagsDep = Annotated[FeatureFlags, Depends(feature_flags)]

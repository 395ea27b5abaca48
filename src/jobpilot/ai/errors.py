"""Errors of the ai domain."""

from jobpilot.kit.errors import NotFound, ServiceUnavailable


class ResumeNotFound(NotFound):
    """The caller has no resume with this id."""

    code = "resume_not_found"
    default_message = "You have no resume with this id."


class JobNotFound(NotFound):
    """No posting has this id."""

    code = "job_not_found"
    default_message = "No job posting has this id."


class ProviderRateLimited(ServiceUnavailable):
    """The language model provider kept refusing for its rate limit; retry after a while."""

    code = "llm_rate_limited"
    default_message = "The language model provider is busy; try again shortly."

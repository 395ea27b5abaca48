"""Errors of the jobs domain."""

from jobpilot.kit.errors import NotFound


class JobNotFound(NotFound):
    """No posting has this id."""

    code = "job_not_found"
    default_message = "No job posting has this id."


class CompanyNotFound(NotFound):
    """No company has this id."""

    code = "company_not_found"
    default_message = "No company has this id."

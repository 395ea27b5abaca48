"""Errors of the ai domain."""

from jobpilot.kit.errors import NotFound


class ResumeNotFound(NotFound):
    """The caller has no resume with this id."""

    code = "resume_not_found"
    default_message = "You have no resume with this id."

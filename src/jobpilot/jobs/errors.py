"""Errors of the jobs domain."""

from jobpilot.kit.errors import BadRequest, Conflict, NotFound, ValidationFailed


class JobNotFound(NotFound):
    """No posting has this id."""

    code = "job_not_found"
    default_message = "No job posting has this id."


class CompanyNotFound(NotFound):
    """No company has this id."""

    code = "company_not_found"
    default_message = "No company has this id."


class SavedSearchNotFound(NotFound):
    """The caller has no saved search with this id."""

    code = "saved_search_not_found"
    default_message = "You have no saved search with this id."


class SavedSearchNameTaken(Conflict):
    """The caller already has a saved search with this name."""

    code = "saved_search_name_taken"
    default_message = "You already have a saved search with this name."


class BoardAlreadyRegistered(Conflict):
    """The board the URL points at is registered already."""

    code = "board_already_registered"
    default_message = "This job board is registered already."


class UnsupportedUrl(ValidationFailed):
    """No ATS adapter recognises the URL as a job board."""

    code = "unsupported_url"
    default_message = "No supported job board was recognised in this URL."


class NoJobPosting(ValidationFailed):
    """The page has no job posting JobPilot can read."""

    code = "no_job_posting"
    default_message = (
        "No job posting was found on this page (neither a supported ATS nor schema.org "
        "JobPosting data)."
    )


class InvalidCursor(BadRequest):
    """A cursor from another search, or damaged."""

    code = "invalid_cursor"
    default_message = "This cursor does not belong to this search; start again without it."

"""Errors of the applications domain."""

from jobpilot.kit.errors import Conflict, NotFound, ValidationFailed


class ApplicationNotFound(NotFound):
    """The caller has no application with this id."""

    code = "application_not_found"
    default_message = "You have no application with this id."


class NoteNotFound(NotFound):
    """The application has no note with this id."""

    code = "note_not_found"
    default_message = "This application has no note with this id."


class JobNotFound(NotFound):
    """No posting has this id."""

    code = "job_not_found"
    default_message = "No job posting has this id."


class ResumeVersionNotFound(NotFound):
    """The caller has no resume version with this id."""

    code = "resume_version_not_found"
    default_message = "You have no resume version with this id."


class ApplicationExists(Conflict):
    """The user already has an application for this job (or a repost of it)."""

    code = "application_exists"
    default_message = "You already have an application for this job."


class ApplicationInFlight(Conflict):
    """The application is being submitted right now; it cannot change until that ends."""

    code = "application_in_flight"
    default_message = "This application is being submitted; try again when that has finished."


class StatusNotSettable(ValidationFailed):
    """Only auto-apply moves an application to this status."""

    code = "status_not_settable"
    default_message = "This status is set by auto-apply, not by hand."


class NoPosting(ValidationFailed):
    """An application to a job found elsewhere has no form here."""

    code = "no_posting"
    default_message = "This application is for a job found elsewhere: there is no form to fill."

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


class RuleNotFound(NotFound):
    """The caller has no auto-apply rule with this id."""

    code = "rule_not_found"
    default_message = "You have no auto-apply rule with this id."


class RuleDisabled(Conflict):
    """A disabled rule does not run."""

    code = "rule_disabled"
    default_message = "This rule is disabled; enable it to run it."


class ResumeNotFound(NotFound):
    """The caller has no resume with this id."""

    code = "resume_not_found"
    default_message = "You have no resume with this id."


class SavedSearchNotFound(NotFound):
    """The caller has no saved search with this id."""

    code = "saved_search_not_found"
    default_message = "You have no saved search with this id."


class NotReviewable(Conflict):
    """The application is not waiting for the user's review (its fields are not editable)."""

    code = "application_not_in_review"
    default_message = "This application is not waiting for your review."


class NotDiscardable(Conflict):
    """Only an application auto-apply has not sent can be discarded."""

    code = "application_not_discardable"
    default_message = "Only an application auto-apply prepared and has not sent can be discarded."


class IncompleteApplication(ValidationFailed):
    """Required fields of the prepared form have no value yet."""

    code = "incomplete_application"
    default_message = "Fill every required field before approving this application."


class SubmissionNotFound(NotFound):
    """No such submission attempt of this application."""

    code = "submission_not_found"
    default_message = "The submission attempt does not exist."


class EvidenceNotFound(NotFound):
    """The attempt kept no evidence under that name."""

    code = "evidence_not_found"
    default_message = "This submission attempt kept nothing under that name."


class NotWaitingForCode(Conflict):
    """The application is not parked at an email-code step."""

    code = "not_waiting_for_code"
    default_message = "This application is not waiting for an emailed code."

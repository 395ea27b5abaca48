"""Errors of the resumes domain."""

from jobpilot.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed


class ResumeNotFound(NotFound):
    """The caller has no resume with this id."""

    code = "resume_not_found"
    default_message = "You have no resume with this id."


class VersionNotFound(NotFound):
    """The resume has no such version."""

    code = "version_not_found"
    default_message = "This resume has no such version."


class ResumeNameTaken(Conflict):
    """The caller already has a resume with this name."""

    code = "resume_name_taken"
    default_message = "You already have a resume with this name."


class VersionConflict(Conflict):
    """Someone saved a newer version since the one the edit was made on."""

    code = "version_conflict"
    default_message = "A newer version was saved since you started editing; reload and retry."


class TemplateNotFound(NotFound):
    """No active template has this key."""

    code = "template_not_found"
    default_message = "No template has this key."


class TemplateKeyTaken(Conflict):
    """A template with this key exists."""

    code = "template_key_taken"
    default_message = "A template with this key exists; update it instead."


class BuiltinTemplate(Forbidden):
    """Built-in templates cannot be changed or retired."""

    code = "builtin_template"
    default_message = "Built-in templates cannot be changed; add a template with a new key."


class EmptyResume(ValidationFailed):
    """Nothing to make a resume from."""

    code = "empty_resume"
    default_message = "Give a resume document, or set from_profile."

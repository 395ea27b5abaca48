"""Errors of the users domain."""

from jobpilot.kit.errors import BadRequest, JobPilotError, NotFound


class QuotaExceeded(JobPilotError):
    """The user's tier allows no more of this quota in the current period."""

    status = 402
    code = "quota_exceeded"
    default_message = "Your plan's limit for this is reached."


class UnknownTier(BadRequest):
    """No tier has this name."""

    status = 422
    code = "unknown_tier"
    default_message = "No subscription tier has this name."


class UnknownQuota(BadRequest):
    """No quota has this name (a programming error in the caller)."""

    status = 500
    code = "unknown_quota"
    default_message = "This quota is not defined."


class AvatarNotFound(NotFound):
    """The user has no avatar (yet)."""

    code = "avatar_not_found"
    default_message = "No avatar has been uploaded."


class ConfirmationRequired(BadRequest):
    """A destructive request without its confirmation."""

    status = 422
    code = "confirmation_required"
    default_message = 'Send {"confirm": "DELETE"} to erase the account.'

"""The admin service's errors."""

from __future__ import annotations

from jobpilot.kit.errors import Conflict, NotFound, ValidationFailed


class DeadTaskNotFound(NotFound):
    """No dead-lettered task has this id: it never existed, was retried or discarded already,
    or has not failed every retry."""

    code = "dead_task_not_found"
    default_message = "No dead task has this id: it is not found or not dead."


class InvalidPeriod(ValidationFailed):
    """The analytics period is not one of those offered."""

    code = "invalid_period"
    default_message = "The period must be 7, 30 or 90 days."


class UserNotFound(NotFound):
    """No account has this id."""

    code = "user_not_found"
    default_message = "No account has this id."


class UnknownTier(ValidationFailed):
    """The tier is not one of the configured subscription tiers."""

    code = "unknown_tier"
    default_message = "No subscription tier has this name."


class InvalidFilter(ValidationFailed):
    """A list's filter or page is not one it accepts; `details` names each field."""

    code = "invalid_filter"
    default_message = "The filters are not valid."


class CannotActOnSelf(Conflict):
    """An admin tried to suspend themselves, end their own sessions or reset their own
    two-factor from the admin pages (they would lock themselves out)."""

    code = "cannot_act_on_self"
    default_message = "You cannot do this to your own account from the admin pages."

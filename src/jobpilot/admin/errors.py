"""The admin service's errors."""

from __future__ import annotations

from jobpilot.kit.errors import NotFound, ValidationFailed


class DeadTaskNotFound(NotFound):
    """No dead-lettered task has this id: it never existed, was retried or discarded already,
    or has not failed every retry."""

    code = "dead_task_not_found"
    default_message = "No dead task has this id: it is not found or not dead."


class InvalidPeriod(ValidationFailed):
    """The analytics period is not one of those offered."""

    code = "invalid_period"
    default_message = "The period must be 7, 30 or 90 days."

"""Domain errors with an HTTP status and a stable code, and the one JSON shape clients see."""

from __future__ import annotations

from typing import Any, ClassVar


class JobPilotError(Exception):
    """Base of every error a domain raises on purpose.

    Subclasses set `status` and `code`; the message is safe to show to the client.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."

    headers: dict[str, str] | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        # Set when what the request did so far must be kept although it fails (an audited
        # failed sign-in, a session revoked after a stolen refresh token was replayed).
        self.keep_changes = keep_changes
        if headers is not None:
            self.headers = {**(self.headers or {}), **headers}
        super().__init__(self.message)


class BadRequest(JobPilotError):
    """The request is malformed."""


class ValidationFailed(JobPilotError):
    """Input failed validation; `details` lists the fields."""

    status = 422
    code = "validation_error"
    default_message = "The request did not pass validation."


def validation_details(errors: list[Any], prefix: tuple[str, ...] = ("body",)) -> list[Any]:
    """Pydantic errors as `[{loc, msg, type}]`, without echoing the rejected input."""
    return [
        {
            "loc": [*prefix, *err["loc"]],
            "msg": str(err["msg"]).removeprefix("Value error, "),
            "type": err["type"],
        }
        for err in errors
    ]


class Unauthorized(JobPilotError):
    """No valid credentials were presented."""

    status = 401
    code = "unauthorized"
    default_message = "Authentication is required."
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012 - read-only default


class Forbidden(JobPilotError):
    """The caller may not do this."""

    status = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(JobPilotError):
    """The thing asked for does not exist (or is not the caller's)."""

    status = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(JobPilotError):
    """The request conflicts with the current state."""

    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(JobPilotError):
    """The body is larger than the limit."""

    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class RateLimited(JobPilotError):
    """Too many requests."""

    status = 429
    code = "rate_limited"
    default_message = "Too many requests; slow down."


class ServiceUnavailable(JobPilotError):
    """A dependency is down or busy; retrying later may work."""

    status = 503
    code = "service_unavailable"
    default_message = "The service is temporarily unavailable; try again shortly."


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON body of every 4xx/5xx response."""
    return {"error": {"code": code, "message": message, "details": details}}

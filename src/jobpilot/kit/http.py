"""HTTP edge plumbing: request ids, metrics and access logs, body limits, JSON error responses."""

from __future__ import annotations

import inspect
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from sqlalchemy.exc import OperationalError
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobpilot.kit.db import is_busy_error
from jobpilot.kit.errors import JobPilotError, error_body
from jobpilot.kit.logging import current_request_id, request_id_var
from jobpilot.kit.metrics import http_metrics

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED_ROUTE = "<unmatched>"
# Probes and scrapes arrive every few seconds; their access lines go to DEBUG.
QUIET_PATHS = frozenset({"/metrics", "/healthz", "/readyz"})

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Any other method becomes "OTHER" so clients cannot blow up the label cardinality.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}

access_logger = logging.getLogger("jobpilot.access")
logger = logging.getLogger("jobpilot.http")


def _incoming_request_id(scope: Scope) -> str:
    # Only ids that are safe to put in logs and headers are kept; anything else is replaced.
    candidate = Headers(scope=scope).get(REQUEST_ID_HEADER)
    if candidate and _SANE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


def _route_template(scope: Scope, root_path_before: str) -> str | None:
    route = scope.get("route")
    if route is None:
        return None
    # A mount moves its matched prefix into root_path and routes the rest relative to it.
    root_path_after = scope.get("root_path", "")
    prefix = ""
    if root_path_after != root_path_before and root_path_after.startswith(root_path_before):
        prefix = root_path_after[len(root_path_before) :]
    if isinstance(route, Mount):
        return prefix + "/{path}"
    template = getattr(route, "path", None)
    return prefix + template if isinstance(template, str) else None


def _exception_handler_for(app: Any, exc: Exception) -> Callable[..., Any] | None:
    handlers: Mapping[Any, Callable[..., Any]] = getattr(app, "exception_handlers", {})
    for cls in type(exc).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None


async def _response_for(app: Any, scope: Scope, receive: Receive, exc: Exception) -> Response:
    request = Request(scope, receive)
    handler = _exception_handler_for(app, exc)
    if handler is None:
        return unhandled_error_response(request, exc)
    response = handler(request, exc)
    if inspect.isawaitable(response):
        response = await response
    if not isinstance(response, Response):
        return unhandled_error_response(request, exc)
    return response


def _mark_span_failed(exc: Exception) -> None:
    span = trace.get_current_span()
    if span.is_recording():
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


class ObservabilityMiddleware:
    """Pure ASGI middleware: request id, route-level metrics, an access log line per request.

    An exception that escapes the app's exception middleware is turned into a response here
    (using the app's registered handlers), so it is counted, logged with its request id, and the
    response still carries `X-Request-ID`.
    """

    def __init__(
        self,
        app: ASGIApp,
        default_service: str,
        service_for_path: Callable[[str], str | None],
    ) -> None:
        self.app = app
        self.default_service = default_service
        self.service_for_path = service_for_path
        self.metrics = http_metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = _incoming_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        # Captured now: mounted sub-apps overwrite scope["app"] and scope["root_path"].
        owning_app = scope.get("app")
        root_path = scope.get("root_path", "")
        status = 500
        response_started = False
        request_bytes = 0
        response_bytes = 0

        async def counting_receive() -> Message:
            nonlocal request_bytes
            message = await receive()
            if message["type"] == "http.request":
                request_bytes += len(message.get("body", b""))
            return message

        async def observing_send(message: Message) -> None:
            nonlocal status, response_started, response_bytes
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            elif message["type"] == "http.response.body":
                response_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, observing_send)
        except Exception as exc:
            if response_started:
                # Headers are gone; the client sees a cut-off response, which is a server error.
                _mark_span_failed(exc)
                status = 500
                raise
            response = await _response_for(owning_app, scope, receive, exc)
            if response.status_code >= 500:
                _mark_span_failed(exc)
            await response(scope, receive, observing_send)
        except BaseException:
            # Cancelled (the client left, or shutdown) before any response: nginx's 499.
            if not response_started:
                status = 499
            raise
        finally:
            self._finish(
                scope,
                root_path=root_path,
                status=status,
                duration_s=time.perf_counter() - started_at,
                request_bytes=request_bytes,
                response_bytes=response_bytes,
                request_id=request_id,
            )
            request_id_var.reset(token)

    def _finish(
        self,
        scope: Scope,
        *,
        root_path: str,
        status: int,
        duration_s: float,
        request_bytes: int,
        response_bytes: int,
        request_id: str,
    ) -> None:
        path: str = scope["path"]
        template = _route_template(scope, root_path)
        route = template or UNMATCHED_ROUTE
        # Unmatched paths still belong to whichever service owns their prefix.
        service = self.service_for_path(template or path) or self.default_service
        raw_method: str = scope.get("method", "GET")
        method = raw_method if raw_method in _KNOWN_METHODS else "OTHER"
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit():
            request_bytes = max(request_bytes, int(declared))
        self.metrics.observe(
            service=service,
            method=method,
            route=route,
            status=status,
            duration_s=duration_s,
            request_bytes=request_bytes,
            response_bytes=response_bytes,
        )
        duration_ms = round(duration_s * 1000, 2)
        client = scope.get("client")
        access_logger.log(
            logging.DEBUG if path in QUIET_PATHS else logging.INFO,
            "%s %s %s %.1fms",
            method,
            path,
            status,
            duration_ms,
            extra={
                "method": method,
                "route": route,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "client": client[0] if client else None,
            },
        )


class RequestBodyTooLarge(HTTPException):
    """The request body grew past the configured limit while it was being read."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="The request body is too large.")


class BodySizeLimitMiddleware:
    """Pure ASGI middleware answering 413 when a request body is larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> JSONResponse:
        return JSONResponse(
            error_body(
                "payload_too_large",
                "The request body is too large.",
                {"max_bytes": self.max_bytes},
            ),
            status_code=413,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException, so FastAPI's body reader and error handlers pass it on.
                    raise RequestBodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestBodyTooLarge:
            if response_started:
                raise
            await self._too_large()(scope, receive, send)


def _request_id_of(request: Request) -> str | None:
    state = request.scope.get("state")
    from_state = state.get("request_id") if isinstance(state, dict) else None
    return from_state if isinstance(from_state, str) else current_request_id()


def _error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    all_headers = dict(headers or {})
    request_id = _request_id_of(request)
    if request_id:
        all_headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(error_body(code, message, details), status_code=status, headers=all_headers)


def _code_for_status(status: int) -> str:
    if status in _CODES_BY_STATUS:
        return _CODES_BY_STATUS[status]
    try:
        return HTTPStatus(status).name.lower()
    except ValueError:
        return "client_error" if status < 500 else "server_error"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def unhandled_error_response(request: Request, exc: BaseException) -> JSONResponse:
    """A 500 (or 503 when SQLite is busy) for an unexpected error; logs it with the request id."""
    request_id = _request_id_of(request)
    context = {"request_id": request_id, "method": request.method, "path": request.url.path}
    if isinstance(exc, OperationalError | sqlite3.OperationalError) and is_busy_error(exc):
        logger.warning("database busy", extra=context)
        return _error_response(
            request,
            503,
            "database_busy",
            "The database is busy; retry shortly.",
            headers={"Retry-After": "1"},
        )
    logger.error(
        "unhandled %s",
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra=context,
    )
    return _error_response(
        request,
        500,
        "internal_error",
        "An unexpected error occurred.",
        details={"request_id": request_id},
    )


async def _handle_jobpilot_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JobPilotError)
    if exc.status >= 500:
        logger.warning(
            "%s: %s", exc.code, exc.message, extra={"request_id": _request_id_of(request)}
        )
    headers: Mapping[str, str] | None = getattr(exc, "headers", None)
    return _error_response(
        request, exc.status, exc.code, exc.message, details=exc.details, headers=headers
    )


def _json_error_message(error: Mapping[str, Any]) -> str:
    # The decoder's reason ("Expecting value") and position help; the document itself is not sent.
    reason = (error.get("ctx") or {}).get("error")
    return f"JSON decode error: {reason}" if reason else "JSON decode error"


async def _handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        details = [
            {
                "loc": list(error.get("loc", ())),
                "msg": _json_error_message(error),
                "type": "json_invalid",
            }
            for error in errors
            if error.get("type") == "json_invalid"
        ]
        return _error_response(
            request, 400, "invalid_json", "The request body is not valid JSON.", details=details
        )
    # Never echo `input`: it may hold passwords or tokens the client sent.
    details = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg"), "type": error.get("type")}
        for error in errors
    ]
    return _error_response(
        request, 422, "validation_error", "The request did not pass validation.", details=details
    )


async def _handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers) if exc.headers else None
    if status < 400:
        return Response(status_code=status, headers=headers)
    detail: Any = exc.detail
    if isinstance(detail, str) and detail:
        message, details = detail, None
    else:
        message, details = _phrase(status), detail or None
    return _error_response(
        request, status, _code_for_status(status), message, details=details, headers=headers
    )


async def _handle_unexpected(request: Request, exc: Exception) -> Response:
    return unhandled_error_response(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Make every error response `{"error": {"code", "message", "details"}}`, never a traceback."""
    app.add_exception_handler(JobPilotError, _handle_jobpilot_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(HTTPException, _handle_http_exception)
    app.add_exception_handler(OperationalError, _handle_unexpected)
    app.add_exception_handler(Exception, _handle_unexpected)

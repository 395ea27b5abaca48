"""Error pages for browsers; the JSON API keeps its `{"error": {...}}` shape.

The app's JSON error handlers (`kit.http.install_error_handlers`) are wrapped: a request to a
page route, or one that accepts `text/html` outside `/api/` and the machine endpoints, is
answered with a friendly page (403, 404, 500, or a general one); every other request gets the
JSON it always got. A page that needs a signed-in user sends the browser to the sign-in page.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from jobpilot.kit.errors import JobPilotError
from jobpilot.kit.http import unhandled_error_response
from jobpilot.kit.logging import current_request_id
from jobpilot.web.runtime import try_load_banner
from jobpilot.web.session import SignInRequired, current_user, login_url
from jobpilot.web.state import peek_state
from jobpilot.web.templating import Pages, redirect

log = logging.getLogger("jobpilot.web")

# Endpoints for programs, never for people, whatever their Accept header says.
MACHINE_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json"})
_PAGE_TEMPLATES = {403: "403.html", 404: "404.html", 500: "500.html"}
_MESSAGES = {
    400: "The request could not be read. Go back and try again.",
    404: "There is no page at this address. Check the link, or start again from the home page.",
    405: "This page cannot be used that way. Go back and try again.",
    413: "What you sent is too large.",
    429: "Too many requests in a short time. Wait a moment, then try again.",
}

Handler = Callable[[Request, Exception], Any]


def wants_page(request: Request) -> bool:
    """Whether an error for this request should be an HTML page rather than JSON."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/") or path in MACHINE_PATHS:
        return False
    state = peek_state(request.scope)
    if state is not None and state.page:
        return True
    return "text/html" in request.headers.get("accept", "").lower()


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _signed_in_for_header(request: Request) -> None:
    # The header shows who is signed in, also on a 404; an error here must not hide the page.
    try:
        await current_user(request)
    except Exception:
        log.debug("could not tell who is signed in on an error page", exc_info=True)


async def error_page(pages: Pages, request: Request, exc: Exception) -> Response:
    """The HTML page for `exc` (logging unexpected errors as the JSON handler does)."""
    headers: dict[str, str] = {}
    if isinstance(exc, JobPilotError):
        status, message = exc.status, exc.message
        if exc.headers and "Retry-After" in exc.headers:
            headers["Retry-After"] = exc.headers["Retry-After"]
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        message = _MESSAGES.get(status, _title(status) + ".")
    elif isinstance(exc, RequestValidationError):
        status, message = 400, _MESSAGES[400]
    else:
        # Logs it with the request id; 503 when SQLite was busy, else 500.
        status = unhandled_error_response(request, exc).status_code
        message = "Something went wrong on our side. Try again in a moment."
    if status < 500:
        await _signed_in_for_header(request)
    await try_load_banner(request)
    context = {
        "status": status,
        "title": _title(status),
        "message": message,
        "request_id": current_request_id() or request.scope.get("state", {}).get("request_id"),
    }
    template = _PAGE_TEMPLATES.get(status, "error.html")
    return pages.render(request, template, context, status_code=status, headers=headers)


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    target = login_url(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if request.headers.get("hx-request") == "true":
        # htmx follows a redirect inside the XHR; HX-Redirect makes the whole page move.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return redirect(target)


def _wrapped(pages: Pages, original: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if wants_page(request):
            return await error_page(pages, request, exc)
        response = original(request, exc)
        if inspect.isawaitable(response):
            response = await response
        assert isinstance(response, Response)
        return response

    return handler


def install_page_errors(app: FastAPI, pages: Pages) -> None:
    """Answer browsers with error pages, after `kit.http.install_error_handlers(app)`."""
    for key, original in list(app.exception_handlers.items()):
        if isinstance(key, type):
            app.add_exception_handler(key, _wrapped(pages, original))
    app.add_exception_handler(SignInRequired, _sign_in_first)

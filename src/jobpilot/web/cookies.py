"""The pages' cookies: names, flags, and a middleware that writes them onto any response.

Every cookie is `HttpOnly`, `SameSite=Lax` and `Path=/`. It is `Secure` when the request came
over https or the public address (`JOBPILOT_AUTH__PUBLIC_URL`) is https: a browser drops a
`Secure` cookie set over plain http, so on `http://127.0.0.1` the flag would sign nobody in.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobpilot.web.components import web_components
from jobpilot.web.state import page_state, peek_state

ACCESS_COOKIE = "jp_access"
REFRESH_COOKIE = "jp_refresh"
CSRF_COOKIE = "jp_csrf"
FLASH_COOKIE = "jp_flash"
_EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"


def secure_cookies(request: Request) -> bool:
    """Whether cookies get the `Secure` flag (https request or https public address)."""
    if request.url.scheme == "https":
        return True
    return web_components(request).public_url.lower().startswith("https://")


def cookie_header(name: str, value: str, *, max_age: int | None, secure: bool) -> str:
    """One Set-Cookie value with the pages' flags; `max_age=None` is a browser-session cookie."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.insert(1, f"Max-Age={max_age}")
        if max_age <= 0:
            parts.insert(2, f"Expires={_EXPIRED}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def set_cookie(request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    """Send `name=value` with the response to this request (the last word per name wins)."""
    page_state(request).cookies[name] = cookie_header(
        name, value, max_age=max_age, secure=secure_cookies(request)
    )


def delete_cookie(request: Request, name: str) -> None:
    """Make the browser forget `name` (if it sent it, or this response was to set it)."""
    state = page_state(request)
    if name in request.cookies or name in state.cookies:
        state.cookies[name] = cookie_header(name, "", max_age=0, secure=secure_cookies(request))


class PageCookiesMiddleware:
    """Pure ASGI middleware adding the cookies a page decided on to the response that goes out,
    whether a page, a redirect or an error page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = peek_state(scope)
                if state is not None and state.cookies:
                    message["headers"] = list(message.get("headers", ()))
                    headers = MutableHeaders(scope=message)
                    for value in state.cookies.values():
                        headers.append("set-cookie", value)
                    state.cookies.clear()
            await send(message)

        await self.app(scope, receive, with_cookies)

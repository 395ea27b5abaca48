"""Jinja2 pages: one environment per package of pages, and one URL for a page or a fragment.

`Pages("jobpilot.admin").render(request, "admin/home.html", {...}, fragment="figures")` answers
an htmx request (`HX-Request: true`, not boosted nor a history restore) with only the block
`figures` of the template, and any other request with the whole page; both carry
`Vary: HX-Request`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from jobpilot import __version__
from jobpilot.web.csrf import CSRF_FIELD, CSRF_HEADER, csrf_token
from jobpilot.web.flash import take_flashes
from jobpilot.web.state import page_state
from jobpilot.web.static import HTMX, static_url

# Scripts and styles come from /static only: no inline script, no CDN. htmx is configured (in a
# meta tag) not to inject its indicator styles nor to evaluate code from attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    # Pages show an account's data: neither the browser's nor any shared cache may keep them.
    "Cache-Control": "no-store",
    "Vary": "HX-Request, Cookie",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def is_fragment_request(request: Request) -> bool:
    """Whether htmx asks for a part of a page (a boosted link or history restore wants it all)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


class Pages:
    """The templates of one package (`<package>/templates/`) over the shared layouts."""

    def __init__(self, package: str | None = None) -> None:
        loaders = [PackageLoader(package, "templates")] if package else []
        loaders.append(PackageLoader("jobpilot.web", "templates"))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            static_url=static_url,
            htmx_url=static_url(HTMX),
            version=__version__,
            csrf_field=CSRF_FIELD,
            csrf_header=CSRF_HEADER,
        )

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        fragment: str | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The page `name`, or only its block `fragment` for an htmx request."""
        template = self.env.get_template(name)
        partial = fragment is not None and is_fragment_request(request)
        values: dict[str, Any] = {
            "request": request,
            "user": page_state(request).user,
            "csrf_token": csrf_token(request),
            "path": request.url.path,
            # A fragment leaves the messages for the next full page.
            "flashes": [] if partial else take_flashes(request),
            "banner": page_state(request).banner,
            **(context or {}),
        }
        if partial:
            assert fragment is not None
            html = "".join(template.blocks[fragment](template.new_context(values)))
        else:
            html = template.render(values)
        return HTMLResponse(
            html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})}
        )


def redirect(url: str, *, status_code: int = 303) -> RedirectResponse:
    """Send the browser to `url` (303: the next request is a GET, whatever this one was)."""
    return RedirectResponse(url, status_code=status_code, headers={"Cache-Control": "no-store"})

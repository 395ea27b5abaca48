"""What one request's pages have learned and owe the browser.

Kept under a key of the ASGI scope itself, not in `scope["state"]`: that dict is the lifespan
state, which some servers hand to every request as the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection
from starlette.types import Scope

if TYPE_CHECKING:
    from jobpilot.web.flash import Flash
    from jobpilot.web.runtime import Banner
    from jobpilot.web.session import BrowserUser

_KEY = "jobpilot.web.page"


@dataclass
class PageState:
    """Per request: whether it is a page, its signed-in user, cookies and flash messages."""

    # Set by the dependencies of every page route, so errors are answered with a page.
    page: bool = False
    resolved: bool = False
    user: BrowserUser | None = None
    # Set-Cookie header values by cookie name; written onto whatever response goes out.
    cookies: dict[str, str] = field(default_factory=dict)
    # Messages for the next page (stored in the flash cookie unless this response shows them).
    flashes: list[Flash] = field(default_factory=list)
    csrf_nonce: str | None = None
    # The maintenance banner above the page (runtime setting `web.maintenance_banner`).
    banner: Banner | None = None
    banner_loaded: bool = False


def page_state(connection: HTTPConnection) -> PageState:
    """The state of this request, created on first use."""
    found = connection.scope.get(_KEY)
    if not isinstance(found, PageState):
        found = PageState()
        connection.scope[_KEY] = found
    return found


def peek_state(scope: Scope) -> PageState | None:
    """The state of the request with this scope, if a page handler made one."""
    found = scope.get(_KEY)
    return found if isinstance(found, PageState) else None

"""Browser sessions: the auth service's session, its token pair kept in cookies.

Each page verifies the access-token cookie with the app's `TokenVerifier` (signature, claims and
the revocation list, as for an API call). When it has expired the refresh-token cookie is
exchanged through the auth service for a new pair, which replaces both cookies; when that fails
(signed out, revoked elsewhere, expired) the cookies are cleared and the page asks to sign in.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from jobpilot.kit.authn import InvalidToken, Principal, SessionTokens, TokenVerifier
from jobpilot.kit.errors import Forbidden, Unauthorized
from jobpilot.web.components import web_components
from jobpilot.web.cookies import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    delete_cookie,
    set_cookie,
)
from jobpilot.web.state import page_state

LOGIN_PATH = "/login"
# What the auth service issues; anything else in the cookie is not worth a database look-up.
_REFRESH_TOKEN_CHARS = range(10, 201)


@dataclass(frozen=True)
class BrowserUser:
    """Who is signed in on this browser."""

    principal: Principal
    email: str
    name: str

    @property
    def user_id(self) -> uuid.UUID:
        """The account's id."""
        return self.principal.user_id

    def has_role(self, role: str) -> bool:
        """Whether the account holds `role`."""
        return self.principal.has_role(role)


class SignInRequired(Unauthorized):
    """The page needs a signed-in user; the browser is sent to the sign-in page."""

    code = "sign_in_required"
    default_message = "Sign in to see this page."


def client_of(request: Request) -> tuple[str | None, str | None]:
    """The caller's address and user agent, as sessions and the audit trail record them."""
    host = request.client.host if request.client else None
    return host, request.headers.get("user-agent")


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` when it is a path on this site, else `default` (no open redirects)."""
    if not value or len(value) > 2000:
        return default
    # "//host" and "/\\host" are other sites to a browser; control characters are never paths.
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_url(next_path: str | None = None) -> str:
    """The sign-in page, coming back to `next_path` afterwards."""
    target = safe_next(next_path, "")
    if not target or target == "/":
        return LOGIN_PATH
    return f"{LOGIN_PATH}?next={quote(target, safe='/')}"


def keep_tokens(request: Request, tokens: SessionTokens) -> None:
    """Store a session's token pair in the browser, each cookie as long as its token lives."""
    set_cookie(request, ACCESS_COOKIE, tokens.access_token, max_age=tokens.access_expires_in)
    set_cookie(request, REFRESH_COOKIE, tokens.refresh_token, max_age=tokens.refresh_expires_in)


def forget_tokens(request: Request) -> None:
    """Remove the session's cookies from the browser."""
    delete_cookie(request, ACCESS_COOKIE)
    delete_cookie(request, REFRESH_COOKIE)


def start_browser_session(request: Request, tokens: SessionTokens) -> None:
    """After a sign-in: keep the tokens; forms are now bound to the session, not the nonce."""
    keep_tokens(request, tokens)
    delete_cookie(request, CSRF_COOKIE)
    state = page_state(request)
    state.resolved, state.user, state.csrf_nonce = False, None, None


async def _principal(request: Request) -> Principal | None:
    verifier: TokenVerifier = request.app.state.verifier
    access = request.cookies.get(ACCESS_COOKIE)
    if access:
        try:
            return await verifier.verify(access)
        except InvalidToken:
            pass
    refresh = request.cookies.get(REFRESH_COOKIE)
    if not refresh or len(refresh) not in _REFRESH_TOKEN_CHARS:
        return None
    components = web_components(request)
    ip, user_agent = client_of(request)

    def exchange() -> Awaitable[SessionTokens]:
        return components.accounts.refresh_session(refresh, ip=ip, user_agent=user_agent)

    try:
        tokens = await components.refreshes.exchange(refresh, exchange)
        principal = await verifier.verify(tokens.access_token)
    except Unauthorized:
        # Refused refresh token (signed out, revoked, expired, replayed) or unusable new token.
        return None
    keep_tokens(request, tokens)
    return principal


async def current_user(request: Request) -> BrowserUser | None:
    """The signed-in user of this browser, or None (its stale cookies then cleared)."""
    state = page_state(request)
    if state.resolved:
        return state.user
    principal = await _principal(request)
    user = None
    if principal is not None:
        account = await web_components(request).accounts.account(principal.user_id)
        if account is not None:
            user = BrowserUser(principal, email=str(account["email"]), name=str(account["name"]))
    if user is None:
        forget_tokens(request)
    state.user, state.resolved = user, True
    return user


async def require_user(request: Request) -> BrowserUser:
    """The signed-in user; SignInRequired (a redirect to the sign-in page) otherwise."""
    user = await current_user(request)
    if user is None:
        raise SignInRequired
    return user


OptionalUser = Annotated[BrowserUser | None, Depends(current_user)]
SignedInUser = Annotated[BrowserUser, Depends(require_user)]


def require_page_role(role: str) -> Callable[[BrowserUser], Awaitable[BrowserUser]]:
    """A dependency letting only users with `role` see a page (a 403 page for the others)."""

    async def check(user: SignedInUser) -> BrowserUser:
        if not user.has_role(role):
            raise Forbidden(f"This page is for the {role} role only.")
        return user

    return check

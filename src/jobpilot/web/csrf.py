"""CSRF tokens on every form, and their check on every unsafe request of a page route.

A token is an HMAC, under the web's key, of what ties the form to this browser: the session id
once signed in (it survives token refreshes and dies with the session), else a random nonce in
an HttpOnly cookie (the sign-in form). Forms send it in the `csrf_token` field, htmx in the
`X-CSRF-Token` header (`hx-headers` on the body); another site can read neither.
"""

from __future__ import annotations

import re
import secrets

from fastapi import Request

from jobpilot.kit.errors import Forbidden
from jobpilot.web.components import web_components
from jobpilot.web.cookies import CSRF_COOKIE, set_cookie
from jobpilot.web.session import current_user
from jobpilot.web.state import page_state

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NONCE = re.compile(r"[A-Za-z0-9_-]{32,64}")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfFailed(Forbidden):
    """An unsafe request without this browser's CSRF token."""

    code = "csrf_failed"
    default_message = (
        "This form has expired or did not come from this site. Go back, reload the page and "
        "try again."
    )


def csrf_token(request: Request) -> str:
    """The token for forms on this page (sets the nonce cookie when there is no session)."""
    state = page_state(request)
    signer = web_components(request).signer
    if state.user is not None:
        return signer.mac("csrf:session", str(state.user.principal.session_id))
    nonce = state.csrf_nonce or request.cookies.get(CSRF_COOKIE)
    if not nonce or not _NONCE.fullmatch(nonce):
        nonce = secrets.token_urlsafe(32)
        set_cookie(request, CSRF_COOKIE, nonce)
    state.csrf_nonce = nonce
    return signer.mac("csrf:anonymous", nonce)


async def _sent_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").lower().startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        if isinstance(value, str):
            return value
    return None


async def verify_csrf(request: Request) -> None:
    """Refuse (403) a POST, PUT, PATCH or DELETE that lacks this browser's token."""
    if request.method in _SAFE_METHODS:
        return
    sent = await _sent_token(request)
    if not sent:
        raise CsrfFailed
    signer = web_components(request).signer
    user = await current_user(request)
    if user is not None and signer.matches("csrf:session", str(user.principal.session_id), sent):
        return
    nonce = request.cookies.get(CSRF_COOKIE)
    if nonce and _NONCE.fullmatch(nonce) and signer.matches("csrf:anonymous", nonce, sent):
        return
    raise CsrfFailed

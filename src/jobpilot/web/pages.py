"""The foundation's own pages: the home page, sign-in (with the two-factor step), sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from jobpilot.kit.authn import SecondFactorRequired
from jobpilot.kit.errors import JobPilotError
from jobpilot.web.components import web_components
from jobpilot.web.flash import flash
from jobpilot.web.routing import page_router
from jobpilot.web.session import (
    LOGIN_PATH,
    OptionalUser,
    client_of,
    current_user,
    forget_tokens,
    safe_next,
    start_browser_session,
)
from jobpilot.web.templating import Pages, redirect

pages = Pages()
router = page_router()

MAX_EMAIL = 320
MAX_PASSWORD = 1024
_CODE_CHARS = range(6, 21)
_MFA_TOKEN_CHARS = range(10, 2001)
Next = Annotated[str | None, Query(max_length=2000)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _retry_after(exc: JobPilotError) -> dict[str, str]:
    value = (exc.headers or {}).get("Retry-After")
    return {"Retry-After": value} if value else {}


@router.get("/")
async def home(request: Request, user: OptionalUser) -> Response:
    """Who is signed in, and the pages they can open."""
    return pages.render(request, "home.html")


@router.get(LOGIN_PATH)
async def login_form(request: Request, user: OptionalUser, next: Next = None) -> Response:
    """The sign-in form (or, when signed in already, where it would lead)."""
    target = safe_next(next)
    if user is not None:
        return redirect(target)
    return pages.render(request, "login.html", {"next": target, "email": "", "errors": {}})


def _login_problems(email: str, password: str) -> dict[str, str]:
    errors = {}
    if not email:
        errors["email"] = "Enter your email address."
    elif "@" not in email or len(email) > MAX_EMAIL:
        errors["email"] = "Enter an email address like name@example.com."
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105 - a message, not a secret
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"A password has at most {MAX_PASSWORD} characters."
    return errors


async def _end_previous_session(request: Request) -> None:
    """Sign out the session this browser still holds, if any, before it starts another: a
    second sign-in (perhaps as someone else) must not leave the first session usable."""
    previous = await current_user(request)
    if previous is not None:
        ip, user_agent = client_of(request)
        await web_components(request).accounts.sign_out(
            previous.principal, ip=ip, user_agent=user_agent
        )


@router.post(LOGIN_PATH)
async def login(request: Request) -> Response:
    """Check the password with the auth service; start the browser session or ask for a code."""
    form = await request.form()
    email, password = _text(form, "email").strip(), _text(form, "password")
    target = safe_next(_text(form, "next"))
    context = {"next": target, "email": email}
    errors = _login_problems(email, password)
    if errors:
        return pages.render(request, "login.html", {**context, "errors": errors}, status_code=422)
    ip, user_agent = client_of(request)
    accounts = web_components(request).accounts
    try:
        outcome = await accounts.sign_in(email, password, ip=ip, user_agent=user_agent)
    except JobPilotError as exc:
        return pages.render(
            request,
            "login.html",
            {**context, "errors": {}, "form_error": exc.message},
            status_code=exc.status,
            headers=_retry_after(exc),
        )
    if isinstance(outcome, SecondFactorRequired):
        return pages.render(
            request,
            "login_code.html",
            {"next": target, "mfa_token": outcome.mfa_token, "errors": {}},
        )
    await _end_previous_session(request)
    start_browser_session(request, outcome)
    return redirect(target)


@router.post(LOGIN_PATH + "/code")
async def login_code(request: Request) -> Response:
    """Finish a two-factor sign-in with a code from the authenticator app or a recovery code."""
    form = await request.form()
    mfa_token, code = _text(form, "mfa_token"), "".join(_text(form, "code").split())
    target = safe_next(_text(form, "next"))
    if len(mfa_token) not in _MFA_TOKEN_CHARS:
        flash(request, "That sign-in has expired. Sign in again.", "error")
        return redirect(LOGIN_PATH)
    context = {"next": target, "mfa_token": mfa_token}
    if len(code) not in _CODE_CHARS:
        errors = {"code": "Enter the 6-digit code from your app, or a recovery code."}
        return pages.render(
            request, "login_code.html", {**context, "errors": errors}, status_code=422
        )
    ip, user_agent = client_of(request)
    accounts = web_components(request).accounts
    try:
        tokens = await accounts.finish_sign_in(mfa_token, code, ip=ip, user_agent=user_agent)
    except JobPilotError as exc:
        if exc.status == 401:
            errors = {"code": exc.message}
            return pages.render(
                request, "login_code.html", {**context, "errors": errors}, status_code=401
            )
        # The challenge is spent, expired or tried too often: start over.
        flash(request, f"{exc.message} Sign in again.", "error")
        return redirect(LOGIN_PATH)
    await _end_previous_session(request)
    start_browser_session(request, tokens)
    return redirect(target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session with the auth service (everywhere at once) and forget its cookies."""
    user = await current_user(request)
    if user is not None:
        ip, user_agent = client_of(request)
        await web_components(request).accounts.sign_out(
            user.principal, ip=ip, user_agent=user_agent
        )
    forget_tokens(request)
    flash(request, "You are signed out.", "success")
    return redirect(LOGIN_PATH)

"""Taleo Enterprise: a career section's job page and its sign-in before applying.

`{co}.taleo.net/careersection/{section}/jobdetail.ftl?job={id}` (NOTES.md §6) for any company
and section. "Apply Online" goes to `jobapply.ftl?job={id}`, which asks the candidate to sign in
(`dialogTemplate-dialogForm-login-name1` / `-password`, "Sign In", "New User" to register) under
the privacy statement's "Continue". The real `jobapply.ftl` redirects to
`careersection/iam/accessmanagement/login.jsf?redirectionURI=…` (served too); the sandbox shows
the sign-in at `jobapply.ftl` itself so the user is handed the apply URL. A closed job (`closed`
in its id) says "This job is no longer available."
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._account import e, page

ATS = "taleo"
HOST_PATTERN = "*.taleo.net"
_LOGIN = (
    '<div id="dialogTemplate-dialogForm-StatementBeforeAuthentificationContent">'
    "<p>Before signing in, read the privacy statement.</p>"
    '<button type="button" id="dialogTemplate-dialogForm-StatementBeforeAuthentificationContent-'
    'ContinueButton">Continue</button></div>'
    '<form id="dialogTemplate-dialogForm" method="post" action="">'
    "<h2>Job Application - Login</h2>"
    '<label for="dialogTemplate-dialogForm-login-name1">User Name</label>'
    '<input id="dialogTemplate-dialogForm-login-name1" '
    'name="dialogTemplate-dialogForm-login-name1" type="text">'
    '<label for="dialogTemplate-dialogForm-login-password">Password</label>'
    '<input id="dialogTemplate-dialogForm-login-password" '
    'name="dialogTemplate-dialogForm-login-password" type="password">'
    '<input type="submit" id="dialogTemplate-dialogForm-login-defaultCmd" value="Sign In">'
    '<a id="dialogTemplate-dialogForm-login-register" href="#">New User</a>'
    '<a id="dialogTemplate-dialogForm-login-forgotPassword" href="#">Forgot your password?</a>'
    "</form>"
)


def _closed() -> Response:
    return page("Job not available", "<h1>This job is no longer available.</h1>")


def build(sandbox: Sandbox) -> Site:
    """Taleo Enterprise's stand-in routes."""

    async def job_page(request: Request) -> Response:
        job = request.query_params.get("job", "")
        if "closed" in sandbox.scenarios(job):
            return _closed()
        apply = request.url.path.rsplit("/", 1)[0] + "/jobapply.ftl?" + urlencode({"job": job})
        body = (
            f'<h1 class="titlepage">Sandbox posting {e(job)}</h1>'
            '<div class="editablesection"><p>A sandbox posting.</p></div>'
            '<a id="requisitionDescriptionInterface.UP_APPLY_ON_REQ.row1" class="button" '
            f'href="{e(apply)}">Apply Online</a>'
        )
        return page(f"Job {job}", body)

    async def apply_page(request: Request) -> Response:
        job = request.query_params.get("job", "")
        if "closed" in sandbox.scenarios(job):
            return _closed()
        return page("Job Application - Login", _LOGIN)

    async def login_page(request: Request) -> Response:
        return page("Login", _LOGIN)

    routes: list[BaseRoute] = [
        Route("/careersection/{section}/jobdetail.ftl", job_page, methods=["GET"]),
        Route("/careersection/{section}/jobapply.ftl", apply_page, methods=["GET"]),
        Route("/careersection/iam/accessmanagement/login.jsf", login_page, methods=["GET"]),
    ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

"""Workday: a posting's page and its `/apply` entry, which needs a per-tenant account.

`{tenant}.wd{N}.myworkdayjobs.com/[{locale}/]{site}/job/{location}/{slug}_{req}` (NOTES.md §4)
for any tenant, shard and site, so the synthetic boards' postings are answered too. The job page
has the "Apply" `adventureButton`; `…/apply` shows the "Start Your Application" choices
(`autofillWithResume`, `applyManually`, `useMyLastApplication`) under the header's "Sign In"
(`utilityButtonSignIn`), and each choice leads to "Create Account" (email, password, verify
password) with a "Sign In" link: the wizard itself is only reachable signed in. A closed
posting (`closed` in the requisition id) says "The page you are looking for doesn't exist."
with no Apply button, as Workday's career site does.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._account import e, page

ATS = "workday"
HOST_PATTERN = "*.myworkdayjobs.com"
CHOICES = (
    ("autofillWithResume", "Autofill with Resume"),
    ("applyManually", "Apply Manually"),
    ("useMyLastApplication", "Use My Last Application"),
)


def _header(tenant: str) -> str:
    return (
        f'<header data-automation-id="header"><span data-automation-id="logo">{e(tenant)}</span>'
        '<button type="button" data-automation-id="utilityButtonSignIn">Sign In</button></header>'
    )


def _posting(request: Request) -> tuple[str, str, str]:
    """The tenant, the posting's title (from its slug) and its requisition id."""
    tenant = str(request.path_params["host"]).split(".", 1)[0]
    slug = str(request.path_params["slug"])
    title, _, req = slug.rpartition("_")
    return tenant, title.replace("-", " ").strip() or slug, req or slug


def build(sandbox: Sandbox) -> Site:
    """Workday's stand-in routes."""

    def closed(tenant: str) -> Response:
        body = (
            f"{_header(tenant)}<main><h2>The page you are looking for doesn't exist.</h2>"
            '<a data-automation-id="navigationItem-Search for Jobs" href="..">Search for Jobs</a>'
            "</main>"
        )
        return page("Workday", body)

    async def job_page(request: Request) -> Response:
        tenant, title, req = _posting(request)
        if "closed" in sandbox.scenarios(req):
            return closed(tenant)
        body = (
            f'{_header(tenant)}<main><h2 data-automation-id="jobPostingHeader">{e(title)}</h2>'
            f'<div data-automation-id="requisitionId">{e(req)}</div>'
            f'<a role="button" data-automation-id="adventureButton" '
            f'href="{e(request.url.path.rstrip("/"))}/apply">Apply</a>'
            '<div data-automation-id="jobPostingDescription"><p>A sandbox posting.</p></div></main>'
        )
        return page(title, body)

    async def start(request: Request) -> Response:
        tenant, title, req = _posting(request)
        if "closed" in sandbox.scenarios(req):
            return closed(tenant)
        base = request.url.path.rstrip("/")
        choices = "".join(
            f'<a role="button" data-automation-id="{key}" href="{e(base)}/{key}">{e(text)}</a>'
            for key, text in CHOICES
        )
        body = (
            f"{_header(tenant)}<main><h2>{e(title)}</h2>"
            '<div role="dialog" aria-labelledby="start-title" data-automation-id="wd-Popup">'
            f'<h2 id="start-title">Start Your Application</h2>{choices}</div></main>'
        )
        return page(title, body, style="[role=button]{display:block;margin:8px 0}")

    async def create_account(request: Request) -> Response:
        tenant, title, req = _posting(request)
        if "closed" in sandbox.scenarios(req):
            return closed(tenant)
        body = (
            f'{_header(tenant)}<main><h2 data-automation-id="createAccountHeader">Create Account'
            "</h2><form>"
            '<label for="email">Email Address*</label>'
            '<input id="email" type="text" data-automation-id="email" aria-required="true">'
            '<label for="password">Password*</label>'
            '<input id="password" type="password" data-automation-id="password">'
            '<label for="verifyPassword">Verify New Password*</label>'
            '<input id="verifyPassword" type="password" data-automation-id="verifyPassword">'
            '<button type="button" data-automation-id="createAccountSubmitButton">Create Account'
            '</button></form><p>Already have an account? <button type="button" '
            'data-automation-id="signInLink">Sign In</button></p></main>'
        )
        return page(title, body)

    routes: list[BaseRoute] = []
    for prefix in ("/{site}/job/{location}/{slug}", "/{locale}/{site}/job/{location}/{slug}"):
        routes += [
            Route(prefix, job_page, methods=["GET"]),
            Route(prefix + "/apply", start, methods=["GET"]),
            Route(prefix + "/apply/{mode}", create_account, methods=["GET"]),
        ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

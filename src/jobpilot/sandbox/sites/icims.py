"""iCIMS: a posting's page and its candidate login, both inside `iframe#icims_content_iframe`.

`careers-{co}.icims.com` (any prefix and company, NOTES.md §15): the page at
`/jobs/{id}/{slug}/job` or `/login` is the portal's frame with the content iframed from the same
path with `?in_iframe=1`. The login's frame is the start box: "Primary Email Address"
(`#email`, `css_loginName`), the privacy consent, an invisible hCaptcha and "Next"
(`#enterEmailSubmitButton`); past it the candidate signs in or creates an account. A closed
posting's frame says "…either does not exist or is no longer open." over the job search.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._account import e, page

ATS = "icims"
HOST_PATTERN = "*.icims.com"
_FRAME_STYLE = "#icims_content_iframe{width:100%;height:640px;border:0}"


def _outer(title: str) -> Response:
    """The portal page: the content comes from the same URL inside the frame."""
    body = (
        '<a href="#icims_content_iframe" class="iCIMS_SkipBranding">Skip Branding</a>'
        '<div id="iCIMS_Branding"><h1>Careers</h1></div>'
        '<iframe id="icims_content_iframe" name="icims_content_iframe" title="Job Content" '
        'src="?in_iframe=1" scrolling="no"></iframe>'
    )
    return page(title, body, style=_FRAME_STYLE)


def _gone() -> Response:
    body = (
        '<div class="iCIMS_MainWrapper"><p class="iCIMS_Message">The job that you were looking '
        "for either does not exist or is no longer open.</p>"
        '<form action="../search" method="get"><label for="searchKeyword">Keywords</label>'
        '<input id="searchKeyword" name="searchKeyword" type="text">'
        '<input type="submit" value="Search"></form></div>'
    )
    return page("Job not found", body)


def build(sandbox: Sandbox) -> Site:
    """iCIMS's stand-in routes."""

    async def job_page(request: Request) -> Response:
        posting_id = request.path_params["job_id"]
        title = f"Sandbox posting {posting_id}"
        if request.query_params.get("in_iframe") != "1":
            return _outer(title)
        if "closed" in sandbox.scenarios(posting_id):
            return _gone()
        login = request.url.path.rsplit("/", 1)[0] + "/login"
        body = (
            f'<div class="iCIMS_MainWrapper"><h1 class="iCIMS_Header">{e(title)}</h1>'
            '<div class="iCIMS_InfoMsg iCIMS_InfoMsg_Job"><p>A sandbox posting.</p></div>'
            f'<a class="iCIMS_ApplyOnlineButton" target="_top" href="{e(login)}">'
            "Apply for this job online</a></div>"
        )
        return page(title, body)

    async def login_page(request: Request) -> Response:
        posting_id = request.path_params["job_id"]
        if request.query_params.get("in_iframe") != "1":
            return _outer("Candidate login")
        if "closed" in sandbox.scenarios(posting_id):
            return _gone()
        body = (
            '<div class="iCIMS_MainWrapper"><form id="enterEmailForm" method="post" action="">'
            "<h2>Enter Your Information</h2>"
            '<label for="email">Primary Email Address</label>'
            '<input id="email" name="css_loginName" type="email" autocomplete="email" required>'
            '<input type="checkbox" id="accept_gdpr" name="accept_gdpr" required>'
            '<label for="accept_gdpr">Yes, I agree to the Candidate Data Privacy Policy</label>'
            '<div class="h-captcha" data-size="invisible"></div>'
            '<input type="submit" id="enterEmailSubmitButton" value="Next"></form>'
            '<p><a href="?loginOnly=1&amp;in_iframe=1">Returning Candidate? Log back in!</a></p>'
            "</div>"
        )
        return page("Candidate login", body)

    routes: list[BaseRoute] = []
    for prefix in ("/jobs/{job_id}/{slug}", "/jobs/{job_id}"):
        routes += [
            Route(prefix + "/job", job_page, methods=["GET"]),
            Route(prefix + "/login", login_page, methods=["GET"]),
        ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

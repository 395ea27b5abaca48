"""Stand-ins for captcha widgets' frames, so sandbox pages never load the real ones."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site

_CHECKBOX = (
    '<!doctype html><html><body style="margin:0;font-family:sans-serif">'
    '<div style="border:1px solid #d3d3d3;width:300px;height:74px;display:flex;'
    'align-items:center;gap:12px;padding:0 12px;box-sizing:border-box">'
    '<span role="checkbox" aria-checked="false" id="recaptcha-anchor" '
    'style="width:24px;height:24px;border:2px solid #c1c1c1"></span>'
    "<span>I'm not a robot</span></div></body></html>"
)


def build(sandbox: Sandbox) -> Site:
    """reCAPTCHA's anchor/bframe and hCaptcha's checkbox frame, as inert look-alikes."""

    async def frame(request: Request) -> Response:
        if request.query_params.get("size") == "invisible":
            return HTMLResponse("<!doctype html><html><body></body></html>")
        return HTMLResponse(_CHECKBOX)

    google: list[BaseRoute] = [
        Route("/recaptcha/api2/anchor", frame, methods=["GET"]),
        Route("/recaptcha/api2/bframe", frame, methods=["GET"]),
    ]
    hcaptcha: list[BaseRoute] = [Route("/captcha/v1/{rest:path}", frame, methods=["GET"])]
    # Cloudflare Turnstile's widget frame (Workable's "Verify you are human").
    turnstile: list[BaseRoute] = [
        Route("/cdn-cgi/challenge-platform/{rest:path}", frame, methods=["GET"])
    ]
    return Site(
        ats="captcha",
        hosts={
            "www.google.com": google,
            "newassets.hcaptcha.com": hcaptcha,
            "challenges.cloudflare.com": turnstile,
        },
    )

"""Lever: the hosted apply page `jobs.lever.co/{site}/{id}/apply`, which is also its definition.

Lever publishes no question list (the Postings API has none), so the adapter reads the apply
page itself. The sandbox serves the captured Palantir page (`lever/palantir_apply_form_trimmed.
html`, NOTES.md §2): `li.application-question` boxes `resume` (file `#resume-upload-input`
inside an "ATTACH RESUME/CV" link), `name` (one full-name box), `email`, `phone`, the hidden
machinery (`accountId`, `timezone`, `h-captcha-response`, ...) and `div.h-captcha`. Its images
are dropped, a local style hides what Lever's stylesheet hides, the form posts back to the
sandbox, and the "Submit application" button (`data-qa=btn-submit`) the upstream trim removed
is put back. Without the fixture a hand-made page of the same structure is served.

A sent application lands on `…/thanks` ("Application submitted!"); a closed posting is a 404
("Sorry, we couldn't find anything here"). Scenarios: `captcha` (a visible hCaptcha checkbox in
the form), `login` (an account wall; Lever itself has none), `changed` (the page's script adds
a required custom-question card after load, so the plain-HTTP definition lacks it), `slow`,
`closed`. Lever forms are one page with no email code: `steps` and `emailcode` do nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import answered, e, login_page

ATS = "lever"
HOSTS = ("jobs.lever.co", "jobs.eu.lever.co")
FIXTURE = ("lever", "palantir_apply_form_trimmed.html")
# The card the `changed` page adds: the approved definition never had it.
EXTRA_CARD = "cards[5a1d0c4e-9f2b-4c41-8d0e-000000000001]"
EXTRA_TEMPLATE: dict[str, Any] = {
    "text": "Work authorization",
    "fields": [
        {
            "type": "multiple-choice",
            "text": "Will you now or in the future require visa sponsorship?",
            "required": True,
            "options": [{"text": "Yes"}, {"text": "No"}],
        }
    ],
}
# Standard boxes Lever always requires (marked ✱ on every measured tenant).
REQUIRED = (("resume", "Resume/CV"), ("name", "Full name"), ("email", "Email"))

# What Lever's own stylesheet does to the captured markup, as far as a browser can tell.
_STYLE = """
body{font-family:sans-serif;margin:0}
.content,.main-header,.main-footer{max-width:760px;margin:0 auto;padding:12px 24px}
.hidden,.resume-upload-failure,.resume-upload-working,.resume-upload-success,
.resume-upload-oversize{display:none}
.cc-window{background:#222;color:#fff;padding:8px 16px;font-size:13px}
.application-question{list-style:none;margin:14px 0}
.application-label{font-weight:600;margin-bottom:4px}
.application-field input[type=text],.application-field input[type=email]{width:100%;padding:6px;
box-sizing:border-box}
.visible-resume-upload{position:relative;display:inline-block;padding:8px 16px;
border:1px solid #999;overflow:hidden}
.invisible-resume-upload{position:absolute;inset:0;width:100%;height:100%;opacity:0;
cursor:pointer}
.application-error{color:#b00;font-weight:600;margin:8px 0}
.postings-btn.template-btn-submit{padding:10px 24px;margin:16px 0}
"""
_SCRIPT = """
(() => {
  const form = document.getElementById('application-form');
  if (!form) return;
  const resume = document.getElementById('resume-upload-input');
  if (resume) {
    resume.addEventListener('change', () => {
      const name = resume.closest('a').querySelector('.filename');
      if (name) name.textContent = Array.from(resume.files).map((f) => f.name).join(', ');
    });
  }
  const zone = document.getElementById('applicant-timezone');
  if (zone) zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const extra = document.getElementById('sandbox-extra-card');
  if (extra) {
    form.querySelector('ul').insertAdjacentHTML('beforeend', JSON.parse(extra.textContent));
  }
  // Lever's button runs hCaptcha, then clicks the hidden real submit button.
  const button = document.getElementById('btn-submit');
  button.addEventListener('click', () => document.getElementById('hcaptchaSubmitBtn').click());
})();
"""
# Without the captured page: the same structure, hand-made.
_FALLBACK = """<!doctype html>
<html>
  <head><meta charset="utf-8" /><title>Sandbox - Software Engineer</title></head>
  <body class="application header-compact">
    <div class="content-wrapper application-page"><div class="content">
      <div class="section page-centered posting-header"><h2>Software Engineer</h2></div>
      <div class="section-wrapper page-full-width">
        <form id="application-form" method="POST">
          <div class="section page-centered application-form">
            <h4>Submit your application</h4>
            <ul>
              <li class="application-question resume"><label>
                <div class="application-label">Resume/CV <span class="required">✱</span></div>
                <div class="application-field"><a href="#"
                  class="postings-btn template-btn-utility visible-resume-upload"><span
                  class="filename"></span><span class="default-label">ATTACH RESUME/CV</span><input
                  class="application-file-input invisible-resume-upload" data-qa="input-resume"
                  id="resume-upload-input" name="resume" type="file" /></a></div></label></li>
              <li class="application-question"><label>
                <div class="application-label">Full name<span class="required">✱</span></div>
                <div class="application-field"><input type="text" data-qa="name-input"
                  name="name" required /></div></label></li>
              <li class="application-question"><label>
                <div class="application-label">Email<span class="required">✱</span></div>
                <div class="application-field"><input name="email" data-qa="email-input"
                  type="email" required /></div></label></li>
              <li class="application-question"><label>
                <div class="application-label">Phone</div>
                <div class="application-field"><input type="text" data-qa="phone-input"
                  name="phone" /></div></label></li>
            </ul>
          </div>
          <input type="hidden" name="accountId" value="00000000-0000-0000-0000-000000000000" />
          <input type="hidden" name="origin" /><input type="hidden" name="referer" />
          <input type="hidden" name="timezone" id="applicant-timezone" value="UTC" />
          <input type="hidden" name="resumeStorageId" value="" />
          <input id="hcaptchaResponseInput" type="hidden" name="h-captcha-response" value="" />
          <button id="hcaptchaSubmitBtn" type="submit" class="hidden"></button>
          <input type="hidden" name="source" />
          <div id="h-captcha" class="h-captcha"></div>
        </form>
      </div>
    </div></div>
  </body>
</html>
"""
_IMG = re.compile(r"<img\b[^>]*>", re.S)
_FORM_OPEN = re.compile(r'<form id="application-form" method="POST">')
_HCAPTCHA = '<div id="h-captcha" class="h-captcha"></div>'


def _extra_card() -> str:
    """The `changed` card, as Lever renders a multiple-choice card."""
    field = EXTRA_TEMPLATE["fields"][0]
    name = f"{EXTRA_CARD}[field0]"
    options = "".join(
        f'<li><label><input type="radio" name="{e(name)}" value="{e(o["text"])}" required>'
        f'<span class="application-answer-alternative">{e(o["text"])}</span></label></li>'
        for o in field["options"]
    )
    card = (
        '<li class="application-question custom-question">'
        f'<input type="hidden" name="{e(EXTRA_CARD)}[baseTemplate]" '
        f'value="{e(json.dumps(EXTRA_TEMPLATE))}">'
        f'<div class="application-label full-width">{e(field["text"])}'
        '<span class="required">✱</span></div>'
        f'<div class="application-field"><ul data-qa="multiple-choice">{options}</ul></div></li>'
    )
    # Inside a script the markup is text: only a browser running the page ever sees the card.
    payload = json.dumps(card).replace("</", "<\\/")
    return f'<script type="application/json" id="sandbox-extra-card">{payload}</script>'


def _apply_page(
    sandbox: Sandbox, request: Request, posting_id: str, *, error: str | None = None
) -> HTMLResponse:
    """The captured apply page (or its hand-made twin), wired to the sandbox."""
    raw = sandbox.fixture(*FIXTURE)
    page = raw.decode("utf-8") if raw is not None else _FALLBACK
    scenarios = sandbox.scenarios(posting_id)
    # The page posts to itself, as Lever's does (the sandbox path standing in for it).
    action = request.url.path
    page = _IMG.sub("", page)
    page = _FORM_OPEN.sub(
        f'<form id="application-form" method="POST" action="{e(action)}" '
        'enctype="multipart/form-data">',
        page,
        count=1,
    )
    if error:
        heading = "<h4>Submit your application</h4>"
        banner = f'<div class="application-error error-message" role="alert">{e(error)}</div>'
        page = page.replace(heading, banner + heading, 1)
    captcha = _HCAPTCHA
    if "captcha" in scenarios:
        frame = Sandbox.link(
            request,
            "newassets.hcaptcha.com",
            "/captcha/v1/sandbox/static/hcaptcha.html#frame=checkbox&sitekey=sandbox",
        )
        captcha = (
            '<div id="h-captcha" class="h-captcha" data-sitekey="sandbox"><iframe '
            f'title="Widget containing checkbox for hCaptcha security challenge" src="{e(frame)}" '
            'width="303" height="78" frameborder="0" scrolling="no"></iframe></div>'
        )
    submit = (
        '<div class="section page-centered last-section-apply"><button type="button" '
        'data-qa="btn-submit" id="btn-submit" class="postings-btn template-btn-submit">'
        "Submit application</button></div>"
    )
    extra = _extra_card() if "changed" in scenarios else ""
    page = page.replace(_HCAPTCHA, captcha + submit + extra, 1)
    page = page.replace("</head>", f"<style>{_STYLE}</style></head>", 1)
    page = page.replace("</body>", f"<script>{_SCRIPT}</script></body>", 1)
    return HTMLResponse(page, status_code=400 if error else 200)


def _not_found() -> HTMLResponse:
    body = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Not found</title></head><body>'
        '<div class="content"><h2>Sorry, we couldn\'t find anything here</h2><p>The job posting '
        "you're looking for might have closed, or it has been removed.</p></div></body></html>"
    )
    return HTMLResponse(body, status_code=404)


def _missing(form: FormData, scenarios: frozenset[str]) -> list[str]:
    required = list(REQUIRED)
    if "changed" in scenarios:
        required.append((f"{EXTRA_CARD}[field0]", EXTRA_TEMPLATE["fields"][0]["text"]))
    return [label for key, label in required if not answered(form, key)]


def build(sandbox: Sandbox) -> Site:
    """Lever's stand-in routes (US and EU hosts)."""

    async def apply_page(request: Request) -> Response:
        site, posting_id = request.path_params["site"], request.path_params["posting_id"]
        scenarios = sandbox.scenarios(posting_id)
        if "closed" in scenarios:
            return _not_found()
        if "login" in scenarios:
            return login_page(request, site)
        return _apply_page(sandbox, request, posting_id)

    async def posting_page(request: Request) -> Response:
        site, posting_id = request.path_params["site"], request.path_params["posting_id"]
        if "closed" in sandbox.scenarios(posting_id):
            return _not_found()
        apply = request.url.path.rstrip("/") + "/apply"
        body = (
            '<!doctype html><html><head><meta charset="utf-8"><title>Posting</title></head><body>'
            f'<div class="posting-headline"><h2>Sandbox posting at {e(site)}</h2></div>'
            f'<a class="postings-btn template-btn-submit" href="{e(apply)}">Apply for this job'
            "</a></body></html>"
        )
        return HTMLResponse(body)

    async def submit(request: Request) -> Response:
        site, posting_id = request.path_params["site"], request.path_params["posting_id"]
        scenarios = sandbox.scenarios(posting_id)
        if scenarios & {"closed", "login"}:
            return _not_found()
        async with request.form() as form:
            if "captcha" in scenarios and not answered(form, "h-captcha-response"):
                return _apply_page(
                    sandbox, request, posting_id, error="Please complete the captcha."
                )
            missing = _missing(form, scenarios)
            if missing:
                message = "Please fill out the required fields: " + ", ".join(missing)
                return _apply_page(sandbox, request, posting_id, error=message)
            await sandbox.record(ats=ATS, tenant=site, posting_id=posting_id, form=form)
        if "slow" in scenarios:
            await asyncio.sleep(sandbox.slow_seconds)
        thanks = request.url.path.removesuffix("/apply") + "/thanks"
        return RedirectResponse(thanks, 303)

    async def thanks(request: Request) -> Response:
        body = (
            '<!doctype html><html><head><meta charset="utf-8"><title>Application submitted'
            '</title></head><body><div class="content"><div class="application-confirmation">'
            '<h3 data-qa="msg-submit-success">Application submitted!</h3><p>Thank you for '
            "applying. Your application has been received.</p></div></div></body></html>"
        )
        return HTMLResponse(body)

    routes: list[BaseRoute] = [
        Route("/{site}/{posting_id}", posting_page, methods=["GET"]),
        Route("/{site}/{posting_id}/apply", apply_page, methods=["GET"]),
        Route("/{site}/{posting_id}/apply", submit, methods=["POST"]),
        Route("/{site}/{posting_id}/thanks", thanks, methods=["GET"]),
    ]
    return Site(ats=ATS, hosts=dict.fromkeys(HOSTS, routes))

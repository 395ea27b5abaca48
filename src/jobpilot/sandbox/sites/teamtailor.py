"""Teamtailor (`{co}[.na].teamtailor.com`): the job page and `/jobs/{id}-{slug}/applications/new`.

No form was captured, so the page is hand-made after NOTES.md §18 and the measured notes it
cites: a Rails form `form#new_candidate` inside `turbo-frame#application_form` with real
`<label for>`s: `candidate[first_name]`, `[last_name]`, `[email]`, `[phone]`, the resume in a
Dropzone (a hidden, nameless file input), `candidate[linkedin_url]`, the cover letter
`candidate[job_applications_attributes][0][cover_letter]`, questions in `div.question[data-
question-mandatory]` answered through `candidate[answers_attributes][N][question_id|boolean|
text|choice|number]` (yes/no radios `true` / `false` with ids that change per load, choices
`1..n`), and the required `candidate[consent_given]` box (the applicant's own consent). There is
no captcha: Teamtailor's proof-of-work runs in the page (the submit button stays disabled until
the page has found a nonce whose SHA-256 with the issued challenge starts with "00"), and the
server refuses a post without a valid one. The form posts like Turbo: a 422 re-renders the
frame with Rails' "can't be blank" errors, a success redirects to `…/applications/thanks`.

A closed job's page says "This job is no longer available" and its form is a 404. Scenarios:
`changed` (a required question beyond what the approved answers know), `login` (an account
wall; Teamtailor has none), `slow`, `closed`. The scenario is read from the whole `{id}-{slug}`
segment, since Teamtailor ids are numbers; `captcha`, `emailcode` and `steps` do nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import answered, e, login_page

ATS = "teamtailor"
HOST_PATTERN = "*.teamtailor.com"
POW_PREFIX = "00"
CONSENT = "candidate[consent_given]"
RESUME = "candidate[resume]"
# (title, kind, mandatory, options) of the job's questions, answered at index N.
QUESTIONS: list[dict[str, Any]] = [
    {"id": 301, "title": "Do you have a valid work permit?", "kind": "boolean", "mandatory": True},
    {"id": 302, "title": "What are your salary expectations?", "kind": "text", "mandatory": True},
    {
        "id": 303,
        "title": "How did you hear about us?",
        "kind": "choice",
        "mandatory": True,
        "options": ["LinkedIn", "A friend", "A job board"],
    },
    {"id": 304, "title": "Years of experience", "kind": "number", "mandatory": False},
]
EXTRA: dict[str, Any] = {
    "id": 399,
    "title": "Will you now or in the future require visa sponsorship?",
    "kind": "boolean",
    "mandatory": True,
}
# Standard boxes: (name, id, label, type, required).
STANDARD: tuple[tuple[str, str, str, str, bool], ...] = (
    ("candidate[first_name]", "candidate_first_name", "First name", "text", True),
    ("candidate[last_name]", "candidate_last_name", "Last name", "text", True),
    ("candidate[email]", "candidate_email", "Email", "email", True),
    ("candidate[phone]", "candidate_phone", "Phone", "tel", False),
)
_STYLE = """
body{font-family:sans-serif;margin:0;padding:24px 48px;max-width:760px}
.form-group,.question{margin:16px 0;position:relative}
label{display:block;font-weight:600;margin-bottom:4px}
label.radio,label.checkbox{font-weight:normal}
input[type=text],input[type=email],input[type=tel],input[type=url],input[type=number],textarea{
width:100%;padding:6px;box-sizing:border-box}
.dropzone{border:2px dashed #aaa;padding:16px;position:relative}
.dz-hidden-input{visibility:hidden;position:absolute;top:0;left:0;height:0;width:0}
.error-message{color:#b00}
button[type=submit]{padding:10px 24px}
"""
_SCRIPT = """
(() => {
  const frame = document.getElementById('application_form');
  if (!frame) return;
  const hex = (buffer) => Array.from(new Uint8Array(buffer))
    .map((b) => b.toString(16).padStart(2, '0')).join('');
  const wire = async () => {
    const form = document.getElementById('new_candidate');
    if (!form) return;
    const file = form.querySelector('.dz-hidden-input');
    form.querySelector('.dz-button').addEventListener('click', () => file.click());
    file.addEventListener('change', () => {
      form.querySelector('.dz-filename').textContent =
        Array.from(file.files).map((f) => f.name).join(', ');
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      // Dropzone's input has no name: the page sends the chosen file under its own key.
      for (const f of file.files) data.append(file.dataset.param, f);
      const response = await fetch(form.action, {
        method: 'POST', body: data, credentials: 'same-origin',
        headers: {Accept: 'text/vnd.turbo-stream.html, text/html',
                  'Turbo-Frame': 'application_form'},
      });
      if (response.redirected) { window.location.assign(response.url); return; }
      frame.innerHTML = await response.text();
      wire();
    });
    // Teamtailor's proof of work: find a nonce, then let the candidate submit.
    const challenge = form.dataset.powChallenge;
    const prefix = form.dataset.powPrefix;
    const encoder = new TextEncoder();
    for (let nonce = 0; ; nonce++) {
      const digest = await crypto.subtle.digest('SHA-256', encoder.encode(challenge + nonce));
      if (hex(digest).startsWith(prefix)) {
        form.querySelector('input[name="pow[nonce]"]').value = String(nonce);
        break;
      }
    }
    form.querySelector('button[type="submit"]').disabled = false;
  };
  wire();
})();
"""


def _question_html(index: int, question: dict[str, Any]) -> str:
    base = f"candidate[answers_attributes][{index}]"
    mandatory = question["mandatory"]
    star = " *" if mandatory else ""
    kind = question["kind"]
    hidden = f'<input type="hidden" name="{base}[question_id]" value="{question["id"]}">'
    label_id = f"question-{question['id']}-label"
    if kind in {"boolean", "choice"}:
        if kind == "boolean":
            # Ids differ on every load, as Teamtailor's do: only name and value are stable.
            load = secrets.token_hex(3)
            options = [
                ("true", "Yes", f"boolean-{load}-true"),
                ("false", "No", f"boolean-{load}-false"),
            ]
        else:
            options = [
                (str(i + 1), text, f"choice-{question['id']}-{i + 1}")
                for i, text in enumerate(question["options"])
            ]
        radios = "".join(
            f'<input type="radio" id="{box}" name="{base}[{kind}]" value="{value}"'
            f'{" required" if mandatory else ""}><label class="radio" for="{box}">{text}</label>'
            for value, text, box in options
        )
        control = (
            f'<fieldset role="radiogroup" aria-labelledby="{label_id}">'
            f'<legend id="{label_id}">{e(question["title"])}{star}</legend>{radios}</fieldset>'
        )
    else:
        box = f"question-{question['id']}"
        input_type = "number" if kind == "number" else "text"
        control = (
            f'<label id="{label_id}" for="{box}">{e(question["title"])}{star}</label>'
            f'<input type="{input_type}" id="{box}" name="{base}[{kind}]"'
            f"{' required' if mandatory else ''}>"
        )
    flag = "true" if mandatory else "false"
    return f'<div class="question" data-question-mandatory="{flag}">{hidden}{control}</div>'


def _questions(scenarios: frozenset[str]) -> list[dict[str, Any]]:
    return [*QUESTIONS, EXTRA] if "changed" in scenarios else list(QUESTIONS)


def _form_html(
    action: str, challenge: str, scenarios: frozenset[str], errors: dict[str, str]
) -> str:
    def error(key: str) -> str:
        message = errors.get(key)
        return f'<p class="error-message" role="alert">{e(message)}</p>' if message else ""

    standard = "".join(
        f'<div class="form-group"><label for="{box}">{label}{" *" if req else ""}</label>'
        f'<input type="{kind}" id="{box}" name="{name}"{" required" if req else ""}>'
        f"{error(name)}</div>"
        for name, box, label, kind, req in STANDARD
    )
    resume = (
        '<div class="form-group"><label for="candidate_resume">Resume *</label>'
        '<div class="dropzone" data-controller="upload"><button type="button" class="dz-button">'
        'Upload resume</button><span class="dz-filename"></span><input type="file" '
        f'id="candidate_resume" class="dz-hidden-input" data-param="{RESUME}" '
        'accept=".pdf,.doc,.docx,.txt,.rtf,.odt"></div><input type="hidden" '
        f'name="candidate[resume_remote_url]" id="candidate_resume_remote_url">{error(RESUME)}'
        "</div>"
    )
    extra = (
        '<div class="form-group"><label for="candidate_linkedin_url">LinkedIn profile</label>'
        '<input type="url" id="candidate_linkedin_url" name="candidate[linkedin_url]"></div>'
        '<div class="form-group"><label for="candidate_cover_letter">Cover letter</label>'
        '<textarea id="candidate_cover_letter" rows="5" '
        'name="candidate[job_applications_attributes][0][cover_letter]"></textarea></div>'
    )
    questions = "".join(
        _question_html(i, q) + error(f"candidate[answers_attributes][{i}]")
        for i, q in enumerate(_questions(scenarios))
    )
    consent = (
        f'<div class="form-group"><input type="hidden" name="{CONSENT}" value="0">'
        f'<input type="checkbox" id="candidate_consent_given" name="{CONSENT}" value="1" required>'
        '<label class="checkbox" for="candidate_consent_given">I agree to the processing of my '
        f"personal data for this application *</label>{error(CONSENT)}</div>"
    )
    return (
        f'<form id="new_candidate" class="new_candidate" action="{e(action)}" method="post" '
        f'enctype="multipart/form-data" data-pow-challenge="{challenge}" '
        f'data-pow-prefix="{POW_PREFIX}" novalidate>'
        '<input type="hidden" name="authenticity_token" value="sandbox-token">'
        f'<input type="hidden" name="pow[challenge]" value="{challenge}">'
        f'<input type="hidden" name="pow[nonce]" value="">{error("pow")}'
        f"{standard}{resume}{extra}{questions}{consent}"
        '<button type="submit" disabled>Submit application</button></form>'
    )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}<script>{_SCRIPT}</script></body></html>",
        status_code=status,
    )


def _missing(form: FormData, scenarios: frozenset[str]) -> dict[str, str]:
    errors = {
        name: f"{label} can't be blank"
        for name, _, label, _, req in STANDARD
        if req and not answered(form, name)
    }
    if not answered(form, RESUME):
        errors[RESUME] = "Resume can't be blank"
    for index, question in enumerate(_questions(scenarios)):
        key = f"candidate[answers_attributes][{index}][{question['kind']}]"
        if question["mandatory"] and not answered(form, key):
            errors[f"candidate[answers_attributes][{index}]"] = f"{question['title']} is required"
    if "1" not in form.getlist(CONSENT):
        errors[CONSENT] = "You need to agree to the processing of your personal data"
    return errors


def build(sandbox: Sandbox) -> Site:
    """Teamtailor's stand-in routes, for any `{co}[.na].teamtailor.com`."""
    issued: set[str] = set()

    def parts(request: Request) -> tuple[str, str, str, frozenset[str]]:
        tenant = str(request.path_params["host"]).split(".", 1)[0]
        segment = str(request.path_params["job"])
        return tenant, segment, segment.split("-", 1)[0], sandbox.scenarios(segment)

    def challenge() -> str:
        token = secrets.token_hex(8)
        issued.add(token)
        return token

    def solved(form: FormData) -> bool:
        token, nonce = str(form.get("pow[challenge]") or ""), str(form.get("pow[nonce]") or "")
        digest = hashlib.sha256(f"{token}{nonce}".encode()).hexdigest()
        return token in issued and nonce.isdigit() and digest.startswith(POW_PREFIX)

    async def job_page(request: Request) -> Response:
        tenant, _, _, scenarios = parts(request)
        if "closed" in scenarios:
            body = f"<h1>{e(tenant)}</h1><p>This job is no longer available.</p>"
            return _page("Job closed", body)
        apply = request.url.path.rstrip("/") + "/applications/new"
        body = (
            f"<h1>Sandbox job at {e(tenant)}</h1><p>A sandbox job.</p>"
            f'<a href="{e(apply)}" class="btn">Apply for this job</a>'
        )
        return _page("Sandbox job", body)

    async def new_application(request: Request) -> Response:
        tenant, _, _, scenarios = parts(request)
        if "closed" in scenarios:
            return _page("Not found", "<h1>This job is no longer available.</h1>", 404)
        if "login" in scenarios:
            return login_page(request, tenant)
        action = request.url.path.removesuffix("/new")
        form = _form_html(action, challenge(), scenarios, {})
        body = (
            f"<h1>Sandbox job at {e(tenant)}</h1>"
            f'<turbo-frame id="application_form">{form}</turbo-frame>'
        )
        return _page("Apply", body)

    async def create(request: Request) -> Response:
        tenant, _, job_id, scenarios = parts(request)
        if scenarios & {"closed", "login"}:
            return _page("Not found", "<h1>This job is no longer available.</h1>", 404)
        async with request.form() as form:
            errors = _missing(form, scenarios)
            if not solved(form):
                errors["pow"] = "Something went wrong. Please reload the page and try again."
            if errors:
                html = _form_html(request.url.path, challenge(), scenarios, errors)
                return HTMLResponse(html, status_code=422)
            await sandbox.record(
                ats=ATS,
                tenant=tenant,
                posting_id=job_id,
                form=form,
                email=str(form.get("candidate[email]") or ""),
            )
        if "slow" in scenarios:
            await asyncio.sleep(sandbox.slow_seconds)
        return RedirectResponse(f"{request.url.path}/thanks", 303)

    async def thanks(request: Request) -> Response:
        body = (
            '<div class="thank-you"><h1>Thank you for your application!</h1>'
            "<p>Your application has been sent. We will get back to you soon.</p></div>"
        )
        return _page("Thank you", body)

    routes: list[BaseRoute] = [
        Route("/jobs/{job}", job_page, methods=["GET"]),
        Route("/jobs/{job}/applications/new", new_application, methods=["GET"]),
        Route("/jobs/{job}/applications", create, methods=["POST"]),
        Route("/jobs/{job}/applications/thanks", thanks, methods=["GET"]),
    ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

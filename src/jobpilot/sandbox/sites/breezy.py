"""Breezy HR (`{co}.breezy.hr`): the position page and the apply page `/p/{id}-{slug}/apply`.

No apply page was captured, so the page is hand-made after NOTES.md §10 and the measured notes
it cites: the Angular build's definition in a hidden `input#questions` (HTML-escaped JSON of
sections and questions) plus `*_required` hidden inputs; boxes `cName` (one full-name box),
`cEmail`, `cPhoneNumber`, `cResume` (hidden file input `#main-attachment` behind "Upload
Resume"), `cAddress`, `salaryCurrency` + `cSalary`, `cCoverLetter` (text); employer questions
`section_<id>_question_<n>` (text, dropdown, radios, value-less tick boxes, paragraph); EEO radios
`gender`; the `ccpaAgreement` box; and the honeypot `hp_7f2b`. Questions are titled by `h3`
spans, never `<label>`. The page posts with `fetch` and follows the answer. A position id with
the word `react` gets the React build's definition instead (`script#portal-data`:
`data.position.application_form`, each part `required` / `optional` / `hidden`, and
`data.questions`); that build draws the same boxes (measured), so only the definition differs.
`/p/{id}` and `/p/{id}/apply` answer like the slugged URLs (the sandbox knows no slugs).

A sent application lands on `…/apply/submitted` ("Application submitted"); a closed position
answers 200 "Position Closed". Scenarios: `emailcode` (a 4-digit verification code at Submit,
on `…/apply/verify`), `steps` (the form split in sections with Next), `changed` (the page asks a
required question its own `#questions` definition lacks), `login` (an account wall; Breezy has
none), `slow`, `closed`. Breezy shows no captcha, so `captcha` does nothing. The scenario is
read from the position id (the part before the first dash).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import answered, e, login_page

ATS = "breezy"
HOST_PATTERN = "*.breezy.hr"
SECTION = "5f2a7c1e9b3d"
HONEYPOT = "hp_7f2b"
# Breezy's standard boxes: (name, title, kind, required).
STANDARD: tuple[tuple[str, str, str, bool], ...] = (
    ("cName", "Full Name", "text", True),
    ("cEmail", "Email Address", "email", True),
    ("cPhoneNumber", "Phone Number", "tel", True),
    ("cResume", "Resume", "file", True),
    ("cAddress", "Address", "text", False),
    ("cSalary", "Desired Salary", "salary", False),
    ("cCoverLetter", "Cover Letter", "textarea", False),
)
QUESTIONS: list[dict[str, Any]] = [
    {"_id": "q0", "text": "What is your notice period?", "type": {"id": "text"}, "required": True},
    {
        "_id": "q1",
        "text": "How many years of experience do you have?",
        "type": {"id": "dropdown"},
        "required": True,
        "options": [{"text": "0-2"}, {"text": "3-5"}, {"text": "6-10"}, {"text": "10+"}],
    },
    {
        "_id": "q2",
        "text": "Are you legally authorized to work in the country of this position?",
        "type": {"id": "multiplechoice"},
        "required": True,
        "options": [
            {"text": "Yes"},
            {"text": "No", "actions": {"add_tags": ["auto disqualified"]}},
        ],
    },
    {
        "_id": "q3",
        "text": "Which languages do you speak?",
        "type": {"id": "checkboxes"},
        "required": False,
        "options": [{"text": "English"}, {"text": "French"}, {"text": "German"}],
    },
    {"_id": "q4", "text": "Anything else?", "type": {"id": "paragraph"}, "required": False},
]
# Each standard box's part of Breezy's `application_form` (the `{part}_required` flags).
PARTS = {
    "cName": "name",
    "cEmail": "email_address",
    "cPhoneNumber": "phone_number",
    "cResume": "resume",
    "cAddress": "address",
    "cSalary": "salary",
    "cCoverLetter": "cover_letter",
}
# Parts this page does not draw (the React build says so; the Angular build has no flag).
HIDDEN_PARTS = (
    "work_history",
    "education",
    "summary",
    "preferred_location",
    "headline",
    "profile_photo",
)
# Asked by the `changed` page only: its own definition does not list it.
EXTRA: dict[str, Any] = {
    "_id": "q9",
    "text": "Will you now or in the future require visa sponsorship?",
    "type": {"id": "multiplechoice"},
    "required": True,
    "options": [{"text": "Yes"}, {"text": "No"}],
}
_STYLE = """
body{font-family:sans-serif;margin:0;padding:24px 48px;max-width:760px}
.form-group{margin:16px 0;position:relative}
h3{font-size:15px;margin:0 0 6px}h3 .required{color:#b00}
.form-control{width:100%;padding:6px;box-sizing:border-box}
.option{display:block;margin:2px 0}
.attach{position:relative;display:inline-block;padding:8px 16px;border:1px solid #999}
#main-attachment{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.hp{position:absolute;left:-9999px;top:-9999px}
.error{color:#b00;display:block}
.button{padding:10px 24px;margin:16px 8px 0 0}
"""
_SCRIPT = """
(() => {
  const form = document.querySelector('form.application-form');
  if (!form) return;
  const file = document.getElementById('main-attachment');
  document.getElementById('upload-resume').addEventListener('click', () => file.click());
  file.addEventListener('change', () => {
    document.getElementById('resume-name').textContent =
      Array.from(file.files).map((f) => f.name).join(', ');
  });
  for (const button of form.querySelectorAll('[data-next]')) {
    button.addEventListener('click', () => {
      button.closest('.section').hidden = true;
      document.getElementById(button.dataset.next).hidden = false;
    });
  }
  const status = document.getElementById('submit-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const old of form.querySelectorAll('.error')) old.remove();
    const data = new FormData();
    for (const el of form.querySelectorAll('input, textarea, select')) {
      if (!el.name) continue;
      if (el.type === 'file') { for (const f of el.files) data.append(el.name, f); continue; }
      if (el.type === 'radio') { if (el.checked) data.append(el.name, el.value); continue; }
      // Breezy's tick boxes carry no value: the ticked option's words are the answer.
      if (el.type === 'checkbox') {
        const words = el.value !== 'on' ? el.value : el.labels[0].innerText.trim();
        if (el.checked) data.append(el.name, words);
        continue;
      }
      data.append(el.name, el.value);
    }
    status.textContent = 'Submitting...';
    const response = await fetch(form.dataset.endpoint, {
      method: 'POST', body: data, headers: {Accept: 'application/json'}, credentials: 'same-origin',
    });
    const body = await response.json();
    if (body.redirect) { window.location.assign(body.redirect); return; }
    status.textContent = '';
    for (const [key, message] of Object.entries(body.errors || {})) {
      const note = document.createElement('span');
      note.className = 'error';
      note.setAttribute('role', 'alert');
      note.textContent = message;
      const box = form.querySelector(`[name="${CSS.escape(key)}"]`);
      ((box && box.closest('.form-group')) || form).appendChild(note);
    }
  });
})();
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}<script>{_SCRIPT}</script></body></html>",
        status_code=status,
    )


def _title(text: str, required: bool) -> str:
    star = '<span class="required">*</span>' if required else ""
    return f"<h3><span>{e(text)}</span>{star}</h3>"


def _standard_html(name: str, title: str, kind: str, required: bool) -> str:
    head = _title(title, required)
    if kind == "file":
        return (
            f'<div class="form-group resume">{head}<div class="attach">'
            '<button type="button" id="upload-resume" class="button">Upload Resume</button>'
            f'<input type="file" id="main-attachment" name="{name}" '
            'accept=".pdf,.doc,.docx,.txt,.rtd,.pages"></div><span id="resume-name"></span></div>'
        )
    if kind == "textarea":
        return (
            f'<div class="form-group">{head}<textarea name="{name}" class="form-control" '
            'rows="5"></textarea></div>'
        )
    if kind == "salary":
        currencies = "".join(f"<option>{c}</option>" for c in ("USD", "EUR", "GBP"))
        return (
            f'<div class="form-group desired-salary">{head}<select name="salaryCurrency" '
            f'class="form-control">{currencies}</select><input type="text" name="{name}" '
            'class="form-control"></div>'
        )
    box_id = ' id="fullAddress"' if name == "cAddress" else ""
    return (
        f'<div class="form-group">{head}<input type="{kind}" name="{name}"{box_id} '
        'class="form-control"></div>'
    )


def _value(kind: str, option: str) -> str:
    # Breezy's tick boxes carry no value (the browser sends "on"); its radios do.
    return f' value="{e(option)}"' if kind == "radio" else ""


def _question_html(question: dict[str, Any]) -> str:
    name = f"section_{SECTION}_question_{question['_id'].lstrip('q')}"
    kind = question["type"]["id"]
    head = _title(question["text"], question["required"])
    options = [o["text"] for o in question.get("options") or []]
    if kind == "dropdown":
        items = "".join(f'<option value="{e(o)}">{e(o)}</option>' for o in options)
        control = (
            f'<select name="{name}" class="form-control"><option value="">Select an option'
            f"</option>{items}</select>"
        )
    elif kind in {"multiplechoice", "checkboxes"}:
        kind_attr = "radio" if kind == "multiplechoice" else "checkbox"
        control = "".join(
            f'<label class="option"><input type="{kind_attr}" name="{name}"{_value(kind_attr, o)}>'
            f"<span>{e(o)}</span></label>"
            for o in options
        )
    elif kind == "paragraph":
        control = f'<textarea name="{name}" class="form-control" rows="4"></textarea>'
    else:
        control = f'<input type="text" name="{name}" class="form-control">'
    return f'<div class="form-group question">{head}{control}</div>'


def _required_keys(scenarios: frozenset[str]) -> list[tuple[str, str]]:
    keys = [(name, title) for name, title, _, required in STANDARD if required]
    asked = [*QUESTIONS, EXTRA] if "changed" in scenarios else QUESTIONS
    keys += [
        (f"section_{SECTION}_question_{q['_id'].lstrip('q')}", q["text"])
        for q in asked
        if q["required"]
    ]
    return keys


def _form_page(request: Request, tenant: str, friendly: str, scenarios: frozenset[str]) -> str:
    definition = [{"_id": SECTION, "title": "Questions", "questions": QUESTIONS}]
    flags = [(PARTS[name], required) for name, _, _, required in STANDARD]
    flags += [("eeoc", False), ("ccpa", False)]
    if "react" in friendly.split("-", 1)[0].lower():
        parts = {part: "required" if required else "optional" for part, required in flags}
        parts |= dict.fromkeys(HIDDEN_PARTS, "hidden")
        portal = {"data": {"position": {"application_form": parts}, "questions": definition}}
        # `</` inside a script would end it: JSON allows the escaped slash.
        body = json.dumps(portal).replace("</", "<\\/")
        carrier = f'<script type="application/json" id="portal-data">{body}</script>'
    else:
        carrier = f'<input type="hidden" id="questions" value="{e(json.dumps(definition))}">' + (
            "".join(
                f'<input type="hidden" id="{part}_required" value="{str(required).lower()}">'
                for part, required in flags
            )
        )
    standard = "".join(_standard_html(*item) for item in STANDARD)
    asked = [*QUESTIONS, EXTRA] if "changed" in scenarios else QUESTIONS
    questions = "".join(_question_html(q) for q in asked)
    eeo = (
        f'<div class="form-group eeo">{_title("Gender", False)}'
        + "".join(
            f'<label class="option"><input type="radio" name="gender" value="{e(v)}">'
            f"<span>{e(v)}</span></label>"
            for v in ("Female", "Male", "Non-binary", "Decline to self-identify")
        )
        + "</div>"
    )
    ccpa = (
        '<div class="form-group ccpa"><label class="option"><input type="checkbox" '
        'name="ccpaAgreement" value="true"><span>I have read and agree to the privacy notice.'
        "</span></label></div>"
    )
    honeypot = (
        f'<div class="hp" aria-hidden="true"><input type="text" name="{HONEYPOT}" '
        'tabindex="-1" autocomplete="off"></div>'
    )
    submit = (
        '<button type="submit" class="button button-primary">Submit Application</button>'
        '<span id="submit-status" role="status"></span>'
    )
    head = f"{carrier}{honeypot}"
    if "steps" in scenarios:
        inner = (
            f'{head}<div class="section" id="section-application">{standard}'
            '<button type="button" class="button" data-next="section-questions">Next</button>'
            '</div><div class="section" id="section-questions" hidden>'
            f"{questions}{eeo}{ccpa}{submit}</div>"
        )
    else:
        inner = f"{head}{standard}{questions}{eeo}{ccpa}{submit}"
    endpoint = request.url.path
    return (
        f'<div class="banner"><h1>Sandbox position</h1><h2>{e(tenant)}</h2></div>'
        f'<form class="application-form" name="applicationForm" data-endpoint="{e(endpoint)}" '
        f'novalidate data-position="{e(friendly)}">{inner}</form>'
    )


def _closed(tenant: str) -> HTMLResponse:
    body = (
        f"<div class='banner'><h2>{e(tenant)}</h2></div><div class='position-closed'>"
        "<h1>Position Closed</h1><p>Sorry, this position is no longer accepting candidates.</p>"
        "</div>"
    )
    return _page("Position Closed", body)


def _verify_page(email: str, error: str | None = None) -> HTMLResponse:
    shown = email[:1] + "***" + email[email.find("@") :] if "@" in email else "your email"
    note = f'<span class="error" role="alert">{e(error)}</span>' if error else ""
    body = (
        '<div class="verify"><h1>Verify your email</h1><p>We sent a 4-digit verification code '
        f'to {e(shown)}. Enter it to finish your application.</p><form method="post" action="">'
        '<input type="text" name="verification_code" inputmode="numeric" maxlength="4" '
        f'autocomplete="one-time-code" aria-label="Verification code">{note}'
        '<button type="submit" class="button">Verify</button></form></div>'
    )
    return _page("Verify your email", body)


def build(sandbox: Sandbox) -> Site:
    """Breezy's stand-in routes, for any `{co}.breezy.hr`."""

    def parts(request: Request) -> tuple[str, str, str, frozenset[str]]:
        tenant = str(request.path_params["host"]).split(".", 1)[0]
        friendly = str(request.path_params["friendly"])
        position = friendly.split("-", 1)[0]
        return tenant, friendly, position, sandbox.scenarios(position)

    async def position_page(request: Request) -> Response:
        tenant, _, _, scenarios = parts(request)
        if "closed" in scenarios:
            return _closed(tenant)
        apply = request.url.path.rstrip("/") + "/apply"
        body = (
            f"<div class='banner'><h1>Sandbox position</h1><h2>{e(tenant)}</h2></div>"
            "<div class='description'><p>A sandbox position.</p></div>"
            f'<a class="button apply" href="{e(apply)}">Apply to this position</a>'
        )
        return _page("Sandbox position", body)

    async def apply_page(request: Request) -> Response:
        tenant, friendly, _, scenarios = parts(request)
        if "closed" in scenarios:
            return _closed(tenant)
        if "login" in scenarios:
            return login_page(request, tenant)
        return _page("Apply", _form_page(request, tenant, friendly, scenarios))

    async def submit(request: Request) -> Response:
        tenant, _, position, scenarios = parts(request)
        if scenarios & {"closed", "login"}:
            return JSONResponse({"errors": {"": "This position is closed."}}, 404)
        async with request.form() as form:
            return await _receive(request, tenant, position, scenarios, form)

    async def _receive(
        request: Request, tenant: str, position: str, scenarios: frozenset[str], form: FormData
    ) -> Response:
        errors = {
            key: "This field is required."
            for key, _ in _required_keys(scenarios)
            if not answered(form, key)
        }
        if errors:
            return JSONResponse({"errors": errors}, 422)
        if "slow" in scenarios:
            await asyncio.sleep(sandbox.slow_seconds)
        email = str(form.get("cEmail") or "")
        base = request.url.path.rstrip("/")
        if "emailcode" in scenarios:
            record = await sandbox.record(
                ats=ATS,
                tenant=tenant,
                posting_id=position,
                form=form,
                status="awaiting_code",
                email=email,
            )
            token, _ = sandbox.park(record)
            pending = sandbox.pending[token]
            # Breezy's code is four digits.
            pending.code = f"{secrets.randbelow(10_000):04d}"
            pending.email = email
            response = JSONResponse({"redirect": f"{base}/verify"})
            response.set_cookie("sandbox_session", token, httponly=True, samesite="lax")
            return response
        await sandbox.record(ats=ATS, tenant=tenant, posting_id=position, form=form, email=email)
        return JSONResponse({"redirect": f"{base}/submitted"})

    async def verify(request: Request) -> Response:
        token = request.cookies.get("sandbox_session", "")
        pending = sandbox.pending.get(token)
        if pending is None:
            return _page("Expired", "<h1>Your session has expired.</h1>", 410)
        if request.method == "GET":
            return _verify_page(pending.email)
        async with request.form() as form:
            typed = str(form.get("verification_code") or "").strip()
        if typed != pending.code:
            return _verify_page(pending.email, "That code is not valid. Please try again.")
        pending.record["status"] = "confirmed"
        sandbox.pending.pop(token, None)
        return RedirectResponse(request.url.path.removesuffix("/verify") + "/submitted", 303)

    async def submitted(request: Request) -> Response:
        body = (
            '<div class="application-submitted"><h1>Application Submitted</h1><p>Thanks for '
            "applying! We have received your application and will be in touch.</p></div>"
        )
        return _page("Application Submitted", body)

    routes: list[BaseRoute] = [
        Route("/p/{friendly}", position_page, methods=["GET"]),
        Route("/p/{friendly}/apply", apply_page, methods=["GET"]),
        Route("/p/{friendly}/apply", submit, methods=["POST"]),
        Route("/p/{friendly}/apply/verify", verify, methods=["GET", "POST"]),
        Route("/p/{friendly}/apply/submitted", submitted, methods=["GET"]),
    ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

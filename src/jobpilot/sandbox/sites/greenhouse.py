"""Greenhouse: the Job Board API's post definition and the new hosted React form.

The definition is the captured CodePath post (`greenhouse/codepath_job_4426096007_with_
questions.json`) with the requested id and title. The form page mirrors the structure of
`job-boards.greenhouse.io` (NOTES.md §1): `#application-form`, inputs whose `id` is the field
name (no `name` attribute: the page's script posts the values), react-select-like comboboxes for
single selects, checkbox groups `question_<n>[]` for multi-selects, hidden file inputs `#resume`
and `#cover_letter` behind "Attach" with "Enter manually" text boxes, the invisible reCAPTCHA
badge, and a success page at `…/confirmation`. Two honeypot boxes are planted: one off-screen,
one with `tabindex=-1`.
"""

from __future__ import annotations

import asyncio
import copy
import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site

API_HOST = "boards-api.greenhouse.io"
FORM_HOSTS = ("job-boards.greenhouse.io", "boards.greenhouse.io")
ATS = "greenhouse"
FIXTURE = ("greenhouse", "codepath_job_4426096007_with_questions.json")
# Asked by the `changed` form only: the approved definition never had it.
EXTRA_QUESTION: dict[str, Any] = {
    "label": "Will you now or in the future require visa sponsorship?",
    "required": True,
    "fields": [
        {
            "name": "question_9999999007",
            "type": "multi_value_single_select",
            "values": [{"label": "Yes", "value": 1}, {"label": "No", "value": 0}],
        }
    ],
}


def _question(label: str, required: bool, *fields: tuple[str, str]) -> dict[str, Any]:
    return {
        "label": label,
        "required": required,
        "fields": [{"name": name, "type": kind, "values": []} for name, kind in fields],
    }


# Without the captured payloads the sandbox still serves a small post of the same shape.
_MINIMAL: dict[str, Any] = {
    "id": 0,
    "title": "Sandbox posting",
    "location": {"name": "Remote"},
    "content": "&lt;p&gt;A sandbox posting.&lt;/p&gt;",
    "updated_at": "2026-01-01T00:00:00-00:00",
    "questions": [
        _question("First Name", True, ("first_name", "input_text")),
        _question("Last Name", True, ("last_name", "input_text")),
        _question("Email", True, ("email", "input_text")),
        _question("Resume/CV", False, ("resume", "input_file"), ("resume_text", "textarea")),
    ],
    "compliance": [],
    "demographic_questions": None,
}
# Hidden, off-screen and tab-skipped boxes a person never fills; bots that do are flagged.
HONEYPOTS = ("website", "full_name_confirm")
_STYLE = """
body{font-family:sans-serif;margin:0;padding:24px 48px;max-width:760px}
.field-wrapper{margin:14px 0;position:relative}
.label{display:block;font-weight:600;margin-bottom:4px}
input.input,textarea.input{width:100%;padding:6px;box-sizing:border-box}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;
clip:rect(0 0 0 0)}
.select{position:relative}
.select__menu{position:absolute;left:0;right:0;z-index:10;background:#fff;border:1px solid #888}
.select__option{padding:4px 8px;cursor:pointer}
.select__option:hover{background:#eef}
.helper-text--error{color:#b00}
fieldset{border:0;padding:0}
.grecaptcha-badge{width:256px;height:60px;position:fixed;bottom:14px;right:-186px;overflow:hidden;
box-shadow:gray 0 0 5px}
"""
_SCRIPT = """
(() => {
  const form = document.getElementById('application-form');
  if (!form) return;
  for (const box of form.querySelectorAll('input[role="combobox"]')) {
    const menu = document.getElementById(box.getAttribute('aria-controls'));
    const options = Array.from(menu.querySelectorAll('[role="option"]'));
    const filter = () => {
      const query = box.value.trim().toLowerCase();
      for (const option of options) {
        option.hidden = Boolean(query) && !option.textContent.toLowerCase().includes(query);
      }
    };
    const open = () => {
      menu.hidden = false;
      box.setAttribute('aria-expanded', 'true');
      filter();
    };
    const close = () => { menu.hidden = true; box.setAttribute('aria-expanded', 'false'); };
    box.addEventListener('focus', open);
    box.addEventListener('click', open);
    box.addEventListener('input', () => { delete box.dataset.value; open(); });
    box.addEventListener('blur', close);
    box.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
    for (const option of options) {
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        box.value = option.textContent.trim();
        box.dataset.value = option.dataset.value;
        close();
      });
    }
  }
  for (const button of form.querySelectorAll('[data-reveal]')) {
    button.addEventListener('click', () => {
      document.getElementById(button.dataset.reveal).hidden = false;
      button.hidden = true;
    });
  }
  for (const button of form.querySelectorAll('[data-attach]')) {
    button.addEventListener('click', () => document.getElementById(button.dataset.attach).click());
  }
  for (const button of form.querySelectorAll('[data-next]')) {
    button.addEventListener('click', () => {
      document.getElementById(button.dataset.next).hidden = false;
      button.closest('.step').hidden = true;
    });
  }
  const status = document.getElementById('submit-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const old of form.querySelectorAll('.helper-text--error')) old.remove();
    const data = new FormData();
    for (const el of form.querySelectorAll('input, textarea, select')) {
      const key = el.name || el.id;
      if (!key || el.type === 'submit' || el.type === 'button') continue;
      if (el.type === 'file') { for (const file of el.files) data.append(key, file); continue; }
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (el.checked) data.append(key, el.value);
        continue;
      }
      // react-select sends the chosen option's value; typed text alone chooses nothing.
      if (el.getAttribute('role') === 'combobox') {
        if (el.dataset.value !== undefined) data.append(key, el.dataset.value);
        continue;
      }
      data.append(key, el.value);
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    status.textContent = 'Submitting your application...';
    const response = await fetch(form.action, {
      method: 'POST', body: data, headers: {Accept: 'application/json'}, credentials: 'same-origin',
    });
    const body = await response.json();
    if (body.redirect) { window.location.assign(body.redirect); return; }
    status.textContent = '';
    button.disabled = false;
    for (const [key, message] of Object.entries(body.errors || {})) {
      const note = document.createElement('div');
      note.className = 'helper-text helper-text--error';
      note.id = key + '-error';
      note.textContent = message;
      const anchor = document.getElementById(key) || form;
      (anchor.closest('.field-wrapper') || form).appendChild(note);
    }
  });
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _definition(sandbox: Sandbox, board: str, posting_id: str) -> dict[str, Any]:
    job = sandbox.fixture_json(*FIXTURE) or copy.deepcopy(_MINIMAL)
    job["id"] = int(posting_id) if posting_id.isdigit() else posting_id
    job["title"] = f"Sandbox posting {posting_id}"
    job["absolute_url"] = f"https://job-boards.greenhouse.io/{board}/jobs/{posting_id}"
    return dict(job)


def _rendered_questions(job: dict[str, Any], scenarios: frozenset[str]) -> list[dict[str, Any]]:
    """The questions the hosted form shows: the post's, its EEO block, its survey."""
    questions: list[dict[str, Any]] = list(job.get("questions") or [])
    if "changed" in scenarios:
        questions.append(EXTRA_QUESTION)
    for block in job.get("compliance") or []:
        questions.extend(block.get("questions") or [])
    survey = job.get("demographic_questions") or {}
    for question in survey.get("questions") or []:
        kind = question.get("type", "multi_value_single_select")
        questions.append(
            {
                "label": question.get("label", ""),
                "required": question.get("required") is True,
                "fields": [
                    {
                        "name": f"demographic_question_{question.get('id')}",
                        "type": kind,
                        "values": [
                            {"label": o.get("label", ""), "value": o.get("id")}
                            for o in question.get("answer_options") or []
                        ],
                    }
                ],
            }
        )
    return questions


def _label(name: str, text: str, required: bool) -> str:
    star = '<span aria-hidden="true" class="required">*</span>' if required else ""
    return f'<label id="{_e(name)}-label" for="{_e(name)}" class="label">{_e(text)}{star}</label>'


def _question_html(question: dict[str, Any]) -> str:
    fields = question.get("fields") or []
    if not fields:
        return ""
    first = fields[0]
    name, kind = str(first["name"]), first.get("type")
    label, required = str(question.get("label", "")).strip(), question.get("required") is True
    req = ' aria-required="true"' if required else ""
    if kind == "input_file":
        manual = ""
        if len(fields) > 1:
            text_name = _e(fields[1]["name"])
            manual = (
                f'<button type="button" class="btn btn--pill" data-reveal="{text_name}">'
                f'Enter manually</button><textarea id="{text_name}" class="input" rows="6" '
                f'aria-label="{_e(label)}" hidden></textarea>'
            )
        return (
            f'<div class="field-wrapper file-upload">{_label(name, label, required)}'
            f'<div class="file-upload__wrapper"><button type="button" class="btn btn--pill" '
            f'data-attach="{_e(name)}">Attach</button>{manual}<input id="{_e(name)}" '
            f'class="visually-hidden" type="file" accept=".pdf,.doc,.docx,.txt,.rtf"{req}>'
            f'</div><p class="file-types">Accepted file types: pdf, doc, docx, txt, rtf</p></div>'
        )
    if kind == "textarea":
        return (
            f'<div class="field-wrapper">{_label(name, label, required)}<textarea id="{_e(name)}" '
            f'class="input" rows="4" aria-labelledby="{_e(name)}-label"{req}></textarea></div>'
        )
    if kind == "multi_value_single_select":
        options = "".join(
            f'<div role="option" class="select__option" data-value="{_e(v.get("value"))}">'
            f"{_e(v.get('label', ''))}</div>"
            for v in first.get("values") or []
        )
        return (
            f'<div class="field-wrapper">{_label(name, label, required)}<div class="select">'
            f'<input id="{_e(name)}" role="combobox" class="input select__input" '
            f'aria-labelledby="{_e(name)}-label" aria-controls="{_e(name)}-listbox" '
            f'aria-expanded="false" aria-autocomplete="list" autocomplete="off"{req}>'
            f'<div id="{_e(name)}-listbox" role="listbox" class="select__menu" hidden>{options}'
            f"</div></div></div>"
        )
    if kind == "multi_value_multi_select":
        boxes = "".join(
            f'<div class="checkbox"><input type="checkbox" id="{_e(name)}-{i}" '
            f'name="{_e(name)}[]" value="{_e(v.get("value"))}"><label for="{_e(name)}-{i}">'
            f"{_e(v.get('label', ''))}</label></div>"
            for i, v in enumerate(first.get("values") or [])
        )
        return (
            f'<div class="field-wrapper"><fieldset{req}><legend class="label">{_e(label)}'
            f"</legend>{boxes}</fieldset></div>"
        )
    if kind == "input_hidden":
        return f'<input type="hidden" id="{_e(name)}" value="">'
    autocomplete = {"first_name": "given-name", "last_name": "family-name", "email": "email"}
    extra = f' autocomplete="{autocomplete[name]}"' if name in autocomplete else ""
    input_type = "email" if name == "email" else "tel" if name == "phone" else "text"
    return (
        f'<div class="field-wrapper">{_label(name, label, required)}<input id="{_e(name)}" '
        f'class="input input__single-line" type="{input_type}" maxlength="255"'
        f"{extra}{req}></div>"
    )


def _honeypots() -> str:
    return (
        # Off-screen: a person never sees it.
        '<div class="field-wrapper" style="position:absolute;left:-10000px;top:0">'
        '<label for="website" class="label">Website</label>'
        '<input id="website" class="input" type="text" autocomplete="off"></div>'
        # Reachable by neither mouse nor keyboard.
        '<div class="field-wrapper" style="height:0;overflow:hidden">'
        '<label for="full_name_confirm" class="label">Full name</label>'
        '<input id="full_name_confirm" class="input" type="text" tabindex="-1"></div>'
    )


def _page(request: Request, title: str, body: str) -> HTMLResponse:
    badge = Sandbox.link(
        request, "www.google.com", "/recaptcha/api2/anchor?ar=1&k=sandbox&hl=en&size=invisible"
    )
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}"
        f'<div class="grecaptcha-badge" data-style="bottomright"><div class="grecaptcha-logo">'
        f'<iframe title="reCAPTCHA" width="256" height="60" src="{_e(badge)}" frameborder="0">'
        f"</iframe></div></div></body></html>"
    )


def _form_page(request: Request, job: dict[str, Any], scenarios: frozenset[str]) -> HTMLResponse:
    questions = _rendered_questions(job, scenarios)
    parts = [_question_html(q) for q in questions]
    captcha = ""
    if "captcha" in scenarios:
        anchor = Sandbox.link(
            request, "www.google.com", "/recaptcha/api2/anchor?ar=1&k=sandbox&hl=en&size=normal"
        )
        captcha = (
            '<div class="g-recaptcha" data-sitekey="sandbox"><iframe title="reCAPTCHA" '
            f'src="{_e(anchor)}" width="304" height="78" frameborder="0" scrolling="no">'
            "</iframe></div>"
        )
    submit = (
        f'{captcha}<button type="submit" class="btn btn--rounded">Submit application</button>'
        '<span id="submit-status" role="status"></span>'
    )
    if "steps" in scenarios:
        # Contact details first; the rest, and the submit button, behind "Next".
        inner = (
            f'<div class="step" id="step-1">{"".join(parts[:4])}<button type="button" '
            'class="btn" data-next="step-2">Next</button></div><div class="step" id="step-2" '
            f'hidden><div class="application--questions">{"".join(parts[4:])}{_honeypots()}'
            f"</div>{submit}</div>"
        )
    else:
        inner = f'<div class="application--questions">{"".join(parts)}{_honeypots()}</div>{submit}'
    body = (
        f'<div class="job__title"><h1>{_e(job.get("title", ""))}</h1></div>'
        '<div class="application--container"><h2>Apply for this job</h2>'
        '<form id="application-form" class="application--form" action="" method="post" '
        f"novalidate>{inner}</form></div><script>{_SCRIPT}</script>"
    )
    return _page(request, job.get("title", "Apply"), body)


def _login_page(request: Request, board: str) -> HTMLResponse:
    body = (
        f"<h1>Sign in to apply to {_e(board)}</h1><p>Create an account or sign in to continue.</p>"
        '<form id="sign-in" method="post" action="">'
        '<label for="user_email">Email</label><input id="user_email" type="email">'
        '<label for="user_password">Password</label><input id="user_password" type="password">'
        '<button type="submit">Sign in</button></form>'
    )
    return _page(request, "Sign in", body)


def _code_page(request: Request, email: str, error: str | None) -> HTMLResponse:
    hidden = email[:1] + "***" + email[email.find("@") :] if "@" in email else "your email"
    note = (
        f'<div class="helper-text helper-text--error" role="alert">{_e(error)}</div>'
        if error
        else ""
    )
    body = (
        "<h1>Check your email</h1>"
        f"<p>We sent a security code to {_e(hidden)}. Enter it to submit your application.</p>"
        '<form id="security-code-form" method="post" action="">'
        '<label for="security_code">Security code</label>'
        '<input id="security_code" name="security_code" autocomplete="one-time-code" '
        f'maxlength="8" required>{note}<button type="submit">Submit</button></form>'
    )
    return _page(request, "Security code", body)


def _missing(job: dict[str, Any], scenarios: frozenset[str], form: Any) -> dict[str, str]:
    """Required questions the post is missing (a question with a file or typed text is answered)."""
    errors: dict[str, str] = {}
    for question in _rendered_questions(job, scenarios):
        if question.get("required") is not True:
            continue
        names = [str(f["name"]) for f in question.get("fields") or []]
        answered = False
        for name in names:
            for value in [*form.getlist(name), *form.getlist(f"{name}[]")]:
                if getattr(value, "filename", None) or (isinstance(value, str) and value.strip()):
                    answered = True
        if not answered and names:
            errors[names[0]] = "This field is required."
    return errors


def _api_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """The Job Board API: the board's post list and one post's definition."""

    async def definition(request: Request) -> Response:
        board, posting_id = request.path_params["board"], request.path_params["job_id"]
        if "closed" in sandbox.scenarios(posting_id):
            return JSONResponse({"status": 404, "error": "Job not found"}, status_code=404)
        return JSONResponse(_definition(sandbox, board, posting_id))

    async def job_list(request: Request) -> Response:
        jobs = sandbox.fixture_json("greenhouse", "codepath_jobs.json")
        return JSONResponse(jobs or {"jobs": [], "meta": {"total": 0}})

    return [
        Route("/v1/boards/{board}/jobs", job_list, methods=["GET"]),
        Route("/v1/boards/{board}/jobs/{job_id}", definition, methods=["GET"]),
    ]


def _submit_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """Where the form posts, and the security-code step some boards add."""

    async def submit(request: Request) -> Response:
        board, posting_id = request.path_params["board"], request.path_params["job_id"]
        scenarios = sandbox.scenarios(posting_id)
        if scenarios & {"closed", "login"}:
            return JSONResponse({"error": "This job is not accepting applications."}, 404)
        async with request.form() as form:
            return await _receive(request, board, posting_id, scenarios, form)

    async def _receive(
        request: Request, board: str, posting_id: str, scenarios: frozenset[str], form: Any
    ) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "")
        if "captcha" in scenarios and not form.get("g-recaptcha-response"):
            return JSONResponse({"errors": {"captcha": "Please complete the captcha."}}, 422)
        job = _definition(sandbox, board, posting_id)
        errors = _missing(job, scenarios, form)
        if errors:
            return JSONResponse({"errors": errors}, 422)
        if "slow" in scenarios:
            await asyncio.sleep(sandbox.slow_seconds)
        base = request.url.path.rstrip("/")
        if "emailcode" in scenarios:
            record = await sandbox.record(
                ats=ATS, tenant=board, posting_id=posting_id, form=form, status="awaiting_code"
            )
            token, _ = sandbox.park(record)
            target = f"{base}/security_code"
            response: Response = (
                JSONResponse({"redirect": target}) if wants_json else RedirectResponse(target, 303)
            )
            response.set_cookie("sandbox_session", token, httponly=True, samesite="lax")
            return response
        await sandbox.record(ats=ATS, tenant=board, posting_id=posting_id, form=form)
        target = f"{base}/confirmation"
        return JSONResponse({"redirect": target}) if wants_json else RedirectResponse(target, 303)

    async def security_code(request: Request) -> Response:
        pending = sandbox.pending.get(request.cookies.get("sandbox_session", ""))
        if pending is None:
            return HTMLResponse("<h1>Your session has expired.</h1>", 410)
        if request.method == "GET":
            return _code_page(request, pending.email, None)
        async with request.form() as form:
            typed = str(form.get("security_code") or "").strip().upper()
        if typed != pending.code:
            return _code_page(request, pending.email, "Incorrect security code. Try again.")
        pending.record["status"] = "confirmed"
        sandbox.pending.pop(request.cookies["sandbox_session"], None)
        target = request.url.path.removesuffix("/security_code") + "/confirmation"
        return RedirectResponse(target, 303)

    return [
        Route("/{board}/jobs/{job_id}", submit, methods=["POST"]),
        Route("/{board}/jobs/{job_id}/security_code", security_code, methods=["GET", "POST"]),
    ]


def build(sandbox: Sandbox) -> Site:
    """Greenhouse's stand-in routes."""

    async def board_page(request: Request) -> Response:
        board = request.path_params["board"]
        notice = ""
        if request.query_params.get("error") == "true":
            notice = '<div class="flash">The job you are looking for is no longer open.</div>'
        return _page(request, board, f"{notice}<h1>Current openings at {_e(board)}</h1>")

    async def form_page(request: Request) -> Response:
        board, posting_id = request.path_params["board"], request.path_params["job_id"]
        scenarios = sandbox.scenarios(posting_id)
        if "closed" in scenarios:
            # Greenhouse sends a closed post's visitors to the board with an error notice.
            board_path = request.url.path.rsplit("/jobs/", 1)[0]
            return RedirectResponse(f"{board_path}?error=true", 302)
        if "login" in scenarios:
            return _login_page(request, board)
        return _form_page(request, _definition(sandbox, board, posting_id), scenarios)

    async def confirmation(request: Request) -> Response:
        body = (
            '<div class="application-confirmation"><h1>Thank you for applying.</h1>'
            "<p>Your application has been received. We will review it right away.</p></div>"
        )
        return _page(request, "Application received", body)

    form_routes: list[BaseRoute] = [
        Route("/{board}", board_page, methods=["GET"]),
        Route("/{board}/jobs/{job_id}", form_page, methods=["GET"]),
        Route("/{board}/jobs/{job_id}/confirmation", confirmation, methods=["GET"]),
        *_submit_routes(sandbox),
    ]
    hosts: dict[str, list[BaseRoute]] = {API_HOST: _api_routes(sandbox)}
    for host in FORM_HOSTS:
        hosts[host] = form_routes
    return Site(ats=ATS, hosts=hosts)

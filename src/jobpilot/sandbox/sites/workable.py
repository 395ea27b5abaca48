"""Workable: the public form definition `api/v1/jobs/{SHORTCODE}/form` and the `/apply/` page.

The definition is the captured Kroo form (`workable/kroo_job_C4002EDABE_form.json`) for any
shortcode, else a built-in one of the same shape (sections "Personal information", "Profile",
"Details" with one field of each kind). The page at `apply.workable.com/[{account}/]j/{CODE}/
apply/` mirrors the real one (NOTES.md §14): inputs named by the field id (`firstname`,
`lastname`, `email`, `input#input_phone[name=phone]`, `textarea#summary`), the resume behind
`[data-ui="resume"]` with a file input whose id changes on every load, booleans as
`[role=radio]` Yes/No in a fieldset named `QA_<n>`, dropdowns as `div[data-ui=<id>][data-input-
type=select]` comboboxes, one page, "Submit application". It posts to `api/v1/jobs/{CODE}/
apply`, which answers 422 with each missing field, or the confirmation the page shows in place.
The `captcha` scenario shows Cloudflare Turnstile's "Verify you are human" box above Submit.
Differences, as the engine sees them: the Yes/No radios carry native radio inputs; the cookie
dialog (`[data-ui=cookie-consent]`) is not drawn (the engine has no step to dismiss it); the
resume is sent with the form instead of being uploaded to S3 on choose; the short
`/j/{CODE}/apply/` page is served directly instead of redirecting to the account's.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import (
    combobox,
    e,
    login_page,
    missing,
    page,
    turnstile,
)

ATS = "workable"
HOST = "apply.workable.com"
FIXTURE = ("workable", "kroo_job_C4002EDABE_form.json")
WIDGET_FIXTURE = ("workable", "kroo_widget_accounts_details.json")
# Asked by the `changed` form only: the approved definition never had it.
EXTRA_FIELD: dict[str, Any] = {
    "id": "QA_9999999",
    "required": True,
    "label": "Will you now or in the future require visa sponsorship?",
    "type": "boolean",
}
_BUILT_IN: list[dict[str, Any]] = [
    {
        "name": "Personal information",
        "fields": [
            {"id": "firstname", "required": True, "label": "First name", "type": "text"},
            {"id": "lastname", "required": True, "label": "Last name", "type": "text"},
            {"id": "email", "required": True, "label": "Email", "type": "email"},
            {"id": "phone", "required": False, "label": "Phone", "type": "phone"},
        ],
    },
    {
        "name": "Profile",
        "fields": [
            {
                "id": "resume",
                "required": True,
                "label": "Resume",
                "type": "file",
                "supportedFileTypes": [".pdf", ".doc", ".docx", ".odt", ".rtf"],
                "maxFileSize": 12000000,
            },
            {"id": "summary", "required": False, "label": "Summary", "type": "paragraph"},
            {"id": "cover_letter", "required": False, "label": "Cover letter", "type": "paragraph"},
        ],
    },
    {
        "name": "Details",
        "fields": [
            {
                "id": "QA_100001",
                "required": True,
                "label": "Do you have the right to work in the UK?",
                "type": "boolean",
            },
            {
                "id": "QA_100002",
                "required": True,
                "label": "What is your notice period?",
                "type": "text",
                "maxLength": 127,
            },
            {
                "id": "QA_100003",
                "required": True,
                "label": "How did you hear about us?",
                "type": "dropdown",
                "singleOption": True,
                "options": [
                    {"name": "501", "value": "LinkedIn"},
                    {"name": "502", "value": "A friend"},
                    {"name": "503", "value": "Other"},
                ],
            },
            {
                "id": "CA_100004",
                "required": False,
                "label": "Which of these do you use?",
                "type": "multiple",
                "options": [
                    {"name": "601", "value": "Python"},
                    {"name": "602", "value": "Rust"},
                    {"name": "603", "value": "SQL"},
                ],
            },
        ],
    },
]


def _definition(sandbox: Sandbox) -> list[dict[str, Any]]:
    found = sandbox.fixture_json(*FIXTURE)
    return list(found) if isinstance(found, list) else copy.deepcopy(_BUILT_IN)


def _sections(sandbox: Sandbox, scenarios: frozenset[str]) -> list[dict[str, Any]]:
    sections = _definition(sandbox)
    if "changed" in scenarios:
        sections[-1] = {**sections[-1], "fields": [*sections[-1]["fields"], EXTRA_FIELD]}
    return sections


def _options(field: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(o.get("name")), str(o.get("value")))
        for o in field.get("options") or []
        if isinstance(o, dict)
    ]


def _label(for_id: str, text: str, required: bool, tag: str = "label") -> str:
    star = '<span aria-hidden="true">*</span>' if required else ""
    target = f' for="{e(for_id)}"' if tag == "label" else ""
    return f'<{tag} id="{e(for_id)}-label"{target}>{e(text)}{star}</{tag}>'


def _field_html(field: dict[str, Any]) -> str:
    key, kind = str(field["id"]), str(field.get("type") or "text")
    text = str(field.get("label") or key)
    required = field.get("required") is True
    req = ' aria-required="true"' if required else ""
    if kind == "file":
        # Workable draws a new id for the resume box on every load.
        box = f"input_files_input_{secrets.token_hex(4)}"
        accept = ",".join(field.get("supportedFileTypes") or [])
        return (
            f'<div class="entry" data-ui="{e(key)}">{_label(box, text, required)}'
            f'<button type="button" data-attach="{box}">Upload a file</button>'
            f'<span id="{box}-chosen"></span><input type="file" id="{box}" '
            f'class="visually-hidden" data-field="{e(key)}" data-shows="{box}-chosen" '
            f'accept="{e(accept)}"{req}></div>'
        )
    if kind == "boolean" or (kind == "multiple" and field.get("singleOption") is True):
        choices = [("true", "Yes"), ("false", "No")] if kind == "boolean" else _options(field)
        radios = "".join(
            f'<label role="radio" aria-checked="false"><input type="radio" '
            f'class="radio-input" name="{e(key)}" value="{e(value)}"{req}>{e(label)}</label>'
            for value, label in choices
        )
        return (
            f'<fieldset class="entry" name="{e(key)}" data-ui="{e(key)}">'
            f'{_label(key, text, required, "legend")}<div role="radiogroup" '
            f'aria-labelledby="{e(key)}-label">{radios}</div></fieldset>'
        )
    if kind == "multiple":
        boxes = "".join(
            f'<div><input type="checkbox" id="{e(key)}_{value}" name="{e(key)}" '
            f'value="{e(value)}"><label for="{e(key)}_{value}">{e(label)}</label></div>'
            for value, label in _options(field)
        )
        return (
            f'<fieldset class="entry" name="{e(key)}" data-ui="{e(key)}">'
            f"{_label(key, text, required, 'legend')}{boxes}</fieldset>"
        )
    if kind == "dropdown":
        return (
            f'<div class="entry" data-ui="{e(key)}" data-input-type="select">'
            f"{_label(key, text, required)}"
            f"{combobox(key, f'{key}-label', _options(field), required=required)}</div>"
        )
    if kind == "paragraph":
        return (
            f'<div class="entry" data-ui="{e(key)}">{_label(key, text, required)}'
            f'<textarea id="{e(key)}" name="{e(key)}" rows="4"{req}></textarea></div>'
        )
    input_type = {"email": "email", "phone": "tel", "number": "number", "date": "date"}.get(
        kind, "text"
    )
    limit = f' maxlength="{int(field["maxLength"])}"' if field.get("maxLength") else ""
    box = f"input_{key}"
    return (
        f'<div class="entry" data-ui="{e(key)}">{_label(box, text, required)}'
        f'<input type="{input_type}" id="{e(box)}" name="{e(key)}"{limit}{req}></div>'
    )


def _form_page(
    request: Request, code: str, sandbox: Sandbox, scenarios: frozenset[str]
) -> Response:
    sections = "".join(
        f'<section data-ui="section"><h2>{e(s.get("name", ""))}</h2>'
        + "".join(_field_html(f) for f in s.get("fields") or [] if f.get("id"))
        + "</section>"
        for s in _sections(sandbox, scenarios)
    )
    captcha = turnstile(request) if "captcha" in scenarios else ""
    endpoint = Sandbox.link(request, HOST, f"/api/v1/jobs/{code}/apply")
    body = (
        f'<main><h1 data-ui="job-title">Sandbox job {e(code)}</h1><div id="form-holder">'
        f'<form data-ui="application-form" data-endpoint="{e(endpoint)}" '
        f'data-replace="form-holder" novalidate>{sections}{captcha}'
        '<button type="submit" data-ui="submit-application">Submit application</button>'
        '<span role="status"></span></form></div></main>'
    )
    return page(request, "Apply", body)


def build(sandbox: Sandbox) -> Site:
    """Workable's stand-in on `apply.workable.com`: the API and the apply pages."""

    async def form_definition(request: Request) -> Response:
        code = request.path_params["code"]
        if "closed" in sandbox.scenarios(code):
            return PlainTextResponse("Not Found", 404)
        return JSONResponse(_definition(sandbox))

    async def widget(request: Request) -> Response:
        account = request.path_params["account"]
        found = sandbox.fixture_json(*WIDGET_FIXTURE)
        return JSONResponse(found or {"name": account, "description": "", "jobs": []})

    async def apply_page(request: Request) -> Response:
        code = request.path_params["code"]
        scenarios = sandbox.scenarios(code)
        if "closed" in scenarios:
            body = (
                "<main><h1>This job is no longer available</h1><p>The job you are looking for "
                "is closed or was removed.</p></main>"
            )
            return page(request, "Job not available", body)
        if "login" in scenarios:
            return login_page(request, request.path_params.get("account", "this company"))
        return _form_page(request, code, sandbox, scenarios)

    async def apply(request: Request) -> Response:
        code = request.path_params["code"]
        scenarios = sandbox.scenarios(code)
        if scenarios & {"closed", "login"}:
            return PlainTextResponse("Not Found", 404)
        async with request.form() as form:
            if "captcha" in scenarios and not form.get("cf-turnstile-response"):
                return JSONResponse({"errors": {"captcha": "Please verify you are human."}}, 422)
            required = [
                (str(f["id"]), str(f.get("label") or ""))
                for s in _sections(sandbox, scenarios)
                for f in s.get("fields") or []
                if f.get("id") and f.get("required") is True
            ]
            absent = missing(form, required)
            if absent:
                return JSONResponse(
                    {"errors": dict.fromkeys(absent, "This field is required")}, 422
                )
            if "slow" in scenarios:
                await asyncio.sleep(sandbox.slow_seconds)
            await sandbox.record(ats=ATS, tenant="", posting_id=code, form=form)
        done = (
            '<div data-ui="application-success"><h2>Application submitted!</h2>'
            "<p>Thank you for applying. The hiring team will review your application.</p></div>"
        )
        return JSONResponse({"html": done})

    routes: list[BaseRoute] = [
        Route("/api/v1/jobs/{code}/form", form_definition, methods=["GET"]),
        Route("/api/v1/jobs/{code}/apply", apply, methods=["POST"]),
        Route("/api/v1/widget/accounts/{account}", widget, methods=["GET"]),
        Route("/j/{code}/apply", apply_page, methods=["GET"]),
        Route("/j/{code}/apply/", apply_page, methods=["GET"]),
        Route("/{account}/j/{code}/apply", apply_page, methods=["GET"]),
        Route("/{account}/j/{code}/apply/", apply_page, methods=["GET"]),
    ]
    return Site(ats=ATS, hosts={HOST: routes})

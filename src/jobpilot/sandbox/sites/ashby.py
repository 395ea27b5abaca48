"""Ashby: the hosted page's `ApiJobPosting` GraphQL form definition and the React form.

The definition is the captured Lightdash answer (`ashby/lightdash_graphql_ApiJobPosting_
application_form.json`) for any organisation and posting id, else a built-in form of the same
shape with one field of each kind Ashby renders. The page at `jobs.ashbyhq.com/{org}/{id}/
application` mirrors the real one (NOTES.md §3): every box in `div[data-field-path="<path>"]`
with the input's id and name = the field path (`_systemfield_name`, `_systemfield_email`,
UUID paths for custom fields), a hidden file input behind "Upload File", short value selects
as radios, long ones and Location as comboboxes, multi-selects as checkboxes, one page, and
"Submit Application". The page posts everything at once to `ApiSubmitSingleApplicationForm
Action` (the real one saves each answer as it is typed with `ApiSetFormValue` and uploads files
on choose: the sandbox only receives the final state); missing required answers come back as
GraphQL-style errors shown next to their boxes; success replaces the form in place.
Differences, as the engine sees them: Boolean fields are a Yes/No radio pair styled as two
buttons (the real page uses two `aria-pressed` buttons).
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import (
    PLACES,
    as_dict,
    combobox,
    e,
    login_page,
    missing,
    page,
    recaptcha_checkbox,
)

ATS = "ashby"
HOST = "jobs.ashbyhq.com"
API_HOST = "api.ashbyhq.com"
FIXTURE = ("ashby", "lightdash_graphql_ApiJobPosting_application_form.json")
BOARD_FIXTURE = ("ashby", "lightdash_job_board_posting_api.json")
# More choices than this show as a combobox instead of radios.
RADIO_LIMIT = 5


def _entry(
    path: str, title: str, kind: str, required: bool, values: list[str] | None = None
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "id": f"field-{path}",
        "path": path,
        "humanReadablePath": title,
        "title": title,
        "isNullable": not required,
        "isDeactivated": False,
        "type": kind,
    }
    if values is not None:
        field["selectableValues"] = [{"label": v, "value": v.lower()} for v in values]
    return {
        "id": f"form__{path}",
        "field": field,
        "fieldValue": None,
        "isRequired": required,
        "descriptionHtml": None,
        "isHidden": None,
    }


# Asked by the `changed` form only: the approved definition never had it.
EXTRA_ENTRY = _entry(
    "0e8f5c1a-9d1c-4b8e-9d6a-000000000099",
    "Will you now or in the future require visa sponsorship?",
    "ValueSelect",
    True,
    ["Yes", "No"],
)
# Without the captured payloads: one field of each kind the real form has.
_BUILT_IN: dict[str, Any] = {
    "data": {
        "jobPosting": {
            "applicationForm": {
                "id": "00000000-0000-4000-8000-00000000a5b1",
                "sections": [
                    {
                        "title": None,
                        "isHidden": None,
                        "fieldEntries": [
                            _entry("_systemfield_name", "Name", "String", True),
                            _entry("_systemfield_email", "Email", "Email", True),
                            _entry("7f6c1a52-0000-4000-8000-000000000001", "Phone", "Phone", False),
                            _entry(
                                "7f6c1a52-0000-4000-8000-000000000002",
                                "Where are you based?",
                                "Location",
                                True,
                            ),
                            _entry("_systemfield_resume", "Resume", "File", True),
                            _entry(
                                "7f6c1a52-0000-4000-8000-000000000003",
                                "LinkedIn profile",
                                "Url",
                                False,
                            ),
                            _entry(
                                "7f6c1a52-0000-4000-8000-000000000004",
                                "Why do you want to join us?",
                                "LongText",
                                True,
                            ),
                            _entry(
                                "7f6c1a52-0000-4000-8000-000000000005",
                                "Are you legally authorised to work where this role is based?",
                                "Boolean",
                                True,
                            ),
                            _entry(
                                "7f6c1a52-0000-4000-8000-000000000006",
                                "How many years of experience do you have?",
                                "ValueSelect",
                                True,
                                ["0-2", "3-5", "6+"],
                            ),
                            _entry(
                                "7f6c1a52-0000-4000-8000-000000000007",
                                "Which languages do you write?",
                                "MultiValueSelect",
                                False,
                                ["Python", "TypeScript", "Go"],
                            ),
                        ],
                    }
                ],
            },
            "surveyForms": [],
        }
    }
}


def _definition(sandbox: Sandbox, posting_id: str) -> dict[str, Any]:
    body = sandbox.fixture_json(*FIXTURE) or copy.deepcopy(_BUILT_IN)
    posting = as_dict(as_dict(body.get("data")).get("jobPosting"))
    posting["id"] = posting_id
    return dict(body)


def _entries(body: dict[str, Any], scenarios: frozenset[str]) -> list[dict[str, Any]]:
    """The field entries the page shows: the form's and its surveys', visible ones only."""
    posting = as_dict(as_dict(body.get("data")).get("jobPosting"))
    forms = [posting.get("applicationForm"), *(posting.get("surveyForms") or [])]
    entries: list[dict[str, Any]] = []
    for form in forms:
        for section in as_dict(form).get("sections") or []:
            if as_dict(section).get("isHidden") is True:
                continue
            for entry in section.get("fieldEntries") or []:
                field = as_dict(as_dict(entry).get("field"))
                hidden = entry.get("isHidden") is True or field.get("isDeactivated") is True
                if field.get("path") and not hidden:
                    entries.append(entry)
    if "changed" in scenarios:
        entries.append(EXTRA_ENTRY)
    return entries


def _widget(path: str, kind: str, required: bool, values: list[tuple[str, str]]) -> str:
    req = ' aria-required="true"' if required else ""
    label_id = f"{path}-label"
    if kind == "LongText":
        return f'<textarea id="{e(path)}" name="{e(path)}" rows="4"{req}></textarea>'
    if kind == "File":
        return (
            f'<div class="ashby-application-form-file-upload"><button type="button" '
            f'data-attach="{e(path)}">Upload File</button><span id="{e(path)}-chosen"></span>'
            f'<input type="file" id="{e(path)}" name="{e(path)}" class="visually-hidden" '
            f'data-shows="{e(path)}-chosen" accept=".pdf,.doc,.docx,.txt,.rtf"{req}></div>'
        )
    if kind == "Boolean":
        values = [("true", "Yes"), ("false", "No")]
    if kind in {"Boolean", "ValueSelect"} and len(values) <= RADIO_LIMIT:
        radios = "".join(
            f'<label role="radio" aria-checked="false"><input type="radio" '
            f'class="radio-input" name="{e(path)}" value="{e(value)}"{req}>{e(text)}</label>'
            for value, text in values
        )
        return f'<fieldset role="radiogroup" aria-labelledby="{e(label_id)}">{radios}</fieldset>'
    if kind == "ValueSelect":
        return combobox(path, label_id, values, required=required)
    if kind == "Location":
        return combobox(path, label_id, [(p, p) for p in PLACES], required=required)
    if kind == "MultiValueSelect":
        boxes = "".join(
            f'<div><input type="checkbox" id="{e(path)}-{i}" name="{e(path)}" '
            f'value="{e(value)}"><label for="{e(path)}-{i}">{e(text)}</label></div>'
            for i, (value, text) in enumerate(values)
        )
        return f'<fieldset aria-labelledby="{e(label_id)}">{boxes}</fieldset>'
    input_type = {"Email": "email", "Phone": "tel", "Url": "url", "Number": "number"}.get(
        kind, "date" if kind == "Date" else "text"
    )
    return f'<input type="{input_type}" id="{e(path)}" name="{e(path)}"{req}>'


def _entry_html(entry: dict[str, Any]) -> str:
    field = as_dict(entry.get("field"))
    path, kind = str(field["path"]), str(field.get("type") or "String")
    required = entry.get("isRequired") is True
    title = str(field.get("title") or field.get("humanReadablePath") or path).strip()
    values = [
        (str(v.get("value")), str(v.get("label")))
        for v in field.get("selectableValues") or []
        if isinstance(v, dict)
    ]
    star = '<span class="ashby-required-marker">*</span>' if required else ""
    description = entry.get("descriptionHtml") or ""
    return (
        f'<div class="entry ashby-application-form-field-entry" data-field-path="{e(path)}">'
        f'<label class="ashby-application-form-question-title" id="{e(path)}-label" '
        f'for="{e(path)}">{e(title)}{star}</label>'
        f'<div class="ashby-application-form-question-description">{description}</div>'
        f"{_widget(path, kind, required, values)}</div>"
    )


def _form_page(
    request: Request, org: str, posting_id: str, body: dict[str, Any], scenarios: frozenset[str]
) -> HTMLResponse:
    entries = "".join(_entry_html(entry) for entry in _entries(body, scenarios))
    captcha = recaptcha_checkbox(request) if "captcha" in scenarios else ""
    endpoint = Sandbox.link(
        request,
        HOST,
        "/api/non-user-graphql?"
        + urlencode(
            {"op": "ApiSubmitSingleApplicationFormAction", "org": org, "jobPostingId": posting_id}
        ),
    )
    content = (
        f'<div class="ashby-job-posting-heading"><h1>Sandbox posting {e(posting_id)}</h1>'
        f'<p>{e(org)}</p></div><nav><a href="../{e(posting_id)}">Overview</a> '
        '<a aria-current="page">Application</a></nav>'
        '<div id="form-holder" class="ashby-application-form-container">'
        '<form id="ashby-application-form" class="ashby-application-form" '
        f'data-endpoint="{e(endpoint)}" data-replace="form-holder" novalidate>{entries}{captcha}'
        '<button type="submit" class="ashby-application-form-submit-button">Submit Application'
        '</button><span role="status"></span></form></div>'
    )
    return page(request, "Application", content)


def _not_found(request: Request) -> HTMLResponse:
    body = "<h1>Job not found</h1><p>The job you requested was not found.</p>"
    return page(request, "Job not found", body, status=404)


def build(sandbox: Sandbox) -> Site:
    """Ashby's stand-in: the GraphQL endpoint, the posting and application pages, the board."""

    async def graphql(request: Request) -> Response:
        op = request.query_params.get("op", "")
        if op == "ApiSubmitSingleApplicationFormAction":
            return await submit(request)
        try:
            query = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"errors": [{"message": "Bad request"}]}, 400)
        variables = as_dict(as_dict(query).get("variables"))
        posting_id = str(variables.get("jobPostingId") or "")
        if op != "ApiJobPosting" or not posting_id:
            return JSONResponse({"errors": [{"message": f"Unknown operation {op!r}"}]}, 400)
        if "closed" in sandbox.scenarios(posting_id):
            return JSONResponse({"data": {"jobPosting": None}})
        return JSONResponse(_definition(sandbox, posting_id))

    async def submit(request: Request) -> Response:
        org = request.query_params.get("org", "")
        posting_id = request.query_params.get("jobPostingId", "")
        scenarios = sandbox.scenarios(posting_id)
        if scenarios & {"closed", "login"}:
            return JSONResponse({"errors": [{"message": "This job is no longer available."}]})
        async with request.form() as form:
            if "captcha" in scenarios and not form.get("g-recaptcha-response"):
                return JSONResponse({"errors": {"_form": "Please complete the captcha."}})
            required = [
                (str(entry["field"]["path"]), str(entry["field"].get("title") or ""))
                for entry in _entries(_definition(sandbox, posting_id), scenarios)
                if entry.get("isRequired") is True
            ]
            absent = missing(form, required)
            errors = {
                key: f"Missing entry for required field: {label.strip()}"
                for key, label in required
                if key in absent
            }
            if errors:
                # Ashby answers 200 with the messages; the page lists them above the button.
                return JSONResponse({"errors": {**errors, "_form": "Your form needs corrections"}})
            if "slow" in scenarios:
                await asyncio.sleep(sandbox.slow_seconds)
            await sandbox.record(
                ats=ATS,
                tenant=org,
                posting_id=posting_id,
                form=form,
                email=str(form.get("_systemfield_email") or ""),
            )
        success = (
            '<div class="ashby-application-form-success-container"><h2>Application submitted'
            f"</h2><p>Thanks for applying to {e(org)}. We have received your application and "
            "will be in touch.</p></div>"
        )
        return JSONResponse({"html": success})

    async def board_page(request: Request) -> Response:
        org = request.path_params["org"]
        return page(request, org, f"<h1>Open positions at {e(org)}</h1>")

    async def posting_page(request: Request) -> Response:
        org, posting_id = request.path_params["org"], request.path_params["posting_id"]
        if "closed" in sandbox.scenarios(posting_id):
            return _not_found(request)
        link = Sandbox.link(request, HOST, f"/{org}/{posting_id}/application")
        body = (
            f"<h1>Sandbox posting {e(posting_id)}</h1><p>A sandbox posting at {e(org)}.</p>"
            f'<a class="ashby-job-posting-apply-button" href="{e(link)}">Apply for this Job</a>'
        )
        return page(request, "Posting", body)

    async def application_page(request: Request) -> Response:
        org, posting_id = request.path_params["org"], request.path_params["posting_id"]
        scenarios = sandbox.scenarios(posting_id)
        if "closed" in scenarios:
            return _not_found(request)
        if "login" in scenarios:
            return login_page(request, org)
        return _form_page(request, org, posting_id, _definition(sandbox, posting_id), scenarios)

    async def job_board(request: Request) -> Response:
        return JSONResponse(sandbox.fixture_json(*BOARD_FIXTURE) or {"apiVersion": "1", "jobs": []})

    pages: list[BaseRoute] = [
        Route("/api/non-user-graphql", graphql, methods=["POST"]),
        Route("/{org}", board_page, methods=["GET"]),
        Route("/{org}/{posting_id}", posting_page, methods=["GET"]),
        Route("/{org}/{posting_id}/application", application_page, methods=["GET"]),
    ]
    api: list[BaseRoute] = [Route("/posting-api/job-board/{org}", job_board, methods=["GET"])]
    return Site(ats=ATS, hosts={HOST: pages, API_HOST: api})

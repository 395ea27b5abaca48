"""BambooHR: the careers JSON (`/careers/list`, `/careers/{id}/detail` with `formFields`) and
the job page whose form opens with "Apply for This Job".

The detail is the captured Premise opening (`bamboohr/premise_careers_45_detail.json`) for any
tenant and id, else a built-in detail of the same shape (standard fields, a select, a turned-off
field `[]`, and one custom question of each type). The page mirrors the real one (NOTES.md §7):
`input#firstName`, `#lastName`, `#email`, `#phone`; address boxes named `streetAddress.value`,
`city.value`, `zip.value`; Fabric selects (a hidden `select[name="state.value"]` /
`countryId.value` behind a menu button); `#desiredPay`, `#linkedinUrl`, `#websiteUrl`,
`#referredBy`, `textarea#references`; custom questions named `customQuestionAnswers.<type>_
<id>`; unnamed file inputs under "Resume" / "Cover Letter"; the honeypot `#nickname_hpcsaf`;
the invisible reCAPTCHA badge with its hidden `g-recaptcha-response`. One page. The form posts
to `/careers/{id}/apply`, which answers 400 with each missing field or the confirmation shown
in place; a post with the honeypot filled is recorded as `spam`. Differences: files are sent
with the form (the real page uploads them on choose to `/ajax/files/attachTemporary.php`); a
state list without options (the captured one) is a text box.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import (
    as_dict,
    e,
    login_page,
    missing,
    page,
    recaptcha_checkbox,
)

ATS = "bamboohr"
HOST_PATTERN = "*.bamboohr.com"
FIXTURE = ("bamboohr", "premise_careers_45_detail.json")
LIST_FIXTURE = ("bamboohr", "avidbots_careers_list.json")
HONEYPOT = "nickname_hpcsaf"
# The page's label of each standard field.
LABELS = {
    "firstName": "First Name",
    "lastName": "Last Name",
    "email": "Email",
    "phone": "Phone",
    "streetAddress": "Address",
    "city": "City",
    "state": "State",
    "zip": "ZIP",
    "countryId": "Country",
    "resumeFileId": "Resume",
    "coverLetterFileId": "Cover Letter",
    "dateAvailable": "Date Available",
    "desiredPay": "Desired Pay",
    "linkedinUrl": "LinkedIn Profile URL",
    "websiteUrl": "Website, Blog, or Portfolio",
    "educationLevelId": "Highest Education Obtained",
    "educationInstitutionName": "College/University",
    "referredBy": "Who referred you for this position?",
    "references": "References",
    "genderId": "Gender",
    "ethnicityId": "Ethnicity",
    "veteranStatusId": "Veteran Status",
    "disabilityId": "Disability",
}
# Boxes the page names `<key>.value` (address parts and Fabric selects).
VALUE_NAMED = frozenset({"streetAddress", "city", "state", "zip", "countryId"})
FILES = frozenset({"resumeFileId", "coverLetterFileId"})
TEXTAREAS = frozenset({"references"})
# Asked by the `changed` form only: the approved definition never had it.
EXTRA_QUESTION: dict[str, Any] = {
    "id": "9999",
    "isRequired": True,
    "question": "Will you now or in the future require visa sponsorship?",
    "type": "yes_no",
    "options": [],
}
_BUILT_IN: dict[str, Any] = {
    "meta": {},
    "result": {
        "jobOpening": {
            "jobOpeningName": "Sandbox opening",
            "jobOpeningStatus": "Open",
            "departmentLabel": "Engineering",
            "employmentStatusLabel": "Full-Time",
            "location": {"city": "Austin", "state": "Texas", "addressCountry": "United States"},
            "description": "<p>A sandbox opening.</p>",
            "compensation": None,
            "datePosted": "2026-01-05",
        },
        "formFields": {
            "firstName": {"isRequired": True, "value": ""},
            "lastName": {"isRequired": True, "value": ""},
            "email": {"isRequired": True, "value": ""},
            "phone": {"isRequired": True, "value": ""},
            "city": {"isRequired": False, "value": ""},
            "state": {
                "isRequired": True,
                "value": "",
                "options": [
                    {"id": "43", "text": "Texas"},
                    {"id": "5", "text": "California"},
                    {"id": "33", "text": "New York"},
                ],
            },
            "resumeFileId": {"isRequired": True, "value": ""},
            "coverLetterFileId": {"isRequired": False, "value": ""},
            "linkedinUrl": {"isRequired": False, "value": ""},
            "references": {"isRequired": False, "value": ""},
            "genderId": [],
            "customQuestions": [
                {"id": "11", "isRequired": True, "type": "short", "options": [],
                 "question": "How many years of Python do you have?"},
                {"id": "12", "isRequired": False, "type": "long", "options": [],
                 "question": "Tell us about a project you are proud of."},
                {"id": "13", "isRequired": True, "type": "yes_no", "options": [],
                 "question": "Are you legally authorized to work in the United States?"},
                {"id": "14", "isRequired": True, "type": "multi",
                 "question": "Which shift do you prefer?",
                 "options": [{"id": "1", "text": "Day"}, {"id": "2", "text": "Night"}]},
            ],
        },
    },
}  # fmt: skip


def _detail(sandbox: Sandbox, tenant: str, opening: str) -> dict[str, Any]:
    body = sandbox.fixture_json(*FIXTURE) or copy.deepcopy(_BUILT_IN)
    job = as_dict(as_dict(body.get("result")).get("jobOpening"))
    job["jobOpeningShareUrl"] = f"https://{tenant}.bamboohr.com/careers/{quote(opening)}"
    return dict(body)


def _options(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(o.get("id")), str(o.get("text")))
        for o in spec.get("options") or []
        if isinstance(o, dict)
    ]


def _fields(detail: dict[str, Any], scenarios: frozenset[str]) -> list[dict[str, Any]]:
    """What the page renders, in order: {key, name, label, kind, required, options}."""
    form = as_dict(as_dict(detail.get("result")).get("formFields"))
    fields: list[dict[str, Any]] = []
    for key, spec in form.items():
        if key == "customQuestions" or not isinstance(spec, dict):
            continue  # A turned-off field is `[]`.
        options = _options(spec)
        if key in FILES:
            kind = "file"
        elif key in TEXTAREAS:
            kind = "textarea"
        elif options:
            kind = "select"
        else:
            kind = "text"
        fields.append(
            {
                "key": key,
                "name": f"{key}.value" if key in VALUE_NAMED else key,
                "label": LABELS.get(key, key),
                "kind": kind,
                "required": spec.get("isRequired") is True,
                "options": options,
            }
        )
    questions = [q for q in form.get("customQuestions") or [] if isinstance(q, dict)]
    if "changed" in scenarios:
        questions.append(EXTRA_QUESTION)
    for question in questions:
        raw = str(question.get("type") or "short")
        kind = {"short": "text", "long": "textarea", "multi": "select"}.get(raw, raw)
        key = f"customQuestionAnswers.{raw}_{question.get('id')}"
        fields.append(
            {
                "key": key,
                "name": key,
                "label": str(question.get("question") or key),
                "kind": kind,
                "required": question.get("isRequired") is True,
                "options": [("yes", "Yes"), ("no", "No")]
                if raw == "yes_no"
                else _options(question),
            }
        )
    return fields


def _field_html(field: dict[str, Any], index: int, default: str) -> str:
    key, name, kind = field["key"], field["name"], field["kind"]
    star = '<span class="fab-FormField__required">*</span>' if field["required"] else ""
    req = ' aria-required="true"' if field["required"] else ""
    # React draws ids for the boxes it does not name after the field.
    box = key if name == key and "." not in key and kind != "file" else f"fabricInput{index}"
    label = f'<label class="fab-Label" for="{e(box)}">{e(field["label"])}{star}</label>'
    if kind == "file":
        return (
            f'<div class="entry form-group fab-FormField"><label class="fab-Label" '
            f'for="{box}">{e(field["label"])}{star}</label><button type="button" '
            f'data-attach="{box}">Upload File</button><span id="{box}-chosen"></span>'
            f'<input type="file" id="{box}" data-field="{e(key)}" data-shows="{box}-chosen" '
            f'class="visually-hidden"{req}></div>'
        )
    if kind == "yes_no":
        radios = "".join(
            f'<label role="radio" aria-checked="false"><input type="radio" class="radio-input" '
            f'name="{e(name)}" value="{e(value)}"{req}>{e(text)}</label>'
            for value, text in field["options"]
        )
        return (
            f'<fieldset class="entry fab-FormField"><legend class="fab-Label">'
            f"{e(field['label'])}{star}</legend>{radios}</fieldset>"
        )
    if kind == "select":
        menu = f"fab-menu-{index}"
        options = "".join(
            f'<option value="{e(value)}"{" selected" if value == default else ""}>{e(text)}'
            "</option>"
            for value, text in field["options"]
        )
        items = "".join(
            f'<div role="option" data-value="{e(value)}">{e(text)}</div>'
            for value, text in field["options"]
        )
        return (
            f'<div class="entry fab-FormField">{label}<div class="fab-SelectToggle">'
            f'<select id="{e(box)}" name="{e(name)}" data-menu="{menu}" style="display:none"'
            f'{req}><option value="">--Select--</option>{options}</select>'
            f'<button type="button" id="{menu}" aria-haspopup="listbox">--Select--</button>'
            f'<div id="{menu}-list" role="listbox" class="menu" hidden>{items}</div></div></div>'
        )
    if kind == "textarea":
        return (
            f'<div class="entry fab-FormField">{label}<textarea id="{e(box)}" name="{e(name)}" '
            f'rows="4"{req}></textarea></div>'
        )
    input_type = {"email": "email", "phone": "tel"}.get(key, "text")
    return (
        f'<div class="entry fab-FormField">{label}<input type="{input_type}" id="{e(box)}" '
        f'name="{e(name)}" class="fab-TextInput"{req}></div>'
    )


def _job_page(
    request: Request, tenant: str, opening: str, detail: dict[str, Any], scenarios: frozenset[str]
) -> HTMLResponse:
    job = as_dict(as_dict(detail.get("result")).get("jobOpening"))
    form = as_dict(as_dict(detail.get("result")).get("formFields"))
    defaults = {k: str(v.get("value") or "") for k, v in form.items() if isinstance(v, dict)}
    fields = "".join(
        _field_html(f, i, defaults.get(f["key"], ""))
        for i, f in enumerate(_fields(detail, scenarios))
    )
    captcha = recaptcha_checkbox(request) if "captcha" in scenarios else ""
    endpoint = Sandbox.link(request, f"{tenant}.bamboohr.com", f"/careers/{quote(opening)}/apply")
    honeypot = (
        f'<div class="honeypot" aria-hidden="true"><label for="{HONEYPOT}">Nickname</label>'
        f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" autocomplete="off" '
        'tabindex="-1"></div>'
    )
    body = (
        f'<main><h2 class="jss-e8">{e(job.get("jobOpeningName", ""))}</h2>'
        f'<div class="description">{job.get("description") or ""}</div>'
        '<button type="button" class="fab-Button" data-open="application">Apply for This Job'
        '</button><div id="application" hidden><div id="form-holder"><h3>Apply for this job</h3>'
        f'<form id="applicationForm" data-endpoint="{e(endpoint)}" data-replace="form-holder" '
        f'novalidate>{fields}{honeypot}{captcha}<button type="submit" class="fab-Button">'
        'Submit Application</button><span role="status"></span></form></div></div></main>'
    )
    return page(request, str(job.get("jobOpeningName") or "Careers"), body, badge=True)


def build(sandbox: Sandbox) -> Site:
    """BambooHR's stand-in on every `*.bamboohr.com` careers site."""

    def tenant_of(request: Request) -> str:
        return str(request.path_params["host"]).split(".", 1)[0]

    async def careers(request: Request) -> Response:
        notice = ""
        if request.query_params.get("closed"):
            notice = '<p role="status">The job you are looking for is no longer available.</p>'
        body = f"<main>{notice}<h1>Open positions at {e(tenant_of(request))}</h1></main>"
        return page(request, "Careers", body)

    async def job_list(request: Request) -> Response:
        found = sandbox.fixture_json(*LIST_FIXTURE)
        return JSONResponse(found or {"meta": {"totalCount": 0}, "result": []})

    async def detail(request: Request) -> Response:
        opening = request.path_params["opening"]
        if "closed" in sandbox.scenarios(opening):
            return JSONResponse({"type": "not_found"}, 404)
        return JSONResponse(_detail(sandbox, tenant_of(request), opening))

    async def job_page(request: Request) -> Response:
        tenant, opening = tenant_of(request), request.path_params["opening"]
        scenarios = sandbox.scenarios(opening)
        if "closed" in scenarios:
            # A closed opening sends its visitors to the careers list.
            return RedirectResponse(f"{request.url.path.rsplit('/', 1)[0]}?closed=1", 302)
        if "login" in scenarios:
            return login_page(request, tenant)
        return _job_page(request, tenant, opening, _detail(sandbox, tenant, opening), scenarios)

    async def apply(request: Request) -> Response:
        tenant, opening = tenant_of(request), request.path_params["opening"]
        scenarios = sandbox.scenarios(opening)
        if scenarios & {"closed", "login"}:
            return JSONResponse({"type": "not_found"}, 404)
        async with request.form() as form:
            if "captcha" in scenarios and not form.get("g-recaptcha-response"):
                return JSONResponse({"errors": {"captcha": "Please complete the reCAPTCHA."}}, 400)
            fields = _fields(_detail(sandbox, tenant, opening), scenarios)
            required = [
                (f["key"] if f["kind"] == "file" else f["name"], f["label"])
                for f in fields
                if f["required"]
            ]
            absent = missing(form, required)
            if absent:
                return JSONResponse(
                    {"errors": dict.fromkeys(absent, "This field is required.")}, 400
                )
            if "slow" in scenarios:
                await asyncio.sleep(sandbox.slow_seconds)
            # A filled honeypot is a bot: BambooHR accepts it all the same and drops it.
            status = "spam" if str(form.get(HONEYPOT) or "").strip() else "confirmed"
            await sandbox.record(
                ats=ATS, tenant=tenant, posting_id=opening, form=form, status=status
            )
        done = (
            '<div class="ApplicationSuccess"><h3>Application Submitted!</h3><p>Thanks for '
            "applying. We will review your application and be in touch.</p></div>"
        )
        return JSONResponse({"html": done})

    routes: list[BaseRoute] = [
        Route("/careers", careers, methods=["GET"]),
        Route("/careers/list", job_list, methods=["GET"]),
        Route("/careers/{opening}/detail", detail, methods=["GET"]),
        Route("/careers/{opening}/apply", apply, methods=["POST"]),
        Route("/careers/{opening}", job_page, methods=["GET"]),
    ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

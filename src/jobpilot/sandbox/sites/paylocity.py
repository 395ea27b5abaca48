"""Paylocity: the board and job pages, and the "Step 1 of N" application wizard.

One host serves every employer (`recruiting.paylocity.com`, NOTES.md §12). The board page
`/Recruiting/Jobs/All/{companyGuid}` is the captured `paylocity/ncadvancedenergy_jobs_all_
pagedata_trimmed.html` (any guid); its jobs name the titles of the job and apply pages. The
apply page `/Recruiting/Jobs/Apply/{jobId}` carries the wizard's definition in `window.pageData`
(`customJobApplication.sections[]` with `fields[] {name, displayName, isIncluded, isRequired,
values[]}`, `screener.questions[]`, option lists, flags), which the jobs adapter reads, and
renders the wizard from that same definition: boxes with Paylocity's ids (`info.firstName`,
`info.email`, `info.cellPhone`, `public-site-address-*`, `workHistory.<field>.<n>`, files
`btn-resume` / `btn-coverLetter`, the `useAttachedResumeToFillOutApplication` box ticked on load),
labels without `for` in `.form-group` with "(required)" in an `<em>`, react-widgets dropdowns
(`div[role=combobox]`, `info.smsOptedIn`), native radios in `role=radiogroup`, and "Next Step"
between steps. No capture of an apply page's pageData is stored, so its definition is built in,
in the shape of the measured ones (cezkid `paylocity.md`).

Paylocity job ids are numbers; the sandbox also answers ids with a scenario word: `changed` (the
page gained a required screener question since the answers were prepared), `slow`, `closed`
(404 "no longer available"). The confirmation is unmeasured: a "Thank you for
applying" page at `…/Apply/{jobId}/Confirmation`.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site

ATS = "paylocity"
HOST = "recruiting.paylocity.com"
BOARD_FIXTURE = ("paylocity", "ncadvancedenergy_jobs_all_pagedata_trimmed.html")
_PAGE_DATA = re.compile(r"window\.pageData\s*=\s*(\{.*?\});\s*</script>", re.DOTALL)
# Asked by the `changed` wizard only: the page changed after the answers were prepared from it
# (the pageData and the wizard are one page, so both carry it).
EXTRA_SCREENER: dict[str, Any] = {
    "title": "Are you willing to submit to a background check?",
    "isRequired": True,
    "questionType": "multi",
    "allowsMultipleResponses": False,
    "answers": [{"title": "Yes"}, {"title": "No"}],
}
_YES_NO = ("Yes", "No")


def _f(
    name: str,
    label: str,
    *,
    required: bool = False,
    included: bool = True,
    values: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "name": name,
        "displayName": label,
        "group": None,
        "type": None,
        "isIncluded": included,
        "isRequired": required,
        "values": [{"value": v, "label": None} for v in values],
    }


def _section(
    name: str, heading: str, order: int, fields: list[dict[str, Any]], *, included: bool = True
) -> dict[str, Any]:
    return {
        "name": name,
        "headingText": heading,
        "displayOrder": order,
        "isIncluded": included,
        "isOneRequired": False,
        "fields": fields,
    }


def _screener(
    title: str,
    kind: str,
    *,
    required: bool,
    answers: tuple[str, ...] = (),
    many: bool = False,
    paragraph: bool = False,
) -> dict[str, Any]:
    question: dict[str, Any] = {
        "title": title,
        "isRequired": required,
        "questionType": kind,
        "allowsMultipleResponses": many,
        "isAutoReject": False,
        "isGraded": False,
    }
    if answers:
        question["answers"] = [{"title": a} for a in answers]
    if kind == "text":
        question["isParagraph"] = "true" if paragraph else "false"
    return question


def _apply_page_data(job_id: str, title: str, scenarios: frozenset[str]) -> dict[str, Any]:
    """The wizard definition of one job, shaped like the measured `window.pageData`."""
    info = [
        _f("name", "Name", required=True),
        _f("emailAddress", "Email address", required=True),
        _f("cellPhone", "Mobile Number"),
        _f("homePhone", "Home phone number", included=False),
        _f(
            "smsOptedIn",
            "We may use SMS during the hiring process. Do you give us permission to text you?",
            required=True,
        ),
        _f("appliedBefore", "Have you applied for a job with us before?", included=False),
        _f("city", "City"),
        _f("state", "State"),
        _f("postalCode", "Zip code"),
        _f("dateOfBirth", "Date of birth", included=False),
        _f("linkedInUrl", "LinkedIn profile URL"),
        _f(
            "howDidYouHear",
            "How did you hear about us?",
            values=("Online Job Board", "Company Website", "Friend or Family Member", "Other"),
        ),
        _f("referredBy", "Referred by"),
        _f("uploadCoverLetter", "Upload cover letter"),
    ]
    sections = [
        _section("info", "Information", 1, info),
        _section(
            "workHistory",
            "Work History",
            2,
            [
                _f("companyName", "Company name", required=True),
                _f("position", "Position"),
                _f("responsibilities", "Responsibilities"),
                _f("startEndSalary", "Starting & ending salaries", included=False),
            ],
        ),
        _section(
            "educationHistory",
            "Education History",
            3,
            [_f("schoolName", "School name", required=True), _f("areaOfStudy", "Area of study")],
        ),
        _section(
            "references",
            "References",
            4,
            [_f("referenceName", "Reference name", required=True)],
            included=False,
        ),
        _section(
            "acknowledgements",
            "EEO, OFCCP, E-Verify, Acknowledgement",
            5,
            [
                _f(
                    "authorizedToWork",
                    "Are you authorized to work in the United States?",
                    required=True,
                ),
                _f("eeoGenderEthnicity", "EEO - Gender & Ethnicity"),
                _f("priorConviction", "Prior felony, misdemeanor convictions?", included=False),
            ],
        ),
    ]
    questions = [
        _screener("Do you have a valid driver's license?", "multi", required=True, answers=_YES_NO),
        _screener("How many years of relevant experience do you have?", "text", required=True),
        _screener(
            "Which shifts can you work?",
            "multi",
            required=False,
            answers=("Day", "Evening", "Night"),
            many=True,
        ),
        _screener(
            "Tell us about a project you are proud of.", "text", required=False, paragraph=True
        ),
    ]
    if "changed" in scenarios:
        questions.append(EXTRA_SCREENER)
    return {
        "jobId": int(job_id) if job_id.isdigit() else job_id,
        "jobTitle": title,
        "requireResume": True,
        "requiredReferencesCount": None,
        "hasScreener": True,
        "shouldIncludeEeoSection": True,
        "displayAcknowledgement": False,
        "smsEnabled": True,
        "leadApplyEnabled": False,
        "steps": [],
        "customJobApplication": {
            "requireResume": True,
            "desiredSalaryInputType": 1,
            "sections": sections,
        },
        "screener": {"questions": questions},
        "genderOptions": [
            {"text": t} for t in ("Male", "Female", "I do not wish to self-identify")
        ],
        "raceOptions": [
            {"text": t}
            for t in (
                "Asian",
                "Black or African American",
                "Hispanic or Latino",
                "White",
                "I do not wish to self-identify",
            )
        ],
    }


# -- the rendered wizard -------------------------------------------------------------------


@dataclass
class Box:
    """One rendered question: its form name, label, widget and options."""

    name: str
    label: str
    kind: str  # text, email, tel, textarea, dropdown, radio, checkboxes, file, checkbox
    required: bool = False
    options: tuple[str, ...] = ()
    id: str = ""
    checked: bool = False

    def __post_init__(self) -> None:
        self.id = self.id or self.name


@dataclass
class Step:
    """One page of the wizard."""

    boxes: list[Box] = field(default_factory=list)


_ADDRESS_IDS = {
    "city": "public-site-address-city",
    "state": "public-site-address-us-state",
    "postalCode": "public-site-address-zip",
    "address": "public-site-address-address-1",
    "country": "public-site-address-country",
}
_INFO_IDS = {
    "emailAddress": ("info.email", "email"),
    "cellPhone": ("info.cellPhone", "tel"),
    "homePhone": ("info.homePhone", "tel"),
    "linkedInUrl": ("info.linkedIn", "text"),
    "referredBy": ("info.referredBy", "text"),
}


def _included(section: dict[str, Any]) -> list[dict[str, Any]]:
    if section.get("isIncluded") is False:
        return []
    return [f for f in section.get("fields") or [] if f.get("isIncluded") is True]


def _field_boxes(section: str, spec: dict[str, Any], data: dict[str, Any]) -> list[Box]:
    """The boxes one definition field renders as."""
    name, label = str(spec["name"]), str(spec.get("displayName") or spec["name"])
    required = spec.get("isRequired") is True
    values = tuple(str(v.get("label") or v.get("value")) for v in spec.get("values") or [])
    if section == "info":
        if name == "name":
            return [
                Box("info.firstName", "First Name", "text", required),
                Box("info.lastName", "Last Name", "text", required),
            ]
        if name in _INFO_IDS:
            box_id, kind = _INFO_IDS[name]
            return [Box(box_id, label, kind, required)]
        if name in _ADDRESS_IDS:
            return [Box(_ADDRESS_IDS[name], label, "text", required)]
        if name == "smsOptedIn":
            return [Box("info.smsOptedIn", label, "dropdown", required, _YES_NO)]
        if name == "howDidYouHear":
            return [Box("info.howDidYouHearAboutUs", label, "radio", required, values)]
        if name == "uploadCoverLetter":
            return [Box("coverLetter", label, "file", required, id="btn-coverLetter")]
        return [Box(f"info.{name}", label, "text", required)]
    if section in ("workHistory", "educationHistory"):
        kind = "textarea" if name == "responsibilities" else "text"
        return [Box(f"{section}.{name}.0", label, kind, required)]
    if name == "eeoGenderEthnicity":
        return [
            Box(
                "eeo.gender",
                "Gender",
                "dropdown",
                required,
                tuple(o["text"] for o in data.get("genderOptions") or []),
            ),
            Box(
                "eeo.race",
                "Race/Ethnicity",
                "dropdown",
                required,
                tuple(o["text"] for o in data.get("raceOptions") or []),
            ),
        ]
    if name == "authorizedToWork" or values:
        return [Box(f"{section}.{name}", label, "dropdown", required, values or _YES_NO)]
    return [Box(f"{section}.{name}", label, "text", required)]


def _screener_box(index: int, question: dict[str, Any]) -> Box:
    answers = tuple(str(a.get("title")) for a in question.get("answers") or [])
    title, required = str(question.get("title")), question.get("isRequired") is True
    name = f"screener.questions[{index}].answer"
    if question.get("questionType") == "multi":
        kind = "checkboxes" if question.get("allowsMultipleResponses") is True else "radio"
        return Box(name, title, kind, required, answers, id=f"screener-question-{index}")
    kind = "textarea" if question.get("isParagraph") == "true" else "text"
    return Box(name, title, kind, required, id=f"screener-question-{index}")


def wizard(data: dict[str, Any]) -> list[Step]:
    """The wizard's steps: information, history, screener, acknowledgements (empty ones
    dropped), rendered from the same definition the page's pageData carries."""
    sections = {
        str(s.get("name")): s
        for s in (data.get("customJobApplication") or {}).get("sections") or []
    }
    resume = data.get("requireResume") is True
    first = Step([Box("resume", "Resume", "file", resume, id="btn-resume")])
    # Ticked on load: Paylocity parses the resume into the boxes (the typed answers win).
    first.boxes.append(
        Box(
            "useAttachedResumeToFillOutApplication",
            "Fill out application with my resume",
            "checkbox",
            checked=True,
        )
    )
    history, screener, last = Step(), Step(), Step()
    for name, step in (
        ("info", first),
        ("workHistory", history),
        ("educationHistory", history),
        ("references", history),
        ("acknowledgements", last),
    ):
        for spec in _included(sections.get(name) or {}):
            step.boxes.extend(_field_boxes(name, spec, data))
    questions = list((data.get("screener") or {}).get("questions") or [])
    screener.boxes.extend(_screener_box(i, q) for i, q in enumerate(questions))
    return [step for step in (first, history, screener, last) if step.boxes]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _automation(box: Box) -> str:
    """Paylocity's `data-automation-id`: `info.firstName` → `infoFirstName`."""
    parts = re.split(r"[.\-\[\]]+", box.id)
    return "".join(p[:1].upper() + p[1:] if i else p for i, p in enumerate(parts) if p)


def _box_html(box: Box) -> str:
    star = " <em>(required)</em>" if box.required else ""
    label = f"<label>{_e(box.label)}{star}</label>"
    css = "form-group form-required" if box.required else "form-group"
    attrs = f'id="{_e(box.id)}" name="{_e(box.name)}" data-automation-id="{_e(_automation(box))}"'
    if box.kind in ("text", "email", "tel"):
        inner = f'<input type="{box.kind}" {attrs} data-for="{_e(box.label)}" class="form-control">'
    elif box.kind == "textarea":
        inner = f'<textarea {attrs} rows="4" class="form-control"></textarea>'
    elif box.kind == "file":
        button = "Select Resume to Upload" if box.name == "resume" else "Select Cover Letter"
        inner = (
            f'<button type="button" class="btn" data-pick="{_e(box.id)}">{button}</button>'
            f'<input type="file" {attrs} accept=".doc,.docx,.pdf" hidden>'
            f'<span class="file-name"></span>'
        )
    elif box.kind == "checkbox":
        checked = " checked" if box.checked else ""
        return (
            f'<div class="form-group checkbox"><input type="checkbox" {attrs} value="true"'
            f'{checked}><label for="{_e(box.id)}">{_e(box.label)}</label></div>'
        )
    elif box.kind == "dropdown":
        options = "".join(
            f'<li role="option" class="rw-list-option">{_e(o)}</li>' for o in box.options
        )
        inner = (
            f'<div role="combobox" tabindex="0" id="{_e(box.id)}" class="rw-dropdown-list" '
            f'aria-owns="{_e(box.id)}__listbox" aria-expanded="false" '
            f'data-automation-id="{_e(_automation(box))}"><span class="rw-value"></span></div>'
            f'<ul role="listbox" id="{_e(box.id)}__listbox" class="rw-list" hidden>{options}</ul>'
            f'<input type="hidden" name="{_e(box.name)}" value="">'
        )
    else:
        kind = "radio" if box.kind == "radio" else "checkbox"
        role = "radiogroup" if kind == "radio" else "group"
        inner = (
            f'<div role="{role}" id="{_e(box.id)}">'
            + "".join(
                f'<label><input type="{kind}" name="{_e(box.name)}" value="{_e(o)}"> '
                f"{_e(o)}</label>"
                for o in box.options
            )
            + "</div>"
        )
    return f'<div class="{css}">{label}{inner}</div>'


_STYLE = """
body{font-family:sans-serif;margin:0;padding:24px 48px;max-width:760px}
.form-group{margin:12px 0;position:relative}
.form-group>label{display:block;font-weight:600;margin-bottom:4px}
.form-control{width:100%;padding:6px;box-sizing:border-box}
.rw-dropdown-list{border:1px solid #888;min-height:28px;padding:4px;cursor:pointer}
.rw-list{position:absolute;left:0;right:0;z-index:5;background:#fff;border:1px solid #888;
list-style:none;margin:0;padding:0}
.rw-list-option{padding:4px 8px;cursor:pointer}
.field-validation-error{color:#b00;display:block}
.checkbox label{display:inline}
"""
_SCRIPT = """
(() => {
  const form = document.getElementById('apply-form');
  if (!form) return;
  for (const box of form.querySelectorAll('[role="combobox"]')) {
    const list = document.getElementById(box.getAttribute('aria-owns'));
    const hidden = box.parentElement.querySelector('input[type="hidden"]');
    box.addEventListener('click', () => {
      list.hidden = !list.hidden;
      box.setAttribute('aria-expanded', String(!list.hidden));
    });
    for (const option of list.querySelectorAll('[role="option"]')) {
      option.addEventListener('click', () => {
        box.querySelector('.rw-value').textContent = option.textContent;
        hidden.value = option.textContent;
        list.hidden = true;
        box.setAttribute('aria-expanded', 'false');
      });
    }
  }
  for (const button of form.querySelectorAll('[data-pick]')) {
    const input = document.getElementById(button.dataset.pick);
    button.addEventListener('click', () => input.click());
    input.addEventListener('change', () => {
      button.parentElement.querySelector('.file-name').textContent =
        Array.from(input.files).map((f) => f.name).join(', ');
    });
  }
  const answered = (group) => Array.from(group.querySelectorAll('input, textarea')).some(
    (el) => (el.type === 'radio' || el.type === 'checkbox') ? el.checked
      : el.type === 'file' ? el.files.length > 0 : el.value.trim() !== '');
  const valid = (step) => {
    for (const old of step.querySelectorAll('.field-validation-error')) old.remove();
    let ok = true;
    for (const group of step.querySelectorAll('.form-required')) {
      if (answered(group)) continue;
      ok = false;
      const note = document.createElement('span');
      note.className = 'field-validation-error';
      note.setAttribute('role', 'alert');
      note.textContent = group.querySelector('label').firstChild.textContent.trim()
        + ' is required.';
      group.appendChild(note);
    }
    return ok;
  };
  const steps = Array.from(form.querySelectorAll('.wizard-step'));
  const counter = document.getElementById('step-counter');
  for (const button of form.querySelectorAll('[data-next]')) {
    button.addEventListener('click', () => {
      const step = button.closest('.wizard-step');
      if (!valid(step)) return;
      const index = steps.indexOf(step);
      step.hidden = true;
      steps[index + 1].hidden = false;
      counter.textContent = `Step ${index + 2} of ${steps.length}`;
      window.scrollTo(0, 0);
    });
  }
  form.addEventListener('submit', (event) => {
    if (!valid(steps[steps.length - 1])) event.preventDefault();
  });
})();
"""


def _page(title: str, body: str, *, page_data: dict[str, Any] | None = None) -> str:
    script = ""
    if page_data is not None:
        # As on the real page: the definition is an inline script, read before the app renders.
        encoded = json.dumps(page_data).replace("</", "<\\/")
        script = f"<script>\nwindow.pageData = {encoded};\n</script>"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{script}{body}</body></html>"
    )


def _wizard_html(
    data: dict[str, Any], steps: list[Step], company: str, errors: list[str] | None = None
) -> str:
    parts = []
    for index, step in enumerate(steps):
        hidden = "" if index == 0 else " hidden"
        if index == len(steps) - 1:
            button = (
                '<button type="submit" id="btn-submit" data-automation-id="submitApplication" '
                'class="btn btn-primary">Submit Application</button>'
            )
        else:
            button = (
                '<button type="button" class="btn btn-primary" data-next '
                'data-automation-id="nextStep">Next Step</button>'
            )
        boxes = "".join(_box_html(box) for box in step.boxes)
        parts.append(f'<div class="wizard-step"{hidden}>{boxes}{button}</div>')
    summary = ""
    if errors:
        items = "".join(f"<li>{_e(e)}</li>" for e in errors)
        summary = f'<div class="validation-summary-errors" role="alert"><ul>{items}</ul></div>'
    title = str(data.get("jobTitle") or "")
    body = (
        f'<header class="company-name">{_e(company)}</header><h1>{_e(title)}</h1>{summary}'
        f'<p id="step-counter">Step 1 of {len(steps)}</p>'
        '<form id="apply-form" method="post" enctype="multipart/form-data" action="" novalidate>'
        f"{''.join(parts)}</form><script>{_SCRIPT}</script>"
    )
    return _page(title, body, page_data=data)


def _missing(steps: list[Step], form: FormData) -> list[str]:
    """Labels of required boxes the post left empty."""
    missing = []
    for step in steps:
        for box in step.boxes:
            if not box.required:
                continue
            values = form.getlist(box.name)
            if not any(
                (isinstance(v, UploadFile) and v.filename) or (isinstance(v, str) and v.strip())
                for v in values
            ):
                missing.append(f"{box.label} is required.")
    return missing


# -- the board and the job ----------------------------------------------------------------


_BUILT_IN_BOARD: dict[str, Any] = {
    "Departments": ["All Departments"],
    "IsLeadJoinEnabled": False,
    "Jobs": [
        {
            "JobId": 1000001,
            "JobTitle": "Sandbox Engineer",
            "LocationName": "Raleigh",
            "ShouldDisplayLocation": True,
            "PublishedDate": "2026-08-08T11:27:44-05:00",
            "Description": "",
            "IsInternal": False,
            "HiringDepartment": None,
            "JobLocation": {"City": "Raleigh", "State": "NC", "Country": "USA"},
            "IsRemote": False,
        }
    ],
    "Locations": ["All Locations", "Raleigh"],
    "ModuleId": "1",
    "ModuleTitle": "Sandbox Company",
}


def _board(sandbox: Sandbox) -> dict[str, Any]:
    raw = sandbox.fixture(*BOARD_FIXTURE)
    if raw is not None:
        found = _PAGE_DATA.search(raw.decode("utf-8"))
        if found:
            data: dict[str, Any] = json.loads(found[1])
            return data
    return copy.deepcopy(_BUILT_IN_BOARD)


def _job(sandbox: Sandbox, job_id: str) -> tuple[str, str]:
    """The title and company of a job: the board's, or made up for any other id."""
    board = _board(sandbox)
    company = str(board.get("ModuleTitle") or "Sandbox Company")
    for job in board.get("Jobs") or []:
        if str(job.get("JobId")) == job_id:
            return str(job.get("JobTitle")), company
    return f"Sandbox posting {job_id}", company


def build(sandbox: Sandbox) -> Site:
    """Paylocity's stand-in routes."""

    def closed_page() -> Response:
        body = "<h1>Sorry!</h1><p>This job is no longer available.</p>"
        return HTMLResponse(_page("Job not found", body), 404)

    async def board_page(request: Request) -> Response:
        raw = sandbox.fixture(*BOARD_FIXTURE)
        if raw is not None:
            return HTMLResponse(raw)
        encoded = json.dumps(_BUILT_IN_BOARD)
        return HTMLResponse(
            f"<!doctype html><html><body><script>\nwindow.pageData = {encoded};"
            "\n</script></body></html>"
        )

    async def details_page(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        if "closed" in sandbox.scenarios(job_id):
            return closed_page()
        title, company = _job(sandbox, job_id)
        posting = {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": title,
            "description": f"<p>{_e(title)} at {_e(company)}.</p>",
            "datePosted": "2026-08-08",
            "employmentType": "FULL_TIME",
            "hiringOrganization": {"@type": "Organization", "name": company},
            "url": f"https://{HOST}/Recruiting/Jobs/Details/{job_id}",
        }
        apply = Sandbox.link(request, HOST, f"/Recruiting/Jobs/Apply/{job_id}")
        body = (
            f'<script type="application/ld+json">{json.dumps(posting)}</script>'
            f'<h1>{_e(title)}</h1><a class="apply-button" href="{_e(apply)}">Apply</a>'
        )
        return HTMLResponse(_page(title, body))

    async def apply_page(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        scenarios = sandbox.scenarios(job_id)
        if "closed" in scenarios:
            return closed_page()
        title, company = _job(sandbox, job_id)
        data = _apply_page_data(job_id, title, scenarios)
        if request.method == "GET":
            return HTMLResponse(_wizard_html(data, wizard(data), company))
        steps = wizard(data)
        async with request.form() as form:
            errors = _missing(steps, form)
            if errors:
                return HTMLResponse(_wizard_html(data, steps, company, errors), 422)
            if "slow" in scenarios:
                await asyncio.sleep(sandbox.slow_seconds)
            await sandbox.record(
                ats=ATS,
                tenant="",
                posting_id=job_id,
                form=form,
                email=str(form.get("info.email") or ""),
            )
        return RedirectResponse(f"{request.url.path.rstrip('/')}/Confirmation", 303)

    async def confirmation(request: Request) -> Response:
        title, company = _job(sandbox, request.path_params["job_id"])
        body = (
            f"<h1>Thank you for applying!</h1><p>Your application for {_e(title)} has been "
            f"submitted to {_e(company)}.</p>"
        )
        return HTMLResponse(_page("Application submitted", body))

    routes: list[BaseRoute] = []
    # Paylocity answers its paths in any case; the adapter and the boards use these two.
    for prefix in ("/Recruiting/Jobs", "/recruiting/jobs"):
        routes += [
            Route(prefix + "/All/{guid}", board_page, methods=["GET"]),
            Route(prefix + "/All/{guid}/{name}", board_page, methods=["GET"]),
            Route(prefix + "/Details/{job_id}", details_page, methods=["GET"]),
            Route(prefix + "/Apply/{job_id}", apply_page, methods=["GET", "POST"]),
            Route(prefix + "/Apply/{job_id}/Confirmation", confirmation, methods=["GET"]),
        ]
    return Site(ats=ATS, hosts={HOST: routes})

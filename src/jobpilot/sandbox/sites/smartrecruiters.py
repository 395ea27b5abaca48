"""SmartRecruiters: the Posting API and the "oneclick-ui" apply app (page 1, Next, page 2).

The posting detail is the captured Gousto one (`smartrecruiters/gousto_posting_detail_
744000005631445.json`) for any company and id (with a stable `uuid` per posting), the form
config the captured `smartrecruiters/oneclick_config_tenant_a_anonymised.json`; without the
fixtures both are built in with the same fields. `jobs.smartrecruiters.com/{Company}/{id}-
{slug}?oga=true` (the posting's `applyUrl`) leads to `/oneclick-ui/company/{Company}/
publication/{uuid}`, which mirrors the real page 1 (NOTES.md §5): `#first-name-input`,
`#last-name-input`, `#email-input`, `#confirm-email-input`, the City `spl-autocomplete`
combobox, `spl-phone-field` (a country combobox and `input[type=tel]`), the resume's
`input[type=file]#file-input`, `#linkedin-input`, `#facebook-input`, `#twitter-input`,
`#website-input`, `textarea#hiring-manager-message-input`; the resume-parsing upload sits above
the form. "Next" checks page 1 and shows page 2 (screening questions: none unless the posting
is `changed`; the real page 2 is unmeasured) with "Submit". The config's field sets decide what
shows. The `captcha` scenario answers with a Cloudflare challenge page instead (SmartRecruiters
puts DataDome and Cloudflare in front of the form).
Differences, as the engine sees them: the real boxes live inside open shadow roots, which the
engine's page scripts do not enter; here they are in the light DOM (a real run would find no
fields and stop before sending). Boxes are matched by their labels (their ids are not the
config's keys) and sent under the config's keys.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
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
    turnstile,
)

ATS = "smartrecruiters"
API_HOST = "api.smartrecruiters.com"
HOST = "jobs.smartrecruiters.com"
DETAIL_FIXTURE = ("smartrecruiters", "gousto_posting_detail_744000005631445.json")
LIST_FIXTURE = ("smartrecruiters", "gousto_postings_list.json")
CONFIG_FIXTURE = ("smartrecruiters", "oneclick_config_tenant_a_anonymised.json")
# Page-1 boxes: (field set, key, element id, label, kind). Labels are what the engine matches.
BOXES: tuple[tuple[str, str, str, str, str], ...] = (
    ("firstAndLastName", "firstName", "first-name-input", "First name", "text"),
    ("firstAndLastName", "lastName", "last-name-input", "Last name", "text"),
    ("email", "email", "email-input", "Email", "email"),
    ("email", "confirmEmail", "confirm-email-input", "Confirm email", "email"),
    ("placeOfResidence", "placeOfResidence", "city-input", "City", "city"),
    ("phoneNumber", "phoneNumber", "phone-number-input", "Phone number", "phone"),
    ("resume", "resume", "file-input", "Resume", "file"),
    ("experience", "experience", "experience-input", "Experience", "textarea"),
    ("education", "education", "education-input", "Education", "textarea"),
    (
        "messageToHiringManager",
        "messageToHiringManager",
        "hiring-manager-message-input",
        "Message to hiring manager",
        "textarea",
    ),
)
SOCIAL: tuple[tuple[str, str, str], ...] = (
    ("linkedIn", "linkedin-input", "LinkedIn"),
    ("website", "website-input", "Website"),
    ("facebook", "facebook-input", "Facebook"),
    ("x", "twitter-input", "X"),
)
# Asked on page 2 by the `changed` form only: the approved definition never had it.
EXTRA_QUESTION = ("screening-visa", "Will you now or in the future require visa sponsorship?")
_BUILT_IN_CONFIG: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-000000000002",
    "fieldSets": {
        "firstAndLastName": {"required": True, "visible": True},
        "email": {"required": True, "visible": True},
        "placeOfResidence": {"required": True, "visible": True},
        "phoneNumber": {"required": False, "visible": True},
        "resume": {"required": True, "visible": True},
        "experience": {"required": False, "visible": False},
        "education": {"required": False, "visible": False},
        "socialProfiles": {
            "required": False,
            "visible": True,
            "linkedIn": {"required": False, "visible": True},
            "website": {"required": False, "visible": True},
        },
        "messageToHiringManager": {"required": False, "visible": True},
    },
}
_BUILT_IN_DETAIL: dict[str, Any] = {
    "name": "Sandbox posting",
    "releasedDate": "2026-01-05T09:00:00.000Z",
    "location": {"city": "London", "country": "gb", "remote": False},
    "typeOfEmployment": {"id": "permanent", "label": "Full-time"},
    "experienceLevel": {"id": "mid_senior_level", "label": "Mid-Senior Level"},
    "jobAd": {"sections": {"jobDescription": {"title": "Job Description", "text": "<p>Hi.</p>"}}},
    "active": True,
    "visibility": "PUBLIC",
}


def publication(company: str, posting_id: str) -> str:
    """The stable publication uuid the sandbox gives a company's posting."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://{HOST}/{company}/{posting_id}"))


def _boxes(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The page-1 boxes the config shows: {key, id, label, kind, required}."""
    sets = as_dict(config.get("fieldSets"))
    boxes = []
    for set_name, key, element, label, kind in BOXES:
        spec = as_dict(sets.get(set_name))
        if spec.get("visible") is True:
            boxes.append(
                {
                    "key": key,
                    "id": element,
                    "label": label,
                    "kind": kind,
                    "required": spec.get("required") is True,
                }
            )
    social = as_dict(sets.get("socialProfiles"))
    if social.get("visible") is True:
        for key, element, label in SOCIAL:
            spec = as_dict(social.get(key))
            if spec.get("visible") is True:
                required = spec.get("required") is True
                boxes.append(
                    {"key": key, "id": element, "label": label, "kind": "url", "required": required}
                )
    return boxes


def _box_html(box: dict[str, Any]) -> str:
    key, element, kind, required = box["key"], box["id"], box["kind"], box["required"]
    star = '<span class="required">*</span>' if required else ""
    req = ' aria-required="true"' if required else ""
    label = f'<label id="{element}-label" for="{element}">{e(box["label"])}{star}</label>'
    if kind == "city":
        return (
            f'<spl-autocomplete class="entry">{label}'
            f"{combobox(element, f'{element}-label', [(p, p) for p in PLACES], required=required)}"
            "</spl-autocomplete>"
        ).replace(f'name="{element}"', f'data-field="{key}"')
    if kind == "phone":
        countries = [("gb", "United Kingdom (+44)"), ("us", "United States (+1)")]
        country = combobox("phone-country", "phone-country-label", countries, required=False)
        country = country.replace(
            'id="phone-country"',
            'id="phone-country" value="United Kingdom (+44)" data-value="gb"',
        ).replace('name="phone-country"', 'data-field="phoneCountry"')
        return (
            '<spl-phone-field class="entry"><label id="phone-country-label" for="phone-country">'
            f'Country code</label>{country}{label}<input type="tel" id="{element}" '
            f'data-field="{key}"{req}></spl-phone-field>'
        )
    if kind == "file":
        return (
            f'<div class="entry">{label}<button type="button" data-attach="{element}">Choose a '
            f'file</button><span id="{element}-chosen"></span><input type="file" '
            f'id="{element}" class="visually-hidden" data-field="{key}" '
            f'data-shows="{element}-chosen" accept=".pdf,.doc,.docx,.odt,.rtf"{req}></div>'
        )
    if kind == "textarea":
        return (
            f'<spl-textarea class="entry">{label}<textarea id="{element}" data-field="{key}" '
            f'rows="4"{req}></textarea></spl-textarea>'
        )
    input_type = {"email": "email", "url": "url"}.get(kind, "text")
    return (
        f'<spl-input class="entry">{label}<input type="{input_type}" id="{element}" '
        f'data-field="{key}"{req}></spl-input>'
    )


def _form_page(
    request: Request,
    company: str,
    pub: str,
    config: dict[str, Any],
    scenarios: frozenset[str],
) -> HTMLResponse:
    page_one = "".join(_box_html(box) for box in _boxes(config))
    screening = "<p>No further questions. Review and submit your application.</p>"
    if "changed" in scenarios:
        key, text = EXTRA_QUESTION
        screening = (
            f'<fieldset class="entry" role="radiogroup" aria-labelledby="{key}-label">'
            f'<legend id="{key}-label">{e(text)}<span class="required">*</span></legend>'
            + "".join(
                f'<label role="radio" aria-checked="false"><input type="radio" '
                f'class="radio-input" name="{key}" value="{v}" aria-required="true">{v}</label>'
                for v in ("Yes", "No")
            )
            + "</fieldset>"
        )
    endpoint = Sandbox.link(request, HOST, f"/oneclick-ui/api/publication/{pub}/apply")
    parse = (
        '<section class="easy-apply"><p>Apply with</p><button type="button">Indeed</button>'
        '<button type="button">LinkedIn</button><label for="resume-parsing">Autofill from your '
        'resume</label><input type="file" id="resume-parsing" class="visually-hidden"></section>'
    )
    body = (
        f"<oc-oneclick-form><h1>Sandbox posting at {e(company)}</h1>{parse}"
        '<div id="form-holder"><form id="oneclick-form" '
        f'data-endpoint="{e(endpoint)}" data-replace="form-holder" novalidate>'
        f'<div class="step" id="step-1"><h2>My information</h2>{page_one}'
        '<button type="button" data-next="step-2">Next</button></div>'
        f'<div class="step" id="step-2" hidden><h2>Screening questions</h2>{screening}'
        '<button type="submit">Submit</button><span role="status"></span></div>'
        "</form></div></oc-oneclick-form>"
    )
    return page(request, "Apply", body)


def _challenge(request: Request) -> HTMLResponse:
    body = (
        '<div id="challenge-stage"><h1>jobs.smartrecruiters.com</h1><p>Verify you are human by '
        f"completing the action below.</p>{turnstile(request)}</div>"
    )
    return page(request, "Just a moment...", body, status=403)


def _gone(request: Request) -> HTMLResponse:
    body = "<main><h1>Sorry, this job is no longer available.</h1></main>"
    return page(request, "Job not available", body)


def build(sandbox: Sandbox) -> Site:
    """SmartRecruiters' stand-in: the Posting API and the one-click apply app."""
    # Publication uuid -> (company, posting id), for the postings the sandbox has named.
    known: dict[str, tuple[str, str]] = {}

    def pub_for(company: str, posting_id: str) -> str:
        pub = publication(company, posting_id)
        known[pub] = (company, posting_id)
        return pub

    def config() -> dict[str, Any]:
        found = sandbox.fixture_json(*CONFIG_FIXTURE)
        return dict(found) if isinstance(found, dict) else copy.deepcopy(_BUILT_IN_CONFIG)

    async def postings(request: Request) -> Response:
        found = sandbox.fixture_json(*LIST_FIXTURE)
        return JSONResponse(found or {"offset": 0, "limit": 100, "totalFound": 0, "content": []})

    async def posting(request: Request) -> Response:
        company, posting_id = request.path_params["company"], request.path_params["posting"]
        detail = sandbox.fixture_json(*DETAIL_FIXTURE) or copy.deepcopy(_BUILT_IN_DETAIL)
        url = f"https://{HOST}/{quote(company)}/{quote(posting_id)}-sandbox-posting"
        pub = pub_for(company, posting_id)
        detail.update(
            id=posting_id,
            uuid=pub,
            company={"identifier": company, "name": company},
            postingUrl=url,
            applyUrl=f"{url}?oga=true",
            active="closed" not in sandbox.scenarios(posting_id),
        )
        return JSONResponse(detail)

    async def form_config(request: Request) -> Response:
        return JSONResponse(config())

    async def posting_page(request: Request) -> Response:
        company, slug = request.path_params["company"], request.path_params["slug"]
        posting_id = slug.split("-", 1)[0]
        scenarios = sandbox.scenarios(posting_id)
        if "closed" in scenarios:
            return _gone(request)
        target = Sandbox.link(
            request,
            HOST,
            f"/oneclick-ui/company/{quote(company)}/publication/{pub_for(company, posting_id)}"
            f"?dcr_ci={quote(company)}",
        )
        if request.query_params.get("oga") == "true":
            return RedirectResponse(target, 302)
        body = (
            f"<main><h1>Sandbox posting {e(posting_id)}</h1><p>At {e(company)}.</p>"
            f'<a class="js-oneclick" href="{e(target)}">I\'m interested</a></main>'
        )
        return page(request, "Posting", body)

    async def form_page(request: Request) -> Response:
        company, pub = request.path_params["company"], request.path_params["pub"]
        posting_id = known.get(pub, (company, pub))[1]
        scenarios = sandbox.scenarios(posting_id)
        if "closed" in scenarios:
            return _gone(request)
        if "captcha" in scenarios:
            return _challenge(request)
        if "login" in scenarios:
            return login_page(request, company)
        return _form_page(request, company, pub, config(), scenarios)

    async def apply(request: Request) -> Response:
        pub = request.path_params["pub"]
        company, posting_id = known.get(pub, ("", pub))
        scenarios = sandbox.scenarios(posting_id)
        if scenarios & {"closed", "login", "captcha"}:
            return JSONResponse({"errors": {"_form": "This job is no longer available."}}, 403)
        async with request.form() as form:
            required = [(b["key"], b["label"]) for b in _boxes(config()) if b["required"]]
            if "changed" in scenarios:
                required.append(EXTRA_QUESTION)
            absent = missing(form, required)
            if absent:
                return JSONResponse({"errors": dict.fromkeys(absent, "Required field")}, 400)
            if form.get("email") != form.get("confirmEmail") and "confirmEmail" in form:
                return JSONResponse({"errors": {"confirmEmail": "Emails do not match"}}, 400)
            if "slow" in scenarios:
                await asyncio.sleep(sandbox.slow_seconds)
            await sandbox.record(ats=ATS, tenant=company, posting_id=posting_id, form=form)
        done = (
            '<div class="application-sent"><h2>Thank you for applying!</h2><p>Your application '
            f"has been sent to {e(company)}.</p></div>"
        )
        return JSONResponse({"html": done})

    api: list[BaseRoute] = [
        Route("/v1/companies/{company}/postings", postings, methods=["GET"]),
        Route("/v1/companies/{company}/postings/{posting}", posting, methods=["GET"]),
    ]
    jobs: list[BaseRoute] = [
        Route(
            "/oneclick-ui/api/company/{company_id}/publication/{pub}/config",
            form_config,
            methods=["GET"],
        ),
        Route("/oneclick-ui/api/publication/{pub}/apply", apply, methods=["POST"]),
        Route("/oneclick-ui/company/{company}/publication/{pub}", form_page, methods=["GET"]),
        Route("/{company}/{slug}", posting_page, methods=["GET"]),
    ]
    return Site(ats=ATS, hosts={API_HOST: api, HOST: jobs})

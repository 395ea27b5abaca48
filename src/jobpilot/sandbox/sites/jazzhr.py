"""JazzHR (`{co}.applytojob.com`): the posting page and its server-rendered application form.

The form is the captured, anonymised JazzHR form (`jazzhr/apply_form_tenant_c_anonymised.html`,
NOTES.md §8): `form#form_submit_new_resume` (multipart, action = the posting URL) with `resumator-
*-value` boxes, the address group (City / State / Postal with placeholders only), the resume
file in a wrapper hidden until "Attach resume" (or a "Paste resume" text box), one employer
question `resumator-questionnaire[<n>]`, and the submit link `a#resumator-submit-resume`. The
sandbox wraps the fragment in a posting page, points its action and hidden tenant / posting ids
at the requested posting, and drops the reCAPTCHA script. The real form's "Human Check"
(reCAPTCHA v2 checkbox) is shown only in the `captcha` scenario; elsewhere it is left out, as
an employer without it. Without the fixture a hand-made fragment of the same structure is used.

`/apply/{id}` redirects to `/apply/{id}/{slug}` like JazzHR; a sent application lands on
`…/thanks` ("Thank you for applying"); missing required answers re-render the form (422) with
JazzHR's error notes. A closed posting is a 410 "This position is no longer available".
Scenarios: `captcha`, `login` (an account wall; JazzHR has none), `changed` (the page's script
adds a required employer question the plain-HTTP definition lacks), `slow`, `closed`. The form
is one page with no email code.
"""

from __future__ import annotations

import asyncio
import json
import re
from html.parser import HTMLParser

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites._forms import answered, e, login_page, recaptcha_checkbox

ATS = "jazzhr"
HOST_PATTERN = "*.applytojob.com"
FIXTURE = ("jazzhr", "apply_form_tenant_c_anonymised.html")
SLUG = "Sandbox-Posting"
# The question the `changed` page adds after load.
EXTRA_KEY = "resumator-questionnaire[9999001]"
EXTRA_LABEL = "Will you now or in the future require visa sponsorship?"
_EXTRA = (
    "<div class='form-group'><label id='resumator-questionnaire-q9999001-label' "
    "for='resumator-questionnaire-q9999001' class='control-label'>"
    f'{EXTRA_LABEL}<i class="asterisk">*</i></label>'
    f'<select name="{EXTRA_KEY}" id="resumator-questionnaire-q9999001" class="form-control">'
    '<option value="resumator_no_selection">-- No answer --</option><option value="Yes">Yes'
    '</option><option value="No">No</option></select></div>'
)
# Without the captured form: the same structure, hand-made.
_FALLBACK = """<form action="https://acme.applytojob.com/apply/AbCdE00003/Test-Role" method="POST" id="form_submit_new_resume" enctype="multipart/form-data">
<input type="hidden" name="resumator-subdomain-value" id="resumator-subdomain-value" value="acme" />
<input type="hidden" name="resumator-job-value" id="resumator-job-value" value="AbCdE00003" />
<input type="hidden" name="resumator-source-value" id="resumator-source-value" value="" />
<div class='job-form-fields'>
<div class='form-group'><label id='resumator-firstname-label' for='resumator-firstname-value' class='control-label'>First Name<i class="asterisk">*</i></label><input type='text' id='resumator-firstname-value' name='resumator-firstname-value' value='' class='form-control'/></div>
<div class='form-group'><label id='resumator-lastname-label' for='resumator-lastname-value' class='control-label'>Last Name<i class="asterisk">*</i></label><input type='text' id='resumator-lastname-value' name='resumator-lastname-value' value='' class='form-control'/></div>
<div class='form-group'><label id='resumator-email-label' for='resumator-email-value' class='control-label'>Email Address<i class="asterisk">*</i></label><input type='email' id='resumator-email-value' name='resumator-email-value' value='' class='form-control'/></div>
<div class='form-group'><label id='resumator-phone-label' for='resumator-phone-value' class='control-label'>Phone<i class="asterisk">*</i></label><input type="tel" id="resumator-phone-value" name="resumator-phone-value" maxlength="50" class="form-control" value=""></div>
<div class="form-group" id="resumator-address"><label id='resumator-address-label' for='resumator-address-value' class='control-label'>Address<i class="asterisk">*</i></label><div class="resumator-input" id="resumator-address-field"><input type="text" id="resumator-address-value" name="resumator-address-value" maxlength="255" class="form-control" value="" placeholder="Address"><div class="row"><div class="col col-xs-5"><input type="text" id='resumator-city-value' name="resumator-city-value" maxlength="255" class="form-control" value="" placeholder="City"></div><div class="col col-xs-4"><input type="text" id='resumator-state-value' name="resumator-state-value" maxlength="50" class="form-control" value="" placeholder="State/Province"></div><div class="col col-xs-3"><input type="text" id='resumator-postal-value' name="resumator-postal-value" maxlength="50" class="form-control" value="" placeholder="Postal"></div></div></div></div>
<div id="resumator-resume" class='form-group'><label id='resumator-resume-label' for='resumator-resume-value' class='control-label'>Resume<i class="asterisk">*</i></label>
<div id="resumator-resume-options" class="resumator-resume-text"><a id="resumator-choose-upload" class="resumator-resume-action" href="#">Attach resume</a> or <a id="resumator-choose-paste" class="resumator-resume-action" href="#">Paste resume</a></div>
<div id="resumator-resume-upload-wrapper" class="none"><div class="resumator-resume-text">Attach resume as .pdf, .doc, .docx, .odt, .txt, or .rtf (limit 5MB) or <a id="resumator-resume-switch-paste" class="resumator-resume-action" href="#">Paste resume</a></div><div class="resumator-input" id="resumator-resume-field"><input type="file" class="" id="resumator-resume-value" name="resumator-resume-value"></div></div>
<div id="resumator-resume-paste-wrapper" class="resumator-resume-text none"><div class="resumator-resume-text"><p>Paste your resume here or <a id="resumator-resume-switch-upload" class="resumator-resume-action" href="#">Attach resume file</a></p></div><div class="resumator-input" id="resumator-resumetext-field"><textarea name="resumator-resumetext-value" id="resumator-resumetext-value" class="form-control resumator-field" rows='5'></textarea></div></div>
</div>
<div class='form-group'><label id='resumator-salary-label' for='resumator-salary-value' class='control-label'>Desired salary<i class="asterisk">*</i></label><input type='text' id='resumator-salary-value' name='resumator-salary-value' class='form-control' value=''></div>
<div class='form-group'><label id='resumator-questionnaire-q2791419-label' for='resumator-questionnaire-q2791419' class='control-label'>Are you legally authorized to work in the United States?<i class="asterisk">*</i></label><textarea name="resumator-questionnaire[2791419]" id="resumator-questionnaire-q2791419" class="form-control resumator-field resumator-textarea-medium"></textarea></div>
<div class="resumator-field-wrapper resumator-resume-text" id="resumator-recaptcha">
<div class="resumator-label resumator-resume-text" id="resumator-recaptcha-label">Human Check<i class="asterisk">*</i></div>
<div class="resumator-input" id="resumator-recaptcha-field">
<script src="https://www.google.com/recaptcha/api.js" async defer></script><div class="g-recaptcha" data-sitekey="test-site-key"></div>
</div>
</div>
<div id="resumator-submit" class="form-group"><a href="#" id="resumator-submit-resume" class="btn">Submit Application</a></div>
</div>
</form>
"""  # noqa: E501 - markup kept on one line per question, as JazzHR renders it
_ACTION = re.compile(r'(<form\b[^>]*\baction=")[^"]*(")')
_RECAPTCHA_SCRIPT = re.compile(r"<script\b[^>]*recaptcha[^>]*>\s*</script>")
_RECAPTCHA_BOX = re.compile(r'<div class="g-recaptcha"[^>]*></div>')
_HUMAN_CHECK = re.compile(r'<div[^>]*id="resumator-recaptcha">.*?</div>\s*</div>\s*</div>', re.S)
_STYLE = """
body{font-family:sans-serif;margin:0;padding:24px 48px;max-width:760px}
.none{display:none}
.form-group{margin:14px 0}
.control-label,.resumator-label{display:block;font-weight:600;margin-bottom:4px}
.form-control{width:100%;padding:6px;box-sizing:border-box}
.row{display:flex;gap:8px}.col{flex:1}
.asterisk{color:#b00;font-style:normal}
.btn{display:inline-block;padding:10px 24px;border:1px solid #333;text-decoration:none}
.dv_error,.resumator_label_error{color:#b00}
"""
_SCRIPT = """
(() => {
  const form = document.getElementById('form_submit_new_resume');
  if (!form) return;
  const byId = (id) => document.getElementById(id);
  const show = (id, on) => { const el = byId(id); if (el) el.classList.toggle('none', !on); };
  const upload = (event) => {
    event.preventDefault();
    show('resumator-resume-options', false);
    show('resumator-resume-paste-wrapper', false);
    show('resumator-resume-upload-wrapper', true);
  };
  const paste = (event) => {
    event.preventDefault();
    show('resumator-resume-options', false);
    show('resumator-resume-upload-wrapper', false);
    show('resumator-resume-paste-wrapper', true);
  };
  for (const id of ['resumator-choose-upload', 'resumator-resume-switch-upload']) {
    if (byId(id)) byId(id).addEventListener('click', upload);
  }
  for (const id of ['resumator-choose-paste', 'resumator-resume-switch-paste']) {
    if (byId(id)) byId(id).addEventListener('click', paste);
  }
  const extra = byId('sandbox-extra-question');
  if (extra) {
    byId('resumator-submit').insertAdjacentHTML('beforebegin', JSON.parse(extra.textContent));
  }
  // The submit is a link: JazzHR's script posts the form natively.
  byId('resumator-submit-resume').addEventListener('click', (event) => {
    event.preventDefault();
    const note = document.createElement('div');
    note.className = 'resumator-resume-text';
    note.textContent = 'Submitting your application...';
    byId('resumator-submit').appendChild(note);
    form.submit();
  });
})();
"""


class _Required(HTMLParser):
    """The boxes whose label carries JazzHR's asterisk (how its own script decides)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: dict[str, str] = {}
        self.labels: dict[str, list[str]] = {}
        self.starred: list[str] = []
        self._label: str | None = None
        self._in_star = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag in {"input", "select", "textarea"} and attr.get("id") and attr.get("name"):
            self.names[attr["id"]] = attr["name"]
        if tag == "label" and attr.get("for"):
            self._label = attr["for"]
            self.labels[self._label] = []
        if tag == "i" and "asterisk" in attr.get("class", "") and self._label:
            self._in_star = True
            if self._label not in self.starred:
                self.starred.append(self._label)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label = None
        if tag == "i":
            self._in_star = False

    def handle_data(self, data: str) -> None:
        if self._label is not None and not self._in_star:
            self.labels[self._label].append(data)

    def required(self) -> list[tuple[str, str]]:
        """(name, label) of each starred box."""
        return [
            (self.names[box], " ".join("".join(self.labels.get(box, [])).split()))
            for box in self.starred
            if box in self.names
        ]


def _fragment(sandbox: Sandbox) -> str:
    raw = sandbox.fixture(*FIXTURE)
    return raw.decode("utf-8") if raw is not None else _FALLBACK


def _form_html(
    sandbox: Sandbox, request: Request, tenant: str, posting_id: str, action: str
) -> str:
    """The form fragment wired to this posting and the sandbox."""
    scenarios = sandbox.scenarios(posting_id)
    form = _ACTION.sub(lambda m: f"{m[1]}{e(action)}{m[2]}", _fragment(sandbox), count=1)
    form = re.sub(
        r'(name="resumator-subdomain-value"[^>]*value=")[^"]*"', rf'\g<1>{e(tenant)}"', form
    )
    form = re.sub(
        r'(name="resumator-job-value"[^>]*value=")[^"]*"', rf'\g<1>{e(posting_id)}"', form
    )
    form = _RECAPTCHA_SCRIPT.sub("", form)
    if "captcha" in scenarios:
        form = _RECAPTCHA_BOX.sub(lambda _: recaptcha_checkbox(request), form, count=1)
    else:
        form = _HUMAN_CHECK.sub("", form, count=1)
    if "changed" in scenarios:
        # Inside a script the markup is text: only a browser running the page sees it.
        payload = json.dumps(_EXTRA).replace("</", "<\\/")
        form += f'<script type="application/json" id="sandbox-extra-question">{payload}</script>'
    return form


def _posting_page(
    sandbox: Sandbox,
    request: Request,
    tenant: str,
    posting_id: str,
    action: str,
    *,
    errors: list[str] | None = None,
) -> HTMLResponse:
    notice = ""
    if errors:
        items = "".join(f'<li class="resumator_label_error">{e(x)}</li>' for x in errors)
        notice = (
            '<div id="resumator-error" class="dv_error" role="alert">Please correct the '
            f"following and submit again:<ul>{items}</ul></div>"
        )
    form = _form_html(sandbox, request, tenant, posting_id, action)
    body = (
        f'<div id="resumator-wrapper"><div id="resumator-content"><h1>Sandbox posting '
        f"{e(posting_id)}</h1><div class='job-header'>{e(tenant)}</div>"
        '<div id="resumator-job-description" class="job_description"><p>A sandbox posting.</p>'
        f'</div><div id="resumator-application-form"><h2>Apply for this position</h2>{notice}'
        f"{form}</div></div></div>"
    )
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(tenant)} - '
        f"Sandbox posting</title><style>{_STYLE}</style></head><body>{body}"
        f"<script>{_SCRIPT}</script></body></html>"
    )
    return HTMLResponse(page, status_code=422 if errors else 200)


def _gone(tenant: str) -> HTMLResponse:
    body = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{e(tenant)} - Careers</title>'
        f"</head><body><h1>{e(tenant)} Careers</h1><div class='alert'>This position is no "
        "longer available.</div><p><a href='/apply/jobs'>View all open positions</a></p>"
        "</body></html>"
    )
    return HTMLResponse(body, status_code=410)


def _missing(sandbox: Sandbox, form: FormData, scenarios: frozenset[str]) -> list[str]:
    reader = _Required()
    reader.feed(_fragment(sandbox))
    required = reader.required()
    if "changed" in scenarios:
        required.append((EXTRA_KEY, EXTRA_LABEL))
    missing = []
    for name, label in required:
        value = str(form.get(name) or "")
        if name == "resumator-resume-value":
            # Either the file or the pasted text answers the resume.
            ok = answered(form, name) or answered(form, "resumator-resumetext-value")
        else:
            ok = answered(form, name) and value != "resumator_no_selection"
        if not ok:
            missing.append(f"{label or name} is required.")
    return missing


def build(sandbox: Sandbox) -> Site:
    """JazzHR's stand-in routes, for any `{co}.applytojob.com`."""

    async def short_link(request: Request) -> Response:
        if request.path_params["posting_id"] == "jobs":
            return HTMLResponse("<h1>Open positions</h1>", 200)
        return RedirectResponse(f"{request.url.path.rstrip('/')}/{SLUG}", 302)

    async def posting(request: Request) -> Response:
        tenant = str(request.path_params["host"]).split(".", 1)[0]
        posting_id = request.path_params["posting_id"]
        scenarios = sandbox.scenarios(posting_id)
        if "closed" in scenarios:
            return _gone(tenant)
        if "login" in scenarios:
            return login_page(request, tenant)
        return _posting_page(sandbox, request, tenant, posting_id, request.url.path)

    async def submit(request: Request) -> Response:
        tenant = str(request.path_params["host"]).split(".", 1)[0]
        posting_id = request.path_params["posting_id"]
        scenarios = sandbox.scenarios(posting_id)
        if scenarios & {"closed", "login"}:
            return _gone(tenant)
        async with request.form() as form:
            errors = _missing(sandbox, form, scenarios)
            if "captcha" in scenarios and not answered(form, "g-recaptcha-response"):
                errors.insert(0, "Please verify that you are not a robot.")
            if errors:
                return _posting_page(
                    sandbox, request, tenant, posting_id, request.url.path, errors=errors
                )
            await sandbox.record(
                ats=ATS,
                tenant=tenant,
                posting_id=posting_id,
                form=form,
                email=str(form.get("resumator-email-value") or ""),
            )
        if "slow" in scenarios:
            await asyncio.sleep(sandbox.slow_seconds)
        return RedirectResponse(f"{request.url.path.rstrip('/')}/thanks", 303)

    async def thanks(request: Request) -> Response:
        tenant = str(request.path_params["host"]).split(".", 1)[0]
        body = (
            f'<!doctype html><html><head><meta charset="utf-8"><title>{e(tenant)} - Thank you'
            '</title></head><body><div id="resumator-content"><h1>Thank you for applying!</h1>'
            "<p>Your application has been submitted. We will be in touch.</p></div></body></html>"
        )
        return HTMLResponse(body)

    routes: list[BaseRoute] = [
        Route("/apply/{posting_id}", short_link, methods=["GET"]),
        Route("/apply/{posting_id}/{slug}", posting, methods=["GET"]),
        Route("/apply/{posting_id}/{slug}", submit, methods=["POST"]),
        Route("/apply/{posting_id}/{slug}/thanks", thanks, methods=["GET"]),
    ]
    return Site(ats=ATS, host_patterns={HOST_PATTERN: routes})

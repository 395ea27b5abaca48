"""What the browser submitter needs to know about one ATS's hosted form, as data.

The submitter itself is generic: it finds the rendered fields, matches them to the answers,
and watches for walls and confirmations. A `SiteProfile` says where the form lives, which
buttons open, advance and send it, and how the ATS says "received", "closed" or "wrong".
Adding an ATS is one profile here (and one sandbox module for its tests).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# Inputs an emailed verification code goes into, on every ATS measured so far.
EMAIL_CODE_SELECTORS = (
    'input[autocomplete="one-time-code"]',
    'input[name*="security_code" i]',
    'input[id*="security_code" i]',
    'input[id^="security-input" i]',
    'input[name*="verification_code" i]',
    'input[id*="verification-code" i]',
)
ERROR_SELECTORS = (
    ".helper-text--error",
    ".error-message",
    ".field-error",
    '[role="alert"]',
)
SUBMIT_SELECTORS = (
    'button[type="submit"]:has-text("Submit")',
    'input[type="submit"]',
)


@dataclass(frozen=True)
class SiteProfile:
    """One ATS's hosted application form, described for the generic browser submitter."""

    ats: str
    # The page holding the form, from the posting's apply URL as the ATS published it.
    form_url: Callable[[str], str]
    # The form's root; fields outside it (search boxes, newsletter sign-ups) are ignored.
    form_selector: str
    # The final submit button; the first visible match is clicked.
    submit_selectors: tuple[str, ...] = SUBMIT_SELECTORS
    # Buttons that reveal the form ("Apply for this job"); clicked when visible.
    open_form_selectors: tuple[str, ...] = ()
    # Buttons that advance a multi-step form; clicked until a submit button shows.
    next_selectors: tuple[str, ...] = ()
    # The confirmation: the URL after sending (searched) or the text shown (searched, any case).
    confirmation_url: str | None = None
    confirmation_text: str | None = None
    # Text of a page saying the posting no longer takes applications.
    closed_text: str | None = None
    # CSS selectors (checked inside the page, only where rendered): validation messages after
    # a submit, the email-code box, and sign-in walls. Button selectors above and below are
    # Playwright selectors (`:has-text(...)` allowed).
    error_selectors: tuple[str, ...] = ERROR_SELECTORS
    email_code_selectors: tuple[str, ...] = EMAIL_CODE_SELECTORS
    # Elements that mean a sign-in wall beyond a visible password box (an ATS's "Sign In").
    login_selectors: tuple[str, ...] = ()
    # A button to click to type the cover letter instead of uploading it ("Enter manually").
    cover_letter_text_reveal: str | None = None

    def __post_init__(self) -> None:
        for pattern in (self.confirmation_url, self.confirmation_text, self.closed_text):
            if pattern is not None:
                re.compile(pattern)


def _greenhouse_form_url(apply_url: str) -> str:
    """The new hosted form (`job-boards`) for legacy, embedded and new Greenhouse URLs."""
    parts = urlsplit(apply_url)
    host = parts.netloc.lower()
    eu = ".eu." in host
    target = "job-boards.eu.greenhouse.io" if eu else "job-boards.greenhouse.io"
    segments = [s for s in parts.path.split("/") if s]
    if segments[:2] == ["embed", "job_app"]:
        query = parse_qs(parts.query)
        board, token = query.get("for", [""])[0], query.get("token", [""])[0]
        if board and token:
            return f"https://{target}/{board}/jobs/{token}"
        return apply_url
    if host in {"boards.greenhouse.io", "boards.eu.greenhouse.io"} and len(segments) >= 3:
        return f"https://{target}/{'/'.join(segments[:3])}"
    return apply_url


GREENHOUSE = SiteProfile(
    ats="greenhouse",
    form_url=_greenhouse_form_url,
    form_selector="#application-form, #application_form",
    submit_selectors=(
        '#application-form button[type="submit"]',
        "#application_form #submit_app",
    ),
    confirmation_url=r"/confirmation(?:[/?#]|$)",
    confirmation_text=r"thank you for applying|your application has been (?:received|submitted)",
    closed_text=r"no longer (?:open|accepting applications)",
    cover_letter_text_reveal=(
        '.field-wrapper:has(#cover_letter) button:has-text("Enter manually")'
    ),
)


def _ashby_form_url(apply_url: str) -> str:
    """The application tab (`/{org}/{id}/application`) of an Ashby posting or apply URL."""
    parts = urlsplit(apply_url)
    segments = [s for s in parts.path.split("/") if s]
    if parts.netloc.lower() != "jobs.ashbyhq.com" or len(segments) < 2:
        return apply_url
    return f"https://jobs.ashbyhq.com/{segments[0]}/{segments[1]}/application"


ASHBY = SiteProfile(
    ats="ashby",
    form_url=_ashby_form_url,
    form_selector="#ashby-application-form, .ashby-application-form-container form",
    submit_selectors=(
        "button.ashby-application-form-submit-button",
        'button[type="submit"]:has-text("Submit Application")',
    ),
    confirmation_text=r"application (?:was |has been )?submitted|thanks? (?:you )?for applying",
    closed_text=r"job not found|no longer (?:open|accepting applications)",
)


def _paylocity_form_url(apply_url: str) -> str:
    """The wizard (`/Recruiting/Jobs/Apply/{id}`) for a job's Details or Apply URL."""
    parts = urlsplit(apply_url)
    found = re.match(r"^/recruiting/jobs/(?:details|apply)/(\d+)/?$", parts.path, re.I)
    if parts.netloc.lower() != "recruiting.paylocity.com" or found is None:
        return apply_url
    return f"https://recruiting.paylocity.com/Recruiting/Jobs/Apply/{found[1]}"


PAYLOCITY = SiteProfile(
    ats="paylocity",
    form_url=_paylocity_form_url,
    # The wizard's form, known by Paylocity's `info.<name>` box ids (NOTES.md §12).
    form_selector='form:has([id^="info."])',
    next_selectors=('button:has-text("Next Step")',),
    # The confirmation is unmeasured; these are the words any "received" page says.
    confirmation_text=(
        r"thank you for (?:applying|your application)"
        r"|application (?:has been )?(?:submitted|received)"
    ),
    closed_text=r"no longer (?:available|open|accepting applications)",
)


# Workday, iCIMS and Taleo apply behind a candidate account: their profiles find the wall on
# the apply entry page and park there (needs_user_input, login_required) before typing anything.
def _workday_form_url(apply_url: str) -> str:
    """The posting's `/apply` start page (Apply Manually / Autofill / Sign In)."""
    parts = urlsplit(apply_url)
    path = parts.path.rstrip("/")
    if "/job/" not in path or path.endswith("/apply"):
        return apply_url
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{path}/apply{query}"


WORKDAY = SiteProfile(
    ats="workday",
    form_url=_workday_form_url,
    # The wizard behind the sign-in (never reached without an account).
    form_selector='[data-automation-id="applyFlowPage"]',
    submit_selectors=('[data-automation-id="bottom-navigation-next-button"]:has-text("Submit")',),
    next_selectors=('[data-automation-id="bottom-navigation-next-button"]',),
    closed_text=r"page you are looking for doesn.t exist",
    login_selectors=(
        '[data-automation-id="utilityButtonSignIn"]',
        '[data-automation-id="applyManually"]',
        '[data-automation-id="autofillWithResume"]',
        '[data-automation-id="signInLink"]',
        '[data-automation-id="createAccountLink"]',
    ),
)


def _icims_form_url(apply_url: str) -> str:
    """The candidate login (`/jobs/{id}/{slug}/login`) of a posting or apply URL."""
    parts = urlsplit(apply_url)
    found = re.match(r"^/jobs/(\d+)(/[^/]+)?/(?:job|login|candidate)\b", parts.path)
    if not parts.netloc.lower().endswith(".icims.com") or found is None:
        return apply_url
    return f"https://{parts.netloc}/jobs/{found[1]}{found[2] or ''}/login"


ICIMS = SiteProfile(
    ats="icims",
    form_url=_icims_form_url,
    # The profile/questionnaire steps after the login are unmeasured (never reached).
    form_selector="form#iCIMS_ProfileForm",
    closed_text=r"does not exist or is no longer open",
    # The start box asks for the candidate's email (then a password or a new account).
    login_selectors=('input[name="css_loginName"]', "#enterEmailSubmitButton"),
)


def _taleo_form_url(apply_url: str) -> str:
    """Enterprise `jobapply.ftl` for a `jobdetail.ftl` URL (same query)."""
    parts = urlsplit(apply_url)
    if "/careersection/" not in parts.path or not parts.path.endswith("/jobdetail.ftl"):
        return apply_url
    path = parts.path.removesuffix("/jobdetail.ftl") + "/jobapply.ftl"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{path}{query}"


TALEO = SiteProfile(
    ats="taleo",
    form_url=_taleo_form_url,
    # The application's pages after the sign-in are unmeasured (never reached).
    form_selector='form[id$="editForm"]',
    closed_text=r"no longer (?:available|open|accepting applications)",
    login_selectors=(
        "#dialogTemplate-dialogForm-login-name1",
        '[id$="StatementBeforeAuthentificationContent-ContinueButton"]',
    ),
)


def _workable_form_url(apply_url: str) -> str:
    """The `/apply/` page of a Workable job, short (`/j/{CODE}`), account or legacy URL."""
    parts = urlsplit(apply_url)
    host = parts.netloc.lower()
    segments = [s for s in parts.path.split("/") if s]
    if host == "apply.workable.com":
        prefix = segments[: segments.index("j")] if "j" in segments else None
    elif host.endswith(".workable.com"):
        prefix = [host.removesuffix(".workable.com")]
    else:
        return apply_url
    if prefix is None or "j" not in segments or segments.index("j") + 1 >= len(segments):
        return apply_url
    code = segments[segments.index("j") + 1]
    return f"https://apply.workable.com/{'/'.join([*prefix, 'j', code])}/apply/"


WORKABLE = SiteProfile(
    ats="workable",
    form_url=_workable_form_url,
    form_selector='form[data-ui="application-form"]',
    submit_selectors=(
        'button[data-ui="submit-application"]',
        'button[type="submit"]:has-text("Submit application")',
    ),
    confirmation_text=r"application (?:has been )?submitted|thank you for applying",
    closed_text=r"job is no longer available|no longer accepting applications",
)


def _lever_form_url(apply_url: str) -> str:
    """The apply page (`…/{site}/{id}/apply`) of a Lever posting or apply URL."""
    parts = urlsplit(apply_url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 2:
        return f"{parts.scheme}://{parts.netloc}/{segments[0]}/{segments[1]}/apply"
    return apply_url


LEVER = SiteProfile(
    ats="lever",
    form_url=_lever_form_url,
    form_selector="#application-form",
    submit_selectors=('#application-form [data-qa="btn-submit"]', "#application-form #btn-submit"),
    confirmation_url=r"/thanks(?:[/?#]|$)",
    confirmation_text=r"application submitted|thank you for applying",
    closed_text=r"couldn.t find anything here|posting you.re looking for might have closed",
)


def _jazzhr_form_url(apply_url: str) -> str:
    """The posting page holding the form (`/apply/{id}`) of any JazzHR posting URL."""
    parts = urlsplit(apply_url)
    segments = [s for s in parts.path.split("/") if s]
    if segments[:3] == ["apply", "jobs", "details"] and len(segments) > 3:
        return f"{parts.scheme}://{parts.netloc}/apply/{segments[3]}"
    return apply_url


JAZZHR = SiteProfile(
    ats="jazzhr",
    form_url=_jazzhr_form_url,
    form_selector="#form_submit_new_resume",
    # A link, not a button: JazzHR's script posts the form.
    submit_selectors=("#resumator-submit-resume",),
    confirmation_text=r"thank you for applying|application has been (?:submitted|received)",
    closed_text=r"position is no longer available|put on hold at this time",
    error_selectors=(*ERROR_SELECTORS, ".resumator_label_error", ".dv_error"),
)


def _breezy_form_url(apply_url: str) -> str:
    """The apply page (`/p/{id}-{slug}/apply`) of a Breezy position or apply URL."""
    parts = urlsplit(apply_url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 2 and segments[0] == "p":
        return f"{parts.scheme}://{parts.netloc}/p/{segments[1]}/apply"
    return apply_url


BREEZY = SiteProfile(
    ats="breezy",
    form_url=_breezy_form_url,
    form_selector="form.application-form",
    submit_selectors=('form.application-form button:has-text("Submit Application")',),
    next_selectors=('form.application-form button:has-text("Next")',),
    confirmation_text=r"application (?:has been )?submitted|thanks for applying",
    closed_text=r"position closed|no longer accepting candidates",
    email_code_selectors=(*EMAIL_CODE_SELECTORS, 'input[name="verification_code"]'),
)


def _teamtailor_form_url(apply_url: str) -> str:
    """The form page (`/jobs/{id}-{slug}/applications/new`) of a Teamtailor job URL."""
    parts = urlsplit(apply_url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 2 and segments[0] == "jobs":
        return f"{parts.scheme}://{parts.netloc}/jobs/{segments[1]}/applications/new"
    return apply_url


TEAMTAILOR = SiteProfile(
    ats="teamtailor",
    form_url=_teamtailor_form_url,
    form_selector="form#new_candidate",
    submit_selectors=('form#new_candidate button[type="submit"]',),
    confirmation_text=r"thank you for (?:applying|your application)|application has been sent",
    closed_text=r"no longer (?:available|accepting applications|open)",
)


def _bamboohr_form_url(apply_url: str) -> str:
    """The job page (`{co}.bamboohr.com/careers/{id}`) whose form "Apply for This Job" opens."""
    parts = urlsplit(apply_url)
    segments = [s for s in parts.path.split("/") if s]
    host = parts.netloc.lower()
    if not host.endswith(".bamboohr.com") or segments[:1] != ["careers"] or len(segments) < 2:
        return apply_url
    return f"https://{host}/careers/{segments[1]}"


BAMBOOHR = SiteProfile(
    ats="bamboohr",
    form_url=_bamboohr_form_url,
    form_selector="form#applicationForm",
    open_form_selectors=('button:has-text("Apply for This Job")',),
    submit_selectors=(
        '#applicationForm button[type="submit"]',
        'button:has-text("Submit Application")',
    ),
    confirmation_text=r"application submitted|thanks? (?:you )?for applying",
    closed_text=r"no longer available|no longer accepting applications",
)


def _smartrecruiters_form_url(apply_url: str) -> str:
    """A posting page with `oga=true` (it opens the one-click form), or the form itself."""
    parts = urlsplit(apply_url)
    host = parts.netloc.lower()
    segments = [s for s in parts.path.split("/") if s]
    if host not in {"jobs.smartrecruiters.com", "careers.smartrecruiters.com"}:
        return apply_url
    if len(segments) != 2 or segments[0] == "oneclick-ui" or "oga=" in parts.query:
        return apply_url
    return f"https://jobs.smartrecruiters.com/{segments[0]}/{segments[1]}?oga=true"


SMARTRECRUITERS = SiteProfile(
    ats="smartrecruiters",
    form_url=_smartrecruiters_form_url,
    form_selector="oc-oneclick-form form, form#oneclick-form",
    open_form_selectors=('a:has-text("I\'m interested")', 'button:has-text("I\'m interested")'),
    next_selectors=('button:has-text("Next")',),
    submit_selectors=('oc-oneclick-form button[type="submit"]:has-text("Submit")',),
    confirmation_text=r"thank you for applying|application has been (?:sent|submitted|received)",
    closed_text=r"job is no longer available|job has expired",
)

# Lever, Ashby, Workable, ... follow with their sandbox modules (see jobpilot.sandbox).
PROFILES: dict[str, SiteProfile] = {
    p.ats: p
    for p in (
        GREENHOUSE,
        PAYLOCITY,
        WORKDAY,
        ICIMS,
        TALEO,
        ASHBY,
        WORKABLE,
        BAMBOOHR,
        SMARTRECRUITERS,
        LEVER,
        JAZZHR,
        BREEZY,
        TEAMTAILOR,
    )
}


def profile_for(ats: str) -> SiteProfile | None:
    """The profile of `ats`, or None when its hosted form is not supported yet."""
    return PROFILES.get(ats)

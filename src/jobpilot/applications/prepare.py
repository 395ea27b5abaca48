"""Filling an application form from what the user stored, field by field, before anything is
sent: contact details from the profile, the exact resume version, the cover letter, and
screening answers from the ai service (facts only for years, pay, notice, authorization and
EEO). Whatever the stored facts do not answer is left for the user, with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import pycountry

from jobpilot.jobs.public import FormQuestion

FieldStatus = Literal["filled", "needs_user_input", "skipped"]
# Contact fields, read from the form field's key or label.
_CONTACT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("first_name", re.compile(r"^(?:legal\s+)?first[\s_-]*name|^given[\s_-]*name", re.I)),
    ("last_name", re.compile(r"^(?:legal\s+)?(?:last[\s_-]*name|surname|family[\s_-]*name)", re.I)),
    ("name", re.compile(r"^(?:full[\s_-]*|legal[\s_-]*)?name$", re.I)),
    # "Email", "Email address *", "Confirm your e-mail" — not "Email me job alerts?".
    ("email", re.compile(
        r"^(?:confirm(?:ation)?[\s_-]*(?:your[\s_-]*)?)?e-?mail(?:[\s_-]*address)?"
        r"\s*(?:\(.*\))?\s*\*?$", re.I,
    )),
    ("phone", re.compile(r"^(?:phone|mobile|telephone)", re.I)),
    ("linkedin", re.compile(r"linkedin", re.I)),
    ("github", re.compile(r"github", re.I)),
    ("portfolio", re.compile(r"^(?:website|portfolio|personal[\s_-]*(?:site|website))", re.I)),
    ("city", re.compile(r"^(?:city|location(?:\s*\(city\))?|current[\s_-]*location)$", re.I)),
    ("country", re.compile(r"^country(?:[\s_-]*(?:id|of[\s_-]*residence))?\s*\*?$", re.I)),
)  # fmt: skip
_RESUME = re.compile(r"resume|r[ée]sum[ée]|\bcv\b", re.I)
_COVER = re.compile(r"cover[\s_-]*letter", re.I)


@dataclass(frozen=True)
class PreparedField:
    """One field of the form with the value that would be sent, where it comes from, or why
    the user must fill it."""

    key: str
    label: str
    type: str
    required: bool
    options: tuple[str, ...]
    value: str | list[str] | None
    source: str | None
    status: FieldStatus
    reason: str | None = None


@dataclass(frozen=True)
class Attachments:
    """What the application sends besides answers."""

    resume: str | None  # "resume:<id>:v<number>", the exact version
    cover_letter: str | None


def field_kind(question: FormQuestion) -> str:
    """What a field asks for: a contact detail, the resume, the cover letter, or a question."""
    for text in (question.key, question.label):
        for kind, pattern in _CONTACT:
            if pattern.search(text.strip()):
                return kind
    text = f"{question.key} {question.label}"
    if _COVER.search(text):
        return "cover_letter"
    if _RESUME.search(text) and (question.type == "file" or "text" in question.key):
        return "resume"
    return "question"


def contact_value(kind: str, profile: dict[str, Any]) -> str | None:
    """A contact detail from the profile."""
    name = str(profile.get("name") or "").strip()
    parts = name.split()
    contact = profile.get("contact") or {}
    links = profile.get("links") or {}
    location = profile.get("location") or {}
    values: dict[str, Any] = {
        "first_name": parts[0] if parts else None,
        "last_name": " ".join(parts[1:]) if len(parts) > 1 else None,
        "name": name or None,
        "email": contact.get("email"),
        "phone": contact.get("phone"),
        "linkedin": links.get("linkedin"),
        "github": links.get("github"),
        "portfolio": links.get("portfolio"),
        "city": location.get("city"),
        "country": _country_name(location.get("country_code")),
    }
    value = values.get(kind)
    return str(value) if value else None


def _country_name(code: Any) -> str | None:
    """The country's common English name (what country lists show) from its ISO code."""
    if not isinstance(code, str) or not code:
        return None
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


def attachment_field(question: FormQuestion, kind: str, attached: Attachments) -> PreparedField:
    """The resume or cover letter field: a file the application carries, or its text."""
    if kind == "resume":
        if question.type != "file":
            # The pasted-text twin of the upload: the file already says it.
            return _field(question, value=None, source=None, status="skipped")
        if attached.resume is None:
            return _missing(question, "Choose the resume version this application sends.")
        return _field(question, value=attached.resume, source="resume", status="filled")
    if attached.cover_letter is None:
        if question.required:
            return _missing(question, "This form requires a cover letter.")
        return _field(question, value=None, source=None, status="skipped")
    value = "cover_letter.pdf" if question.type == "file" else attached.cover_letter
    return _field(question, value=value, source="cover_letter", status="filled")


def _field(
    question: FormQuestion,
    *,
    value: str | list[str] | None,
    source: str | None,
    status: FieldStatus,
    reason: str | None = None,
) -> PreparedField:
    return PreparedField(
        key=question.key,
        label=question.label,
        type=question.type,
        required=question.required,
        options=question.options,
        value=value,
        source=source,
        status=status,
        reason=reason,
    )


def _missing(question: FormQuestion, reason: str) -> PreparedField:
    return _field(question, value=None, source=None, status="needs_user_input", reason=reason)


def contact_field(question: FormQuestion, kind: str, profile: dict[str, Any]) -> PreparedField:
    """A contact field from the profile (or, when it is not there, the user's to fill)."""
    value = contact_value(kind, profile)
    if value is not None and question.options:
        # A choice (a country list): the form's own spelling, or the user's to pick.
        wanted = value.casefold()
        value = next((o for o in question.options if o.strip().casefold() == wanted), None)
    if value is None:
        if not question.required:
            return _field(question, value=None, source=None, status="skipped")
        return _missing(question, f"Your {kind.replace('_', ' ')} is not in your profile.")
    return _field(question, value=value, source=f"profile.{kind}", status="filled")


def answered_field(
    question: FormQuestion,
    answer: str | None,
    source: str | None,
    reason: str | None,
) -> PreparedField:
    """A screening question with the ai service's answer (multi-selects take a list)."""
    if answer is None:
        if not question.required and question.type in {"select", "multi_select", "checkbox"}:
            return _field(question, value=None, source=None, status="skipped", reason=reason)
        return _missing(question, reason or "No stored answer fits this question.")
    value: str | list[str] = [answer] if question.type == "multi_select" else answer
    return _field(question, value=value, source=source, status="filled")


# ATSs whose application form sits behind a candidate account: autopilot never sends to them
# on its own (the user signs in and finishes, or approves in review).
ACCOUNT_WALL_ATS: frozenset[str] = frozenset({"workday", "icims", "taleo"})
# Longest value a user may type into one field.
MAX_VALUE_CHARS = 20_000


def edited_field(field: dict[str, Any], value: str | list[str] | None) -> dict[str, Any]:
    """A prepared field (as stored) with the user's value: `filled` from source `user`, or
    cleared when `value` is null or empty. ValueError says why the value does not fit."""
    kind, options = field.get("type"), list(field.get("options") or [])
    if kind == "file":
        msg = "files are not typed in: the resume version and cover letter are attached"
        raise ValueError(msg)
    if not value:
        status = "needs_user_input" if field.get("required") else "skipped"
        reason = "Required: fill it before approving." if field.get("required") else None
        return {**field, "value": None, "source": None, "status": status, "reason": reason}
    if kind == "multi_select":
        values = [value] if isinstance(value, str) else value
        wrong = [v for v in values if options and v not in options]
        if wrong:
            msg = f"not among the options: {', '.join(wrong)} (choose from {options})"
            raise ValueError(msg)
        chosen: str | list[str] = list(dict.fromkeys(values))
    else:
        if not isinstance(value, str):
            msg = "one value is expected (a list only for multi-select fields)"
            raise ValueError(msg)
        if options and value not in options:
            msg = f"{value!r} is not among the options {options}"
            raise ValueError(msg)
        if len(value) > MAX_VALUE_CHARS:
            msg = f"at most {MAX_VALUE_CHARS} characters"
            raise ValueError(msg)
        chosen = value
    return {**field, "value": chosen, "source": "user", "status": "filled", "reason": None}

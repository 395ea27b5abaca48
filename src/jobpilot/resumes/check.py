"""The ATS check: what in a resume makes applicant-tracking software misread it, and how to fix
it. Each finding costs points from 100; the score and every finding with its fix are returned.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from jobpilot.resumes.schema import Resume

Severity = Literal["error", "warning", "info"]
MAX_BULLET_CHARS = 250
_COST = {"error": 15, "warning": 6, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem: where, how bad, and what to do."""

    code: str
    severity: Severity
    path: str
    message: str
    fix: str


def _contact(resume: Resume) -> list[Finding]:
    basics = resume.basics
    found = []
    if not basics.name:
        found.append(
            Finding(
                "missing_name",
                "error",
                "basics.name",
                "The resume has no name.",
                "Put your full name at the top.",
            )
        )
    if not basics.email:
        found.append(
            Finding(
                "missing_email",
                "error",
                "basics.email",
                "There is no email address.",
                "Add an email address an employer can reach you at.",
            )
        )
    if not basics.phone:
        found.append(
            Finding(
                "missing_phone",
                "warning",
                "basics.phone",
                "There is no phone number.",
                "Add a phone number with its country code.",
            )
        )
    location = basics.location
    if location is None or not (location.city or location.countryCode or location.region):
        found.append(
            Finding(
                "missing_location",
                "warning",
                "basics.location",
                "There is no location; many ATSs filter candidates by it.",
                "Add at least your city and country.",
            )
        )
    if basics.image:
        found.append(
            Finding(
                "photo",
                "info",
                "basics.image",
                "A photo is ignored by ATSs and unwelcome in some countries.",
                "Leave the photo out unless the country expects one.",
            )
        )
    return found


def _work(resume: Resume) -> list[Finding]:
    found = []
    if not resume.work:
        found.append(
            Finding(
                "no_experience",
                "warning",
                "work",
                "There is no work experience section.",
                "Add your jobs (or internships, projects) with dates.",
            )
        )
    for i, job in enumerate(resume.work):
        where = f"work[{i}]"
        if not job.name or not job.position:
            found.append(
                Finding(
                    "work_unnamed",
                    "error",
                    where,
                    "A job lacks its company or its position.",
                    "Give every job both the employer's name and your title.",
                )
            )
        if not job.startDate:
            found.append(
                Finding(
                    "work_no_dates",
                    "error",
                    f"{where}.startDate",
                    f"{job.position or 'A job'} at {job.name or '?'} has no start date.",
                    'Add dates as month and year ("2021-03"); ATSs compute experience from them.',
                )
            )
        if not job.highlights and not job.summary:
            found.append(
                Finding(
                    "work_no_detail",
                    "info",
                    where,
                    f"{job.position or 'A job'} has no description or bullets.",
                    "Add two to five bullets with what you did and its results.",
                )
            )
        for j, bullet in enumerate(job.highlights):
            if len(bullet) > MAX_BULLET_CHARS:
                found.append(
                    Finding(
                        "long_bullet",
                        "warning",
                        f"{where}.highlights[{j}]",
                        f"A bullet is {len(bullet)} characters long.",
                        f"Keep bullets under {MAX_BULLET_CHARS} characters: split or trim.",
                    )
                )
    return found


def _other(resume: Resume, template_layout: str, parse_warnings: list[str]) -> list[Finding]:
    found = []
    if not resume.education:
        found.append(
            Finding(
                "no_education",
                "info",
                "education",
                "There is no education section.",
                "Add your highest degree or relevant training.",
            )
        )
    if not resume.skills:
        found.append(
            Finding(
                "no_skills",
                "warning",
                "skills",
                "There is no skills section.",
                "List your skills with the names job postings use.",
            )
        )
    if template_layout == "two-column":
        found.append(
            Finding(
                "two_columns",
                "warning",
                "template",
                "Two-column layouts are read out of order by some ATSs.",
                "Export with the single-column 'classic' template for ATS uploads.",
            )
        )
    for warning in parse_warnings:
        found.append(
            Finding(
                "import_warning",
                "warning",
                "import",
                f"When the file was read: {warning}.",
                "Check that part of the resume and use standard section headings "
                "(Experience, Education, Skills).",
            )
        )
    return found


def ats_check(
    resume: Resume, *, template_layout: str = "single", parse_warnings: list[str] | None = None
) -> dict[str, Any]:
    """The score (0 to 100) and the findings, worst first."""
    findings = [
        *_contact(resume),
        *_work(resume),
        *_other(resume, template_layout, parse_warnings or []),
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order[f.severity])
    score = max(0, 100 - sum(_COST[f.severity] for f in findings))
    return {"score": score, "findings": [asdict(f) for f in findings]}

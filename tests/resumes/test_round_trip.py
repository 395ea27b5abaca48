"""Round trip: every built-in template's PDF, and the DOCX export, read back by JobPilot's own
parser give the same fields as the resume that was exported."""

from __future__ import annotations

import pytest

from jobpilot.resumes import render
from jobpilot.resumes.parsing import parse_resume
from jobpilot.resumes.schema import Resume


def fields(resume: Resume) -> dict[str, object]:
    """What must survive an export and an import."""
    skills = sorted(
        {k.lower() for s in resume.skills for k in (s.keywords or ([s.name] if s.name else []))}
    )
    return {
        "name": resume.basics.name,
        "email": resume.basics.email,
        "phone": "".join(c for c in resume.basics.phone or "" if c.isdigit()),
        "work": [(w.name, w.position, w.startDate, w.endDate) for w in resume.work],
        "education": [e.institution for e in resume.education],
        "skills": skills,
    }


@pytest.fixture(scope="module")
def original() -> Resume:
    return render.sample_resume()


@pytest.mark.parametrize("key", sorted(render.builtin_templates()))
def test_each_template_pdf_reads_back_the_same(original: Resume, key: str) -> None:
    pdf = render.export_pdf(original, render.builtin_templates()[key])
    parsed = parse_resume(pdf, "pdf")
    assert fields(parsed.resume) == fields(original)


def test_the_docx_reads_back_the_same(original: Resume) -> None:
    parsed = parse_resume(render.export_docx(original), "docx")
    assert fields(parsed.resume) == fields(original)

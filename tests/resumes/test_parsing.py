# ruff: noqa: RUF001 - resumes write dashes, bullets and accents as such
"""The resume parser: real samples against their ground truth, the date parser, headings, DOCX."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import docx
import pytest
from pypdf import PdfWriter

from jobpilot.kit.errors import ValidationFailed
from jobpilot.resumes.parsing import ParsedResume, parse_resume
from jobpilot.resumes.parsing.errors import EncryptedPdf, NoText, ResumeUnreadable
from jobpilot.resumes.parsing.extract import Line, clean_text
from jobpilot.resumes.parsing.fields import doubtful_dates, find_date_range, parse_date
from jobpilot.resumes.parsing.sections import heading_key, known_heading
from support import require_shared

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_resume_parse.py"


def _truths() -> ModuleType:
    """The ground truth and comparison helpers the benchmark uses (one source for both)."""
    spec = importlib.util.spec_from_file_location("bench_resume_parse", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


truth = _truths()
SAMPLES = (
    sorted(truth.samples().keys()) if truth.ROOT.exists() else ["open-resume/openresume-resume.pdf"]
)
TWO_COLUMN = {
    "reactive-resume/azurill.pdf",
    "reactive-resume/ditto.pdf",
    "reactive-resume/pikachu.pdf",
}


def _parse(key: str) -> ParsedResume:
    path = require_shared("fixtures", "resumes", *key.split("/"))
    return parse_resume(path.read_bytes(), "pdf" if path.suffix == ".pdf" else "docx")


# --- real samples -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", SAMPLES)
def test_sample_contact_details(key: str) -> None:
    parsed = _parse(key)
    expected = truth.samples()[key]
    basics = parsed.resume.basics

    assert truth.same(expected.name, basics.name), basics.name
    assert truth.norm(basics.email) == truth.norm(expected.email)
    assert parsed.confidence["basics.email"] >= 0.9
    if expected.phone:
        assert truth.same_phone(expected.phone, basics.phone), basics.phone
    assert parsed.raw_text
    assert parsed.layout == ("two-column" if key in TWO_COLUMN else "single")


@pytest.mark.parametrize("key", SAMPLES)
def test_sample_positions(key: str) -> None:
    parsed = _parse(key)
    expected = truth.samples()[key]
    resume = parsed.resume
    jobs = [(w.name, w.position, w.startDate, w.endDate) for w in resume.work]
    jobs += [(v.organization, v.position, v.startDate, v.endDate) for v in resume.volunteer]

    assert len(jobs) == len(expected.work)
    for want, got in zip(expected.work, jobs, strict=True):
        assert truth.same(want.company, got[0]), (want, got)
        assert truth.same(want.position, got[1]), (want, got)
        assert truth.same_date(want.start, got[2]), (want, got)
        assert truth.same_date(want.end, got[3]), (want, got)
    for i in range(len(resume.work)):
        assert 0 < parsed.confidence[f"work[{i}].name"] <= 1


@pytest.mark.parametrize("key", SAMPLES)
def test_sample_education(key: str) -> None:
    parsed = _parse(key)
    expected = truth.samples()[key]
    education = parsed.resume.education

    for school, degree in expected.schools:
        found = [e for e in education if truth.same(school, e.institution)]
        assert found, (school, [e.institution for e in education])
        assert truth.covers(degree, f"{found[0].studyType or ''} {found[0].area or ''}"), found[0]


@pytest.mark.parametrize("key", SAMPLES)
def test_sample_skills(key: str) -> None:
    parsed = _parse(key)
    expected = truth.samples()[key]
    names = {truth.norm(s.name) for s in parsed.resume.skills if s.name}
    names |= {truth.norm(k) for s in parsed.resume.skills for k in s.keywords}

    missing = [s for s in expected.skills if not truth.skill_found(s, names)]
    assert not missing


def test_sidebar_is_read_as_its_own_column() -> None:
    parsed = _parse("reactive-resume/ditto.pdf")
    resume = parsed.resume

    assert [s.name for s in resume.skills] == ["Web Technologies", "Web Frameworks", "Tools"]
    assert resume.skills[0].level == "Advanced"
    assert resume.skills[2].keywords == ["Webpack", "Git", "Jenkins", "Docker", "JIRA"]
    assert [(c.name, c.issuer, c.date) for c in resume.certificates] == [
        ("Full-Stack Web Development", "CodeAcademy", "2020"),
        ("AWS Certified Developer", "Amazon Web Services", "2019"),
    ]
    assert [(lang.language, lang.fluency) for lang in resume.languages] == [
        ("English", "Native Speaker"),
        ("Spanish", "Intermediate"),
    ]
    assert {p.network for p in resume.basics.profiles} == {"LinkedIn", "GitHub", "StackOverflow"}
    assert resume.basics.label == "Creative and Innovative Web Developer"


def test_right_aligned_dates_and_grouped_skills() -> None:
    resume = _parse("rendercv/John_Doe_ClassicTheme_CV.pdf").resume

    assert resume.work[0].location == "San Francisco, CA"
    assert resume.work[0].highlights[0].startswith("Built foundation model infrastructure")
    assert resume.work[0].highlights[0].endswith("99.97% uptime")
    assert resume.skills[0].name == "Languages"
    assert resume.skills[0].keywords == ["Python", "C++", "CUDA", "Rust", "Julia"]
    assert resume.basics.url == "https://rendercv.com"
    assert resume.basics.location is not None
    assert resume.basics.location.city == "San Francisco"


def test_openresume_details() -> None:
    resume = _parse("open-resume/openresume-resume.pdf").resume

    assert resume.education[0].score == "3.8"
    assert resume.education[0].studyType == "Bachelor of Science"
    assert resume.education[0].area == "Computer Science"
    assert "fixed 5 bugs" in resume.work[1].highlights[2]
    assert resume.projects[0].name == "OpenResume"
    assert resume.projects[0].startDate == "2023-03"
    assert resume.basics.profiles[0].url == "https://linkedin.com/in/john-doe"


def test_ligatures_lost_by_the_font_are_put_back() -> None:
    parsed = _parse("reactive-resume/azurill.pdf")

    assert "Profiles" in parsed.raw_text
    assert "Certifications" in parsed.raw_text
    assert "\x00" not in parsed.raw_text


@pytest.mark.xfail(
    strict=True,
    reason="moderncv draws 'ğ' as a separate glyph, so the word arrives split",
)
def test_moderncv_accented_institution() -> None:
    resume = _parse("rendercv/John_Doe_ModerncvTheme_CV.pdf").resume

    assert resume.education[1].institution == "Boğaziçi University"


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Jan 2020", "2020-01"),
        ("January 2020", "2020-01"),
        ("Sept. 2018", "2018-09"),
        ("Oct. 2021", "2021-10"),
        ("2019-03", "2019-03"),
        ("2019/03", "2019-03"),
        ("03/2019", "2019-03"),
        ("3/2019", "2019-03"),
        ("2019", "2019"),
        ("2019-03-15", "2019-03-15"),
        ("15/03/2019", "2019-03-15"),
        ("Summer 2019", "2019-06"),
        ("Fall 2013", "2013-09"),
        ("March 5, 2021", "2021-03-05"),
        ("Mai 2020", "2020-05"),
        ("enero 2018", "2018-01"),
        ("März 2017", "2017-03"),
        ("Present", None),
        ("Spring-ish 2020", None),
        ("13/2019", None),
        ("", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "start", "end", "present"),
    [
        ("Jan 2020 – Present", "2020-01", None, True),
        ("January 2020 - Mar 2021", "2020-01", "2021-03", False),
        ("2019 – 2021", "2019", "2021", False),
        ("03/2019 - 12/2020", "2019-03", "2020-12", False),
        ("Oct. 2021 – Current", "2021-10", None, True),
        ("June 2016 to December 2018", "2016-06", "2018-12", False),
        ("Acme Corp, Berlin  Summer 2019", "2019-06", None, False),
        ("Sept 2018 — May 2023", "2018-09", "2023-05", False),
        ("2017 – Present Product Manager, Google", "2017", None, True),
        ("Expected Graduation: June 2016", "2016-06", None, False),
        ("2019.03 - now", "2019-03", None, True),
        ("seit 2020 - heute", "2020", None, True),
    ],
)
def test_find_date_range(text: str, start: str, end: str | None, present: bool) -> None:
    found = find_date_range(text)

    assert found is not None
    assert (found.start, found.end, found.present) == (start, end, present)


@pytest.mark.parametrize(
    "text",
    ["Increased revenue by 2020 units", "(555) 123-4567", "10.1234/neurips", "v3.12", "ISO 9001"],
)
def test_text_without_dates(text: str) -> None:
    found = find_date_range(text)

    assert found is None or found.start in {"2020"}


def test_doubtful_dates_are_reported() -> None:
    assert doubtful_dates("Acme, Spring-ish 2020") == "Spring-ish 2020"
    assert doubtful_dates("Acme, Spring 2020") is None


# --- headings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Experience", "work"),
        ("WORK EXPERIENCE", "work"),
        ("Employment History", "work"),
        ("Professional Experience:", "work"),
        ("Education", "education"),
        ("EDUCATION & TRAINING", "education"),
        ("Skills", "skills"),
        ("Technical Skills", "skills"),
        ("Core Competencies", "skills"),
        ("Projects", "projects"),
        ("Certifications", "certificates"),
        ("Licenses & Certifications", "certificates"),
        ("HONORS/AWARDS", "awards"),
        ("Selected Honors", "awards"),
        ("Languages", "languages"),
        ("Volunteer Experience", "volunteer"),
        ("Summary", "summary"),
        ("Professional Summary", "summary"),
        ("Profile", "summary"),
        ("About Me", "summary"),
        ("Objective", "summary"),
        ("Berufserfahrung", "work"),
        ("Experiencia laboral", "work"),
        ("Formación académica", "education"),
        ("Compétences", "skills"),
        ("Publications", "publications"),
        ("Profiles", "profiles"),
        ("Web Technologies", None),
        ("Tools", None),
        ("Senior Web Developer", None),
    ],
)
def test_known_heading(text: str, key: str | None) -> None:
    assert known_heading(text) == key


def _line(text: str, **kw: object) -> Line:
    return Line(text=text, **kw)  # type: ignore[arg-type]


def test_heading_detector_uses_style() -> None:
    body = 10.0

    assert heading_key(_line("Experience", size=10.0), body) == "work"
    assert heading_key(_line("Welcome to RenderCV", size=14.0, bold=True), body) == "other"
    assert heading_key(_line("ON CAMPUS INVOLVEMENT", size=12, bold=True), 12.0) == "work"
    assert heading_key(_line("PATENTS AND TALKS", size=10.0, bold=True), body) == "publications"
    assert heading_key(_line("Research Highlights", style="Heading 2"), 0.0) == "other"
    assert heading_key(_line("Acme Corp", size=10.0, bold=True), body) is None
    assert heading_key(_line("Skills", bullet=True), body) is None
    assert heading_key(_line("skills.", size=10.0), body) is None
    assert heading_key(_line("Led the skills team in 2020", size=14.0), body) is None
    assert heading_key(_line("JOHN DOE", size=24.0), body, name_size=24.0) is None


def test_clean_text() -> None:
    assert clean_text("ﬁxed  ﬂow") == "fixed flow"
    assert clean_text("Pro\x00les Certi\x00cations StackOver\x00ow") == (
        "Profiles Certifications StackOverflow"
    )
    assert clean_text("on-\u00ad\u2010campus") == "on-campus"


# --- DOCX built here ----------------------------------------------------------------------


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Maria Garcia", style="Title")
    document.add_paragraph("Berlin, Germany | +49 30 1234567 | maria@example.org")
    link = document.add_paragraph("github.com/mgarcia")
    del link
    document.add_heading("Summary", level=1)
    document.add_paragraph("Backend engineer who likes boring technology.")
    document.add_heading("Work Experience", level=1)
    document.add_paragraph("Acme GmbH | Berlin, Germany")
    document.add_paragraph("Senior Software Engineer")
    document.add_paragraph("03/2019 – Present")
    document.add_paragraph("Cut p95 latency by 40%", style="List Bullet")
    document.add_paragraph("Led the migration to PostgreSQL", style="List Bullet")
    document.add_paragraph("Initech, Software Developer")
    document.add_paragraph("Spring-ish 2017")
    document.add_paragraph("Wrote TPS report tooling", style="List Bullet")
    document.add_heading("Education", level=1)
    table = document.add_table(rows=1, cols=3)
    cells = table.rows[0].cells
    cells[0].text = "Technische Universität Berlin"
    cells[1].text = "MSc in Computer Science"
    cells[2].text = "2015 – 2017"
    document.add_heading("Skills", level=1)
    document.add_paragraph("Languages: Python, Go, SQL")
    document.add_paragraph("Tools: Docker, Kubernetes | Terraform")
    document.add_heading("Languages", level=1)
    document.add_paragraph("German (Native), English (C1)")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_end_to_end() -> None:
    parsed = parse_resume(_docx(), "docx")
    resume = parsed.resume

    assert resume.basics.name == "Maria Garcia"
    assert resume.basics.email == "maria@example.org"
    assert resume.basics.phone == "+49 30 1234567"
    assert resume.basics.location is not None
    assert (resume.basics.location.city, resume.basics.location.countryCode) == ("Berlin", "DE")
    assert resume.basics.profiles[0].network == "GitHub"
    assert resume.basics.profiles[0].username == "mgarcia"
    assert resume.basics.summary == "Backend engineer who likes boring technology."

    first, second = resume.work
    assert (first.name, first.position, first.location) == (
        "Acme GmbH",
        "Senior Software Engineer",
        "Berlin, Germany",
    )
    assert (first.startDate, first.endDate) == ("2019-03", None)
    assert first.highlights == ["Cut p95 latency by 40%", "Led the migration to PostgreSQL"]
    assert (second.name, second.position, second.startDate) == (
        "Initech",
        "Software Developer",
        None,
    )
    assert "dates not understood: 'Spring-ish 2017'" in parsed.warnings

    school = resume.education[0]
    assert school.institution == "Technische Universität Berlin"
    assert (school.studyType, school.area) == ("MSc", "Computer Science")
    assert (school.startDate, school.endDate) == ("2015", "2017")

    assert [(s.name, s.keywords) for s in resume.skills] == [
        ("Languages", ["Python", "Go", "SQL"]),
        ("Tools", ["Docker", "Kubernetes", "Terraform"]),
    ]
    assert [(lang.language, lang.fluency) for lang in resume.languages] == [
        ("German", "Native"),
        ("English", "C1"),
    ]
    assert parsed.confidence["basics.email"] == 0.95
    assert parsed.confidence["basics.name"] > parsed.confidence["work[0].position"] - 0.5
    assert parsed.layout == "single"
    assert parsed.pages == 1


def test_docx_without_headings_warns() -> None:
    document = docx.Document()
    document.add_paragraph("Sam Lee")
    document.add_paragraph("sam@example.org, a person who wrote no section headings at all.")
    out = io.BytesIO()
    document.save(out)

    parsed = parse_resume(out.getvalue(), "docx")

    assert parsed.resume.basics.email == "sam@example.org"
    assert "no section headings found" in parsed.warnings


# --- unreadable input ---------------------------------------------------------------------


def _blank_pdf(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf() -> None:
    with pytest.raises(EncryptedPdf) as caught:
        parse_resume(_blank_pdf("secret"), "pdf")

    assert caught.value.code == "encrypted_pdf"
    assert "password-protected" in caught.value.message
    assert isinstance(caught.value, ValidationFailed)


def test_pdf_without_text() -> None:
    with pytest.raises(NoText) as caught:
        parse_resume(_blank_pdf(), "pdf")

    assert caught.value.code == "no_text"
    assert "has no text layer (a scan?)" in caught.value.message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "pdf"),
        (b"%PDF-1.7\n garbage", "pdf"),
        (b"not a pdf at all", "pdf"),
        (b"PK\x03\x04broken zip", "docx"),
        (b"", "docx"),
        (_blank_pdf(), "docx"),
    ],
)
def test_unreadable_files(data: bytes, kind: str) -> None:
    with pytest.raises(ResumeUnreadable) as caught:
        parse_resume(data, kind)  # type: ignore[arg-type]

    assert caught.value.code == "unreadable_file"
    assert caught.value.status == 422


def test_truncated_sample_pdf() -> None:
    path = require_shared("fixtures", "resumes", "open-resume", "openresume-resume.pdf")
    data = path.read_bytes()

    with pytest.raises(ResumeUnreadable):
        parse_resume(data[: len(data) // 3], "pdf")

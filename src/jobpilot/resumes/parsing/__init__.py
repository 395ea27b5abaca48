"""The resume parser: PDF and DOCX uploads into JSON Resume, with per-field confidence.

    parsed = parse_resume(data, "pdf")
    parsed.resume        # jobpilot.resumes.schema.Resume
    parsed.confidence    # {"basics.email": 0.95, "work[0].name": 0.7, ...}

Extraction keeps layout (font sizes, weight, columns, right-aligned dates); sections are found
by their headings; fields are read section by section. Pure functions, no I/O beyond the bytes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError

from jobpilot.resumes.parsing.errors import EncryptedPdf, NoText, ResumeUnreadable
from jobpilot.resumes.parsing.extract import Document, Line, extract_docx, extract_pdf
from jobpilot.resumes.parsing.fields import (
    Found,
    find_awards,
    find_basics,
    find_certificates,
    find_education,
    find_interests,
    find_languages,
    find_projects,
    find_publications,
    find_references,
    find_skills,
    find_summary,
    find_work,
)
from jobpilot.resumes.parsing.result import ParsedResume
from jobpilot.resumes.parsing.sections import Section, split_sections
from jobpilot.resumes.schema import Resume

__all__ = ["EncryptedPdf", "NoText", "ParsedResume", "ResumeUnreadable", "parse_resume"]


def parse_resume(data: bytes, kind: Literal["pdf", "docx"]) -> ParsedResume:
    """Parse a PDF or DOCX resume into a `ParsedResume`.

    Raises `EncryptedPdf`, `ResumeUnreadable` or `NoText` (all `ValidationFailed`) when the
    file cannot be read.
    """
    if kind == "pdf":
        document = extract_pdf(data)
    elif kind == "docx":
        document = extract_docx(data)
    else:
        raise ResumeUnreadable(f"Unsupported resume file type: {kind!r}.")
    return parse_document(document)


def parse_document(document: Document) -> ParsedResume:
    """Fields out of already extracted lines."""
    name_line = _name_line(document)
    name_size = name_line.size if name_line is not None else 0.0
    sections = split_sections(document.lines, document.body_size, name_size, name_line)
    warnings: list[str] = []
    if len(sections) == 1:
        warnings.append("no section headings found")
    if document.images:
        warnings.append(
            f"{document.images} image(s): text inside pictures is invisible to ATS software"
        )
    if document.tables:
        warnings.append(
            f"text in {document.tables} table(s): some ATS software reads tables out of order"
        )
    header = [line for s in sections if s.key in {"header", "contact"} for line in s.lines]
    if name_line is not None and name_line not in header:
        header.insert(0, name_line)
    hint = _name_hint(name_line)
    found = [find_basics(header, document.lines, document.links, hint)]
    basics = dict(found[0].data)
    data: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for section in sections:
        part = _parse_section(section)
        if part is None:
            continue
        if section.key == "summary":
            summary = part.data.get("summary")
            if summary:
                basics["summary"] = summary
                found.append(Found(confidence=part.confidence, warnings=part.warnings))
            continue
        found.append(_renumber(part, counts))
        for key, value in part.data.items():
            data.setdefault(key, []).extend(value)
    confidence: dict[str, float] = {}
    for item in found:
        confidence.update(item.confidence)
        warnings.extend(item.warnings)
    resume = _build(basics, data, warnings)
    return ParsedResume(
        resume=resume,
        confidence={k: round(max(0.0, min(1.0, v)), 2) for k, v in confidence.items()},
        raw_text=document.text,
        warnings=list(dict.fromkeys(warnings)),
        pages=document.pages,
        layout=document.layout,
    )


def _name_line(document: Document) -> Line | None:
    first_page = [line for line in document.lines if line.page == 0][:40]
    if not first_page:
        return None
    if document.kind == "docx":
        titled = [line for line in first_page if line.style.lower() == "title"]
        if titled:
            return titled[0]
    biggest = max(first_page, key=lambda line: line.size)
    if biggest.size > document.body_size * 1.15:
        return biggest
    return first_page[0]


def _name_hint(line: Line | None) -> str | None:
    if line is None:
        return None
    if len(line.segments) > 1 and line.style == "":
        return max(line.segments, key=lambda s: (s.size, len(s.text))).text
    return line.text


_FINDERS = {
    "work": find_work,
    "education": find_education,
    "skills": find_skills,
    "projects": find_projects,
    "certificates": find_certificates,
    "awards": find_awards,
    "languages": find_languages,
    "summary": find_summary,
    "interests": find_interests,
    "references": find_references,
    "publications": find_publications,
}


def _parse_section(section: Section) -> Found | None:
    if not section.lines:
        return None
    if section.key == "volunteer":
        return find_work(section.lines, "volunteer")
    finder = _FINDERS.get(section.key)
    return finder(section.lines) if finder is not None else None


def _renumber(part: Found, counts: dict[str, int]) -> Found:
    """Shift "work[0]" paths when a section of the same kind came earlier."""
    out = Found(data=part.data, warnings=part.warnings)
    for path, value in part.confidence.items():
        key, sep, rest = path.partition("[")
        shifted = path
        if sep and key in counts:
            index, _, tail = rest.partition("]")
            shifted = f"{key}[{int(index) + counts[key]}]{tail}"
        out.confidence[shifted] = value
    for key, value in part.data.items():
        counts[key] = counts.get(key, 0) + len(value)
    return out


def _build(basics: dict[str, Any], data: dict[str, Any], warnings: list[str]) -> Resume:
    document = {"basics": basics, **data}
    try:
        return Resume.model_validate(document)
    except ValidationError as exc:
        warnings.append(f"some values were dropped: {exc.error_count()} did not validate")
    cleaned: dict[str, Any] = {}
    try:
        cleaned["basics"] = Resume.model_validate({"basics": basics}).basics
    except ValidationError:
        cleaned["basics"] = {"name": basics.get("name")}
    for key, items in data.items():
        kept = []
        for item in items:
            try:
                Resume.model_validate({key: [item]})
                kept.append(item)
            except ValidationError:
                continue
        cleaned[key] = kept
    return Resume.model_validate(cleaned)

"""Pictures and tables in an uploaded resume are reported: ATS software misreads them."""

from __future__ import annotations

import io

import docx
from PIL import Image

from jobpilot.resumes.check import ats_check
from jobpilot.resumes.parsing import parse_resume


def resume_with_table_and_photo() -> bytes:
    document = docx.Document()
    document.add_paragraph("Grace Hopper", style="Title")
    document.add_paragraph("grace@example.com | +1 212 555 0100")
    picture = io.BytesIO()
    Image.new("RGB", (40, 40), "navy").save(picture, "PNG")
    picture.seek(0)
    document.add_picture(picture)
    document.add_heading("Experience", level=1)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "US Navy"
    table.cell(0, 1).text = "Rear Admiral, 1943 - 1986"
    document.add_heading("Skills", level=1)
    document.add_paragraph("COBOL, compilers")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_tables_and_pictures_are_warned_about() -> None:
    parsed = parse_resume(resume_with_table_and_photo(), "docx")
    assert any("1 image(s)" in warning for warning in parsed.warnings)
    assert any("1 table(s)" in warning for warning in parsed.warnings)
    report = ats_check(parsed.resume, parse_warnings=parsed.warnings)
    messages = [f["message"] for f in report["findings"] if f["code"] == "import_warning"]
    assert any("table" in message for message in messages)
    assert any("image" in message for message in messages)

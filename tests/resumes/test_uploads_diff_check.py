"""Upload checks, version diffs and the ATS check, without a database."""

from __future__ import annotations

import io
import zipfile

import pytest

from jobpilot.resumes.check import ats_check
from jobpilot.resumes.diff import diff_documents
from jobpilot.resumes.schema import Resume
from jobpilot.resumes.uploads import (
    MAX_UPLOAD_BYTES,
    UnsafeFile,
    UnsupportedFile,
    UploadTooLarge,
    check_upload,
)

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="{kind}"/></Types>'
)
DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_bytes(members: dict[str, bytes | str], *, kind: str = DOCUMENT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(kind=kind))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_type_is_read_from_the_bytes() -> None:
    assert check_upload(b"%PDF-1.7\n...") == "pdf"
    assert check_upload(docx_bytes({"word/document.xml": "<w:document/>"})) == "docx"


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", UnsupportedFile, "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, UnsupportedFile, "legacy .doc"),
        (b"{\\rtf1\\ansi hello}", UnsupportedFile, "RTF"),
        (b"GIF89a....", UnsupportedFile, "PDF"),
        (b"PK\x03\x04 not really a zip", UnsupportedFile, "damaged"),
        (docx_bytes({"hello.txt": "hi"}), UnsupportedFile, "not a Word document"),
        (
            docx_bytes({"word/document.xml": "<w:document/>", "word/vbaProject.bin": b"\0" * 10}),
            UnsafeFile,
            "macros",
        ),
        (
            docx_bytes(
                {"word/document.xml": "<w:document/>"},
                kind="application/vnd.ms-word.document.macroEnabled.main+xml",
            ),
            UnsafeFile,
            "macros",
        ),
        (
            docx_bytes({"word/document.xml": "<w:document/>", "word/bomb.xml": b"0" * 80_000_000}),
            UnsafeFile,
            "zip bomb",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(
    data: bytes, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        check_upload(data)


def test_uploads_over_ten_megabytes_are_refused() -> None:
    with pytest.raises(UploadTooLarge):
        check_upload(b"%PDF-" + b"0" * MAX_UPLOAD_BYTES)


OLD = {
    "basics": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "work": [
        {
            "name": "Analytical Engines",
            "position": "Engineer",
            "startDate": "2019-03",
            "highlights": ["Wrote the first program", "Fixed the loom"],
        },
        {"name": "Babbage & Co", "position": "Intern", "startDate": "2018-01"},
    ],
    "skills": [{"name": "Mathematics"}],
}
NEW = {
    "basics": {"name": "Ada Lovelace", "email": "ada@lovelace.example"},
    "work": [
        {"name": "Babbage & Co", "position": "Intern", "startDate": "2018-01"},
        {
            "name": "Analytical Engines",
            "position": "Engineer",
            "startDate": "2019-04",
            "highlights": ["Wrote the first program", "Described the engine's limits"],
        },
        {"name": "Royal Society", "position": "Fellow", "startDate": "2021-01"},
    ],
    "skills": [{"name": "Mathematics"}],
}


def test_the_diff_pairs_entries_and_shows_fields_and_bullets() -> None:
    diff = diff_documents(OLD, NEW)
    assert diff["basics"] == [
        {"field": "email", "from": "ada@example.com", "to": "ada@lovelace.example"}
    ]
    (work,) = diff["sections"]
    assert work["section"] == "work"
    assert [a["entry"] for a in work["added"]] == ["Royal Society — Fellow"]
    assert work["removed"] == []
    changed = {c["entry"]: c for c in work["changed"]}
    engine = changed["Analytical Engines — Engineer"]
    assert engine["fields"] == [{"field": "startDate", "from": "2019-03", "to": "2019-04"}]
    assert engine["highlights"]["added"] == ["Described the engine's limits"]
    assert engine["highlights"]["removed"] == ["Fixed the loom"]
    assert "-Fixed the loom" in engine["highlights"]["diff"]
    assert engine["moved"] == {"from": 0, "to": 1}
    assert diff_documents(OLD, OLD)["unchanged"] is True


def test_the_ats_check_scores_and_explains() -> None:
    good = Resume.model_validate(
        {
            "basics": {
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "phone": "+44 20 7946 0000",
                "location": {"city": "London", "countryCode": "GB"},
            },
            "work": [
                {
                    "name": "Analytical Engines",
                    "position": "Engineer",
                    "startDate": "2019-03",
                    "highlights": ["Wrote the first program"],
                }
            ],
            "education": [{"institution": "University of London"}],
            "skills": [{"name": "Mathematics"}],
        }
    )
    assert ats_check(good) == {"score": 100, "findings": []}
    bad = good.model_copy(deep=True)
    bad.basics.email = None
    bad.work[0].startDate = None
    bad.work[0].highlights = ["x" * 400]
    report = ats_check(bad, template_layout="two-column", parse_warnings=["no section headings"])
    codes = [f["code"] for f in report["findings"]]
    assert codes[:2] == ["missing_email", "work_no_dates"]  # errors first
    assert {"long_bullet", "two_columns", "import_warning"} <= set(codes)
    assert report["score"] == 100 - 15 - 15 - 6 - 6 - 6
    assert all(f["fix"] for f in report["findings"])

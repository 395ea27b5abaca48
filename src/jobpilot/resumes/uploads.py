"""Checking an uploaded resume file before anything reads it: size, type by content, and the
traps of the formats (legacy or encrypted Word files, macro-enabled documents, zip bombs).

The type is decided by the bytes, never by the file name or the declared content type.
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from jobpilot.kit.errors import JobPilotError, PayloadTooLarge

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A DOCX may inflate to at most this much, with at most this ratio per member and this many
# members (real resumes stay far below; a zip bomb does not).
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_RATIO = 120
MAX_MEMBERS = 2000

Kind = Literal["pdf", "docx"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPES = (
    "application/vnd.ms-word.document.macroenabled",
    "application/vnd.ms-word.template.macroenabled",
    "application/vnd.ms-office.vbaproject",
)


class UnsupportedFile(JobPilotError):
    """The upload is not a PDF or DOCX JobPilot can read."""

    status = 415
    code = "unsupported_file"
    default_message = "Upload a PDF or a Word (.docx) file."


class UnsafeFile(JobPilotError):
    """The upload is a kind of file JobPilot refuses to open."""

    status = 422
    code = "unsafe_file"
    default_message = "This file cannot be opened safely."


class UploadTooLarge(PayloadTooLarge):
    """The upload is over the size limit."""

    code = "file_too_large"
    default_message = "The file is larger than 10 MB."


def check_upload(data: bytes) -> Kind:
    """The kind of a resume upload; a clear error for anything else."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge
    if not data:
        raise UnsupportedFile("The file is empty.")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(_OLE):
        raise UnsupportedFile(
            "This is a legacy .doc or a password-protected Word file: save it as an "
            "unprotected .docx or as PDF."
        )
    if data.startswith(b"PK\x03\x04"):
        _check_docx(data)
        return "docx"
    if head.lstrip().startswith((b"{\\rtf", b"<")):
        raise UnsupportedFile("RTF, HTML and text files are not read: upload a PDF or .docx.")
    raise UnsupportedFile


def _check_docx(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnsupportedFile("The file looks like a .docx but is damaged.") from exc
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile("The .docx holds too many parts.")
    total = 0
    for member in members:
        total += member.file_size
        compressed = max(member.compress_size, 1)
        if member.file_size / compressed > MAX_RATIO and member.file_size > 1024 * 1024:
            raise UnsafeFile("The .docx expands far beyond its size (a zip bomb?).")
        if member.flag_bits & 0x1:
            raise UnsupportedFile("The .docx is encrypted: save an unprotected copy.")
    if total > MAX_UNZIPPED_BYTES:
        raise UnsafeFile("The .docx expands far beyond its size (a zip bomb?).")
    names = {m.filename.lower() for m in members}
    if "[content_types].xml" not in names or "word/document.xml" not in names:
        raise UnsupportedFile("This archive is not a Word document.")
    if any(name.endswith("vbaproject.bin") for name in names):
        raise UnsafeFile("Documents with macros are not accepted: save it as a plain .docx.")
    types_name = next(m.filename for m in members if m.filename.lower() == "[content_types].xml")
    types = archive.read(types_name)[:1_000_000].decode("utf-8", "replace").lower()
    if any(kind in types for kind in _MACRO_TYPES):
        raise UnsafeFile("Documents with macros are not accepted: save it as a plain .docx.")

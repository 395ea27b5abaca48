"""Why an uploaded resume could not be read."""

from __future__ import annotations

from jobpilot.kit.errors import ValidationFailed


class ResumeUnreadable(ValidationFailed):
    """The file is corrupt, truncated or not the kind it claims to be."""

    code = "unreadable_file"
    default_message = "The file could not be read as a resume."


class EncryptedPdf(ResumeUnreadable):
    """The PDF needs a password to open."""

    code = "encrypted_pdf"
    default_message = "The PDF is password-protected; upload a copy without a password."


class NoText(ResumeUnreadable):
    """The document opened but holds no text (a scanned image, an empty file)."""

    code = "no_text"
    default_message = "The document has no text layer (a scan?); upload a text-based PDF or DOCX."

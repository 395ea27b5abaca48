"""What the parser returns: the resume plus how sure it is of each field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from jobpilot.resumes.schema import Resume


@dataclass
class ParsedResume:
    """A parsed upload.

    `confidence` maps field paths ("basics.name", "work[0].startDate", "skills") to 0..1 by how
    the value was found; `warnings` lists what the parser could not make sense of; `raw_text`
    is the extracted text in reading order.
    """

    resume: Resume
    confidence: dict[str, float] = field(default_factory=dict)
    raw_text: str = ""
    warnings: list[str] = field(default_factory=list)
    pages: int = 1
    layout: Literal["single", "two-column"] = "single"

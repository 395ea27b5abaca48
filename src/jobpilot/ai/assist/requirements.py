"""Reading what a posting asks for by its structure: headed sections, bullets, skill names.

Job ads are written in a handful of shapes: an intro, then headed lists ("Requirements",
"What you'll bring", "Nice to have", "Benefits"...). A line is a heading when it is short, is
not a bullet and names one of those sections; the bullets under it belong to that section.
Skills come from the taxonomy; one named only under a nice-to-have heading is not required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from jobpilot.ai.assist.plans import PostingSkill, Requirements
from jobpilot.users.public import SkillsFacade

Section = Literal["intro", "responsibilities", "requirements", "nice", "benefits", "other"]


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.I)


# Checked in this order: "Nice to have skills" is a nice-to-have heading, not requirements.
_HEADINGS: tuple[tuple[Section, re.Pattern[str]], ...] = (
    (
        "nice",
        _words(
            r"nice[- ]to[- ]have",
            "bonus",
            "good to have",
            "a plus",
            "plus if",
            "preferred",
            "desirable",
            "extra credit",
        ),
    ),
    (
        "benefits",
        _words(
            "benefits",
            "perks",
            "what we offer",
            "why join",
            "we offer",
            "compensation",
            "what's in it",
        ),
    ),
    (
        "requirements",
        _words(
            "requirements",
            "qualifications",
            r"what you'?ll bring",
            "what you bring",
            "your profile",
            "about you",
            "who you are",
            r"must[- ]have",
            "looking for",
            "you have",
            "skills",
            "experience",
        ),
    ),
    (
        "responsibilities",
        _words(
            "responsibilit",
            r"what you'?ll do",
            "what you will do",
            "your role",
            "in this role",
            "the role",
            "duties",
            r"day[- ]to[- ]day",
            "you will",
        ),
    ),
    (
        "other",
        _words(
            "about us", "about the company", "who we are", "our team", "how to apply", "process"
        ),
    ),
)
_BULLET = re.compile(r"^\s*(?:[•·*▪◦‣-]|\d{1,2}[.)])\s+")
_YEARS = re.compile(r"(?<![\w.])(\d{1,2})\s*\+?\s*(?:(?:-|\u2013|to)\s*\d{1,2}\s*)?years?\b", re.I)
_UP_TO = re.compile(r"\b(?:up to|less than|under|at most)\s*$", re.I)
# Headings are short ("It's a plus if you have" is six words) and carry no figures; a line
# ending in a colon is a heading whatever its length.
_MAX_HEADING_WORDS = 6


@dataclass(frozen=True)
class PostingDoc:
    """The posting text a writer works from."""

    title: str
    company: str
    text: str

    def names(self) -> dict[str, str]:
        """What generated text may name but not claim, as the grounding checker takes it."""
        return {"context": self.text, "company": self.company, "title": self.title}


def _heading(line: str) -> Section | None:
    colon = line.rstrip().endswith(":")
    stripped = line.strip().rstrip(":").strip()
    if not stripped or _BULLET.match(line) or re.search(r"\d", stripped):
        return None
    if not colon and (
        len(stripped.split()) > _MAX_HEADING_WORDS or stripped.endswith((".", ",", ";"))
    ):
        return None
    for section, pattern in _HEADINGS:
        if pattern.search(stripped):
            return section
    return None


def sections(text: str) -> list[tuple[Section, str]]:
    """Each content line of a posting with the section it sits in (headings left out)."""
    current: Section = "intro"
    out: list[tuple[Section, str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        heading = _heading(raw)
        if heading is not None:
            current = heading
            continue
        line = _BULLET.sub("", raw).strip()
        if line:
            out.append((current, line))
    return out


def years_asked(lines: list[str]) -> int | None:
    """The smallest "N+ years" minimum among `lines` ("up to 2 years" is not a minimum)."""
    found = []
    for line in lines:
        for match in _YEARS.finditer(line):
            if _UP_TO.search(line[: match.start()]):
                continue
            found.append(int(match.group(1)))
    return min(found) if found else None


def years_stated(text: str) -> set[int]:
    """Every N of "N years" / "N+ years" / "N-M years" in `text`."""
    return {int(match.group(1)) for match in _YEARS.finditer(text)}


def extract_requirements(posting: PostingDoc, skills: SkillsFacade) -> Requirements:
    """What the posting asks for, read by rules from its headed sections."""
    lines = sections(posting.text)
    by_section: dict[Section, list[str]] = {}
    for section, line in lines:
        by_section.setdefault(section, []).append(line)
    required_text = "\n".join(
        [
            posting.title,
            *by_section.get("requirements", []),
            *by_section.get("responsibilities", []),
        ]
    )
    required_ids = {skill.id for skill in skills.mentions(required_text)}
    considered = "\n".join(
        line
        for section, line in [("intro", posting.title), *lines]
        if section not in {"benefits", "other"}
    )
    found = [
        PostingSkill(name=skill.name, required=skill.id in required_ids)
        for skill in skills.mentions(considered)
    ]
    # An ad without headings states everything in its intro: all of it is required.
    if not by_section.get("requirements") and not by_section.get("nice"):
        found = [PostingSkill(name=s.name, required=True) for s in found]
    requirement_lines = by_section.get("requirements", [])
    return Requirements(
        skills=found,
        years_min=years_asked(requirement_lines or by_section.get("intro", [])),
        requirements=[line[:600] for line in requirement_lines][:40],
        nice_to_have=[line[:600] for line in by_section.get("nice", [])][:40],
        responsibilities=[line[:600] for line in by_section.get("responsibilities", [])][:40],
    )

"""A cover letter assembled by rules: the posting, the user's own bullets and skills, a frame.

Nothing in it is made up: the role and company come from the posting, the evidence sentences
quote the user's resume bullets that best fit the posting, and the skills named are those the
posting asks for that the user has. It reads like a template because it is one.
"""

from __future__ import annotations

from typing import Any

from jobpilot.ai.assist.plans import LetterDraft, Requirements
from jobpilot.ai.assist.requirements import PostingDoc
from jobpilot.ai.assist.tailoring import Relevance, join_names, skills_you_have
from jobpilot.ai.grounding import Facts
from jobpilot.users.public import SkillsFacade

_EVIDENCE = 2
_SKILLS = 4


def _sentence(text: str) -> str:
    text = text.strip().rstrip(";,")
    return text if text.endswith((".", "!", "?")) else text + "."


def _lower_first(text: str) -> str:
    """Lower-case the first letter ("Cut latency" → "cut latency"), not an acronym's ("API")."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _evidence(employer: str, bullet: str, *, again: bool) -> str:
    """A bullet as a sentence of the letter: "At Globex, I cut latency by 40%." ("I also ..."
    for a second bullet of the same employer)."""
    said = _sentence(bullet)
    if not employer or said.startswith(("I ", "I'")):
        return said
    if again:
        return f"I also {_lower_first(said)}"
    return f"At {employer}, I {_lower_first(said)}"


def _current(resume: dict[str, Any]) -> dict[str, Any] | None:
    jobs = [job for job in resume.get("work") or [] if job.get("name") and job.get("position")]
    return jobs[0] if jobs else None


def rules_letter(
    resume: dict[str, Any],
    profile: dict[str, Any] | None,
    posting: PostingDoc,
    needs: Requirements,
    facts: Facts,
    skills: SkillsFacade,
) -> LetterDraft:
    """A short letter in four paragraphs, from stored facts and the posting only."""
    basics = resume.get("basics") or {}
    name = str(basics.get("name") or (profile or {}).get("name") or "").strip()
    paragraphs = [f"Dear {posting.company} hiring team,"]
    opening = f"I am applying for the {posting.title} role at {posting.company}."
    job = _current(resume)
    if job is not None:
        tense = "I work" if not job.get("endDate") else "Most recently I worked"
        opening += f" {tense} as {job['position']} at {job['name']}."
    paragraphs.append(opening)
    relevance = Relevance(needs, skills)
    candidates = [
        (relevance.score(str(bullet)), str(job.get("name") or ""), str(bullet))
        for job in resume.get("work") or []
        for bullet in job.get("highlights") or []
    ]
    candidates.sort(key=lambda item: item[0], reverse=True)
    evidence: list[str] = []
    previous = None
    for _, employer, bullet in candidates[:_EVIDENCE]:
        evidence.append(_evidence(employer, bullet, again=employer == previous))
        previous = employer
    have = skills_you_have(needs, facts, skills)[:_SKILLS]
    middle = " ".join(evidence)
    if have:
        middle += (
            f" Your posting asks for {join_names(have)}, all of which I use in my work."
            if len(have) > 1
            else f" Your posting asks for {have[0]}, which I use in my work."
        )
    if middle.strip():
        paragraphs.append(middle.strip())
    paragraphs.append(
        f"I would welcome the chance to talk about how I could help {posting.company}. "
        "Thank you for your time."
    )
    paragraphs.append(f"Kind regards,\n{name}" if name else "Kind regards")
    return LetterDraft(paragraphs=paragraphs)

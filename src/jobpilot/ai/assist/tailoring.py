"""Fitting a resume to a posting: what the rules propose, and applying any writer's plan.

A plan may reorder bullets and skill groups, say bullets differently and write a summary; it
may never add a job, a bullet or a skill. Applying it checks every new sentence against the
user's facts and keeps the original wherever a rewrite claims something the resume does not,
so the result lists each change with its reason and each refused rewrite with why.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from jobpilot.ai.assist.plans import Requirements, TailorPlan, WorkPlan
from jobpilot.ai.assist.requirements import PostingDoc
from jobpilot.ai.grounding import Facts, GroundingChecker
from jobpilot.users.public import SkillsFacade

ChangeKind = Literal["reorder", "rewrite", "summary"]
_WORD = re.compile(r"[a-z][a-z0-9+#.]{3,}")
_COMMON = frozenset((
    "with", "from", "that", "this", "will", "your", "have", "been", "their", "they", "them",
    "what", "when", "where", "which", "while", "team", "teams", "work", "working", "across",
    "about", "into", "more", "than", "other", "such", "also", "using", "used",
))  # fmt: skip
_MAX_SUMMARY_SKILLS = 4


@dataclass(frozen=True)
class Change:
    """One change a tailored resume makes to its source, and why."""

    path: str
    kind: ChangeKind
    before: Any
    after: Any
    reason: str


@dataclass(frozen=True)
class Refused:
    """A proposed change that was not made, and why."""

    path: str
    text: str
    reasons: list[str]


@dataclass
class Tailored:
    """The tailored document with its changes and refusals."""

    document: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def wanted_skill_ids(needs: Requirements, skills: SkillsFacade) -> list[str]:
    """The taxonomy ids of the skills a posting asks for, required ones first."""
    ordered = sorted(needs.skills, key=lambda s: not s.required)
    ids: list[str] = []
    for skill in ordered:
        found = skills.mentions(skill.name)
        if found and found[0].id not in ids:
            ids.append(found[0].id)
    return ids


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def skills_you_have(needs: Requirements, facts: Facts, skills: SkillsFacade) -> list[str]:
    """The posting's skills the user has, required first, by the taxonomy's names (broad areas
    such as "Backend development" left out: they are not skills one lists)."""
    names = {s.id: s.name for s in skills.mentions(" ".join(s.name for s in needs.skills))}
    return [
        names[w]
        for w in wanted_skill_ids(needs, skills)
        if w in names and not skills.is_area(w) and skills.satisfies(facts.skill_ids, w)
    ]


class Relevance:
    """How much a piece of resume text speaks to a posting: the skills it asked for that the
    text shows (a more specific skill counts: FastAPI shows Python), then shared words."""

    def __init__(self, needs: Requirements, skills: SkillsFacade) -> None:
        self._skills = skills
        self.wanted = wanted_skill_ids(needs, skills)
        lines = [*needs.requirements, *needs.responsibilities, *needs.nice_to_have]
        self._words = {w for w in _WORD.findall(" ".join(lines).lower()) if w not in _COMMON}

    def shown(self, text: str) -> list[str]:
        """The wanted skill ids that `text` shows."""
        owned = {s.id for s in self._skills.mentions(text)}
        return [w for w in self.wanted if owned and self._skills.satisfies(owned, w)]

    def score(self, text: str) -> tuple[int, int]:
        """Skills shown, then words shared with the posting."""
        words = {w for w in _WORD.findall(text.lower()) if w not in _COMMON}
        return len(self.shown(text)), len(words & self._words)


def _group_text(group: dict[str, Any]) -> str:
    return " ".join([str(group.get("name") or ""), *map(str, group.get("keywords") or [])])


def rules_plan(
    resume: dict[str, Any], needs: Requirements, facts: Facts, skills: SkillsFacade
) -> TailorPlan:
    """The rules' plan: bullets and skill groups that show the posting's skills first, and a
    summary that opens with those of them the user has."""
    relevance = Relevance(needs, skills)
    names = {s.id: s.name for s in skills.mentions(" ".join(s.name for s in needs.skills))}
    work_plans = []
    for i, job in enumerate(resume.get("work") or []):
        bullets = [str(b) for b in job.get("highlights") or []]
        if len(bullets) < 2:
            continue
        order = sorted(range(len(bullets)), key=lambda j: relevance.score(bullets[j]), reverse=True)
        if order != list(range(len(bullets))):
            shown = [
                names[w]
                for w in relevance.wanted
                if any(w in relevance.shown(bullets[j]) for j in order[:1])
            ]
            why = (
                f"Leads with the bullet that shows {join_names(shown)}, which the posting asks for."
                if shown
                else "Leads with the bullets closest to the posting's wording."
            )
            work_plans.append(WorkPlan(work_index=i, highlight_order=order, reason=why))
    groups = resume.get("skills") or []
    group_order = sorted(
        range(len(groups)), key=lambda g: relevance.score(_group_text(groups[g])), reverse=True
    )
    skills_order: list[str] = []
    if group_order != list(range(len(groups))) and all(groups[g].get("name") for g in group_order):
        skills_order = [str(groups[g]["name"]) for g in group_order]
    have = skills_you_have(needs, facts, skills)[:_MAX_SUMMARY_SKILLS]
    summary = summary_reason = None
    basics = resume.get("basics") or {}
    if have:
        label = str(basics.get("label") or "").strip() or _latest_position(resume)
        opening = (
            f"{label} with experience in {join_names(have)}."
            if label
            else f"Experience in {join_names(have)}."
        )
        existing = str(basics.get("summary") or "").strip()
        if not existing.startswith(opening):
            summary = f"{opening} {existing}".strip()
            summary_reason = f"Opens with the posting's skills you have: {join_names(have)}."
    return TailorPlan(
        summary=summary,
        summary_reason=summary_reason,
        work=work_plans,
        skills_order=skills_order,
        skills_reason="Skill groups the posting asks for come first." if skills_order else None,
    )


def _latest_position(resume: dict[str, Any]) -> str:
    for job in resume.get("work") or []:
        if job.get("position"):
            return str(job["position"]).strip()
    return ""


def apply_plan(
    resume: dict[str, Any],
    plan: TailorPlan,
    checker: GroundingChecker,
    facts: Facts,
    posting: PostingDoc,
) -> Tailored:
    """`resume` changed as `plan` proposes, wherever the change is a reordering of what is
    there or says only what the user's facts say."""
    out = Tailored(copy.deepcopy(resume))
    doc = out.document
    if plan.summary:
        kept, removed = checker.filter_sentences(plan.summary, facts, **posting.names())
        for sentence, violations in removed:
            out.refused.append(Refused("basics.summary", sentence, [v.message for v in violations]))
        kept = kept.strip()
        basics = doc.setdefault("basics", {})
        before = basics.get("summary")
        if kept and kept != (before or "").strip():
            basics["summary"] = kept
            reason = plan.summary_reason or "A summary aimed at the posting."
            out.changes.append(Change("basics.summary", "summary", before, kept, reason))
    jobs = doc.get("work") or []
    seen: set[int] = set()
    for work in plan.work:
        i = work.work_index
        if i >= len(jobs) or i in seen:
            why = "This job was already planned." if i in seen else "There is no such job."
            out.refused.append(Refused(f"work[{i}]", "", [why]))
            continue
        seen.add(i)
        _apply_work(out, i, work, checker, facts, posting)
    _apply_skills(out, plan)
    return out


def _apply_work(
    out: Tailored,
    i: int,
    work: WorkPlan,
    checker: GroundingChecker,
    facts: Facts,
    posting: PostingDoc,
) -> None:
    job = out.document["work"][i]
    bullets = [str(b) for b in job.get("highlights") or []]
    for rewrite in work.rewrites:
        path = f"work[{i}].highlights[{rewrite.index}]"
        if rewrite.index >= len(bullets):
            out.refused.append(Refused(path, rewrite.text, ["There is no such bullet."]))
            continue
        violations = checker.check(rewrite.text, facts, **posting.names())
        if violations:
            out.refused.append(Refused(path, rewrite.text, [v.message for v in violations]))
            continue
        before = bullets[rewrite.index]
        if rewrite.text.strip() and rewrite.text.strip() != before:
            bullets[rewrite.index] = rewrite.text.strip()
            out.changes.append(
                Change(path, "rewrite", before, bullets[rewrite.index], rewrite.reason)
            )
    order = work.highlight_order
    if order and order != list(range(len(bullets))):
        if sorted(order) != list(range(len(bullets))):
            out.refused.append(
                Refused(
                    f"work[{i}].highlights",
                    "",
                    ["The new order must list every existing bullet exactly once."],
                )
            )
        else:
            before_order = list(bullets)
            bullets = [bullets[j] for j in order]
            reason = work.reason or "Bullets closest to the posting first."
            out.changes.append(
                Change(f"work[{i}].highlights", "reorder", before_order, list(bullets), reason)
            )
    if bullets:
        job["highlights"] = bullets


def _apply_skills(out: Tailored, plan: TailorPlan) -> None:
    groups = out.document.get("skills") or []
    if not plan.skills_order or len(groups) < 2:
        return
    position = {name.strip().lower(): n for n, name in enumerate(plan.skills_order)}
    ranked = sorted(
        range(len(groups)),
        key=lambda g: position.get(str(groups[g].get("name") or "").strip().lower(), len(position)),
    )
    if ranked == list(range(len(groups))):
        return
    before = [g.get("name") for g in groups]
    out.document["skills"] = [groups[g] for g in ranked]
    after = [g.get("name") for g in out.document["skills"]]
    reason = plan.skills_reason or "Skill groups the posting asks for first."
    out.changes.append(Change("skills", "reorder", before, after, reason))

"""Who drafts: the rules (no model, the default) or a language model behind the chat port.

Both answer the same four questions with the same plan types, so the service checks and
applies their drafts the same way. The model is told to use only the facts it is given; the
grounding checker, not the prompt, is what enforces it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from jobpilot.ai.assist.letters import rules_letter
from jobpilot.ai.assist.plans import AnswerDraft, LetterDraft, Requirements, TailorPlan
from jobpilot.ai.assist.requirements import PostingDoc
from jobpilot.ai.assist.tailoring import rules_plan
from jobpilot.ai.grounding import Facts
from jobpilot.ai.providers import ChatMessage
from jobpilot.users.public import SkillsFacade

S = TypeVar("S", bound=BaseModel)
LOCAL_RULES = "local-rules"
# Long postings and resumes are cut to this many characters in a prompt.
_MAX_CHARS = 12_000

SYSTEM = (
    "You help a job seeker apply for jobs. Use only the facts in the candidate's resume and "
    "profile given to you. Never invent or inflate employers, job titles, dates, numbers, "
    "metrics, skills, tools, degrees or certifications; if something is not in those facts, "
    "leave it out. Do not claim the candidate has a skill just because the posting asks for "
    "it. Write plainly, without superlatives. Answer with one JSON object that matches the "
    "schema, and nothing else."
)


class Complete(Protocol):
    """One validated model answer for a task (cached, counted and limited by the caller)."""

    async def __call__(self, task: str, messages: Sequence[ChatMessage], schema: type[S]) -> S:
        """The model's answer to `messages` as an instance of `schema`."""
        ...


class Writer(Protocol):
    """Drafts extraction, tailoring plans, letters and free-text answers."""

    @property
    def provider(self) -> str:
        """`local-rules` or the model provider's kind."""
        ...

    @property
    def model(self) -> str | None:
        """The model's name (None for the rules)."""
        ...

    async def requirements(self, posting: PostingDoc, baseline: Requirements) -> Requirements:
        """What the posting asks for (`baseline` is what the rules read)."""
        ...

    async def tailor(
        self, resume: dict[str, Any], posting: PostingDoc, needs: Requirements, facts: Facts
    ) -> TailorPlan:
        """How to fit the resume to the posting."""
        ...

    async def letter(
        self,
        resume: dict[str, Any],
        profile: dict[str, Any] | None,
        posting: PostingDoc,
        needs: Requirements,
        facts: Facts,
    ) -> LetterDraft:
        """A cover letter for the posting."""
        ...

    async def answer(
        self,
        question: str,
        resume: dict[str, Any] | None,
        profile: dict[str, Any] | None,
        posting: PostingDoc | None,
    ) -> str | None:
        """A draft answer to a free-text question, or None when the facts do not answer it."""
        ...


class RulesWriter:
    """Deterministic rules: keyword gap analysis, reordering, a letter from a template."""

    provider = LOCAL_RULES
    model = None

    def __init__(self, skills: SkillsFacade) -> None:
        self._skills = skills

    async def requirements(self, posting: PostingDoc, baseline: Requirements) -> Requirements:
        """The rules' reading, as it is."""
        return baseline

    async def tailor(
        self, resume: dict[str, Any], posting: PostingDoc, needs: Requirements, facts: Facts
    ) -> TailorPlan:
        """Reorder bullets and skill groups, open the summary with the skills that match."""
        return rules_plan(resume, needs, facts, self._skills)

    async def letter(
        self,
        resume: dict[str, Any],
        profile: dict[str, Any] | None,
        posting: PostingDoc,
        needs: Requirements,
        facts: Facts,
    ) -> LetterDraft:
        """A letter assembled from the posting and the user's best-fitting bullets."""
        return rules_letter(resume, profile, posting, needs, facts, self._skills)

    async def answer(
        self,
        question: str,
        resume: dict[str, Any] | None,
        profile: dict[str, Any] | None,
        posting: PostingDoc | None,
    ) -> str | None:
        """Rules do not write free text: the user answers (or stores an answer in the bank)."""
        return None


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS] + "\n[...]"


def _posting_block(posting: PostingDoc) -> str:
    return (
        f"JOB POSTING\nTitle: {posting.title}\nCompany: {posting.company}\n\n{_cut(posting.text)}"
    )


def _resume_block(resume: dict[str, Any]) -> str:
    return "CANDIDATE RESUME (JSON Resume)\n" + _cut(json.dumps(resume, ensure_ascii=False))


def _profile_block(profile: dict[str, Any] | None) -> str:
    if not profile:
        return "CANDIDATE PROFILE\n(none)"
    # Legal and EEO answers never go to a model: only stored facts answer those questions.
    shown = {
        key: value
        for key, value in profile.items()
        if key not in {"answer_bank", "work_authorization", "contact", "salary"}
    }
    bank = profile.get("answer_bank") or {}
    shown["stored_answers"] = bank.get("custom") or []
    return "CANDIDATE PROFILE\n" + _cut(json.dumps(shown, ensure_ascii=False, default=str))


class ModelWriter:
    """A language model drafts; `complete` asks it (through cache, quota and usage)."""

    def __init__(self, complete: Complete, provider: str, model: str) -> None:
        self._complete = complete
        self.provider = provider
        self.model: str | None = model

    def _messages(self, *blocks: str) -> list[ChatMessage]:
        return [ChatMessage("system", SYSTEM), ChatMessage("user", "\n\n".join(blocks))]

    async def requirements(self, posting: PostingDoc, baseline: Requirements) -> Requirements:
        """The model's reading of the posting: skills, years and lines as the posting words them."""
        return await self._complete(
            "extract",
            self._messages(
                _posting_block(posting),
                "TASK\nList what this posting asks of a candidate: each skill or technology it "
                "names (required: false when it is only nice to have), the minimum years of "
                "experience if it states one, and its requirement, nice-to-have and "
                "responsibility lines copied as written. Include nothing the posting does not say.",
            ),
            Requirements,
        )

    async def tailor(
        self, resume: dict[str, Any], posting: PostingDoc, needs: Requirements, facts: Facts
    ) -> TailorPlan:
        """A plan that reorders and rephrases what the resume says, aimed at the posting."""
        work = [
            {
                "work_index": i,
                "employer": job.get("name"),
                "position": job.get("position"),
                "highlights": {str(j): h for j, h in enumerate(job.get("highlights") or [])},
            }
            for i, job in enumerate(resume.get("work") or [])
        ]
        return await self._complete(
            "tailor",
            self._messages(
                _posting_block(posting),
                "WHAT THE POSTING ASKS FOR\n" + needs.model_dump_json(),
                _resume_block(resume),
                "JOBS WITH NUMBERED HIGHLIGHTS\n" + json.dumps(work, ensure_ascii=False),
                "TASK\nTailor the resume to the posting without adding anything: for each job, "
                "order its highlight indexes most relevant first (every index exactly once) and "
                "optionally rephrase a highlight so the posting's wording shows, keeping every "
                "fact, number and name as the resume states it; give a reason for each change. "
                "Optionally write a summary from the resume's facts only, and order the skill "
                "groups by relevance. Never mention a skill the resume does not show.",
            ),
            TailorPlan,
        )

    async def letter(
        self,
        resume: dict[str, Any],
        profile: dict[str, Any] | None,
        posting: PostingDoc,
        needs: Requirements,
        facts: Facts,
    ) -> LetterDraft:
        """A cover letter in the model's words, from the resume's facts."""
        return await self._complete(
            "cover_letter",
            self._messages(
                _posting_block(posting),
                _resume_block(resume),
                _profile_block(profile),
                "TASK\nWrite a short cover letter (greeting, three or four paragraphs, sign-off "
                "with the candidate's name) for this posting. Every claim about the candidate "
                "must come from the resume or profile above; do not mention skills the "
                "candidate lacks.",
            ),
            LetterDraft,
        )

    async def answer(
        self,
        question: str,
        resume: dict[str, Any] | None,
        profile: dict[str, Any] | None,
        posting: PostingDoc | None,
    ) -> str | None:
        """The model's draft, or None when it says the facts do not answer the question."""
        blocks = [_resume_block(resume or {}), _profile_block(profile)]
        if posting is not None:
            blocks.insert(0, _posting_block(posting))
        blocks.append(
            "TASK\nDraft the candidate's answer to this application question, in the first "
            "person, from the facts above only. If they do not answer it, return answer: null."
            f"\n\nQUESTION\n{question}"
        )
        draft = await self._complete("answers", self._messages(*blocks), AnswerDraft)
        return draft.answer.strip() if draft.answer and draft.answer.strip() else None

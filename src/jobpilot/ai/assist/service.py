"""The writing tasks: read the user's facts and the posting, draft, check, answer.

Each task works the same way whoever drafts (a language model or the rules): the draft goes
through the grounding checker, and whatever claims more than the user's resume, profile or
answer bank is left out and reported. Model calls go through one path that serves repeated
requests from the cache, spends the user's monthly AI quota, and counts tokens per user.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, select, update

from jobpilot.ai.assist.plans import PostingSkill, Requirements
from jobpilot.ai.assist.requirements import PostingDoc, extract_requirements, years_stated
from jobpilot.ai.assist.screening import Question, ScreeningAnswers
from jobpilot.ai.assist.tailoring import apply_plan
from jobpilot.ai.assist.writers import LOCAL_RULES, ModelWriter, RulesWriter, Writer
from jobpilot.ai.errors import JobNotFound, ProviderRateLimited, ResumeNotFound
from jobpilot.ai.grounding import Facts, GroundingChecker, gather_facts
from jobpilot.ai.metrics import AI_CACHE_HITS, AI_REQUESTS, AI_TOKENS
from jobpilot.ai.models import AiCacheEntry, AiUsage
from jobpilot.ai.providers import ChatMessage, LlmError
from jobpilot.ai.schemas import (
    AiUsageRead,
    AnswersRequest,
    AnswersResult,
    CoverLetterRequest,
    CoverLetterResult,
    ExtractedSkill,
    ExtractRequest,
    ExtractResult,
    Refusal,
    ResumeChange,
    ScreeningAnswer,
    TailorRequest,
    TailorResult,
    TokenUsage,
    UsageRow,
    VersionRef,
)
from jobpilot.ai.service import AiComponents, AiService
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import insert_or_ignore
from jobpilot.resumes.public import LatestVersion, TailoredSource
from jobpilot.users.public import UsersFacade

S = TypeVar("S", bound=BaseModel)
AI_QUOTA = "ai_requests"
_WORD = re.compile(r"[a-z0-9+#]{3,}")
# A line "as written" in the posting shares at least this share of its words with it.
_LINE_OVERLAP = 0.7


@dataclass(frozen=True)
class Caller:
    """Who asks: their id and subscription tier (for the quota)."""

    user_id: uuid.UUID
    tier: str


@dataclass
class _Run:
    """The model calls of one request: tokens, calls and cache hits."""

    task: str
    caller: Caller
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_calls: int = 0
    cached_calls: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def usage(self) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            model_calls=self.model_calls,
            cached_calls=self.cached_calls,
        )


@dataclass(frozen=True)
class PlatformUsage:
    """Every user's writing requests and tokens in one month, and what they cost."""

    month: datetime
    requests: int
    prompt_tokens: int
    completion_tokens: int
    # US dollars at the configured prices (ai.llm.*_price_per_1k); local rules cost nothing.
    spend: float
    # The provider drafting now (`local-rules` or `openai-compatible`).
    provider: str


def _month(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class WritingService:
    """Extraction, tailoring, cover letters and screening answers for one user at a time."""

    def __init__(self, components: AiComponents) -> None:
        self.c = components
        self.checker = GroundingChecker(components.skills)
        self.screening = ScreeningAnswers(components.skills)

    @property
    def provider(self) -> str:
        """Who drafts: `local-rules` or the configured model provider."""
        return self.c.llm.provider if self.c.llm is not None else LOCAL_RULES

    # The four tasks.

    async def extract(self, caller: Caller, body: ExtractRequest) -> ExtractResult:
        """What a posting asks of a candidate."""
        if body.job_id is not None:
            posting = await self._posting(body.job_id)
        else:
            assert body.text is not None
            posting = PostingDoc(body.title, body.company, body.text)
        run = _Run("extract", caller)
        async with self._metered(run) as writer:
            baseline = extract_requirements(posting, self.c.skills)
            drafted = await writer.requirements(posting, baseline)
            needs = baseline if drafted is baseline else self._as_written(drafted, posting, run)
        skills = [
            ExtractedSkill(name=s.name, skill_id=self._skill_id(s.name), required=s.required)
            for s in needs.skills
        ]
        return ExtractResult(
            **self._result(run),
            job_id=str(body.job_id) if body.job_id else None,
            skills=skills,
            years_min=needs.years_min,
            requirements=needs.requirements,
            nice_to_have=needs.nice_to_have,
            responsibilities=needs.responsibilities,
            refused=run.refused,
        )

    async def tailor(self, caller: Caller, body: TailorRequest) -> TailorResult:
        """A new variant of the resume fitted to the posting, every change listed with why."""
        latest = await self._resume(caller, body.resume_id)
        posting = await self._posting(body.job_id)
        profile = await self._profile(caller.user_id)
        facts = self._facts(latest.document, profile)
        needs = extract_requirements(posting, self.c.skills)
        run = _Run("tailor", caller)
        async with self._metered(run) as writer:
            plan = await writer.tailor(latest.document, posting, needs, facts)
        tailored = apply_plan(latest.document, plan, self.checker, facts, posting)
        run.refused.extend(
            Refusal(path=r.path, text=r.text, reasons=r.reasons) for r in tailored.refused
        )
        changes = [
            ResumeChange(path=c.path, kind=c.kind, before=c.before, after=c.after, reason=c.reason)
            for c in tailored.changes
        ]
        name = body.name or f"{posting.title} at {posting.company}"[:120].strip()
        note = f"Tailored to {posting.title} at {posting.company}: {len(changes)} change(s)"
        meta = {
            "tailored_for": {
                "job_id": str(body.job_id),
                "title": posting.title,
                "company": posting.company,
            },
            "provider": self.provider,
            "model": self.c.llm.model_id if self.c.llm else None,
            "changes": [c.model_dump(mode="json") for c in changes],
        }
        resume_id, version = await self.c.resumes.save_tailored(
            caller.user_id,
            caller.tier,
            TailoredSource(latest.resume_id, latest.number),
            tailored.document,
            name=name,
            note=note[:300],
            meta=meta,
        )
        owned = set(facts.skill_ids)
        fit = AiService(self.c).skill_fit(owned, f"{posting.title}\n{posting.text}")
        return TailorResult(
            **self._result(run),
            resume_id=str(resume_id),
            version=version,
            source=VersionRef(resume_id=str(latest.resume_id), version=latest.number),
            job_id=str(body.job_id),
            changes=changes,
            refused=run.refused,
            skills=fit,
        )

    async def cover_letter(self, caller: Caller, body: CoverLetterRequest) -> CoverLetterResult:
        """A cover letter for the posting whose every claim comes from the user's facts."""
        latest = await self._resume(caller, body.resume_id)
        posting = await self._posting(body.job_id)
        profile = await self._profile(caller.user_id)
        facts = self._facts(latest.document, profile)
        needs = extract_requirements(posting, self.c.skills)
        run = _Run("cover_letter", caller)
        async with self._metered(run) as writer:
            draft = await writer.letter(latest.document, profile, posting, needs, facts)
        paragraphs = []
        for n, paragraph in enumerate(draft.paragraphs):
            kept, removed = self.checker.filter_sentences(paragraph, facts, **posting.names())
            run.refused.extend(
                Refusal(path=f"paragraphs[{n}]", text=s, reasons=[v.message for v in why])
                for s, why in removed
            )
            if kept.strip():
                paragraphs.append(kept.strip())
        return CoverLetterResult(
            **self._result(run),
            job_id=str(body.job_id),
            source=VersionRef(resume_id=str(latest.resume_id), version=latest.number),
            letter="\n\n".join(paragraphs),
            paragraphs=paragraphs,
            refused=run.refused,
        )

    async def answers(self, caller: Caller, body: AnswersRequest) -> AnswersResult:
        """Answers to screening questions: facts from storage, free text drafted and checked."""
        posting = await self._posting(body.job_id) if body.job_id else None
        countries = await self._countries(body.job_id) if body.job_id else []
        resume = (await self._resume(caller, body.resume_id)).document if body.resume_id else None
        profile = await self._profile(caller.user_id)
        facts = self._facts(resume, profile)
        run = _Run("answers", caller)
        out: list[ScreeningAnswer] = []
        async with self._metered(run) as writer:
            for q in body.questions:
                question = Question(q.text, q.id, tuple(q.options))
                stored = self.screening.answer(question, profile, facts, countries)
                if stored is not None:
                    out.append(
                        ScreeningAnswer(
                            id=q.id,
                            question=q.text,
                            kind=stored.kind,
                            status=stored.status,
                            answer=stored.answer,
                            source=stored.source,
                            reason=stored.reason,
                        )
                    )
                    continue
                out.append(
                    await self._free_text(writer, q.id, q.text, resume, profile, posting, facts)
                )
        return AnswersResult(**self._result(run), answers=out)

    async def _free_text(
        self,
        writer: Writer,
        qid: str | None,
        text: str,
        resume: dict[str, Any] | None,
        profile: dict[str, Any] | None,
        posting: PostingDoc | None,
        facts: Facts,
    ) -> ScreeningAnswer:
        draft = await writer.answer(text, resume, profile, posting)
        refused: list[Refusal] = []
        if draft:
            names = posting.names() if posting is not None else {}
            kept, removed = self.checker.filter_sentences(draft, facts, **names)
            refused = [
                Refusal(path="answer", text=s, reasons=[v.message for v in why])
                for s, why in removed
            ]
            if kept.strip():
                return ScreeningAnswer(
                    id=qid,
                    question=text,
                    kind="free_text",
                    status="answered",
                    answer=kept.strip(),
                    source="model",
                    reason="Drafted from your resume and profile; review it before sending.",
                    refused=refused,
                )
        reason = (
            "No stored answer fits this question; answer it yourself or add it to your answer bank."
            if writer.provider == LOCAL_RULES
            else "Your resume and profile do not answer this question."
        )
        return ScreeningAnswer(
            id=qid,
            question=text,
            kind="free_text",
            status="needs_user_input",
            answer=None,
            source=None,
            reason=reason,
            refused=refused,
        )

    # Usage and erasure.

    async def usage(self, user_id: uuid.UUID, month: datetime | None = None) -> AiUsageRead:
        """The user's writing requests and tokens in `month` (default: this month)."""
        start = _month(month or utcnow())
        async with self.c.db.unit_of_work() as session:
            rows = list(
                await session.scalars(
                    select(AiUsage)
                    .where(AiUsage.user_id == user_id, AiUsage.month == start)
                    .order_by(AiUsage.task, AiUsage.provider)
                )
            )
        by_task = [
            UsageRow(
                task=r.task,
                provider=r.provider,
                requests=r.requests,
                cached=r.cached,
                prompt_tokens=r.prompt_tokens,
                completion_tokens=r.completion_tokens,
            )
            for r in rows
        ]
        return AiUsageRead(
            month=start.strftime("%Y-%m"),
            requests=sum(r.requests for r in by_task),
            prompt_tokens=sum(r.prompt_tokens for r in by_task),
            completion_tokens=sum(r.completion_tokens for r in by_task),
            by_task=by_task,
        )

    async def platform_usage(self, now: datetime) -> PlatformUsage:
        """Every user's writing requests and tokens in the month of `now`, and their cost at
        the configured prices per 1,000 tokens."""
        start = _month(now)
        async with self.c.db.unit_of_work() as session:
            rows = (
                await session.execute(
                    select(
                        AiUsage.provider,
                        func.sum(AiUsage.requests),
                        func.sum(AiUsage.prompt_tokens),
                        func.sum(AiUsage.completion_tokens),
                    )
                    .where(AiUsage.month == start)
                    .group_by(AiUsage.provider)
                )
            ).all()
        prices = self.c.settings.llm
        requests = prompt = completion = 0
        spend = 0.0
        for provider, n, p_tokens, c_tokens in rows:
            requests += int(n or 0)
            prompt += int(p_tokens or 0)
            completion += int(c_tokens or 0)
            if provider != LOCAL_RULES:
                spend += int(p_tokens or 0) / 1000 * prices.prompt_price_per_1k
                spend += int(c_tokens or 0) / 1000 * prices.completion_price_per_1k
        return PlatformUsage(
            month=start,
            requests=requests,
            prompt_tokens=prompt,
            completion_tokens=completion,
            spend=spend,
            provider=self.provider,
        )

    async def forget_user(self, user_id: uuid.UUID) -> None:
        """Erase a deleted user's cached answers and usage."""
        async with self.c.db.unit_of_work(write=True) as session:
            await session.execute(delete(AiCacheEntry).where(AiCacheEntry.user_id == user_id))
            await session.execute(delete(AiUsage).where(AiUsage.user_id == user_id))

    async def purge_cache(self) -> int:
        """Drop expired cached answers; how many."""
        async with self.c.db.unit_of_work(write=True) as session:
            result = await session.execute(
                delete(AiCacheEntry).where(AiCacheEntry.expires_at < utcnow())
            )
        return int(getattr(result, "rowcount", 0) or 0)

    # Reading what the tasks work from.

    async def _resume(self, caller: Caller, resume_id: uuid.UUID) -> LatestVersion:
        latest = await self.c.resumes.latest(resume_id)
        if latest is None or latest.user_id != caller.user_id:
            raise ResumeNotFound
        return latest

    async def _posting(self, job_id: uuid.UUID) -> PostingDoc:
        found = await self.c.jobs.posting_texts([job_id])
        if not found:
            raise JobNotFound
        return PostingDoc(found[0].title, found[0].company, found[0].description_text)

    async def _countries(self, job_id: uuid.UUID) -> list[str]:
        found = await self.c.jobs.posting_texts([job_id])
        return list(found[0].countries) if found else []

    async def _profile(self, user_id: uuid.UUID) -> dict[str, Any]:
        async with self.c.db.unit_of_work() as session:
            return await UsersFacade(session, self.c.users).profile(user_id)

    def _facts(self, resume: dict[str, Any] | None, profile: dict[str, Any] | None) -> Facts:
        return gather_facts(resume, profile, self.c.skills, today=utcnow().date())

    def _skill_id(self, name: str) -> str | None:
        found = self.c.skills.mentions(name)
        return found[0].id if found else None

    def _as_written(self, drafted: Requirements, posting: PostingDoc, run: _Run) -> Requirements:
        """A model's extraction, keeping only what the posting says."""
        text = f"{posting.title}\n{posting.text}"
        lowered = text.lower()
        named = {s.id for s in self.c.skills.mentions(text)}
        words = set(_WORD.findall(lowered))
        skills: list[PostingSkill] = []
        for skill in drafted.skills:
            ids = {s.id for s in self.c.skills.mentions(skill.name)}
            literal = re.search(rf"(?<!\w){re.escape(skill.name.lower())}(?!\w)", lowered)
            if (ids & named) or literal:
                skills.append(skill)
            else:
                run.refused.append(
                    Refusal(
                        path="skills", text=skill.name, reasons=["The posting does not name it."]
                    )
                )

        def as_written(kind: str, lines: list[str]) -> list[str]:
            kept = []
            for line in lines:
                line_words = set(_WORD.findall(line.lower()))
                if line_words and len(line_words & words) / len(line_words) >= _LINE_OVERLAP:
                    kept.append(line)
                else:
                    reason = "The posting does not say this."
                    run.refused.append(Refusal(path=kind, text=line, reasons=[reason]))
            return kept

        years = drafted.years_min
        if years is not None and years not in years_stated(text):
            refusal = Refusal(
                path="years_min", text=str(years), reasons=["The posting does not say this."]
            )
            run.refused.append(refusal)
            years = None
        return Requirements(
            skills=skills,
            years_min=years,
            requirements=as_written("requirements", drafted.requirements),
            nice_to_have=as_written("nice_to_have", drafted.nice_to_have),
            responsibilities=as_written("responsibilities", drafted.responsibilities),
        )

    # Model calls: cache, quota, usage, metrics.

    def _result(self, run: _Run) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.c.llm.model_id if self.c.llm else None,
            "cached": run.cached_calls > 0 and run.model_calls == 0,
            "usage": run.usage(),
        }

    def _metered(self, run: _Run) -> _Metered:
        return _Metered(self, run)

    def writer(self, run: _Run) -> Writer:
        """The rules, or the configured model reached through the metered call."""
        llm = self.c.llm
        if llm is None:
            return RulesWriter(self.c.skills)

        async def complete(task: str, messages: Sequence[ChatMessage], schema: type[S]) -> S:
            return await self._complete(run, task, messages, schema)

        return ModelWriter(complete, llm.provider, llm.model_id)

    def _cache_key(
        self, run: _Run, task: str, messages: Sequence[ChatMessage], schema: type[BaseModel]
    ) -> str:
        assert self.c.llm is not None
        payload = {
            "user": str(run.caller.user_id),
            "provider": self.c.llm.provider,
            "model": self.c.llm.model_id,
            "task": task,
            "schema": schema.__name__,
            "messages": [[m.role, m.content] for m in messages],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def _complete(
        self, run: _Run, task: str, messages: Sequence[ChatMessage], schema: type[S]
    ) -> S:
        llm = self.c.llm
        assert llm is not None
        key = self._cache_key(run, task, messages, schema)
        async with self.c.db.unit_of_work() as session:
            entry = await session.get(AiCacheEntry, key)
            if entry is not None and entry.expires_at > utcnow():
                try:
                    value = schema.model_validate(entry.value)
                except ValidationError:
                    value = None
                if value is not None:
                    run.cached_calls += 1
                    AI_CACHE_HITS.labels(task).inc()
                    return value
        async with self.c.db.unit_of_work(write=True) as session:
            await UsersFacade(session, self.c.users).consume_quota(
                run.caller.user_id, run.caller.tier, AI_QUOTA
            )
        try:
            completion = await llm.complete_json(messages, schema, name=task)
        except LlmError:
            async with self.c.db.unit_of_work(write=True) as session:
                await UsersFacade(session, self.c.users).release_quota(run.caller.user_id, AI_QUOTA)
            raise
        run.model_calls += 1
        run.prompt_tokens += completion.prompt_tokens
        run.completion_tokens += completion.completion_tokens
        AI_TOKENS.labels(llm.provider, task, "prompt").inc(completion.prompt_tokens)
        AI_TOKENS.labels(llm.provider, task, "completion").inc(completion.completion_tokens)
        now = utcnow()
        async with self.c.db.unit_of_work(write=True) as session:
            await session.execute(delete(AiCacheEntry).where(AiCacheEntry.key == key))
            session.add(
                AiCacheEntry(
                    key=key,
                    user_id=run.caller.user_id,
                    task=task,
                    model=llm.model_id,
                    value=completion.value.model_dump(mode="json"),
                    created_at=now,
                    expires_at=now + timedelta(hours=self.c.settings.cache_ttl_hours),
                )
            )
        return completion.value

    async def record(self, run: _Run) -> None:
        """Add one request and its tokens to the user's usage of this month."""
        keys = {
            "user_id": run.caller.user_id,
            "month": _month(utcnow()),
            "task": run.task,
            "provider": self.provider,
        }
        async with self.c.db.unit_of_work(write=True) as session:
            await session.execute(
                insert_or_ignore(
                    session,
                    AiUsage,
                    list(keys),
                    **keys,
                    requests=0,
                    cached=0,
                    prompt_tokens=0,
                    completion_tokens=0,
                )
            )
            await session.execute(
                update(AiUsage)
                .where(*(getattr(AiUsage, k) == v for k, v in keys.items()))
                .values(
                    requests=AiUsage.requests + 1,
                    cached=AiUsage.cached + run.cached_calls,
                    prompt_tokens=AiUsage.prompt_tokens + run.prompt_tokens,
                    completion_tokens=AiUsage.completion_tokens + run.completion_tokens,
                )
                .execution_options(synchronize_session=False)
            )


class _Metered:
    """`async with` around a task's drafting: counts the request by outcome, records usage, and
    turns a provider's lasting rate limit into a 503 with Retry-After."""

    def __init__(self, service: WritingService, run: _Run) -> None:
        self._service = service
        self._run = run

    async def __aenter__(self) -> Writer:
        return self._service.writer(self._run)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        service, run = self._service, self._run
        status = "success"
        if isinstance(exc, LlmError):
            status = "rate_limited" if exc.rate_limited else "error"
        elif exc is not None:
            status = "error"
        AI_REQUESTS.labels(service.provider, run.task, status).inc()
        await service.record(run)
        if isinstance(exc, LlmError) and exc.rate_limited:
            headers = (
                {"Retry-After": str(max(1, round(exc.retry_after)))} if exc.retry_after else None
            )
            raise ProviderRateLimited(headers=headers) from exc

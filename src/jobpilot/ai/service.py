"""The ai domain's rules: which postings and resumes have vectors, and of which model."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from jobpilot.ai.config import AiSettings, MatchWeights
from jobpilot.ai.embeddings import (
    Embedder,
    embed_document,
    embed_documents,
    posting_chunks,
    resume_chunks,
)
from jobpilot.ai.errors import ResumeNotFound
from jobpilot.ai.grounding import gather_facts
from jobpilot.ai.lexical import lexical_scores
from jobpilot.ai.providers import ChatModel
from jobpilot.ai.schemas import (
    Match,
    MatchExplanation,
    MatchFilters,
    MatchList,
    SeniorityFit,
    SkillFit,
)
from jobpilot.ai.vectors import VectorFilter, VectorHit, VectorIndex, VectorItem
from jobpilot.ai.vectors.base import Attr
from jobpilot.jobs.public import JobsFacade, PostingText, seniority_of
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database
from jobpilot.resumes.public import ResumesFacade
from jobpilot.users.public import SkillsFacade, UsersComponents

AppliedLookup = Callable[[uuid.UUID], Awaitable["AppliedPostings"]]


class AppliedPostings(Protocol):
    """Postings a user applied to: their ids, and their repost keys."""

    @property
    def job_ids(self) -> frozenset[uuid.UUID]: ...

    @property
    def posting_keys(self) -> frozenset[str]: ...


# What the vector index calls the vectors of postings and of resumes.
POSTING, RESUME = "posting", "resume"
# Postings embedded per call to the model.
EMBED_BATCH = 32
# Postings and resumes one reindexing step embeds at most (a minute or so on two cores).
REINDEX_STEP = 1000
LocationFit = Literal["remote", "same_country", "elsewhere", "unknown"]


@dataclass
class AiComponents:
    """The embedding model, the vector index, the language model (None: the rules write) and
    the facades the ai domain reads through."""

    settings: AiSettings
    embedder: Embedder
    vectors: VectorIndex
    jobs: JobsFacade
    resumes: ResumesFacade
    skills: SkillsFacade
    db: Database
    users: UsersComponents
    llm: ChatModel | None = None
    # The postings a user has applied to, by id and by repost key (from the applications
    # domain; wiring hands it in so that neither domain imports the other).
    applied: AppliedLookup | None = None


@dataclass(frozen=True)
class Indexed:
    """What one indexing pass did."""

    embedded: int
    removed: int


@dataclass(frozen=True)
class Reindexed:
    """What one reindexing step did, and how much is left for the next."""

    postings: int
    resumes: int
    removed: int
    remaining: int


def posting_attrs(posting: PostingText) -> dict[str, Attr]:
    """What a match search filters a posting's vector on."""
    attrs: dict[str, Attr] = {
        "countries": posting.countries,
        "listed": posting.listed_at.timestamp(),
    }
    for key, value in (
        ("workplace", posting.workplace),
        ("employment_type", posting.employment_type),
        ("seniority", posting.seniority),
    ):
        if value:
            attrs[key] = value
    if posting.salary_yearly_max is not None:
        attrs["salary"] = posting.salary_yearly_max
    return attrs


class AiService:
    """Keeps the vectors of postings and resumes in step with their text."""

    def __init__(self, components: AiComponents) -> None:
        self.c = components

    async def index_postings(self, ids: Sequence[uuid.UUID]) -> Indexed:
        """Embed the open postings among `ids` and forget the vectors of the others."""
        postings = [p for p in await self.c.jobs.posting_texts(ids) if p.open]
        gone = set(ids) - {p.id for p in postings}
        if gone:
            await self.c.vectors.delete(POSTING, gone)
        model = self.c.embedder.model_id
        for start in range(0, len(postings), EMBED_BATCH):
            batch = postings[start : start + EMBED_BATCH]
            vectors = await embed_documents(
                self.c.embedder,
                [posting_chunks(p.title, p.company, p.description_text) for p in batch],
            )
            await self.c.vectors.upsert(
                POSTING,
                model,
                [
                    VectorItem(p.id, vector, posting_attrs(p))
                    for p, vector in zip(batch, vectors, strict=True)
                ],
            )
        return Indexed(embedded=len(postings), removed=len(gone))

    async def reindex(self, limit: int = REINDEX_STEP) -> Reindexed:
        """Bring the vectors in step with the current model: embed up to `limit` open postings
        and resumes that have no vector of it, drop vectors of postings no longer open, and,
        once everything has one, the vectors of other models.

        Run after an upgrade (postings stored before vectors existed), after the embedding
        model changed, or to repair; `remaining` says how much a next step has to do.
        """
        model = self.c.embedder.model_id
        open_ids = set(await self.c.jobs.open_posting_ids())
        have = await self.c.vectors.ids(POSTING, model)
        stale = have - open_ids
        if stale:
            await self.c.vectors.delete(POSTING, stale)
        missing_postings = sorted(open_ids - have)
        postings = missing_postings[:limit]
        for start in range(0, len(postings), EMBED_BATCH * 4):
            await self.index_postings(postings[start : start + EMBED_BATCH * 4])
        resume_ids = set(await self.c.resumes.resume_ids())
        missing_resumes = sorted(resume_ids - await self.c.vectors.ids(RESUME, model))
        resumes = missing_resumes[: max(0, limit - len(postings))]
        for resume_id in resumes:
            await self.index_resume(resume_id)
        remaining = len(missing_postings) - len(postings) + len(missing_resumes) - len(resumes)
        removed = len(stale)
        if remaining == 0:
            for kind in (POSTING, RESUME):
                removed += await self.c.vectors.forget_other_models(kind, model)
        return Reindexed(len(postings), len(resumes), removed, remaining)

    async def index_resume(self, resume_id: uuid.UUID) -> bool:
        """Embed a resume's latest version; False (and no vector) when it is gone or empty."""
        latest = await self.c.resumes.latest(resume_id)
        chunks = resume_chunks(latest.document) if latest is not None else []
        if latest is None or not chunks:
            await self.c.vectors.delete(RESUME, [resume_id])
            return False
        vector = await embed_document(self.c.embedder, chunks)
        attrs: dict[str, Attr] = {"user": str(latest.user_id), "version": latest.number}
        await self.c.vectors.upsert(
            RESUME, self.c.embedder.model_id, [VectorItem(resume_id, vector, attrs)]
        )
        return True

    async def forget_resume(self, resume_id: uuid.UUID) -> None:
        """Drop a deleted resume's vectors."""
        await self.c.vectors.delete(RESUME, [resume_id])

    async def matches(
        self, user_id: uuid.UUID, resume_id: uuid.UUID, filters: MatchFilters
    ) -> MatchList:
        """The open postings closest to one of the user's resumes, best first."""
        latest = await self.c.resumes.latest(resume_id)
        if latest is None or latest.user_id != user_id:
            raise ResumeNotFound
        model = self.c.embedder.model_id
        stored = await self.c.vectors.get(RESUME, model, resume_id)
        if stored is None or stored.attrs.get("version") != latest.number:
            # Not embedded yet (the task is behind): one resume is quick to embed here.
            if not await self.index_resume(resume_id):
                return MatchList(
                    resume_id=str(resume_id), resume_version=latest.number, model=model, matches=[]
                )
            stored = await self.c.vectors.get(RESUME, model, resume_id)
            assert stored is not None
        pool = min(1000, filters.k * self.c.settings.match_candidates)
        applied_keys: frozenset[str] = frozenset()
        vector_filter = _posting_filter(filters)
        if filters.exclude_applied and self.c.applied is not None:
            applied = await self.c.applied(user_id)
            applied_keys = applied.posting_keys
            vector_filter = replace(vector_filter, exclude=applied.job_ids)
        hits = await self.c.vectors.search(POSTING, model, stored.vector, pool, vector_filter)
        ids = [hit.id for hit in hits]
        texts = {p.id: p for p in await self.c.jobs.posting_texts(ids, with_summary=True)}
        resume_text = _resume_text(latest.document)
        owned = {skill.id for skill in self.c.skills.mentions(resume_text)}
        home = _resume_country(latest.document)
        years = gather_facts(latest.document, None, self.c.skills, today=utcnow().date())
        level = resume_level(latest.document, years.years_total)
        weights = self.c.settings.match_weights
        candidates: list[tuple[VectorHit, PostingText, dict[str, Any]]] = []
        for hit in hits:
            text = texts.get(hit.id)
            if text is None or text.summary is None or not text.open:
                continue
            if text.dedup_key and text.dedup_key in applied_keys:
                continue  # a repost of a job already applied to
            candidates.append((hit, text, text.summary))
        wording = [f"{text.title}\n{text.description_text}" for _, text, _ in candidates]
        # The IDF is taken over the postings being ranked, so the words that set them apart count.
        lexical = lexical_scores(resume_text, wording)
        matches = []
        for (hit, text, job), posting_text, words in zip(candidates, wording, lexical, strict=True):
            fit = self.skill_fit(owned, posting_text)
            levels = seniority_fit(text.seniority, level)
            score = combined_score(hit.score, fit.score, weights, levels.score, words)
            matches.append(
                Match(
                    job=job,
                    score=round(score, 4),
                    explanation=MatchExplanation(
                        similarity=round(hit.score, 4),
                        lexical=round(words, 4),
                        skills=fit,
                        seniority=levels,
                        location=_location_fit(job, home),
                    ),
                )
            )
        matches.sort(key=lambda match: match.score, reverse=True)
        return MatchList(
            resume_id=str(resume_id),
            resume_version=latest.number,
            model=model,
            matches=matches[: filters.k],
        )

    def skill_fit(self, owned_ids: set[str], posting_text: str) -> SkillFit:
        """Which skills a posting names that the resume meets, and which it does not."""
        wanted = self.c.skills.mentions(posting_text)
        matched = [s.name for s in wanted if self.c.skills.satisfies(owned_ids, s.id)]
        missing = [s.name for s in wanted if not self.c.skills.satisfies(owned_ids, s.id)]
        score = round(len(matched) / len(wanted), 4) if wanted else None
        return SkillFit(matched=matched, missing=missing, score=score)


def combined_score(
    similarity: float,
    skills: float | None,
    weights: MatchWeights,
    seniority: float | None = None,
    lexical: float | None = None,
) -> float:
    """Similarity, skill fit, seniority fit and shared wording weighed together; a part that is
    unknown (no skill named, no level known, wording not compared) leaves the weighing."""
    parts = [(weights.similarity, similarity)]
    if skills is not None:
        parts.append((weights.skills, skills))
    if seniority is not None:
        parts.append((weights.seniority, seniority))
    if lexical is not None:
        parts.append((weights.lexical, lexical))
    total = sum(weight for weight, _ in parts)
    if total == 0:
        return similarity
    return sum(weight * value for weight, value in parts) / total


# Levels in order; lead, staff and manager are one rung (different ladders, same height).
_LEVELS = {
    "intern": 0,
    "junior": 1,
    "mid": 2,
    "senior": 3,
    "lead": 4,
    "staff": 4,
    "manager": 4,
    "principal": 5,
    "director": 6,
    "executive": 7,
}


def resume_level(document: dict[str, Any], years: float | None) -> str | None:
    """The resume's level: what its latest title says, else what its years of work suggest."""
    for job in document.get("work") or []:
        title = job.get("position") if isinstance(job, dict) else None
        if isinstance(title, str) and title.strip():
            level = seniority_of(title)
            if level is not None:
                return level
            break
    if years is None:
        return None
    return "junior" if years < 2 else "mid" if years < 5 else "senior"


def seniority_fit(posting: str | None, resume: str | None) -> SeniorityFit:
    """How far apart the posting's level and the resume's are."""
    if posting not in _LEVELS or resume not in _LEVELS:
        return SeniorityFit(posting=posting, resume=resume, fit="unknown", score=None)
    assert posting is not None
    assert resume is not None
    gap = _LEVELS[posting] - _LEVELS[resume]
    fit: Literal["match", "stretch", "step_down", "above", "below"] = (
        "match" if gap == 0 else "stretch" if gap == 1 else "step_down" if gap == -1
        else "above" if gap > 1 else "below"
    )  # fmt: skip
    score = 1.0 if gap == 0 else 0.5 if abs(gap) == 1 else 0.0
    return SeniorityFit(posting=posting, resume=resume, fit=fit, score=score)


def _resume_text(document: dict[str, Any]) -> str:
    return "\n".join(resume_chunks(document))


def _posting_filter(filters: MatchFilters) -> VectorFilter:
    any_of: dict[str, list[str]] = {}
    if filters.remote:
        any_of["workplace"] = list(filters.remote)
    if filters.country:
        any_of["countries"] = filters.country
    at_least: dict[str, float] = {}
    if filters.salary_min is not None:
        at_least["salary"] = filters.salary_min
    within = filters.within()
    if within is not None:
        at_least["listed"] = (utcnow() - within).timestamp()
    return VectorFilter(any_of=any_of, at_least=at_least)


def _resume_country(document: dict[str, Any]) -> str | None:
    basics = document.get("basics")
    location = basics.get("location") if isinstance(basics, dict) else None
    code = location.get("countryCode") if isinstance(location, dict) else None
    return code.strip().upper() if isinstance(code, str) and code.strip() else None


def _location_fit(job: dict[str, Any], home: str | None) -> LocationFit:
    if job.get("workplace") == "remote":
        return "remote"
    if home is None or not job.get("country"):
        return "unknown"
    return "same_country" if job["country"] == home else "elsewhere"

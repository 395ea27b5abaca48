"""The ai domain's rules: which postings and resumes have vectors, and of which model."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from jobpilot.ai.config import AiSettings
from jobpilot.ai.embeddings import (
    Embedder,
    embed_document,
    embed_documents,
    posting_chunks,
    resume_chunks,
)
from jobpilot.ai.vectors import VectorIndex, VectorItem
from jobpilot.ai.vectors.base import Attr
from jobpilot.jobs.public import JobsFacade, PostingText
from jobpilot.resumes.public import ResumesFacade

# What the vector index calls the vectors of postings and of resumes.
POSTING, RESUME = "posting", "resume"
# Postings embedded per call to the model.
EMBED_BATCH = 32


@dataclass
class AiComponents:
    """The embedding model, the vector index and the facades the ai domain reads through."""

    settings: AiSettings
    embedder: Embedder
    vectors: VectorIndex
    jobs: JobsFacade
    resumes: ResumesFacade


@dataclass(frozen=True)
class Indexed:
    """What one indexing pass did."""

    embedded: int
    removed: int


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

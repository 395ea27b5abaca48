"""Match quality on RJDB: vector similarity, BM25, and the product's combined score.

RJDB (../shared/fixtures/matching/rjdb/test_first800.jsonl, see SOURCES.md there) holds per line
a job description, a résumé written for it, and a weaker twin of that résumé (skills or years
taken out). As the product does, each résumé asks for jobs: query = the matched résumé of line
i, candidates = all the job descriptions, relevant = job i. Printed per method:

  MRR, nDCG@10, P@5, recall@10   the ranking of the right job among all jobs
  pairwise accuracy             score(job i, matched résumé) > score(job i, its weaker twin)

Methods: `vector` (cosine of the local model's chunked embeddings), `bm25` (Okapi BM25, k1 1.2,
b 0.75, the job descriptions as documents), and `combined` (the matches endpoint's score: the
configured weights of similarity and taxonomy skill fit).

    BENCH_TRIPLES=800 .venv/bin/python bench/bench_match_quality.py
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from jobpilot.ai.config import MatchWeights
from jobpilot.ai.embeddings import LocalEmbedder, embed_documents
from jobpilot.ai.embeddings.chunking import posting_chunks
from jobpilot.ai.service import combined_score
from jobpilot.users.public import SkillsFacade

TRIPLES = int(os.environ.get("BENCH_TRIPLES", "800"))
RJDB = Path(__file__).resolve().parents[2] / "shared/fixtures/matching/rjdb/test_first800.jsonl"
_WORD = re.compile(r"[a-z0-9#+]+")


def chunks(text: str) -> list[str]:
    """A Markdown-ish text as chunks of paragraphs (as postings are chunked)."""
    lines = [line.strip("#*- ").strip() for line in text.splitlines()]
    return posting_chunks("", "", "\n".join(line for line in lines if line)) or [text[:1000]]


class BM25:
    """Okapi BM25 over a fixed set of documents."""

    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(_WORD.findall(doc.lower())) for doc in documents]
        self.lengths = np.array([sum(doc.values()) for doc in self.docs], dtype=np.float64)
        self.average = float(self.lengths.mean())
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def scores(self, query: str) -> np.ndarray:
        words = Counter(_WORD.findall(query.lower()))
        out = np.zeros(len(self.docs))
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.average)
        for word in words:
            idf = self.idf.get(word)
            if idf is None:
                continue
            tf = np.array([doc.get(word, 0) for doc in self.docs], dtype=np.float64)
            out += idf * tf * (self.k1 + 1) / (tf + norm)
        return out


def ranking_figures(score_rows: np.ndarray) -> dict[str, float]:
    """MRR, nDCG@10, P@5 and recall@10 when row i's relevant column is i."""
    ranks = []
    for i, row in enumerate(score_rows):
        ranks.append(int((row > row[i]).sum()) + 1)
    r = np.array(ranks, dtype=np.float64)
    return {
        "MRR": float((1 / r).mean()),
        "nDCG@10": float(np.where(r <= 10, 1 / np.log2(r + 1), 0).mean()),
        "P@5": float(((r <= 5) / 5).mean()),
        "recall@10": float((r <= 10).mean()),
    }


def report(name: str, figures: dict[str, float], pairwise: float) -> None:
    shown = "   ".join(f"{key} {value:.3f}" for key, value in figures.items())
    print(f"  {name:9} {shown}   pairwise accuracy {pairwise:.3f}")


async def main() -> None:
    if not RJDB.exists():
        print(f"match quality: skipped ({RJDB} is absent)")
        return
    lines = RJDB.read_text(encoding="utf-8").splitlines()[:TRIPLES]
    records = [json.loads(line) for line in lines]
    jobs = [r["Job-Description"] for r in records]
    matched = [r["Resume-matched"] for r in records]
    weaker = [r["Resume-unmatched"] for r in records]
    print(f"match quality on RJDB: {len(records)} résumé queries over {len(jobs)} jobs")

    embedder = LocalEmbedder()
    started = time.perf_counter()
    job_vectors = await embed_documents(embedder, [chunks(t) for t in jobs])
    matched_vectors = await embed_documents(embedder, [chunks(t) for t in matched])
    weaker_vectors = await embed_documents(embedder, [chunks(t) for t in weaker])
    print(f"  (embedded {3 * len(records)} texts in {time.perf_counter() - started:.0f} s)")
    similarity = matched_vectors @ job_vectors.T
    weaker_similarity = np.einsum("ij,ij->i", weaker_vectors, job_vectors)

    bm25 = BM25(jobs)
    lexical = np.array([bm25.scores(text) for text in matched])
    weaker_lexical = np.array([bm25.scores(text)[i] for i, text in enumerate(weaker)])

    skills = SkillsFacade()
    wanted = [skills.mentions(job) for job in jobs]

    def fit(resume: str) -> Callable[[int], float | None]:
        owned = {s.id for s in skills.mentions(resume)}

        def score(j: int) -> float | None:
            if not wanted[j]:
                return None
            met = sum(skills.satisfies(owned, s.id) for s in wanted[j])
            return met / len(wanted[j])

        return score

    weights = MatchWeights()
    combined = np.array(
        [
            [combined_score(float(similarity[i, j]), fit_i(j), weights) for j in range(len(jobs))]
            for i, fit_i in enumerate(fit(text) for text in matched)
        ]
    )
    weaker_combined = np.array(
        [
            combined_score(float(weaker_similarity[i]), fit(text)(i), weights)
            for i, text in enumerate(weaker)
        ]
    )
    diagonal = np.arange(len(records))
    report(
        "vector",
        ranking_figures(similarity),
        float((similarity[diagonal, diagonal] > weaker_similarity).mean()),
    )
    report(
        "bm25",
        ranking_figures(lexical),
        float((lexical[diagonal, diagonal] > weaker_lexical).mean()),
    )
    report(
        "combined",
        ranking_figures(combined),
        float((combined[diagonal, diagonal] > weaker_combined).mean()),
    )
    print(f"  (combined: similarity weight {weights.similarity}, skills weight {weights.skills})")


if __name__ == "__main__":
    asyncio.run(main())

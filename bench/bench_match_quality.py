"""Match quality on RJDB: vector similarity, BM25, and the product's combined score.

RJDB (../shared/fixtures/matching/rjdb/test_first800.jsonl, provenance in the SOURCES.md one
folder up) holds per line a job description, a résumé written for it, and a weaker twin of that
résumé (skills or years taken out). As the product does, each résumé asks for jobs: query = the
matched résumé of line i, candidates = the job descriptions, relevant = job i. Printed per method:

  MRR, nDCG@10, P@5, recall@10   the ranking of the right job among the candidates
  pairwise accuracy             score(job i, matched résumé) > score(job i, its weaker twin)

Methods:

  vector               cosine of the local model's chunked embeddings
  bm25                 Okapi BM25 (k1 1.2, b 0.75), the job descriptions as documents
  combined (all jobs)  the matches endpoint's score (`combined_score` with the configured
                       `MatchWeights`: similarity, taxonomy skill fit, seniority fit, and the
                       lexical part of ai/lexical.py with its IDF over all 800 jobs)
  combined (product)   the endpoint's own procedure: the k * match_candidates (60) jobs closest
                       by vector are the candidates, the lexical IDF is taken over them, and
                       they are re-ranked by the combined score. A right job the vector search
                       missed is not found (adds 0 to MRR and nDCG). For pairwise accuracy each
                       résumé scores job i among its own 60 candidates (job i in place of the
                       60th when the search missed it).

The seniority part needs a level on both sides: a job's comes from its "Job title" line, a
résumé's from the product's `resume_level` and `gather_facts`. Those read a JSON Resume, and
RJDB's résumés are Markdown, so every line of the Experience section that holds a year range
("(2016 - 2020)", "from 2014 to 2016") is read as one job (position: the text before the years).

Last, the time the lexical part takes to score 60 and 300 candidates of ~3,700 characters.

    BENCH_TRIPLES=800 .venv/bin/python bench/bench_match_quality.py
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from jobpilot.ai.config import AiSettings
from jobpilot.ai.embeddings import LocalEmbedder, embed_documents
from jobpilot.ai.embeddings.chunking import posting_chunks
from jobpilot.ai.grounding import gather_facts
from jobpilot.ai.lexical import lexical_scores
from jobpilot.ai.schemas import MatchFilters
from jobpilot.ai.service import combined_score, resume_level, seniority_fit
from jobpilot.jobs.public import seniority_of
from jobpilot.users.public import SkillsFacade

TRIPLES = int(os.environ.get("BENCH_TRIPLES", "800"))
RJDB = Path(__file__).resolve().parents[2] / "shared/fixtures/matching/rjdb/test_first800.jsonl"
# "Now" for résumé jobs that run to the present: RJDB was written in 2023.
TODAY = date(2024, 1, 1)
_WORD = re.compile(r"[a-z0-9#+]+")
_JOB_TITLE = re.compile(r"job title\W*\n*\s*([^\n]+)", re.I)
_EXPERIENCE = re.compile(r"^\W*(work |professional )?experience\W*$", re.I | re.M)
_PERIOD = re.compile(
    r"((?:19|20)\d\d)\s*(?:-|\u2013|to)\s*((?:19|20)\d\d|present|current|now)\b", re.I
)


def chunks(text: str) -> list[str]:
    """A Markdown-ish text as chunks of paragraphs (as postings are chunked)."""
    lines = [line.strip("#*- ").strip() for line in text.splitlines()]
    return posting_chunks("", "", "\n".join(line for line in lines if line)) or [text[:1000]]


def job_level(text: str) -> str | None:
    """The seniority a job description's title states."""
    found = _JOB_TITLE.search(text)
    return seniority_of(found.group(1) if found else text.strip().splitlines()[0])


def resume_document(text: str) -> dict[str, Any]:
    """A Markdown résumé's Experience lines with year ranges as a JSON Resume `work` list."""
    heading = _EXPERIENCE.search(text)
    work = []
    for line in text[heading.end() :].splitlines() if heading else []:
        period = _PERIOD.search(line)
        if period is None:
            continue
        end = period.group(2)
        work.append(
            {
                "position": line[: period.start()].strip(" -*#().:0123456789\t") or line.strip(),
                "startDate": period.group(1),
                "endDate": end if end[0].isdigit() else None,
            }
        )
    return {"work": work}


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


def figures(ranks: Sequence[float]) -> dict[str, float]:
    """MRR, nDCG@10, P@5 and recall@10 from the rank of each query's right answer."""
    r = np.array(ranks, dtype=np.float64)
    return {
        "MRR": float((1 / r).mean()),
        "nDCG@10": float(np.where(r <= 10, 1 / np.log2(r + 1), 0).mean()),
        "P@5": float(((r <= 5) / 5).mean()),
        "recall@10": float((r <= 10).mean()),
    }


def ranking_figures(score_rows: np.ndarray) -> dict[str, float]:
    """`figures` when row i's relevant column is i."""
    return figures([int((row > row[i]).sum()) + 1 for i, row in enumerate(score_rows)])


def report(name: str, figures: dict[str, float], pairwise: float) -> None:
    shown = "   ".join(f"{key} {value:.3f}" for key, value in figures.items())
    print(f"  {name:20} {shown}   pairwise accuracy {pairwise:.3f}")


def top(similarity: np.ndarray, pool: int, keep: int | None = None) -> list[int]:
    """The `pool` jobs closest by vector; with `keep`, that job in place of the last if absent."""
    found = [int(j) for j in np.argsort(-similarity, kind="stable")[:pool]]
    if keep is not None and keep not in found:
        found[-1] = keep
    return found


def lexical_timing(jobs: Sequence[str], resume: str) -> None:
    """How long the lexical part takes for the candidates of one matches request."""
    # Three RJDB descriptions per posting: about the length of a real posting.
    postings = [f"{jobs[i]}\n{jobs[i + 1]}\n{jobs[i + 2]}" for i in range(len(jobs) - 2)]
    for n in (60, 300):
        batch = (postings * (n // len(postings) + 1))[:n]
        runs = []
        for _ in range(20):
            started = time.perf_counter()
            lexical_scores(resume, batch)
            runs.append(time.perf_counter() - started)
        chars = statistics.mean(map(len, batch))
        print(
            f"  (lexical part: {statistics.median(runs) * 1000:.1f} ms for {n} candidates"
            f" of {chars:,.0f} characters, median of 20)"
        )


class Combined:
    """The matches endpoint's score of jobs for the matched résumés and their weaker twins."""

    def __init__(
        self,
        jobs: Sequence[str],
        matched: Sequence[str],
        weaker: Sequence[str],
        similarity: np.ndarray,
        weaker_similarity: np.ndarray,
    ) -> None:
        self.jobs, self.resumes = jobs, {False: matched, True: weaker}
        self.similarity = {False: similarity, True: weaker_similarity}
        self.skills = SkillsFacade()
        self.wanted = [self.skills.mentions(job) for job in jobs]
        self.job_levels = [job_level(job) for job in jobs]
        self.fits = {
            weak: [self.skill_fits(t) for t in texts] for weak, texts in self.resumes.items()
        }
        self.levels = {weak: [self.level(t) for t in texts] for weak, texts in self.resumes.items()}
        settings = AiSettings()
        self.weights = settings.match_weights
        self.pool = MatchFilters().k * settings.match_candidates

    def skill_fits(self, resume: str) -> list[float | None]:
        """The share of each job's named skills the résumé meets (None: the job names none)."""
        owned = {s.id for s in self.skills.mentions(resume)}
        return [
            sum(self.skills.satisfies(owned, s.id) for s in named) / len(named) if named else None
            for named in self.wanted
        ]

    def level(self, resume: str) -> str | None:
        """The résumé's level by the product's rules."""
        document = resume_document(resume)
        facts = gather_facts(document, None, self.skills, today=TODAY)
        return resume_level(document, facts.years_total)

    def scores(self, i: int, candidates: Sequence[int], weak: bool = False) -> list[float]:
        """Each candidate job's score for résumé i (its weaker twin if `weak`), as the product
        scores the candidates of one request: the lexical IDF over `candidates`."""
        resume, row = self.resumes[weak][i], self.similarity[weak][i]
        fit, level = self.fits[weak][i], self.levels[weak][i]
        lexical = lexical_scores(resume, [self.jobs[j] for j in candidates])
        return [
            combined_score(
                float(row[j]),
                fit[j],
                self.weights,
                seniority_fit(self.job_levels[j], level).score,
                words,
            )
            for j, words in zip(candidates, lexical, strict=True)
        ]

    def score_of(self, i: int, weak: bool) -> float:
        """Job i's score for résumé i among its `pool` candidates (job i forced in)."""
        candidates = top(self.similarity[weak][i], self.pool, keep=i)
        return self.scores(i, candidates, weak)[candidates.index(i)]

    def product(self) -> tuple[list[float], int]:
        """The right job's rank per query among the re-ranked `pool` closest by vector
        (inf: not among them), and how often the matched résumé outscores its twin."""
        ranks: list[float] = []
        wins = 0
        for i in range(len(self.resumes[False])):
            candidates = top(self.similarity[False][i], self.pool)
            if i in candidates:
                ranked = self.scores(i, candidates)
                mine = ranked[candidates.index(i)]
                ranks.append(sum(score > mine for score in ranked) + 1)
            else:
                ranks.append(math.inf)
                mine = self.score_of(i, weak=False)
            wins += mine > self.score_of(i, weak=True)
        return ranks, wins


async def main() -> None:
    if not RJDB.exists():
        print(f"match quality: skipped ({RJDB} is absent)")
        return
    lines = RJDB.read_text(encoding="utf-8").splitlines()[:TRIPLES]
    records = [json.loads(line) for line in lines]
    jobs = [r["Job-Description"] for r in records]
    matched = [r["Resume-matched"] for r in records]
    weaker = [r["Resume-unmatched"] for r in records]
    n = len(records)
    print(f"match quality on RJDB: {n} résumé queries over {len(jobs)} jobs")

    embedder = LocalEmbedder()
    started = time.perf_counter()
    job_vectors = await embed_documents(embedder, [chunks(t) for t in jobs])
    matched_vectors = await embed_documents(embedder, [chunks(t) for t in matched])
    weaker_vectors = await embed_documents(embedder, [chunks(t) for t in weaker])
    print(f"  (embedded {3 * n} texts in {time.perf_counter() - started:.0f} s)")
    similarity = matched_vectors @ job_vectors.T
    weaker_similarity = weaker_vectors @ job_vectors.T

    bm25 = BM25(jobs)
    bm25_rows = np.array([bm25.scores(text) for text in matched])
    weaker_bm25 = np.array([bm25.scores(text)[i] for i, text in enumerate(weaker)])

    combined = Combined(jobs, matched, weaker, similarity, weaker_similarity)
    everything = list(range(n))
    all_rows = np.array([combined.scores(i, everything) for i in range(n)])
    weaker_all = np.array([combined.scores(i, everything, weak=True)[i] for i in range(n)])
    ranks, wins = combined.product()

    diagonal = np.arange(n)
    report(
        "vector",
        ranking_figures(similarity),
        float((similarity[diagonal, diagonal] > weaker_similarity[diagonal, diagonal]).mean()),
    )
    report(
        "bm25",
        ranking_figures(bm25_rows),
        float((bm25_rows[diagonal, diagonal] > weaker_bm25).mean()),
    )
    report(
        "combined (all jobs)",
        ranking_figures(all_rows),
        float((all_rows[diagonal, diagonal] > weaker_all).mean()),
    )
    report("combined (product)", figures(ranks), wins / n)
    weights = combined.weights
    print(
        f"  (combined: weights similarity {weights.similarity}, skills {weights.skills},"
        f" seniority {weights.seniority}, lexical {weights.lexical};"
        f" product: top {combined.pool} by vector re-ranked)"
    )
    lexical_timing(jobs, matched[0])


if __name__ == "__main__":
    asyncio.run(main())

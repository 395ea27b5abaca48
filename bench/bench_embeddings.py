"""Embeddings: how fast the local model embeds job postings, and how well it matches résumés.

Speed: N synthetic job descriptions of 200 words (from the synthetic board generator, through
the real ATS parsers) embedded with `LocalEmbedder` in batches of 32 on 2 intra-op threads,
after one warm-up batch; texts/s prints.

Quality, when ../shared/fixtures/matching/rjdb/test_first800.jsonl is present (RJDB: one job,
a résumé written for it, and a weaker twin of that résumé per line; see SOURCES.md there), over
the first 200 triples:
  pairwise accuracy  cosine(job, matched) > cosine(job, unmatched twin) — the hard negatives
  MRR                rank of the matched résumé among all 400 résumés of those triples
once embedding each text whole (cut at 256 word pieces) and once chunked and averaged.

    BENCH_TEXTS=200 BENCH_TRIPLES=200 .venv/bin/python bench/bench_embeddings.py
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from jobpilot.ai.embeddings import Embedder, LocalEmbedder, Vectors, embed_document
from jobpilot.ai.embeddings.chunking import posting_chunks
from jobpilot.jobs import synthetic
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.normalise import html_to_text

TEXTS = int(os.environ.get("BENCH_TEXTS", "200"))
TRIPLES = int(os.environ.get("BENCH_TRIPLES", "200"))
WORDS = 200
BATCH = 32
THREADS = 2
RJDB = Path(__file__).resolve().parents[2] / "shared/fixtures/matching/rjdb/test_first800.jsonl"
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def synthetic_descriptions() -> Iterator[str]:
    """Descriptions of synthetic postings cut to their first 200 words (longer ones only)."""
    boards = synthetic.generate(companies=max(10, TEXTS // 5), postings=TEXTS * 4, now=NOW)
    for board in boards:
        ats = adapter(board.ats)
        if ats is None or board.ats not in synthetic.WITH_DESCRIPTION:
            continue
        for body in board.payloads:
            for posting in ats.parse_payload(board.board_ref(), body):
                words = html_to_text(posting.description_html or "").split()
                if len(words) >= WORDS:
                    yield f"{posting.title}\n" + " ".join(words[:WORDS])


async def speed(embedder: LocalEmbedder) -> None:
    texts = [text for _, text in zip(range(TEXTS), synthetic_descriptions(), strict=False)]
    started = time.perf_counter()
    embedder.load()
    loaded = time.perf_counter() - started
    await embedder.embed(texts[:BATCH])
    started = time.perf_counter()
    vectors = await embedder.embed(texts)
    seconds = time.perf_counter() - started
    print(f"model checked (sha256) and loaded in {loaded:.2f} s")
    print(
        f"{len(texts)} job descriptions of {WORDS} words, batch {BATCH}, {THREADS} threads: "
        f"{seconds:.1f} s = {len(texts) / seconds:.1f} texts/s ({vectors.shape[1]}-d)"
    )


async def whole(embedder: Embedder, texts: list[str]) -> Vectors:
    return await embedder.embed(texts)


async def chunked(embedder: Embedder, texts: list[str]) -> Vectors:
    # RJDB texts are Markdown-ish, not JSON Resume: both sides are cut by paragraphs.
    return np.stack([await embed_document(embedder, posting_chunks("", "", t)) for t in texts])


async def quality(embedder: LocalEmbedder) -> None:
    if not RJDB.exists():
        print(f"quality: skipped ({RJDB} is absent)")
        return
    with RJDB.open(encoding="utf-8") as file:
        records = [json.loads(line) for _, line in zip(range(TRIPLES), file, strict=False)]
    jobs = [r["Job-Description"] for r in records]
    matched = [r["Resume-matched"] for r in records]
    unmatched = [r["Resume-unmatched"] for r in records]
    print(f"quality on the first {len(records)} RJDB triples:")
    ways: dict[str, Callable[[Embedder, list[str]], Awaitable[Vectors]]] = {
        "whole text": whole,
        "chunked": chunked,
    }
    for name, embed in ways.items():
        started = time.perf_counter()
        job_vectors = await embed(embedder, jobs)
        resumes = np.concatenate([await embed(embedder, matched), await embed(embedder, unmatched)])
        seconds = time.perf_counter() - started
        scores = job_vectors @ resumes.T
        n = len(records)
        own = scores[np.arange(n), np.arange(n)]
        twin = scores[np.arange(n), np.arange(n) + n]
        ranks = (scores > own[:, None]).sum(axis=1) + 1
        print(
            f"  {name:10}  pairwise accuracy {np.mean(own > twin):.3f}   "
            f"MRR among {2 * n} résumés {np.mean(1 / ranks):.3f}   "
            f"top-1 {np.mean(ranks == 1):.3f}   ({3 * n} texts in {seconds:.1f} s)"
        )


async def main() -> None:
    embedder = LocalEmbedder(batch_size=BATCH, intra_op_threads=THREADS)
    print(f"embeddings benchmark: {embedder.model_id}, onnxruntime on the CPU")
    await speed(embedder)
    await quality(embedder)


if __name__ == "__main__":
    asyncio.run(main())

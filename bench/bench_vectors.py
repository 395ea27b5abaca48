"""Vector index: top-20 search latency at 10k and 100k vectors, and pgvector's recall.

384-dimension vectors in clusters (as sentence embeddings of job postings are: many postings
per kind of job), each with a workplace and countries to filter on. The embedded index (SQLite,
exact numpy search) runs always; pgvector (HNSW) runs when JOBPILOT_BENCH_PG_URL is set (a
scratch database is created and dropped). Recall@20 compares each index with an exact search
over the same vectors and filters.

    BENCH_VECTORS=10000,100000 .venv/bin/python bench/bench_vectors.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid

import numpy as np
from sqlalchemy import text

from jobpilot.ai.vectors import (
    EmbeddedVectorIndex,
    PgVectorIndex,
    VectorFilter,
    VectorIndex,
    VectorItem,
)
from jobpilot.kit import migrate
from jobpilot.kit.db import Database
from scratch import scratch_postgres, scratch_sqlite

SIZES = [int(n) for n in os.environ.get("BENCH_VECTORS", "10000,100000").split(",")]
QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
DIMENSION = 384
MODEL = "bench-model"
FILTERS = {
    "no filter": None,
    "remote": VectorFilter(any_of={"workplace": ["remote"]}),
    "remote in US or GB": VectorFilter(any_of={"workplace": ["remote"], "countries": ["US", "GB"]}),
    "pay >= 120k": VectorFilter(at_least={"salary": 120_000}),
}


def dataset(n: int, seed: int = 11) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Vectors in topics and sub-topics (as embeddings of postings are: kinds of job, then
    specialities), with a workplace, a country and pay."""
    rng = np.random.default_rng(seed)

    def gaussian(rows: int) -> np.ndarray:
        return rng.normal(size=(rows, DIMENSION)).astype(np.float32) / np.sqrt(DIMENSION)

    topics = gaussian(max(10, n // 1000))
    subtopics = topics[rng.integers(0, len(topics), max(50, n // 50))] + 0.6 * gaussian(
        max(50, n // 50)
    )
    vectors = subtopics[rng.integers(0, len(subtopics), n)] + 0.35 * gaussian(n)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    workplaces = rng.choice(["remote", "hybrid", "onsite"], n, p=[0.25, 0.25, 0.5])
    countries = rng.choice(["US", "GB", "DE", "CA", "IN"], n, p=[0.4, 0.2, 0.15, 0.15, 0.1])
    salaries = rng.integers(40_000, 250_000, n)
    attrs: list[dict[str, object]] = [
        {"workplace": str(w), "countries": [str(c)], "salary": int(s)}
        for w, c, s in zip(workplaces, countries, salaries, strict=True)
    ]
    return vectors, attrs


def allowed(attrs: list[dict[str, object]], where: VectorFilter | None) -> np.ndarray:
    mask = np.ones(len(attrs), dtype=bool)
    if where is None:
        return mask
    for key, values in where.any_of.items():
        wanted = set(values)
        mask &= np.array(
            [bool(wanted & set(a[key] if isinstance(a[key], list) else [a[key]])) for a in attrs]
        )
    for key, floor in where.at_least.items():
        mask &= np.array([float(a[key]) >= floor for a in attrs])  # type: ignore[arg-type]
    return mask


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms"


async def measure(label: str, index: VectorIndex, n: int) -> None:
    vectors, attrs = dataset(n)
    ids = [uuid.uuid4() for _ in range(n)]
    started = time.perf_counter()
    for start in range(0, n, 1000):
        await index.upsert(
            "posting",
            MODEL,
            [
                VectorItem(ids[i], vectors[i], attrs[i])  # type: ignore[arg-type]
                for i in range(start, min(n, start + 1000))
            ],
        )
    loaded = time.perf_counter() - started
    rng = np.random.default_rng(5)
    queries = vectors[rng.integers(0, n, QUERIES)] + 0.3 * rng.normal(
        size=(QUERIES, DIMENSION)
    ).astype(np.float32) / np.sqrt(DIMENSION)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    await index.search("posting", MODEL, queries[0], 20)  # load / warm up
    print(f"{label} at {n:,} vectors (stored in {loaded:.1f} s):")
    position = {item_id: i for i, item_id in enumerate(ids)}
    for name, where in FILTERS.items():
        mask = allowed(attrs, where)
        latencies: list[float] = []
        recalls: list[float] = []
        for query in queries:
            t0 = time.perf_counter()
            hits = await index.search("posting", MODEL, query, 20, where)
            latencies.append((time.perf_counter() - t0) * 1000)
            scores = np.where(mask, vectors @ query, -np.inf)
            exact = set(np.argsort(-scores)[:20].tolist())
            recalls.append(len({position[h.id] for h in hits} & exact) / 20)
        recall = sum(recalls) / len(recalls)
        print(f"    top-20, {name:20} {percentiles(latencies)}   recall@20 {recall:.3f}")


async def run(url: str, label: str, make: type[EmbeddedVectorIndex] | type[PgVectorIndex]) -> None:
    await asyncio.to_thread(migrate.upgrade, url)
    for n in SIZES:
        db = Database(url)
        try:
            async with db.unit_of_work(write=True) as session:
                await session.execute(text("DELETE FROM ai_vectors"))
                await session.execute(text("DELETE FROM ai_vector_versions"))
            await measure(label, make(db), n)
        finally:
            await db.dispose()


async def main() -> None:
    print(f"vector index benchmark: {DIMENSION}-d vectors, {QUERIES} queries per figure")
    with scratch_sqlite() as url:
        await run(url, "embedded (SQLite, exact numpy)", EmbeddedVectorIndex)
    server = os.environ.get("JOBPILOT_BENCH_PG_URL")
    if not server:
        print("pgvector: skipped (set JOBPILOT_BENCH_PG_URL to run it)")
        return
    async with scratch_postgres(server) as url:
        label = "pgvector (HNSW m 16, ef_construction 128, ef_search 300)"
        await run(url, label, PgVectorIndex)


if __name__ == "__main__":
    asyncio.run(main())

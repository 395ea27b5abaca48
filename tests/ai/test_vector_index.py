"""The vector index contract, on the embedded index (SQLite) and on pgvector (PostgreSQL)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from jobpilot.ai.vectors import (
    EmbeddedVectorIndex,
    PgVectorIndex,
    VectorFilter,
    VectorIndex,
    VectorIndexError,
    VectorItem,
)
from jobpilot.kit.db import Database

MODEL = "test-model-a"
OTHER = "test-model-b"


def _index(db: Database) -> VectorIndex:
    return EmbeddedVectorIndex(db) if db.dialect == "sqlite" else PgVectorIndex(db)


@pytest.fixture
def index(db: Database) -> VectorIndex:
    return _index(db)


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, np.float32)
    return vector / np.linalg.norm(vector)


def _ids(n: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(n)]


async def test_the_nearest_vectors_come_first_with_their_cosine(index: VectorIndex) -> None:
    a, b, c = _ids(3)
    await index.upsert(
        "posting",
        MODEL,
        [
            VectorItem(a, np.array([1, 0, 0], np.float32)),
            VectorItem(b, np.array([1, 1, 0], np.float32)),
            VectorItem(c, np.array([0, 0, 5], np.float32)),
        ],
    )
    hits = await index.search("posting", MODEL, np.array([2, 0, 0], np.float32), k=3)
    assert [hit.id for hit in hits] == [a, b, c]
    assert [round(hit.score, 4) for hit in hits] == [1.0, round(1 / np.sqrt(2), 4), 0.0]
    top = await index.search("posting", MODEL, np.array([0, 0.1, 1], np.float32), k=1)
    assert [hit.id for hit in top] == [c]


async def test_an_upsert_replaces_and_a_delete_removes(index: VectorIndex) -> None:
    a, b = _ids(2)
    await index.upsert("posting", MODEL, [VectorItem(a, _unit(1, 0), {"workplace": "remote"})])
    await index.upsert("posting", MODEL, [VectorItem(b, _unit(0, 1))])
    await index.upsert("posting", MODEL, [VectorItem(a, _unit(0, 1), {"workplace": "onsite"})])
    assert await index.count("posting", MODEL) == 2
    stored = await index.get("posting", MODEL, a)
    assert stored is not None
    assert np.allclose(stored.vector, _unit(0, 1), atol=1e-6)
    assert stored.attrs == {"workplace": "onsite"}
    await index.upsert("posting", OTHER, [VectorItem(a, _unit(1, 0, 0))])
    await index.delete("posting", [a])
    assert await index.get("posting", MODEL, a) is None
    assert await index.get("posting", OTHER, a) is None
    hits = await index.search("posting", MODEL, _unit(0, 1), k=5)
    assert [hit.id for hit in hits] == [b]
    await index.delete("posting", [uuid.uuid4()])  # deleting what is not there is fine


async def test_filters_choose_what_a_search_may_return(index: VectorIndex) -> None:
    remote_us, remote_gb, onsite_us, no_attrs = ids = _ids(4)
    await index.upsert(
        "posting",
        MODEL,
        [
            VectorItem(
                remote_us, _unit(1, 0.1), {"workplace": "remote", "countries": ["US", "CA"]}
            ),
            VectorItem(
                remote_gb,
                _unit(1, 0.2),
                {"workplace": "remote", "countries": ["GB"], "salary": 150000},
            ),
            VectorItem(
                onsite_us,
                _unit(1, 0.3),
                {"workplace": "onsite", "countries": ["US"], "salary": 90},
            ),
            VectorItem(no_attrs, _unit(1, 0.4)),
        ],
    )
    query = _unit(1, 0)

    async def found(where: VectorFilter) -> list[uuid.UUID]:
        return [hit.id for hit in await index.search("posting", MODEL, query, 10, where)]

    assert await found(VectorFilter()) == ids
    assert await found(VectorFilter(any_of={"workplace": ["remote"]})) == [remote_us, remote_gb]
    assert await found(VectorFilter(any_of={"countries": ["US"]})) == [remote_us, onsite_us]
    assert await found(VectorFilter(any_of={"countries": ["CA", "GB"]})) == [remote_us, remote_gb]
    both = VectorFilter(any_of={"workplace": ["remote"], "countries": ["US"]})
    assert await found(both) == [remote_us]
    assert await found(VectorFilter(at_least={"salary": 100000})) == [remote_gb]
    assert await found(VectorFilter(at_least={"salary": 0})) == [remote_gb, onsite_us]
    assert await found(VectorFilter(exclude=[remote_us, no_attrs])) == [remote_gb, onsite_us]
    assert await found(VectorFilter(any_of={"workplace": ["hybrid"]})) == []


async def test_each_model_is_searched_alone(index: VectorIndex) -> None:
    a, b = _ids(2)
    await index.upsert("posting", MODEL, [VectorItem(a, _unit(1, 0))])
    await index.upsert("posting", OTHER, [VectorItem(b, _unit(1, 0, 0, 0))])
    assert [h.id for h in await index.search("posting", MODEL, _unit(1, 0), 5)] == [a]
    assert [h.id for h in await index.search("posting", OTHER, _unit(1, 0, 0, 0), 5)] == [b]
    assert await index.search("resume", MODEL, _unit(1, 0), 5) == []
    assert await index.search("posting", "never-used", _unit(1, 0), 5) == []
    assert (await index.count("posting", MODEL), await index.count("posting", OTHER)) == (1, 1)
    assert await index.get("posting", OTHER, a) is None


async def test_vectors_survive_a_restart_and_other_processes_see_changes(db: Database) -> None:
    a, b = _ids(2)
    first = _index(db)
    await first.upsert("resume", MODEL, [VectorItem(a, _unit(1, 0), {"tier": "pro"})])
    assert [h.id for h in await first.search("resume", MODEL, _unit(1, 0), 1)] == [a]
    # Another process (its own connections and memory) writes and deletes.
    other_db = Database(db.url)
    try:
        other = _index(other_db)
        assert [h.id for h in await other.search("resume", MODEL, _unit(1, 0), 1)] == [a]
        await other.upsert("resume", MODEL, [VectorItem(b, _unit(1, 0.01))])
        await other.delete("resume", [a])
    finally:
        await other_db.dispose()
    assert [h.id for h in await first.search("resume", MODEL, _unit(1, 0), 5)] == [b]
    restarted = Database(db.url)
    try:
        again = _index(restarted)
        assert [h.id for h in await again.search("resume", MODEL, _unit(1, 0), 5)] == [b]
        assert await again.count("resume", MODEL) == 1
    finally:
        await restarted.dispose()


async def test_bad_vectors_and_searches_are_refused(index: VectorIndex) -> None:
    a = uuid.uuid4()
    await index.upsert("posting", MODEL, [VectorItem(a, _unit(1, 0, 0))])
    with pytest.raises(VectorIndexError, match="3 dimensions"):
        await index.upsert("posting", MODEL, [VectorItem(uuid.uuid4(), _unit(1, 0))])
    with pytest.raises(VectorIndexError, match="zero vector"):
        await index.upsert("posting", MODEL, [VectorItem(uuid.uuid4(), np.zeros(3, np.float32))])
    with pytest.raises(VectorIndexError, match="finite"):
        await index.upsert(
            "posting", MODEL, [VectorItem(uuid.uuid4(), np.array([1, np.nan, 0], np.float32))]
        )
    with pytest.raises(VectorIndexError, match="attribute"):
        await index.upsert(
            "posting", MODEL, [VectorItem(uuid.uuid4(), _unit(1, 0, 0), {"x": {"nested": 1}})]
        )
    with pytest.raises(VectorIndexError, match="expected a vector of 3"):
        await index.search("posting", MODEL, _unit(1, 0), 1)
    with pytest.raises(VectorIndexError, match="k must be"):
        await index.search("posting", MODEL, _unit(1, 0, 0), 0)
    # Nothing half-written: the refused batches left the one good vector alone.
    assert await index.count("posting", MODEL) == 1


async def test_a_larger_search_matches_an_exact_one(index: VectorIndex) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = _ids(len(vectors))
    position = {item_id: n for n, item_id in enumerate(ids)}
    items = [
        VectorItem(i, v, {"group": "even" if n % 2 == 0 else "odd"})
        for n, (i, v) in enumerate(zip(ids, vectors, strict=True))
    ]
    for start in range(0, len(items), 500):
        await index.upsert("posting", MODEL, items[start : start + 500])
    recalls = []
    for raw in rng.normal(size=(20, 32)).astype(np.float32):
        query = raw / np.linalg.norm(raw)
        exact = np.argsort(-(vectors @ query))
        evens = [ids[n] for n in exact if n % 2 == 0][:10]
        hits = await index.search(
            "posting", MODEL, query, 10, VectorFilter(any_of={"group": ["even"]})
        )
        assert all(position[hit.id] % 2 == 0 for hit in hits)
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True)
        recalls.append(len({hit.id for hit in hits} & set(evens)) / 10)
    if isinstance(index, EmbeddedVectorIndex):
        assert recalls == [1.0] * 20  # exact search
    else:
        assert sum(recalls) / len(recalls) >= 0.9  # HNSW is approximate


async def test_ids_per_model_and_a_change_of_model(index: VectorIndex) -> None:
    a, b, c = _ids(3)
    await index.upsert(
        "posting", OTHER, [VectorItem(a, _unit(1, 0, 0)), VectorItem(b, _unit(0, 1, 0))]
    )
    await index.upsert("posting", MODEL, [VectorItem(a, _unit(1, 0)), VectorItem(c, _unit(0, 1))])
    await index.upsert("resume", OTHER, [VectorItem(c, _unit(1, 0, 0))])
    assert await index.ids("posting", OTHER) == {a, b}
    assert await index.ids("posting", MODEL) == {a, c}
    assert await index.search("posting", OTHER, _unit(1, 0, 0), 5)  # loaded before it goes
    assert await index.forget_other_models("posting", MODEL) == 2
    assert await index.ids("posting", OTHER) == set()
    assert await index.search("posting", OTHER, _unit(1, 0, 0), 5) == []
    assert await index.ids("posting", MODEL) == {a, c}
    assert await index.ids("resume", OTHER) == {c}  # other kinds keep theirs
    assert await index.forget_other_models("posting", MODEL) == 0

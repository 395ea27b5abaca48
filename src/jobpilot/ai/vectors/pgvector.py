"""Vectors in PostgreSQL with pgvector, searched through an HNSW index per kind and model.

`ai_vectors.embedding` is pgvector's `vector` without a fixed dimension, so models of any
dimension share the table; each (kind, model) gets its own partial HNSW index over the vector cast
to its dimension (cosine distance), made the first time that model's vectors are stored, and a
search uses exactly that expression and predicate so the planner picks the index. Filters are
tested on the rows the index yields; pgvector's iterative scan (0.8+) keeps reading the index
until `k` rows pass them. The search is approximate: the benchmark measures its recall against
an exact search.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import ARRAY, JSON, Float, String, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.ai.vectors.base import (
    Vector,
    VectorFilter,
    VectorHit,
    VectorIndexError,
    VectorItem,
    check_dimension,
    check_search,
    checked_batch,
    normalised,
)
from jobpilot.ai.vectors.versions import bump_version
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database, UTCDateTime

# Kinds, model ids and attribute names are written into SQL (the partial index's predicate must
# be a literal for the planner to match it), so they are held to a safe alphabet.
_NAME = re.compile(r"^[A-Za-z0-9._:/@+-]{1,120}$")
# Candidates the HNSW search keeps per query: pgvector's default is 40; more costs time and gains
# recall (the benchmark measures both).
EF_SEARCH = 300
# The graph: links per node and candidates while building (pgvector's defaults are 16 and 64;
# 128 builds a better graph, which keeps recall@20 at 0.95 and more at 100k vectors).
HNSW_M, HNSW_EF_CONSTRUCTION = 16, 128


def _name(value: str, what: str) -> str:
    if not _NAME.fullmatch(value):
        msg = f"{what} {value!r} may hold only letters, digits and . _ : / @ + -"
        raise VectorIndexError(msg)
    return value


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _text(vector: Vector) -> str:
    return "[" + ",".join(f"{x:.8g}" for x in vector.tolist()) + "]"


def index_name(kind: str, model_id: str, dimension: int) -> str:
    """The name of the HNSW index of one kind's vectors of one model."""
    digest = hashlib.sha256(f"{kind}\x00{model_id}\x00{dimension}".encode()).hexdigest()[:16]
    return f"ix_ai_vectors_hnsw_{digest}"


class PgVectorIndex:
    """VectorIndex over `ai_vectors` on PostgreSQL with pgvector."""

    def __init__(self, db: Database, ef_search: int = EF_SEARCH) -> None:
        self._db = db
        self._ef_search = ef_search
        self._indexed: set[str] = set()
        # A model's dimension never changes (upsert refuses other lengths): read once.
        self._dimensions: dict[tuple[str, str], int] = {}

    async def upsert(self, kind: str, model_id: str, items: Sequence[VectorItem]) -> None:
        """Store (or replace) the items' vectors made by `model_id`."""
        if not items:
            return
        _name(kind, "kind"), _name(model_id, "model id")
        for item in items:
            for key in item.attrs:
                _name(key, "attribute")
        batch = checked_batch(items)
        dimension, vectors, attrs = batch.dimension, batch.vectors, batch.attrs
        now = utcnow()
        async with self._db.unit_of_work(write=True) as session:
            await _one_writer(session)
            await self._check_dimension(session, kind, model_id, dimension)
            await session.execute(
                text(
                    "INSERT INTO ai_vectors "
                    "(kind, model_id, item_id, dimension, attrs, updated_at, embedding) "
                    "VALUES (:kind, :model_id, :item_id, :dimension, :attrs, :now, "
                    "CAST(CAST(:vector AS text) AS vector)) "
                    "ON CONFLICT (kind, model_id, item_id) DO UPDATE SET "
                    "dimension = excluded.dimension, attrs = excluded.attrs, "
                    "updated_at = excluded.updated_at, embedding = excluded.embedding"
                ).bindparams(
                    bindparam("item_id", type_=Uuid()),
                    bindparam("attrs", type_=JSON()),
                    bindparam("now", type_=UTCDateTime()),
                ),
                [
                    {
                        "kind": kind,
                        "model_id": model_id,
                        "item_id": item.id,
                        "dimension": dimension,
                        "attrs": item_attrs,
                        "now": now,
                        "vector": _text(vector),
                    }
                    for item, vector, item_attrs in zip(items, vectors, attrs, strict=True)
                ],
            )
            await bump_version(session, kind, model_id)
            await self._ensure_index(session, kind, model_id, dimension)

    async def delete(self, kind: str, ids: Collection[uuid.UUID]) -> None:
        """Remove the items' vectors, of every model."""
        if not ids:
            return
        async with self._db.unit_of_work(write=True) as session:
            await _one_writer(session)
            models = (
                await session.execute(
                    text(
                        "DELETE FROM ai_vectors WHERE kind = :kind AND item_id = ANY(:ids) "
                        "RETURNING model_id"
                    ).bindparams(bindparam("ids", type_=ARRAY(Uuid()))),
                    {"kind": kind, "ids": list(ids)},
                )
            ).scalars()
            for model_id in set(models):
                await bump_version(session, kind, model_id)

    async def search(
        self,
        kind: str,
        model_id: str,
        query: Vector,
        k: int,
        where: VectorFilter | None = None,
    ) -> list[VectorHit]:
        """The `k` items most similar to `query` among those `where` allows, best first."""
        check_search(k)
        kind, model_id = _name(kind, "kind"), _name(model_id, "model id")
        async with self._db.unit_of_work() as session:
            dimension = await self._dimension(session, kind, model_id)
            if dimension is None:
                return []
            vector = normalised(query, dimension)
            typed = f"vector({dimension})"
            distance = f"(embedding::{typed}) <=> CAST(CAST(:query AS text) AS {typed})"
            conditions, params = _conditions(where or VectorFilter())
            params.update(query=_text(vector), k=k)
            await session.execute(
                text(
                    "SELECT set_config('hnsw.ef_search', :ef, true), "
                    "set_config('hnsw.iterative_scan', 'relaxed_order', true)"
                ),
                {"ef": str(max(self._ef_search, k))},
            )
            # The predicate repeats the partial index's literally; relaxed order is re-sorted.
            rows = (
                await session.execute(
                    text(
                        "SELECT item_id, score FROM ("  # noqa: S608 (names checked by _name)
                        f"SELECT item_id, 1 - ({distance}) AS score FROM ai_vectors "
                        f"WHERE kind = {_literal(kind)} AND model_id = {_literal(model_id)} "
                        f"AND dimension = {dimension}{conditions} "
                        f"ORDER BY {distance} LIMIT :k) AS hits ORDER BY score DESC"
                    ).bindparams(*_filter_types(params)),
                    params,
                )
            ).all()
        return [VectorHit(row.item_id, float(row.score)) for row in rows]

    async def count(self, kind: str, model_id: str) -> int:
        """How many items of `kind` have a vector made by `model_id`."""
        async with self._db.unit_of_work() as session:
            return int(
                await session.scalar(
                    text(
                        "SELECT count(*) FROM ai_vectors WHERE kind = :kind "
                        "AND model_id = :model_id"
                    ),
                    {"kind": kind, "model_id": model_id},
                )
                or 0
            )

    async def ids(self, kind: str, model_id: str) -> set[uuid.UUID]:
        """The items of `kind` that have a vector made by `model_id`."""
        async with self._db.unit_of_work() as session:
            rows = await session.scalars(
                text(
                    "SELECT item_id FROM ai_vectors WHERE kind = :kind AND model_id = :model_id"
                ).columns(item_id=Uuid()),
                {"kind": kind, "model_id": model_id},
            )
            return set(rows)

    async def forget_other_models(self, kind: str, model_id: str) -> int:
        """Remove the vectors of `kind` made by any model but `model_id`; how many went.

        Their HNSW indexes go too (an index of a model with no vectors only costs writes)."""
        async with self._db.unit_of_work(write=True) as session:
            await _one_writer(session)
            gone = (
                await session.execute(
                    text(
                        "DELETE FROM ai_vectors WHERE kind = :kind AND model_id <> :model_id "
                        "RETURNING model_id, dimension"
                    ),
                    {"kind": kind, "model_id": model_id},
                )
            ).all()
            for other, dimension in {(row.model_id, row.dimension) for row in gone}:
                await bump_version(session, kind, other)
                name = index_name(kind, other, dimension)
                await session.execute(text(f"DROP INDEX IF EXISTS {name}"))
                self._indexed.discard(name)
                self._dimensions.pop((kind, other), None)
        return len(gone)

    async def get(self, kind: str, model_id: str, item_id: uuid.UUID) -> VectorItem | None:
        """One item's stored vector and attributes, or None."""
        async with self._db.unit_of_work() as session:
            row = (
                await session.execute(
                    text(
                        "SELECT attrs, CAST(embedding AS text) AS embedding FROM ai_vectors "
                        "WHERE kind = :kind AND model_id = :model_id AND item_id = :item_id"
                    )
                    .bindparams(bindparam("item_id", type_=Uuid()))
                    .columns(attrs=JSON(), embedding=String()),
                    {"kind": kind, "model_id": model_id, "item_id": item_id},
                )
            ).one_or_none()
        if row is None:
            return None
        values = np.array([float(x) for x in row.embedding.strip("[]").split(",")], np.float32)
        return VectorItem(item_id, values, row.attrs)

    async def _dimension(self, session: AsyncSession, kind: str, model_id: str) -> int | None:
        known = self._dimensions.get((kind, model_id))
        if known is not None:
            return known
        value = await session.scalar(
            text(
                "SELECT dimension FROM ai_vectors WHERE kind = :kind AND model_id = :model_id "
                "LIMIT 1"
            ),
            {"kind": kind, "model_id": model_id},
        )
        if value is None:
            return None
        self._dimensions[(kind, model_id)] = int(value)
        return int(value)

    async def _check_dimension(
        self, session: AsyncSession, kind: str, model_id: str, dimension: int
    ) -> None:
        check_dimension(model_id, await self._dimension(session, kind, model_id), dimension)

    async def _ensure_index(
        self, session: AsyncSession, kind: str, model_id: str, dimension: int
    ) -> None:
        name = index_name(kind, model_id, dimension)
        if name in self._indexed:
            return
        await session.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS {name} ON ai_vectors "
                f"USING hnsw ((embedding::vector({dimension})) vector_cosine_ops) "
                f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) "
                f"WHERE kind = {_literal(kind)} AND model_id = {_literal(model_id)} "
                f"AND dimension = {dimension}"
            )
        )
        self._indexed.add(name)


async def _one_writer(session: AsyncSession) -> None:
    # Writers take row locks, bump the version row and may CREATE INDEX (a SHARE lock on the
    # table); two of them interleaving those steps deadlock. One at a time, until commit.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('ai_vectors'))"))


def _conditions(where: VectorFilter) -> tuple[str, dict[str, Any]]:
    """SQL conditions (each starting with AND) for `where`, and their parameters."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, (key, values) in enumerate(where.any_of.items()):
        attr = _literal(_name(key, "attribute"))
        params[f"any_{i}"] = sorted(values)
        parts.append(
            f" AND (CASE json_typeof(attrs -> {attr}) "  # noqa: S608 (attr checked, quoted)
            f"WHEN 'array' THEN EXISTS (SELECT 1 FROM json_array_elements_text(attrs -> {attr})"
            f" AS value WHERE value = ANY(:any_{i})) "
            f"WHEN 'string' THEN (attrs ->> {attr}) = ANY(:any_{i}) ELSE false END)"
        )
    for i, (key, floor) in enumerate(where.at_least.items()):
        attr = _literal(_name(key, "attribute"))
        params[f"least_{i}"] = float(floor)
        parts.append(
            f" AND (CASE WHEN json_typeof(attrs -> {attr}) = 'number' "
            f"THEN (attrs ->> {attr})::float8 >= :least_{i} ELSE false END)"
        )
    if where.exclude:
        params["exclude"] = list(where.exclude)
        parts.append(" AND NOT (item_id = ANY(:exclude))")
    return "".join(parts), params


def _filter_types(params: Mapping[str, Any]) -> list[Any]:
    types: list[Any] = []
    for name in params:
        if name.startswith("any_"):
            types.append(bindparam(name, type_=ARRAY(String())))
        elif name.startswith("least_"):
            types.append(bindparam(name, type_=Float()))
        elif name == "exclude":
            types.append(bindparam(name, type_=ARRAY(Uuid())))
    return types

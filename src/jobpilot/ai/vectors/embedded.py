"""Vectors in the database, searched exactly with numpy over an in-memory matrix.

The database is the record (table `ai_vectors`, a float32 BLOB per vector); each process keeps
one matrix per kind and model in memory, loaded on first use. A process applies its own writes to
its matrix; `ai_vector_versions` counts every write, so a process that finds the count moved
(another process wrote) reloads the matrix before it searches. At 100k x 384 an exact search
takes milliseconds (a matrix-vector product and a partial sort); past a few hundred thousand
vectors an approximate in-process index would take over.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import (
    JSON,
    Integer,
    LargeBinary,
    TextClause,
    Uuid,
    bindparam,
    delete,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.ai.models import StoredVector
from jobpilot.ai.vectors.base import (
    Attr,
    Vector,
    VectorFilter,
    VectorHit,
    VectorItem,
    check_dimension,
    check_search,
    checked_batch,
    normalised,
)
from jobpilot.ai.vectors.versions import bump_version, read_version
from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Database, UTCDateTime


@dataclass
class _Matrix:
    """One kind's vectors of one model, with their ids and attributes, in row order."""

    dimension: int
    version: int
    ids: list[uuid.UUID] = field(default_factory=list)
    rows: dict[uuid.UUID, int] = field(default_factory=dict)
    attrs: list[Mapping[str, Attr]] = field(default_factory=list)
    data: NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    # Filter columns built from `attrs` on demand, dropped on every change.
    columns: dict[tuple[str, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.data.shape[1] != self.dimension:
            self.data = np.zeros((16, self.dimension), np.float32)

    @property
    def size(self) -> int:
        return len(self.ids)

    def put(self, item_id: uuid.UUID, vector: Vector, attrs: Mapping[str, Attr]) -> None:
        row = self.rows.get(item_id)
        if row is None:
            row = self.size
            if row == self.data.shape[0]:
                grown = np.zeros((max(16, row * 2), self.dimension), np.float32)
                grown[:row] = self.data[:row]
                self.data = grown
            self.ids.append(item_id)
            self.attrs.append(attrs)
            self.rows[item_id] = row
        else:
            self.attrs[row] = attrs
        self.data[row] = vector
        self.columns.clear()

    def remove(self, item_id: uuid.UUID) -> None:
        row = self.rows.pop(item_id, None)
        if row is None:
            return
        last = self.size - 1
        if row != last:
            # The last row fills the hole, so rows stay contiguous.
            moved = self.ids[last]
            self.ids[row], self.attrs[row] = moved, self.attrs[last]
            self.data[row] = self.data[last]
            self.rows[moved] = row
        self.ids.pop()
        self.attrs.pop()
        self.columns.clear()

    def _strings(self, key: str) -> list[frozenset[str]]:
        column = self.columns.get(("s", key))
        if column is None:
            column = [_as_strings(attrs.get(key)) for attrs in self.attrs]
            self.columns[("s", key)] = column
        return column

    def _bits(self, key: str) -> tuple[dict[str, int], NDArray[np.uint64]] | None:
        """The attribute as one bit per value (None past 64 distinct values), so that a filter
        is one vectorised AND."""
        if ("b", key) not in self.columns:
            strings = self._strings(key)
            values = sorted(set().union(*strings)) if strings else []
            encoded = None
            if len(values) <= 64:
                bit = {value: 1 << i for i, value in enumerate(values)}
                column = np.fromiter(
                    (sum(bit[v] for v in have) for have in strings), np.uint64, len(strings)
                )
                encoded = (bit, column)
            self.columns[("b", key)] = encoded
        found: tuple[dict[str, int], NDArray[np.uint64]] | None = self.columns[("b", key)]
        return found

    def _numbers(self, key: str) -> NDArray[np.float64]:
        column = self.columns.get(("n", key))
        if column is None:
            column = np.array([_as_number(attrs.get(key)) for attrs in self.attrs], np.float64)
            self.columns[("n", key)] = column
        return column

    def allowed(self, where: VectorFilter) -> NDArray[np.bool_]:
        """Which rows `where` lets a search return."""
        mask = np.ones(self.size, dtype=bool)
        for key, wanted in where.any_of.items():
            encoded = self._bits(key)
            if encoded is not None:
                bit, column = encoded
                bits = np.uint64(sum(bit.get(value, 0) for value in set(wanted)))
                mask &= (column & bits) != 0
                continue
            values = frozenset(wanted)
            mask &= np.fromiter(
                (not values.isdisjoint(have) for have in self._strings(key)), bool, self.size
            )
        for key, floor in where.at_least.items():
            with np.errstate(invalid="ignore"):
                mask &= self._numbers(key) >= floor
        for item_id in where.exclude:
            row = self.rows.get(item_id)
            if row is not None:
                mask[row] = False
        return mask

    def search(self, query: Vector, k: int, where: VectorFilter | None) -> list[VectorHit]:
        if self.size == 0:
            return []
        scores = self.data[: self.size] @ query
        if where is not None:
            scores = np.where(self.allowed(where), scores, -np.inf)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            VectorHit(self.ids[row], float(scores[row])) for row in top if scores[row] > -np.inf
        ]


def _as_strings(value: Attr | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, list):
        return frozenset(str(item) for item in value)
    return frozenset((str(value),))


def _as_number(value: Attr | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")
    return float(value)


class EmbeddedVectorIndex:
    """VectorIndex over `ai_vectors` on SQLite, searched exactly in memory."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._matrices: dict[tuple[str, str], _Matrix] = {}
        self._lock = asyncio.Lock()

    async def upsert(self, kind: str, model_id: str, items: Sequence[VectorItem]) -> None:
        """Store (or replace) the items' vectors made by `model_id`."""
        if not items:
            return
        batch = checked_batch(items)
        dimension, vectors, attrs = batch.dimension, batch.vectors, batch.attrs
        now = utcnow()
        async with self._lock:
            async with self._db.unit_of_work(write=True) as session:
                await self._check_dimension(session, kind, model_id, dimension)
                await session.execute(
                    _sql(
                        "INSERT INTO ai_vectors "
                        "(kind, model_id, item_id, dimension, attrs, updated_at, embedding) "
                        "VALUES (:kind, :model_id, :item_id, :dimension, :attrs, :now, :vector) "
                        "ON CONFLICT (kind, model_id, item_id) DO UPDATE SET "
                        "dimension = excluded.dimension, attrs = excluded.attrs, "
                        "updated_at = excluded.updated_at, embedding = excluded.embedding"
                    ),
                    [
                        {
                            "kind": kind,
                            "model_id": model_id,
                            "item_id": item.id,
                            "dimension": dimension,
                            "attrs": item_attrs,
                            "now": now,
                            "vector": vector.tobytes(),
                        }
                        for item, vector, item_attrs in zip(items, vectors, attrs, strict=True)
                    ],
                )
                version = await bump_version(session, kind, model_id)
            matrix = self._matrices.get((kind, model_id))
            if matrix is not None and matrix.version == version - 1:
                for item, vector, item_attrs in zip(items, vectors, attrs, strict=True):
                    matrix.put(item.id, vector, item_attrs)
                matrix.version = version

    async def delete(self, kind: str, ids: Collection[uuid.UUID]) -> None:
        """Remove the items' vectors, of every model."""
        if not ids:
            return
        async with self._lock:
            async with self._db.unit_of_work(write=True) as session:
                models = (
                    await session.scalars(
                        select(StoredVector.model_id)
                        .where(StoredVector.kind == kind, StoredVector.item_id.in_(ids))
                        .distinct()
                    )
                ).all()
                await session.execute(
                    delete(StoredVector).where(
                        StoredVector.kind == kind, StoredVector.item_id.in_(ids)
                    )
                )
                versions = {m: await bump_version(session, kind, m) for m in models}
            for model_id, version in versions.items():
                matrix = self._matrices.get((kind, model_id))
                if matrix is not None and matrix.version == version - 1:
                    for item_id in ids:
                        matrix.remove(item_id)
                    matrix.version = version

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
        matrix = await self._matrix(kind, model_id)
        if matrix is None or matrix.size == 0:
            return []
        vector = normalised(query, matrix.dimension)
        return await asyncio.to_thread(matrix.search, vector, k, where)

    async def count(self, kind: str, model_id: str) -> int:
        """How many items of `kind` have a vector made by `model_id`."""
        matrix = await self._matrix(kind, model_id)
        return 0 if matrix is None else matrix.size

    async def ids(self, kind: str, model_id: str) -> set[uuid.UUID]:
        """The items of `kind` that have a vector made by `model_id`."""
        matrix = await self._matrix(kind, model_id)
        return set() if matrix is None else set(matrix.ids)

    async def forget_other_models(self, kind: str, model_id: str) -> int:
        """Remove the vectors of `kind` made by any model but `model_id`; how many went."""
        async with self._lock:
            async with self._db.unit_of_work(write=True) as session:
                models = (
                    await session.scalars(
                        select(StoredVector.model_id)
                        .where(StoredVector.kind == kind, StoredVector.model_id != model_id)
                        .distinct()
                    )
                ).all()
                removed = await session.execute(
                    delete(StoredVector).where(
                        StoredVector.kind == kind, StoredVector.model_id != model_id
                    )
                )
                for other in models:
                    await bump_version(session, kind, other)
            for other in models:
                self._matrices.pop((kind, other), None)
        return int(getattr(removed, "rowcount", 0) or 0)

    async def get(self, kind: str, model_id: str, item_id: uuid.UUID) -> VectorItem | None:
        """One item's stored vector and attributes, or None."""
        async with self._db.unit_of_work() as session:
            row = (
                await session.execute(
                    _sql(
                        "SELECT attrs, embedding FROM ai_vectors "
                        "WHERE kind = :kind AND model_id = :model_id AND item_id = :item_id"
                    ).columns(attrs=JSON(), embedding=LargeBinary()),
                    {"kind": kind, "model_id": model_id, "item_id": item_id},
                )
            ).one_or_none()
        if row is None:
            return None
        return VectorItem(item_id, np.frombuffer(row.embedding, np.float32).copy(), row.attrs)

    async def _check_dimension(
        self, session: AsyncSession, kind: str, model_id: str, dimension: int
    ) -> None:
        stored = await session.scalar(
            select(StoredVector.dimension)
            .where(StoredVector.kind == kind, StoredVector.model_id == model_id)
            .limit(1)
        )
        check_dimension(model_id, stored, dimension)

    async def _matrix(self, kind: str, model_id: str) -> _Matrix | None:
        """The in-memory matrix, (re)loaded when another process changed the vectors."""
        async with self._lock:
            async with self._db.unit_of_work() as session:
                version = await read_version(session, kind, model_id)
                matrix = self._matrices.get((kind, model_id))
                if matrix is not None and matrix.version == version:
                    return matrix
                matrix = await self._load(session, kind, model_id, version)
            if matrix is not None:
                self._matrices[(kind, model_id)] = matrix
            return matrix

    async def _load(
        self, session: AsyncSession, kind: str, model_id: str, version: int
    ) -> _Matrix | None:
        rows = (
            await session.execute(
                _sql(
                    "SELECT item_id, dimension, attrs, embedding FROM ai_vectors "
                    "WHERE kind = :kind AND model_id = :model_id"
                ).columns(
                    item_id=Uuid(), dimension=Integer(), attrs=JSON(), embedding=LargeBinary()
                ),
                {"kind": kind, "model_id": model_id},
            )
        ).all()
        if not rows:
            return _Matrix(dimension=0, version=version) if version else None
        matrix = _Matrix(dimension=int(rows[0].dimension), version=version)
        matrix.data = np.zeros((max(16, len(rows)), matrix.dimension), np.float32)
        for row in rows:
            matrix.put(row.item_id, np.frombuffer(row.embedding, np.float32), row.attrs)
        return matrix


_TYPES: dict[str, Any] = {"item_id": Uuid(), "attrs": JSON(), "now": UTCDateTime()}


def _sql(statement: str) -> TextClause:
    """`statement` with the types of its parameters that need converting (ids, JSON, times)."""
    return text(statement).bindparams(
        *(bindparam(name, type_=kind) for name, kind in _TYPES.items() if f":{name}" in statement)
    )

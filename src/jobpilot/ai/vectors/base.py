"""The vector index port: embeddings of postings and resumes, searched by cosine similarity.

A vector belongs to an item of a kind ("posting", "resume") and to the model that made it; an
item may have vectors of two models while a new model re-embeds everything, and a search reads
one model's vectors only, so vectors of different models are never compared. Vectors are
stored L2-normalised (cosine similarity is their dot product). Each carries a few attributes a
search can filter on: strings or lists of strings (`any_of`) and numbers (`at_least`).

Two implementations pass one contract suite: `EmbeddedVectorIndex` (vectors in the database,
searched exactly with numpy over an in-memory matrix) and `PgVectorIndex` (pgvector, HNSW).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float32]
# An attribute value: a string, a list of strings (any of which a filter may name) or a number.
Attr = str | float | int | list[str]


@dataclass(frozen=True)
class VectorItem:
    """One item's vector and filterable attributes."""

    id: uuid.UUID
    vector: Vector
    attrs: Mapping[str, Attr] = field(default_factory=dict)


@dataclass(frozen=True)
class VectorFilter:
    """Which items a search may return.

    `any_of`: the attribute (a string, or a list of strings) has one of the values.
    `at_least`: the (numeric) attribute is present and at least the value.
    `exclude`: items never returned (e.g. postings already applied to).
    """

    any_of: Mapping[str, Collection[str]] = field(default_factory=dict)
    at_least: Mapping[str, float] = field(default_factory=dict)
    exclude: Collection[uuid.UUID] = ()


@dataclass(frozen=True)
class VectorHit:
    """An item and its cosine similarity to the query (higher is closer)."""

    id: uuid.UUID
    score: float


class VectorIndexError(ValueError):
    """A vector of the wrong shape, or a search that cannot be run."""


class VectorIndex(Protocol):
    """Stores and searches the vectors of one database."""

    async def upsert(self, kind: str, model_id: str, items: Sequence[VectorItem]) -> None:
        """Store (or replace) the items' vectors made by `model_id`."""

    async def delete(self, kind: str, ids: Collection[uuid.UUID]) -> None:
        """Remove the items' vectors, of every model."""

    async def search(
        self,
        kind: str,
        model_id: str,
        query: Vector,
        k: int,
        where: VectorFilter | None = None,
    ) -> list[VectorHit]:
        """The `k` items most similar to `query` among those `where` allows, best first."""

    async def count(self, kind: str, model_id: str) -> int:
        """How many items of `kind` have a vector made by `model_id`."""

    async def ids(self, kind: str, model_id: str) -> set[uuid.UUID]:
        """The items of `kind` that have a vector made by `model_id`."""

    async def forget_other_models(self, kind: str, model_id: str) -> int:
        """Remove the vectors of `kind` made by any model but `model_id`; how many went."""

    async def get(self, kind: str, model_id: str, item_id: uuid.UUID) -> VectorItem | None:
        """One item's stored vector and attributes, or None."""


def normalised(vector: Vector | Sequence[float], dimension: int | None = None) -> Vector:
    """`vector` as a unit-length float32 array; VectorIndexError for a wrong or zero vector."""
    array = np.asarray(vector, dtype=np.float32)
    if array.ndim != 1 or array.size == 0:
        raise VectorIndexError("a vector must be a non-empty one-dimensional array")
    if dimension is not None and array.size != dimension:
        msg = f"expected a vector of {dimension} dimensions, got {array.size}"
        raise VectorIndexError(msg)
    if not np.all(np.isfinite(array)):
        raise VectorIndexError("a vector must hold finite numbers only")
    norm = float(np.linalg.norm(array))
    if norm == 0.0:
        raise VectorIndexError("a zero vector has no direction to compare")
    result: Vector = (array / norm).astype(np.float32)
    return result


def checked_attrs(attrs: Mapping[str, Attr]) -> dict[str, Attr]:
    """`attrs` when every value is a string, a number or a list of strings."""
    checked: dict[str, Attr] = {}
    for key, value in attrs.items():
        valid = isinstance(value, str | int | float) and not isinstance(value, bool)
        valid = valid or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        if not valid:
            msg = f"attribute {key!r} must be a string, a number or a list of strings"
            raise VectorIndexError(msg)
        checked[key] = value
    return checked


@dataclass(frozen=True)
class Batch:
    """Items checked for storing: one dimension, unit vectors, valid attributes."""

    dimension: int
    vectors: list[Vector]
    attrs: list[dict[str, Attr]]


def checked_batch(items: Sequence[VectorItem]) -> Batch:
    """The items' vectors normalised and attributes checked; VectorIndexError on a bad one."""
    first = items[0].vector
    dimension = int(first.shape[-1]) if first.ndim else 0
    return Batch(
        dimension=dimension,
        vectors=[normalised(item.vector, dimension) for item in items],
        attrs=[checked_attrs(item.attrs) for item in items],
    )


def check_dimension(model_id: str, stored: int | None, dimension: int) -> None:
    """VectorIndexError when a model's stored vectors have another dimension."""
    if stored is not None and stored != dimension:
        msg = f"{model_id} vectors have {stored} dimensions, not {dimension}"
        raise VectorIndexError(msg)


def check_search(k: int) -> None:
    """VectorIndexError unless `k` is a usable number of results."""
    if k < 1 or k > 1000:
        raise VectorIndexError("k must be between 1 and 1000")

"""The embedding port: texts in, unit-length float32 vectors out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from jobpilot.kit.errors import ServiceUnavailable

Vectors = NDArray[np.float32]


class EmbeddingError(ServiceUnavailable):
    """Texts could not be embedded (a broken model file, a provider error or answer).

    `provider_status` is the HTTP status a remote provider answered, when there was one;
    `retry_after` is how long it asked us to wait, when it did (rate limits).
    """

    code = "embedding_error"
    default_message = "The texts could not be embedded."

    def __init__(
        self,
        message: str,
        *,
        provider_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider_status = provider_status
        self.retry_after = retry_after


class Embedder(Protocol):
    """Turns texts into vectors whose dot product is their cosine similarity."""

    # Read-only members, so a plain class attribute and a computed property both qualify.
    @property
    def model_id(self) -> str:
        """The model's id, carried by every stored vector so vectors of two models never mix."""
        ...

    @property
    def dimension(self) -> int:
        """The length of every vector."""
        ...

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised float32 row per text, shape (len(texts), dimension)."""
        ...


async def embed_in_batches(
    texts: Sequence[str],
    batch_size: int,
    dimension: Callable[[], int],
    embed_batch: Callable[[list[str]], Awaitable[Vectors]],
) -> Vectors:
    """`texts` embedded `batch_size` at a time by `embed_batch`, rows in the order of `texts`."""
    if isinstance(texts, str):
        msg = "embed takes a sequence of texts, not one string"
        raise TypeError(msg)
    if not texts:
        return empty(dimension())
    parts = [
        await embed_batch(list(texts[start : start + batch_size]))
        for start in range(0, len(texts), batch_size)
    ]
    return np.concatenate(parts)


def empty(dimension: int) -> Vectors:
    """The embedding of no texts."""
    return np.zeros((0, dimension), dtype=np.float32)


def unit_rows(matrix: NDArray[Any]) -> Vectors:
    """`matrix` as float32 with every row scaled to length 1.

    A row of length zero (or with NaN/inf) has no direction to keep, so it is an error rather
    than a silent zero vector that would match nothing.
    """
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    if rows.size and not (np.all(np.isfinite(norms)) and np.all(norms > 0)):
        msg = "the embedding model returned a zero or non-finite vector"
        raise EmbeddingError(msg)
    unit: Vectors = rows / norms if rows.size else rows
    return unit

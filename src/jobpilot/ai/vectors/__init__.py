"""The vector index port and its two implementations (see `base`)."""

from jobpilot.ai.vectors.base import (
    VectorFilter,
    VectorHit,
    VectorIndex,
    VectorIndexError,
    VectorItem,
    normalised,
)
from jobpilot.ai.vectors.embedded import EmbeddedVectorIndex
from jobpilot.ai.vectors.pgvector import PgVectorIndex

__all__ = [
    "EmbeddedVectorIndex",
    "PgVectorIndex",
    "VectorFilter",
    "VectorHit",
    "VectorIndex",
    "VectorIndexError",
    "VectorItem",
    "normalised",
]

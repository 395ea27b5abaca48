"""The ai domain's adapters, as the rest of the domain receives them."""

from __future__ import annotations

from dataclasses import dataclass

from jobpilot.ai.config import AiSettings
from jobpilot.ai.embeddings import Embedder
from jobpilot.ai.vectors import VectorIndex


@dataclass
class AiComponents:
    """The embedding model and the vector index of one process (chosen by wiring)."""

    settings: AiSettings
    embedder: Embedder
    vectors: VectorIndex

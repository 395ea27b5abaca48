"""Text embeddings: the `Embedder` port, its local and OpenAI-compatible adapters, chunking."""

from jobpilot.ai.embeddings.base import Embedder, EmbeddingError, Vectors
from jobpilot.ai.embeddings.chunking import (
    embed_document,
    embed_documents,
    posting_chunks,
    resume_chunks,
)
from jobpilot.ai.embeddings.local import LocalEmbedder
from jobpilot.ai.embeddings.openai_compatible import OpenAIEmbedder

__all__ = [
    "Embedder",
    "EmbeddingError",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "Vectors",
    "embed_document",
    "embed_documents",
    "posting_chunks",
    "resume_chunks",
]

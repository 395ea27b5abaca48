"""Settings of the ai service (`JOBPILOT_AI__*`): which embedding model, and how it runs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class OpenAIEmbeddingSettings(BaseModel):
    """Any OpenAI-compatible embeddings endpoint (OpenAI, Ollama, vLLM, llama.cpp server)."""

    base_url: str = "http://127.0.0.1:11434/v1"
    api_key: SecretStr = SecretStr("")
    model: str = "nomic-embed-text"
    # The vectors' length when known (checked on every answer); learnt from the first otherwise.
    dimension: int | None = Field(default=None, ge=1, le=8192)
    batch_size: int = Field(default=64, ge=1, le=2048)


class MatchWeights(BaseModel):
    """How a match's score combines its parts (each 0 to 1); only their ratio matters."""

    similarity: float = Field(default=0.7, ge=0, le=100)
    skills: float = Field(default=0.3, ge=0, le=100)


class AiSettings(BaseModel):
    """Which model embeds postings and resumes, and how the vector index searches."""

    # "local": all-MiniLM-L6-v2 on this machine's CPU, no key, no network (the default);
    # "openai": the endpoint in `openai`.
    embedder: Literal["local", "openai"] = "local"
    local_threads: int = Field(default=2, ge=1, le=64)
    local_batch_size: int = Field(default=32, ge=1, le=512)
    openai: OpenAIEmbeddingSettings = Field(default_factory=OpenAIEmbeddingSettings)
    match_weights: MatchWeights = Field(default_factory=MatchWeights)
    # Postings compared in full per match asked for (the closest by vector are re-ranked).
    match_candidates: int = Field(default=3, ge=1, le=10)
    # pgvector HNSW candidates per search (more: better recall, slower).
    hnsw_ef_search: int = Field(default=300, ge=10, le=1000)

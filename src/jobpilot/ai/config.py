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


class LlmSettings(BaseModel):
    """The language model behind tailoring, cover letters, extraction and screening answers.

    "local-rules" (the default) needs no model: deterministic rules that say so in every
    response. "openai-compatible" is any server speaking OpenAI's chat completions API
    (OpenAI, Ollama, vLLM, llama.cpp server) at `base_url`.
    """

    provider: Literal["local-rules", "openai-compatible"] = "local-rules"
    base_url: str = "http://127.0.0.1:11434/v1"
    api_key: SecretStr = SecretStr("")
    model: str = "llama3.1:8b"
    # Stream answers (server-sent events); some gateways only time out idle streams.
    stream: bool = False
    # "json_schema": the server constrains output to the schema (OpenAI, vLLM, llama.cpp,
    # Ollama >= 0.5); "json_object": only JSON is promised, the schema rides in the prompt.
    json_mode: Literal["json_schema", "json_object"] = "json_schema"
    temperature: float = Field(default=0.2, ge=0, le=2)
    timeout_seconds: float = Field(default=60, gt=0, le=600)
    max_retries: int = Field(default=3, ge=0, le=10)
    # A Retry-After longer than this fails the request at once instead of waiting.
    max_retry_after: float = Field(default=60, ge=0, le=3600)
    # What `model` costs at `base_url`, in US dollars per 1,000 prompt (input) and completion
    # (output) tokens: the admin's spend figure multiplies this month's tokens by them. 0 (the
    # default) suits a model run on your own machine (Ollama, llama.cpp); set them to your
    # provider's list prices otherwise. "local-rules" uses no model and costs nothing. Usage is
    # kept per provider, not per model: after a change of model the whole month is priced at
    # the new model's prices.
    prompt_price_per_1k: float = Field(default=0.0, ge=0, le=1000)
    completion_price_per_1k: float = Field(default=0.0, ge=0, le=1000)


class MatchWeights(BaseModel):
    """How a match's score combines its parts (each 0 to 1); only their ratio matters."""

    similarity: float = Field(default=0.7, ge=0, le=100)
    skills: float = Field(default=0.3, ge=0, le=100)
    # Levels apart: 1 when the posting's seniority is the resume's, 0.5 one level off, 0 further.
    seniority: float = Field(default=0.1, ge=0, le=100)
    # TF-IDF cosine of the resume's words with the posting's, the IDF over the candidates
    # (ai/lexical.py). It runs lower than similarity (about 0.2 for a posting the resume was
    # written for, under 0.05 for most others), hence the larger weight; 2 to 3 ranked best
    # on RJDB (bench/bench_match_quality.py).
    lexical: float = Field(default=2.5, ge=0, le=100)


class AiSettings(BaseModel):
    """Which model embeds postings and resumes, and how the vector index searches."""

    # "local": all-MiniLM-L6-v2 on this machine's CPU, no key, no network (the default);
    # "openai": the endpoint in `openai`.
    embedder: Literal["local", "openai"] = "local"
    local_threads: int = Field(default=2, ge=1, le=64)
    local_batch_size: int = Field(default=32, ge=1, le=512)
    openai: OpenAIEmbeddingSettings = Field(default_factory=OpenAIEmbeddingSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    # How long a language model's answer to the same request is reused.
    cache_ttl_hours: int = Field(default=168, ge=0, le=24 * 90)
    match_weights: MatchWeights = Field(default_factory=MatchWeights)
    # Postings compared in full per match asked for (the closest by vector are re-ranked).
    match_candidates: int = Field(default=3, ge=1, le=10)
    # pgvector HNSW candidates per search (more: better recall, slower).
    hnsw_ef_search: int = Field(default=300, ge=10, le=1000)

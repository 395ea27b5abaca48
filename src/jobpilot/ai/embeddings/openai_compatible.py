"""The remote embedder: any server speaking OpenAI's embeddings API (`POST {base}/embeddings`).

OpenAI itself, Azure-style gateways, vLLM, Ollama, LocalAI and text-embeddings-inference all
answer `{"data": [{"index": i, "embedding": [...]}, ...]}` to `{"model": m, "input": [...]}`.
Rate limits (429) and server errors (5xx) are retried with exponential backoff, waiting for the
server's Retry-After when it gives one and it is short enough; other 4xx mean the request itself
is wrong and are never retried. The API key is sent only in the Authorization header and never
appears in an error message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Self

import httpx
import numpy as np

from jobpilot.ai.embeddings.base import EmbeddingError, Vectors, embed_in_batches, unit_rows
from jobpilot.kit.retry import backoff, retry_after
from jobpilot.kit.tracing import TracedTransport

Sleep = Callable[[float], Awaitable[None]]
_PROVIDER_MESSAGE_CHARS = 200


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible server; `model_id` is the model's name there.

    Without a configured `dimension`, the first answer sets it and every later one must match.
    Close it with `aclose()` (or `async with`) when it made its own HTTP client.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        dimension: int | None = None,
        http: httpx.AsyncClient | None = None,
        batch_size: int = 64,
        max_retries: int = 3,
        *,
        timeout_seconds: float = 30.0,
        backoff_base: float = 1.0,
        max_retry_after: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if batch_size < 1 or max_retries < 0:
            msg = "batch_size must be at least 1 and max_retries not negative"
            raise ValueError(msg)
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model_id = model
        self._dimension = dimension
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._api_key = api_key
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=timeout_seconds, trust_env=False, transport=TracedTransport()
        )

    @property
    def dimension(self) -> int:
        """The configured dimension, or the one the server's first answer showed."""
        if self._dimension is None:
            msg = f"the dimension of {self.model_id} is not known before its first answer"
            raise EmbeddingError(msg)
        return self._dimension

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised float32 row per text, in the order of `texts`."""
        return await embed_in_batches(
            texts, self.batch_size, lambda: self.dimension, self._embed_batch
        )

    async def aclose(self) -> None:
        """Close the HTTP client if this embedder made it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _embed_batch(self, texts: list[str]) -> Vectors:
        body = await self._post({"model": self.model_id, "input": texts})
        rows = _rows(body, len(texts))
        width = len(rows[0])
        if any(len(row) != width for row in rows):
            msg = f"{self.model_id} returned vectors of different lengths"
            raise EmbeddingError(msg)
        if self._dimension is not None and width != self._dimension:
            msg = f"{self.model_id} returned {width}-d vectors, expected {self._dimension}-d"
            raise EmbeddingError(msg)
        try:
            matrix = np.asarray(rows, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            msg = f"{self.model_id} returned a vector that is not all numbers"
            raise EmbeddingError(msg) from exc
        self._dimension = width
        return unit_rows(matrix)

    async def _post(self, payload: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        for attempt in range(self.max_retries + 1):
            try:
                response = await self._http.post(self.url, json=payload, headers=headers)
            except (httpx.TimeoutException, httpx.NetworkError) as exc:
                if attempt == self.max_retries:
                    msg = f"the embedding provider could not be reached ({type(exc).__name__})"
                    raise EmbeddingError(msg) from exc
                await self._sleep(self._backoff(attempt))
                continue
            except httpx.HTTPError as exc:
                msg = f"the embedding request failed ({type(exc).__name__})"
                raise EmbeddingError(msg) from exc
            if response.is_success:
                try:
                    return response.json()
                except ValueError as exc:
                    msg = f"the embedding provider's answer ({response.status_code}) is not JSON"
                    raise EmbeddingError(msg) from exc
            status = response.status_code
            wait = retry_after(response.headers)
            retryable = status == 429 or status >= 500
            too_long = wait is not None and wait > self.max_retry_after
            if not retryable or too_long or attempt == self.max_retries:
                raise self._failure(response, wait, attempt + 1)
            await self._sleep(wait if wait is not None else self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return backoff(self.backoff_base, attempt)

    def _failure(
        self, response: httpx.Response, retry_after: float | None, attempts: int
    ) -> EmbeddingError:
        status = response.status_code
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if status in {401, 403}:
            # Providers echo (part of) a rejected key in their message: leave it out entirely.
            message = f"the embedding provider refused the API key ({status})"
        else:
            detail = self._provider_message(response)
            message = f"the embedding provider answered {status}{tries}" + (
                f": {detail}" if detail else ""
            )
        return EmbeddingError(message, provider_status=status, retry_after=retry_after)

    def _provider_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
            error = body.get("error") if isinstance(body, dict) else None
            text = error.get("message") if isinstance(error, dict) else error
        except ValueError:
            text = None
        if not isinstance(text, str):
            return ""
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return " ".join(text.split())[:_PROVIDER_MESSAGE_CHARS]


def _rows(body: Any, count: int) -> list[list[Any]]:
    """The `embedding`s of an answer in input order (servers may answer out of order)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or len(data) != count:
        msg = f"the embedding provider's answer does not hold {count} embeddings"
        raise EmbeddingError(msg)
    by_index: dict[int, list[Any]] = {}
    for item in data:
        index = item.get("index") if isinstance(item, dict) else None
        vector = item.get("embedding") if isinstance(item, dict) else None
        if not isinstance(index, int) or not isinstance(vector, list) or not vector:
            msg = "the embedding provider's answer has an item without index or embedding"
            raise EmbeddingError(msg)
        by_index[index] = vector
    if sorted(by_index) != list(range(count)):
        msg = f"the embedding provider's answer does not index its embeddings 0 to {count - 1}"
        raise EmbeddingError(msg)
    return [by_index[i] for i in range(count)]

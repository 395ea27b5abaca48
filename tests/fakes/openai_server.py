"""A local server speaking OpenAI's embeddings API, for the OpenAI-compatible embedder's tests.

    with FakeOpenAI(api_key="sk-test") as server:
        embedder = OpenAIEmbedder(server.base_url, "sk-test", "text-embedding-3-small")
        server.fail_next(429, retry_after="2")   # then answers normally
        ...
        server.requests                          # what was asked, headers included

`POST /v1/embeddings` takes `{"model": ..., "input": str | [str, ...]}` and answers
`{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}], ...}`
with deterministic vectors: the text's words hashed into `dimension` signed buckets (so texts
sharing words point the same way) and deliberately not unit length. Errors use OpenAI's shape
`{"error": {"message", "type", "param", "code"}}`. Knobs make the next answers go wrong the ways
real providers do: a status with Retry-After, a body that is not JSON, vectors of another length.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.local_server import ServedApp

Answer = Callable[[str, list[str]], Response]


@dataclass(frozen=True)
class EmbeddingRequest:
    """One request as the server saw it."""

    headers: dict[str, str]
    body: Any
    status: int

    @property
    def inputs(self) -> list[str]:
        """The texts asked for (empty when the body was not a valid request)."""
        value = self.body.get("input") if isinstance(self.body, dict) else None
        return [value] if isinstance(value, str) else list(value or [])


def word_vector(text: str, dimension: int) -> list[float]:
    """The fake model: each word adds ±1 to a bucket chosen by its hash (scaled by 3)."""
    vector = [0.0] * dimension
    for word in re.findall(r"\w+", text.lower()) or [""]:
        digest = hashlib.sha256(word.encode()).digest()
        bucket = int.from_bytes(digest[:4], "big") % dimension
        vector[bucket] += 3.0 if digest[4] % 2 else -3.0
    return vector


def error(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    """An error in OpenAI's shape."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status)


class FakeOpenAI(ServedApp):
    """OpenAI's embeddings endpoint on 127.0.0.1; `base_url` ends in /v1 like the real one."""

    thread_name = "fake-openai"

    def __init__(
        self, *, api_key: str | None = None, dimension: int = 64, max_inputs: int = 2048
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.dimension = dimension
        self.max_inputs = max_inputs
        # Answer items last-to-first, as the API allows (clients must sort by index).
        self.reverse_order = True
        self.requests: list[EmbeddingRequest] = []
        self._planned: list[Answer] = []
        self.app = Starlette(routes=[Route("/v1/embeddings", self._embeddings, methods=["POST"])])

    def start(self) -> None:
        """Serve, with `base_url` pointing at the API root (`.../v1`)."""
        super().start()
        self.base_url += "/v1"

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        message: str = "The server had an error while processing your request.",
    ) -> None:
        """Answer the next `times` requests with `status` (and a Retry-After header)."""
        kind = "requests" if status == 429 else "server_error" if status >= 500 else "invalid"
        headers = {"retry-after": retry_after} if retry_after is not None else {}

        def answer(model: str, texts: list[str]) -> Response:
            response = error(status, message, kind)
            response.headers.update(headers)
            return response

        self._planned.extend([answer] * times)

    def garble_next(self) -> None:
        """Answer the next request 200 with a body cut off mid-JSON (a broken proxy)."""
        self._planned.append(
            lambda model, texts: Response(b'{"object": "list", "data": [{"ind', 200)
        )

    def resize_next(self, dimension: int) -> None:
        """Answer the next request with vectors of another `dimension`."""
        self._planned.append(lambda model, texts: self._answer(model, texts, dimension))

    def reset(self) -> None:
        """Forget recorded requests and planned answers; restore the defaults."""
        self.requests.clear()
        self._planned.clear()
        self.reverse_order = True

    async def _embeddings(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        response = self._respond(dict(request.headers), body)
        self.requests.append(EmbeddingRequest(dict(request.headers), body, response.status_code))
        return response

    def _respond(self, headers: dict[str, str], body: Any) -> Response:
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            presented = headers.get("authorization", "").removeprefix("Bearer ")
            # OpenAI names the rejected key in its message; a careless provider could in full.
            message = f"Incorrect API key provided: {presented}."
            return error(401, message, "invalid_request_error", "invalid_api_key")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            return error(400, "'model' is a required property", "invalid_request_error")
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return error(400, "'input' must be a string or an array of strings", "invalid")
        if not texts or len(texts) > self.max_inputs:
            message = f"'input' must hold 1 to {self.max_inputs} items, not {len(texts)}"
            return error(400, message, "invalid_request_error")
        if self._planned:
            return self._planned.pop(0)(body["model"], texts)
        return self._answer(body["model"], texts, self.dimension)

    def _answer(self, model: str, texts: list[str], dimension: int) -> Response:
        data = [
            {"object": "embedding", "index": i, "embedding": word_vector(text, dimension)}
            for i, text in enumerate(texts)
        ]
        if self.reverse_order:
            data.reverse()
        tokens = sum(len(text.split()) for text in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return JSONResponse({"object": "list", "data": data, "model": model, "usage": usage})

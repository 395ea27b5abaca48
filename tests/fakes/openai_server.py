"""A local server speaking OpenAI's embeddings and chat completions APIs, for adapter tests.

    with FakeOpenAI(api_key="sk-test") as server:
        embedder = OpenAIEmbedder(server.base_url, "sk-test", "text-embedding-3-small")
        server.fail_next(429, retry_after="2")   # then answers normally
        server.reply({"title": "Engineer"})      # the next chat answer
        ...
        server.requests                          # what was asked, headers included

`POST /v1/embeddings` takes `{"model": ..., "input": str | [str, ...]}` and answers
`{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}], ...}`
with deterministic vectors: the text's words hashed into `dimension` signed buckets (so texts
sharing words point the same way) and deliberately not unit length.

`POST /v1/chat/completions` checks the request as OpenAI does (model, messages, response_format,
stream_options) and answers what the test scripted with `reply`/`refuse_next`, as one
`chat.completion` object or, when `stream` is true, as `chat.completion.chunk` server-sent
events ending in `data: [DONE]`. With nothing scripted it answers 500 so a test notices.

Errors use OpenAI's shape `{"error": {"message", "type", "param", "code"}}`. Knobs make the next
answers go wrong the ways real providers do: a status with Retry-After, a body that is not JSON,
vectors of another length, a stream cut off mid-answer. Scripted answers are used in the order
they were scripted; `fail_next`, `garble_next` and `raw_next` apply to whichever endpoint is
asked next, the others only to their own endpoint.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from fakes.local_server import ServedApp

EMBEDDINGS = "/v1/embeddings"
CHAT = "/v1/chat/completions"
ROLES = ("system", "user", "assistant", "developer", "tool")
SCHEMA_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")

# What a planned answer gets: the endpoint's path and the (valid) request body.
Answer = Callable[[str, dict[str, Any]], Response]


@dataclass(frozen=True)
class ApiRequest:
    """One request as the server saw it."""

    headers: dict[str, str]
    body: Any
    status: int
    path: str = EMBEDDINGS

    @property
    def inputs(self) -> list[str]:
        """The texts asked for (empty when the body was not a valid request)."""
        value = self.body.get("input") if isinstance(self.body, dict) else None
        return [value] if isinstance(value, str) else list(value or [])

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages sent (empty when the body was not a chat request)."""
        value = self.body.get("messages") if isinstance(self.body, dict) else None
        return list(value) if isinstance(value, list) else []


# The name the embeddings tests knew it by.
EmbeddingRequest = ApiRequest


@dataclass(frozen=True)
class _Plan:
    """A scripted answer: for one endpoint, or for whichever is asked next (`path` None)."""

    path: str | None
    answer: Answer


def word_vector(text: str, dimension: int) -> list[float]:
    """The fake model: each word adds ±1 to a bucket chosen by its hash (scaled by 3)."""
    vector = [0.0] * dimension
    for word in re.findall(r"\w+", text.lower()) or [""]:
        digest = hashlib.sha256(word.encode()).digest()
        bucket = int.from_bytes(digest[:4], "big") % dimension
        vector[bucket] += 3.0 if digest[4] % 2 else -3.0
    return vector


def token_count(text: str) -> int:
    """The fake tokenizer: words and punctuation marks."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def error(
    status: int, message: str, kind: str, code: str | None = None, param: str | None = None
) -> JSONResponse:
    """An error in OpenAI's shape."""
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status)


def invalid(message: str, param: str | None = None) -> JSONResponse:
    """A 400 for a request OpenAI would refuse."""
    return error(400, message, "invalid_request_error", param=param)


class FakeOpenAI(ServedApp):
    """OpenAI's embeddings and chat endpoints on 127.0.0.1; `base_url` ends in /v1."""

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
        # Characters per streamed content chunk (real servers send a token or a few).
        self.chunk_chars = 7
        self.requests: list[ApiRequest] = []
        self._planned: list[_Plan] = []
        self._ids = 0
        self.app = Starlette(
            routes=[
                Route(EMBEDDINGS, self._endpoint, methods=["POST"]),
                Route(CHAT, self._endpoint, methods=["POST"]),
            ]
        )

    def start(self) -> None:
        """Serve, with `base_url` pointing at the API root (`.../v1`)."""
        super().start()
        self.base_url += "/v1"

    @property
    def chat_requests(self) -> list[ApiRequest]:
        """The requests to the chat completions endpoint, in order."""
        return [r for r in self.requests if r.path == CHAT]

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

        def answer(path: str, body: dict[str, Any]) -> Response:
            response = error(status, message, kind)
            response.headers.update(headers)
            return response

        self._planned.extend([_Plan(None, answer)] * times)

    def garble_next(self) -> None:
        """Answer the next request 200 with a body cut off mid-JSON (a broken proxy)."""
        cut = {EMBEDDINGS: b'{"object": "list", "data": [{"ind', CHAT: b'{"id": "chatcmpl-1", "cho'}
        self._planned.append(
            _Plan(None, lambda path, body: Response(cut[path], 200, media_type="application/json"))
        )

    def raw_next(
        self, body: bytes, *, status: int = 200, content_type: str = "application/json"
    ) -> None:
        """Answer the next request with exactly `body` (a proxy's page, a body without choices)."""
        self._planned.append(
            _Plan(None, lambda path, request: Response(body, status, media_type=content_type))
        )

    def resize_next(self, dimension: int) -> None:
        """Answer the next embeddings request with vectors of another `dimension`."""
        self._planned.append(
            _Plan(
                EMBEDDINGS,
                lambda path, body: self._answer(body["model"], _texts(body), dimension),
            )
        )

    def reply(
        self,
        content: str | dict[str, Any],
        *,
        finish_reason: str = "stop",
        usage: bool = True,
    ) -> None:
        """Answer the next chat request with `content` (a dict is sent as its JSON text).

        `usage=False` leaves the token counts out, as many local servers do.
        """
        text = content if isinstance(content, str) else json.dumps(content)
        self._planned.append(
            _Plan(
                CHAT, lambda path, body: self._chat_answer(body, text, None, finish_reason, usage)
            )
        )

    def refuse_next(self, text: str) -> None:
        """Answer the next chat request with a refusal instead of content."""
        self._planned.append(
            _Plan(CHAT, lambda path, body: self._chat_answer(body, None, text, "stop", True))
        )

    def cut_stream_next(self, content: str | dict[str, Any]) -> None:
        """Stream part of `content` to the next chat request, then hang up (no finish, no DONE)."""
        text = content if isinstance(content, str) else json.dumps(content)

        def answer(path: str, body: dict[str, Any]) -> Response:
            if not body.get("stream"):
                return Response(text[: len(text) // 2].encode(), 200, media_type="application/json")
            return self._chat_stream(body, text[: len(text) // 2], None, None, False, cut=True)

        self._planned.append(_Plan(CHAT, answer))

    def reset(self) -> None:
        """Forget recorded requests and planned answers; restore the defaults."""
        self.requests.clear()
        self._planned.clear()
        self.reverse_order = True
        self.chunk_chars = 7

    async def _endpoint(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        path = request.url.path
        headers = dict(request.headers)
        response = self._respond(path, headers, body)
        self.requests.append(ApiRequest(headers, body, response.status_code, path))
        return response

    def _respond(self, path: str, headers: dict[str, str], body: Any) -> Response:
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            presented = headers.get("authorization", "").removeprefix("Bearer ")
            # OpenAI names the rejected key in its message; a careless provider could in full.
            message = f"Incorrect API key provided: {presented}."
            return error(401, message, "invalid_request_error", "invalid_api_key")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            return invalid("'model' is a required property", "model")
        refusal = self._embeddings_problem(body) if path == EMBEDDINGS else self._chat_problem(body)
        if refusal is not None:
            return refusal
        for i, plan in enumerate(self._planned):
            if plan.path in {None, path}:
                del self._planned[i]
                return plan.answer(path, body)
        if path == EMBEDDINGS:
            return self._answer(body["model"], _texts(body), self.dimension)
        return error(500, "no scripted reply: call FakeOpenAI.reply() first", "server_error")

    def _embeddings_problem(self, body: dict[str, Any]) -> Response | None:
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return error(400, "'input' must be a string or an array of strings", "invalid")
        if not texts or len(texts) > self.max_inputs:
            message = f"'input' must hold 1 to {self.max_inputs} items, not {len(texts)}"
            return invalid(message, "input")
        return None

    def _chat_problem(self, body: dict[str, Any]) -> Response | None:
        messages = body.get("messages")
        if not isinstance(messages, list):
            return invalid("Invalid type for 'messages': expected an array.", "messages")
        if not messages:
            message = "Invalid 'messages': empty array. Expected an array with minimum length 1."
            return invalid(message, "messages")
        for i, item in enumerate(messages):
            if not isinstance(item, dict) or item.get("role") not in ROLES:
                supported = ", ".join(f"'{r}'" for r in ROLES)
                message = f"Invalid 'messages[{i}].role'. Supported values are: {supported}."
                return invalid(message, f"messages[{i}].role")
            content = item.get("content")
            absent_allowed = item["role"] == "assistant" and content is None
            if not isinstance(content, str | list) and not absent_allowed:
                message = f"Invalid type for 'messages[{i}].content': expected a string."
                return invalid(message, f"messages[{i}].content")
        max_tokens = body.get("max_tokens")
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
            return invalid("Invalid 'max_tokens': expected an integer of at least 1.", "max_tokens")
        temperature = body.get("temperature", 1)
        if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
            return invalid("Invalid 'temperature': expected a number from 0 to 2.", "temperature")
        if "stream_options" in body and not body.get("stream"):
            message = "The 'stream_options' parameter is only allowed when 'stream' is enabled."
            return invalid(message, "stream_options")
        return self._response_format_problem(body.get("response_format"), messages)

    def _response_format_problem(
        self, response_format: Any, messages: list[dict[str, Any]]
    ) -> Response | None:
        if response_format is None:
            return None
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if kind not in {"text", "json_object", "json_schema"}:
            message = "Invalid 'response_format.type': expected text, json_object or json_schema."
            return invalid(message, "response_format.type")
        if kind == "json_object":
            text = " ".join(m["content"] for m in messages if isinstance(m.get("content"), str))
            if "json" not in text.lower():
                message = (
                    "'messages' must contain the word 'json' in some form, to use "
                    "'response_format' of type 'json_object'."
                )
                return invalid(message, "messages")
        if kind == "json_schema":
            spec = response_format.get("json_schema")
            name = spec.get("name") if isinstance(spec, dict) else None
            if not isinstance(name, str) or not SCHEMA_NAME.fullmatch(name):
                message = "Invalid 'response_format.json_schema.name': expected ^[a-zA-Z0-9_-]+$."
                return invalid(message, "response_format.json_schema.name")
            if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
                message = "Invalid 'response_format.json_schema.schema': expected an object."
                return invalid(message, "response_format.json_schema.schema")
        return None

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

    def _chat_answer(
        self,
        body: dict[str, Any],
        content: str | None,
        refusal: str | None,
        finish_reason: str,
        usage: bool,
    ) -> Response:
        if body.get("stream"):
            return self._chat_stream(body, content, refusal, finish_reason, usage)
        message = {"role": "assistant", "content": content, "refusal": refusal}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        answer: dict[str, Any] = {
            **self._header(body, "chat.completion"),
            "choices": [choice],
        }
        if usage:
            answer["usage"] = _usage(body, content or refusal or "")
        return JSONResponse(answer)

    def _chat_stream(
        self,
        body: dict[str, Any],
        content: str | None,
        refusal: str | None,
        finish_reason: str | None,
        usage: bool,
        *,
        cut: bool = False,
    ) -> Response:
        header = self._header(body, "chat.completion.chunk")
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        step = max(1, self.chunk_chars)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            item = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            extra = {"usage": None} if include_usage else {}
            return {**header, "choices": [item], **extra}

        chunks = [chunk({"role": "assistant", "content": "", "refusal": None})]
        field, text = ("refusal", refusal) if refusal is not None else ("content", content or "")
        chunks += [chunk({field: text[i : i + step]}) for i in range(0, len(text), step)]
        if not cut:
            chunks.append(chunk({}, finish_reason))
            if include_usage and usage:
                chunks.append({**header, "choices": [], "usage": _usage(body, text)})

        async def events() -> AsyncIterator[bytes]:
            for item in chunks:
                yield f"data: {json.dumps(item)}\n\n".encode()
            if not cut:
                yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    def _header(self, body: dict[str, Any], kind: str) -> dict[str, Any]:
        self._ids += 1
        return {
            "id": f"chatcmpl-fake{self._ids:06d}",
            "object": kind,
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
        }


def _texts(body: dict[str, Any]) -> list[str]:
    texts = body["input"]
    return [texts] if isinstance(texts, str) else list(texts)


def _usage(body: dict[str, Any], answer: str) -> dict[str, int]:
    prompt = sum(
        token_count(m["content"]) for m in body["messages"] if isinstance(m.get("content"), str)
    )
    completion = token_count(answer)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }

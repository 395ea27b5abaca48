"""The chat model behind any server speaking OpenAI's chat completions API.

OpenAI itself, vLLM, Ollama, llama.cpp server and LiteLLM-style gateways answer
`POST {base}/chat/completions`. Output is constrained with `response_format`: a JSON schema the
server enforces where it can ("json_schema"), or plain JSON mode with the schema written into
the system prompt ("json_object"). Whatever comes back is validated against the schema; an
answer that does not validate gets exactly one repair turn that names what was wrong.

Rate limits (429), server errors (5xx), network failures and 200 answers that are not a chat
completion (a broken proxy) are retried with exponential backoff, waiting for the server's
Retry-After when it gives one and it is short enough; those retries are transport, not model
attempts. Other 4xx mean the request itself is wrong and are never retried. The API key is sent
only in the Authorization header and never appears in an error message.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self

import httpx
from pydantic import ValidationError

from jobpilot.ai.config import LlmSettings
from jobpilot.ai.providers.base import ChatMessage, Completion, LlmError, Schema
from jobpilot.kit.retry import backoff, retry_after
from jobpilot.kit.tracing import TracedTransport

Sleep = Callable[[float], Awaitable[None]]
JsonMode = Literal["json_schema", "json_object"]

_PROVIDER_MESSAGE_CHARS = 200
# The repair turn names only the first few problems: enough to fix, short enough to read.
_REPAIR_PROBLEMS = 3
_PROBLEM_CHARS = 160
_CHARS_PER_TOKEN = 4
# Models wrap JSON in a Markdown fence even when told not to.
_FENCED = re.compile(r"\A\s*```[ \t]*(?:json)?[ \t]*\n(.*?)\n?[ \t]*```\s*\Z", re.DOTALL | re.I)
# OpenAI rejects a json_schema name outside this alphabet or longer than 64 characters.
_NOT_IN_SCHEMA_NAME = re.compile(r"[^A-Za-z0-9_-]")
# Failures of the connection itself, which a later try may not meet.
_TRANSIENT_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class _Answer:
    """What one chat completion request returned."""

    content: str
    finish_reason: str | None
    refusal: str
    prompt_tokens: int | None
    completion_tokens: int | None


class _Retryable(Exception):
    """A failed exchange that may pass when tried again (429, 5xx, network, broken answer)."""

    def __init__(
        self,
        head: str,
        *,
        reason: str,
        detail: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(head)
        self.head = head
        self.detail = detail
        self.reason = reason
        self.status = status
        self.retry_after = retry_after

    def error(self, tries: int) -> LlmError:
        """The error to raise when no more tries are allowed."""
        after = f" after {tries} attempts" if tries > 1 else ""
        message = self.head + after + (f": {self.detail}" if self.detail else "")
        return LlmError(
            message,
            reason=self.reason,
            provider_status=self.status,
            retry_after=self.retry_after,
        )


@dataclass
class _Tally:
    """Model requests made for one answer, and their token counts."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False

    def add(self, answer: _Answer, prompt_chars: int) -> None:
        self.requests += 1
        prompt, completion = answer.prompt_tokens, answer.completion_tokens
        if prompt is None or completion is None:
            # No counts from the provider (many local servers): a rough figure beats none.
            self.estimated = True
            prompt = _estimate(prompt_chars) if prompt is None else prompt
            completion = _estimate(len(answer.content)) if completion is None else completion
        self.prompt_tokens += prompt
        self.completion_tokens += completion


class OpenAIChatModel:
    """A chat model on an OpenAI-compatible server; `model_id` is the model's name there.

    Close it with `aclose()` (or `async with`) when it made its own HTTP client.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        *,
        http: httpx.AsyncClient | None = None,
        stream: bool = False,
        json_mode: JsonMode = "json_schema",
        temperature: float = 0.2,
        timeout_seconds: float = 60.0,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        max_retry_after: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_retries < 0:
            msg = "max_retries must not be negative"
            raise ValueError(msg)
        if json_mode not in {"json_schema", "json_object"}:
            msg = f"json_mode must be json_schema or json_object, not {json_mode!r}"
            raise ValueError(msg)
        self.url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self.stream = stream
        self.json_mode: JsonMode = json_mode
        self.temperature = temperature
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._api_key = api_key
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=timeout_seconds, trust_env=False, transport=TracedTransport()
        )

    @classmethod
    def from_settings(cls, settings: LlmSettings, http: httpx.AsyncClient | None = None) -> Self:
        """The model `settings` describe (`JOBPILOT_AI__LLM__*`)."""
        return cls(
            settings.base_url,
            settings.api_key.get_secret_value() or None,
            settings.model,
            http=http,
            stream=settings.stream,
            json_mode=settings.json_mode,
            temperature=settings.temperature,
            timeout_seconds=settings.timeout_seconds,
            max_retries=settings.max_retries,
            max_retry_after=settings.max_retry_after,
        )

    @property
    def provider(self) -> str:
        """Always `openai-compatible`."""
        return "openai-compatible"

    @property
    def model_id(self) -> str:
        """The model's name at the provider."""
        return self._model

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: type[Schema],
        *,
        name: str,
        max_tokens: int = 1500,
    ) -> Completion[Schema]:
        """Ask for one JSON object that `schema` validates (one repair retry when it does not)."""
        if not messages:
            msg = "complete_json needs at least one message"
            raise ValueError(msg)
        if max_tokens < 1:
            msg = "max_tokens must be at least 1"
            raise ValueError(msg)
        json_schema = schema.model_json_schema()
        conversation = list(messages)
        if self.json_mode == "json_object":
            conversation = _with_schema_prompt(conversation, json_schema, name)
        response_format = self._response_format(json_schema, name)
        tally = _Tally()

        answer = await self._ask(conversation, response_format, max_tokens, tally)
        value, problems = _validated(answer, schema, max_tokens)
        if value is None:
            repair = [
                *conversation,
                ChatMessage("assistant", answer.content),
                ChatMessage("user", _repair_request(problems)),
            ]
            answer = await self._ask(repair, response_format, max_tokens, tally)
            value, problems = _validated(answer, schema, max_tokens)
        if value is None:
            msg = (
                f"the language model did not answer with a valid {name} after a repair retry: "
                + "; ".join(problems)
            )
            raise LlmError(msg, reason="invalid_output")
        return Completion(
            value=value,
            model=self._model,
            prompt_tokens=tally.prompt_tokens,
            completion_tokens=tally.completion_tokens,
            attempts=tally.requests,
            estimated_tokens=tally.estimated,
        )

    async def aclose(self) -> None:
        """Close the HTTP client if this model made it."""
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

    def _response_format(self, json_schema: dict[str, Any], name: str) -> dict[str, Any]:
        if self.json_mode == "json_object":
            return {"type": "json_object"}
        safe_name = _NOT_IN_SCHEMA_NAME.sub("_", name)[:64] or "answer"
        # Not strict: OpenAI's strict mode refuses schemas with optional fields or defaults.
        return {
            "type": "json_schema",
            "json_schema": {"name": safe_name, "schema": json_schema, "strict": False},
        }

    async def _ask(
        self,
        messages: list[ChatMessage],
        response_format: dict[str, Any],
        max_tokens: int,
        tally: _Tally,
    ) -> _Answer:
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self.temperature,
            "max_tokens": max_tokens,
            "response_format": response_format,
        }
        if self.stream:
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
        answer = await self._send(payload)
        prompt_chars = sum(len(m.content) for m in messages) + len(json.dumps(response_format))
        tally.add(answer, prompt_chars)
        if answer.refusal:
            refusal = " ".join(answer.refusal.split())[:_PROVIDER_MESSAGE_CHARS]
            msg = f"the language model refused to answer: {refusal}"
            raise LlmError(msg, reason="refused")
        if answer.finish_reason == "content_filter":
            msg = "the language model provider's content filter stopped the answer"
            raise LlmError(msg, reason="refused")
        return answer

    async def _send(self, payload: dict[str, Any]) -> _Answer:
        for attempt in range(self.max_retries + 1):
            try:
                return await self._exchange(payload)
            except _Retryable as failure:
                wait = failure.retry_after
                too_long = wait is not None and wait > self.max_retry_after
                if too_long or attempt == self.max_retries:
                    raise failure.error(attempt + 1) from failure.__cause__
                await self._sleep(wait if wait is not None else self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(self, payload: dict[str, Any]) -> _Answer:
        try:
            if not self.stream:
                response = await self._http.post(self.url, json=payload, headers=self._headers)
                self._check_status(response)
                return self._read_body(response)
            async with self._http.stream(
                "POST", self.url, json=payload, headers=self._headers
            ) as response:
                if not response.is_success:
                    await response.aread()
                    self._check_status(response)
                if response.headers.get("content-type", "").startswith("text/event-stream"):
                    return await self._read_events(response)
                # A server or proxy that ignores `stream` answers with one JSON body.
                await response.aread()
                return self._read_body(response)
        except _TRANSIENT_TRANSPORT as exc:
            head = f"the language model provider could not be reached ({type(exc).__name__})"
            raise _Retryable(head, reason="unreachable") from exc
        except httpx.HTTPError as exc:
            msg = f"the request to the language model provider failed ({type(exc).__name__})"
            raise LlmError(msg, reason="unreachable") from exc

    def _check_status(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        status = response.status_code
        wait = retry_after(response.headers)
        head = f"the language model provider answered {status}"
        if status == 429:
            detail = self._provider_message(response)
            raise _Retryable(
                head, reason="rate_limited", detail=detail, status=status, retry_after=wait
            )
        if status >= 500:
            detail = self._provider_message(response)
            raise _Retryable(
                head, reason="provider_error", detail=detail, status=status, retry_after=wait
            )
        if status in {401, 403}:
            # Providers echo (part of) a rejected key in their message: leave it out entirely.
            message = f"the language model provider refused the API key ({status})"
        else:
            detail = self._provider_message(response)
            message = head + (f": {detail}" if detail else "")
        raise LlmError(message, reason="provider_error", provider_status=status, retry_after=wait)

    def _read_body(self, response: httpx.Response) -> _Answer:
        status = response.status_code
        try:
            body = response.json()
        except ValueError as exc:
            head = f"the language model provider's answer ({status}) is not JSON"
            raise _Retryable(head, reason="provider_error", status=status) from exc
        choice = _first_choice(body.get("choices") if isinstance(body, dict) else None)
        message = choice.get("message") if choice is not None else None
        if not isinstance(body, dict) or not isinstance(message, dict):
            head = f"the language model provider's answer ({status}) is not a chat completion"
            detail = self._error_text(body.get("error") if isinstance(body, dict) else None)
            raise _Retryable(head, reason="provider_error", detail=detail, status=status)
        content, refusal = message.get("content"), message.get("refusal")
        finish_reason = choice.get("finish_reason") if choice is not None else None
        prompt_tokens, completion_tokens = _usage(body.get("usage"))
        return _Answer(
            content=content if isinstance(content, str) else "",
            finish_reason=finish_reason if isinstance(finish_reason, str) else None,
            refusal=refusal if isinstance(refusal, str) else "",
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )

    async def _read_events(self, response: httpx.Response) -> _Answer:
        stream = _Stream(response.status_code, self._error_text)
        data: list[str] = []
        async for line in response.aiter_lines():
            if line:
                name, _, value = line.partition(":")
                # Other fields (event, id, retry) and comments carry nothing a completion needs.
                if name == "data":
                    data.append(value.removeprefix(" "))
            elif data:
                stream.event("\n".join(data))
                data = []
        if data:
            stream.event("\n".join(data))
        return stream.answer()

    def _provider_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return ""
        return self._error_text(body.get("error") if isinstance(body, dict) else None)

    def _error_text(self, error: Any) -> str:
        """A provider's error message, scrubbed of the key and cut short."""
        text = error.get("message") if isinstance(error, dict) else error
        if not isinstance(text, str):
            return ""
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return " ".join(text.split())[:_PROVIDER_MESSAGE_CHARS]

    def _backoff(self, attempt: int) -> float:
        return backoff(self.backoff_base, attempt)


class _Stream:
    """The answer built from a stream of `chat.completion.chunk` events."""

    def __init__(self, status: int, error_text: Callable[[Any], str]) -> None:
        self.status = status
        self._error_text = error_text
        self.content: list[str] = []
        self.refusal: list[str] = []
        self.finish_reason: str | None = None
        self.usage: tuple[int | None, int | None] = (None, None)
        self.done = False

    def event(self, data: str) -> None:
        if self.done:
            return
        if data == "[DONE]":
            self.done = True
            return
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            head = "the language model provider's stream holds an event that is not JSON"
            raise _Retryable(head, reason="provider_error", status=self.status) from exc
        if not isinstance(chunk, dict):
            head = "the language model provider's stream holds an event that is not an object"
            raise _Retryable(head, reason="provider_error", status=self.status)
        if chunk.get("error"):
            head = "the language model provider reported an error in its stream"
            detail = self._error_text(chunk["error"])
            raise _Retryable(head, reason="provider_error", detail=detail, status=self.status)
        if isinstance(chunk.get("usage"), dict):
            self.usage = _usage(chunk["usage"])
        choice = _first_choice(chunk.get("choices"))
        if choice is None:
            return
        delta = choice.get("delta")
        if isinstance(delta, dict):
            if isinstance(delta.get("content"), str):
                self.content.append(delta["content"])
            if isinstance(delta.get("refusal"), str):
                self.refusal.append(delta["refusal"])
        if isinstance(choice.get("finish_reason"), str):
            self.finish_reason = choice["finish_reason"]

    def answer(self) -> _Answer:
        if not self.done and self.finish_reason is None:
            # Neither [DONE] nor a finish reason: the connection dropped mid-answer.
            head = "the language model provider's stream ended before the answer did"
            raise _Retryable(head, reason="provider_error", status=self.status)
        return _Answer(
            content="".join(self.content),
            finish_reason=self.finish_reason,
            refusal="".join(self.refusal),
            prompt_tokens=self.usage[0],
            completion_tokens=self.usage[1],
        )


def _first_choice(choices: Any) -> dict[str, Any] | None:
    """The choice with index 0 (we never ask for more than one)."""
    if not isinstance(choices, list):
        return None
    items = [c for c in choices if isinstance(c, dict)]
    for choice in items:
        if choice.get("index", 0) == 0:
            return choice
    return None


def _usage(usage: Any) -> tuple[int | None, int | None]:
    if not isinstance(usage, dict):
        return None, None

    def count(key: str) -> int | None:
        value = usage.get(key)
        is_count = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return value if is_count else None

    return count("prompt_tokens"), count("completion_tokens")


def _estimate(chars: int) -> int:
    return math.ceil(chars / _CHARS_PER_TOKEN)


def _with_schema_prompt(
    messages: list[ChatMessage], json_schema: dict[str, Any], name: str
) -> list[ChatMessage]:
    """The conversation with the schema written into its (first) system message."""
    instruction = (
        f"Answer with only a JSON object ({name}) that matches this JSON schema, "
        f"with no other text:\n{json.dumps(json_schema, ensure_ascii=False)}"
    )
    for i, message in enumerate(messages):
        if message.role == "system":
            joined = ChatMessage("system", f"{message.content}\n\n{instruction}")
            return [*messages[:i], joined, *messages[i + 1 :]]
    return [ChatMessage("system", instruction), *messages]


def _validated(
    answer: _Answer, schema: type[Schema], max_tokens: int
) -> tuple[Schema | None, list[str]]:
    """The answer as an instance of `schema`, or what is wrong with it."""
    if answer.finish_reason == "length":
        # Even when the cut happens to leave valid JSON, fields may be missing or short.
        return None, [f"the answer was cut off at the {max_tokens}-token limit; answer briefer"]
    match = _FENCED.match(answer.content)
    text = match.group(1) if match else answer.content
    try:
        return schema.model_validate_json(text), []
    except ValidationError as exc:
        return None, _problems(exc)


def _problems(exc: ValidationError) -> list[str]:
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    problems = []
    for error in errors[:_REPAIR_PROBLEMS]:
        where = ".".join(str(part) for part in error["loc"])
        problem = f"{where}: {error['msg']}" if where else error["msg"]
        problems.append(problem[:_PROBLEM_CHARS])
    if len(errors) > _REPAIR_PROBLEMS:
        problems.append(f"and {len(errors) - _REPAIR_PROBLEMS} more")
    return problems


def _repair_request(problems: list[str]) -> str:
    listed = "\n".join(f"- {problem}" for problem in problems)
    return (
        f"Your answer is not valid:\n{listed}\n"
        "Reply with only a JSON object that matches the schema, with no other text."
    )

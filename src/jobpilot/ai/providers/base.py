"""The chat-model port: messages in, one JSON object of a known schema out.

Every task that asks a language model for something (tailoring, cover letters, extraction,
screening answers) asks for JSON that a pydantic model validates, so what comes back is data,
never free text to be scraped. Providers differ in how they constrain output; the port only
promises that `complete_json` returns an instance of the schema or raises `LlmError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel

from jobpilot.kit.errors import ServiceUnavailable

Schema = TypeVar("Schema", bound=BaseModel)
Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation."""

    role: Role
    content: str


@dataclass(frozen=True)
class Completion(Generic[Schema]):
    """A validated answer and what it cost.

    `prompt_tokens`/`completion_tokens` are the provider's counts summed over every request the
    answer took (a repair retry included); `estimated_tokens` is True when the provider gave no
    counts and they were estimated from the text's length.
    """

    value: Schema
    model: str
    prompt_tokens: int
    completion_tokens: int
    attempts: int = 1
    estimated_tokens: bool = False


class LlmError(ServiceUnavailable):
    """The model could not give a usable answer (unreachable, refused, or invalid output).

    `provider_status` is the HTTP status a remote provider answered, when there was one;
    `retry_after` is how long it asked us to wait (rate limits). `reason` is one of
    `unreachable`, `rate_limited`, `refused`, `provider_error`, `invalid_output`.
    """

    code = "llm_error"
    default_message = "The language model could not answer."

    def __init__(
        self,
        message: str,
        *,
        reason: str = "provider_error",
        provider_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.provider_status = provider_status
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        """Whether the provider's rate limit is why it failed (after retries)."""
        return self.reason == "rate_limited"


class ChatModel(Protocol):
    """A language model reached through a chat API."""

    @property
    def provider(self) -> str:
        """The provider's kind as responses and metrics name it (`openai-compatible`)."""
        ...

    @property
    def model_id(self) -> str:
        """The model's name at the provider."""
        ...

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: type[Schema],
        *,
        name: str,
        max_tokens: int = 1500,
    ) -> Completion[Schema]:
        """Ask for one JSON object that `schema` validates (one repair retry when it does not)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...

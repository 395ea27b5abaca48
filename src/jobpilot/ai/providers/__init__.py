"""Language-model providers behind the chat-model port."""

from jobpilot.ai.providers.base import ChatMessage, ChatModel, Completion, LlmError

__all__ = ["ChatMessage", "ChatModel", "Completion", "LlmError"]

"""Ports: the small interfaces behind which every external system sits."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable


class Cache(Protocol):
    """A key-value cache with expiry (in-process embedded, Redis at scale)."""

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""

    async def set(self, key: str, value: bytes, ttl_seconds: float | None = None) -> None:
        """Store `value` under `key`, expiring after `ttl_seconds` when given."""

    async def delete(self, key: str) -> None:
        """Forget `key`."""

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        """Add `amount` to the counter at `key` (created at 0, expiry set on creation)."""

    async def ping(self) -> None:
        """Raise if the store does not answer."""

    async def close(self) -> None:
        """Release connections."""


class HealthCheck(Protocol):
    """A dependency that readiness depends on."""

    name: str

    async def check(self) -> None:
        """Raise if the dependency is not usable."""


@dataclass(frozen=True)
class EmailMessage:
    """One email to one recipient, as plain text and optionally HTML."""

    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    """Sends email (a mailbox in the database when embedded, SMTP at scale)."""

    async def send(self, message: EmailMessage) -> str:
        """Deliver `message`; return the message id. Raises MailNotSent if surely not sent."""


@runtime_checkable
class MailboxReader(Protocol):
    """A mailer whose sent messages can be read back (the dev mailbox)."""

    async def messages(self, to: str | None = None, limit: int = 20) -> list[Any]:
        """Sent messages, newest first, optionally only those to `to`."""


@dataclass(frozen=True)
class Blob:
    """Stored bytes and how to serve them."""

    data: bytes
    content_type: str
    etag: str


class BlobStore(Protocol):
    """Files by key (a local directory embedded, an S3-compatible bucket at scale)."""

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under `key` (replacing it atomically); return its etag."""

    async def get(self, key: str) -> Blob | None:
        """The blob under `key`, or None."""

    async def delete(self, key: str) -> None:
        """Remove `key` (absent keys are fine)."""


if TYPE_CHECKING:
    # Only for type checking: kit stays importable without playwright installed.
    from playwright.async_api import Page as BrowserPage
else:
    BrowserPage = Any


class BrowserPool(Protocol):
    """Headless browsers for filling hosted forms (Playwright Chromium; a fake in tests)."""

    def context(
        self, *, storage_state: dict[str, Any] | None = None
    ) -> AbstractAsyncContextManager[BrowserPage]:
        """A fresh, isolated browser context with one page, closed when the block ends."""

    async def close(self) -> None:
        """Close the browser and every context still open."""

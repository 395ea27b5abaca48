"""Keyed MACs and signed, expiring values for the web pages (CSRF tokens, flash messages)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

MIN_SECRET_CHARS = 32


class BadSignature(Exception):
    """A signed value was altered, made for another purpose or key, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class WebSigner:
    """HMAC-SHA256 under a key derived from the platform's secret for the web alone."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            msg = f"the secret key must be at least {MIN_SECRET_CHARS} characters"
            raise ValueError(msg)
        # A key of its own: a value signed here can never pass for one of the auth service's.
        self._key = hmac.new(secret.encode(), b"jobpilot/web/v1", hashlib.sha256).digest()

    def mac(self, purpose: str, value: str) -> str:
        """A keyed hash of `value` for one `purpose` (URL- and cookie-safe)."""
        message = purpose.encode() + b"\x00" + value.encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def matches(self, purpose: str, value: str, candidate: str) -> bool:
        """Whether `candidate` is `mac(purpose, value)` (in constant time)."""
        return hmac.compare_digest(self.mac(purpose, value).encode(), candidate.encode())

    def sign(self, purpose: str, payload: Any, *, max_age: int) -> str:
        """`payload` (JSON-able) as a compact string that is valid for `max_age` seconds."""
        document = {"p": payload, "e": int(time.time()) + max_age}
        body = _b64(json.dumps(document, separators=(",", ":")).encode())
        return f"{body}.{self.mac(purpose, body)}"

    def unsign(self, purpose: str, value: str) -> Any:
        """The payload of a `sign()`ed value; BadSignature if altered, foreign or expired."""
        body, _, signature = value.partition(".")
        if not signature or not self.matches(purpose, body, signature):
            raise BadSignature
        try:
            document = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadSignature from exc
        if not isinstance(document, dict) or int(document.get("e", 0)) < time.time():
            raise BadSignature
        return document.get("p")

"""Symmetric protection for secrets at rest and for emailed links."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_hash(token: str) -> str:
    """How an opaque token is stored: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token."""
    return secrets.token_urlsafe(nbytes)


class BadSignature(Exception):
    """A signed value was altered, made with another key, or is not one at all."""


class Keyring:
    """Keys derived from the one secret: AES-GCM for data at rest, HMAC for signed values."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 32:
            msg = "the auth secret key must be at least 32 characters"
            raise ValueError(msg)
        self._aead = AESGCM(self._derive(secret, b"jobpilot/aead"))
        self._mac_key = self._derive(secret, b"jobpilot/hmac")

    @staticmethod
    def _derive(secret: str, info: bytes) -> bytes:
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(secret.encode())

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt `plaintext`; `context` binds it to one use (it must match on decrypt)."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return _b64(nonce + sealed)

    def decrypt(self, token: str, *, context: str) -> str:
        """The plaintext of `encrypt(..., context=context)`."""
        raw = _unb64(token)
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()

    def mac(self, data: str) -> str:
        """A keyed hash of `data` (for recovery codes and other short secrets)."""
        return hmac.new(self._mac_key, data.encode(), hashlib.sha256).hexdigest()

    def sign(self, payload: dict[str, Any]) -> str:
        """`payload` as a compact signed string."""
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        signature = _b64(hmac.new(self._mac_key, body.encode(), hashlib.sha256).digest())
        return f"{body}.{signature}"

    def unsign(self, value: str) -> dict[str, Any]:
        """The payload of a `sign()`ed value; BadSignature if it was tampered with."""
        body, _, signature = value.partition(".")
        expected = _b64(hmac.new(self._mac_key, body.encode(), hashlib.sha256).digest())
        if not signature or not hmac.compare_digest(signature, expected):
            raise BadSignature
        try:
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadSignature from exc
        if not isinstance(payload, dict):
            raise BadSignature
        return payload

"""Verification keys fetched from the auth service's JWKS endpoint (split deployments)."""

from __future__ import annotations

from typing import Any

import httpx


class HttpJwks:
    """GETs the JSON Web Key Set; the caller (kit.authn.CachedKeys) caches it."""

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self._url = url
        self._http = http

    async def jwks(self) -> dict[str, Any]:
        """The current key set; raises on a transport error or a non-2xx answer."""
        response = await self._http.get(self._url, timeout=5.0)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            msg = "the JWKS endpoint did not answer with a JSON object"
            raise TypeError(msg)
        return document

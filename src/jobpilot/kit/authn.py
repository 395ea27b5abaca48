"""Access-token verification shared by every service (ASVS 5.0 V9).

Each service verifies access tokens locally: the signature with the auth service's published keys
(algorithm pinned, `kid` required), then `exp`, `nbf`, `iss` and `aud`, then the session
revocation list, so that a logout takes effect at once everywhere.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, Request
from jwt import PyJWK

from jobpilot.kit.errors import Forbidden, Unauthorized
from jobpilot.kit.ports import Cache

# Only asymmetric algorithms are accepted, and only the one we sign with: this refuses `none`
# and an HS256 token "signed" with the public key as an HMAC secret.
ALGORITHMS = ("ES256",)
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "iss", "aud", "sub", "sid")
KEY_REFRESH_SECONDS = 300.0
# Fully verified tokens remembered per process (see TokenVerifier).
VERIFIED_TOKENS = 4096
# Where an edge in the same process leaves `(token, principal)` after verifying a request.
EDGE_PRINCIPAL = "edge_principal"
MISS_REFRESH_SECONDS = 10.0


@dataclass(frozen=True)
class Principal:
    """Who is calling: the verified claims of an access token."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    roles: frozenset[str]
    tier: str
    token_id: str
    expires_at: int

    def has_role(self, role: str) -> bool:
        """Whether the caller holds `role`."""
        return role in self.roles


@dataclass(frozen=True)
class SessionTokens:
    """The token pair of a signed-in session, as a browser session keeps it."""

    access_token: str
    refresh_token: str
    access_expires_in: int
    refresh_expires_in: int


@dataclass(frozen=True)
class SecondFactorRequired:
    """The password was right, and the account asks for a second factor to finish signing in."""

    mfa_token: str
    expires_in: int


class InvalidToken(Unauthorized):
    """The access token is missing, malformed, expired, revoked or not ours."""

    code = "invalid_token"
    default_message = "The access token is invalid or has expired."


class KeySource(Protocol):
    """Where verification keys come from (the database embedded, the JWKS URL at scale)."""

    async def jwks(self) -> dict[str, Any]:
        """The current JSON Web Key Set."""


class CachedKeys:
    """Keys by `kid`, refreshed periodically and (rate-limited) when an unknown kid shows up."""

    def __init__(self, source: KeySource) -> None:
        self._source = source
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = 0.0

    async def _refresh(self) -> None:
        document = await self._source.jwks()
        keys = {}
        for entry in document.get("keys", []):
            kid = entry.get("kid")
            if kid and entry.get("alg") in ALGORITHMS:
                keys[kid] = PyJWK(entry)
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def get(self, kid: str) -> PyJWK | None:
        """The key with `kid`, if the auth service publishes it."""
        age = time.monotonic() - self._fetched_at
        if age > KEY_REFRESH_SECONDS or (kid not in self._keys and age > MISS_REFRESH_SECONDS):
            await self._refresh()
        return self._keys.get(kid)

    def forget(self) -> None:
        """Drop the cache (after a key rotation in this process)."""
        self._fetched_at = 0.0


class Revocations:
    """Revoked session ids, kept as long as an access token of theirs could still be valid."""

    PREFIX = "auth:revoked-sid:"

    def __init__(self, cache: Cache, ttl_seconds: float) -> None:
        self._cache = cache
        self._ttl = ttl_seconds

    async def revoke(self, session_id: uuid.UUID) -> None:
        """Refuse every access token of `session_id` from now on."""
        await self._cache.set(self.PREFIX + str(session_id), b"1", ttl_seconds=self._ttl)

    async def is_revoked(self, session_id: uuid.UUID) -> bool:
        """Whether `session_id` was revoked."""
        return await self._cache.get(self.PREFIX + str(session_id)) is not None


class TokenVerifier:
    """Verifies access tokens: signature, algorithm, claims, revocation.

    A client sends the same token with every request for its whole life (minutes), and an ES256
    signature check costs more than the rest of a small request. So the principals of tokens
    verified in full are remembered (a bounded LRU keyed by the whole token): a repeat skips the
    signature and claim checks while the token has not expired and its key is still published,
    and is checked against the revocation list every time.
    """

    def __init__(
        self,
        keys: CachedKeys,
        revocations: Revocations,
        *,
        issuer: str,
        audience: str,
        remember: int = VERIFIED_TOKENS,
    ) -> None:
        self.keys = keys
        self.revocations = revocations
        self.issuer = issuer
        self.audience = audience
        self._remember = remember
        self._verified: OrderedDict[str, tuple[str, Principal]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The principal of a valid access token; InvalidToken otherwise."""
        principal = await self._recall(token) or await self._verify_in_full(token)
        if await self.revocations.is_revoked(principal.session_id):
            raise InvalidToken("This session has been signed out.")
        return principal

    async def _recall(self, token: str) -> Principal | None:
        remembered = self._verified.get(token)
        if remembered is None:
            return None
        kid, principal = remembered
        if principal.expires_at <= time.time() or await self.keys.get(kid) is None:
            del self._verified[token]
            return None
        self._verified.move_to_end(token)
        return principal

    async def _verify_in_full(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken from exc
        kid = header.get("kid")
        if header.get("alg") not in ALGORITHMS or not isinstance(kid, str):
            raise InvalidToken
        key = await self.keys.get(kid)
        if key is None:
            raise InvalidToken
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                options={"require": list(REQUIRED_CLAIMS)},
            )
            principal = Principal(
                user_id=uuid.UUID(str(claims["sub"])),
                session_id=uuid.UUID(str(claims["sid"])),
                roles=frozenset(str(r) for r in claims.get("roles", [])),
                tier=str(claims.get("tier", "free")),
                token_id=str(claims.get("jti", "")),
                expires_at=int(claims["exp"]),
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken from exc
        if self._remember:
            self._verified[token] = (kid, principal)
            if len(self._verified) > self._remember:
                self._verified.popitem(last=False)
        return principal


def bearer_from(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer ...` header's value."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_token(request: Request) -> str | None:
    """The token of the request's `Authorization: Bearer ...` header."""
    return bearer_from(request.headers.get("authorization", ""))


async def current_principal(request: Request) -> Principal:
    """The verified caller; 401 with `WWW-Authenticate: Bearer` otherwise."""
    token = bearer_token(request)
    if token is None:
        raise InvalidToken("Sign in: this needs an access token.")
    verified = request.scope.get("state", {}).get(EDGE_PRINCIPAL)
    if isinstance(verified, tuple) and verified[0] == token:
        # The embedded edge verified this very token a moment ago (revocation included).
        principal: Principal = verified[1]
    else:
        verifier: TokenVerifier = request.app.state.verifier
        principal = await verifier.verify(token)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(role: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only callers holding `role` through (403 otherwise)."""

    async def check(principal: CurrentUser) -> Principal:
        if not principal.has_role(role):
            raise Forbidden(f"This needs the {role} role.")
        return principal

    return check

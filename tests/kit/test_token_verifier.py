"""Access-token verification remembers fully checked tokens, never past their expiry,
their key's withdrawal or their session's sign-out."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from jobpilot.adapters.cache_memory import MemoryCache
from jobpilot.kit.authn import CachedKeys, InvalidToken, Revocations, TokenVerifier

ISSUER, AUDIENCE = "jobpilot", "jobpilot-api"


class Keys:
    """A key source that publishes what the test says, and counts how often it is asked."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.kid = uuid.uuid4().hex
        self.published = True

    async def jwks(self) -> dict[str, Any]:
        if not self.published:
            return {"keys": []}
        public = json.loads(ECAlgorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "ES256", "use": "sig"}]}

    def sign(self, session: uuid.UUID, *, lifetime: float) -> str:
        now = time.time()
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(uuid.uuid4()),
            "sid": str(session),
            "iat": int(now),
            "nbf": int(now),
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"kid": self.kid})


def _verifier(keys: Keys) -> tuple[TokenVerifier, CachedKeys, Revocations]:
    cached = CachedKeys(keys)
    revocations = Revocations(MemoryCache(), ttl_seconds=3600)
    verifier = TokenVerifier(cached, revocations, issuer=ISSUER, audience=AUDIENCE)
    return verifier, cached, revocations


async def test_a_remembered_token_still_expires() -> None:
    keys = Keys()
    verifier, _, _ = _verifier(keys)
    token = keys.sign(uuid.uuid4(), lifetime=1.5)
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first
    await asyncio.sleep(1.6)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_a_remembered_token_is_refused_once_its_session_signs_out() -> None:
    keys = Keys()
    verifier, _, revocations = _verifier(keys)
    session = uuid.uuid4()
    token = keys.sign(session, lifetime=600)
    await verifier.verify(token)
    await revocations.revoke(session)
    with pytest.raises(InvalidToken, match="signed out"):
        await verifier.verify(token)


async def test_a_remembered_token_is_refused_once_its_key_is_withdrawn() -> None:
    keys = Keys()
    verifier, cached, _ = _verifier(keys)
    token = keys.sign(uuid.uuid4(), lifetime=600)
    await verifier.verify(token)
    keys.published = False
    cached.forget()  # as after the periodic refresh
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_only_a_bounded_number_of_tokens_is_remembered() -> None:
    keys = Keys()
    cached = CachedKeys(keys)
    verifier = TokenVerifier(
        cached, Revocations(MemoryCache(), 60), issuer=ISSUER, audience=AUDIENCE, remember=2
    )
    tokens = [keys.sign(uuid.uuid4(), lifetime=600) for _ in range(3)]
    for token in tokens:
        await verifier.verify(token)
    # The oldest was forgotten; it is verified in full again, and still valid.
    assert len(verifier._verified) == 2
    assert tokens[0] not in verifier._verified
    await verifier.verify(tokens[0])
    # A tampered token is never taken for a remembered one.
    with pytest.raises(InvalidToken):
        await verifier.verify(tokens[1] + "x")

"""Password policy (ASVS 5.0 V6) and argon2id hashing."""

from __future__ import annotations

import asyncio
import gzip
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jobpilot.auth.config import Argon2Settings

MIN_LENGTH = 12
MAX_LENGTH = 128
# Hashed when an email is unknown, so that a login takes as long whether or not it exists.
_DUMMY_PASSWORD = "timing-equaliser-not-a-real-password"  # noqa: S105 - deliberately public


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords seen in breaches (lowercase)."""
    data = resources.files("jobpilot.auth").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def normalise(password: str) -> str:
    """NFKC, so that the same password typed on two keyboards is the same password."""
    return unicodedata.normalize("NFKC", password)


def policy_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with `password` (an empty list when it is acceptable)."""
    password = normalise(password)
    length = len(password)
    problems = []
    if length < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if length > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append("is too common: it appears in lists of breached passwords")
    local = email.split("@", 1)[0].lower()
    context = {w for w in (local, email.lower(), name.lower().strip()) if len(w) >= 4}
    if lowered in context:
        problems.append("must not be your email address or name")
    return problems


class Hasher:
    """argon2id with the configured cost; verification runs off the event loop."""

    def __init__(self, params: Argon2Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost_kib,
            parallelism=params.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy_hash = self._hasher.hash(_DUMMY_PASSWORD)

    async def hash(self, password: str) -> str:
        """An argon2id hash of `password`."""
        return await asyncio.to_thread(self._hasher.hash, normalise(password))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash, spends the same time and says no."""
        target = stored_hash or self._dummy_hash
        try:
            ok = await asyncio.to_thread(self._hasher.verify, target, normalise(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return ok and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether `stored_hash` was made with other parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

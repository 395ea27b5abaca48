"""What other parts of the platform may ask of the auth domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from jobpilot.auth.repository import AuthRepository
from jobpilot.auth.service import AuthComponents, AuthService


@dataclass(frozen=True)
class CreatedUser:
    """An account an operator created."""

    id: uuid.UUID
    email: str
    roles: list[str]


class AuthFacade:
    """Keys, and accounts made by operators; each call is its own unit of work."""

    def __init__(self, components: AuthComponents) -> None:
        self._c = components

    async def jwks(self) -> dict[str, Any]:
        """The public keys access tokens are verified with."""
        async with self._c.db.unit_of_work() as session:
            return await AuthService(AuthRepository(session), self._c).jwks()

    async def rotate_keys(self) -> str:
        """Sign with a new key from now on; returns its kid."""
        async with self._c.db.unit_of_work() as session:
            return await AuthService(AuthRepository(session), self._c).rotate_keys()

    async def account(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        """Email, name and tier of an account."""
        async with self._c.db.unit_of_work() as session:
            user = await AuthRepository(session).user(user_id)
            if user is None:
                return None
            return {"email": user.email, "name": user.name, "tier": user.tier}

    async def set_tier(self, user_id: uuid.UUID, tier: str) -> None:
        """Change the tier that the user's next access tokens carry."""
        async with self._c.db.unit_of_work() as session:
            await AuthService(AuthRepository(session), self._c).set_tier(user_id, tier)

    async def export_user(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The account, its sessions, linked providers and security events."""
        async with self._c.db.unit_of_work() as session:
            return await AuthService(AuthRepository(session), self._c).export_user(user_id)

    async def create_user(
        self, email: str, password: str, name: str, *, admin: bool
    ) -> CreatedUser:
        """A verified account (an admin one with `admin`)."""
        async with self._c.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), self._c)
            user = await service.create_user_with_password(email, password, name, admin=admin)
            return CreatedUser(id=user.id, email=user.email, roles=list(user.roles))

    async def ensure_user(self, email: str, password: str, name: str) -> CreatedUser:
        """A verified account with this password: created, or reset and signed out everywhere."""
        async with self._c.db.unit_of_work(write=True) as session:
            service = AuthService(AuthRepository(session), self._c)
            user = await service.ensure_user_with_password(email, password, name)
            return CreatedUser(id=user.id, email=user.email, roles=list(user.roles))

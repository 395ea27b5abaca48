"""Driving the auth service over HTTP in tests: its mailbox, its worker, sign-in helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from jobpilot import registry, wiring
from jobpilot.adapters.mail_devbox import DevMailbox

PASSWORD = "correct horse battery staple"


@dataclass
class AuthHarness:
    """An app with its client, and helpers to run its tasks and read its mail."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def container(self) -> wiring.Container:
        return self.app.state.container  # type: ignore[no-any-return]

    async def run_tasks(self) -> None:
        worker = wiring.build_worker(self.container, registry.domains())
        await worker.drain()

    async def mails(self, to: str) -> list[Any]:
        await self.run_tasks()
        mailbox = self.container.mailer
        assert isinstance(mailbox, DevMailbox)
        return list(await mailbox.messages(to=to, limit=50))

    async def last_token(self, to: str) -> str:
        """The token in the newest mail to `to` (a link's `token=` or a reset code)."""
        (latest, *_) = await self.mails(to)
        match = re.search(r"token=([\w.\-]+)", latest.text) or re.search(
            r"\n\n([\w\-]+\.[\w\-]+)\n\n", latest.text
        )
        assert match, latest.text
        return match.group(1)

    async def register(self, email: str, password: str = PASSWORD, name: str = "Ada") -> None:
        response = await self.client.post(
            "/api/v1/auth/register", json={"email": email, "password": password, "name": name}
        )
        assert response.status_code == 202, response.text

    async def register_verified(
        self, email: str, password: str = PASSWORD, name: str = "Ada"
    ) -> None:
        await self.register(email, password, name)
        token = await self.last_token(email)
        verified = await self.client.get("/api/v1/auth/verify-email", params={"token": token})
        assert verified.status_code == 200, verified.text

    async def login(self, email: str, password: str = PASSWORD, **headers: str) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    """The Authorization header for a token pair."""
    return {"Authorization": f"Bearer {tokens['access_token']}"}

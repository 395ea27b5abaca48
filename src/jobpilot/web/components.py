"""What the web pages need from the platform, built once per process by wiring."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request

from jobpilot.kit.authn import Principal, SecondFactorRequired, SessionTokens
from jobpilot.kit.runtime import RuntimeSettings
from jobpilot.web.signing import WebSigner

# How long the tokens a refresh token was exchanged for are handed out again for that same
# refresh token (see RecentRefreshes), and how many such exchanges are remembered.
REFRESH_GRACE_SECONDS = 10.0
REMEMBERED_REFRESHES = 1024


class SessionAuthority(Protocol):
    """The auth service as the web pages use it (its facade, or a client of its API)."""

    async def sign_in(
        self, email: str, password: str, *, ip: str | None, user_agent: str | None
    ) -> SessionTokens | SecondFactorRequired:
        """A new session's tokens, or the challenge of an account with two-factor on."""

    async def finish_sign_in(
        self, mfa_token: str, code: str, *, ip: str | None, user_agent: str | None
    ) -> SessionTokens:
        """A new session's tokens for a challenge and a TOTP or recovery code."""

    async def refresh_session(
        self, refresh_token: str, *, ip: str | None, user_agent: str | None
    ) -> SessionTokens:
        """New tokens for a refresh token (which stops working)."""

    async def sign_out(
        self, principal: Principal, *, ip: str | None, user_agent: str | None
    ) -> None:
        """End the caller's session everywhere."""

    async def account(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        """Email, name and tier of an account."""


class RecentRefreshes:
    """Exchanges of one refresh token, shared by the requests that present it at once.

    A page and the requests it triggers can reach the server together after the access token
    expired, all with the same refresh token. The auth service accepts a refresh token once and
    ends the session when it comes back (a replay), so the first request exchanges it and the
    others, in flight or arriving within a few seconds, get the same new tokens.
    """

    def __init__(
        self, grace_seconds: float = REFRESH_GRACE_SECONDS, size: int = REMEMBERED_REFRESHES
    ) -> None:
        self._grace = grace_seconds
        self._size = size
        self._done: OrderedDict[str, tuple[float, SessionTokens]] = OrderedDict()
        self._running: dict[str, asyncio.Task[SessionTokens]] = {}

    async def exchange(
        self, refresh_token: str, call: Callable[[], Awaitable[SessionTokens]]
    ) -> SessionTokens:
        """The tokens `call` exchanges `refresh_token` for, exchanging it at most once."""
        key = hashlib.sha256(refresh_token.encode()).hexdigest()
        now = time.monotonic()
        done = self._done.get(key)
        if done is not None and done[0] > now:
            return done[1]
        running = self._running.get(key)
        if running is None:

            async def run() -> SessionTokens:
                return await call()

            running = asyncio.ensure_future(run())
            self._running[key] = running
            running.add_done_callback(lambda _: self._running.pop(key, None))
        # Shielded: one waiter giving up (the browser left) must not cancel the others' exchange.
        tokens = await asyncio.shield(running)
        self._done[key] = (time.monotonic() + self._grace, tokens)
        self._done.move_to_end(key)
        while len(self._done) > self._size:
            self._done.popitem(last=False)
        return tokens


@dataclass
class WebComponents:
    """The auth service, the signing key, the public address and the runtime settings (the
    maintenance banner) the pages work with."""

    accounts: SessionAuthority
    signer: WebSigner
    # The address users reach (auth.public_url): cookies are `Secure` when it is https.
    public_url: str
    runtime: RuntimeSettings
    refreshes: RecentRefreshes = field(default_factory=RecentRefreshes)


def web_components(request: Request) -> WebComponents:
    """The web components of the app serving `request`."""
    components: WebComponents = request.app.state.container.web
    return components

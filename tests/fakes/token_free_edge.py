"""An edge in front of one service that takes no token: its route table and its components."""

from __future__ import annotations

from typing import Any

from jobpilot.gateway.ratelimit import RateLimiter
from jobpilot.gateway.routes import RouteTable, parse_routes

ORIGIN = "http://127.0.0.1:8080"


def auth_only_table(limit_per_minute: int = 100) -> RouteTable:
    """A route table with the auth service alone (no token demanded at the edge)."""
    return parse_routes(
        {
            "cors": {"origins": [ORIGIN], "methods": ["GET"], "headers": ["Authorization"]},
            "services": [
                {
                    "name": "auth",
                    "upstream": "auth-service:3001",
                    "port": 3001,
                    "prefixes": ["/api/v1/auth"],
                    "jwt": False,
                    "rate_limit_per_minute": limit_per_minute,
                }
            ],
        }
    )


class TokenFreeComponents:
    """The edge's parts when no request carries a token: the verifier is never asked."""

    def __init__(self) -> None:
        self.rate_limiter = RateLimiter("memory")

    @property
    def verifier(self) -> Any:
        raise AssertionError("no token was sent, so none is verified")

    async def aclose(self) -> None:
        """Close the limiter."""
        await self.rate_limiter.aclose()

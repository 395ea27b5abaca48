"""Liveness, readiness and per-service status routes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from jobpilot import __version__
from jobpilot.kit.errors import error_body
from jobpilot.kit.ports import HealthCheck

CHECK_TIMEOUT_SECONDS = 3.0


class Unhealthy(Exception):
    """A check failed for a reason whose message is safe to show to any client."""


class CallableCheck:
    """A health check made of a name and an async callable that raises when unhealthy."""

    def __init__(self, name: str, probe: Any) -> None:
        self.name = name
        self._probe = probe

    async def check(self) -> None:
        """Raise if the dependency is not usable."""
        await self._probe()


async def run_checks(checks: Sequence[HealthCheck]) -> dict[str, str]:
    """Each check's result: "ok" or the reason it failed (class name only, no secrets)."""

    async def one(check: HealthCheck) -> tuple[str, str]:
        try:
            await asyncio.wait_for(check.check(), CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            return check.name, "timeout"
        except Unhealthy as exc:
            return check.name, str(exc)
        except Exception as exc:  # a readiness probe reports every failure, whatever it is
            return check.name, f"unreachable ({type(exc).__name__})"
        return check.name, "ok"

    return dict(await asyncio.gather(*(one(c) for c in checks)))


async def readiness(request: Request, service: str | None = None) -> JSONResponse:
    """200 with every check ok, else 503 naming the failing dependencies."""
    checks: Sequence[HealthCheck] = request.app.state.health_checks
    results = await run_checks(checks)
    failing = sorted(name for name, result in results.items() if result != "ok")
    base: dict[str, Any] = {"version": __version__, "checks": results}
    if service is not None:
        base["service"] = service
    if failing:
        body = error_body(
            "not_ready", f"Not ready: {', '.join(failing)} unavailable.", details=base
        )
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ready", **base})


health_router = APIRouter(include_in_schema=False)


@health_router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "alive"}


@health_router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The process can serve: its database (and Redis, when configured) answer."""
    return await readiness(request)


def service_status_router(service: str, prefix: str) -> APIRouter:
    """`GET <prefix>/status`: the service's readiness, reachable through the gateway."""
    router = APIRouter(tags=[service])

    @router.get(
        f"{prefix}/status",
        summary=f"Status of the {service} service",
        responses={503: {"description": "A dependency is unavailable."}},
    )
    async def status(request: Request) -> JSONResponse:
        """Readiness of this service and its dependencies."""
        return await readiness(request, service)

    return router

"""The sandbox ASGI app: every site module mounted under `/<real host>`, plus `/_sandbox`."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from jobpilot.sandbox.core import Sandbox
from jobpilot.sandbox.sites import SITES


def create_sandbox_app(fixtures_dir: Path | None = None, *, slow_seconds: float = 5.0) -> Starlette:
    """The sandbox app; `fixtures_dir` is the captured ATS payloads (`shared/fixtures/ats`).

    Its state is `app.state.sandbox`.
    """
    sandbox = Sandbox(fixtures_dir=fixtures_dir, slow_seconds=slow_seconds)

    async def submissions(request: Request) -> Response:
        if request.method == "DELETE":
            sandbox.clear()
            return Response(status_code=204)
        return JSONResponse(
            {"submissions": sandbox.submissions, "duplicates": sandbox.duplicates()}
        )

    async def codes(request: Request) -> Response:
        return JSONResponse({"codes": sandbox.codes()})

    routes: list[BaseRoute] = [
        Route("/_sandbox/submissions", submissions, methods=["GET", "DELETE"]),
        Route("/_sandbox/codes", codes, methods=["GET"]),
    ]
    patterns: list[tuple[str, Router]] = []
    for build in SITES:
        site = build(sandbox)
        for host, host_routes in site.hosts.items():
            routes.append(Mount(f"/{host}", routes=host_routes))
        for pattern, host_routes in site.host_patterns.items():
            patterns.append((pattern, Router(routes=host_routes)))
    if patterns:
        # After the exact hosts: a host per tenant (`acme.recruitee.com`) matched by wildcard.
        routes.append(Mount("/{host}", app=_HostPatterns(patterns)))
    app = Starlette(routes=routes, exception_handlers={ClientDisconnect: _client_went_away})
    app.state.sandbox = sandbox
    return app


class _HostPatterns:
    """Sends a request under `/<host>` to the routes of the first wildcard `host` matches."""

    def __init__(self, patterns: list[tuple[str, Router]]) -> None:
        self.patterns = patterns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = str(scope.get("path_params", {}).get("host", "")).lower()
        routers = [
            router for pattern, router in self.patterns if fnmatch.fnmatchcase(host, pattern)
        ]
        # Two sites may cover one host (a listing API and an apply page): the one with the path.
        for router in routers:
            if any(route.matches(scope)[0] != Match.NONE for route in router.routes):
                await router(scope, receive, send)
                return
        if routers:
            await routers[0](scope, receive, send)
            return
        await JSONResponse({"error": f"the sandbox does not stand in for {host}"}, 404)(
            scope, receive, send
        )


async def _client_went_away(request: Request, exc: Exception) -> Response:
    """A browser or worker killed mid-upload: nothing arrived, and nobody reads the answer."""
    return Response(status_code=400)

"""Mounting the web pages onto an app."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import APIRouter, FastAPI
from starlette.routing import Mount, Route

from jobpilot.web.errors import install_page_errors
from jobpilot.web.pages import pages
from jobpilot.web.pages import router as foundation_router
from jobpilot.web.static import STATIC_PREFIX, static_files


def install_web(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Static files, the home and sign-in pages, `routers` (domains' pages) and error pages.

    Call after the JSON error handlers are installed; add `PageCookiesMiddleware` too.
    """
    app.mount(STATIC_PREFIX, static_files(), name="static")
    app.include_router(foundation_router)
    for router in routers:
        app.include_router(router)
    install_page_errors(app, pages)


def page_prefixes(routers: Iterable[APIRouter]) -> tuple[str, ...]:
    """The path prefixes `install_web(app, routers)` serves pages under, sorted: the first
    segment of each page's path (`/admin/users` -> `/admin`), `/` for the home page alone, and
    the static files. The gateway's route table must list exactly these (ADR 0007)."""
    found = {STATIC_PREFIX}
    for path in _paths([foundation_router, *routers], ""):
        first = path.lstrip("/").split("/", 1)[0]
        found.add("/" + first if first else "/")
    return tuple(sorted(found))


def _paths(routers: Iterable[APIRouter], prefix: str) -> Iterator[str]:
    for router in routers:
        for route in router.routes:
            if isinstance(route, Route | Mount):
                yield prefix + route.path
                continue
            # FastAPI (0.160 and later) keeps an included router as one route that holds it.
            context = getattr(route, "include_context", None)
            inner = getattr(context, "included_router", None)
            if isinstance(inner, APIRouter):
                yield from _paths([inner], prefix + str(getattr(context, "prefix", "")))

"""Mounting the web pages onto an app."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI

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

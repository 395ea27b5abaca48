"""The router every package of pages uses: page errors, the signed-in user, CSRF checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from jobpilot.web.csrf import verify_csrf
from jobpilot.web.runtime import load_banner
from jobpilot.web.state import page_state


async def mark_page(request: Request) -> None:
    """Note that this request is for a page, so that its errors are pages too."""
    page_state(request).page = True


def page_router(**options: Any) -> APIRouter:
    """An APIRouter for HTML pages: left out of the OpenAPI document, every unsafe request
    checked for this browser's CSRF token, the maintenance banner read for the page."""
    return APIRouter(
        include_in_schema=False,
        dependencies=[Depends(mark_page), Depends(verify_csrf), Depends(load_banner)],
        **options,
    )

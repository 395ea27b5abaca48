"""Pieces the account-wall stand-ins (Workday, iCIMS, Taleo) share."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse


def e(text: object) -> str:
    """`text` escaped for HTML text and attributes."""
    return html.escape(str(text), quote=True)


def page(title: str, body: str, *, status: int = 200, style: str = "") -> HTMLResponse:
    """A complete page referencing nothing outside the sandbox."""
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        "<style>body{font-family:sans-serif;margin:0;padding:16px 32px}"
        f"input{{display:block;margin:4px 0 12px;padding:4px}}{style}</style></head>"
        f"<body>{body}</body></html>",
        status,
    )

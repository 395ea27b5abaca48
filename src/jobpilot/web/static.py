"""The pages' static files: served at /static, cached for a year under versioned URLs."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).with_name("static")
STATIC_PREFIX = "/static"
HTMX = "vendor/htmx-2.0.11.min.js"
# Safe only because every URL the pages write carries the file's content hash (static_url).
IMMUTABLE = "public, max-age=31536000, immutable"


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose answers browsers keep for a year."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file, with a long cache lifetime and no content sniffing."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@cache
def _digest(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:12]


def static_url(relative: str) -> str:
    """The URL of a static file, versioned by its content (`/static/app.css?v=…`)."""
    return f"{STATIC_PREFIX}/{relative}?v={_digest(relative)}"


def static_files() -> Any:
    """The ASGI app serving the static directory."""
    return CachedStaticFiles(directory=STATIC_DIR)

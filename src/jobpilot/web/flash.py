"""Flash messages: shown once, on the next page, carried there in a short-lived signed cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

from jobpilot.web.components import web_components
from jobpilot.web.cookies import FLASH_COOKIE, delete_cookie, set_cookie
from jobpilot.web.signing import BadSignature
from jobpilot.web.state import page_state

Level = Literal["success", "info", "error"]
LEVELS: tuple[Level, ...] = ("success", "info", "error")
FLASH_SECONDS = 60
_PURPOSE = "flash"
_MAX_MESSAGES = 5


@dataclass(frozen=True)
class Flash:
    """One message and how it should look."""

    level: Level
    message: str


def flash(request: Request, message: str, level: Level = "info") -> None:
    """Show `message` on the next page this browser sees (this one, if it renders a page)."""
    state = page_state(request)
    state.flashes.append(Flash(level, message))
    state.flashes[:] = state.flashes[-_MAX_MESSAGES:]
    value = web_components(request).signer.sign(
        _PURPOSE, [[f.level, f.message] for f in state.flashes], max_age=FLASH_SECONDS
    )
    set_cookie(request, FLASH_COOKIE, value, max_age=FLASH_SECONDS)


def _incoming(request: Request) -> list[Flash]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        payload = web_components(request).signer.unsign(_PURPOSE, raw)
    except BadSignature:
        return []
    found = []
    for item in payload if isinstance(payload, list) else []:
        if isinstance(item, list) and len(item) == 2 and item[0] in LEVELS:
            found.append(Flash(item[0], str(item[1])))
    return found


def take_flashes(request: Request) -> list[Flash]:
    """The messages to show now: those carried here and those flashed during this request."""
    state = page_state(request)
    messages = _incoming(request)
    messages += state.flashes
    state.flashes.clear()
    state.cookies.pop(FLASH_COOKIE, None)
    delete_cookie(request, FLASH_COOKIE)
    return messages[-_MAX_MESSAGES:]

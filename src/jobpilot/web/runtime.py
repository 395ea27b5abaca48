"""The web pages' runtime setting: a maintenance banner at the top of every page, and reading
it for the page being rendered."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from starlette.requests import Request

from jobpilot.kit.runtime import Key, RuntimeSetting
from jobpilot.web.components import web_components
from jobpilot.web.state import page_state

log = logging.getLogger("jobpilot.web")

BANNER_MAX = 300
BannerLevel = Literal["info", "warning"]
MAINTENANCE_BANNER: Key[str] = Key("web.maintenance_banner")
MAINTENANCE_LEVEL: Key[str] = Key("web.maintenance_banner_level")


@dataclass(frozen=True)
class Banner:
    """The text shown above every page, and how loudly."""

    text: str
    level: str


def runtime_settings() -> list[RuntimeSetting[Any]]:
    """The banner's text and level (no banner by default)."""
    return [
        RuntimeSetting(
            key=MAINTENANCE_BANNER,
            label="Maintenance banner",
            help=(
                f"Shown at the top of every page, up to {BANNER_MAX} characters "
                "(announce maintenance or an incident). Empty: no banner."
            ),
            type=Annotated[str, StringConstraints(strip_whitespace=True, max_length=BANNER_MAX)],
            default="",
            widget="textarea",
        ),
        RuntimeSetting(
            key=MAINTENANCE_LEVEL,
            label="Maintenance banner level",
            help="Info for planned work; warning for an incident users should know about.",
            type=BannerLevel,
            default="info",
            widget="choice",
            choices=("info", "warning"),
        ),
    ]


async def load_banner(request: Request) -> None:
    """Read the banner for this page (the runtime settings' cache makes it cheap)."""
    state = page_state(request)
    if state.banner_loaded:
        return
    state.banner_loaded = True
    runtime = web_components(request).runtime
    text = await runtime.get(MAINTENANCE_BANNER)
    if text:
        state.banner = Banner(text, await runtime.get(MAINTENANCE_LEVEL))


async def try_load_banner(request: Request) -> None:
    """`load_banner` for an error page: a failure to read it must not hide the error."""
    try:
        await load_banner(request)
    except Exception:
        log.debug("could not read the maintenance banner for an error page", exc_info=True)

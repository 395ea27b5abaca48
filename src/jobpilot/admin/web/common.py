"""What every admin page shares: the templates and their filters, the admin-only guard, and
who is acting (for the audit log)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.admin.service.common import Actor
from jobpilot.web.session import BrowserUser, client_of, require_page_role
from jobpilot.web.templating import Pages

pages = Pages("jobpilot.admin")
AdminUser = Annotated[BrowserUser, Depends(require_page_role("admin"))]

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
NO_VALUE = "\u2013"  # an en dash


def human_duration(seconds: float | None) -> str:
    """`42 s`, `5 min 12 s`, `3 h 20 min`, `4 d 2 h`; a dash when unknown."""
    if seconds is None:
        return NO_VALUE
    whole = int(seconds)
    if whole < _MINUTE:
        return f"{whole} s"
    if whole < _HOUR:
        minutes, rest = divmod(whole, _MINUTE)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if whole < _DAY:
        hours, rest = divmod(whole, _HOUR)
        return f"{hours} h {rest // _MINUTE} min"
    days, rest = divmod(whole, _DAY)
    return f"{days} d {rest // _HOUR} h"


def latency(seconds: float | None) -> str:
    """`375 ms`, `2.50 s`; a dash without requests."""
    if seconds is None:
        return NO_VALUE
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else "<1 ms"
    return f"{seconds:.2f} s"


def percent(rate: float | None) -> str:
    """`3.0%`; a dash without requests."""
    if rate is None:
        return NO_VALUE
    return f"{rate:.1%}"


pages.env.filters.update(duration=human_duration, latency=latency, percent=percent)


def actor_of(request: Request, user: BrowserUser) -> Actor:
    """The signed-in admin and where the request came from."""
    ip, user_agent = client_of(request)
    return Actor(user.principal.user_id, ip, user_agent)

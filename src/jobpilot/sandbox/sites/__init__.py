"""The sandbox's site modules, one per ATS (see the `jobpilot.sandbox` docstring)."""

from __future__ import annotations

from collections.abc import Callable

from jobpilot.sandbox.core import Sandbox, Site
from jobpilot.sandbox.sites import (
    ashby,
    bamboohr,
    breezy,
    captcha,
    greenhouse,
    icims,
    jazzhr,
    lever,
    paylocity,
    recruitee,
    smartrecruiters,
    taleo,
    teamtailor,
    workable,
    workday,
)

SITES: tuple[Callable[[Sandbox], Site], ...] = (
    greenhouse.build,
    captcha.build,
    recruitee.build,
    ashby.build,
    workable.build,
    bamboohr.build,
    smartrecruiters.build,
    paylocity.build,
    workday.build,
    icims.build,
    taleo.build,
    lever.build,
    jazzhr.build,
    breezy.build,
    teamtailor.build,
)

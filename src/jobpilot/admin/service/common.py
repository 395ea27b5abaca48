"""What every area of the admin service shares: the parts it reads, and who is acting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from jobpilot.admin.config import AdminSettings
from jobpilot.admin.health import ServiceHealthMonitor
from jobpilot.ai.public import AiFacade
from jobpilot.applications.public import ApplicationsFacade
from jobpilot.auth.public import AuthFacade
from jobpilot.jobs.public import JobsFacade
from jobpilot.kit.db import Database
from jobpilot.kit.flags import FeatureFlags
from jobpilot.kit.runtime import RuntimeSettings
from jobpilot.users.public import UsersComponents


@dataclass
class AdminComponents:
    """The facades and the database the admin service reads, and the monitor that probes the
    services and remembers their recent scrapes (built once per process by wiring). `users`
    builds the users domain's facade, which works in a unit of work its caller opens."""

    accounts: AuthFacade
    applications: ApplicationsFacade
    db: Database
    health: ServiceHealthMonitor
    settings: AdminSettings
    ai: AiFacade
    jobs: JobsFacade
    flags: FeatureFlags
    # Every domain's runtime settings, which the Settings area lists and changes.
    runtime: RuntimeSettings
    users: UsersComponents


@dataclass(frozen=True)
class Actor:
    """The admin doing something, and from where (for the audit log)."""

    user_id: uuid.UUID
    ip: str | None = None
    user_agent: str | None = None


class ListFilters:
    """What an admin list (a dataclass of filters and `page`) is narrowed to, as an address."""

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as URL query parameters (unset ones left out), with `changes`."""
        values = {**self.__dict__, **changes}
        # Page 1 is where a list starts: its address leaves it out.
        return {
            k: str(v)
            for k, v in values.items()
            if v is not None and v != "" and not (k == "page" and v == 1)
        }

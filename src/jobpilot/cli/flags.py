"""`jobpilot flags`: list and switch feature flags (the auto-apply kill switch is one)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from jobpilot.cli.common import settings_or_exit

if TYPE_CHECKING:
    from jobpilot.kit.flags import FeatureFlags

T = TypeVar("T")

flags_app = typer.Typer(
    help="Feature flags every service reads. `jobpilot flags set auto_apply.paused on` stops "
    "every auto-apply submission at once (queued ones wait); `off` lets them go on.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
STATES = {"on": True, "off": False, "true": True, "false": False, "1": True, "0": False}


def _with_flags(action: Callable[[FeatureFlags], Awaitable[T]]) -> T:
    settings = settings_or_exit()
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from jobpilot.kit.db import Database
    from jobpilot.kit.flags import FeatureFlags

    async def run() -> T:
        db = Database(settings.database_url, busy_timeout_ms=settings.database.busy_timeout_ms)
        try:
            return await action(FeatureFlags(db))
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except (OperationalError, ProgrammingError) as exc:
        err.print(f"[red]the database is not ready: {exc.orig}[/red] (run `jobpilot migrate`)")
        raise typer.Exit(1) from None


@flags_app.command("list")
def list_flags() -> None:
    """Every flag that was ever set: its state, rollout and targets, who changed it and when."""
    flags = _with_flags(lambda f: f.all())
    if not flags:
        console.print("no flag has been set (every flag is at its default)")
        return
    table = Table("flag", "state", "rollout", "targets", "changed", "by")
    for flag in flags:
        targets = [f"tiers: {', '.join(flag.target_tiers)}"] if flag.target_tiers else []
        if flag.target_users:
            targets.append(f"{len(flag.target_users)} user(s)")
        table.add_row(
            flag.name,
            "on" if flag.enabled else "off",
            f"{flag.rollout}%",
            "; ".join(targets),
            flag.updated_at.isoformat(timespec="seconds"),
            flag.updated_by or "",
        )
    console.print(table)


@flags_app.command("set")
def set_flag(
    name: Annotated[str, typer.Argument(help="The flag, e.g. auto_apply.paused.")],
    state: Annotated[str, typer.Argument(help="on or off.")],
) -> None:
    """Turn a flag on or off (seen by every process within a few seconds); its rollout and
    targets stay (a new flag is at 100 %, for everyone). The admin pages set those."""
    enabled = STATES.get(state.lower())
    if enabled is None:
        err.print(f"[red]state must be on or off, not {state!r}[/red]")
        raise typer.Exit(2)
    from jobpilot.kit.flags import name_problem

    problem = name_problem(name)
    if problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    _with_flags(lambda f: f.set(name, enabled, by="cli"))
    console.print(f"{name} is now {'on' if enabled else 'off'}")

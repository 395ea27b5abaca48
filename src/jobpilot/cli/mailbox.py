"""`jobpilot mailbox`: read and empty the dev mailbox (mail kept in the database)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.rule import Rule

from jobpilot.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from jobpilot.adapters.mail_devbox import DevMailbox

T = TypeVar("T")

mailbox_app = typer.Typer(
    help="Read and empty the dev mailbox: the mail this server kept instead of sending it "
    "(JOBPILOT_MAIL__BACKEND=devbox).",
    no_args_is_help=True,
)

# Soft wrap: the terminal folds long lines, so that addresses and commands stay whole.
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _with_mailbox(action: Callable[[DevMailbox], Awaitable[T]]) -> T:
    """Run `action` on the dev mailbox of the configured database, then close the database."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None
    if settings.mail.backend != "devbox":
        err.print(
            "[red]the dev mailbox is only used with JOBPILOT_MAIL__BACKEND=devbox[/red] "
            f"(mail goes out over {settings.mail.backend} here)"
        )
        raise typer.Exit(1)
    # Imported here so that `jobpilot --help` does not load the database layer.
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from jobpilot.adapters.mail_devbox import DevMailbox
    from jobpilot.kit.db import Database

    async def run() -> T:
        db = Database(settings.database_url, busy_timeout_ms=settings.database.busy_timeout_ms)
        try:
            return await action(DevMailbox(db))
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except (OperationalError, ProgrammingError) as exc:
        # Most often the schema is missing; the driver's own words say which.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        err.print(
            f"cannot read the dev mailbox: {reason} (has `jobpilot migrate` run?)",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1) from None


@mailbox_app.command("list")
def list_mail(
    to: Annotated[
        str | None, typer.Option("--to", metavar="EMAIL", help="Only mail to this address.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Messages to show.")] = 20,
) -> None:
    """Show kept mail, newest first: recipient, subject, time sent and the text body."""
    messages = _with_mailbox(lambda mailbox: mailbox.messages(to=to, limit=limit))
    if not messages:
        console.print(f"no mail to {to}" if to else "no mail", markup=False, highlight=False)
        return
    for index, mail in enumerate(messages):
        if index:
            console.print(Rule(style="dim"))
        console.print(f"To:      {mail.to_address}", markup=False, highlight=False)
        console.print(f"Subject: {mail.subject}", markup=False, highlight=False)
        console.print(
            f"Sent at: {mail.sent_at.isoformat(sep=' ', timespec='seconds')}",
            markup=False,
            highlight=False,
        )
        console.print()
        console.print(mail.text.rstrip("\n"), markup=False, highlight=False)


@mailbox_app.command("clear")
def clear_mail() -> None:
    """Delete every message in the dev mailbox."""
    count = _with_mailbox(lambda mailbox: mailbox.clear())
    console.print(f"deleted {count} message(s)")

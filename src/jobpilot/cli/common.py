"""What every `jobpilot` command shares: the consoles and reading the settings."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from jobpilot.settings import Settings, SettingsError, load_settings

# Piped output (logs, CI) gets wide lines instead of the 80 columns of a dumb terminal.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def settings_or_exit() -> Settings:
    """The settings, or exit 2 with the message that names the bad variable."""
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(str(exc), markup=False, highlight=False, style="red")
        raise typer.Exit(2) from None

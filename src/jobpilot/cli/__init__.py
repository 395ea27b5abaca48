"""The `jobpilot` command line."""

from jobpilot.cli.app import app, main

__all__ = ["app", "main"]

"""The jobs domain's runtime settings: the ingestion schedule (changed by admins while the
platform runs; `JOBPILOT_JOBS__REFRESH_MINUTES` gives the default)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool

from jobpilot.jobs.config import JobsSettings
from jobpilot.kit.runtime import Key, RuntimeSetting

REFRESH_MINUTES: Key[int] = Key("jobs.refresh_minutes")
INGESTION_PAUSED: Key[bool] = Key("jobs.ingestion_paused")
# A week: a board read less often than that is as good as abandoned.
MAX_REFRESH_MINUTES = 10080


def runtime_settings(config: JobsSettings) -> list[RuntimeSetting[Any]]:
    """The jobs domain's runtime settings, with the static settings as their defaults."""
    return [
        RuntimeSetting(
            key=REFRESH_MINUTES,
            label="Board refresh interval (minutes)",
            help=(
                "The hourly check queues a read of every active board whose last read is older "
                f"than this. From 5 to {MAX_REFRESH_MINUTES} (a week)."
            ),
            type=Annotated[int, Field(ge=5, le=MAX_REFRESH_MINUTES)],
            # The static setting has no upper bound; a larger one counts as a week.
            default=min(config.refresh_minutes, MAX_REFRESH_MINUTES),
            widget="number",
        ),
        RuntimeSetting(
            key=INGESTION_PAUSED,
            label="Pause ingestion",
            help=(
                "While paused, the hourly check queues no board reads; reads already queued "
                "still run."
            ),
            type=StrictBool,
            default=False,
            widget="checkbox",
        ),
    ]

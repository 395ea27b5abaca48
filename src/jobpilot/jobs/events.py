"""Events the jobs domain publishes."""

from __future__ import annotations

import uuid

from jobpilot.kit.events import Event

# Ids per event: a board run that changes thousands of postings publishes several events.
MAX_IDS = 500


class PostingsChanged(Event):
    """Postings were added, changed, reopened or closed: read them again for their state."""

    name = "jobs.postings_changed"

    posting_ids: list[uuid.UUID]

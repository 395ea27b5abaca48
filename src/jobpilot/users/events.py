"""Events the users domain publishes."""

from __future__ import annotations

import uuid
from datetime import datetime

from jobpilot.kit.events import Event


class UserDeleted(Event):
    """The user asked to be erased: every domain removes what it holds about them."""

    name = "users.deleted"

    user_id: uuid.UUID
    at: datetime

"""Events the auth domain publishes."""

from __future__ import annotations

import uuid
from datetime import datetime

from jobpilot.kit.events import Event


class UserRegistered(Event):
    """A new account exists."""

    name = "auth.user_registered"

    user_id: uuid.UUID
    method: str
    at: datetime


class SecurityEventRecorded(Event):
    """A security event was audited (sign-in, MFA change, password change, ...)."""

    name = "auth.security_event_recorded"

    user_id: uuid.UUID | None
    event: str
    at: datetime

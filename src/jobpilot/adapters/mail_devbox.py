"""The dev mailbox: a Mailer that keeps every message in the database instead of sending it.

Used when embedded (`JOBPILOT_MAIL__BACKEND=devbox`); the messages are read back with
`jobpilot mailbox list` or the admin-only `/api/v1/auth/dev/mailbox`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from jobpilot.kit.clock import utcnow
from jobpilot.kit.db import Base, Database
from jobpilot.kit.mail import new_message_id, recipient_of
from jobpilot.kit.ports import EmailMessage


class DevMail(Base):
    """One message kept by the dev mailbox."""

    __tablename__ = "kit_dev_mailbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The recipient's bare address in lower case, so that looking mail up by address works
    # whatever case or display name the sender used.
    to_address: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime]
    message_id: Mapped[str] = mapped_column(String(255), unique=True)


@dataclass(frozen=True)
class StoredMail:
    """A message read back from the dev mailbox."""

    id: uuid.UUID
    message_id: str
    to_address: str
    subject: str
    text: str
    html: str | None
    sent_at: datetime


class DevMailbox:
    """A Mailer that stores messages in `kit_dev_mailbox`, each send in its own transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._last_sent_at: datetime | None = None

    async def send(self, message: EmailMessage) -> str:
        """Keep `message` in the mailbox; return its message id. Raises MailNotSent if invalid."""
        to = recipient_of(message).addr_spec.lower()
        message_id = new_message_id()
        async with self.db.unit_of_work() as session:
            session.add(
                DevMail(
                    id=uuid.uuid4(),
                    to_address=to,
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                    sent_at=self._next_sent_at(),
                    message_id=message_id,
                )
            )
        return message_id

    async def messages(self, to: str | None = None, limit: int = 20) -> list[StoredMail]:
        """Kept messages, newest first, optionally only those to the address `to`."""
        if limit < 1:
            msg = "limit must be at least 1"
            raise ValueError(msg)
        query = select(DevMail).order_by(DevMail.sent_at.desc(), DevMail.id).limit(limit)
        if to is not None:
            query = query.where(DevMail.to_address == to.strip().lower())
        async with self.db.unit_of_work() as session:
            rows = (await session.scalars(query)).all()
        return [
            StoredMail(
                id=row.id,
                message_id=row.message_id,
                to_address=row.to_address,
                subject=row.subject,
                text=row.text,
                html=row.html,
                sent_at=row.sent_at,
            )
            for row in rows
        ]

    async def clear(self) -> int:
        """Delete every kept message; return how many there were."""
        async with self.db.unit_of_work() as session:
            result = await session.execute(delete(DevMail))
        return int(getattr(result, "rowcount", 0))

    def _next_sent_at(self) -> datetime:
        # Two sends within the clock's resolution would tie and list in random order; keep this
        # process's own timestamps strictly increasing so "newest first" means what it says.
        now = utcnow()
        if self._last_sent_at is not None and now <= self._last_sent_at:
            now = self._last_sent_at + timedelta(microseconds=1)
        self._last_sent_at = now
        return now

"""At scale the same emails leave over SMTP: registration against a local SMTP server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from auth_harness import AuthHarness
from jobpilot.main import create_app
from support import client_for, make_settings


class Inbox:
    """An aiosmtpd handler keeping every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_registration_mail_goes_out_over_smtp(
    smtp_server: tuple[Inbox, int], tmp_path: Path, sqlite_url: str
) -> None:
    inbox, port = smtp_server
    settings = make_settings(
        tmp_path,
        database={"url": sqlite_url},
        mail={
            "backend": "smtp",
            "smtp_port": port,
            "smtp_security": "none",
            "from_address": "JobPilot <no-reply@jobpilot.test>",
        },
    )
    app = create_app(settings)
    async for client in client_for(app):
        harness = AuthHarness(app, client)
        await harness.register("ada@example.com")
        await harness.run_tasks()
    (message,) = inbox.messages
    assert message["To"] == "ada@example.com"
    assert message["From"] == "JobPilot <no-reply@jobpilot.test>"
    assert message["Subject"] == "Confirm your email address for JobPilot"
    parts = message.walk() if message.is_multipart() else iter([message])
    text = next(p for p in parts if p.get_content_type() == "text/plain")
    assert b"/api/v1/auth/verify-email?token=" in text.get_payload(decode=True)  # type: ignore[operator]

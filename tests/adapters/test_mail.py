"""One contract for every Mailer adapter: the dev mailbox and SMTP (against a real SMTP server).

The SMTP server is aiosmtpd on 127.0.0.1, in its own thread, speaking the real protocol; the
dev mailbox runs on the `db` fixture (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from jobpilot.adapters.mail_devbox import DevMail, DevMailbox
from jobpilot.adapters.mail_smtp import SmtpMailer
from jobpilot.cli.mailbox import mailbox_app
from jobpilot.kit.db import Database
from jobpilot.kit.idempotency import OutcomeUnknown, once
from jobpilot.kit.mail import MailNotSent
from jobpilot.kit.ports import EmailMessage, Mailer
from jobpilot.settings import MailSettings

SMTP_USER = "jobpilot"
SMTP_PASSWORD = "s3cret-smtp-passw0rd"

# Lines that trip naive mailers: a dot-stuffed line, an mbox "From " line, trailing spaces,
# a tab, a line longer than SMTP's 998-octet limit, and text outside Latin-1 and the BMP.
TEXT = (
    "Grüße, Zoë! Ваш код: 123 456 — 你好 ✓ 📬\n"
    ".\n"
    ". a line that starts with a dot\n"
    "From the team, with trailing spaces   \n"
    "\tindented\n" + "long " * 300 + "\n"
)
HTML = "<p>Grüße, <b>Zoë</b>! 你好 📬</p>\n<p>.</p>\n"
SUBJECT = "Grüße aus Köln — votre entretien est confirmé ✓ 📬"


@dataclass(frozen=True)
class Received:
    """A message as its recipient sees it."""

    to: str
    subject: str
    text: str
    html: str | None


@dataclass
class Sink:
    """A mailer under test and a way to read what reached its recipients."""

    mailer: Mailer
    read: Callable[[], Any]  # async () -> list[Received], oldest first

    async def received(self) -> list[Received]:
        result: list[Received] = await self.read()
        return result


# --- a real SMTP server -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every accepted message, and can misbehave on demand."""

    messages: list[tuple[list[str], bytes, bool]] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)
    data_reply: str = "250 2.0.0 Message accepted for delivery"
    drop_after_data: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_after_data:
            # The message is in, but the client never hears whether it was taken.
            self.messages.append((list(envelope.rcpt_tos), envelope.content, False))
            server.transport.close()
            return "250 OK"
        if self.data_reply.startswith("250"):
            self.messages.append((list(envelope.rcpt_tos), envelope.content, True))
        return self.data_reply

    def delivered(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(content, policy=email.policy.default)
            for _, content, accepted in self.messages
            if accepted
        ]

    def received(self) -> list[Received]:
        out = []
        for (rcpt_tos, _, accepted), parsed in zip(self.messages, self.delivered(), strict=False):
            assert accepted
            assert len(rcpt_tos) == 1
            plain = parsed.get_body(("plain",))
            html = parsed.get_body(("html",))
            assert plain is not None
            out.append(
                Received(
                    to=rcpt_tos[0],
                    subject=str(parsed["Subject"]),
                    text=lines(plain.get_content()),
                    html=lines(html.get_content()) if html is not None else None,
                )
            )
        return out


def lines(body: str) -> str:
    # Lines end in CRLF on the wire; a mail reader shows them as lines.
    return body.replace("\r\n", "\n")


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int

    def settings(self, **overrides: Any) -> MailSettings:
        values: dict[str, Any] = {
            "backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_security": "none",
            "smtp_timeout_seconds": 5,
            "from_address": "JobPilot <no-reply@jobpilot.example>",
        }
        values.update(overrides)
        return MailSettings(**values)


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    """Start aiosmtpd servers on free local ports (options go to aiosmtpd's SMTP)."""
    controllers: list[Controller] = []

    def start(inbox: Inbox | None = None, **options: Any) -> SmtpServer:
        inbox = inbox or Inbox()
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return SmtpServer(inbox, port)

    yield start
    for controller in controllers:
        controller.stop()


@dataclass(frozen=True)
class Certificate:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, and contexts that serve and trust it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory: Path = tmp_path_factory.mktemp("tls")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (directory / "cert.pem").write_bytes(cert_pem)
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return Certificate(server=server, client=client)


def with_auth(*, require_tls: bool) -> dict[str, Any]:
    """aiosmtpd options for a server that refuses mail until the client logs in."""
    return {
        "auth_required": True,
        "auth_require_tls": require_tls,
        "authenticator": _authenticator,
    }


# aiosmtpd warns, rightly, about a server taking passwords in clear; these tests ask for one.
auth_in_clear = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS can lead to security vulnerabilities:UserWarning"
)


# --- the dev mailbox on a database --------------------------------------------------------


async def create_mailbox_table(db: Database) -> None:
    # Only this table, and only if the migrations have not made it already.
    async with db.engine.begin() as conn:
        await conn.run_sync(DevMail.__table__.create, checkfirst=True)  # type: ignore[attr-defined]


@pytest.fixture
async def devbox(db: Database) -> DevMailbox:
    await create_mailbox_table(db)
    return DevMailbox(db)


# --- the contract -------------------------------------------------------------------------


class MailerContract:
    """What every Mailer does, whichever adapter is behind it."""

    async def test_a_message_arrives_intact(self, sink: Sink) -> None:
        message_id = await sink.mailer.send(
            EmailMessage(to="zoe@example.com", subject=SUBJECT, text=TEXT, html=HTML)
        )
        assert message_id.startswith("<")
        assert message_id.endswith(">")
        assert "@" in message_id
        assert await sink.received() == [
            Received(to="zoe@example.com", subject=SUBJECT, text=TEXT, html=HTML)
        ]

    async def test_a_text_only_message_has_no_html(self, sink: Sink) -> None:
        await sink.mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="Hello\n"))
        assert await sink.received() == [
            Received(to="ada@example.com", subject="Hi", text="Hello\n", html=None)
        ]

    async def test_each_message_gets_its_own_id(self, sink: Sink) -> None:
        message = EmailMessage(to="ada@example.com", subject="Twice", text="Same text\n")
        first = await sink.mailer.send(message)
        second = await sink.mailer.send(message)
        assert first != second
        assert len(await sink.received()) == 2

    async def test_a_display_name_and_a_non_ascii_address_reach_the_mailbox(
        self, sink: Sink
    ) -> None:
        await sink.mailer.send(
            EmailMessage(to="Ada Lovelace <ada@example.com>", subject="One", text="1\n")
        )
        await sink.mailer.send(EmailMessage(to="zoë@exämple.com", subject="Two", text="2\n"))
        assert [(r.to, r.subject) for r in await sink.received()] == [
            ("ada@example.com", "One"),
            ("zoë@exämple.com", "Two"),
        ]

    @pytest.mark.parametrize(
        ("to", "subject"),
        [
            ("ada@example.com\r\nBcc: eve@example.com", "Hello"),
            ("ada@example.com\nBcc: eve@example.com", "Hello"),
            ("ada@example.com", "Hello\r\nBcc: eve@example.com"),
            ("ada@example.com", "Hello\nBcc: eve@example.com"),
            ("ada@example.com", "Hello\rX-Injected: yes"),
            ("ada@example.com", "Hello\u2028X-Injected: yes"),
        ],
    )
    async def test_header_injection_is_refused(self, sink: Sink, to: str, subject: str) -> None:
        with pytest.raises(MailNotSent, match="line breaks"):
            await sink.mailer.send(EmailMessage(to=to, subject=subject, text="x\n"))
        assert await sink.received() == []

    @pytest.mark.parametrize(
        "to",
        [
            "",
            "ada@example.com, eve@example.com",
            "ada@example.com; eve@example.com",
            "undisclosed-recipients:;",
            "friends: ada@example.com;",
            "Ada Lovelace",
            "ada@",
            "@example.com",
        ],
    )
    async def test_anything_but_one_recipient_is_refused(self, sink: Sink, to: str) -> None:
        with pytest.raises(MailNotSent):
            await sink.mailer.send(EmailMessage(to=to, subject="Hi", text="x\n"))
        assert await sink.received() == []


class TestDevMailbox(MailerContract):
    @pytest.fixture
    def sink(self, devbox: DevMailbox) -> Sink:
        async def read() -> list[Received]:
            mails = reversed(await devbox.messages(limit=1000))
            return [Received(m.to_address, m.subject, m.text, m.html) for m in mails]

        return Sink(devbox, read)

    async def test_lists_newest_first_and_filters_by_recipient(self, devbox: DevMailbox) -> None:
        for n, to in enumerate(["ada@example.com", "bob@example.com", "Ada@Example.com"] * 3):
            await devbox.send(EmailMessage(to=to, subject=f"#{n}", text=f"body {n}\n"))
        newest = await devbox.messages(limit=4)
        assert [m.subject for m in newest] == ["#8", "#7", "#6", "#5"]
        assert [m.sent_at for m in newest] == sorted((m.sent_at for m in newest), reverse=True)
        assert all(m.sent_at.tzinfo is not None for m in newest)
        to_ada = await devbox.messages(to="ADA@example.com ")
        assert [m.subject for m in to_ada] == ["#8", "#6", "#5", "#3", "#2", "#0"]
        assert {m.to_address for m in to_ada} == {"ada@example.com"}
        assert [m.subject for m in await devbox.messages(to="bob@example.com", limit=2)] == [
            "#7",
            "#4",
        ]
        assert await devbox.messages(to="nobody@example.com") == []

    async def test_the_returned_id_is_the_stored_one(self, devbox: DevMailbox) -> None:
        message_id = await devbox.send(EmailMessage(to="ada@example.com", subject="s", text="t"))
        (stored,) = await devbox.messages()
        assert stored.message_id == message_id
        assert message_id.endswith("@jobpilot.localhost>")
        assert stored.text == "t"  # stored exactly as given

    async def test_clear_empties_the_mailbox(self, devbox: DevMailbox) -> None:
        assert await devbox.clear() == 0
        for to in ["ada@example.com", "bob@example.com", "eve@example.com"]:
            await devbox.send(EmailMessage(to=to, subject="s", text="t"))
        assert await devbox.clear() == 3
        assert await devbox.messages() == []

    async def test_a_limit_below_one_is_refused(self, devbox: DevMailbox) -> None:
        with pytest.raises(ValueError, match="limit"):
            await devbox.messages(limit=0)


class TestSmtpMailer(MailerContract):
    @pytest.fixture
    def server(self, smtp_server: Callable[..., SmtpServer]) -> SmtpServer:
        return smtp_server()

    @pytest.fixture
    def sink(self, server: SmtpServer) -> Sink:
        async def read() -> list[Received]:
            return server.inbox.received()

        return Sink(SmtpMailer(server.settings()), read)

    async def test_headers_are_those_of_a_proper_email(self, server: SmtpServer) -> None:
        mailer = SmtpMailer(server.settings(from_address="Jöb Pilot <no-reply@jobpilot.example>"))
        message_id = await mailer.send(
            EmailMessage(to="Zoë Ürün <zoe@example.com>", subject=SUBJECT, text=TEXT, html=HTML)
        )
        (parsed,) = server.inbox.delivered()
        assert parsed["Message-ID"] == message_id
        assert message_id.endswith("@jobpilot.example>")
        assert str(parsed["From"]) == "Jöb Pilot <no-reply@jobpilot.example>"
        assert str(parsed["To"]) == "Zoë Ürün <zoe@example.com>"
        sent = email.utils.parsedate_to_datetime(str(parsed["Date"]))
        assert abs(sent - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
        assert parsed.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
        assert all(p.get_content_charset() == "utf-8" for p in parsed.iter_parts())
        # Plain ASCII on the wire, so that servers without 8BITMIME take it too.
        (_, raw, _) = server.inbox.messages[0]
        assert raw.isascii()
        assert max(len(line) for line in raw.splitlines()) <= 998

    @auth_in_clear
    async def test_login_with_the_right_password_sends(
        self, smtp_server: Callable[..., SmtpServer]
    ) -> None:
        server = smtp_server(**with_auth(require_tls=False))
        mailer = SmtpMailer(server.settings(smtp_username=SMTP_USER, smtp_password=SMTP_PASSWORD))
        await mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="x\n"))
        assert [r.to for r in server.inbox.received()] == ["ada@example.com"]

    @auth_in_clear
    async def test_a_wrong_password_is_not_sent_and_not_revealed(
        self, smtp_server: Callable[..., SmtpServer]
    ) -> None:
        server = smtp_server(**with_auth(require_tls=False))
        wrong = "wrong-" + SMTP_PASSWORD
        mailer = SmtpMailer(server.settings(smtp_username=SMTP_USER, smtp_password=wrong))
        with pytest.raises(MailNotSent, match="refused the login") as caught:
            await mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="x\n"))
        chain: list[BaseException] = []
        exc: BaseException | None = caught.value
        while exc is not None:
            chain.append(exc)
            exc = exc.__cause__ or exc.__context__
        assert len(chain) == 1  # no aiosmtplib traceback, whose frames hold the password
        assert wrong not in str(caught.value)
        assert wrong not in repr(mailer)
        assert server.inbox.messages == []

    @auth_in_clear
    async def test_no_login_where_one_is_required_is_not_sent(
        self, smtp_server: Callable[..., SmtpServer]
    ) -> None:
        server = smtp_server(**with_auth(require_tls=False))
        with pytest.raises(MailNotSent, match="530"):
            await SmtpMailer(server.settings()).send(
                EmailMessage(to="ada@example.com", subject="Hi", text="x\n")
            )
        assert server.inbox.messages == []

    async def test_starttls_upgrades_the_connection(
        self, smtp_server: Callable[..., SmtpServer], certificate: Certificate
    ) -> None:
        server = smtp_server(tls_context=certificate.server, require_starttls=True)
        mailer = SmtpMailer(
            server.settings(smtp_security="starttls"), tls_context=certificate.client
        )
        await mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="x\n"))
        assert [r.to for r in server.inbox.received()] == ["ada@example.com"]

    async def test_login_over_starttls(
        self, smtp_server: Callable[..., SmtpServer], certificate: Certificate
    ) -> None:
        server = smtp_server(tls_context=certificate.server, **with_auth(require_tls=True))
        settings = server.settings(
            smtp_security="starttls", smtp_username=SMTP_USER, smtp_password=SMTP_PASSWORD
        )
        await SmtpMailer(settings, tls_context=certificate.client).send(
            EmailMessage(to="ada@example.com", subject="Hi", text="x\n")
        )
        assert [r.to for r in server.inbox.received()] == ["ada@example.com"]

    async def test_implicit_tls_connects_over_tls(
        self, smtp_server: Callable[..., SmtpServer], certificate: Certificate
    ) -> None:
        server = smtp_server(ssl_context=certificate.server)
        mailer = SmtpMailer(server.settings(smtp_security="tls"), tls_context=certificate.client)
        await mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="x\n"))
        assert [r.to for r in server.inbox.received()] == ["ada@example.com"]

    async def test_an_untrusted_certificate_is_not_sent(
        self, smtp_server: Callable[..., SmtpServer], certificate: Certificate
    ) -> None:
        server = smtp_server(tls_context=certificate.server, require_starttls=True)
        mailer = SmtpMailer(server.settings(smtp_security="starttls"))  # the system's CAs
        with pytest.raises(MailNotSent, match="certificate"):
            await mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="x\n"))
        assert server.inbox.messages == []

    async def test_starttls_missing_on_the_server_is_not_sent(self, server: SmtpServer) -> None:
        mailer = SmtpMailer(server.settings(smtp_security="starttls"))
        with pytest.raises(MailNotSent, match="STARTTLS"):
            await mailer.send(EmailMessage(to="ada@example.com", subject="Hi", text="x\n"))
        assert server.inbox.messages == []

    async def test_a_refused_connection_is_not_sent(self) -> None:
        settings = MailSettings(backend="smtp", smtp_port=free_port(), smtp_security="none")
        with pytest.raises(MailNotSent, match="could not reach"):
            await SmtpMailer(settings).send(
                EmailMessage(to="ada@example.com", subject="Hi", text="x\n")
            )

    async def test_a_refused_recipient_is_not_sent(self, server: SmtpServer) -> None:
        server.inbox.refuse_recipients.add("gone@example.com")
        with pytest.raises(MailNotSent, match="550"):
            await SmtpMailer(server.settings()).send(
                EmailMessage(to="gone@example.com", subject="Hi", text="x\n")
            )
        assert server.inbox.messages == []

    @pytest.mark.parametrize("reply", ["554 5.7.1 Rejected as spam", "451 4.3.0 Try later"])
    async def test_a_message_refused_after_its_content_is_not_sent(
        self, server: SmtpServer, reply: str
    ) -> None:
        server.inbox.data_reply = reply
        with pytest.raises(MailNotSent, match=reply[:3]):
            await SmtpMailer(server.settings()).send(
                EmailMessage(to="ada@example.com", subject="Hi", text="x\n")
            )
        assert server.inbox.delivered() == []

    async def test_non_ascii_addresses_need_smtputf8(
        self, smtp_server: Callable[..., SmtpServer]
    ) -> None:
        server = smtp_server(enable_SMTPUTF8=False)
        with pytest.raises(MailNotSent, match="SMTPUTF8"):
            await SmtpMailer(server.settings()).send(
                EmailMessage(to="zoë@example.com", subject="Hi", text="x\n")
            )
        assert server.inbox.messages == []

    async def test_no_reply_after_the_content_is_not_reported_as_not_sent(
        self, server: SmtpServer
    ) -> None:
        # The server may have queued the message: MailNotSent here would invite a duplicate.
        server.inbox.drop_after_data = True
        with pytest.raises(Exception) as caught:  # noqa: PT011 - any error but MailNotSent
            await SmtpMailer(server.settings()).send(
                EmailMessage(to="ada@example.com", subject="Hi", text="x\n")
            )
        assert not isinstance(caught.value, MailNotSent)
        assert len(server.inbox.messages) == 1

    def test_a_bad_from_address_is_a_configuration_error(self) -> None:
        with pytest.raises(ValueError, match="JOBPILOT_MAIL__FROM_ADDRESS"):
            SmtpMailer(MailSettings(from_address="a@example.com, b@example.com"))


async def test_sending_once_retries_only_what_surely_was_not_sent(
    db: Database, smtp_server: Callable[..., SmtpServer]
) -> None:
    """With kit.idempotency.once, MailNotSent frees the key; an unknown outcome does not."""
    port = free_port()
    mailer = SmtpMailer(MailSettings(backend="smtp", smtp_port=port, smtp_security="none"))
    message = EmailMessage(to="ada@example.com", subject="Verify", text="x\n")

    with pytest.raises(MailNotSent):
        await once(db, "mail:refused", lambda: mailer.send(message))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        first = await once(db, "mail:refused", lambda: mailer.send(message))
        again = await once(db, "mail:refused", lambda: mailer.send(message))
        assert first == again
        assert len(inbox.delivered()) == 1

        inbox.drop_after_data = True
        with pytest.raises(Exception) as caught:  # noqa: PT011 - any error but MailNotSent
            await once(db, "mail:unknown", lambda: mailer.send(message))
        assert not isinstance(caught.value, MailNotSent)
        inbox.drop_after_data = False
        with pytest.raises(OutcomeUnknown):
            await once(db, "mail:unknown", lambda: mailer.send(message))
        assert len(inbox.messages) == 2  # the unknown one was not sent a second time
    finally:
        controller.stop()


# --- jobpilot mailbox ---------------------------------------------------------------------


@pytest.fixture
async def mailbox_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file with the mailbox table and three messages, set as the database in use."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database(url)
    try:
        await create_mailbox_table(db)
        box = DevMailbox(db)
        await box.send(EmailMessage(to="ada@example.com", subject="First", text="one [b]x[/b]\n"))
        await box.send(EmailMessage(to="bob@example.com", subject="Second", text="two\n"))
        await box.send(EmailMessage(to="ada@example.com", subject="Third", text="three\n"))
    finally:
        await db.dispose()
    monkeypatch.setenv("JOBPILOT_DATABASE__URL", url)
    return url


runner = CliRunner()


def test_cli_lists_newest_first_with_bodies(mailbox_db: str) -> None:
    result = runner.invoke(mailbox_app, ["list"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Third") < out.index("Second") < out.index("First")
    assert "To:      ada@example.com" in out
    assert "Subject: Second" in out
    assert "Sent at: 20" in out
    assert "one [b]x[/b]" in out  # bodies are shown as they are, not as rich markup
    assert "two" in out


def test_cli_filters_by_recipient_and_limits(mailbox_db: str) -> None:
    result = runner.invoke(mailbox_app, ["list", "--to", "ada@example.com", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "Third" in result.stdout
    assert "First" not in result.stdout
    assert "bob@example.com" not in result.stdout
    nobody = runner.invoke(mailbox_app, ["list", "--to", "nobody@example.com"])
    assert nobody.exit_code == 0, nobody.output
    assert "no mail to nobody@example.com" in nobody.stdout


def test_cli_clear_empties_the_mailbox(mailbox_db: str) -> None:
    result = runner.invoke(mailbox_app, ["clear"])
    assert result.exit_code == 0, result.output
    assert "deleted 3 message(s)" in result.stdout
    after = runner.invoke(mailbox_app, ["list"])
    assert after.exit_code == 0, after.output
    assert "no mail" in after.stdout


def test_cli_refuses_when_mail_goes_out_over_smtp(
    mailbox_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBPILOT_MAIL__BACKEND", "smtp")
    result = runner.invoke(mailbox_app, ["list"])
    assert result.exit_code == 1
    assert "only used with JOBPILOT_MAIL__BACKEND=devbox" in result.stderr


def test_cli_reports_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBPILOT_MAIL__BACKEND", "pigeon")
    result = runner.invoke(mailbox_app, ["list"])
    assert result.exit_code == 2
    assert "JOBPILOT_MAIL__BACKEND" in result.stderr


def test_cli_explains_a_missing_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBPILOT_DATABASE__URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = runner.invoke(mailbox_app, ["list"])
    assert result.exit_code == 1
    assert "no such table" in result.stderr
    assert "jobpilot migrate" in result.stderr


def test_cli_help_lists_both_commands() -> None:
    result = runner.invoke(mailbox_app, ["--help"])
    assert result.exit_code == 0
    assert "list" in result.stdout
    assert "clear" in result.stdout

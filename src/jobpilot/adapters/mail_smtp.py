"""A Mailer that hands each message to an SMTP server (`JOBPILOT_MAIL__BACKEND=smtp`)."""

from __future__ import annotations

import contextlib
import email.message
import email.policy
import ssl
from email.utils import format_datetime

import aiosmtplib

from jobpilot.kit.clock import utcnow
from jobpilot.kit.mail import (
    DEFAULT_MESSAGE_ID_DOMAIN,
    MailNotSent,
    new_message_id,
    parse_single_address,
    recipient_of,
)
from jobpilot.kit.ports import EmailMessage
from jobpilot.settings import MailSettings


class SmtpMailer:
    """Sends each message over its own SMTP connection, as configured by `MailSettings`.

    `tls_context` replaces the system's trust store (a relay with a private CA, tests).
    """

    def __init__(
        self, settings: MailSettings, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self.tls_context = tls_context
        try:
            self.sender = parse_single_address(settings.from_address, what="sender")
        except MailNotSent as exc:
            msg = f"JOBPILOT_MAIL__FROM_ADDRESS is not one email address: {exc}"
            raise ValueError(msg) from None

    def __repr__(self) -> str:
        s = self.settings
        return f"SmtpMailer({s.smtp_host}:{s.smtp_port}, security={s.smtp_security})"

    async def send(self, message: EmailMessage) -> str:
        """Hand `message` to the SMTP server; return its Message-ID.

        Raises MailNotSent when the server surely did not accept it; see `_transfer`.
        """
        recipient = recipient_of(message).addr_spec
        message_id = new_message_id(self._message_id_domain)
        utf8 = not (recipient.isascii() and self.sender.addr_spec.isascii())
        content = self._build(message, message_id, utf8=utf8)
        await self._transfer(recipient, content, utf8=utf8)
        return message_id

    def _build(self, message: EmailMessage, message_id: str, *, utf8: bool) -> bytes:
        # Bodies are quoted-printable so that they pass any server (no 8BITMIME needed) and
        # stay readable in the raw source; headers are RFC 2047-encoded unless the addresses
        # themselves need SMTPUTF8, in which case the whole message is UTF-8.
        policy = email.policy.SMTPUTF8 if utf8 else email.policy.SMTP
        mime = email.message.EmailMessage(policy=policy)
        mime["Message-ID"] = message_id
        mime["Date"] = format_datetime(utcnow())
        mime["From"] = self.settings.from_address
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime.set_content(message.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        if message.html is not None:
            mime.add_alternative(
                message.html, subtype="html", charset="utf-8", cte="quoted-printable"
            )
        return mime.as_bytes(policy=policy)

    async def _transfer(self, recipient: str, content: bytes, *, utf8: bool) -> None:
        # Until the server has the whole message nothing can have been delivered: a failure to
        # connect, to upgrade to TLS, to log in, or a refused sender or recipient means the
        # message surely was not sent, and so does any 4xx/5xx reply, even the one to the end
        # of the message (RFC 5321: the server takes responsibility only with its 250). Only a
        # reply that never comes to the end of the message (a timeout, a dropped connection)
        # leaves it unknown whether the server queued it; that is not MailNotSent, so that a
        # retry does not risk sending the message twice.
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_seconds,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            tls_context=self.tls_context,
        )
        try:
            await self._connect(smtp)
            await self._envelope(smtp, recipient, utf8=utf8)
            try:
                await smtp.data(content)
            except aiosmtplib.SMTPResponseException as exc:
                raise self._refused("the message", exc) from exc
            # The message is already accepted; a failed goodbye changes nothing.
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()
        finally:
            smtp.close()

    async def _connect(self, smtp: aiosmtplib.SMTP) -> None:
        s = self.settings
        try:
            await smtp.connect()
        except aiosmtplib.SMTPResponseException as exc:
            raise self._refused("the connection", exc) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Refused or reset connections, DNS and TLS failures, timeouts.
            msg = f"could not reach the SMTP server at {self._where}: {exc}"
            raise MailNotSent(msg) from exc
        if not s.smtp_username:
            return
        failure: str | None = None
        try:
            await smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
        except aiosmtplib.SMTPAuthenticationError as exc:
            failure = f"refused the login of {s.smtp_username!r}: {exc.code} {exc.message}"
        except (aiosmtplib.SMTPException, OSError) as exc:
            failure = f"failed the login of {s.smtp_username!r}: {exc}"
        if failure is not None:
            # Raised outside the except block, so that no traceback through aiosmtplib's login,
            # whose frames hold the password, hangs on the error for a logger to render.
            raise MailNotSent(f"the SMTP server at {self._where} {failure}")

    async def _envelope(self, smtp: aiosmtplib.SMTP, recipient: str, *, utf8: bool) -> None:
        encoding = "utf-8" if utf8 else "ascii"
        try:
            if smtp.is_ehlo_or_helo_needed:
                # The server's extensions (SMTPUTF8) are known only after EHLO.
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await smtp.helo()
            if utf8 and not smtp.supports_extension("smtputf8"):
                msg = "cannot take non-ASCII addresses (no SMTPUTF8)"
                raise MailNotSent(f"the SMTP server at {self._where} {msg}")
            await smtp.mail(
                self.sender.addr_spec, options=["SMTPUTF8"] if utf8 else [], encoding=encoding
            )
            await smtp.rcpt(recipient, encoding=encoding)
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise self._refused("the recipient", exc) from exc
        except aiosmtplib.SMTPSenderRefused as exc:
            raise self._refused("the sender", exc) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise self._refused("to start the message", exc) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            msg = f"lost the SMTP server at {self._where} before sending the message: {exc}"
            raise MailNotSent(msg) from exc

    @property
    def _message_id_domain(self) -> str:
        domain = self.sender.domain
        return domain if domain.isascii() else DEFAULT_MESSAGE_ID_DOMAIN

    @property
    def _where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    def _refused(self, what: str, exc: aiosmtplib.SMTPResponseException) -> MailNotSent:
        return MailNotSent(
            f"the SMTP server at {self._where} refused {what}: {exc.code} {exc.message}"
        )

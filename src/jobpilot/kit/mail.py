"""What every Mailer adapter shares: the one failure they raise and the checks before sending."""

from __future__ import annotations

import uuid
from email.errors import MessageDefect, NonASCIILocalPartDefect
from email.headerregistry import Address, AddressHeader, HeaderRegistry
from typing import cast

from jobpilot.kit.idempotency import NotPerformed
from jobpilot.kit.ports import EmailMessage

DEFAULT_MESSAGE_ID_DOMAIN = "jobpilot.localhost"

# CR and LF end a header line, so a value holding one could add headers of its own ("header
# injection"). The other C0 controls, DEL and the Unicode line breaks that str.splitlines()
# honours have no business in an address or a subject either.
_FORBIDDEN_IN_HEADERS = frozenset(
    [chr(c) for c in range(32) if chr(c) != "\t"] + ["\x7f", "\x85", "\u2028", "\u2029"]
)

_HEADERS = HeaderRegistry()


class MailNotSent(NotPerformed):
    """The message was certainly not accepted for delivery, so sending it again is safe.

    A `NotPerformed`, so that `kit.idempotency.once` releases the side effect's key and a retry
    may send it; failures that leave the outcome unknown are raised as other exceptions.
    """


def check_header_value(name: str, value: str) -> None:
    """Raise MailNotSent if `value` could break out of the `name` header."""
    if any(char in _FORBIDDEN_IN_HEADERS for char in value):
        msg = f"the {name} of an email may not contain line breaks or control characters"
        raise MailNotSent(msg)


def parse_single_address(value: str, *, what: str = "recipient") -> Address:
    """`value` as exactly one address ("ada@example.com" or "Ada <ada@example.com>").

    Raises MailNotSent for anything else: no address, several, a group, or a malformed one.
    """
    check_header_value(what, value)
    try:
        parsed = _HEADERS("To", value)
        header = cast(AddressHeader, parsed)
        addresses, groups = header.addresses, header.groups
        defects: tuple[MessageDefect, ...] = tuple(parsed.defects)
    except Exception as exc:  # the parser fails in odd ways (IndexError) on odd input
        raise MailNotSent(f"not an email address: {value!r}") from exc
    if len(addresses) != 1 or len(groups) != 1 or groups[0].display_name is not None:
        msg = f"an email goes to exactly one {what}, not {value!r}"
        raise MailNotSent(msg)
    address = addresses[0]
    malformed = [d for d in defects if not isinstance(d, NonASCIILocalPartDefect)]
    if (
        malformed
        or not address.username
        or not address.domain
        or any(char.isspace() for char in address.addr_spec)
    ):
        raise MailNotSent(f"not an email address: {value!r}")
    return address


def recipient_of(message: EmailMessage) -> Address:
    """The one recipient of `message`, after refusing header injection in `to` and `subject`."""
    check_header_value("subject", message.subject)
    return parse_single_address(message.to)


def new_message_id(domain: str = DEFAULT_MESSAGE_ID_DOMAIN) -> str:
    """A globally unique Message-ID such as `<3f2b…@jobpilot.localhost>`."""
    return f"<{uuid.uuid4()}@{domain}>"

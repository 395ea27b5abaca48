"""Small helpers shared by the Greenhouse, Lever, Ashby, Recruitee, Breezy and Workable adapters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jobpilot.jobs.ats.base import AtsError

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# A tenant slug as it appears in a path or a subdomain: no dots, slashes or spaces.
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~%-]*$")
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SplitUrl:
    """A URL cut into what detection looks at: lower-case host, path parts, query values."""

    host: str
    parts: tuple[str, ...]
    query: dict[str, list[str]]

    def first(self, name: str) -> str | None:
        """The first value of query parameter `name`, if any."""
        values = self.query.get(name)
        return values[0] if values else None


def split_url(url: str) -> SplitUrl | None:
    """Host (from the URL's authority, never its path), path parts and query; None if no URL."""
    text = url.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    if "://" not in text:
        # Users paste "boards.greenhouse.io/acme" without a scheme.
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    segments = tuple(seg for seg in parts.path.split("/") if seg)
    return SplitUrl(host.lower().rstrip("."), segments, parse_qs(parts.query))


def subdomain_of(host: str, domain: str) -> str | None:
    """The single label in front of `domain` (`acme` for `acme.recruitee.com`), else None."""
    suffix = "." + domain
    if not host.endswith(suffix):
        return None
    label = host[: -len(suffix)]
    if not label or "." in label or not SLUG_RE.match(label):
        return None
    return label


def parse_datetime(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from ISO text, "... UTC" text, a date or epoch ms."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[: -len(" UTC")] + "+00:00"
    elif text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # Date-only and naive values are published as UTC by these boards.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def text_or_none(value: Any) -> str | None:
    """The stripped string, or None when it is not a non-empty string."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None


def number_or_none(value: Any) -> float | None:
    """A float from a JSON number or numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def id_text(value: Any) -> str | None:
    """An id (string or integer in the payload) as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return text_or_none(value)


def dict_of(value: Any, what: str) -> dict[str, Any]:
    """`value` if it is a JSON object, else AtsError naming `what` was malformed."""
    if not isinstance(value, dict):
        raise AtsError(f"The job board sent an unexpected {what}.")
    return value


def list_of(value: Any, what: str) -> list[Any]:
    """`value` if it is a JSON array, else AtsError naming `what` was malformed."""
    if not isinstance(value, list):
        raise AtsError(f"The job board sent an unexpected {what}.")
    return value


def dicts_in(value: Any) -> list[dict[str, Any]]:
    """The objects inside a JSON array (anything else is skipped); [] when not an array."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def unique(values: list[str]) -> list[str]:
    """`values` without blanks and repeats, in their first order."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)

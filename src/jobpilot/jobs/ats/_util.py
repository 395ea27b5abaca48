"""Small helpers shared by the ATS adapters: reading untyped JSON safely, text, numbers, dates,
URLs, embedded JSON and XML. The HTML DOM used by the scraping adapters lives in `_html`."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from jobpilot.jobs.ats.base import AtsError, AtsHttp, AtsPosting, BoardNotFound

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# A tenant slug as it appears in a path or a subdomain: no dots, slashes or spaces.
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~%-]*$")
_SPACES = re.compile(r"\s+")
FORM_MESSAGE = "Not a job listing: looks like an application form."


# --- Untyped JSON ---------------------------------------------------------------------------


def dict_of(value: Any, what: str, *keys: str) -> dict[str, Any]:
    """`value` if it is a JSON object holding `keys`, else AtsError naming `what` was malformed."""
    if not isinstance(value, dict) or any(key not in value for key in keys):
        raise AtsError(f"The job board sent an unexpected {what}.")
    return value


def list_of(value: Any, what: str) -> list[Any]:
    """`value` if it is a JSON array, else AtsError naming `what` was malformed."""
    if not isinstance(value, list):
        raise AtsError(f"The job board sent an unexpected {what}.")
    return value


def dict_or_empty(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def list_or_empty(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def dicts_in(value: Any) -> list[dict[str, Any]]:
    """The objects inside a JSON array (anything else is skipped); [] when not an array."""
    return [item for item in list_or_empty(value) if isinstance(item, dict)]


# --- Text and numbers -----------------------------------------------------------------------


def text_or_none(value: Any) -> str | None:
    """The stripped string, or None when it is not a non-empty string."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def scalar_text(value: Any) -> str | None:
    """A stripped non-empty string from a JSON string or number (ids are often either)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return text_or_none(value)


def clean(value: object) -> str:
    """Text with runs of whitespace collapsed to one space, trimmed ('' for None)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def clean_or_none(value: object) -> str | None:
    """Like `clean`, but None for empty text."""
    return clean(value) or None


def number_or_none(value: Any) -> float | None:
    """A float from a JSON number or numeric text ("1.5e3", "55,000.00", "$20"), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        number = float(value.strip())
    except ValueError:
        # Money as people write it: drop currency signs, thousands separators and the like.
        digits = re.sub(r"[^\d.\-]", "", value)
        try:
            number = float(digits) if digits else math.nan
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def unique(values: list[str]) -> list[str]:
    """`values` without blanks and repeats, in their first order."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


# --- Dates ----------------------------------------------------------------------------------

# Formats seen on scraped pages, tried when the text is not ISO 8601.
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
    "%m/%d/%Y",
)


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO text (also "... UTC" and "Z"), common US date formats or
    epoch seconds/milliseconds; naive values are taken as UTC. None when it is none of those."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # Epoch milliseconds from JSON APIs; epoch seconds from some pages.
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = clean(value)
    if not text:
        return None
    if text.endswith(" UTC"):
        text = text[: -len(" UTC")] + "+00:00"
    elif text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        # Taleo Business Edition writes "2025-07-28 00:00:00.0".
        bare = re.sub(r"\.\d+$", "", text)
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(bare, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        else:
            return None
    if parsed.tzinfo is None:
        # Date-only and naive values are published as UTC by these boards.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# --- URLs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitUrl:
    """A URL cut into what detection looks at: lower-case host, path parts, query values."""

    host: str
    parts: tuple[str, ...]
    query: dict[str, list[str]]

    def first(self, name: str) -> str | None:
        """The first value of query parameter `name`, if any (blank values are dropped)."""
        values = self.query.get(name)
        return values[0] if values else None


def split_url(url: str) -> SplitUrl | None:
    """Host (from the URL's authority, never its path), path parts and query of an http(s) URL
    (scheme assumed https when missing); None if it is not one."""
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


def host_of(url: str) -> str:
    """The lower-cased host name of a URL ('' when it is not one)."""
    split = split_url(url)
    return split.host if split else ""


def path_parts(url: str) -> list[str]:
    """The non-empty path segments of a URL ([] when it is not one)."""
    split = split_url(url)
    return list(split.parts) if split else []


def query_value(url: str, name: str) -> str | None:
    """The first value of one query parameter, if present and non-empty."""
    split = split_url(url)
    return split.first(name) if split else None


def subdomain_of(host: str, domain: str) -> str | None:
    """The single label in front of `domain` (`acme` for `acme.recruitee.com`), else None."""
    suffix = "." + domain
    if not host.endswith(suffix):
        return None
    label = host[: -len(suffix)]
    if not label or "." in label or not SLUG_RE.match(label):
        return None
    return label


# --- Pages, XML and redirects ---------------------------------------------------------------


def embedded_json(html: str, marker: str) -> Any:
    """The JSON value assigned after `marker` (e.g. `window.pageData =`) in a page, without eval."""
    index = html.find(marker)
    if index < 0:
        raise AtsError("The job board page does not hold the expected data.")
    start = index + len(marker)
    while start < len(html) and html[start] in " \t\r\n":
        start += 1
    try:
        value, _ = json.JSONDecoder().raw_decode(html, start)
    except ValueError as exc:
        raise AtsError("The job board page holds data that is not valid JSON.") from exc
    return value


_FORBIDDEN_XML = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(body: bytes | str) -> ET.Element:
    """The root of an XML document; AtsError for DTDs/entities (XXE, billion laughs) or bad XML."""
    raw = body.encode() if isinstance(body, str) else body
    # Dropping NULs also exposes a declaration written in UTF-16.
    if _FORBIDDEN_XML.search(raw.replace(b"\x00", b"").decode("latin-1")):
        raise AtsError("The job board sent XML with a document type or entities; refused.")
    try:
        return ET.fromstring(raw)  # noqa: S314 - DTDs and entities refused above
    except ET.ParseError as exc:
        raise AtsError("The job board sent XML that could not be parsed.") from exc


async def get_unless_redirected(http: AtsHttp, url: str) -> httpx.Response:
    """GET `url`; BoardNotFound when the ATS redirects away (how some say "no such tenant")."""
    response = await http.request("GET", url)
    if response.is_redirect or response.history:
        raise BoardNotFound
    return response


# --- Saved response bodies ------------------------------------------------------------------


def json_body(body: str) -> Any:
    """The decoded JSON of a response body; AtsError if it is not JSON."""
    try:
        return json.loads(body)
    except ValueError as exc:
        raise AtsError("The job board sent something other than JSON.") from exc


def form_error() -> AtsError:
    """The error for a body that defines an application form instead of carrying postings."""
    return AtsError(FORM_MESSAGE)


def first_per_id(postings: Iterable[AtsPosting]) -> list[AtsPosting]:
    """`postings` with later repeats of a source id dropped, in their first order."""
    kept: dict[str, AtsPosting] = {}
    for posting in postings:
        kept.setdefault(posting.source_id, posting)
    return list(kept.values())

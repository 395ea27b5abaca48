"""Small helpers shared by the Workday, SmartRecruiters, BambooHR, Teamtailor, Personio and
Paylocity adapters: reading untyped JSON safely, URLs, dates, embedded JSON and XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from jobpilot.jobs.ats.base import AtsError, AtsHttp, BoardNotFound


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """A stripped non-empty string from a JSON scalar, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        stripped = str(value).strip()
        return stripped or None
    return None


def expect_object(payload: Any, *keys: str) -> dict[str, Any]:
    """`payload` as a JSON object holding `keys`; AtsError when the shape is not the one known."""
    if not isinstance(payload, dict) or any(key not in payload for key in keys):
        raise AtsError("The job board sent a payload of an unexpected shape.")
    return payload


def expect_list(payload: Mapping[str, Any], key: str) -> list[Any]:
    """`payload[key]` as a JSON array; AtsError otherwise."""
    value = payload.get(key)
    if not isinstance(value, list):
        raise AtsError("The job board sent a payload of an unexpected shape.")
    return value


def url_parts(url: str) -> tuple[str, list[str]] | None:
    """The lower-case host and the non-empty path segments of an http(s) URL, or None."""
    candidate = url.strip()
    if "://" not in candidate:
        candidate = f"https://{candidate}"
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host, [segment for segment in parts.path.split("/") if segment]


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive values are taken as UTC)."""
    raw = text(value)
    if raw is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


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

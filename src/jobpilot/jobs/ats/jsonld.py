"""schema.org `JobPosting` extraction from any HTML page: JSON-LD scripts and microdata.

Most hosted job pages (JazzHR, iCIMS, Jobvite, Taleo Business Edition, Paylocity, employer
career sites) describe the posting for search engines. This reads every description on the
page into `AtsPosting`s, close to the source: raw location parts joined, raw salary fields,
the HTML description. A broken JSON-LD script is skipped; the others still count.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from jobpilot.jobs.ats._html import Node, parse_html
from jobpilot.jobs.ats._util import (
    clean,
    clean_or_none,
    host_of,
    number_or_none,
    parse_datetime,
    unique,
)
from jobpilot.jobs.ats.base import AtsPosting

_REMOTE_TYPES = {"telecommute", "remote"}
_URL_VALUED = {"a", "area", "link"}
_SRC_VALUED = {"img", "audio", "video", "source", "embed", "iframe"}


def extract_job_postings(html_text: str, page_url: str) -> list[AtsPosting]:
    """Every schema.org JobPosting on the page (JSON-LD first, then microdata)."""
    root = parse_html(html_text)
    found = [*_jsonld_objects(root), *_microdata_objects(root)]
    postings: list[AtsPosting] = []
    seen: set[tuple[str, str]] = set()
    for obj in found:
        posting = posting_from_schema(obj, page_url)
        if posting is None or (posting.source_id, posting.title) in seen:
            continue
        seen.add((posting.source_id, posting.title))
        postings.append(posting)
    return postings


def posting_from_schema(obj: Mapping[str, Any], page_url: str) -> AtsPosting | None:
    """One JobPosting object (JSON-LD shaped) as an AtsPosting; None without a title."""
    title = clean(_text(obj.get("title")) or _text(obj.get("name")))
    if not title:
        return None
    url = _text(obj.get("url")) or page_url
    salary = _salary(obj.get("baseSalary")) or _salary(obj.get("estimatedSalary"))
    locations = _locations(obj.get("jobLocation"))
    remote = any(
        clean(kind).lower() in _REMOTE_TYPES for kind in _as_list(obj.get("jobLocationType"))
    )
    if not locations:
        locations = unique(
            [_place_name(req) for req in _as_list(obj.get("applicantLocationRequirements"))]
        )
    valid_through = parse_datetime(_text(obj.get("validThrough")))
    employment = [clean(_text(kind)) for kind in _as_list(obj.get("employmentType"))]
    return AtsPosting(
        ats="jsonld",
        tenant=host_of(page_url),
        source_id=_identifier(obj.get("identifier")) or url,
        title=title,
        url=url,
        apply_url=_text(obj.get("directApplyUrl")) or url,
        company_name=_org_name(obj.get("hiringOrganization")),
        department=clean_or_none(_text(obj.get("department"))),
        employment_type=", ".join(kind for kind in employment if kind) or None,
        locations=locations,
        workplace="remote" if remote else None,
        description_html=_description(obj.get("description")),
        posted_at=parse_datetime(_text(obj.get("datePosted"))),
        updated_at=parse_datetime(_text(obj.get("dateModified"))),
        salary_min=salary.get("min"),
        salary_max=salary.get("max"),
        salary_currency=salary.get("currency"),
        salary_period=salary.get("period"),
        closed=valid_through is not None and valid_through < datetime.now(UTC),
        raw=dict(obj),
    )


def _is_job_posting(obj: Mapping[str, Any]) -> bool:
    kinds = _as_list(obj.get("@type"))
    return any(str(kind).rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for kind in kinds)


def _walk(value: Any) -> Iterator[Mapping[str, Any]]:
    # Postings sit at the top, in lists, in `@graph`, or under another node (`mainEntity`).
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        if _is_job_posting(value):
            yield value
            return
        for item in value.values():
            if isinstance(item, dict | list):
                yield from _walk(item)


def _jsonld_objects(root: Node) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for script in root.find_all("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        body = script.raw_text().strip()
        # Some CMSs wrap the JSON in an HTML comment or CDATA marker.
        for marker in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
            body = body.replace(marker, "")
        try:
            data = json.loads(body, strict=False)
        except ValueError:
            try:
                data = json.loads(html.unescape(body), strict=False)
            except ValueError:
                continue
        found.extend(_walk(data))
    return found


def _is_posting_scope(node: Node) -> bool:
    types = (node.get("itemtype") or "").split()
    return "itemscope" in node.attrs and any(
        kind.rstrip("/").endswith("schema.org/JobPosting") for kind in types
    )


def _microdata_objects(root: Node) -> list[Mapping[str, Any]]:
    return [_microdata_item(node) for node in root.iter() if _is_posting_scope(node)]


def _microdata_item(scope: Node) -> dict[str, Any]:
    kind = (scope.get("itemtype") or "").split()
    item: dict[str, Any] = {"@type": [k.rstrip("/").rsplit("/", 1)[-1] for k in kind]}
    for node in _scoped_props(scope):
        value: Any = _microdata_item(node) if "itemscope" in node.attrs else _prop_value(node)
        for name in (node.get("itemprop") or "").split():
            if name in item:
                existing = item[name]
                item[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                item[name] = value
    return item


def _scoped_props(scope: Node) -> Iterator[Node]:
    for child in scope.children:
        if not isinstance(child, Node):
            continue
        if "itemprop" in child.attrs:
            yield child
        if "itemscope" not in child.attrs:
            yield from _scoped_props(child)


def _prop_value(node: Node) -> str:
    if "content" in node.attrs:
        return node.attrs["content"]
    if node.tag in _URL_VALUED:
        return node.get("href") or ""
    if node.tag in _SRC_VALUED:
        return node.get("src") or ""
    if node.tag == "time" and node.get("datetime"):
        return node.attrs["datetime"]
    if node.tag in {"data", "meter"} and node.get("value"):
        return node.attrs["value"]
    if node.get("itemprop") == "description":
        return node.inner_html().strip()
    return node.text()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value", value.get("value", value.get("name")))
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


def _identifier(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, dict):
            found = item.get("value", item.get("@value", item.get("name")))
        else:
            found = item
        if found is not None and not isinstance(found, dict | list) and clean(found):
            return clean(found)
    return None


def _org_name(value: Any) -> str | None:
    for item in _as_list(value):
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and clean(name):
            return clean(name)
    return None


def _place_name(value: Any) -> str:
    if isinstance(value, dict):
        return clean(_text(value.get("name")) or _text(value.get("address")) or "")
    return clean(value) if isinstance(value, str) else ""


def _address_text(address: Any) -> str:
    if isinstance(address, str):
        return clean(address)
    if not isinstance(address, dict):
        return ""
    parts = []
    for key in ("addressLocality", "addressRegion", "addressCountry"):
        part = address.get(key)
        if isinstance(part, dict):
            part = part.get("name")
        if isinstance(part, str | int) and clean(part):
            parts.append(clean(part))
    return ", ".join(parts)


def _locations(value: Any) -> list[str]:
    found: list[str] = []
    for place in _as_list(value):
        if isinstance(place, str):
            found.append(clean(place))
        elif isinstance(place, dict):
            found.append(_address_text(place.get("address")) or _place_name(place))
    return unique(found)


def _description(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    # Many generators HTML-escape the markup inside the JSON string once more.
    if "<" not in text and "&lt;" in text:
        text = html.unescape(text)
    return text


def _salary(value: Any) -> dict[str, Any]:
    amount = value[0] if isinstance(value, list) and value else value
    if not isinstance(amount, dict):
        number = number_or_none(amount) if amount is not None else None
        return {"min": number, "max": number} if number is not None else {}
    currency = clean_or_none(amount.get("currency"))
    quantity = amount.get("value")
    unit = amount.get("unitText")
    low = high = None
    if isinstance(quantity, dict):
        unit = quantity.get("unitText", unit)
        low = number_or_none(quantity.get("minValue"))
        high = number_or_none(quantity.get("maxValue"))
        single = number_or_none(quantity.get("value"))
        if low is None and high is None:
            low = high = single
    else:
        low = high = number_or_none(quantity)
    if low is None and high is None:
        return {}
    return {
        "min": low,
        "max": high,
        "currency": currency,
        "period": clean(unit).lower() or None if unit else None,
    }


def posting_for_adapter(
    html_text: str, page_url: str, *, ats: str, tenant: str, source_id: str
) -> AtsPosting | None:
    """The page's first JobPosting, relabelled as one ATS's posting; None if it has none."""
    postings = extract_job_postings(html_text, page_url)
    if not postings:
        return None
    return replace(postings[0], ats=ats, tenant=tenant, source_id=source_id)

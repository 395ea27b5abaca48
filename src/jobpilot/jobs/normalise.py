"""Turning what an ATS says into JobPilot's normalised fields.

Pure functions, no ATS knowledge: adapters hand over raw strings (a location line, a salary
sentence, description HTML, "Posted 3 Days Ago") and get structured values back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import nh3
import pycountry

# Tags a job description may keep; everything else (script, style, iframe, forms) is dropped,
# and so is every attribute but a link's href.
ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "a",
    "span",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "hr",
    "code",
    "pre",
    "sub",
    "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}

Workplace = str  # "remote" | "hybrid" | "onsite"

_REMOTE = re.compile(r"\b(remote|work from home|wfh|telecommute|anywhere|distributed)\b", re.I)
_HYBRID = re.compile(r"\bhybrid\b", re.I)
_ONSITE = re.compile(r"\b(on[- ]?site|in[- ]office|office[- ]based)\b", re.I)

# US states and Canadian provinces by code: "Austin, TX" is in the US.
_US_STATES = {
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
}
_CA_PROVINCES = {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "uae": "AE",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "czech republic": "CZ",
    "the netherlands": "NL",
    "holland": "NL",
    "turkey": "TR",
    "iran": "IR",
    "taiwan": "TW",
    "bolivia": "BO",
    "venezuela": "VE",
}
_REGION_WORDS = {"emea", "apac", "latam", "americas", "europe", "eu", "worldwide", "global"}


@dataclass(frozen=True)
class Location:
    """A parsed place: any of city, region, ISO country code, and how the work is done."""

    text: str
    city: str | None = None
    region: str | None = None
    country: str | None = None
    workplace: Workplace | None = None


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names[value.lower()] = country.alpha_2
        names[country.alpha_3.lower()] = country.alpha_2
    names.update(_COUNTRY_ALIASES)
    return names


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for a country name, alias or code."""
    cleaned = text.strip().strip(".").lower()
    if not cleaned:
        return None
    if len(cleaned) == 2 and pycountry.countries.get(alpha_2=cleaned.upper()):
        return cleaned.upper()
    return _country_names().get(cleaned)


def workplace_of(text: str) -> Workplace | None:
    """ "remote", "hybrid" or "onsite" when `text` says so."""
    if _HYBRID.search(text):
        return "hybrid"
    if _REMOTE.search(text):
        return "remote"
    if _ONSITE.search(text):
        return "onsite"
    return None


def parse_location(text: str) -> Location:
    """Split "Berlin, Germany", "Austin, TX", "Remote - US", "London, England, United Kingdom"."""
    raw = " ".join(text.split())
    workplace = workplace_of(raw)
    stripped = _ONSITE.sub(" ", _REMOTE.sub(" ", _HYBRID.sub(" ", raw)))
    stripped = re.sub(r"[()\[\]]", " ", stripped)
    parts = [p.strip(" -–—/|") for p in re.split(r"[,;/|]| - | – ", stripped)]
    parts = [p for p in parts if p and p.lower() not in _REGION_WORDS]
    city = region = country = None
    if parts:
        last = parts[-1]
        code = country_code(last)
        if code is not None:
            country = code
            parts = parts[:-1]
        elif last.upper() in _US_STATES and len(parts) > 1:
            country, region, parts = "US", last.upper(), parts[:-1]
        elif last.upper() in _CA_PROVINCES and len(parts) > 1:
            country, region, parts = "CA", last.upper(), parts[:-1]
    if parts:
        city = parts[0]
        if len(parts) > 1:
            candidate = parts[1]
            if country is None and candidate.upper() in _US_STATES:
                country, region = "US", candidate.upper()
            elif region is None:
                region = candidate
    return Location(text=raw, city=city, region=region, country=country, workplace=workplace)


@dataclass(frozen=True)
class Salary:
    """A pay range."""

    min: float | None
    max: float | None
    currency: str | None
    period: str | None


_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
_CUR = r"[$€£¥₹]|\b[A-Z]{3}\b"
_NUM = r"\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?"
_SALARY = re.compile(
    rf"(?P<cur1>{_CUR})?\s*(?P<a>{_NUM})\s*(?P<ak>[kKmM])?"
    rf"\s*(?:-|–|—|to)\s*"
    rf"(?P<cur2>{_CUR})?\s*(?P<b>{_NUM})\s*(?P<bk>[kKmM])?"
    rf"\s*(?P<cur3>\b[A-Z]{{3}}\b)?"
)
_PERIODS = [
    ("hour", re.compile(r"\b(per hour|an hour|/\s*h(ou)?r|hourly)\b", re.I)),
    ("month", re.compile(r"\b(per month|a month|/\s*mo(nth)?|monthly)\b", re.I)),
    ("year", re.compile(r"\b(per year|a year|/\s*y(ea)?r|annual(ly)?|per annum|p\.a\.)\b", re.I)),
]


def _amount(number: str, suffix: str | None) -> float:
    digits = re.sub(r"[,\s]", "", number)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
        digits = digits.replace(".", "")  # 85.000 is eighty-five thousand in much of Europe
    value = float(digits)
    if suffix and suffix.lower() == "k":
        value *= 1_000
    elif suffix and suffix.lower() == "m":
        value *= 1_000_000
    return value


def parse_salary(text: str) -> Salary | None:
    """A range such as "$120,000 – $150,000 per year", "€60k-75k", "45 - 55 USD/hour"."""
    match = _SALARY.search(text)
    if match is None:
        return None
    low = _amount(match["a"], match["ak"] or match["bk"])
    high = _amount(match["b"], match["bk"])
    if low > high:
        low, high = high, low
    symbol: str | None = match["cur1"] or match["cur2"] or match["cur3"]
    currency: str | None = _CURRENCY_SIGNS.get(symbol or "", symbol)
    if currency and not pycountry.currencies.get(alpha_3=currency):
        currency = None
    if currency is None and not (low >= 1000 or re.search(r"[kK]", match.group(0))):
        return None  # "2 - 3 years" is not pay
    period = next((name for name, pattern in _PERIODS if pattern.search(text)), None)
    if period is None:
        period = "hour" if high < 500 else "year"
    return Salary(min=low, max=high, currency=currency, period=period)


def sanitise_html(markup: str) -> str:
    """Description HTML that is safe to show: no scripts, no event handlers, no styles."""
    return nh3.clean(
        html.unescape(markup) if "&lt;" in markup and "<" not in markup else markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(markup: str) -> str:
    """Readable plain text of description HTML (paragraphs and list items on their own lines)."""
    cleaned = nh3.clean(markup, tags={"p", "br", "li", "h1", "h2", "h3", "h4", "div"})
    with_breaks = re.sub(r"<(br|/p|/li|/h\d|/div)\s*/?>", "\n", cleaned)
    with_bullets = re.sub(r"<li>", "• ", with_breaks)
    text = html.unescape(re.sub(r"<[^>]+>", "", with_bullets))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


_RELATIVE = re.compile(
    r"(?P<today>today|just now)|(?P<yesterday>yesterday)|"
    r"(?P<n>\d+)\s*\+?\s*(?P<unit>minute|hour|day|week|month|year)s?\s*ago",
    re.I,
)
_UNITS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}


def parse_relative_date(text: str, now: datetime) -> datetime | None:
    """The date meant by "Posted Today", "Posted Yesterday", "Posted 30+ Days Ago"."""
    match = _RELATIVE.search(text)
    if match is None:
        return None
    if match["today"]:
        return now
    if match["yesterday"]:
        return now - timedelta(days=1)
    return now - timedelta(days=int(match["n"]) * _UNITS[match["unit"].lower()])


_SENIORITY = [
    ("intern", re.compile(r"\b(intern|internship|trainee|werkstudent)\b", re.I)),
    ("executive", re.compile(r"\b(chief|c[etfo]o|vp|vice president)\b", re.I)),
    ("director", re.compile(r"\b(director|head of)\b", re.I)),
    ("principal", re.compile(r"\b(principal|distinguished)\b", re.I)),
    ("staff", re.compile(r"\bstaff\b", re.I)),
    ("lead", re.compile(r"\b(lead|tech lead)\b", re.I)),
    ("manager", re.compile(r"\bmanager\b", re.I)),
    ("senior", re.compile(r"\b(senior|sr\.?|iii|iv)\b", re.I)),
    ("junior", re.compile(r"\b(junior|jr\.?|entry[- ]level|graduate|new grad|associate)\b", re.I)),
    ("mid", re.compile(r"\b(mid[- ]level|ii)\b", re.I)),
]
_TITLE_NOISE = re.compile(r"\(.*?\)|\[.*?\]|\s[-–|]\s.*$")


def seniority_of(title: str) -> str | None:
    """The seniority a job title states, if any."""
    return next((level for level, pattern in _SENIORITY if pattern.search(title)), None)


def normalise_title(title: str) -> str:
    """A comparable form of a title: lowercase, no brackets or trailing location/team parts."""
    core = _TITLE_NOISE.sub("", title)
    core = re.sub(r"\b(sr)\.?\b", "senior", core, flags=re.I)
    core = re.sub(r"\b(jr)\.?\b", "junior", core, flags=re.I)
    core = re.sub(r"[^\w\s+#/&]", " ", core.lower())
    return " ".join(core.split())

"""Turning what an ATS says into JobPilot's normalised fields.

Pure functions, no ATS knowledge: adapters hand over raw strings (a location line, a salary
sentence, description HTML, "Posted 3 Days Ago") and get structured values back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import nh3
import pycountry

from jobpilot.jobs.ats.base import AtsPosting

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
_NOISE_WORDS = {"job", "jobs", "position", "role", "only", "first", "friendly", "optional", "based"}
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
    parts = [p for p in parts if p and p.lower() not in _REGION_WORDS | _NOISE_WORDS]
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
    # An ISO code after the range names the currency a "$" only hints at ("$95,000 CAD").
    symbol: str | None = match["cur3"] or match["cur1"] or match["cur2"]
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


_EMPLOYMENT = [
    ("internship", re.compile(r"\b(intern(ship)?|werkstudent|trainee|apprentice)", re.I)),
    ("temporary", re.compile(r"\b(temp(orary)?|seasonal|fixed[- _]?term)\b", re.I)),
    ("contract", re.compile(r"\b(contract(or)?|freelance|consultant)\b", re.I)),
    ("part_time", re.compile(r"\bpart[- _]?time\b", re.I)),
    ("full_time", re.compile(r"\b(full[- _]?time|permanent|regular|salaried)\b", re.I)),
]
EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "temporary", "internship")
SENIORITIES = tuple(level for level, _ in _SENIORITY)
WORKPLACES = ("remote", "hybrid", "onsite")
_YEARLY = {"year": 1.0, "month": 12.0, "week": 52.0, "day": 260.0, "hour": 2080.0}
_PAY_LINE = re.compile(r"salary|compensation|pay range|base pay|[$€£]\s?\d", re.I)


def employment_type_of(text: str | None) -> str | None:
    """One of EMPLOYMENT_TYPES for "Full-time", "FULL_TIME", "fulltime_permanent", "Contractor"…"""
    if not text:
        return None
    words = re.sub(r"[_\W]+", " ", text)
    words = re.sub(r"\b(full|part)time\b", r"\1 time", words, flags=re.I)
    return next((kind for kind, pattern in _EMPLOYMENT if pattern.search(words)), None)


_PERIOD_WORDS = [
    ("hour", re.compile(r"hour|hourly|\bhr\b", re.I)),
    ("day", re.compile(r"\bday|daily", re.I)),
    ("week", re.compile(r"week", re.I)),
    ("month", re.compile(r"month", re.I)),
    ("year", re.compile(r"year|annual|annum|salary", re.I)),
]


def period_of(text: str | None) -> str | None:
    """ "hour", "day", "week", "month" or "year" for "per-hour-wage", "1 YEAR", "MONTHLY"…"""
    if not text:
        return None
    return next((period for period, pattern in _PERIOD_WORDS if pattern.search(text)), None)


def yearly(amount: float | None, period: str | None) -> float | None:
    """`amount` per `period` as a yearly figure (a full-time year: 2,080 hours, 260 days)."""
    if amount is None:
        return None
    return amount * _YEARLY.get(period or "year", 1.0)


@dataclass(frozen=True)
class NormalisedPosting:
    """One posting in JobPilot's own terms, whatever ATS it came from."""

    ats: str
    tenant: str
    source_id: str
    company_name: str | None
    title: str
    title_normalised: str
    seniority: str | None
    department: str | None
    employment_type: str | None
    workplace: Workplace | None
    locations: tuple[Location, ...]
    salary: Salary | None
    description_html: str
    description_text: str
    url: str | None
    apply_url: str | None
    posted_at: datetime | None
    updated_at: datetime | None
    closed: bool
    # True when posted_at was worked out from text such as "Posted 3 Days Ago".
    posted_estimated: bool = False

    @property
    def location(self) -> Location | None:
        """The first location, if any."""
        return self.locations[0] if self.locations else None

    @property
    def countries(self) -> tuple[str, ...]:
        """Every country the posting names, in order, once each."""
        return tuple(dict.fromkeys(loc.country for loc in self.locations if loc.country))

    @property
    def salary_yearly_max(self) -> float | None:
        """The top of the pay range per year (the bottom when only that is given)."""
        if self.salary is None:
            return None
        return yearly(self.salary.max or self.salary.min, self.salary.period)


def _salary(posting: AtsPosting, text: str) -> Salary | None:
    if posting.salary_min is not None or posting.salary_max is not None:
        currency = (posting.salary_currency or "").upper() or None
        if currency and not pycountry.currencies.get(alpha_3=currency):
            currency = None
        low, high = posting.salary_min, posting.salary_max
        if low is not None and high is not None and low > high:
            low, high = high, low
        period = period_of(posting.salary_period)
        if period is None:
            period = "hour" if (high or low or 0) < 500 else "year"
        return Salary(min=low, max=high, currency=currency, period=period)
    if posting.salary_text:
        parsed = parse_salary(posting.salary_text)
        if parsed is not None:
            return parsed
    for line in text.splitlines():
        if _PAY_LINE.search(line):
            parsed = parse_salary(line)
            if parsed is not None and parsed.currency is not None:
                return parsed
    return None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_posting(posting: AtsPosting, now: datetime) -> NormalisedPosting:
    """JobPilot's posting for what an adapter read; raises ValueError when it has no title."""
    title = " ".join((posting.title or "").split())
    if not title:
        msg = "the posting has no title"
        raise ValueError(msg)
    if not posting.source_id:
        msg = "the posting has no id"
        raise ValueError(msg)
    description_html = sanitise_html(posting.description_html or "")
    description_text = html_to_text(description_html)
    locations = tuple(parse_location(text) for text in posting.locations if text and text.strip())
    workplace = (
        posting.workplace
        if posting.workplace in WORKPLACES
        else next((loc.workplace for loc in locations if loc.workplace), None)
        or workplace_of(title)
    )
    posted_at = _utc(posting.posted_at)
    estimated = False
    if posted_at is None and posting.posted_text:
        posted_at = parse_relative_date(posting.posted_text, now)
        estimated = posted_at is not None
    if posted_at is not None and posted_at > now:
        posted_at = now
    return NormalisedPosting(
        ats=posting.ats,
        tenant=posting.tenant,
        source_id=posting.source_id,
        company_name=(posting.company_name or "").strip() or None,
        title=title[:300],
        title_normalised=normalise_title(title)[:300] or title.lower()[:300],
        seniority=seniority_of(title),
        department=(posting.department or "").strip()[:200] or None,
        employment_type=employment_type_of(posting.employment_type),
        workplace=workplace,
        locations=locations,
        salary=_salary(posting, description_text),
        description_html=description_html,
        description_text=description_text,
        url=posting.url,
        apply_url=posting.apply_url or posting.url,
        posted_at=posted_at,
        updated_at=_utc(posting.updated_at),
        closed=posting.closed,
        posted_estimated=estimated,
    )

# ruff: noqa: RUF001, RUF002 - resumes write dashes, bullets and accents as such
"""Fields out of a resume's sections: contact details, jobs, schooling, skills and the rest.

Every finder returns values together with a confidence in 0..1 that says how the value was
found: a regular expression on a well-formed value (an e-mail address) scores high, a guess
from position or wording scores lower.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from jobpilot.resumes.parsing.extract import Line, Segment
from jobpilot.resumes.parsing.sections import known_heading

# --- dates ---------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january janv janvier enero ene januar jänner janeiro gennaio",
        "feb february fevr fev février fevrier febrero februar fevereiro febbraio",
        "mar march mars marzo märz marz março marco",
        "apr april avr avril abril aprile",
        "may mai mayo maio maggio",
        "jun june juin junio juni junho giugno",
        "jul july juil juillet julio juli julho luglio",
        "aug august août aout agosto ago",
        "sep sept september septembre septiembre setiembre set setembro settembre",
        "oct october octobre octubre oktober outubro ottobre okt",
        "nov november novembre noviembre novembro",
        "dec december décembre decembre diciembre dic dezember dez dezembro dicembre",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_SEASONS = {
    "spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12,
    "primavera": 3, "verano": 6, "otoño": 9, "invierno": 12,
    "printemps": 3, "été": 6, "automne": 9, "hiver": 12,
    "frühling": 3, "sommer": 6, "herbst": 9,
}  # fmt: skip
_PRESENT = (
    r"present|current(?:ly)?|now|today|ongoing|to date|date|actual|actualidad|presente|"
    r"aujourd'hui|heute|aktuell|atual|atualmente|oggi|hoy"
)
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_SEASON_RE = "|".join(_SEASONS)
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_DATE = (
    rf"(?:(?:{_MONTH_RE})\.?,?\s*(?:\d{{1,2}},?\s+)?'?{_YEAR}"
    rf"|(?:{_SEASON_RE})\s+{_YEAR}"
    rf"|{_YEAR}[-/.](?:0?[1-9]|1[0-2])(?:[-/.](?:0?[1-9]|[12]\d|3[01]))?"
    rf"|(?:0?[1-9]|1[0-2])[/.-]{_YEAR}"
    rf"|(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|1[0-2])[/.]{_YEAR}"
    rf"|{_YEAR})"
)
_DASH = r"\s*(?:[-–—‒―~]+|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b|\bbis\b|\ba\b|\bà\b|\bal\b|\bhasta\b|\bau\b)\s*"  # noqa: E501
_RANGE = re.compile(
    rf"(?<![\w/.-])(?P<start>{_DATE})(?:{_DASH}(?P<end>{_DATE}|{_PRESENT})\b|(?P<open>{_DASH}$))?"
    rf"(?![\w/]|-\d)",
    re.IGNORECASE,
)
_PRESENT_ONLY = re.compile(rf"^\s*(?:{_PRESENT})\s*$", re.IGNORECASE)
_EXPECTED = re.compile(r"\b(expected|anticipated|graduat\w*|est\.?)\b[:\s]*", re.IGNORECASE)
_DURATION = re.compile(
    r"^\(?\d+\s+(years?|yrs?|months?|mos?)(\s+\d+\s+(months?|mos?))?\)?$", re.IGNORECASE
)
_MONTH_WORD = re.compile(rf"^(?:{_MONTH_RE})\.?$", re.IGNORECASE)
_SEASONISH = re.compile(rf"\b(?:{_SEASON_RE})\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateRange:
    """A start and end found in text; `present` when the end is "Present"/"Current"."""

    start: str | None
    end: str | None
    present: bool
    span: tuple[int, int]


def parse_date(text: str) -> str | None:
    """One date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None when not understood.

    Understands "Jan 2020", "January 2020", "Sept. 2018", "2019-03", "2019/03", "03/2019",
    "15/03/2019", "2019", "Summer 2019" (the season's first month) and month names in a few
    languages.
    """
    raw = text.strip().strip("()[],.").strip()
    if not raw:
        return None
    low = raw.lower()
    m = re.fullmatch(rf"({_MONTH_RE})\.?,?\s*(?:(\d{{1,2}}),?\s+)?'?({_YEAR})", low)
    if m:
        month = _MONTHS[m.group(1)]
        if m.group(2) and 1 <= int(m.group(2)) <= 31:
            return f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}"
        return f"{m.group(3)}-{month:02d}"
    m = re.fullmatch(rf"({_SEASON_RE})\s+({_YEAR})", low)
    if m:
        return f"{m.group(2)}-{_SEASONS[m.group(1)]:02d}"
    m = re.fullmatch(rf"({_YEAR})[-/.](\d{{1,2}})(?:[-/.](\d{{1,2}}))?", low)
    if m and 1 <= int(m.group(2)) <= 12:
        if m.group(3) and 1 <= int(m.group(3)) <= 31:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    m = re.fullmatch(rf"(\d{{1,2}})[/.-]({_YEAR})", low)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    m = re.fullmatch(rf"(\d{{1,2}})[/.](\d{{1,2}})[/.]({_YEAR})", low)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        if first > 12 and second <= 12:
            return f"{m.group(3)}-{second:02d}-{first:02d}"
        if first <= 12 and second <= 31:
            return f"{m.group(3)}-{first:02d}-{second:02d}"
    if re.fullmatch(_YEAR, low):
        return low
    return None


def is_present(text: str) -> bool:
    """Whether `text` means "until now" ("Present", "Current", "heute"…)."""
    return bool(_PRESENT_ONLY.match(text))


def find_date_range(text: str) -> DateRange | None:
    """The first date or date range in `text` ("Jan 2020 – Present", "2019 - 2021", "May 2016")."""
    for m in _RANGE.finditer(text):
        start = parse_date(m.group("start"))
        if start is None:
            continue
        end_raw = m.group("end")
        present = bool(end_raw and is_present(end_raw))
        end = parse_date(end_raw) if end_raw and not present else None
        if end is not None and end < start:
            continue
        return DateRange(start, end, present, m.span())
    return None


def doubtful_dates(text: str) -> str | None:
    """A date-like phrase the date parser did not understand ("Spring-ish 2020"), if any."""
    pattern = rf"(?<![\w'-])[\w'-]*(?:{_SEASON_RE}|{_MONTH_RE})[\w'-]*\.?\s+{_YEAR}\b"
    for m in re.finditer(pattern, text, re.IGNORECASE):
        phrase = m.group(0)
        if parse_date(phrase) is None and not re.match(rf"(?:{_DASH})", phrase, re.I):
            return phrase
    return None


# --- small helpers -------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w/.+])(?:(?:\+|00)\d{1,3}[\s.-]*)?(?:\(\d{1,4}\)[\s.-]*)?\d{2,5}(?:[\s.-]\d{2,8}){1,4}"
    r"(?![\w/])"
)
URL = re.compile(
    r"(?:https?://|www\.)[^\s,;|<>()]+|\b(?:[a-z0-9-]+\.)+(?:com|io|dev|me|org|net|app|ai|co|"
    r"edu|info|tech|page|site|xyz|us|uk|de|fr|es|ca|in)(?:/[^\s,;|<>()]*)?",
    re.IGNORECASE,
)
_SOCIAL = {
    "linkedin.com": "LinkedIn",
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "stackoverflow.com": "StackOverflow",
    "twitter.com": "Twitter",
    "x.com": "X",
    "behance.net": "Behance",
    "dribbble.com": "Dribbble",
    "medium.com": "Medium",
    "kaggle.com": "Kaggle",
}
_STATES = frozenset(
    re.findall(
        r"[A-Z]+",
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC ON QC BC AB MB NS NB "
        "NL PE SK NSW VIC QLD",
    )
)
_COUNTRIES = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
    "uk": "GB", "u.k.": "GB", "united kingdom": "GB", "england": "GB", "scotland": "GB",
    "canada": "CA", "india": "IN", "germany": "DE", "deutschland": "DE", "france": "FR",
    "spain": "ES", "españa": "ES", "italy": "IT", "italia": "IT", "netherlands": "NL",
    "australia": "AU", "ireland": "IE", "türkiye": "TR", "turkey": "TR", "brazil": "BR",
    "brasil": "BR", "mexico": "MX", "méxico": "MX", "japan": "JP", "china": "CN",
    "singapore": "SG", "switzerland": "CH", "sweden": "SE", "norway": "NO", "denmark": "DK",
    "poland": "PL", "portugal": "PT", "austria": "AT", "belgium": "BE", "israel": "IL",
    "argentina": "AR", "chile": "CL", "colombia": "CO", "nigeria": "NG", "kenya": "KE",
    "south africa": "ZA", "new zealand": "NZ", "pakistan": "PK", "philippines": "PH",
    "ukraine": "UA", "romania": "RO", "greece": "GR", "finland": "FI", "egypt": "EG",
}  # fmt: skip
_REMOTE = re.compile(r"^(remote|hybrid|on-?site|worldwide|anywhere)$", re.IGNORECASE)
_TITLE_WORDS = re.compile(
    r"\b(engineer\w*|developer|programmer|architect|manager|director|head|lead|intern\w*|"
    r"assistant|associate|analyst|consultant|accountant|technician|designer|scientist|"
    r"researcher|officer|coordinator|specialist|president|vice|vp|ceo|cto|cfo|coo|founder|"
    r"co-founder|cofounder|owner|partner|member|volunteer|coach|teacher|tutor|instructor|"
    r"professor|lecturer|administrator|admin|representative|clerk|nurse|editor|writer|"
    r"advisor|adviser|supervisor|executive|agent|trainee|apprentice|fellow|chair\w*|"
    r"secretary|treasurer|recruiter|strategist|operator|auditor|controller|cpa|"
    r"bookkeeper|cashier|receptionist|planner|buyer|marketer|sales\w*|support|staff|"
    r"principal|senior|junior|sr\.?|jr\.?|student|mentor|captain|organizer|"
    r"desarrollador|ingeniero|gerente|entwickler|ingenieur|leiter|stagiaire|ingénieur)\b",
    re.IGNORECASE,
)
_ORG_WORDS = re.compile(
    r"\b(inc|llc|ltd|limited|corp|corporation|company|co|gmbh|ag|sa|plc|group|solutions|"
    r"technologies|technology|tech|labs?|systems|software|services|consulting|bank|"
    r"university|college|institute|school|academy|agency|studio|partners|associates|"
    r"foundation|organization|organisation|society|council|hospital|clinic|research|"
    r"financial|capital|management|ventures|media|network|enterprises|industries|"
    r"ai|health|healthcare|government|department|ministry)\b\.?",
    re.IGNORECASE,
)
_STRONG_ORG = re.compile(
    r"\b(inc|llc|ltd|limited|corp|corporation|company|gmbh|plc|university|college|"
    r"institute|bank|hospital|foundation)\b",
    re.IGNORECASE,
)
_SCHOOL = re.compile(
    r"\b(university|universit[yéàä]\w*|universidad|universidade|college|institute|"
    r"instituto|institut|school|academy|academie|akademie|polytechnic|politecnico|"
    r"hochschule|fachhochschule|école|ecole|conservatory|seminary|iit|mit)\b",
    re.IGNORECASE,
)
_DEGREE = re.compile(
    r"^(?P<type>(?:bachelor|master|doctor|associate)(?:'?s)?(?:\s+of\s+[a-z]+(?:\s+in\s+"
    r"business\s+administration|\s+administration)?)?|"
    r"ph\.?\s?d\.?|d\.?phil\.?|m\.?\s?sc?\.?|b\.?\s?sc?\.?|b\.?\s?a\.?|m\.?\s?a\.?|"
    r"b\.?\s?tech\.?|m\.?\s?tech\.?|b\.?\s?eng?\.?|m\.?\s?eng?\.?|b\.?\s?b\.?\s?a\.?|"
    r"m\.?\s?b\.?\s?a\.?|mba|bba|j\.?d\.?|m\.?d\.?|ll\.?[bm]\.?|a\.?a\.?s?\.?|a\.?s\.?|"
    r"m\.?f\.?a\.?|b\.?f\.?a\.?|m\.?p\.?h\.?|ed\.?d\.?|b\.?com|m\.?com|high school diploma|"
    r"diploma|certificate|licenciatura|grado|máster|master|maestría|doctorado|abitur|"
    r"diplom|licence|baccalauréat)(?![\w])",
    re.IGNORECASE,
)
_GPA = re.compile(
    r"(?:(?:gpa|cgpa|grade|grades|score|average)\s*[:\-]?\s*(?P<a>\d(?:[.,]\d{1,2})?"
    r"(?:\s*/\s*\d+(?:[.,]\d+)?)?))|(?P<b>\d[.,]\d{1,2}(?:\s*/\s*\d+(?:[.,]\d+)?)?)\s*(?:c?gpa)\b",
    re.IGNORECASE,
)
_LEVELS = re.compile(
    r"^(beginner|elementary|basic|novice|intermediate|advanced|expert|master|proficient|"
    r"fluent|native|native speaker|mother tongue|bilingual|conversational|professional|"
    r"limited working|full professional|working proficiency|upper intermediate|"
    r"pre-intermediate|a1|a2|b1|b2|c1|c2)(\s*\(?[abc][12]\)?)?$",
    re.IGNORECASE,
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,;|·•–—-:\t")


def _tidy_commas(text: str) -> str:
    return re.sub(r"\s+,", ",", text)


def _split_parts(text: str) -> list[str]:
    """Split a header line at separators that never occur inside names."""
    text = _tidy_commas(text)
    parts = re.split(r"\s+[|•·◦▪]\s+|\s*\|\s*|\s+[–—]\s+|\s+-\s+|\s{2,}|\t", text)
    return [p for p in (_squash(p) for p in parts) if p]


def _is_location(text: str) -> bool:
    t = text.strip()
    if _REMOTE.match(t):
        return True
    pieces = [p.strip() for p in t.split(",")]
    if len(pieces) < 2 or len(pieces) > 4:
        return t.lower() in _COUNTRIES
    last = pieces[-1]
    last_word = re.sub(r"\s*\d{4,6}(-\d{4})?$", "", last)
    if last_word in _STATES or last_word.lower() in _COUNTRIES:
        return all(_looks_place(p) for p in pieces[:-1])
    return False


def _looks_place(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _social_network(url: str) -> tuple[str, str | None] | None:
    m = re.search(r"(?:https?://)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})(/[^\s?#]*)?", url, re.I)
    if not m:
        return None
    host = m.group(1).lower()
    network = _SOCIAL.get(host)
    if network is None:
        return None
    path = [p for p in (m.group(2) or "").split("/") if p]
    if path and path[0] in {"in", "u", "users", "pub", "company"}:
        path = path[1:]
    username = path[0] if path else None
    return network, username


# --- results -------------------------------------------------------------------------------


@dataclass
class Found:
    """Values found for one part of the resume, with per-path confidence and warnings."""

    data: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def section(self, key: str, items: list[Any], confidence: float) -> Found:
        """Set section `key` to `items`, trusted at `confidence` when there are any."""
        self.data = {key: items}
        if items:
            self.confidence[key] = confidence
        return self


# --- contact details -----------------------------------------------------------------------


def find_basics(
    header: list[Line], everything: list[Line], links: list[str], name_hint: str | None
) -> Found:
    """Name, label, e-mail, phone, website, location and profiles.

    `header` holds the lines before the first heading (plus any contact section); `everything`
    is the whole document, searched when the header lacks a value; `name_hint` is the text of the
    largest line on the first page.
    """
    found = Found()
    basics: dict[str, Any] = {}
    conf = found.confidence
    header_text = "\n".join(line.text for line in header)
    all_text = "\n".join(line.text for line in everything)

    def put(key: str, value: Any, score: float) -> None:
        if value and key not in basics:
            basics[key] = value
            conf[f"basics.{key}"] = score

    name, name_conf = _find_name(header, name_hint)
    put("name", name, name_conf)
    for where, score in ((header_text, 0.95), (all_text, 0.85)):
        m = EMAIL.search(where)
        put("email", m.group(0).rstrip(".") if m else None, score)
    mails = [x[7:].split("?")[0] for x in links if x.lower().startswith("mailto:")]
    put("email", next((m for m in mails if EMAIL.fullmatch(m)), None), 0.9)
    put("phone", _find_phone(header_text), 0.85)
    put("phone", _find_phone(all_text), 0.6)
    put("phone", next((x[4:].strip() for x in links if x.lower().startswith("tel:")), None), 0.7)
    profiles, website = _find_links(EMAIL.sub(" ", header_text), EMAIL.sub(" ", all_text), links)
    put("profiles", profiles, 0.85)
    put("url", website, 0.75)
    put("location", _find_location(header, name), 0.7)
    label = _find_label(header, name)
    if label and len(label.split()) > 8:
        put("summary", label, 0.5)
    else:
        put("label", label, 0.55)
    found.data = basics
    return found


def _find_name(header: list[Line], hint: str | None) -> tuple[str | None, float]:
    if hint and _looks_name(hint):
        return _squash(hint), 0.9
    for line in header[:6]:
        for part in line.parts:
            candidate = _squash(
                re.sub(r"^(curriculum vitae|resume|résumé|cv)\b", "", part, flags=re.I)
            )
            if _looks_name(candidate):
                return candidate, 0.7
    return None, 0.0


def _looks_name(text: str) -> bool:
    text = text.strip()
    if not text or EMAIL.search(text) or URL.search(text) or re.search(r"\d", text):
        return False
    words = text.split()
    if not 1 < len(words) <= 5 or len(text) > 60:
        return False
    if known_heading(text) or _is_location(text) or _TITLE_WORDS.search(text):
        return False
    return all(
        w[:1].isupper()
        or w[:1] in "'("
        or w.lower() in {"de", "van", "von", "da", "del", "la", "le", "di"}
        for w in words
    )


def _find_phone(text: str) -> str | None:
    for m in _PHONE.finditer(text):
        raw = m.group(0).strip()
        digits = re.sub(r"\D", "", raw)
        if not 7 <= len(digits) <= 15:
            continue
        if find_date_range(raw) is not None and len(digits) <= 8:
            continue
        if re.fullmatch(r"\d{4}\s*[-–]\s*\d{4}", raw):
            continue
        if len(digits) < 10 and not re.search(r"[\s().-]", raw):
            continue
        return _squash(raw) if raw.startswith("(") is False else raw
    return None


def _find_links(
    header_text: str, all_text: str, links: list[str]
) -> tuple[list[dict[str, Any]], str | None]:
    profiles: dict[str, dict[str, Any]] = {}
    candidates = [*links, *(m.group(0) for m in URL.finditer(all_text))]
    for raw in candidates:
        url = raw.rstrip(".,;)")
        if url.lower().startswith(("mailto:", "tel:")) or EMAIL.fullmatch(url):
            continue
        social = _social_network(url)
        if social is None or social[1] is None:
            continue
        network, username = social
        if network in profiles:
            continue
        full = url if url.lower().startswith("http") else f"https://{url}"
        profiles[network] = {"network": network, "username": username, "url": full}
    website = None
    for raw in [m.group(0) for m in URL.finditer(header_text)] + links:
        url = raw.rstrip(".,;)")
        low = url.lower()
        if low.startswith(("mailto:", "tel:")) or _social_network(url) or "@" in url:
            continue
        host = re.sub(r"^(https?://)?(www\.)?", "", low).split("/")[0]
        if raw in links and host not in header_text.lower():
            continue
        website = url if low.startswith("http") else f"https://{url}"
        break
    return list(profiles.values()), website


def _find_location(header: list[Line], name: str | None) -> dict[str, Any] | None:
    for line in header[:12]:
        for part in _split_parts(line.text):
            text = part.strip()
            if name and text == name:
                continue
            for piece in _location_candidates(text):
                location = _location_of(piece)
                if location:
                    return location
    return None


_CITY_REGION = re.compile(
    r"(?:\d+ [\w. ]+, )?[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,2},\s*[A-Z]{2}(?:\s+\d{5})?"
    r"(?:,\s*[A-Z][A-Za-z.]+)?\b"
)


def _location_candidates(text: str) -> Iterable[str]:
    yield text
    pieces = [p.strip() for p in text.split(",")]
    for size in (3, 2):
        if len(pieces) > size:
            yield ", ".join(pieces[-size:])
    for m in _CITY_REGION.finditer(text):
        yield m.group(0)


def _location_of(text: str) -> dict[str, Any] | None:
    if EMAIL.search(text) or URL.search(text):
        return None
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    if len(pieces) < 2:
        return None
    location: dict[str, Any] = {}
    if re.match(r"^\d+\s+\w", pieces[0]) and len(pieces) >= 3:
        location["address"] = pieces.pop(0)
    last = pieces[-1]
    country = _COUNTRIES.get(last.lower())
    if country:
        location["countryCode"] = country
        pieces = pieces[:-1]
        if not pieces:
            return None
        last = pieces[-1]
    m = re.fullmatch(r"([A-Z]{2,3})(?:\s+(\d{4,6}(?:-\d{4})?))?", last)
    if m and m.group(1) in _STATES and len(pieces) >= 2:
        location["region"] = m.group(1)
        if m.group(2):
            location["postalCode"] = m.group(2)
        pieces = pieces[:-1]
    elif not country:
        return None
    if len(pieces) != 1 or not _looks_place(pieces[0]):
        return None
    location["city"] = pieces[0]
    return location


def _find_label(header: list[Line], name: str | None) -> str | None:
    if not name:
        return None
    for i, line in enumerate(header):
        if name in line.text:
            for following in header[i + 1 : i + 3]:
                text = following.parts[0].strip()
                if (
                    EMAIL.search(text)
                    or URL.search(text)
                    or _find_phone(text)
                    or _is_location(text)
                    or _location_of(text)
                    or re.search(r"\d{3}", text)
                ):
                    continue
                if 1 <= len(text.split()) <= 20 and text[:1].isupper():
                    return text
            return None
    return None


# --- entries (jobs, schooling, projects, volunteering) -------------------------------------


@dataclass
class _Entry:
    head: list[str] = field(default_factory=list)
    asides: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    dates: DateRange | None = None
    date_text: str = ""
    date_context: str = ""


def _is_wrapped(prev: Line, line: Line, right: float) -> bool:
    """Whether `line` continues `prev` (a wrapped bullet or sentence)."""
    if line.bullet or not prev.text or prev.x1 <= 0:
        return False
    if prev.text.endswith("-") and not prev.text.endswith(" -"):
        return True
    starts_low = line.text[:1].islower() or line.text[:1] in "(&"
    if prev.bullet:
        return (
            line.x0 > prev.x0 - 1.0
            and (starts_low or prev.x1 >= right * 0.8)
            and (find_date_range(line.text) is None or starts_low)
        )
    return False


def _join(prev: str, nxt: str) -> str:
    if prev.endswith("-") and not prev.endswith(" -") and nxt[:1].islower():
        return prev[:-1] + nxt
    return f"{prev} {nxt}"


def _merge_wrapped(lines: list[Line]) -> list[Line]:
    """Join wrapped continuation lines onto their bullet; join dangling date ranges."""
    if not lines:
        return []
    right = max(line.x1 for line in lines)
    out: list[Line] = []
    for line in lines:
        if out:
            prev = out[-1]
            if (is_present(line.text) or parse_date(line.text)) and re.search(
                r"\d{4}\s*[-–—]\s*(?:\S.*)?$", prev.parts[0]
            ):
                out[-1] = _with_text(
                    prev, re.sub(r"([-–—])", rf"\1 {line.text} ", prev.text, count=1)
                )
                continue
            if _is_wrapped(prev, line, right):
                out[-1] = _joined_lines(prev, line)
                continue
        out.append(line)
    return out


def _joined_lines(prev: Line, line: Line) -> Line:
    first = prev.segments[0] if prev.segments else Segment(prev.text, prev.x0, prev.x1)
    nxt = line.segments[0] if line.segments else Segment(line.text, line.x0, line.x1)
    joined = Segment(_join(first.text, nxt.text), first.x0, max(first.x1, nxt.x1), first.size)
    segments = (joined, *prev.segments[1:], *line.segments[1:])
    return replace(prev, text=" ".join(s.text for s in segments), segments=segments)


def _with_text(line: Line, text: str) -> Line:
    text = re.sub(r"\s+", " ", text).strip()
    return replace(line, text=text, segments=(Segment(text, line.x0, line.x1),))


def _content_x(line: Line) -> float:
    """Where a line's text starts, skipping a leading date column ("Jan 2019 - Present")."""
    segments = line.segments
    if len(segments) > 1 and _is_pure_date(segments[0].text):
        return segments[1].x0
    return line.x0


def _is_pure_date(text: str) -> bool:
    dates = find_date_range(text)
    return dates is not None and not _squash(text[: dates.span[0]] + text[dates.span[1] :])


def _entries(lines: list[Line]) -> list[_Entry]:
    """Group a section's lines into entries: head lines, then details and bullets."""
    lines = _merge_wrapped(lines)
    if not lines:
        return []
    plain = [line for line in lines if not line.bullet] or lines
    base = min(_content_x(line) for line in plain)
    entries: list[_Entry] = []
    current = _Entry()

    def flush() -> None:
        nonlocal current
        if current.head or current.bullets or current.details:
            entries.append(current)
        current = _Entry()

    for line in lines:
        main = [p for p in line.parts if not _DURATION.match(p)]
        asides = [p for p in main[1:] if find_date_range(p) or _is_location(p)]
        main = [p for p in main if p not in asides]
        text = "  ".join(main).strip()
        if not text:
            _add_asides(current, asides)
            continue
        indented = _content_x(line) > base + 8.0 and not line.style
        if line.bullet or (indented and find_date_range(text) is None):
            if line.bullet:
                current.bullets.append(_squash(text))
            elif _is_wrapped_detail(current, line):
                current.details[-1] = _join(current.details[-1], _squash(text))
            else:
                current.details.append(_squash(text))
            _add_asides(current, asides)
            continue
        dates = find_date_range(text)
        if current.bullets or current.details or (dates is not None and current.dates):
            flush()
        current.head.append(text)
        if dates is not None and current.dates is None:
            current.dates = dates
            current.date_text = text[dates.span[0] : dates.span[1]]
            current.date_context = text
        _add_asides(current, asides)
    flush()
    return [e for e in entries if e.head or e.bullets]


def _is_wrapped_detail(entry: _Entry, line: Line) -> bool:
    return bool(entry.details) and (
        line.text[:1].islower() or not entry.details[-1].rstrip().endswith((".", "!", "?", ":"))
    )


def _add_asides(entry: _Entry, asides: list[str]) -> None:
    for aside in asides:
        dates = find_date_range(aside)
        if dates is not None and entry.dates is None:
            entry.dates = dates
            entry.date_text = aside[dates.span[0] : dates.span[1]]
            entry.date_context = aside
        elif dates is None:
            entry.asides.append(aside)


def _head_parts(entry: _Entry) -> list[str]:
    """The head's pieces without dates: "Google, Mountain View, CA" → parts and a location."""
    parts: list[str] = []
    for line in entry.head:
        text = line
        if entry.dates is not None and line == entry.date_context:
            start, end = entry.dates.span
            text = f"{line[:start]} | {line[end:]}"
        if find_date_range(text) is None:
            text = _EXPECTED.sub(" ", text)
        parts.extend(_split_parts(re.sub(r"\(\s*\)", "", text)))
    return [p for p in parts if p and not _DURATION.match(p) and not URL.fullmatch(p)]


def _comma_split(part: str) -> tuple[list[str], str | None]:
    """Split "Title, Company, City, ST" into named pieces and a location."""
    pieces = [p.strip() for p in _split_outside_parens(part, ",") if p.strip()]
    location: str | None = None
    for i, piece in enumerate(pieces):
        bare = re.sub(r"\s*\d{4,6}$", "", piece)
        if bare in _STATES or bare.lower() in _COUNTRIES:
            start = i - 1 if i > 0 and _looks_place(pieces[i - 1]) else i
            end = i + 1
            while end < len(pieces) and pieces[end].lower() in _COUNTRIES:
                end += 1
            location = ", ".join(pieces[start:end])
            pieces = pieces[:start] + pieces[end:]
            break
    merged: list[str] = []
    for piece in pieces:
        if merged and re.fullmatch(r"(inc|llc|ltd|corp|co|gmbh|plc|s\.?a)\.?", piece, re.I):
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    plain = not any(_title_score(p) > 0 or _DEGREE.match(p) for p in merged)
    if location is None and len(merged) > 1 and plain:
        return [", ".join(merged)], None
    return merged, location


def _split_outside_parens(text: str, sep: str) -> list[str]:
    out: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}" and depth > 0
        if ch == sep and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def _title_score(text: str) -> int:
    score = len(_TITLE_WORDS.findall(text)) * 2
    score -= len(_STRONG_ORG.findall(text)) * 3
    score -= len(_ORG_WORDS.findall(text))
    return score


@dataclass
class _Head:
    org: str | None = None
    role: str | None = None
    location: str | None = None
    rest: list[str] = field(default_factory=list)
    org_conf: float = 0.0
    role_conf: float = 0.0


def _split_head(entry: _Entry) -> _Head:
    head = _Head()
    pieces: list[str] = []
    for part in _head_parts(entry) + entry.asides:
        if "," not in part and _is_location(part) and head.location is None:
            head.location = part
            continue
        split, location = _comma_split(part) if "," in part else ([part], None)
        if location and head.location is None:
            head.location = location
        pieces.extend(p for p in split if not _REMOTE.match(p))
    pieces = [p for p in pieces if p and not re.fullmatch(r"[\W\d]+", p)]
    if not pieces:
        return head
    scores = [_title_score(p) for p in pieces]
    best = max(range(len(pieces)), key=lambda i: (scores[i], -i))
    if scores[best] > 0:
        head.role = pieces[best]
        head.role_conf = 0.75
        others = [p for i, p in enumerate(pieces) if i != best]
        if others:
            head.org = others[0]
            head.org_conf = 0.7
            head.rest = others[1:]
    else:
        head.org = pieces[0]
        head.org_conf = 0.55
        if len(pieces) > 1:
            head.role = pieces[1]
            head.role_conf = 0.45
            head.rest = pieces[2:]
    return head


def _note_dates(
    found: Found, entry: _Entry, path: str, text_for_warning: str, single_is_end: bool = False
) -> dict[str, str]:
    out: dict[str, str] = {}
    dates = entry.dates
    doubtful = doubtful_dates(entry.date_context if dates is not None else text_for_warning)
    if doubtful and (dates is None or entry.date_text in doubtful):
        found.warnings.append(f"dates not understood: {doubtful!r}")
        return out
    if dates is not None:
        single = dates.end is None and not dates.present and not _has_dash(entry.date_text)
        if single and (single_is_end or _EXPECTED.search(entry.date_context)):
            if dates.start:
                out["endDate"] = dates.start
                found.confidence[f"{path}.endDate"] = 0.7
            return out
        if dates.start:
            out["startDate"] = dates.start
            found.confidence[f"{path}.startDate"] = 0.85 if not single else 0.6
        if dates.end:
            out["endDate"] = dates.end
            found.confidence[f"{path}.endDate"] = 0.85
        elif dates.present:
            found.confidence[f"{path}.endDate"] = 0.85
    return out


def _has_dash(text: str) -> bool:
    return bool(re.search(r"[-–—]|\bto\b", text))


def find_work(lines: list[Line], key: str = "work") -> Found:
    """Jobs (or volunteering when `key` is "volunteer") with company, title, place and dates."""
    found = Found()
    items: list[dict[str, Any]] = []
    org_field = "organization" if key == "volunteer" else "name"
    for entry in _entries(lines):
        head = _split_head(entry)
        path = f"{key}[{len(items)}]"
        item: dict[str, Any] = {}
        if head.org:
            item[org_field] = head.org
            found.confidence[f"{path}.{org_field}"] = head.org_conf
        if head.role:
            item["position"] = head.role
            found.confidence[f"{path}.position"] = head.role_conf
        if head.location and key == "work":
            item["location"] = head.location
            found.confidence[f"{path}.location"] = 0.7
        item.update(_note_dates(found, entry, path, " ".join(entry.head)))
        summary = " ".join([*head.rest, *entry.details]).strip()
        if summary and (entry.details or head.rest):
            item["summary"] = summary[:5000]
        if entry.bullets:
            item["highlights"] = [b[:2000] for b in entry.bullets[:100]]
        if not (head.org or head.role) and not entry.dates:
            if items and entry.bullets:
                items[-1].setdefault("highlights", []).extend(entry.bullets)
            continue
        items.append(item)
    found.data = {key: items}
    return found


def _degree_of(text: str) -> tuple[str, str | None] | None:
    """ "Bachelor of Science in Computer Science" → ("Bachelor of Science", "Computer Science")."""
    text = text.strip()
    m = _DEGREE.match(text)
    if not m:
        return None
    study = m.group("type").strip()
    rest = text[m.end() :].strip()
    rest = re.sub(
        r"^(?:degree\s+)?(?:in|of|en|em|in the field of|,|-|–|:)\s+", "", rest, flags=re.I
    )
    rest = rest.strip(" ,-–")
    rest = re.sub(
        r"\s*[-–]?\s*\d(?:[.,]\d+)?\s*(?:/\s*\d+(?:[.,]\d+)?)?\s*c?gpa.*$", "", rest, flags=re.I
    )
    return study, (rest or None)


def _education_parts(entry: _Entry) -> list[str]:
    parts: list[str] = []
    for raw in _head_parts(entry):
        part = _GPA.sub("", raw).strip(" ,-–")
        part = re.sub(r"^(overall|cumulative)\s*$", "", part, flags=re.I)
        if "," not in part:
            parts.extend([part] if part else [])
            continue
        split, location = _comma_split(part)
        if location is None:
            split = [p.strip() for p in _split_outside_parens(part, ",") if p.strip()]
        parts.extend(split)
    return parts


def _school_and_degree(parts: list[str], item: dict[str, Any], conf: dict[str, float]) -> None:
    for part in parts:
        if "institution" not in item and _SCHOOL.search(part) and not _DEGREE.match(part):
            item["institution"] = _squash(part)
            conf["institution"] = 0.85
        elif "studyType" not in item and (degree := _degree_of(part)):
            item["studyType"] = degree[0]
            conf["studyType"] = 0.8
            if degree[1]:
                area = degree[1]
                if _SCHOOL.search(area) and "institution" not in item:
                    area, _, school = area.partition(",")
                    item["institution"] = school.strip()
                item["area"] = area.strip()
                conf["area"] = 0.7
    leftovers = [
        p
        for p in parts
        if p != item.get("institution")
        and not _degree_of(p)
        and not _is_location(p)
        and not (_looks_place(p) and len(p.split()) == 1)
    ]
    if leftovers and "institution" not in item:
        item["institution"] = leftovers[0]
        conf["institution"] = 0.5
    elif leftovers and "area" not in item:
        item["area"] = leftovers[0]
        conf["area"] = 0.5 if "studyType" in item else 0.4
    if "institution" in item and item.get("area") == item["institution"]:
        item.pop("area")
        conf.pop("area", None)


def find_education(lines: list[Line]) -> Found:
    """Schooling: institution, degree (studyType) and field (area), dates and grade."""
    found = Found()
    items: list[dict[str, Any]] = []
    for entry in _entries(lines):
        path = f"education[{len(items)}]"
        item: dict[str, Any] = {}
        conf: dict[str, float] = {}
        for text in [*entry.head, *entry.details, *entry.bullets]:
            m = _GPA.search(text)
            if m:
                item["score"] = (m.group("a") or m.group("b") or "").replace(" ", "")
                conf["score"] = 0.8
                break
        _school_and_degree(_education_parts(entry), item, conf)
        if not item.get("institution") and not item.get("studyType"):
            continue
        found.confidence.update({f"{path}.{k}": v for k, v in conf.items()})
        item.update(_note_dates(found, entry, path, " ".join(entry.head), single_is_end=True))
        courses = [
            b
            for b in entry.bullets
            if b.lower().startswith(("coursework", "courses", "relevant coursework"))
        ]
        if courses:
            listed = re.split(r",\s*", courses[0].split(":", 1)[-1])
            item["courses"] = [c.strip() for c in listed if c.strip()][:100]
        items.append(item)
    found.data = {"education": items}
    return found


# --- skills, languages, certificates, awards, projects, summary ----------------------------

_PROFICIENT = re.compile(
    r"^(?:(?:highly\s+)?(?:proficient|experienced|skilled|fluent|familiar|knowledge)\s+(?:in|with|of)|"
    r"basic|working knowledge of|expert in)\s+",
    re.IGNORECASE,
)


def _list_items(text: str) -> list[str]:
    text = text.strip().rstrip(".")
    pieces = [
        p
        for chunk in _split_outside_parens(text, ",")
        for p in re.split(r"\s*[;|•·▪]\s*|\s+/\s+|\s{2,}", chunk)
    ]
    out: list[str] = []
    for raw in pieces:
        piece = _PROFICIENT.sub("", re.sub(r"^(and|or|&)\s+", "", raw.strip(), flags=re.I))
        piece = piece.strip()
        halves = piece.split(" and ")
        if len(pieces) > 1 and len(halves) == 2 and all(len(h.split()) <= 2 for h in halves):
            out.extend(s.strip() for s in piece.split(" and ") if s.strip())
        elif piece:
            out.append(piece)
    return [p for p in out if p and len(p) <= 80]


def find_skills(lines: list[Line]) -> Found:
    """Skill entries: "Category: a, b" → a group with keywords; flat lists → one per item."""
    found = Found()
    skills: list[dict[str, Any]] = []
    joined = _join_list_lines(lines)
    pending: dict[str, Any] | None = None
    for line in joined:
        text = line.text.strip()
        if not text:
            continue
        m = re.match(r"^([^:,]{2,40}):\s*(.+)$", text)
        if m:
            skills.append({"name": _squash(m.group(1)), "keywords": _list_items(m.group(2))})
            pending = None
            continue
        items = (
            _list_items(text)
            if len(line.parts) <= 1
            else [i for p in line.parts for i in _list_items(p)]
        )
        if len(items) > 1:
            if pending is not None and not pending.get("keywords"):
                pending["keywords"] = items
                skills.append(pending)
                pending = None
            else:
                if pending is not None:
                    skills.append(pending)
                    pending = None
                skills.extend({"name": i} for i in items)
            continue
        if _LEVELS.match(text) and pending is not None:
            pending["level"] = text
            continue
        if pending is not None:
            skills.append(pending)
        pending = {"name": _squash(text)}
        if line.bullet:
            skills.append(pending)
            pending = None
    if pending is not None:
        skills.append(pending)
    skills = [s for s in skills if s.get("name")][:200]
    return found.section("skills", skills, 0.7)


def _join_list_lines(lines: list[Line]) -> list[Line]:
    """Join list lines that wrapped ("…, Project" + "management, …")."""
    if not lines:
        return []
    right = max(line.x1 for line in lines)
    out: list[Line] = []
    for line in lines:
        if out:
            prev = out[-1]
            wrapped = (
                "," in prev.text
                and not line.bullet
                and len(prev.parts) == 1
                and ":" not in line.text[:40]
                and (
                    prev.text.rstrip().endswith(",")
                    or line.text[:1].islower()
                    or (prev.x1 >= right * 0.85 and "," in line.text)
                )
            )
            if wrapped and prev.x1 > 0:
                out[-1] = _with_text(prev, _join(prev.text, line.text))
                continue
        out.append(line)
    return out


def find_languages(lines: list[Line]) -> Found:
    """Spoken languages with fluency ("English (Native)", "Spanish - B2", two-line pairs)."""
    found = Found()
    items: list[dict[str, Any]] = []
    for line in lines:
        pieces = _split_parts(line.text) if "," not in line.text else line.text.split(",")
        for part in (p.strip() for p in pieces):
            if not part:
                continue
            m = re.match(r"^([A-Za-zÀ-ÿ ]{2,30}?)\s*(?:[:(–-]\s*|\s+-\s+)([^)]*)\)?$", part)
            if m and m.group(2).strip():
                items.append({"language": m.group(1).strip(), "fluency": m.group(2).strip()})
            elif _LEVELS.match(part) and items and "fluency" not in items[-1]:
                items[-1]["fluency"] = part
            elif re.fullmatch(r"[A-Za-zÀ-ÿ ]{2,30}", part):
                fluent = re.match(
                    r"^(fluent|native|conversational|basic)\s+(?:in\s+)?(.+)$", part, re.I
                )
                if fluent:
                    items.append({"language": fluent.group(2), "fluency": fluent.group(1)})
                else:
                    items.append({"language": part})
    return found.section("languages", items[:50], 0.65)


def find_certificates(lines: list[Line]) -> Found:
    """Certificates: name, issuer and date, one per bullet or per name/issuer/date group."""
    found = Found()
    items: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in _merge_wrapped(lines):
        text = _squash(line.text)
        if not text:
            continue
        dates = find_date_range(text)
        date = dates.start if dates else None
        bare = _squash(text[: dates.span[0]] + " " + text[dates.span[1] :]) if dates else text
        bare = re.sub(r"\(\s*\)", "", bare).strip()
        pieces = [p for p in re.split(r"\s+[-–—|]\s+|\s*\|\s*", bare) if p.strip()]
        if not bare and current is not None and date:
            current.setdefault("date", date)
            continue
        if (
            line.bullet
            or len(pieces) > 1
            or current is None
            or "issuer" in current
            or (date is not None and "date" in current)
        ):
            current = {"name": pieces[0]} if pieces else {}
            if len(pieces) > 1:
                current["issuer"] = pieces[1]
            if date:
                current["date"] = date
            if current:
                items.append(current)
            continue
        if bare and "issuer" not in current:
            current["issuer"] = bare
        if date and "date" not in current:
            current["date"] = date
    found.data = {"certificates": [i for i in items if i.get("name")][:100]}
    if items:
        found.confidence["certificates"] = 0.6
    return found


def find_awards(lines: list[Line]) -> Found:
    """Awards: a title and its date, one per bullet or head line."""
    found = Found()
    items: list[dict[str, Any]] = []
    for line in _merge_wrapped(lines):
        text = _squash(line.text)
        if not text:
            continue
        dates = find_date_range(text)
        title = _squash(text[: dates.span[0]] + text[dates.span[1] :]) if dates else text
        title = re.sub(r"\(\s*\)", "", title).strip(" ,-–")
        if not line.bullet and items and not dates and title[:1].islower():
            items[-1]["title"] = f"{items[-1]['title']} {title}"
            continue
        if line.x0 > min(x.x0 for x in lines) + 8 and items and not line.bullet:
            items[-1]["summary"] = f"{items[-1].get('summary', '')} {title}".strip()
            continue
        item: dict[str, Any] = {"title": title}
        if dates and dates.start:
            item["date"] = dates.start
        items.append(item)
    return found.section("awards", items[:100], 0.6)


def find_projects(lines: list[Line]) -> Found:
    """Projects: name, dates, description and highlights."""
    found = Found()
    items: list[dict[str, Any]] = []
    for entry in _entries(lines):
        parts = _head_parts(entry)
        if not parts:
            continue
        path = f"projects[{len(items)}]"
        name = re.sub(r"^(personal|side|academic)\s+project\s*:\s*", "", parts[0], flags=re.I)
        item: dict[str, Any] = {"name": name}
        found.confidence[f"{path}.name"] = 0.6
        description = " ".join([*parts[1:], *entry.details]).strip()
        if description:
            item["description"] = description[:5000]
        if entry.bullets:
            item["highlights"] = entry.bullets[:100]
        item.update(_note_dates(found, entry, path, " ".join(entry.head)))
        items.append(item)
    found.data = {"projects": items}
    return found


def find_summary(lines: list[Line]) -> Found:
    """The summary paragraph(s), joined."""
    found = Found()
    text = " ".join(_merge_paragraph(line.text for line in lines)).strip()
    if text:
        found.data = {"summary": text[:5000]}
        found.confidence["basics.summary"] = 0.8
    return found


def _merge_paragraph(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if out and out[-1].endswith("-") and text[:1].islower():
            out[-1] = out[-1][:-1] + text
        else:
            out.append(text)
    return out


def find_interests(lines: list[Line]) -> Found:
    """Interests, one per list item."""
    items = [{"name": i} for line in lines for i in _list_items(line.text)]
    return Found(data={"interests": items[:50]})


def find_references(lines: list[Line]) -> Found:
    """References as given (often "Available upon request")."""
    items = [{"name": _squash(line.text)} for line in lines if _squash(line.text)]
    return Found(data={"references": items[:50]})


def find_publications(lines: list[Line]) -> Found:
    """Publications (and patents, talks): a name and date per entry."""
    found = Found()
    items: list[dict[str, Any]] = []
    for entry in _entries(lines):
        parts = _head_parts(entry) or entry.bullets[:1]
        if not parts:
            continue
        name = re.sub(r"^\d+\.\s*", "", parts[0])
        item: dict[str, Any] = {"name": name[:300]}
        if entry.dates and entry.dates.start:
            item["releaseDate"] = entry.dates.start
        summary = " ".join([*parts[1:], *entry.details]).strip()
        if summary:
            item["summary"] = summary[:5000]
        items.append(item)
        for bullet in entry.bullets[1 if not _head_parts(entry) else 0 :]:
            items.append({"name": re.sub(r"^\d+\.\s*", "", bullet)[:300]})
    found.data = {"publications": items[:100]}
    return found

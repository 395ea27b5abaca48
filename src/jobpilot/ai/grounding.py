"""Grounding: generated text may only claim what the user has stated.

Tailored resume bullets, cover letters and screening answers are checked sentence by sentence
against :class:`Facts`, gathered by :func:`gather_facts` from the user's resume, profile and
answer bank. `context` is the job posting (`company` its company's name, `title` its job title):
generated text may name what the posting says, but may not claim it for the user.

Several rules ask whether a sentence is *about the user's record*: a resume-style line (a bullet,
or one opening with a past-tense verb such as "Led"), or a first-person sentence that is not only
a wish ("I'd love to join Acme", "I'm excited about ...") or that also states something done
("I have led", "since joining"). Five kinds of claim are checked:

skill
    Every taxonomy skill the text names ("k8s" included) must be met by a skill the user has:
    owning FastAPI meets Python; owning Python does not meet FastAPI. Strict: "eager to learn
    Kubernetes" is refused too, because generated text should not mention missing skills, and
    practices the taxonomy lists ("code review", "agile") count as skills. Not checked: the
    taxonomy's top-level categories ("design", "security", "finance"), soft skills (judgements,
    not facts), and the product names in :data:`PROSE_WORDS` when written in lower case ("I excel
    at", "networking events"). Not read as skills: the user's own name, the person a letter
    greets, organisations named in organisation claims, and the posting's company named in
    passing ("join Stripe", "Stripe's mission"), unless the sentence is about the user's record.
number
    Every number (digits, "5+", "7.5", "150k", "$150,000", "30%", "3rd", "2019", and "two" to
    "twenty" spelled out, "one" only before a unit such as "one year") must be one of the user's
    numbers once normalised ("150k" == "150000", "5+" == "5"). A number of the posting may be
    quoted in a sentence that is not about the user's record and speaks of no salary, notice or
    expectation. Not numbers: list markers, a version right after a skill ("Python 3.11"), a
    number that is part of a skill's name ("SOC 2"), the user's own phone number, and idioms
    ("24/7", "two-factor", "one-on-one"); "zero" is never read. A sentence about notice must give
    the stored notice period (30 days may be "30 days", "one month", "4 weeks" is not).
years
    "N years (of experience) (in/with X)", "N+ years", "a decade", "18 months of X" are backed
    when N is at most: the answer bank's years for X or for a skill under X (the answer bank is
    what the user confirmed, so it wins); else the years of the dated jobs whose text names X;
    with no skill named, the dated work history rounded down (overlapping jobs merged, a current
    job counted to `today`). A duration the user wrote ("9 years of experience" in their summary)
    backs the same claim. "over"/"more than"/"N+" keep N; "nearly"/"about"/"around" take one
    unit off. The skill of a duration is the one named after it, in the same clause. A posting's
    figure may be quoted ("Acme asks for 5+ years") only outside sentences about the user or
    about "experience".
organisation
    A name introduced as the user's employer or school ("worked at/for", "joined", "my time at",
    "previously at", "as a ... at", "graduated from", "studied at", "degree from") must be an
    employer, school or volunteering organisation in the resume or profile ("Acme" matches "Acme
    Corp", "TUM" matches "Technical University of Munich"); the posting's company does not count,
    so "I worked at Acme" is refused. A bare "at X" may also name a certificate issuer or
    project, a place the user's own text puts them ("Speaker at PyCon"), or the posting's company
    in a sentence not about the user's record ("the role at Acme"; "I led the platform team at
    Acme" is refused).
credential
    Degrees (PhD, Master's/MSc/"MS in", MBA, Bachelor's/BSc/"BS in", associate degree, "degree
    in X") must match the level of a degree the user holds and, when given, its field.
    Certifications ("AWS Certified ...", "Certified ...", "certified in X", "X certification",
    PMP, CPA, CKA and other acronyms) must match a certificate's name, its words or its acronym.
    The posting's wording may be quoted in a sentence not about the user's record.

Known limits. These are patterns over English text, not an understanding of it. A claim phrased
in a way they do not know is not seen ("Google employed me", "doubled revenue", "a third of
costs"). Numbers are compared without their units, so a notice period of 30 days also grounds
"30 countries". A first-person sentence that mixes a wish and a past-tense statement is read as
about the user, so a posting figure quoted in it is refused. Sentences are split at end
punctuation and line breaks: a sentence hard-wrapped over two lines is checked, and removed, as
two pieces. A name shared by an employer and a product ("Oracle") is accepted where it is named
as the employer. Legal and EEO answers are not checked here: screening answers must copy them from
the profile, never from a model.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from jobpilot.users.public import SkillRef, SkillsFacade

__all__ = [
    "PROSE_WORDS",
    "Facts",
    "GroundingChecker",
    "Violation",
    "ViolationKind",
    "gather_facts",
]

ViolationKind = Literal["skill", "number", "years", "organisation", "credential"]

# -- facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the user has stated: the only source generated text may make claims from."""

    text: str
    skill_ids: frozenset[str]
    numbers: frozenset[str]
    organisations: frozenset[str]
    # "degree:<level>", "degree:<level>:<field>" and "cert:<name or acronym>", all normalised.
    credentials: frozenset[str]
    years_total: float | None
    years_by_skill: dict[str, float]
    notice_period_days: int | None = None
    # Durations the user wrote themselves ("9 years of experience"): (skill id or None, years).
    stated_years: tuple[tuple[str | None, float], ...] = ()
    # When each skill was used: the dated jobs whose text names it.
    skill_periods: Mapping[str, tuple[tuple[date, date], ...]] = field(default_factory=dict)
    # The user's own name and its parts, which a letter is signed with.
    person_names: frozenset[str] = frozenset()
    # The organisations the user belonged to (employers, schools, volunteering), the only ones
    # "worked at" or "studied at" may name; `organisations` adds issuers and projects.
    affiliations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Violation:
    """A claim in generated text that the user's facts do not back."""

    kind: ViolationKind
    claim: str
    message: str


@dataclass
class _Job:
    start: date
    end: date
    text: str


@dataclass
class _Collected:
    """The raw material of :class:`Facts`, read from the resume and profile."""

    texts: list[str] = field(default_factory=list)
    person_names: list[str] = field(default_factory=list)
    skill_names: list[str] = field(default_factory=list)
    employers: list[str] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    other_orgs: list[str] = field(default_factory=list)
    degrees: list[tuple[str, str]] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    jobs: list[_Job] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)


def gather_facts(
    resume: dict[str, Any] | None,
    profile: dict[str, Any] | None,
    skills: SkillsFacade,
    *,
    today: date,
) -> Facts:
    """Everything the user has stated, in the forms the checker compares claims with."""
    collected = _Collected()
    if resume:
        _read_resume(resume, collected, today)
    notice: int | None = None
    years_by_skill: dict[str, float] = {}
    skill_ids_from_bank: set[str] = set()
    if profile:
        _read_profile(profile, collected, today)
        notice = _int_or_none(profile.get("notice_period_days"))
        years_by_skill, skill_ids_from_bank = _answer_bank_years(profile, skills)
        if notice is not None:
            collected.numbers.update(_notice_numbers(notice))
        collected.numbers.update(
            _canonical_number(Decimal(str(v))) for v in years_by_skill.values()
        )

    # An employer's or school's name is not a skill ("Oracle", "Stripe"), so it is masked
    # before the text is read for skills.
    mask = _name_pattern([*collected.employers, *collected.schools])
    skill_ids: set[str] = set()
    for name in collected.skill_names:
        skill_ids.update(ref.id for ref in skills.mentions(name))
    skill_ids.update(skill_ids_from_bank)
    stated: list[tuple[str | None, float]] = []
    for text in collected.texts:
        readable = _for_skills(_masked_names(text, mask))
        skill_ids.update(ref.id for ref in skills.mentions(readable))
        collected.numbers.update(number.value for number in _numbers(text))
        for duration in _durations(text):
            named = _skills_after(readable, duration.end, skills)
            if named:
                stated.extend((ref.id, duration.years) for ref in named)
            else:
                stated.append((None, duration.years))

    periods: dict[str, list[tuple[date, date]]] = {}
    for job in collected.jobs:
        for ref in skills.mentions(_for_skills(_masked_names(job.text, mask))):
            periods.setdefault(ref.id, []).append((job.start, job.end))

    affiliations = {
        key
        for key in map(_org_key, [*collected.employers, *collected.schools, *collected.members])
        if key
    }
    organisations = affiliations | {key for key in map(_org_key, collected.other_orgs) if key}
    credentials = _held_credentials(collected)
    for piece in collected.texts:
        for claim in _credential_claims(piece):
            credentials.update(claim.as_held())
    text = "\n".join(piece for piece in collected.texts if piece).lower()

    return Facts(
        text=text,
        skill_ids=frozenset(skill_ids),
        numbers=frozenset(collected.numbers),
        organisations=frozenset(organisations),
        affiliations=frozenset(affiliations),
        credentials=frozenset(credentials),
        years_total=_years_of([(job.start, job.end) for job in collected.jobs]),
        years_by_skill=years_by_skill,
        notice_period_days=notice,
        stated_years=tuple(stated),
        skill_periods={key: tuple(value) for key, value in periods.items()},
        person_names=frozenset(
            part
            for name in collected.person_names
            for part in (name, *name.split())
            if len(part) > 1 and part[0].isupper()
        ),
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read_resume(resume: dict[str, Any], out: _Collected, today: date) -> None:
    basics = resume.get("basics")
    basics = basics if isinstance(basics, dict) else {}
    out.person_names.append(_text(basics.get("name")))
    out.texts += [_text(basics.get("label")), _text(basics.get("summary"))]
    _add_phone(out, basics.get("phone"))
    for work in _dicts(resume.get("work")):
        out.employers.append(_text(work.get("name")))
        body = [_text(work.get("position")), _text(work.get("summary"))]
        body += _strings(work.get("highlights"))
        out.texts += body
        _add_job(out, work.get("startDate"), work.get("endDate"), "\n".join(body), today)
    for volunteer in _dicts(resume.get("volunteer")):
        out.members.append(_text(volunteer.get("organization")))
        out.texts += [_text(volunteer.get("position")), _text(volunteer.get("summary"))]
        out.texts += _strings(volunteer.get("highlights"))
        _add_years(out, volunteer.get("startDate"), volunteer.get("endDate"))
    for school in _dicts(resume.get("education")):
        out.schools.append(_text(school.get("institution")))
        study, area = _text(school.get("studyType")), _text(school.get("area"))
        out.degrees.append((study, area))
        out.texts += [study, area, _text(school.get("score")), *_strings(school.get("courses"))]
        _add_years(out, school.get("startDate"), school.get("endDate"))
    for award in _dicts(resume.get("awards")):
        out.other_orgs.append(_text(award.get("awarder")))
        out.texts += [_text(award.get("title")), _text(award.get("summary"))]
        _add_years(out, award.get("date"))
    for certificate in _dicts(resume.get("certificates")):
        out.certificates.append(_text(certificate.get("name")))
        out.other_orgs.append(_text(certificate.get("issuer")))
        out.texts.append(_text(certificate.get("name")))
        _add_years(out, certificate.get("date"))
    for publication in _dicts(resume.get("publications")):
        out.other_orgs.append(_text(publication.get("publisher")))
        out.texts += [_text(publication.get("name")), _text(publication.get("summary"))]
        _add_years(out, publication.get("releaseDate"))
    for skill in _dicts(resume.get("skills")):
        names = [_text(skill.get("name")), *_strings(skill.get("keywords"))]
        out.skill_names += names
        out.texts += names
    for language in _dicts(resume.get("languages")):
        out.skill_names.append(_text(language.get("language")))
        out.texts.append(_text(language.get("language")))
    for project in _dicts(resume.get("projects")):
        out.other_orgs += [_text(project.get("name")), _text(project.get("entity"))]
        out.skill_names += _strings(project.get("keywords"))
        out.texts += [_text(project.get("name")), _text(project.get("description"))]
        out.texts += _strings(project.get("highlights")) + _strings(project.get("roles"))
        out.texts += _strings(project.get("keywords"))
        _add_years(out, project.get("startDate"), project.get("endDate"))
    # Interests and references are left out: neither is the user's own record of what they did.


def _read_profile(profile: dict[str, Any], out: _Collected, today: date) -> None:
    out.person_names.append(_text(profile.get("name")))
    out.texts.append(_text(profile.get("headline")))
    contact = profile.get("contact")
    if isinstance(contact, dict):
        _add_phone(out, contact.get("phone"))
    for job in _dicts(profile.get("experience")):
        out.employers.append(_text(job.get("company")))
        body = [_text(job.get("title")), _text(job.get("description"))]
        out.texts += body
        end = None if job.get("current") else job.get("end")
        _add_job(out, job.get("start"), end, "\n".join(body), today)
    for school in _dicts(profile.get("education")):
        out.schools.append(_text(school.get("institution")))
        degree, area = _text(school.get("degree")), _text(school.get("field_of_study"))
        out.degrees.append((degree, area))
        out.texts += [degree, area]
        _add_years(out, school.get("start"), school.get("end"))
    for language in _dicts(profile.get("languages")):
        out.skill_names.append(_text(language.get("language")))
    for skill in profile.get("skills") or []:
        name = skill.get("name") if isinstance(skill, dict) else skill
        if isinstance(name, str):
            out.skill_names.append(name)
            out.texts.append(name)
    salary = profile.get("salary")
    if isinstance(salary, dict):
        for bound in ("min", "max"):
            amount = _int_or_none(salary.get(bound))
            if amount is not None:
                out.numbers.add(str(amount))
    bank = profile.get("answer_bank")
    if isinstance(bank, dict):
        # Only the answers: a question is not something the user claimed.
        out.texts += [_text(item.get("answer")) for item in _dicts(bank.get("custom"))]


def _answer_bank_years(
    profile: dict[str, Any], skills: SkillsFacade
) -> tuple[dict[str, float], set[str]]:
    """Years by skill from the answer bank (keyed by taxonomy id when the taxonomy knows the
    skill, else by the lower-cased name), and the taxonomy ids among the keys."""
    bank = profile.get("answer_bank")
    raw = bank.get("years_by_skill") if isinstance(bank, dict) else None
    years: dict[str, float] = {}
    ids: set[str] = set()
    if not isinstance(raw, dict):
        return years, ids
    for name, value in raw.items():
        if (
            not isinstance(name, str)
            or isinstance(value, bool)
            or not isinstance(value, int | float)
        ):
            continue
        found = skills.mentions(name)
        key = found[0].id if len(found) == 1 else name.strip().lower()
        if len(found) == 1:
            ids.add(key)
        years[key] = max(float(value), years.get(key, 0.0))
    return years, ids


def _add_phone(out: _Collected, phone: Any) -> None:
    digits = re.sub(r"\D", "", phone) if isinstance(phone, str) else ""
    if len(digits) >= 7:
        out.numbers.add(_phone_key(digits))


def _phone_key(digits: str) -> str:
    # Country codes and trunk prefixes vary between writings of the same number.
    return "tel:" + digits[-9:]


def _add_years(out: _Collected, *values: Any) -> None:
    for value in values:
        parsed = _parse_date(value, end=False)
        if parsed is not None:
            out.numbers.add(str(parsed.year))


def _add_job(out: _Collected, start: Any, end: Any, text: str, today: date) -> None:
    _add_years(out, start, end)
    begins = _parse_date(start, end=False)
    if begins is None or begins > today:
        return
    finished = _parse_date(end, end=True) if end not in (None, "") else today
    if finished is None:
        return
    finished = min(finished, today)
    if finished >= begins:
        out.jobs.append(_Job(begins, finished, text))


_ISO_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_OPEN_END = frozenset({"present", "current", "now", "today", "ongoing"})


def _parse_date(value: Any, *, end: bool) -> date | None:
    """A JSON Resume or profile date; a year or month alone means all of it (read inclusively)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    if value.strip().lower() in _OPEN_END:
        return date.max if end else None
    match = _ISO_DATE.match(value)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    try:
        if match.group(3):
            return date(year, month, int(match.group(3)))
        if not end:
            return date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        return following - timedelta(days=1)
    except ValueError:
        return None


def _years_of(periods: Iterable[tuple[date, date]]) -> float | None:
    """Years covered by the periods, overlaps counted once; None without any period."""
    ordered = sorted(periods)
    if not ordered:
        return None
    days = 0
    start, end = ordered[0]
    for next_start, next_end in ordered[1:]:
        if next_start <= end + timedelta(days=1):
            end = max(end, next_end)
            continue
        days += (end - start).days + 1
        start, end = next_start, next_end
    days += (end - start).days + 1
    return days / 365.25


def _notice_numbers(days: int) -> set[str]:
    """The notice period in the units people write it in: 14 days is also "2" (weeks), 30
    days also "1" (month)."""
    found = {str(days)}
    if days and days % 7 == 0:
        found.add(str(days // 7))
    if days and days % 30 == 0:
        found.add(str(days // 30))
    return found


# -- names of organisations ------------------------------------------------------------------

_ORG_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "gmbh", "ag", "sa", "sas", "bv",
        "nv", "plc", "corp", "corporation", "co", "company", "group", "holdings", "pty", "srl",
        "oy", "ab",
    }
)  # fmt: skip
_ORG_FILLER = frozenset(["the", "of", "and", "for", "at", "de", "du", "la", "der", "von"])
# Words too general to identify an organisation on their own ("University" alone is no school).
_ORG_GENERIC = frozenset(
    {
        "university", "college", "school", "institute", "technology", "bank", "labs", "lab",
        "studio", "studios", "solutions", "systems", "software", "services", "global",
        "international", "national", "state", "city", "new",
    }
)  # fmt: skip


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _org_key(name: str) -> str:
    """An organisation's name folded for comparison: case, accents, punctuation and legal
    suffixes ("Inc.", "GmbH") removed, "&" read as "and"."""
    folded = _fold(name).replace("&", " and ")
    folded = re.sub(r"['\u2019]s\b", "", folded)
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _ORG_SUFFIXES:
        words.pop()
    return " ".join(words)


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split() if word not in _ORG_FILLER)


def _contains_words(longer: list[str], shorter: list[str]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def _org_known(name: str, organisations: Iterable[str]) -> bool:
    key = _org_key(name)
    if not key:
        return False
    words = key.split()
    meaningful = [word for word in words if word not in _ORG_GENERIC and word not in _ORG_FILLER]
    for known in organisations:
        if key == known:
            return True
        known_words = known.split()
        if meaningful and _contains_words(known_words, words):
            return True
        known_meaningful = [w for w in known_words if w not in _ORG_GENERIC | _ORG_FILLER]
        if known_meaningful and _contains_words(words, known_words):
            return True
        if " " not in key and 2 <= len(key) <= 6 and key == _initials(known):
            return True
    return False


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted({name.strip() for name in names if name and name.strip()}, key=len)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(name) for name in reversed(cleaned))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# The taxonomy reads names across word gaps ("I am" reads as IAM, "it's an" as SAN), so the
# pronoun "I" and the endings of contractions, which no skill name contains, are blanked first.
_NOT_IN_SKILL_NAMES = re.compile(r"\bI\b(?![\w+#])|['\u2019](?:s|m|d|ll|re|ve|t)\b")


def _for_skills(text: str) -> str:
    """The text as the skill taxonomy should read it (positions unchanged)."""
    return _NOT_IN_SKILL_NAMES.sub(lambda match: " " * len(match.group(0)), text)


def _masked_names(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return text
    return pattern.sub(lambda match: " " * len(match.group(0)), text)


# -- numbers ---------------------------------------------------------------------------------

_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_SMALL_NUMBERS = {word: value for value, word in enumerate(_NUMBER_WORDS)}
_TENS = {
    word: 10 * (index + 2)
    for index, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SUFFIX_SCALES = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "bn": 1_000_000_000}
_UNITS = r"(?:years?|yrs?|months?|weeks?|days?|hours?|decades?|percent|%)"
_SPELLED_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine)\b)?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen)"
)

_NUMBER = re.compile(
    r"""
    (?P<idiom>\b24/7\b|\b9-to-5\b|\b1:1s?\b|\b360[- ]degree\b|(?i:\bone[- ](?:on[- ]one|off|stop)\b)
        |(?i:\b(?:two|three|n)[- ](?:way|factor|phase|tier|pizza)\b))
    |(?P<phone>\+\d[\d ().-]{6,}\d|\(\d{3}\)\s?\d{3}[-.\s]\d{4}\b|\b\d{3}[-.]\d{3}[-.]\d{4}\b)
    |(?P<date>\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])(?:-[0-3]\d)?\b|\b(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}\b)
    |(?P<money>(?:[$€£¥]|\b(?:USD|EUR|GBP|CHF|CAD|AUD)\s?)\s?
        (?P<money_digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
        (?P<money_scale>\s?(?:k|K|mm|MM|m|M|bn|BN)\b|\s(?:thousand|million|billion)\b)?\+?)
    |(?P<digits>(?<![\w.,/$€£¥])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))
        (?P<suffix>\s?%|\s?percent\b|(?:st|nd|rd|th)\b|(?:k|K|mm|MM|m|M|bn)\b|[xX]\b|\+
            |\s(?:thousand|million|billion)\b)?(?![\w])
    |(?P<spelled>(?i:\b(?:a\s+)?dozen\b|\b"""
    + _SPELLED_WORD
    + r"""\b)(?P<spelled_scale>\s+(?i:hundred|thousand|million|billion)\b)?)
    """,
    re.VERBOSE,
)
_AFTER_ONE = re.compile(r"\s*[- ]?\s*(?:" + _UNITS + r"|million|billion|thousand|hundred)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Number:
    start: int
    end: int
    value: str
    raw: str
    kind: Literal["plain", "money", "percent", "phone", "spelled"]


def _canonical_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _spelled_value(words: str) -> int | None:
    folded = words.lower().replace("-", " ").split()
    if not folded:
        return None
    if folded[-1] == "dozen":
        return 12
    total = 0
    for word in folded:
        if word in _TENS:
            total += _TENS[word]
        elif word in _SMALL_NUMBERS:
            total += _SMALL_NUMBERS[word]
        else:
            return None
    return total


def _numbers(text: str) -> list[_Number]:
    """The numbers in `text`, each normalised ("$150k" -> "150000", "5+" -> "5")."""
    found: list[_Number] = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        start, end = match.span()
        if match.group("idiom"):
            continue
        if match.group("phone"):
            found.append(_Number(start, end, _phone_key(re.sub(r"\D", "", raw)), raw, "phone"))
        elif match.group("date"):
            year = re.search(r"(?:19|20)\d{2}", raw)
            assert year is not None
            found.append(_Number(start, end, year.group(0), raw, "plain"))
        elif match.group("money"):
            value = _scaled(match.group("money_digits"), match.group("money_scale"))
            if value is not None:
                found.append(_Number(start, end, value, raw.strip(), "money"))
        elif match.group("digits"):
            suffix = (match.group("suffix") or "").strip()
            percent = suffix in {"%", "percent"}
            scale = suffix if suffix.lower() in _SUFFIX_SCALES or suffix in _SCALES else None
            value = _scaled(match.group("digits"), scale)
            if value is not None:
                found.append(_Number(start, end, value, raw, "percent" if percent else "plain"))
        elif match.group("spelled"):
            words = raw[: len(raw) - len(match.group("spelled_scale") or "")]
            amount = _spelled_value(re.sub(r"^a\s+", "", words.strip(), flags=re.I))
            if amount is None or amount == 0:
                continue
            if amount == 1 and not _AFTER_ONE.match(text, end):
                continue  # "one of the", "no one": not a quantity
            scale_word = (match.group("spelled_scale") or "").strip().lower()
            amount *= _SCALES.get(scale_word, 1)
            found.append(_Number(start, end, str(amount), raw, "spelled"))
    return found


def _scaled(digits: str, scale: str | None) -> str | None:
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None
    if scale:
        key = scale.strip().lower()
        value *= _SUFFIX_SCALES.get(key, _SCALES.get(key, 1))
    return _canonical_number(value)


# -- durations ("7 years of Python") -------------------------------------------------------------

_DURATION = re.compile(
    r"(?:\b(?P<qual>over|more\s+than|at\s+least|nearly|almost|about|around|approximately|roughly"
    r"|close\s+to|just\s+under|some)\s+)?"
    r"(?P<n>\d+(?:\.\d+)?|" + _SPELLED_WORD + r"|an?)\b\s*(?P<plus>\+|\s*plus\b)?"
    r"[\s-]*(?P<unit>years?|yrs?|decades?|months?)\b(?:['\u2019]s?)?",
    re.IGNORECASE,
)
# "nearly 10 years" claims a little over 9: read as one unit less.
_APPROXIMATE = frozenset(
    {"nearly", "almost", "about", "around", "approximately", "roughly", "close to", "just under",
     "some"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Duration:
    start: int
    end: int
    years: float
    raw: str


def _durations(text: str) -> list[_Duration]:
    """Spans of experience durations with their length in years ("over a decade" is 10)."""
    found: list[_Duration] = []
    for match in _DURATION.finditer(text):
        number, unit = match.group("n").lower(), match.group("unit").lower()
        if number in {"a", "an"}:
            if not unit.startswith("decade"):
                continue  # "a year ago", "$150k a year": not an amount of experience
            amount = 1.0
        elif number[0].isdigit():
            amount = float(number)
        else:
            spelled = _spelled_value(number)
            if spelled is None:
                continue
            amount = float(spelled)
        step = 1 / 12 if unit.startswith("month") else 1.0
        years = amount * (10 if unit.startswith("decade") else step)
        if re.sub(r"\s+", " ", (match.group("qual") or "").lower()) in _APPROXIMATE:
            years = max(years - step, 0.0)
        found.append(_Duration(match.start(), match.end(), years, match.group(0).strip()))
    return found


# Where the skill of a duration is named: after it, up to the end of the clause.
_CLAUSE_END = re.compile(
    r"[.;:!?()\u2014]|,\s+(?:and|but|which|where|while|including)\b"
    r"|\s(?:where|which|while|including|at|for|since|before|after)\s",
    re.IGNORECASE,
)


def _skills_after(text: str, position: int, skills: SkillsFacade) -> list[SkillRef]:
    rest = text[position : position + 120]
    stop = _CLAUSE_END.search(rest)
    return skills.mentions(rest[: stop.start()] if stop else rest)


# -- credentials -----------------------------------------------------------------------------

_CERT_ACRONYMS = {
    "pmp": "project management professional",
    "capm": "certified associate in project management",
    "cpa": "certified public accountant",
    "cfa": "chartered financial analyst",
    "cissp": "certified information systems security professional",
    "cisa": "certified information systems auditor",
    "cism": "certified information security manager",
    "ceh": "certified ethical hacker",
    "oscp": "offensive security certified professional",
    "cka": "certified kubernetes administrator",
    "ckad": "certified kubernetes application developer",
    "cks": "certified kubernetes security specialist",
    "ccna": "cisco certified network associate",
    "ccnp": "cisco certified network professional",
    "ccie": "cisco certified internetwork expert",
    "psm": "professional scrum master",
    "cspo": "certified scrum product owner",
    "cfp": "certified financial planner",
    "frm": "financial risk manager",
    "acca": "association of chartered certified accountants",
    "rhce": "red hat certified engineer",
    "rhcsa": "red hat certified system administrator",
}
_CERT_ALIASES = (
    ("amazon web services", "aws"),
    ("google cloud platform", "gcp"),
    ("google cloud", "gcp"),
    ("microsoft azure", "azure"),
    ("scrummaster", "scrum master"),
)
_CERT_FILLER = frozenset(
    {
        "certified", "certification", "certifications", "certificate", "certificates", "chartered",
        "a", "an", "the", "of", "in", "and", "as", "for", "on", "with",
    }
)  # fmt: skip

_DEGREE = re.compile(
    r"""
    (?P<degree>
        (?i:\bph\.?\s?d\b\.?|\bd\.?phil\b\.?|\bdoctorate\b|\bdoctoral\s+degree\b)
      | (?i:\bmaster\s+of\s+(?:science|arts|engineering|business\s+administration|laws)\b
           |\bmaster(?:'s|\u2019s|s)\b(?:\s+degree\b)?)
      | (?i:\bm\.?\s?sc\b\.?|\bm\.s\.|\bm\.a\.|\bm\.?eng\b\.?|\bmphil\b|\bmba\b)
      | (?i:\bbachelor\s+of\s+(?:science|arts|engineering|technology)\b
           |\bbachelor(?:'s|\u2019s|s)?\b(?:\s+degree\b)?)
      | (?i:\bb\.?\s?sc\b\.?|\bb\.s\.|\bb\.a\.|\bb\.?eng\b\.?|\bb\.?tech\b\.?)
      | \b(?:MS|MA|BS|BA)\b(?=\s+(?:in|degree)\b)
      | (?i:\bassociate(?:'s|\u2019s)?\s+degree\b)
      | (?i:\bdegree\b)(?=\s+in\b)
    )
    (?:\s+(?i:degree)\b)?
    (?:\s+(?i:in|of)\s+(?P<field>[A-Za-z][A-Za-z&/ -]{0,60}?)
        (?=\s+(?i:from|at|with|and|where|which|while|to|for|in)\b|\s*[,.;:()!?]|\s*$))?
    """,
    re.VERBOSE,
)
_CERT_ACRONYM = re.compile(
    r"\b(?P<acronym>" + "|".join(name.upper() for name in _CERT_ACRONYMS) + r")\b"
    r"|\b(?:CompTIA\s+)?(?P<plus>Security|Network|Cloud|Linux|Data|Server|Project)\+"
)
_CERT_EXPANSION = re.compile(
    r"\b(?:" + "|".join(re.escape(text) for text in _CERT_ACRONYMS.values()) + r")\b",
    re.IGNORECASE,
)
_CERT_VENDOR = (
    r"(?:[A-Z]{2,}[\w+]*|Red\s+Hat|Google\s+Cloud|Microsoft|Cisco|Oracle|Salesforce|Scrum"
    r"|Kubernetes|Linux|HashiCorp|Terraform|Azure|CompTIA|Adobe|Tableau|Snowflake|Databricks)"
)
_CERT_TITLE = re.compile(
    r"(?:\b" + _CERT_VENDOR + r"[\s-]+){0,2}\b(?:Certified|Chartered)"
    r"(?:\s+(?:(?!I\b)[A-Z][\w+/-]*|[\u2013-](?=\s+[A-Z])|&|of|in|and)(?=\W|$))*"
)
_CERT_TITLE_TAIL = re.compile(r"(?:\s+(?:&|of|in|and|[\u2013-]))+$")
_CERT_LOWER = re.compile(
    r"(?P<pre>\b[A-Z][\w+.]*(?:[\s-]+[A-Z][\w+.]*){0,2})[\s-]+(?i:certified|certifications?)\b"
    r"|(?i:\bcertif(?:ied|ications?|icates?)\s+(?:in|as|for|on)\s+(?:an?\s+|the\s+)?)"
    r"(?P<object>[\w+-]+(?:\.[\w+-]+)*(?:\s+[A-Z][\w+-]*(?:\.[\w+-]+)*){0,4})"
    r"|(?i:\bcertified\b|\bcertifications?\b)"
)
# Words that may stand before "certification" without naming it ("My AWS certification").
_NOT_CERT_WORDS = frozenset(
    {
        "i", "i'm", "we", "am", "is", "are", "was", "were", "my", "our", "your", "his", "her",
        "their", "holding", "hold", "have", "has", "earned", "with", "fully", "also",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Credential:
    start: int
    end: int
    raw: str
    kind: Literal["degree", "cert"]
    level: str | None = None
    field: str = ""
    tokens: frozenset[str] = frozenset()
    acronym: str = ""

    def as_held(self) -> set[str]:
        """The credentials strings this claim stands for when the user wrote it themselves."""
        if self.kind == "degree":
            level = self.level or "any"
            held = {f"degree:{level}"}
            if self.field:
                held.add(f"degree:{level}:{self.field}")
            return held
        if self.acronym:
            return {f"cert:{self.acronym}"}
        return {"cert:" + " ".join(sorted(self.tokens))} if self.tokens else {"cert:"}


def _cert_tokens(text: str) -> frozenset[str]:
    folded = _fold(text)
    for long, short in _CERT_ALIASES:
        folded = folded.replace(long, short)
    words = re.sub(r"[^a-z0-9+]+", " ", folded).split()
    return frozenset(word for word in words if word not in _CERT_FILLER)


def _degree_level(text: str) -> str | None:
    """The level of a degree as written in a resume's studyType or a profile's degree."""
    compact = re.sub(r"[.\s'\u2019]", "", text.lower())
    for level, prefixes in (
        ("phd", ("phd", "dphil", "doctor")),
        ("mba", ("mba",)),
        ("masters", ("master", "msc", "ms", "ma", "meng", "mphil", "mtech", "mres")),
        ("bachelors", ("bachelor", "bsc", "bs", "ba", "beng", "btech")),
        ("associate", ("associate",)),
    ):
        if compact.startswith(prefixes):
            return level
    return None


def _field_key(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", _fold(text)).split()
    return " ".join(word for word in words if word not in {"and", "of", "the", "in"})


def _credential_claims(text: str) -> list[_Credential]:
    """Degrees and certifications the text claims, without overlaps, in order."""
    found: list[_Credential] = []
    taken: list[tuple[int, int]] = []

    def add(claim: _Credential) -> None:
        if not any(claim.start < end and start < claim.end for start, end in taken):
            taken.append((claim.start, claim.end))
            found.append(claim)

    for match in _DEGREE.finditer(text):
        degree = match.group("degree")
        level = None if degree.lower() == "degree" else _degree_level(degree)
        field_text = _field_key(match.group("field") or "")
        add(_Credential(*match.span(), match.group(0), "degree", level, field_text))
    for match in _CERT_EXPANSION.finditer(text):
        expansion = match.group(0).lower()
        acronym = next(key for key, value in _CERT_ACRONYMS.items() if value == expansion)
        add(_Credential(*match.span(), match.group(0), "cert", acronym=acronym))
    for match in _CERT_ACRONYM.finditer(text):
        acronym = (match.group("acronym") or f"{match.group('plus')}+").lower()
        add(_Credential(*match.span(), match.group(0), "cert", acronym=acronym))
    for match in _CERT_TITLE.finditer(text):
        raw = _CERT_TITLE_TAIL.sub("", match.group(0))
        start = match.start()
        add(_Credential(start, start + len(raw), raw, "cert", tokens=_cert_tokens(raw)))
    for match in _CERT_LOWER.finditer(text):
        subject = match.group("pre") or match.group("object") or ""
        tokens = frozenset(_cert_tokens(subject) - _NOT_CERT_WORDS)
        add(_Credential(*match.span(), match.group(0).strip(), "cert", tokens=tokens))
    found.sort(key=lambda claim: claim.start)
    return found


def _held_credentials(collected: _Collected) -> set[str]:
    held: set[str] = set()
    for study, area in collected.degrees:
        if not study and not area:
            continue
        level = _degree_level(study) or "any"
        held.add(f"degree:{level}")
        if area:
            held.add(f"degree:{level}:{_field_key(area)}")
    for name in collected.certificates:
        tokens = _cert_tokens(name)
        if not tokens:
            continue
        held.add("cert:" + " ".join(sorted(tokens)))
        for acronym, expansion in _CERT_ACRONYMS.items():
            if acronym in tokens or _cert_tokens(expansion) <= tokens:
                held.add(f"cert:{acronym}")
    return held


# -- sentences ---------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u2013]|\d{1,2}[.)]|\(?[a-z]\)|#{1,6})\s+")
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+")
_ABBREVIATIONS = (
    "e.g.", "i.e.", "etc.", "vs.", "inc.", "ltd.", "co.", "corp.", "dr.", "mr.", "mrs.", "ms.",
    "jr.", "sr.", "st.", "no.", "approx.", "u.s.", "ph.d.", "b.sc.", "m.sc.", "b.s.", "m.s.",
    "b.a.", "m.a.",
)  # fmt: skip


_OPENERS = frozenset({'"', "'", "\u201c", "\u2018", "(", "[", "\u2022"})


@dataclass(frozen=True, slots=True)
class _Line:
    prefix: str
    sentences: tuple[str, ...]
    bulleted: bool


def _split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        before = text[start : boundary.start() + 1].lower()
        following = text[boundary.end() : boundary.end() + 1]
        if before.endswith(_ABBREVIATIONS):
            continue
        if not (following.isupper() or following.isdigit() or following in _OPENERS):
            continue
        pieces.append(text[start : boundary.end()].strip())
        start = boundary.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for raw in text.split("\n"):
        marker = _BULLET.match(raw)
        prefix = marker.group(0) if marker else ""
        lines.append(_Line(prefix, tuple(_split_sentences(raw[len(prefix) :])), bool(marker)))
    return lines


_FIRST_PERSON = re.compile(
    r"\b(?:I|[Mm]y|[Mm]e|[Mm]ine|[Mm]yself|[Ww]e|[Oo]ur|[Oo]urs|us)\b|\bI['\u2019]"
)
_ASPIRATION = re.compile(
    r"\b(?:would|could|can|will|excited|exciting|eager|keen|thrilled|delighted|look(?:ing)?\s+"
    r"forward|hope|hoping|want|wanting|love\s+to|like\s+to|interested|drawn|admire|impressed|"
    r"inspired|inspires|appeals?|apply|applying|application|opportunity|join|contribute|"
    r"contributing|bring|help|resonates?|appreciate|believe|excites?|fascinat\w+|passionate)\b"
    r"|\b(?:I|[Ww]e)['\u2019](?:d|ll)\b",
)
_IRREGULAR_PAST = (
    "led|built|ran|wrote|grew|drove|made|won|took|spent|shipped|taught|brought|began|kept|held|"
    "met|set|cut|saw|became|got|gave|found|sold|left|paid|oversaw|did|was|were|been"
)
_PAST_CLAIM = re.compile(
    r"\b(?:I|[Ww]e)(?:['\u2019]ve|\s+have|\s+had)?\s+(?:\w+ly\s+)?"
    r"(?!(?:need|feed|proceed|succeed|exceed|embed)\b)(?:[a-z]+ed|" + _IRREGULAR_PAST + r")\b"
    r"|\b(?:since|after|upon)\s+joining\b",
)
_BULLET_VERB = re.compile(
    r"^\W*(?!(?:Excited|Interested|Inspired|Thrilled|Delighted|Impressed|Based|Motivated|"
    r"Dedicated|Committed|Passionate|Experienced|Skilled|Indeed|United|Need|Speed|Seed)\b)"
    r"(?:[A-Z][a-z]+ed|" + _IRREGULAR_PAST.title() + r")\b"
)
# Words that make a figure a statement about the user even outside the first person.
_MONEY_WORDS = re.compile(
    r"\b(?:salary|compensation|notice|expect(?:ed|ing|ations?)?|rate)\b", re.IGNORECASE
)
_EXPERIENCE_WORDS = re.compile(r"\bexperience[ds]?\b", re.IGNORECASE)


def _about_user(sentence: str, bulleted: bool) -> bool:
    """Whether a sentence states something about the user's record, rather than about the
    posting or the user's wishes ("I'd love to join Acme")."""
    if bulleted or _BULLET_VERB.match(sentence):
        return True
    if not _FIRST_PERSON.search(sentence):
        return False
    return not _ASPIRATION.search(sentence) or bool(_PAST_CLAIM.search(sentence))


# -- the posting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Posting:
    """The job posting the text was written for: what it may be quoted on."""

    text: str
    numbers: frozenset[str]
    company: str
    company_pattern: re.Pattern[str] | None
    title_pattern: re.Pattern[str] | None = None

    @classmethod
    def read(cls, context: str, company: str, title: str = "") -> _Posting:
        combined = "\n".join(part for part in (company, title, context) if part)
        numbers = frozenset(number.value for number in _numbers(combined))
        key = _org_key(company)
        pattern = _name_pattern([company, key]) if key else None
        title = title.strip()
        title_pattern = re.compile(rf"(?<!\w){re.escape(title)}(?!\w)", re.I) if title else None
        return cls(_fold(combined), numbers, key, pattern, title_pattern)

    def names(self, name: str) -> bool:
        """Whether the posting (or its company) mentions this name."""
        key = _fold(name).strip(" .,'\u2019")
        if not key:
            return False
        if self.company and _org_known(name, [self.company]):
            return True
        return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", self.text) is not None


# -- the checker -------------------------------------------------------------------------------

_NAME = (
    r"(?P<name>(?!I\b)[A-Z][\w&'\u2019.-]*(?:\s+(?:(?:of|and|&|de|du|la|der|von)\s+)?"
    r"(?!I\b)[A-Z][\w&'\u2019.-]*){0,5})"
)
_THE = r"(?:\s+the)?\s+"
_EMPLOYER_CLAIM = re.compile(
    r"(?i:\b(?:worked|employed|interned|interning|served|consulted|contracted|freelanced"
    r"|spent\s+\S+\s+(?:years?|months?))\s+(?:at|for|by)"
    r"|\b(?:was|were|been)\s+(?:at|with)"
    r"|\bI\s+(?:currently\s+|now\s+)?work\s+(?:at|for)"
    r"|\b(?:I['\u2019]m|I\s+am|currently|while|when|since|after|before)\s+working\s+(?:at|for)"
    r"|\b(?:my|our)\s+(?:\w+\s+){0,3}?(?:role|position|job|time|years?|tenure|stint"
    r"|internship|work|employer|days|career)\s+(?:at|with)"
    r"|\b(?:while|when)\s+(?:I\s+was\s+)?(?:at|with)"
    r"|\b(?:previously|formerly|currently|most\s+recently)\s+(?:at|with)"
    r"|\bas\s+(?:an?|the)\s+(?:[\w-]+\s+){0,4}?(?:at|for))" + _THE + _NAME
)
_JOINED_CLAIM = re.compile(r"(?i:\bjoined|\b(?:since|after|before|when|upon)\s+joining)\s+" + _NAME)
_SCHOOL_CLAIM = re.compile(
    r"(?i:\bgraduated\s+(?:with\s+[^.,;]{1,60}?\s+)?from|\bstudied\s+(?:[^.,;]{1,40}?\s+)?at"
    r"|\balumn(?:us|a|i)\s+of"
    r"|\b(?:degree|diploma|bachelor['\u2019]?s?|master['\u2019]?s?|ph\.?d\.?|doctorate|b\.?sc|m\.?sc|mba"
    r"|b\.?a|m\.?a|b\.?s|m\.?s)\b[^.;]{0,60}?\bfrom)" + _THE + _NAME
)
_AT_NAME = re.compile(r"(?i:\bat)\s+" + _NAME)
_GREETING = re.compile(r"^\W*(?:Dear|Hi|Hello)\s+" + _NAME)
_JOIN_NAME = re.compile(r"(?i:\bjoin(?:ing)?)\s+" + _NAME)
_POSSESSIVE_NAME = re.compile(r"(?P<name>\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})['\u2019]s\b")
_NOT_NAMES = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "christmas", "present",
    }
)  # fmt: skip
_CATEGORY_IDS = frozenset(
    {
        "programming-languages", "frontend", "backend", "mobile-development", "databases",
        "cloud-devops", "it-administration", "data-ml", "cybersecurity", "testing-qa",
        "software-engineering", "embedded-hardware", "engineering-manufacturing",
        "game-development", "design", "business-management", "marketing",
        "sales-customer-success", "finance-accounting", "office-productivity",
        "writing-content", "education-training", "soft-skills", "spoken-languages",
    }
)  # fmt: skip
# Product names that are everyday words: written in lower case they are read as plain English.
PROSE_WORDS: Mapping[str, str] = {
    "excel": "microsoft-excel",
    "outlook": "microsoft-outlook",
    "notion": "notion",
    "slack": "slack",
    "unity": "unity",
    "swing": "swing",
    "processing": "processing",
    "drafting": "technical-drawing",
    "amplify": "aws-amplify",
    "eclipse": "eclipse",
    "assembly": "assembly",
    "shiny": "shiny",
    "bedrock": "amazon-bedrock",
    "windows": "microsoft-windows",
    "inventor": "autodesk-inventor",
    "sketch": "sketch",
    "framer": "framer",
    "flux": "flux-cd",
    "chroma": "chroma",
    "amplitude": "amplitude",
    "athena": "amazon-athena",
    "neptune": "amazon-neptune",
    "apex": "apex",
    "hack": "hack",
    "racket": "racket",
    "maven": "apache-maven",
    "vagrant": "vagrant",
    "mercurial": "mercurial",
    "editing": "editing",
    "translation": "translation",
    "transcription": "transcription",
    "typing": "typing",
    "backup": "backup-and-recovery",
    "onboarding": "onboarding",
    "purchasing": "procurement",
    "networking": "networking",
    "consulting": "management-consulting",
    "sales": "sales",
    "audit": "auditing",
    "privacy": "data-privacy",
}
_PROSE_WORD = re.compile(r"\b(?:" + "|".join(PROSE_WORDS) + r")\b")
_NOTICE_DURATION = re.compile(
    r"\b(?P<n>\d+|" + _SPELLED_WORD + r"|an?|one)\s*[- ]?(?P<unit>days?|weeks?|months?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Found:
    """A violation and where its claim starts in the sentence."""

    start: int
    violation: Violation


class GroundingChecker:
    """Finds the claims in generated text that the user's facts do not back."""

    def __init__(self, skills: SkillsFacade) -> None:
        self._skills = skills

    def check(
        self, text: str, facts: Facts, *, context: str = "", company: str = "", title: str = ""
    ) -> list[Violation]:
        """Every ungrounded claim in `text`, in order. `context` is the job posting (`company`
        its company's name, `title` its job title), which the text may name but not claim."""
        posting = _Posting.read(context, company, title)
        return [
            violation
            for line in _lines(text)
            for sentence in line.sentences
            for violation in self._check_sentence(sentence, line.bulleted, facts, posting)
        ]

    def filter_sentences(
        self, text: str, facts: Facts, *, context: str = "", company: str = "", title: str = ""
    ) -> tuple[str, list[tuple[str, list[Violation]]]]:
        """The text without its ungrounded sentences, and each removed sentence with why."""
        posting = _Posting.read(context, company, title)
        removed: list[tuple[str, list[Violation]]] = []
        kept_lines: list[str] = []
        for raw, line in zip(text.split("\n"), _lines(text), strict=True):
            kept: list[str] = []
            for sentence in line.sentences:
                violations = self._check_sentence(sentence, line.bulleted, facts, posting)
                if violations:
                    removed.append((sentence, violations))
                else:
                    kept.append(sentence)
            if len(kept) == len(line.sentences):
                kept_lines.append(raw)
            elif kept:
                kept_lines.append(line.prefix + " ".join(kept))
        cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept_lines)).strip("\n")
        if text.endswith("\n") and cleaned:
            cleaned += "\n"
        return cleaned, removed

    # -- one sentence --------------------------------------------------------------------------

    def _check_sentence(
        self, sentence: str, bulleted: bool, facts: Facts, posting: _Posting
    ) -> list[Violation]:
        about_user = _about_user(sentence, bulleted)
        consumed: list[tuple[int, int]] = []
        masked: list[tuple[int, int]] = []
        found: list[_Found] = []
        found += self._organisations(sentence, about_user, facts, posting, consumed, masked)
        found += self._credentials(sentence, about_user, facts, posting, consumed)
        found += self._notice(sentence, facts, consumed)
        found += self._years(sentence, about_user, facts, posting, masked, consumed)
        found += self._numbers(sentence, about_user, facts, posting, consumed)
        found += self._skill_claims(sentence, facts, masked)
        found.sort(key=lambda item: item.start)
        unique: dict[tuple[str, str, str], Violation] = {}
        for item in found:
            violation = item.violation
            key = (violation.kind, violation.claim.lower(), violation.message)
            unique.setdefault(key, violation)
        return list(unique.values())

    def _organisations(
        self,
        sentence: str,
        about_user: bool,
        facts: Facts,
        posting: _Posting,
        consumed: list[tuple[int, int]],
        masked: list[tuple[int, int]],
    ) -> list[_Found]:
        found: list[_Found] = []
        seen: list[tuple[int, int]] = []
        for strong, pattern in (
            (True, _EMPLOYER_CLAIM),
            (True, _JOINED_CLAIM),
            (True, _SCHOOL_CLAIM),
            (False, _AT_NAME),
        ):
            for match in pattern.finditer(sentence):
                span = match.span("name")
                if any(span[0] < end and start < span[1] for start, end in seen):
                    continue
                for name, start in _split_names(match.group("name"), span[0]):
                    if name.lower() in _NOT_NAMES:
                        continue
                    end = start + len(name)
                    verdict = self._organisation_verdict(
                        name, strong=strong, about_user=about_user, facts=facts, posting=posting
                    )
                    if verdict == "skill":
                        continue  # "at AWS scale": a skill, which the skill rule checks
                    seen.append((start, end))
                    masked.append((start, end))
                    consumed.append((start, end))
                    if verdict:
                        found.append(_Found(start, Violation("organisation", name, verdict)))
        masked += _names_in_passing(sentence, about_user, facts, posting)
        return found

    def _organisation_verdict(
        self, name: str, *, strong: bool, about_user: bool, facts: Facts, posting: _Posting
    ) -> str:
        """Why a name is not backed: "" when it is, "skill" when it names a skill rather than an
        organisation (the skill rule decides), else the violation's message."""
        if _org_known(name, facts.affiliations if strong else facts.organisations):
            return ""
        in_posting = posting.names(name)
        if not strong:
            # The user's own text puts them there ("Speaker at PyCon 2022").
            if re.search(rf"\bat\s+{re.escape(_fold(name))}(?!\w)", facts.text):
                return ""
            if in_posting and not about_user:
                return ""
            if not in_posting and self._skills.mentions(name):
                return "skill"
        if in_posting:
            return f"{name} is the company you are applying to, not one in your resume or profile"
        return f"{name} is not an employer or school in your resume or profile"

    def _credentials(
        self,
        sentence: str,
        about_user: bool,
        facts: Facts,
        posting: _Posting,
        consumed: list[tuple[int, int]],
    ) -> list[_Found]:
        found: list[_Found] = []
        for claim in _credential_claims(sentence):
            consumed.append((claim.start, claim.end))
            if not about_user and _fold(claim.raw) in posting.text:
                continue
            if not _credential_held(claim, facts.credentials):
                message = f"{claim.raw} is not among the degrees and certifications you listed"
                found.append(_Found(claim.start, Violation("credential", claim.raw, message)))
        return found

    def _notice(self, sentence: str, facts: Facts, consumed: list[tuple[int, int]]) -> list[_Found]:
        if not re.search(r"\bnotice\b", sentence, re.IGNORECASE):
            return []
        found: list[_Found] = []
        for match in _NOTICE_DURATION.finditer(sentence):
            consumed.append(match.span())
            word = match.group("n").lower()
            amount = 1 if word in {"a", "an", "one"} else _spelled_value(word)
            if amount is None:
                amount = int(word) if word.isdigit() else 0
            unit = match.group("unit").lower()
            days = facts.notice_period_days
            if days is not None and (
                (unit.startswith("day") and amount == days)
                or (unit.startswith("week") and amount * 7 == days)
                or (unit.startswith("month") and amount * 28 <= days <= amount * 31)
            ):
                continue
            stored = f"{days} days" if days is not None else "not in your profile"
            message = f"your notice period is {stored}"
            found.append(_Found(match.start(), Violation("number", match.group(0), message)))
        return found

    def _years(
        self,
        sentence: str,
        about_user: bool,
        facts: Facts,
        posting: _Posting,
        masked: list[tuple[int, int]],
        consumed: list[tuple[int, int]],
    ) -> list[_Found]:
        found: list[_Found] = []
        readable = _for_skills(_blank(sentence, masked))
        phrase_source = re.sub(r"\s+", " ", facts.text)
        for duration in _durations(sentence):
            if any(duration.start < end and start < duration.end for start, end in consumed):
                continue
            consumed.append((duration.start, duration.end))
            named = _skills_after(readable, duration.end, self._skills)
            claim_here = about_user or _EXPERIENCE_WORDS.search(sentence) is not None
            digits = [number.value for number in _numbers(duration.raw)]
            if not claim_here and digits and all(value in posting.numbers for value in digits):
                continue  # the posting's own figure ("3-5 years required"), quoted
            clause = sentence[duration.start : duration.end + 80].lower()
            if _phrase_backed(clause, phrase_source):
                continue
            for message in self._years_problems(duration, named, facts):
                found.append(_Found(duration.start, Violation("years", duration.raw, message)))
        return found

    def _years_problems(
        self, duration: _Duration, named: Sequence[SkillRef], facts: Facts
    ) -> list[str]:
        problems: list[str] = []
        checked = [ref for ref in named if not self._unchecked(ref.id)]
        if not checked:
            bound = _general_years(facts)
            if bound is None:
                problems.append("your resume and profile have no dated work experience")
            elif duration.years > bound:
                problems.append(f"your dated work experience adds up to {bound} years")
            return problems
        for ref in checked:
            bound_for_skill = self._skill_years(ref.id, ref.name, facts)
            if bound_for_skill is None:
                problems.append(f"your resume and profile do not say how long you used {ref.name}")
            elif duration.years > bound_for_skill:
                problems.append(
                    f"your resume and profile show {bound_for_skill:g} years of {ref.name}"
                )
        return problems

    def _skill_years(self, skill_id: str, name: str, facts: Facts) -> float | None:
        satisfies = self._skills.satisfies
        answered = [
            years
            for key, years in facts.years_by_skill.items()
            if key == name.lower() or satisfies([key], skill_id)
        ]
        if answered:
            # The answer bank is what the user confirmed: it wins over anything inferred.
            return max(answered)
        periods = [
            period
            for key, spans in facts.skill_periods.items()
            if satisfies([key], skill_id)
            for period in spans
        ]
        candidates = [
            years
            for key, years in facts.stated_years
            if key is not None and satisfies([key], skill_id)
        ]
        from_jobs = _years_of(periods)
        if from_jobs is not None:
            candidates.append(float(math.floor(from_jobs)))
        return max(candidates) if candidates else None

    def _numbers(
        self,
        sentence: str,
        about_user: bool,
        facts: Facts,
        posting: _Posting,
        consumed: list[tuple[int, int]],
    ) -> list[_Found]:
        found: list[_Found] = []
        claim_here = about_user or _MONEY_WORDS.search(sentence) is not None
        for number in _numbers(sentence):
            if any(number.start < end and start < number.end for start, end in consumed):
                continue
            if number.kind == "plain" and self._part_of_skill(sentence, number):
                continue
            if number.value in facts.numbers:
                continue
            if not claim_here and number.value in posting.numbers:
                continue
            if number.kind == "phone":
                message = f"{number.raw} is not your phone number"
            else:
                message = f"{number.raw} does not appear in your resume or profile"
            found.append(_Found(number.start, Violation("number", number.raw, message)))
        return found

    def _part_of_skill(self, sentence: str, number: _Number) -> bool:
        """Whether a number is a version or part of a skill's name ("Python 3.11", "SOC 2")."""
        if not re.fullmatch(r"\d+(?:\.\d+)*", number.raw):
            return False
        words_before = re.search(r"(?:[A-Za-z][\w#+./-]*\s+){1,3}$", sentence[: number.start])
        if words_before is None:
            return False
        words = words_before.group(0).split()
        if not words[-1][0].isupper():
            return False  # "by 40", "of 5"
        with_number = {ref.id for ref in self._skills.mentions(" ".join([*words, number.raw]))}
        if with_number != {ref.id for ref in self._skills.mentions(" ".join(words))}:
            return True
        return bool(self._skills.mentions(words[-1]))

    def _skill_claims(
        self, sentence: str, facts: Facts, masked: list[tuple[int, int]]
    ) -> list[_Found]:
        readable = _for_skills(_blank(sentence, masked))
        mentioned = self._skills.mentions(readable)
        if not mentioned:
            return []
        prose = _PROSE_WORD.sub(lambda match: " " * len(match.group(0)), readable)
        named_as_product = (
            {ref.id for ref in self._skills.mentions(prose)} if prose != readable else None
        )
        found: list[_Found] = []
        for ref in mentioned:
            if self._unchecked(ref.id):
                continue
            written_as_prose = (
                named_as_product is not None
                and ref.id in PROSE_WORDS.values()
                and ref.id not in named_as_product
            )
            if written_as_prose:
                continue
            if self._skills.satisfies(facts.skill_ids, ref.id):
                continue
            start, claim = self._locate(readable, ref)
            message = f"{ref.name} is not in your resume or profile"
            found.append(_Found(start, Violation("skill", claim, message)))
        return found

    def _unchecked(self, skill_id: str) -> bool:
        return skill_id in _CATEGORY_IDS or self._skills.satisfies([skill_id], "soft-skills")

    def _locate(self, text: str, ref: SkillRef) -> tuple[int, str]:
        """Where a mentioned skill is written, and how."""
        exact = re.search(rf"(?<!\w){re.escape(ref.name)}(?!\w)", text, re.IGNORECASE)
        if exact:
            return exact.start(), exact.group(0)
        words = list(re.finditer(r"[A-Za-z0-9](?:[A-Za-z0-9#+./-]*[A-Za-z0-9#+])?", text))
        for size in range(1, 5):
            for index in range(len(words) - size + 1):
                first, last = words[index], words[index + size - 1]
                window = text[first.start() : last.end()]
                if any(found.id == ref.id for found in self._skills.mentions(window)):
                    return first.start(), window
        return 0, ref.name


def _names_in_passing(
    sentence: str, about_user: bool, facts: Facts, posting: _Posting
) -> list[tuple[int, int]]:
    """Spans naming companies and people in passing, which are not skill claims: the posting's
    company ("join Stripe", "Stripe's mission"; in a sentence about the user's record, such as
    "Scaled Stripe integrations", the name is read as a skill), the person a letter greets and
    the user's own name ("Jane Doe" is no claim to know DOE)."""
    masked: list[tuple[int, int]] = []
    for match in _JOIN_NAME.finditer(sentence):
        if posting.names(match.group("name")) and not about_user:
            masked.append(match.span("name"))
    for match in _POSSESSIVE_NAME.finditer(sentence):
        name = match.group("name")
        if posting.names(name) or _org_known(name, facts.organisations):
            masked.append(match.span("name"))
    masked.extend(match.span("name") for match in _GREETING.finditer(sentence))
    for name in facts.person_names:
        masked.extend(match.span() for match in re.finditer(rf"\b{re.escape(name)}\b", sentence))
    if posting.company_pattern is not None and not about_user:
        masked.extend(match.span() for match in posting.company_pattern.finditer(sentence))
    # "I am applying for the Senior iOS Engineer role" names the job, it claims no iOS.
    if posting.title_pattern is not None and not about_user:
        masked.extend(match.span() for match in posting.title_pattern.finditer(sentence))
    return masked


def _split_names(name: str, start: int) -> Iterator[tuple[str, int]]:
    """The organisations in a captured name: "Globex and Initech" is two, and trailing
    punctuation or a possessive is not part of a name."""
    offset = 0
    for part in re.split(r"(\s+(?:and|&)\s+|,\s*)", name):
        if part and not re.fullmatch(r"\s+(?:and|&)\s+|,\s*", part):
            cleaned = re.sub(r"(?:['\u2019]s)?[.,'\u2019]*$", "", part)
            if cleaned:
                yield cleaned, start + offset
        offset += len(part)


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _phrase_backed(clause: str, source: str) -> bool:
    """Whether the user wrote this duration claim themselves, word for word up to the clause's
    end ("7 years of python")."""
    stop = _CLAUSE_END.search(clause)
    phrase = re.sub(r"\s+", " ", clause[: stop.start()] if stop else clause).strip()
    return len(phrase.split()) >= 3 and phrase in source


def _general_years(facts: Facts) -> int | None:
    stated = [years for key, years in facts.stated_years if key is None]
    known = [math.floor(facts.years_total)] if facts.years_total is not None else []
    known += [math.floor(years) for years in stated]
    return max(known) if known else None


def _credential_held(claim: _Credential, held: frozenset[str]) -> bool:
    if claim.kind == "degree":
        levels = {item.split(":")[1] for item in held if item.startswith("degree:")}
        if claim.level is not None and claim.level not in levels:
            return False
        if claim.level is None and not levels:
            return False
        if not claim.field:
            return True
        wanted = set(claim.field.split())
        for item in held:
            parts = item.split(":")
            if len(parts) != 3 or parts[0] != "degree":
                continue
            if claim.level is not None and parts[1] != claim.level:
                continue
            area = parts[2]
            if wanted <= set(area.split()) or claim.field == _initials(area):
                return True
        return False
    certificates = [item[5:] for item in held if item.startswith("cert:")]
    if claim.acronym:
        return claim.acronym in certificates
    if not claim.tokens:
        return bool(certificates)
    for certificate in certificates:
        if claim.tokens <= set(certificate.split()):
            return True
    return any(
        claim.tokens <= _cert_tokens(expansion) and acronym in certificates
        for acronym, expansion in _CERT_ACRONYMS.items()
    )

"""Screening questions answered from stored facts only.

Numbers (years, salary, notice period), legal answers (work authorization, sponsorship) and
EEO answers are read from the user's profile and answer bank and nowhere else: when the fact is
not stored, the answer is `needs_user_input`, never a guess, whichever writer is configured.
Only questions outside those kinds reach a writer (a language model, or nobody with the rules).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from jobpilot.ai.grounding import Facts
from jobpilot.users.public import SkillsFacade

Kind = Literal[
    "eeo",
    "sponsorship",
    "work_authorization",
    "years",
    "salary",
    "notice",
    "relocation",
    "contact",
    "custom",
    "free_text",
]
Status = Literal["answered", "needs_user_input"]

# Countries a question may name (by the names applicants meet in forms), to ISO codes.
_COUNTRIES = {
    "united states": "US", "u.s.": "US", "usa": "US", "us": "US", "america": "US",
    "united kingdom": "GB", "uk": "GB", "u.k.": "GB", "britain": "GB", "england": "GB",
    "canada": "CA", "germany": "DE", "france": "FR", "netherlands": "NL", "ireland": "IE",
    "spain": "ES", "italy": "IT", "portugal": "PT", "poland": "PL", "sweden": "SE",
    "denmark": "DK", "norway": "NO", "finland": "FI", "switzerland": "CH", "austria": "AT",
    "belgium": "BE", "australia": "AU", "new zealand": "NZ", "india": "IN", "singapore": "SG",
    "japan": "JP", "brazil": "BR", "mexico": "MX", "israel": "IL", "european union": "EU",
    "eu": "EU",
}  # fmt: skip
_COUNTRY = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(n) for n in sorted(_COUNTRIES, key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
_EEO = {
    "veteran_status": re.compile(r"\bveteran|military service|protected veteran", re.I),
    "disability_status": re.compile(r"\bdisabilit", re.I),
    "race_ethnicity": re.compile(r"\brace\b|ethnic|hispanic|latin[oax]", re.I),
    "gender": re.compile(r"\bgender\b|\bsex\b|pronoun", re.I),
}


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.I)


_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("sponsorship", _any("sponsor", r"\bvisa\b", r"\bh-?1b\b")),
    (
        "work_authorization",
        _any(r"authori[sz]ed to work", r"legally (?:authori[sz]ed|eligible|permitted|able)",
             "right to work", "eligible to work", "work permit", "permitted to work"),
    ),
    ("years", _any("how many years", r"years of (?:professional |relevant |work )?experience",
                   "years (?:have you|of)")),
    ("salary", _any("salary", "compensation", r"pay (?:expectation|range)", "desired pay",
                    "expected pay", "rate expectation")),
    ("notice", _any("notice period", "when can you start", "start date", "available to start",
                    "earliest start", "availability to start")),
    ("relocation", _any("relocat")),
)  # fmt: skip
_CONTACT = (
    ("first_name", re.compile(r"^\s*(?:legal )?first name\b", re.I)),
    ("last_name", re.compile(r"^\s*(?:legal )?(?:last name|surname|family name)\b", re.I)),
    ("name", re.compile(r"^\s*(?:full |legal )?name\b", re.I)),
    ("email", re.compile(r"^\s*e-?mail(?: address)?\b", re.I)),
    ("phone", re.compile(r"^\s*(?:phone|mobile|telephone)(?: number)?\b", re.I)),
    ("linkedin", re.compile(r"linkedin", re.I)),
    ("github", re.compile(r"github", re.I)),
    ("portfolio", re.compile(r"^\s*(?:website|portfolio|personal site)\b", re.I)),
)
_DECLINE = re.compile(
    r"decline|don'?t wish|do not wish|prefer not|choose not|not to (?:say|answer)", re.I
)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset((
    "a", "an", "the", "to", "of", "in", "on", "for", "and", "or", "you", "your", "do", "are",
    "is", "be", "have", "has", "with", "what", "why", "how", "when", "which", "would", "will",
    "can", "could", "please", "describe", "tell", "us", "about", "this", "that",
))  # fmt: skip
# A stored custom answer is used when its question shares this much of the wording.
_SAME_QUESTION = 0.5
_CLEARLY_SAME_QUESTION = 0.8


@dataclass(frozen=True)
class Question:
    """A screening question as a form asks it; `options` when it is a choice."""

    text: str
    id: str | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answered:
    """The answer to one question, where it came from, or why the user must answer it."""

    kind: Kind
    status: Status
    answer: str | None = None
    source: str | None = None
    reason: str | None = None


def _needs(kind: Kind, reason: str) -> Answered:
    return Answered(kind, "needs_user_input", reason=reason)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _similarity(a: str, b: str) -> float:
    left, right = _words(a), _words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _choose(answer: str, options: tuple[str, ...], kind: Kind) -> Answered | str:
    """The option that says `answer` (a `needs_user_input` when none does)."""
    if not options:
        return answer
    lowered = answer.strip().lower()
    for option in options:
        if option.strip().lower() == lowered:
            return option
    if lowered in {"yes", "no"}:
        for option in options:
            if re.match(rf"\s*{lowered}\b", option, re.I):
                return option
    if kind == "eeo" and _DECLINE.search(answer):
        for option in options:
            if _DECLINE.search(option):
                return option
    for option in options:
        if lowered and (lowered in option.lower() or option.strip().lower() in lowered):
            return option
    return _needs(kind, f"Your stored answer ({answer}) is not one of the options.")


def _years_option(years: int, options: tuple[str, ...]) -> str | None:
    """The range option ("3-5", "5+", "Less than 1") that holds `years`."""
    for option in options:
        numbers = [int(n) for n in re.findall(r"\d+", option)]
        if not numbers:
            continue
        if re.search(r"less than|under|<", option, re.I):
            if years < numbers[0]:
                return option
        elif "+" in option or re.search(r"or more|more than|over", option, re.I):
            if years >= numbers[0]:
                return option
        elif (len(numbers) >= 2 and numbers[0] <= years <= numbers[1]) or numbers == [years]:
            return option
    return None


class ScreeningAnswers:
    """Answers the kinds of screening questions that only stored facts may answer."""

    def __init__(self, skills: SkillsFacade) -> None:
        self._skills = skills

    def kind(self, question: Question) -> Kind:
        """What a question asks about (`free_text` when it is none of the fact kinds)."""
        text = question.text
        if any(p.search(text) for p in _EEO.values()):
            return "eeo"
        for kind, pattern in _PATTERNS:
            if pattern.search(text):
                return kind
        if any(p.search(text) for _, p in _CONTACT):
            return "contact"
        return "free_text"

    def answer(
        self,
        question: Question,
        profile: dict[str, Any] | None,
        facts: Facts,
        posting_countries: list[str],
    ) -> Answered | None:
        """The answer from stored facts, a `needs_user_input`, or None when the question is
        free text that no stored answer covers (a writer may draft one)."""
        profile = profile or {}
        bank = profile.get("answer_bank") or {}
        custom = self._custom(question, bank, _CLEARLY_SAME_QUESTION)
        if custom is not None:
            return custom
        kind = self.kind(question)
        if kind == "eeo":
            return self._eeo(question, bank)
        if kind in {"sponsorship", "work_authorization"}:
            return self._authorization(question, kind, profile, posting_countries)
        if kind == "years":
            return self._years(question, facts)
        if kind == "salary":
            return self._salary(question, profile)
        if kind == "notice":
            return self._notice(question, profile)
        if kind == "relocation":
            value = bank.get("willing_to_relocate")
            if value is None:
                return _needs(kind, "Whether you would relocate is not in your answer bank.")
            return self._final(
                question, kind, "Yes" if value else "No", "answer_bank.willing_to_relocate"
            )
        if kind == "contact":
            return self._contact(question, profile)
        return self._custom(question, bank, _SAME_QUESTION)

    def _final(self, question: Question, kind: Kind, answer: str, source: str) -> Answered:
        chosen = _choose(answer, question.options, kind)
        if isinstance(chosen, Answered):
            return chosen
        return Answered(kind, "answered", chosen, source)

    def _custom(
        self, question: Question, bank: dict[str, Any], threshold: float
    ) -> Answered | None:
        best: tuple[float, int] | None = None
        for i, item in enumerate(bank.get("custom") or []):
            score = _similarity(question.text, str(item.get("question", "")))
            if score >= threshold and (best is None or score > best[0]):
                best = (score, i)
        if best is None:
            return None
        stored = str(bank["custom"][best[1]]["answer"])
        return self._final(question, "custom", stored, f"answer_bank.custom[{best[1]}]")

    def _eeo(self, question: Question, bank: dict[str, Any]) -> Answered:
        eeo = bank.get("eeo") or {}
        field = next(name for name, p in _EEO.items() if p.search(question.text))
        value = str(eeo.get(field) or "decline_to_answer")
        if value == "decline_to_answer":
            answer = "I don't wish to answer"
        else:
            answer = {"not_a_veteran": "I am not a protected veteran", "veteran": "Yes"}.get(
                value, value.replace("_", " ")
            )
            if field == "disability_status":
                answer = {"yes": "Yes", "no": "No"}.get(value, answer)
        return self._final(question, "eeo", answer, f"answer_bank.eeo.{field}")

    def _authorization(
        self, question: Question, kind: Kind, profile: dict[str, Any], posting_countries: list[str]
    ) -> Answered:
        named = _COUNTRY.search(question.text)
        if named is not None:
            country = _COUNTRIES[named.group(1).lower()]
        elif len(posting_countries) == 1:
            country = posting_countries[0]
        else:
            return _needs(kind, "The question does not say for which country.")
        entries = {
            str(entry.get("country_code", "")).upper(): entry
            for entry in profile.get("work_authorization") or []
        }
        entry = entries.get(country)
        if entry is None:
            return _needs(kind, f"Your work authorization for {country} is not in your profile.")
        if kind == "sponsorship":
            needs = bool(entry.get("needs_sponsorship"))
            source = f"work_authorization.{country}.needs_sponsorship"
            return self._final(question, kind, "Yes" if needs else "No", source)
        source = f"work_authorization.{country}.authorized"
        return self._final(question, kind, "Yes" if entry.get("authorized") else "No", source)

    def _years(self, question: Question, facts: Facts) -> Answered:
        named = self._skills.mentions(question.text)
        if named:
            skill = named[0]
            years = facts.years_by_skill.get(skill.id, facts.years_by_skill.get(skill.name.lower()))
            if years is None:
                return _needs("years", f"Your years of {skill.name} are not in your answer bank.")
            source = f"answer_bank.years_by_skill.{skill.name}"
        else:
            if facts.years_total is None:
                return _needs("years", "Your resume has no dated work history to count from.")
            years, source = facts.years_total, "resume.work (dated jobs)"
        whole = math.floor(years)
        if question.options:
            option = _years_option(whole, question.options)
            if option is None:
                return _needs("years", f"No option holds your {whole} years.")
            return Answered("years", "answered", option, source)
        return Answered("years", "answered", str(whole), source)

    def _salary(self, question: Question, profile: dict[str, Any]) -> Answered:
        salary = profile.get("salary")
        if not salary:
            return _needs("salary", "Your salary expectation is not in your profile.")
        low, high = int(salary["min"]), int(salary["max"])
        span = f"{low:,}" if low == high else f"{low:,}-{high:,}"
        answer = f"{salary['currency']} {span} per {salary.get('period') or 'year'}"
        if question.options:
            return _needs("salary", "Pick the range that holds " + answer + ".")
        return Answered("salary", "answered", answer, "profile.salary")

    def _notice(self, question: Question, profile: dict[str, Any]) -> Answered:
        days = profile.get("notice_period_days")
        if days is None:
            return _needs("notice", "Your notice period is not in your profile.")
        answer = "Immediately" if days == 0 else f"{days} days' notice"
        if question.options:
            return _needs("notice", f"Pick the option that fits {answer}.")
        return Answered("notice", "answered", answer, "profile.notice_period_days")

    def _contact(self, question: Question, profile: dict[str, Any]) -> Answered:
        field = next(name for name, p in _CONTACT if p.search(question.text))
        name = str(profile.get("name") or "").strip()
        contact = profile.get("contact") or {}
        links = profile.get("links") or {}
        parts = name.split()
        value = {
            "first_name": parts[0] if parts else None,
            "last_name": parts[-1] if len(parts) > 1 else None,
            "name": name or None,
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "linkedin": links.get("linkedin"),
            "github": links.get("github"),
            "portfolio": links.get("portfolio"),
        }[field]
        if not value:
            return _needs("contact", f"Your {field.replace('_', ' ')} is not in your profile.")
        return Answered("contact", "answered", str(value), f"profile.{field}")

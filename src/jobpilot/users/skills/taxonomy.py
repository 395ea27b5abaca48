"""The skill taxonomy shipped with JobPilot: a tree of canonical skills with aliases.

The data lives in ``taxonomy.json`` beside this module (provenance in ``SOURCES.md``). It is read
once per process, validated, and indexed so that lookups and autocomplete never rescan text.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

__all__ = ["Skill", "Taxonomy", "TaxonomyError", "skill_key"]

_DATA_FILE = "taxonomy.json"
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Symbols that tell skills apart ("C", "C#", "C++", "F#", "R&D") are spelled out before the
# rest of the punctuation is dropped, so they survive normalisation.
_SPELLED_SYMBOLS = str.maketrans({"#": "sharp", "+": "plus", "&": "and"})
_SEPARATORS = re.compile(r"[\W_]+")


def _folded(text: str) -> str:
    """The text without case or accents, with the symbols that tell skills apart spelled out."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = decomposed.casefold()
    if "#" in folded or "+" in folded or "&" in folded:
        folded = folded.translate(_SPELLED_SYMBOLS)
    return folded


def _spaced_key(text: str) -> str:
    """The text folded to lowercase words of letters and digits, one space between words."""
    return _SEPARATORS.sub(" ", _folded(text)).strip()


def skill_key(text: str) -> str:
    """The matching key of a skill name or alias: case, spacing, accents and punctuation removed.

    "Node.js", "nodejs" and "node js" share a key; "C#", "C++" and "C" keep three distinct ones.
    """
    return _spaced_key(text).replace(" ", "")


def _word_suffixes(spaced: str) -> list[str]:
    """A spaced key read from each of its words on: "python web frameworks" gives itself,
    "web frameworks" and "frameworks"."""
    words = spaced.split(" ")
    return [" ".join(words[start:]) for start in range(len(words))]


# -- reading skills out of free text -------------------------------------------------------------
#
# Free text is split into words that keep the symbols telling skills apart (C#, C++, Node.js,
# R&D, a leading dot in .NET). A name or alias is matched on one word or on neighbouring words,
# but words are only joined where the name itself has a gap: "node js" reads as Node.js (written
# "Node.js"), while "I am" never reads as IAM, "it's an" as SAN or "that's so" as SSO.
#
# A one-word match on a short name or an everyday word must be written as the data writes it
# (IAM, Go, Excel; all capitals also do for names that are not acronyms: GO, EXCEL), so "Doe" is
# not DOE and "excel at" is not Excel. An everyday word that opens a sentence and runs on into
# plain words ("Excel at ...", "React to ...", "Go to market") is not taken as a name. Written
# otherwise ("excel", "sql"), it still counts as an item of a list next to a skill ("Python,
# excel and sql") or as a line of its own (a resume's skill keyword).

_WORD = re.compile(r"(?:(?<![\w.])\.)?[^\W_][\w#+]*(?:[.&][\w#+]+)*")
# What may stand between two words of one name: spaces, a slash, a hyphen, "&" (read as "and"),
# or a comma where the name has one ("Governance, risk and compliance").
_JOINING_GAP = re.compile(r"\s+|\s*[/&,]\s*|-")
# What separates the items of a list.
_LIST_GAP = re.compile(r"\s*(?:[,;/|()\[\]&]\s*)+(?:(?:and|or)\s+)?|\s+(?:and|or)\s+", re.I)
_ITEM_OPENERS = frozenset(",;:/|([&\n•·")
_ITEM_CLOSERS = frozenset(",;:/|)]&.!?\n")
_SENTENCE_END = frozenset(".!?:;\n")
_CONJUNCTIONS = frozenset({"and", "or"})

# Names that are also everyday English words or common first names: written in lower case, or
# opening a sentence before plain words, they are read as English.
_EVERYDAY_WORDS = """
    ada ant bun elm gin go pug ray tax
    airflow amplify amplitude angular apex apollo assembly athena audit aurora backbone backup
    bamboo batch bedrock blade blender boost bootstrap caddy capacitor celery chef chroma
    composer confluence consul consulting crystal cucumber cypher cypress dart drafting eagle
    eclipse electron elixir ember excel express fedora flask flutter flux framer gatsby grails
    gremlin groovy grunt gulp hack hana handlebars helm hive hugo iceberg illustrator intercom
    inventor ionic jade jasmine jekyll jest jetpack kong lambda less liquid locust loki looker
    make maven maya mercurial mermaid messaging mocha mongoose mustache neptune networking node
    nomad notion octave onboarding outlook packer parcel parquet pinecone playwright poetry
    polish posh postman prefect prettier privacy pulsar puppet puppeteer purchasing pyramid
    racket rails rancher razor react remix rest rollup ruby rust safe salt sanity sass scheme
    sentry shell shiny sketch slack snowflake soap solid spark spice spring storybook stripe
    stylus subversion superset swagger swift swing tableau tailwind tornado twig typing unity
    unreal vagrant varnish vault velocity windows workday yarn yolo zephyr
"""
_EVERYDAY = frozenset(_EVERYDAY_WORDS.split())
# Names that read as something else even when capitalised ("Black, Indigenous ...", "Phoenix,
# AZ", "Data Processing Agreement"): they count only as a list item or a line of their own.
_IN_LISTS_ONLY = frozenset({"black", "phoenix", "processing"})
# Aliases kept for normalising a skill's name, never read out of free text ("free coffee").
_NEVER_IN_TEXT = frozenset({"coffee"})
# Lower-case aliases whose capitalised form is another acronym (MD, UV, PIP, TS/SCI, ADA).
_NOT_IN_CAPITALS = frozenset(
    {"ada", "bat", "ftl", "hbs", "md", "pip", "rb", "rs", "rst", "sh", "ts", "uv"}
)
# Plain words that may follow a name opening a sentence ("Excel skills", "React developers").
_NAME_FOLLOWER_WORDS = """
    api apis app apps application applications certification certified cluster clusters code
    codebase components dashboards developer developers development ecosystem engineer
    engineering engineers experience expert expertise experts framework frameworks hooks
    integration integrations jobs knowledge libraries library macros modules pipeline pipelines
    proficiency programming project projects queries reports scripting scripts sdk services
    skill skills spreadsheets stack users version versions workbooks
"""
_NAME_FOLLOWERS = frozenset(_NAME_FOLLOWER_WORDS.split())
# Words before a one-letter name that make the letter a label ("Series C", "Vitamin D").
_LETTER_LABEL_WORDS = """
    appendix block category class exhibit form grade group item level model option part phase
    plan round schedule section series stage tier type unit vitamin
"""
_LETTER_LABELS = frozenset(_LETTER_LABEL_WORDS.split())

# How a one-word match must be written.
_ANY_CASE, _AS_WRITTEN, _EVERYDAY_WORD, _LISTS_ONLY, _NEVER = range(5)
# How sure a match is: a name, an everyday word that a list or line may still make a name, none.
_YES, _MAYBE, _NO = range(3)


class _Form(NamedTuple):
    """A name or alias as free text is matched against it."""

    skill_id: str
    written: str  # as the data writes it: "Go", "IAM", ".NET"
    cuts: Mapping[int, bool]  # where (offset in the key) words may split it, True if at a comma
    rule: int  # how a one-word match must be written
    lowercase_brand: bool  # the skill's own name, in lower case ("dbt", "npm", "uv")
    capitals_ok: bool  # all capitals also count ("GO", "EXCEL", "JS")


def _form(skill: Skill, written: str, key: str) -> _Form:
    folded = _folded(written)
    pieces = list(_PIECE.finditer(folded))
    cuts: dict[int, bool] = {}
    offset = 0
    for left, right in itertools.pairwise(pieces):
        offset += len(left.group())
        cuts[offset] = "," in folded[left.end() : right.start()]
    if key in _NEVER_IN_TEXT:
        rule = _NEVER
    elif key in _IN_LISTS_ONLY:
        rule = _LISTS_ONLY
    elif key in _EVERYDAY:
        rule = _EVERYDAY_WORD
    elif len(key) <= 3 and not any(char.isdigit() for char in key):
        rule = _AS_WRITTEN
    else:
        rule = _ANY_CASE
    return _Form(
        skill_id=skill.id,
        written=written.lstrip("."),
        cuts=cuts,
        rule=rule,
        lowercase_brand=written == skill.name and written.islower(),
        capitals_ok=key not in _NOT_IN_CAPITALS,
    )


_PIECE = re.compile(r"[^\W_]+")


def _word_key(word: str) -> str:
    if word.isascii() and word.isalnum():
        return word.lower()
    return skill_key(word)


def _joining_gap(gap: str) -> str | None:
    """How a gap between two words may join them into one name: " ", "," or "&", else None."""
    if gap == " ":
        return " "
    if _JOINING_GAP.fullmatch(gap) is None:
        return None
    if "&" in gap:
        return "&"
    return "," if "," in gap else " "


class _Reading:
    """The words of one text, and what one-word matches need to know about their neighbours."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = list(_WORD.finditer(text))

    def gap_before(self, index: int) -> str | None:
        """The text between a word and the one before it; None for the first word."""
        if index == 0:
            return None
        return self.text[self.words[index - 1].end() : self.words[index].start()]

    def gap_after(self, index: int) -> str | None:
        """The text between a word and the one after it; None for the last word."""
        if index + 1 >= len(self.words):
            return None
        return self.text[self.words[index].end() : self.words[index + 1].start()]

    def word(self, index: int) -> str:
        return self.words[index].group()

    def how_sure(self, form: _Form, index: int) -> int:
        """Whether a one-word match is a name (_YES), may be one in a list (_MAYBE), or not."""
        if form.rule == _ANY_CASE:
            return _YES
        if form.rule == _NEVER:
            return _NO
        if form.rule == _LISTS_ONLY:
            return _MAYBE
        word = self.word(index)
        if word.startswith("."):
            return _YES  # ".NET", ".net": the dot makes it a name
        if _written_as(word, form):
            if len(word) == 1:
                return _YES if self._letter_is_name(index) else _NO
            if form.rule == _EVERYDAY_WORD and self._opens_a_phrase(index):
                return _MAYBE
            return _YES
        return _MAYBE if word.islower() else _NO

    def _letter_is_name(self, index: int) -> bool:
        """A one-letter name ("C", "R") is not part of "C-level", "USB-C" or "Series C"."""
        match = self.words[index]
        text = self.text
        if (
            text[match.start() - 1 : match.start()] == "-"
            or text[match.end() : match.end() + 1] == "-"
        ):
            return False
        return index == 0 or self.word(index - 1).lower() not in _LETTER_LABELS

    def _opens_a_phrase(self, index: int) -> bool:
        """Whether a capitalised everyday word opens a sentence and runs on into a plain word,
        as in "Excel at ...", "Go to market", "Spark joy"."""
        word = self.word(index)
        if not word[0].isupper() or word.isupper():
            return False
        before = self.gap_before(index)
        if before is not None and not any(char in _SENTENCE_END for char in before):
            return False
        after = self.gap_after(index)
        if after is None or not after.isspace() or "\n" in after:
            return False
        following = self.word(index + 1)
        return following[0].islower() and following.lower() not in _NAME_FOLLOWERS

    def is_item(self, index: int) -> bool:
        """Whether a word stands alone between list separators, sentence ends or line ends."""
        before, after = self.gap_before(index), self.gap_after(index)
        opens = (
            before is None
            or any(char in _ITEM_OPENERS for char in before)
            or self.word(index - 1).lower() in _CONJUNCTIONS
        )
        closes = (
            after is None
            or any(char in _ITEM_CLOSERS for char in after)
            or self.word(index + 1).lower() in _CONJUNCTIONS
        )
        return opens and closes

    def is_line(self, index: int) -> bool:
        """Whether a word is a line of its own (or all that follows a colon on its line)."""
        before, after = self.gap_before(index), self.gap_after(index)
        return (before is None or "\n" in before or ":" in before) and (
            after is None or "\n" in after
        )


def _written_as(word: str, form: _Form) -> bool:
    """Whether a word is written as the data writes a name: "Go" or "GO" for Go, "IAM" for IAM,
    "dbt" for dbt; a lower-case alias ("js") only in capitals ("JS")."""
    written = form.written
    if word == written:
        return form.lowercase_brand or not written.islower()
    return form.capitals_ok and word.isupper() and word == written.upper()


class TaxonomyError(ValueError):
    """The taxonomy data is malformed: a missing parent, a cycle, a clashing alias, ..."""


@dataclass(frozen=True, slots=True)
class Skill:
    """One canonical skill: a stable id, its display name, its parent's id and its aliases."""

    id: str
    name: str
    parent: str | None
    aliases: tuple[str, ...] = ()


class _SearchEntry(NamedTuple):
    """What autocomplete compares a query with, computed once per skill."""

    skill: Skill
    name_key: str  # the whole name, joined: "pythonwebframeworks"
    word_prefixes: tuple[str, ...]  # later words of the name, every word of each alias, spaced
    alias_keys: tuple[str, ...]  # each whole alias, joined
    spaced_forms: tuple[str, ...]  # name and aliases, spaced, for substring matches
    sort_key: tuple[int, str, str]


class Taxonomy:
    """A validated, indexed skill tree. Build it with :meth:`load` (the shipped data)."""

    def __init__(self, skills: Iterable[Skill], *, version: str = "") -> None:
        self.version = version
        self._skills: dict[str, Skill] = {}
        for skill in skills:
            _check_skill(skill)
            if skill.id in self._skills:
                raise TaxonomyError(f"skill id {skill.id!r} appears twice")
            self._skills[skill.id] = skill

        self._children: dict[str, list[str]] = {}
        for skill in self._skills.values():
            if skill.parent is None:
                continue
            if skill.parent not in self._skills:
                raise TaxonomyError(f"skill {skill.id!r} has unknown parent {skill.parent!r}")
            self._children.setdefault(skill.parent, []).append(skill.id)
        for ids in self._children.values():
            ids.sort(key=lambda skill_id: self._skills[skill_id].name.casefold())

        self._ancestors: dict[str, tuple[str, ...]] = {}
        for skill_id in self._skills:
            self._ancestors[skill_id] = self._walk_up(skill_id)
        self._ancestor_sets = {key: frozenset(chain) for key, chain in self._ancestors.items()}

        self._by_key: dict[str, str] = {}
        self._forms: dict[str, _Form] = {}
        prefixes: set[str] = set()
        entries: list[_SearchEntry] = []
        for skill in self._skills.values():
            texts = (skill.name, *skill.aliases)
            spaced_forms = tuple(_spaced_key(text) for text in texts)
            keys = [form.replace(" ", "") for form in spaced_forms]
            for text, key in zip(texts, keys, strict=True):
                if not key:
                    raise TaxonomyError(f"skill {skill.id!r} has an empty name or alias {text!r}")
                owner = self._by_key.get(key)
                if owner is not None:
                    raise TaxonomyError(
                        f"{text!r} of skill {skill.id!r} clashes with a name or alias of {owner!r}"
                    )
                self._by_key[key] = skill.id
                self._forms[key] = _form(skill, text, key)
                prefixes.update(key[:end] for end in range(1, len(key) + 1))
            word_prefixes = _word_suffixes(spaced_forms[0])[1:]
            for form in spaced_forms[1:]:
                word_prefixes.extend(_word_suffixes(form))
            entries.append(
                _SearchEntry(
                    skill=skill,
                    name_key=keys[0],
                    word_prefixes=tuple(dict.fromkeys(word_prefixes)),
                    alias_keys=tuple(keys[1:]),
                    spaced_forms=spaced_forms,
                    sort_key=(len(skill.name), skill.name.casefold(), skill.id),
                )
            )
        self._entries = tuple(sorted(entries, key=lambda entry: entry.sort_key))
        # Every start of a key, so that reading free text stops joining words early.
        self._prefixes = frozenset(prefixes)

    # -- building --------------------------------------------------------------------------

    @classmethod
    def load(cls) -> Taxonomy:
        """The taxonomy shipped with JobPilot, read and validated once per process."""
        return _load_shipped()

    @classmethod
    def from_json(cls, text: str | bytes) -> Taxonomy:
        """Parse and validate a document shaped like ``taxonomy.json``."""
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise TaxonomyError(f"taxonomy is not valid JSON: {exc}") from exc
        if not isinstance(document, Mapping):
            raise TaxonomyError("taxonomy must be a JSON object")
        version = document.get("version")
        raw_skills = document.get("skills")
        if not isinstance(version, str) or not isinstance(raw_skills, list):
            raise TaxonomyError('taxonomy needs a string "version" and a list "skills"')
        return cls((_skill_from_json(raw) for raw in raw_skills), version=version)

    def _walk_up(self, skill_id: str) -> tuple[str, ...]:
        chain: list[str] = []
        seen = {skill_id}
        parent = self._skills[skill_id].parent
        while parent is not None:
            if parent in seen:
                raise TaxonomyError(f"skill {skill_id!r} is part of a parent cycle via {parent!r}")
            seen.add(parent)
            known = self._ancestors.get(parent)
            if known is not None:
                # The parent's chain was already walked, so it is acyclic and ends at a root.
                chain.append(parent)
                chain.extend(known)
                break
            chain.append(parent)
            parent = self._skills[parent].parent
        return tuple(chain)

    # -- lookups ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills.values())

    def __contains__(self, skill_id: object) -> bool:
        return skill_id in self._skills

    def get(self, skill_id: str) -> Skill | None:
        """The skill with this id, or None."""
        return self._skills.get(skill_id)

    def normalise(self, text: str) -> Skill | None:
        """The skill whose name or alias matches the text, ignoring case, spaces and punctuation."""
        skill_id = self._by_key.get(skill_key(text))
        return None if skill_id is None else self._skills[skill_id]

    def mentions(self, text: str) -> list[Skill]:
        """The skills free text names ("5 years of Python and FastAPI"), each once, in order.

        Names and aliases are matched on words, the longest first at each word, and are only
        read across a gap between words where the name has one ("Ruby on Rails", "node js";
        never "I am" as IAM). A short name or an everyday word on its own must be written as a
        name ("Go", "IAM", "Excel"), so "go to market", "Jane Doe" or "I excel at" name no
        skill; written in lower case it still counts in a list next to another skill ("python,
        excel") or as a line of its own.
        """
        reading = _Reading(text)
        words = reading.words
        keys = [_word_key(match.group()) for match in words]
        forms, prefixes = self._forms, self._prefixes
        found: list[tuple[int, int, str]] = []  # first word, last word, skill id
        sureness: list[int] = []
        index, count = 0, len(words)
        while index < count:
            best: _Form | None = None
            best_last = last = index
            key = keys[index]
            cuts: list[tuple[int, str]] = []  # (offset in the key, gap) where words were joined
            while key in prefixes:
                form = forms.get(key)
                if form is not None and all(
                    (at_comma := form.cuts.get(offset)) is not None and (gap != "," or at_comma)
                    for offset, gap in cuts
                ):
                    best, best_last = form, last
                last += 1
                if last == count:
                    break
                gap = _joining_gap(text[words[last - 1].end() : words[last].start()])
                if gap is None:
                    break
                if gap == "&":
                    cuts.append((len(key), " "))
                    key += "and"
                cuts.append((len(key), gap if gap == "," else " "))
                key += keys[last]
            if best is None:
                index += 1
                continue
            sure = _YES if best_last > index else reading.how_sure(best, index)
            if sure != _NO:
                found.append((index, best_last, best.skill_id))
                sureness.append(sure)
            index = best_last + 1
        if _MAYBE in sureness:
            _settle(reading, found, sureness)
        named: dict[str, Skill] = {}
        for (_first, _last, skill_id), sure in zip(found, sureness, strict=True):
            if sure == _YES:
                named.setdefault(skill_id, self._skills[skill_id])
        return list(named.values())

    def roots(self) -> list[Skill]:
        """The top-level skills (those without a parent), by name."""
        found = [skill for skill in self._skills.values() if skill.parent is None]
        return sorted(found, key=lambda skill: skill.name.casefold())

    def children(self, skill_id: str) -> list[Skill]:
        """The direct children of a skill, by name. Raises KeyError for an unknown id."""
        self._require(skill_id)
        return [self._skills[child] for child in self._children.get(skill_id, ())]

    def ancestors(self, skill_id: str) -> list[Skill]:
        """The parent, grandparent, ... of a skill, nearest first. Raises KeyError if unknown."""
        self._require(skill_id)
        return [self._skills[ancestor] for ancestor in self._ancestors[skill_id]]

    def descendants(self, skill_id: str) -> list[Skill]:
        """Every skill below this one, depth first, siblings by name. Raises KeyError if unknown."""
        self._require(skill_id)
        found: list[Skill] = []
        stack = list(reversed(self._children.get(skill_id, ())))
        while stack:
            current = stack.pop()
            found.append(self._skills[current])
            stack.extend(reversed(self._children.get(current, ())))
        return found

    def has_skill_or_descendant(self, owned_ids: Iterable[str], wanted: str) -> bool:
        """Whether someone owning ``owned_ids`` has ``wanted`` or a more specific skill under it.

        Owning FastAPI satisfies a wish for Python; owning Python does not satisfy FastAPI.
        Unknown owned ids (say, retired from a later taxonomy) only ever match themselves.
        """
        for owned in owned_ids:
            if owned == wanted or wanted in self._ancestor_sets.get(owned, ()):
                return True
        return False

    def expand_with_ancestors(self, skill_ids: Iterable[str]) -> set[str]:
        """The given ids plus every ancestor of each; unknown ids are kept as they are."""
        expanded: set[str] = set()
        for skill_id in skill_ids:
            expanded.add(skill_id)
            expanded.update(self._ancestors.get(skill_id, ()))
        return expanded

    def search(self, query: str, limit: int = 10) -> list[Skill]:
        """Autocomplete: the exact name or alias, then prefix matches, then substring matches.

        Prefix matches whose name starts with the query come before those matching another
        word of the name or an alias ("java": JavaFX before JVM, alias "Java Virtual Machine").
        Shorter names first within each group; a one-character query matches prefixes only.
        """
        spaced = _spaced_key(query)
        joined = spaced.replace(" ", "")
        if not joined or limit <= 0:
            return []
        exact_id = self._by_key.get(joined)
        name_prefixed: list[Skill] = []
        word_prefixed: list[Skill] = []
        contained: list[Skill] = []
        allow_substring = len(joined) > 1
        for entry in self._entries:
            if entry.skill.id == exact_id:
                continue
            if entry.name_key.startswith(joined):
                name_prefixed.append(entry.skill)
            elif any(word.startswith(spaced) for word in entry.word_prefixes) or any(
                alias.startswith(joined) for alias in entry.alias_keys
            ):
                word_prefixed.append(entry.skill)
            elif allow_substring and any(spaced in form for form in entry.spaced_forms):
                contained.append(entry.skill)
        ranked = name_prefixed + word_prefixed + contained
        if exact_id is not None:
            ranked.insert(0, self._skills[exact_id])
        return ranked[:limit]

    def _require(self, skill_id: str) -> None:
        if skill_id not in self._skills:
            raise KeyError(skill_id)


def _settle(reading: _Reading, found: list[tuple[int, int, str]], sureness: list[int]) -> None:
    """Decide the everyday words left in doubt: an item of a list next to a named skill, or a
    line of its own, is a name; anything else is English."""
    for position, (first, _last, _skill_id) in enumerate(found):
        if sureness[position] == _MAYBE:
            if not reading.is_item(first):
                sureness[position] = _NO
            elif reading.is_line(first):
                sureness[position] = _YES
    words, text = reading.words, reading.text
    changed = True
    while changed:  # "go, rust, Python": Python makes rust a name, and rust then makes go one
        changed = False
        for position, sure in enumerate(sureness):
            if sure != _MAYBE:
                continue
            for neighbour in (position - 1, position + 1):
                if not 0 <= neighbour < len(found) or sureness[neighbour] != _YES:
                    continue
                before, after = sorted((position, neighbour))
                gap = text[words[found[before][1]].end() : words[found[after][0]].start()]
                if _LIST_GAP.fullmatch(gap):
                    sureness[position] = _YES
                    changed = True
                    break


def _check_skill(skill: Skill) -> None:
    if not _ID_PATTERN.fullmatch(skill.id):
        raise TaxonomyError(f"skill id {skill.id!r} is not a lowercase slug")
    if skill.parent == skill.id:
        raise TaxonomyError(f"skill {skill.id!r} is its own parent")


def _skill_from_json(raw: Any) -> Skill:
    if not isinstance(raw, Mapping):
        raise TaxonomyError(f"skill entry {raw!r} is not an object")
    skill_id, name, parent = raw.get("id"), raw.get("name"), raw.get("parent")
    aliases = raw.get("aliases", [])
    if not isinstance(skill_id, str) or not isinstance(name, str):
        raise TaxonomyError(f"skill entry {raw!r} needs a string id and name")
    if parent is not None and not isinstance(parent, str):
        raise TaxonomyError(f"skill {skill_id!r} has a non-string parent")
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise TaxonomyError(f"skill {skill_id!r} needs a list of string aliases")
    return Skill(id=skill_id, name=name, parent=parent, aliases=tuple(aliases))


@functools.cache
def _load_shipped() -> Taxonomy:
    text = resources.files(__package__ or "jobpilot.users.skills").joinpath(_DATA_FILE).read_bytes()
    return Taxonomy.from_json(text)

"""The skill taxonomy shipped with JobPilot: a tree of canonical skills with aliases.

The data lives in ``taxonomy.json`` beside this module (provenance in ``SOURCES.md``). It is read
once per process, validated, and indexed so that lookups and autocomplete never rescan text.
"""

from __future__ import annotations

import functools
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


def _spaced_key(text: str) -> str:
    """The text folded to lowercase words of letters and digits, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = decomposed.casefold()
    if "#" in folded or "+" in folded or "&" in folded:
        folded = folded.translate(_SPELLED_SYMBOLS)
    return _SEPARATORS.sub(" ", folded).strip()


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


# Words of free text, keeping the symbols that tell skills apart (C#, C++, Node.js, CI/CD).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9#+.]*[A-Za-z0-9#+]|[A-Za-z0-9]")
_MAX_MENTION_WORDS = 4
# Skill names that are also everyday English words.
_EVERYDAY_WORDS = """
    go rust ruby swift shell spring express chef puppet salt dart make less sass ant scheme
    elixir crystal pig hive flask bottle falcon rocket camel gin koa bun deno nest next nuxt
    remix ember backbone meteor polymer alpine lit solid vue react angular jest mocha chai
    cypress gatsby hugo jekyll ansible terraform vault consul nomad packer docker helm istio
    linkerd kafka spark storm flink beam airflow luigi dagster prefect
"""
_EVERYDAY = frozenset(_EVERYDAY_WORDS.split())


def _stands_out(token: str) -> bool:
    """Whether a one-word match is clearly a name: long and unusual, or capitalised."""
    key = skill_key(token)
    if len(key) > 3 and key not in _EVERYDAY:
        return True
    return any(char.isupper() or char.isdigit() or char in "#+" for char in token)


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

        Names and aliases of up to four words are matched, the longest first at each word. A
        one-word match that is short or an everyday word ("Go", "R", "Rust", "Shell") must be
        capitalised in the text, so "go to market" or "a rust-proof shell" name no skill.
        """
        tokens = _TOKEN.findall(text)
        found: dict[str, Skill] = {}
        i = 0
        while i < len(tokens):
            for n in range(min(_MAX_MENTION_WORDS, len(tokens) - i), 0, -1):
                words = tokens[i : i + n]
                skill_id = self._by_key.get(skill_key(" ".join(words)))
                if skill_id is not None and (n > 1 or _stands_out(words[0])):
                    found.setdefault(skill_id, self._skills[skill_id])
                    i += n
                    break
            else:
                i += 1
        return list(found.values())

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

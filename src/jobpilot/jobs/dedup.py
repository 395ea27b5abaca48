"""Telling when two listings are the same job.

A job listed on two boards, or reposted under a new id, keeps its company, its title and its
place, and nearly all of its description. `dedup_key` groups candidates cheaply (company +
normalised title + place); `similarity` then compares descriptions (Jaccard over word 4-grams),
so two different openings that share a title and a city stay two postings.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from jobpilot.jobs.normalise import NormalisedPosting

_WORD = re.compile(r"\w+")
_SHINGLE = 4
_MAX_WORDS = 3000


def _place(posting: NormalisedPosting) -> str:
    location = posting.location
    if location is None or not (location.city or location.country):
        return posting.workplace or ""
    return f"{(location.city or '').lower()}|{location.country or ''}"


def dedup_key(company_id: uuid.UUID, posting: NormalisedPosting) -> str:
    """The key postings that may be the same job share."""
    text = f"{company_id}|{posting.title_normalised}|{_place(posting)}"
    return hashlib.sha256(text.encode()).hexdigest()


def shingles(text: str) -> set[int]:
    """Hashes of the word 4-grams of `text` (its first 3,000 words)."""
    words = _WORD.findall(text.lower())[:_MAX_WORDS]
    if len(words) < _SHINGLE:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i : i + _SHINGLE])) for i in range(len(words) - _SHINGLE + 1)}


def similarity(a: str, b: str) -> float:
    """How alike two descriptions are, 0 to 1 (0 when either is empty)."""
    left, right = shingles(a), shingles(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def content_hash(posting: NormalisedPosting) -> str:
    """A hash of everything a user sees of the posting (changes when the board edits it)."""
    fields: dict[str, Any] = {
        "company": posting.company_name,
        "title": posting.title,
        "department": posting.department,
        "employment_type": posting.employment_type,
        "workplace": posting.workplace,
        "locations": [loc.text for loc in posting.locations],
        "salary": None if posting.salary is None else list(vars(posting.salary).values()),
        "description": posting.description_html,
        "url": posting.url,
        "apply_url": posting.apply_url,
        # An estimate ("Posted 3 Days Ago") moves every day; it is not an edit.
        "posted_at": (
            posting.posted_at.isoformat()
            if posting.posted_at and not posting.posted_estimated
            else None
        ),
        "updated_at": posting.updated_at.isoformat() if posting.updated_at else None,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

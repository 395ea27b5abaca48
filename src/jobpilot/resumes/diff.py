"""What changed between two versions of a resume: by section, by entry, by field, and a text
diff of bullets.

Entries of a list section are paired by what identifies them (a job by company and position,
a degree by institution and area…), so reordering or inserting a job shows as a move or an
addition, not as every later job changing.
"""

from __future__ import annotations

import difflib
from typing import Any

from jobpilot.resumes.schema import SECTIONS

# The fields that name an entry of each section.
_IDENTITY = {
    "work": ("name", "position"),
    "volunteer": ("organization", "position"),
    "education": ("institution", "area", "studyType"),
    "awards": ("title",),
    "certificates": ("name",),
    "publications": ("name",),
    "skills": ("name",),
    "languages": ("language",),
    "interests": ("name",),
    "references": ("name",),
    "projects": ("name",),
}
_TEXT_LISTS = ("highlights", "keywords", "courses", "roles")


def _label(section: str, entry: dict[str, Any]) -> str:
    parts = [str(entry.get(field) or "") for field in _IDENTITY[section]]
    return " — ".join(p for p in parts if p) or "(unnamed)"


def _key(section: str, entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(entry.get(field) or "").strip().lower() for field in _IDENTITY[section])


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for field in sorted(set(before) | set(after)):
        if field in _TEXT_LISTS:
            continue
        old, new = before.get(field), after.get(field)
        if old != new:
            changes.append({"field": field, "from": old, "to": new})
    return changes


def _list_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in _TEXT_LISTS:
        old = [str(x) for x in before.get(field) or []]
        new = [str(x) for x in after.get(field) or []]
        if old == new:
            continue
        out[field] = {
            "added": [x for x in new if x not in old],
            "removed": [x for x in old if x not in new],
            "diff": list(difflib.unified_diff(old, new, lineterm="", n=1))[2:],
        }
    return out


def _section_diff(section: str, old: list[Any], new: list[Any]) -> dict[str, Any] | None:
    before = [e for e in old if isinstance(e, dict)]
    after = [e for e in new if isinstance(e, dict)]
    unmatched = list(range(len(before)))
    added, changed = [], []
    for position, entry in enumerate(after):
        match = next(
            (i for i in unmatched if _key(section, before[i]) == _key(section, entry)), None
        )
        if match is None:
            added.append({"entry": _label(section, entry), "position": position, "value": entry})
            continue
        unmatched.remove(match)
        fields = _field_changes(before[match], entry)
        lists = _list_changes(before[match], entry)
        moved = match != position
        if fields or lists or moved:
            item: dict[str, Any] = {"entry": _label(section, entry), "fields": fields, **lists}
            if moved:
                item["moved"] = {"from": match, "to": position}
            changed.append(item)
    removed = [{"entry": _label(section, before[i]), "value": before[i]} for i in unmatched]
    if not (added or removed or changed):
        return None
    return {"section": section, "added": added, "removed": removed, "changed": changed}


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flat(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The changes from `old` to `new` (two JSON Resume documents)."""
    basics_old = _flat(old.get("basics") or {})
    basics_new = _flat(new.get("basics") or {})
    basics = [
        {"field": field, "from": basics_old.get(field), "to": basics_new.get(field)}
        for field in sorted(set(basics_old) | set(basics_new))
        if basics_old.get(field) != basics_new.get(field)
    ]
    sections = []
    for section in SECTIONS:
        found = _section_diff(section, old.get(section) or [], new.get(section) or [])
        if found is not None:
            sections.append(found)
    known = {"basics", *SECTIONS}
    extra = [
        {"field": key, "from": old.get(key), "to": new.get(key)}
        for key in sorted((set(old) | set(new)) - known)
        if old.get(key) != new.get(key)
    ]
    return {
        "basics": basics,
        "sections": sections,
        "other": extra,
        "unchanged": not (basics or sections or extra),
    }

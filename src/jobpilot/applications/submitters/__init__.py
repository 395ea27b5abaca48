"""Submitters: one per ATS behind one port (`base.Submitter`)."""

from __future__ import annotations

from jobpilot.applications.submitters.sites import PROFILES

# ATSs with a candidate API JobPilot applies through (no browser).
API_ATS: frozenset[str] = frozenset({"recruitee"})


def submittable(ats: str) -> bool:
    """Whether auto-apply can send (or, at an account wall, park) applications to `ats`."""
    return ats in API_ATS or ats in PROFILES

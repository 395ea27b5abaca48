"""One place recognises any careers URL."""

from __future__ import annotations

import pytest

from jobpilot.jobs.ats.registry import ADAPTERS, adapter, detect


@pytest.mark.parametrize(
    ("url", "ats", "tenant"),
    [
        ("https://boards.greenhouse.io/codepath/jobs/4426096007", "greenhouse", "codepath"),
        (
            "https://jobs.lever.co/palantir/6ed76ce8-4156-4b60-b120-403538bd66cd/apply",
            "lever",
            "palantir",
        ),
        ("https://jobs.ashbyhq.com/lightdash", "ashby", "lightdash"),
        ("https://avidbots.bamboohr.com/careers", "bamboohr", "avidbots"),
        ("https://radishlab.recruitee.com/", "recruitee", "radishlab"),
        ("https://apply.workable.com/kroo/", "workable", "kroo"),
        (
            "https://jobs.smartrecruiters.com/Gousto1/744000005631445-product-manager",
            "smartrecruiters",
            "Gousto1",
        ),
    ],
)
def test_detect_finds_the_ats_and_tenant(url: str, ats: str, tenant: str) -> None:
    found = detect(url)
    assert found is not None
    assert found[0].name == ats
    assert found[1].tenant == tenant


def test_unknown_sites_and_names() -> None:
    assert detect("https://example.com/careers") is None
    assert adapter("greenhouse") is not None
    assert adapter("myspace") is None
    assert len({a.name for a in ADAPTERS}) == len(ADAPTERS) == 18

"""Normalising what ATSs say: places, pay, descriptions, dates, titles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.jobs.normalise import (
    Location,
    employment_type_of,
    html_to_text,
    normalise_posting,
    normalise_title,
    parse_location,
    parse_relative_date,
    parse_salary,
    sanitise_html,
    seniority_of,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlin, Germany", ("Berlin", None, "DE", None)),
        ("Austin, TX", ("Austin", "TX", "US", None)),
        ("New York, NY, United States", ("New York", "NY", "US", None)),
        ("London, England, United Kingdom", ("London", "England", "GB", None)),
        ("Uxbridge, UK", ("Uxbridge", None, "GB", None)),
        ("Hybrid - Toronto, ON", ("Toronto", "ON", "CA", "hybrid")),
        ("Remote - US", (None, None, "US", "remote")),
        ("Remote (EMEA)", (None, None, None, "remote")),
        ("São Paulo, Brazil", ("São Paulo", None, "BR", None)),
        ("On-site, Paris, France", ("Paris", None, "FR", "onsite")),
        ("Remote job", (None, None, None, "remote")),
    ],
)
def test_locations(text: str, expected: tuple[str | None, ...]) -> None:
    place: Location = parse_location(text)
    assert (place.city, place.region, place.country, place.workplace) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$120,000 – $150,000 per year", (120_000, 150_000, "USD", "year")),
        ("€60k-75k", (60_000, 75_000, "EUR", "year")),
        ("45 - 55 USD/hour", (45, 55, "USD", "hour")),
        ("£40.000 - £50.000", (40_000, 50_000, "GBP", "year")),
        ("Salary: 85.000 - 95.000 EUR annually", (85_000, 95_000, "EUR", "year")),
        ("CAD 5,000 to 6,500 per month", (5_000, 6_500, "CAD", "month")),
        ("$95,000—$115,000 CAD", (95_000, 115_000, "CAD", "year")),
    ],
)
def test_salaries(text: str, expected: tuple[object, ...]) -> None:
    pay = parse_salary(text)
    assert pay is not None
    assert (pay.min, pay.max, pay.currency, pay.period) == expected


@pytest.mark.parametrize(
    "text", ["2 - 3 years of experience", "Team of 5-10 people", "no pay here"]
)
def test_numbers_that_are_not_pay(text: str) -> None:
    assert parse_salary(text) is None


def test_descriptions_are_sanitised() -> None:
    dirty = (
        '<p onclick="steal()" style="color:red">Hello<script>alert(1)</script>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">bad</a>'
        '<a href="https://example.com/job">good</a></p><iframe src="https://evil"></iframe>'
    )
    clean = sanitise_html(dirty)
    for banned in ("script", "onclick", "onerror", "style", "javascript:", "iframe", "<img"):
        assert banned not in clean
    assert 'href="https://example.com/job"' in clean
    assert ">Hello<" in clean


def test_plain_text_keeps_paragraphs_and_bullets() -> None:
    text = html_to_text(
        "<h2>About</h2><p>We build <b>things</b> &amp; more.</p>"
        "<ul><li>Python</li><li>SQL</li></ul>"
    )
    assert text == "About\nWe build things & more.\n• Python\n• SQL"


def test_relative_dates() -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert parse_relative_date("Posted Today", now) == now
    assert parse_relative_date("Posted Yesterday", now) == now - timedelta(days=1)
    assert parse_relative_date("Posted 30+ Days Ago", now) == now - timedelta(days=30)
    assert parse_relative_date("2 weeks ago", now) == now - timedelta(days=14)
    assert parse_relative_date("sometime", now) is None


@pytest.mark.parametrize(
    ("title", "level", "normalised"),
    [
        ("Sr. Software Engineer (Remote) - Payments", "senior", "senior software engineer"),
        (
            "Software Engineering Intern, Summer 2025",
            "intern",
            "software engineering intern summer 2025",
        ),
        ("Staff Data Engineer", "staff", "staff data engineer"),
        ("Head of Product", "director", "head of product"),
        ("Backend Engineer", None, "backend engineer"),
        ("C# Developer", None, "c# developer"),
    ],
)
def test_titles(title: str, level: str | None, normalised: str) -> None:
    assert seniority_of(title) == level
    assert normalise_title(title) == normalised


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Full-time", "full_time"),
        ("FULL_TIME", "full_time"),
        ("fulltime_permanent", "full_time"),
        ("parttime_permanent", "part_time"),
        ("Contractor", "contract"),
        ("Internship", "internship"),
        ("Temporary", "temporary"),
        ("Whenever", None),
    ],
)
def test_employment_types(text: str, kind: str | None) -> None:
    assert employment_type_of(text) == kind


@pytest.mark.parametrize(
    ("period", "low", "expected"),
    [
        ("per-hour-wage", 1231, "hour"),
        ("1 YEAR", 90_000, "year"),
        ("MONTHLY", 4_000, "month"),
        (None, 45, "hour"),
        (None, 90_000, "year"),
    ],
)
def test_structured_pay_periods(period: str | None, low: float, expected: str) -> None:
    posting = AtsPosting(
        ats="lever",
        tenant="acme",
        source_id="1",
        title="Analyst",
        salary_min=low,
        salary_max=low * 1.2,
        salary_currency="inr",
        salary_period=period,
    )
    pay = normalise_posting(posting, datetime(2026, 11, 1, tzinfo=UTC)).salary
    assert pay is not None
    assert (pay.period, pay.currency) == (expected, "INR")


def test_a_posting_without_a_title_is_refused() -> None:
    with pytest.raises(ValueError, match="no title"):
        normalise_posting(
            AtsPosting(ats="lever", tenant="acme", source_id="1", title=" "),
            datetime(2026, 11, 1, tzinfo=UTC),
        )

"""Synthetic companies and job postings, emitted as the listing bodies real ATS boards serve.

`generate` streams `SyntheticBoard`s: made-up companies (on the reserved `.example` TLD) whose
boards live on Greenhouse, Lever, Ashby, Recruitee, SmartRecruiters, Workable, Teamtailor,
Personio, Workday, Breezy HR and BambooHR. Each board carries the response bodies of that
ATS's public listing endpoint, page by page and in the exact shape the real endpoint answers
(the captured samples under `shared/fixtures/ats/` are the reference), so the real adapters
parse them as they would a live board. The same seed and `now` always give the same bytes.

The data is meant to look like a real job market: titles built from disciplines and seniority
words, departments, real cities with their countries (and remote/hybrid roles), employment
types in each ATS's own vocabulary, pay on about 40% of postings (structured where the ATS has
fields, a line in the description otherwise), descriptions of 150-600 words, posting dates over
the 60 days before `now`, and de-duplication material: postings listed again on a company's
second board, and reposts of a job under a new id on the same board (`Duplicate`).
"""

from __future__ import annotations

import html
import json
import random
import re
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any, Literal
from xml.sax.saxutils import escape as xml_escape

from jobpilot.jobs.ats.base import BoardRef

ATS_NAMES = (
    "greenhouse",
    "lever",
    "ashby",
    "recruitee",
    "smartrecruiters",
    "workable",
    "teamtailor",
    "personio",
    "workday",
    "breezy",
    "bamboohr",
)
# ATSs whose listing body carries each posting's description.
WITH_DESCRIPTION = frozenset(
    {"greenhouse", "lever", "ashby", "recruitee", "workable", "teamtailor", "personio"}
)
CROSS_BOARD_RATE = 0.04
REPOST_RATE = 0.02
PAY_RATE = 0.40
# ATSs whose listing body has no place for pay (no pay field, no description).
_NO_PAY = frozenset({"smartrecruiters", "workday", "bamboohr"})
POSTING_WINDOW = timedelta(days=60)

# Page sizes of the paged listing endpoints (what the adapters request).
_PAGE_SIZE = {"lever": 100, "smartrecruiters": 100, "workday": 20}
# Largest board each paged ATS serves in full (Workday refuses deep offsets; the adapters stop
# after 100 pages of Lever/SmartRecruiters); bigger boards go to an ATS that answers at once.
_BOARD_CAP = {"lever": 9_000, "smartrecruiters": 9_000, "workday": 4_500}
_ATS_WEIGHTS = {
    "greenhouse": 24.0,
    "lever": 16.0,
    "ashby": 12.0,
    "workable": 9.0,
    "recruitee": 7.0,
    "teamtailor": 6.0,
    "personio": 5.0,
    "smartrecruiters": 5.0,
    "workday": 4.0,
    "breezy": 4.0,
    "bamboohr": 4.0,
}
_SECOND_BOARD_ATS = ("greenhouse", "lever", "ashby", "workable", "recruitee", "teamtailor")


# --- Public results -------------------------------------------------------------------------


@dataclass(frozen=True)
class PostingKey:
    """One posting as a board lists it."""

    ats: str
    tenant: str
    source_id: str


@dataclass(frozen=True)
class Duplicate:
    """Two listings of one job: on a company's second board, or reposted on the same board.

    `copy` is the later listing: a cross-board copy has the same title and location and a
    lightly edited description; a repost has a later date and a near-identical description.
    """

    kind: Literal["cross_board", "repost"]
    original: PostingKey
    copy: PostingKey


@dataclass(frozen=True)
class SyntheticBoard:
    """One company's board on one ATS, with the listing endpoint's response bodies."""

    ats: str
    tenant: str
    company_name: str
    website: str
    careers_url: str
    payloads: list[str]
    posting_count: int
    industry: str = ""
    # Where the tenant lives when the ATS has several hosts (Workday shards, Teamtailor and
    # Personio sites) and Workday's site name, as `registry.detect(careers_url)` reports them.
    host: str | None = None
    site: str | None = None
    # Ids of the postings the payloads list, each once, in listing order.
    source_ids: tuple[str, ...] = ()
    # Listings on this board that repeat a job listed earlier (here or on a previous board).
    duplicates: tuple[Duplicate, ...] = ()

    def board_ref(self) -> BoardRef:
        """The board as the adapters address it."""
        return BoardRef(ats=self.ats, tenant=self.tenant, host=self.host, site=self.site)


def expected_duplicates(boards: Iterable[SyntheticBoard]) -> list[Duplicate]:
    """Every duplicate listing among `boards` (cross-board copies and reposts)."""
    return [duplicate for board in boards for duplicate in board.duplicates]


# --- Places and money -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Country:
    """A country jobs are in: its currency, market, local pay level and remote labels."""

    iso: str
    name: str
    currency: str
    market: str
    # Local pay for a role paying 1.0 in the US, in local currency.
    pay_factor: float
    remote_labels: tuple[str, ...]


_COUNTRIES = {
    c.iso: c
    for c in (
        _Country("US", "United States", "USD", "US", 1.0, ("Remote - US", "Remote (US)")),
        _Country("CA", "Canada", "CAD", "CA", 0.95, ("Remote - Canada", "Remote (Canada)")),
        _Country("GB", "United Kingdom", "GBP", "UK", 0.55, ("Remote - UK", "Remote (UK)")),
        _Country("DE", "Germany", "EUR", "EU", 0.58, ("Remote - Germany", "Remote (EMEA)")),
        _Country("NL", "Netherlands", "EUR", "EU", 0.58, ("Remote - Netherlands", "Remote (EU)")),
        _Country("FR", "France", "EUR", "EU", 0.52, ("Remote - France", "Remote (EMEA)")),
        _Country("IE", "Ireland", "EUR", "EU", 0.62, ("Remote - Ireland", "Remote (EMEA)")),
        _Country("ES", "Spain", "EUR", "EU", 0.42, ("Remote - Spain", "Remote (Europe)")),
        _Country("SE", "Sweden", "SEK", "EU", 5.8, ("Remote - Sweden", "Remote (EMEA)")),
        _Country("DK", "Denmark", "DKK", "EU", 4.4, ("Remote - Denmark", "Remote (Europe)")),
        _Country("PT", "Portugal", "EUR", "EU", 0.33, ("Remote - Portugal", "Remote (EU)")),
        _Country("PL", "Poland", "PLN", "EU", 1.6, ("Remote - Poland", "Remote (EMEA)")),
        _Country("CH", "Switzerland", "CHF", "EU", 0.85, ("Remote - Switzerland",)),
        _Country("IN", "India", "INR", "IN", 22.0, ("Remote - India", "Remote (India)")),
        _Country("SG", "Singapore", "SGD", "APAC", 0.95, ("Remote - Singapore", "Remote (APAC)")),
        _Country("AU", "Australia", "AUD", "APAC", 1.05, ("Remote - Australia", "Remote (APAC)")),
    )
}


@dataclass(frozen=True)
class _Place:
    """A city with an office: region, country, time zone and local pay level."""

    city: str
    # Two-letter state/province code in the US and Canada, the region's name elsewhere.
    region: str
    region_name: str
    country: _Country
    utc_offset: int
    pay_factor: float
    postal_code: str

    @property
    def display(self) -> str:
        """ "Austin, TX", "Toronto, ON", "London, United Kingdom"."""
        if self.country.iso in ("US", "CA"):
            return f"{self.city}, {self.region}"
        return f"{self.city}, {self.country.name}"


def _places() -> dict[str, list[_Place]]:
    """The cities offices are in, by country code."""
    rows = (
        ("San Francisco", "CA", "California", "US", -8, 1.12, "94105"),
        ("New York", "NY", "New York", "US", -5, 1.1, "10011"),
        ("Austin", "TX", "Texas", "US", -6, 0.97, "78701"),
        ("Seattle", "WA", "Washington", "US", -8, 1.08, "98104"),
        ("Boston", "MA", "Massachusetts", "US", -5, 1.04, "02110"),
        ("Chicago", "IL", "Illinois", "US", -6, 0.98, "60606"),
        ("Denver", "CO", "Colorado", "US", -7, 0.96, "80202"),
        ("Atlanta", "GA", "Georgia", "US", -5, 0.93, "30303"),
        ("Los Angeles", "CA", "California", "US", -8, 1.05, "90017"),
        ("Raleigh", "NC", "North Carolina", "US", -5, 0.9, "27601"),
        ("Portland", "OR", "Oregon", "US", -8, 0.94, "97204"),
        ("Miami", "FL", "Florida", "US", -5, 0.92, "33131"),
        ("Salt Lake City", "UT", "Utah", "US", -7, 0.9, "84101"),
        ("Pittsburgh", "PA", "Pennsylvania", "US", -5, 0.9, "15222"),
        ("Minneapolis", "MN", "Minnesota", "US", -6, 0.92, "55402"),
        ("Washington", "DC", "District of Columbia", "US", -5, 1.02, "20005"),
        ("San Diego", "CA", "California", "US", -8, 1.0, "92101"),
        ("Nashville", "TN", "Tennessee", "US", -6, 0.9, "37203"),
        ("Phoenix", "AZ", "Arizona", "US", -7, 0.9, "85004"),
        ("Columbus", "OH", "Ohio", "US", -5, 0.88, "43215"),
        ("Toronto", "ON", "Ontario", "CA", -5, 1.0, "M5V 2T6"),
        ("Vancouver", "BC", "British Columbia", "CA", -8, 0.98, "V6B 1A1"),
        ("Montreal", "QC", "Quebec", "CA", -5, 0.92, "H3B 1A7"),
        ("Waterloo", "ON", "Ontario", "CA", -5, 0.93, "N2L 3G1"),
        ("London", "England", "England", "GB", 0, 1.1, "EC2A 4NE"),
        ("Manchester", "England", "England", "GB", 0, 0.9, "M1 3BN"),
        ("Edinburgh", "Scotland", "Scotland", "GB", 0, 0.9, "EH2 2ER"),
        ("Bristol", "England", "England", "GB", 0, 0.9, "BS1 4DJ"),
        ("Cambridge", "England", "England", "GB", 0, 0.95, "CB2 1RH"),
        ("Berlin", "Berlin", "Berlin", "DE", 1, 1.0, "10115"),
        ("Munich", "Bavaria", "Bavaria", "DE", 1, 1.08, "80331"),
        ("Hamburg", "Hamburg", "Hamburg", "DE", 1, 1.0, "20095"),
        ("Cologne", "North Rhine-Westphalia", "North Rhine-Westphalia", "DE", 1, 0.95, "50667"),
        ("Frankfurt", "Hesse", "Hesse", "DE", 1, 1.04, "60311"),
        ("Amsterdam", "North Holland", "North Holland", "NL", 1, 1.02, "1017 CE"),
        ("Rotterdam", "South Holland", "South Holland", "NL", 1, 0.95, "3011 AD"),
        ("Utrecht", "Utrecht", "Utrecht", "NL", 1, 0.95, "3511 LX"),
        ("Paris", "Ile-de-France", "Ile-de-France", "FR", 1, 1.08, "75002"),
        ("Lyon", "Auvergne-Rhone-Alpes", "Auvergne-Rhone-Alpes", "FR", 1, 0.92, "69002"),
        ("Dublin", "Leinster", "Leinster", "IE", 0, 1.0, "D02 X285"),
        ("Madrid", "Community of Madrid", "Community of Madrid", "ES", 1, 1.0, "28010"),
        ("Barcelona", "Catalonia", "Catalonia", "ES", 1, 1.0, "08010"),
        ("Stockholm", "Stockholm County", "Stockholm County", "SE", 1, 1.0, "111 57"),
        ("Copenhagen", "Capital Region", "Capital Region", "DK", 1, 1.0, "1200"),
        ("Lisbon", "Lisbon", "Lisbon", "PT", 0, 1.0, "1100-148"),
        ("Warsaw", "Masovia", "Masovian Voivodeship", "PL", 1, 1.05, "00-001"),
        ("Krakow", "Lesser Poland", "Lesser Poland Voivodeship", "PL", 1, 0.97, "31-011"),
        ("Zurich", "Zurich", "Zurich", "CH", 1, 1.0, "8001"),
        ("Bengaluru", "Karnataka", "Karnataka", "IN", 5, 1.05, "560001"),
        ("Hyderabad", "Telangana", "Telangana", "IN", 5, 1.0, "500081"),
        ("Pune", "Maharashtra", "Maharashtra", "IN", 5, 0.95, "411001"),
        ("Singapore", "Singapore", "Singapore", "SG", 8, 1.0, "018989"),
        ("Sydney", "NSW", "New South Wales", "AU", 10, 1.02, "2000"),
        ("Melbourne", "VIC", "Victoria", "AU", 10, 0.98, "3000"),
    )
    by_country: dict[str, list[_Place]] = {}
    for city, region, region_name, iso, offset, factor, postal in rows:
        place = _Place(city, region, region_name, _COUNTRIES[iso], offset, factor, postal)
        by_country.setdefault(iso, []).append(place)
    return by_country


_PLACES = _places()
# Where companies have their headquarters, by weight.
_HQ_WEIGHTS = {
    "US": 48.0,
    "GB": 12.0,
    "DE": 10.0,
    "CA": 6.0,
    "NL": 4.0,
    "FR": 4.0,
    "IN": 5.0,
    "IE": 2.0,
    "ES": 2.0,
    "SE": 2.0,
    "DK": 1.0,
    "PL": 1.0,
    "PT": 1.0,
    "CH": 1.0,
    "AU": 1.0,
}
# Second offices a company in each market tends to open.
_EXPANSION = {
    "US": ("US", "US", "US", "CA", "GB", "IN", "DE"),
    "CA": ("CA", "CA", "US", "US", "GB"),
    "UK": ("GB", "GB", "DE", "NL", "US", "IE", "PL"),
    "EU": ("DE", "NL", "FR", "ES", "PL", "PT", "GB", "SE"),
    "IN": ("IN", "IN", "SG", "US", "GB"),
    "APAC": ("AU", "SG", "IN", "US"),
}
_SYMBOLS = {"USD": "$", "GBP": "\u00a3", "EUR": "\u20ac", "INR": "\u20b9"}


@dataclass(frozen=True)
class _Pay:
    """A pay range as a posting states it, and the ways ATSs write it."""

    low: int
    high: int
    currency: str
    period: Literal["year", "hour"]
    equity: bool
    style: int

    def range_text(self) -> str:
        """ "$120,000 - $150,000 per year", "CAD 95,000 - 115,000 per year"."""
        unit = "per year" if self.period == "year" else "per hour"
        symbol = _SYMBOLS.get(self.currency)
        if symbol:
            return f"{symbol}{self.low:,} - {symbol}{self.high:,} {unit}"
        return f"{self.currency} {self.low:,} - {self.high:,} {unit}"

    def line(self) -> str:
        """The sentence a description states the pay in."""
        text = self.range_text()
        if self.style == 0:
            return f"Salary: {text}"
        if self.style == 1:
            return f"Salary range: {text}"
        if self.style == 2:
            extra = ", plus equity" if self.equity else ""
            return f"Compensation: {text}{extra}"
        return f"The base salary range for this role is {text}."

    def short(self, dash: str) -> str:
        """ "$120K - $150K" as Ashby summarises pay."""
        symbol = _SYMBOLS.get(self.currency, f"{self.currency} ")
        if self.period == "hour":
            return f"{symbol}{self.low} {dash} {symbol}{self.high} per hour"
        low, high = _thousands(self.low), _thousands(self.high)
        return f"{symbol}{low}K {dash} {symbol}{high}K"


def _thousands(amount: int) -> str:
    """`amount` in thousands, without a needless decimal ("120", "92.5")."""
    value = amount / 1000
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


# --- Disciplines and text banks -------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """The comma-separated items of `text`."""
    return tuple(item.strip() for item in text.split(","))


@dataclass(frozen=True)
class _Discipline:
    """A line of work: its titles, skills, pay level, team names and ad text."""

    key: str
    weight: float
    family: Literal["eng", "biz"]
    department: str
    # Base titles, each with the skill it names (mentioned first in the text), if any.
    titles: tuple[tuple[str, str | None], ...]
    # Main languages or tools (one of them leads the ad), then the rest of the skill bank.
    core: tuple[str, ...]
    skills: tuple[str, ...]
    # US mid-level base salary.
    base_pay: int
    noun: str
    reports: str
    teams: tuple[str, ...]
    manager_titles: tuple[str, ...]
    director_titles: tuple[str, ...]
    intern_title: str
    intros: tuple[str, ...]
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    # SmartRecruiters `function`, Personio `occupationCategory`, Workday job family.
    function: tuple[str, str]
    job_family: str


_DISCIPLINES: tuple[_Discipline, ...] = (
    _Discipline(
        key="backend",
        weight=12,
        family="eng",
        department="Engineering",
        titles=(
            ("Backend Engineer", None),
            ("Software Engineer, Backend", None),
            ("Backend Developer", None),
            ("Python Engineer", "Python"),
            ("Go Engineer", "Go"),
            ("Java Developer", "Java"),
            ("Ruby on Rails Engineer", "Ruby on Rails"),
        ),
        core=_words("Python, Go, Java, Kotlin, Node.js, Rust"),
        skills=_words(
            "PostgreSQL, Redis, Kafka, gRPC, AWS, Docker, Kubernetes, GraphQL, REST APIs, Terraform"
        ),
        base_pay=150_000,
        noun="backend engineer",
        reports="6 engineers",
        teams=_words("Payments, Platform, Core API, Integrations, Billing, Identity, Search"),
        manager_titles=("Engineering Manager, Backend", "Engineering Manager, Platform"),
        director_titles=("Director of Engineering", "Head of Backend Engineering"),
        intern_title="Software Engineering Intern",
        intros=(
            "You will design and run the services behind {product}, working mostly in {skill} "
            "with {skill2} and {skill3}, and you will own your code from design review to "
            "production.",
            "Our backend handles millions of requests a day for {customers}; you will make it "
            "faster, safer and easier to change, and help decide how it should evolve.",
        ),
        duties=(
            "Design, build and operate services in {skill} that power {product}",
            "Model data carefully and write efficient queries against PostgreSQL",
            "Own features end to end, from technical design to monitoring in production",
            "Improve the reliability, latency and cost of our public and internal APIs",
            "Review code and help teammates grow through pairing and thoughtful feedback",
            "Work with product and design to turn customer problems into well-scoped projects",
            "Take part in a fair on-call rotation for the services you build",
            "Break large migrations into safe, incremental steps",
        ),
        requirements=(
            "Solid experience building web services in {skill}",
            "A good understanding of relational databases and SQL",
            "Experience designing REST or gRPC APIs that other teams depend on",
            "Familiarity with {skill3} and containerised deployments",
        ),
        function=("engineering", "Engineering"),
        job_family="Engineering",
    ),
    _Discipline(
        key="frontend",
        weight=7,
        family="eng",
        department="Engineering",
        titles=(
            ("Frontend Engineer", None),
            ("Software Engineer, Frontend", None),
            ("Frontend Developer", None),
            ("React Developer", "React"),
            ("UI Engineer", None),
        ),
        core=_words("TypeScript, React, JavaScript, Vue.js"),
        skills=_words(
            "Next.js, CSS, GraphQL, Redux, Vite, Storybook, Jest, Playwright, Tailwind CSS"
        ),
        base_pay=140_000,
        noun="frontend engineer",
        reports="5 engineers",
        teams=_words("Web, Growth, Design Systems, Checkout, Dashboard"),
        manager_titles=("Engineering Manager, Frontend", "Engineering Manager, Web"),
        director_titles=("Director of Engineering", "Head of Frontend"),
        intern_title="Frontend Engineering Intern",
        intros=(
            "You will build the interfaces {customers} use every day, in {skill} and {skill2}, "
            "with a strong eye for performance and accessibility.",
            "Our web app is the main way {customers} experience {product}; you will shape how "
            "it looks, feels and performs on every screen size.",
        ),
        duties=(
            "Build fast, accessible user interfaces with {skill} and {skill2}",
            "Extend our design system in close collaboration with designers",
            "Own frontend performance: bundle size, rendering and Core Web Vitals",
            "Write well-tested components and end-to-end tests",
            "Work with backend engineers to design clean GraphQL and REST contracts",
            "Ship experiments quickly and measure their impact",
            "Raise the bar for accessibility across the product",
        ),
        requirements=(
            "Strong experience with {skill}, {skill2} and modern CSS",
            "Production web applications you can show us, in code or in a portfolio",
            "An understanding of browser rendering, caching and performance",
            "Experience testing user interfaces with tools such as Playwright or Jest",
        ),
        function=("engineering", "Engineering"),
        job_family="Engineering",
    ),
    _Discipline(
        key="fullstack",
        weight=8,
        family="eng",
        department="Engineering",
        titles=(
            ("Full-Stack Engineer", None),
            ("Full Stack Developer", None),
            ("Software Engineer", None),
            ("Product Engineer", None),
        ),
        core=_words("TypeScript, React, Python, Node.js, Ruby on Rails, Django"),
        skills=_words("PostgreSQL, GraphQL, AWS, Docker, Next.js, Redis"),
        base_pay=145_000,
        noun="software engineer",
        reports="6 engineers",
        teams=_words("Product, Growth, Onboarding, Core, Self-Serve"),
        manager_titles=("Engineering Manager", "Engineering Manager, Product"),
        director_titles=("Director of Engineering", "VP of Engineering"),
        intern_title="Software Engineering Intern",
        intros=(
            "You will work across the stack, from {skill} in the browser to the services and "
            "databases underneath, shipping features for {customers}.",
            "Our product engineers own whole features: talking to customers, writing the API, "
            "building the UI and watching the metrics after launch.",
        ),
        duties=(
            "Ship product features across the stack, from database schema to user interface",
            "Build APIs and interfaces with {skill} and {skill2}",
            "Talk to customers and support to understand the problems worth solving",
            "Keep the codebase healthy with tests, refactoring and clear documentation",
            "Instrument features and use data to decide what to build next",
            "Help shape our engineering practices as the team grows",
        ),
        requirements=(
            "Experience shipping production features with {skill} and {skill2}",
            "Comfort working across frontend, backend and infrastructure",
            "A strong sense of product and care for the user experience",
            "Experience with PostgreSQL or another relational database",
        ),
        function=("engineering", "Engineering"),
        job_family="Engineering",
    ),
    _Discipline(
        key="data",
        weight=7,
        family="eng",
        department="Data",
        titles=(
            ("Data Engineer", None),
            ("Analytics Engineer", "dbt"),
            ("Data Analyst", "SQL"),
            ("Data Scientist", "Python"),
        ),
        core=_words("SQL, Python, dbt"),
        skills=_words(
            "Airflow, Apache Spark, Snowflake, BigQuery, Kafka, Looker, Tableau, Databricks, pandas"
        ),
        base_pay=140_000,
        noun="data professional",
        reports="5 data engineers and analysts",
        teams=_words("Data Platform, Analytics, Insights, Business Intelligence"),
        manager_titles=("Data Engineering Manager", "Analytics Manager"),
        director_titles=("Director of Data", "Head of Data"),
        intern_title="Data Science Intern",
        intros=(
            "You will build the pipelines and models that turn raw events into trusted data "
            "for every team at {company}, using {skill}, {skill2} and {skill3}.",
            "Data drives how we price, plan and build {product}; you will make sure it is "
            "accurate, timely and easy to use.",
        ),
        duties=(
            "Build and maintain batch and streaming pipelines with Airflow, dbt and Kafka",
            "Model data so analysts and product teams can answer their own questions",
            "Own data quality: tests, monitoring and clear ownership of every table",
            "Partner with product managers to define metrics and run experiments",
            "Build dashboards and analyses that answer real business questions",
            "Reduce warehouse cost and query times",
            "Document datasets and teach others how to use them",
        ),
        requirements=(
            "Excellent SQL and solid Python",
            "Experience with a modern data stack including {skill2} and {skill3}",
            "A good grasp of data modelling, including dimensional models",
            "The ability to explain findings to non-technical colleagues",
        ),
        function=("information_technology", "Information Technology"),
        job_family="Data & Analytics",
    ),
    _Discipline(
        key="ml",
        weight=5,
        family="eng",
        department="Machine Learning",
        titles=(
            ("Machine Learning Engineer", None),
            ("ML Engineer", None),
            ("Applied Scientist", None),
            ("MLOps Engineer", "Kubernetes"),
            ("AI Engineer", "LLMs"),
        ),
        core=_words("Python, PyTorch"),
        skills=_words(
            "TensorFlow, scikit-learn, MLflow, Kubernetes, SQL, Spark, LLMs, "
            "Hugging Face Transformers, Ray, vector databases"
        ),
        base_pay=170_000,
        noun="machine learning engineer",
        reports="5 ML engineers",
        teams=_words("Machine Learning, Applied AI, Recommendations, Forecasting, Ranking"),
        manager_titles=("Machine Learning Engineering Manager",),
        director_titles=("Director of Machine Learning", "Head of AI"),
        intern_title="Machine Learning Intern",
        intros=(
            "You will train, ship and monitor the models at the heart of {product}, working "
            "in {skill} and {skill2}.",
            "We use machine learning to make {product} smarter for {customers}; you will take "
            "models from notebook to production and keep them healthy there.",
        ),
        duties=(
            "Train, evaluate and deploy models with {skill} and {skill2}",
            "Build feature pipelines and training datasets together with data engineering",
            "Run offline evaluations and online A/B tests to measure model impact",
            "Monitor models in production for drift, latency and cost",
            "Work with product teams to find problems where machine learning truly helps",
            "Build internal tooling that makes experimentation faster",
            "Follow current research and bring the useful parts into production",
        ),
        requirements=(
            "Strong Python and experience with {skill} or {skill2}",
            "Experience shipping machine learning models to production",
            "A solid grounding in statistics and evaluation methodology",
            "Experience with {skill3} or similar tooling",
        ),
        function=("engineering", "Engineering"),
        job_family="Engineering",
    ),
    _Discipline(
        key="devops",
        weight=4,
        family="eng",
        department="Infrastructure",
        titles=(
            ("DevOps Engineer", None),
            ("Platform Engineer", None),
            ("Cloud Infrastructure Engineer", "AWS"),
            ("Infrastructure Engineer", None),
        ),
        core=_words("Kubernetes, Terraform, AWS, GCP"),
        skills=_words("Azure, Helm, Argo CD, GitHub Actions, Docker, Linux, Prometheus, Ansible"),
        base_pay=145_000,
        noun="DevOps or platform engineer",
        reports="5 platform engineers",
        teams=("Infrastructure", "Developer Experience", "Cloud Platform"),
        manager_titles=("Engineering Manager, Infrastructure",),
        director_titles=("Director of Infrastructure", "Head of Platform"),
        intern_title="Infrastructure Engineering Intern",
        intros=(
            "You will run the platform every engineer at {company} deploys to, built on "
            "{skill}, {skill2} and {skill3}.",
            "Our platform team makes shipping {product} boring in the best way: fast builds, "
            "safe deploys and infrastructure as code.",
        ),
        duties=(
            "Build and operate our Kubernetes platform and the tooling around it",
            "Manage infrastructure as code with Terraform",
            "Improve CI/CD pipelines so engineers can ship safely many times a day",
            "Drive cost visibility and optimisation across our cloud accounts",
            "Harden our infrastructure and help teams meet security requirements",
            "Write runbooks and automation that shorten incidents",
            "Support product teams with capacity planning and architecture reviews",
        ),
        requirements=(
            "Production experience with {skill} and {skill2}",
            "Strong Linux and networking fundamentals",
            "Experience with at least one major cloud provider such as AWS or GCP",
            "Scripting or programming skills in Go or Python",
        ),
        function=("information_technology", "Information Technology"),
        job_family="Engineering",
    ),
    _Discipline(
        key="sre",
        weight=3,
        family="eng",
        department="Infrastructure",
        titles=(
            ("Site Reliability Engineer", None),
            ("Production Engineer", None),
            ("Reliability Engineer", None),
        ),
        core=_words("Kubernetes, Go, Python"),
        skills=_words("Prometheus, Grafana, Terraform, Linux, AWS, GCP, OpenTelemetry, PostgreSQL"),
        base_pay=155_000,
        noun="site reliability engineer",
        reports="5 SREs",
        teams=("Reliability", "Infrastructure", "Observability"),
        manager_titles=("SRE Manager", "Engineering Manager, Reliability"),
        director_titles=("Director of Site Reliability Engineering",),
        intern_title="Site Reliability Engineering Intern",
        intros=(
            "You will keep {product} fast and available for {customers}, defining SLOs and "
            "building the observability to meet them.",
            "Reliability is a feature for our customers; as an SRE you will own incident "
            "response, capacity planning and the systems that tell us when something is wrong.",
        ),
        duties=(
            "Define SLOs with product teams and build alerting that respects them",
            "Lead incident response and blameless post-incident reviews",
            "Build dashboards, tracing and alerting with Prometheus, Grafana and OpenTelemetry",
            "Automate toil away: if we do it twice, we script it",
            "Plan capacity and run load tests ahead of peak traffic",
            "Improve the resilience of our databases and message queues",
            "Join an on-call rotation with follow-the-sun support",
        ),
        requirements=(
            "Experience running large-scale production systems on Kubernetes or similar",
            "Strong debugging skills across the stack, from the kernel to the application",
            "Programming experience in Go or Python",
            "Experience with observability tooling such as Prometheus or OpenTelemetry",
        ),
        function=("information_technology", "Information Technology"),
        job_family="Engineering",
    ),
    _Discipline(
        key="security",
        weight=3,
        family="eng",
        department="Security",
        titles=(
            ("Security Engineer", None),
            ("Application Security Engineer", None),
            ("Cloud Security Engineer", "AWS"),
            ("Security Analyst", None),
            ("Detection Engineer", None),
        ),
        core=_words("AWS, threat modeling, Python"),
        skills=_words(
            "SIEM, Splunk, OWASP Top 10, IAM, SOC 2, ISO 27001, Kubernetes, Terraform, Burp Suite"
        ),
        base_pay=155_000,
        noun="security engineer",
        reports="4 security engineers",
        teams=("Security", "Product Security", "Security Operations"),
        manager_titles=("Security Engineering Manager",),
        director_titles=("Director of Security", "Head of Information Security"),
        intern_title="Security Engineering Intern",
        intros=(
            "You will help {company} protect {customers} and their data, from secure design "
            "reviews to detection and response.",
            "Security is part of every product decision at {company}; you will give engineers "
            "the tools and guidance to build safely.",
        ),
        duties=(
            "Run threat modeling and design reviews with product teams",
            "Build detection and response capabilities on top of our SIEM",
            "Own our vulnerability management programme from scan to fix",
            "Harden our cloud environment and identity and access management",
            "Support SOC 2 and ISO 27001 audits with evidence and automation",
            "Teach secure coding practices through workshops and code review",
        ),
        requirements=(
            "Hands-on experience securing cloud environments, ideally on AWS",
            "Familiarity with the OWASP Top 10 and common attack techniques",
            "The ability to read and write code, preferably Python or Go",
            "Experience with {skill} and {skill2}",
        ),
        function=("information_technology", "Information Technology"),
        job_family="Information Security",
    ),
    _Discipline(
        key="mobile",
        weight=3,
        family="eng",
        department="Engineering",
        titles=(
            ("iOS Engineer", "Swift"),
            ("Android Engineer", "Kotlin"),
            ("Mobile Engineer", None),
            ("React Native Developer", "React Native"),
        ),
        core=_words("Swift, Kotlin, React Native"),
        skills=_words("Firebase, GraphQL, fastlane, CI/CD for mobile, accessibility, TypeScript"),
        base_pay=145_000,
        noun="mobile engineer",
        reports="5 mobile engineers",
        teams=_words("Mobile, iOS, Android, Consumer App"),
        manager_titles=("Engineering Manager, Mobile",),
        director_titles=("Director of Mobile Engineering", "Head of Mobile"),
        intern_title="Mobile Engineering Intern",
        intros=(
            "You will build the mobile apps {customers} carry in their pockets, working in "
            "{skill} and {skill2}.",
            "Most of our customers reach {product} on their phones; you will make the app "
            "fast, reliable and a pleasure to use.",
        ),
        duties=(
            "Build and ship features in our mobile apps using {skill} and {skill2}",
            "Improve app start-up time, crash rates and battery use",
            "Work closely with designers on interactions and animations",
            "Maintain our release pipeline and feature flags",
            "Write unit and UI tests that keep releases calm",
            "Collaborate with backend engineers on API design",
        ),
        requirements=(
            "Experience shipping apps to the App Store or Google Play",
            "Strong knowledge of {skill}",
            "An understanding of mobile architecture patterns and offline-first design",
            "Experience with {skill3}",
        ),
        function=("engineering", "Engineering"),
        job_family="Engineering",
    ),
    _Discipline(
        key="qa",
        weight=3,
        family="eng",
        department="Engineering",
        titles=(
            ("QA Engineer", None),
            ("Software Engineer in Test", None),
            ("QA Analyst", None),
            ("Test Automation Engineer", None),
        ),
        core=_words("Playwright, Cypress, Selenium"),
        skills=_words("Python, pytest, TypeScript, Postman, Appium, k6"),
        base_pay=115_000,
        noun="QA engineer",
        reports="4 QA engineers",
        teams=("Quality", "Release Engineering"),
        manager_titles=("QA Manager",),
        director_titles=("Director of Quality Engineering",),
        intern_title="QA Intern",
        intros=(
            "You will help every team at {company} ship with confidence by building test "
            "automation with {skill} and {skill2}.",
            "Quality is everyone's job here, and you will be the person who makes it easy, "
            "with fast and reliable automated tests.",
        ),
        duties=(
            "Design and maintain automated test suites with {skill} and {skill2}",
            "Write test plans for new features together with engineers and product managers",
            "Keep our CI pipelines fast and our tests free of flakiness",
            "Run exploratory testing before major releases",
            "Track quality metrics and report on trends",
            "Test our APIs with contract and integration tests",
        ),
        requirements=(
            "Experience writing automated tests with {skill} or a similar framework",
            "Programming skills in Python or TypeScript",
            "A methodical approach to finding and reporting bugs",
            "Experience with CI/CD systems",
        ),
        function=("quality_assurance", "Quality Assurance"),
        job_family="Engineering",
    ),
    _Discipline(
        key="product",
        weight=6,
        family="biz",
        department="Product",
        titles=(
            ("Product Manager", None),
            ("Technical Product Manager", None),
            ("Product Owner", None),
        ),
        core=_words("Amplitude, Mixpanel, Looker"),
        skills=_words("SQL, roadmapping, Jira, A/B testing, user research, product discovery"),
        base_pay=155_000,
        noun="product manager",
        reports="4 product managers",
        teams=_words("Growth, Core Product, Platform, Payments, Onboarding"),
        manager_titles=("Group Product Manager",),
        director_titles=("Director of Product", "VP of Product"),
        intern_title="Product Management Intern",
        intros=(
            "You will decide what the {team} team builds next and why, working closely with "
            "engineering, design and {customers}.",
            "As a product manager at {company} you will own outcomes, not output: you will talk "
            "to customers every week and use data to pick the right problems.",
        ),
        duties=(
            "Own the roadmap for your area and explain the reasoning behind it",
            "Interview customers regularly and turn what you learn into clear problem statements",
            "Define success metrics and analyse the results of experiments",
            "Write concise specs and work with design and engineering from discovery to launch",
            "Prioritise between customer requests, technical debt and new bets",
            "Coordinate launches with marketing, sales and support",
        ),
        requirements=(
            "A track record of shipping products customers love",
            "Comfort with data; you can write basic SQL or find answers in {skill}",
            "Excellent written communication",
            "Experience working on B2B or technical products",
        ),
        function=("product_management", "Product Management"),
        job_family="Product Management",
    ),
    _Discipline(
        key="design",
        weight=4,
        family="biz",
        department="Design",
        titles=(
            ("Product Designer", "Figma"),
            ("UX Designer", "Figma"),
            ("UX Researcher", None),
            ("Brand Designer", None),
        ),
        core=_words("Figma"),
        skills=_words(
            "prototyping, design systems, user research, usability testing, interaction design, "
            "Adobe Creative Cloud, accessibility"
        ),
        base_pay=135_000,
        noun="designer",
        reports="4 designers",
        teams=("Product Design", "Brand", "Design Systems"),
        manager_titles=("Design Manager",),
        director_titles=("Director of Design", "Head of Design"),
        intern_title="Product Design Intern",
        intros=(
            "You will shape how {customers} experience {product}, from early sketches to "
            "polished, accessible interfaces.",
            "Design at {company} is a team sport; you will work alongside product managers "
            "and engineers from the first conversation to launch.",
        ),
        duties=(
            "Lead design for features from research and sketches to high-fidelity prototypes",
            "Run usability tests and turn findings into design decisions",
            "Contribute to and evolve our design system",
            "Work closely with engineers to ship polished, accessible interfaces",
            "Present your work and reasoning to stakeholders",
            "Map user journeys and find opportunities to simplify",
        ),
        requirements=(
            "A portfolio showing your process and shipped work",
            "Expert knowledge of Figma",
            "Experience with {skill2} and {skill3}",
            "Strong visual and interaction design skills",
        ),
        function=("design", "Design"),
        job_family="Design",
    ),
    _Discipline(
        key="sales",
        weight=12,
        family="biz",
        department="Sales",
        titles=(
            ("Account Executive", None),
            ("Sales Development Representative", None),
            ("Solutions Engineer", None),
            ("Account Manager", None),
            ("Enterprise Account Executive", None),
            ("Business Development Representative", None),
        ),
        core=_words("Salesforce, HubSpot"),
        skills=_words(
            "MEDDICC, Outreach, Gong, LinkedIn Sales Navigator, forecasting, negotiation"
        ),
        base_pay=95_000,
        noun="B2B sales professional",
        reports="8 account executives",
        teams=_words("Mid-Market, Enterprise, SMB, New Business, Expansion"),
        manager_titles=("Sales Manager", "Regional Sales Manager"),
        director_titles=("Director of Sales", "VP of Sales"),
        intern_title="Sales Intern",
        intros=(
            "You will bring {product} to new customers, running full sales cycles from first "
            "call to signed contract.",
            "Our sales team helps {customers} understand what {product} can do for them; you "
            "will build pipeline and close deals in your territory.",
        ),
        duties=(
            "Prospect and build pipeline in your territory",
            "Run discovery calls, demos and negotiations",
            "Keep your pipeline and forecast accurate in {skill}",
            "Work with solutions engineers on technical evaluations",
            "Hit and exceed quarterly revenue targets",
            "Share customer feedback with product and marketing",
        ),
        requirements=(
            "Experience in B2B SaaS sales",
            "A track record of meeting or exceeding quota",
            "Familiarity with {skill} and {skill2}",
            "Excellent communication and presentation skills",
        ),
        function=("sales", "Sales"),
        job_family="Sales",
    ),
    _Discipline(
        key="marketing",
        weight=6,
        family="biz",
        department="Marketing",
        titles=(
            ("Product Marketing Manager", None),
            ("Content Marketing Manager", None),
            ("Growth Marketing Manager", None),
            ("Marketing Coordinator", None),
            ("SEO Specialist", "SEO"),
            ("Demand Generation Manager", None),
        ),
        core=_words("HubSpot, Google Analytics"),
        skills=_words("SEO, Marketo, Google Ads, LinkedIn Ads, copywriting, Webflow, Salesforce"),
        base_pay=115_000,
        noun="B2B marketer",
        reports="5 marketers",
        teams=_words("Growth Marketing, Product Marketing, Brand, Demand Generation"),
        manager_titles=("Marketing Manager",),
        director_titles=("Director of Marketing", "VP of Marketing"),
        intern_title="Marketing Intern",
        intros=(
            "You will tell the story of {product} to {customers} and turn that story into "
            "pipeline.",
            "Marketing at {company} is a small, hands-on team; you will plan, write, launch "
            "and measure campaigns yourself.",
        ),
        duties=(
            "Plan and run campaigns across email, paid and organic channels",
            "Write clear, compelling copy for the website, emails and launches",
            "Report on campaign performance with clear dashboards and honest analysis",
            "Work with product to position new features and launches",
            "Build content that ranks and converts",
            "Manage the marketing budget and our agency partners",
        ),
        requirements=(
            "Experience in B2B marketing",
            "Hands-on experience with {skill} and {skill2}",
            "Excellent writing skills in English",
            "An analytical mindset and comfort with spreadsheets and dashboards",
        ),
        function=("marketing", "Marketing"),
        job_family="Marketing",
    ),
    _Discipline(
        key="support",
        weight=7,
        family="biz",
        department="Customer Success",
        titles=(
            ("Customer Support Specialist", None),
            ("Technical Support Engineer", None),
            ("Customer Success Manager", None),
            ("Support Specialist", None),
            ("Implementation Specialist", None),
        ),
        core=_words("Zendesk, Intercom"),
        skills=_words("SQL, Jira, Salesforce, REST APIs, Gainsight, Confluence"),
        base_pay=70_000,
        noun="customer-facing professional",
        reports="8 support specialists",
        teams=_words("Customer Support, Customer Success, Technical Support, Onboarding"),
        manager_titles=("Support Manager", "Customer Success Team Lead"),
        director_titles=("Director of Customer Success", "Head of Support"),
        intern_title="Customer Success Intern",
        intros=(
            "You will be the voice of {company} for {customers}, solving problems quickly and "
            "making sure they get the most out of {product}.",
            "Our support team is known for fast, human answers; you will help customers by "
            "chat, email and phone and feed what you learn back to product.",
        ),
        duties=(
            "Answer customer questions by chat, email and phone in {skill}",
            "Troubleshoot technical issues and reproduce bugs for engineering",
            "Write and maintain help centre articles",
            "Onboard new customers and run training sessions",
            "Spot trends in tickets and share them with product teams",
            "Keep an eye on customer health and renewals",
        ),
        requirements=(
            "Experience in a customer-facing role, ideally at a software company",
            "Calm, friendly and clear communication, in writing and on calls",
            "Comfort with technical topics; basic SQL or API knowledge is a plus",
            "Experience with {skill} or {skill2}",
        ),
        function=("customer_service", "Customer Service"),
        job_family="Customer Success",
    ),
    _Discipline(
        key="finance",
        weight=4,
        family="biz",
        department="Finance",
        titles=(
            ("Financial Analyst", None),
            ("Accountant", None),
            ("FP&A Analyst", "Excel"),
            ("Payroll Specialist", None),
            ("Revenue Accountant", "NetSuite"),
        ),
        core=_words("Excel, NetSuite"),
        skills=_words("SQL, financial modeling, GAAP, IFRS, Google Sheets, revenue recognition"),
        base_pay=105_000,
        noun="finance professional",
        reports="4 analysts and accountants",
        teams=_words("Finance, FP&A, Accounting, Revenue"),
        manager_titles=("Finance Manager", "Accounting Manager"),
        director_titles=("Director of Finance", "Controller"),
        intern_title="Finance Intern",
        intros=(
            "You will help {company} plan, measure and fund its growth, working closely with "
            "leaders across the business.",
            "Our finance team keeps the numbers honest; you will own reporting, forecasting "
            "and the processes behind them.",
        ),
        duties=(
            "Build and maintain financial models and forecasts in {skill}",
            "Prepare the month-end close and management reporting",
            "Partner with department leaders on budgets and headcount plans",
            "Improve processes and automate reporting with NetSuite and SQL",
            "Support audits and tax filings with our external advisers",
            "Analyse unit economics and pricing",
        ),
        requirements=(
            "A degree in finance, accounting or a related field",
            "Advanced skills in {skill}",
            "Knowledge of {skill3}",
            "Attention to detail and a habit of double-checking numbers",
        ),
        function=("finance", "Finance"),
        job_family="Finance",
    ),
    _Discipline(
        key="people",
        weight=4,
        family="biz",
        department="People",
        titles=(
            ("People Partner", None),
            ("Technical Recruiter", None),
            ("Talent Acquisition Partner", None),
            ("HR Generalist", None),
            ("People Operations Specialist", None),
            ("Recruiting Coordinator", None),
        ),
        core=_words("sourcing, structured interviewing"),
        skills=_words(
            "HRIS, employment law, LinkedIn Recruiter, onboarding, performance management, "
            "compensation benchmarking"
        ),
        base_pay=100_000,
        noun="recruiting or HR professional",
        reports="4 recruiters",
        teams=("People", "Talent Acquisition", "People Operations"),
        manager_titles=("Talent Acquisition Manager", "People Operations Manager"),
        director_titles=("Director of People", "VP of People"),
        intern_title="People Operations Intern",
        intros=(
            "You will help {company} hire great people and give them a place where they do "
            "the best work of their careers.",
            "Our people team supports a growing company across several countries; you will "
            "make hiring, onboarding and growth simple and fair.",
        ),
        duties=(
            "Partner with hiring managers to plan and fill open roles",
            "Find and engage candidates through LinkedIn Recruiter, referrals and events",
            "Run a structured, fair interview process with a great candidate experience",
            "Own onboarding so new joiners are productive in their first weeks",
            "Support managers on performance, feedback and employee relations",
            "Keep our HR data accurate and our policies up to date",
        ),
        requirements=(
            "Experience in recruiting or HR at a growing company",
            "Knowledge of {skill} and {skill2}",
            "Excellent judgement and discretion with confidential information",
            "Strong organisation and communication skills",
        ),
        function=("human_resources", "Human Resources"),
        job_family="Human Resources",
    ),
)
_DISCIPLINE_CUM = list(accumulate(d.weight for d in _DISCIPLINES))

# (seniority word, weight, pay factor, years of experience); "" is the unmarked mid level.
_ENG_LEVELS = (
    ("", 34, 1.0, 3),
    ("Senior", 30, 1.25, 5),
    ("Staff", 5, 1.5, 8),
    ("Principal", 2, 1.75, 10),
    ("Lead", 5, 1.35, 6),
    ("Junior", 8, 0.72, 1),
    ("Intern", 3, 0.0, 0),
    ("Manager", 9, 1.45, 6),
    ("Director", 4, 1.85, 10),
)
_BIZ_LEVELS = (
    ("", 45, 1.0, 3),
    ("Senior", 28, 1.25, 5),
    ("Lead", 4, 1.3, 6),
    ("Junior", 10, 0.75, 1),
    ("Intern", 3, 0.0, 0),
    ("Manager", 7, 1.4, 6),
    ("Director", 3, 1.8, 10),
)
# Frameworks that go with a main language, so that ads mention them together.
_COMPANIONS = {
    "Python": ("FastAPI", "Django", "Flask"),
    "Java": ("Spring Boot",),
    "backend:Kotlin": ("Spring Boot", "Ktor"),
    "Node.js": ("NestJS", "Express"),
    "Rust": ("Tokio",),
    "Swift": ("SwiftUI", "Xcode"),
    "mobile:Kotlin": ("Jetpack Compose", "Gradle"),
    "React Native": ("Expo",),
    "React": ("Next.js", "Redux"),
    "Vue.js": ("Nuxt",),
    "PyTorch": ("Python",),
}
_ENG_LEVEL_CUM = list(accumulate(level[1] for level in _ENG_LEVELS))
_BIZ_LEVEL_CUM = list(accumulate(level[1] for level in _BIZ_LEVELS))

_OPENERS = (
    "We are looking for {a_title} to join our {team} team.",
    "{company} is hiring {a_title} for the {team} team.",
    "Join the {team} team at {company} as {a_title}.",
    "As {a_title} on the {team} team, you will have real ownership from day one.",
)
_GENERIC_REQUIREMENTS = (
    "Clear written communication; you document decisions and share context",
    "Comfort with ambiguity and the ability to break big problems into small steps",
    "A collaborative attitude and respect for your teammates",
    "Fluency in English, written and spoken",
    "Curiosity and a habit of learning from mistakes",
    "Good judgement about when to move fast and when to be careful",
)
_NICE_TO_HAVE = (
    "Experience with {skill4}",
    "Previous experience in {industry}",
    "Contributions to open-source projects",
    "Experience at a fast-growing startup",
    "Experience working in a distributed team across time zones",
    "Experience mentoring others",
)
_HEADINGS = (
    ("What you'll do", "What you'll bring", "Nice to have", "What we offer"),
    ("Responsibilities", "Requirements", "Bonus points", "Benefits"),
    ("Your role", "Your profile", "Good to have", "Why join us"),
    ("In this role, you will", "About you", "It's a plus if you have", "Perks and benefits"),
)
_EXTRA_PARAGRAPHS = (
    "We work in small, autonomous teams that own their products end to end. Decisions are "
    "written down, meetings are kept short, and everyone has time for deep work. We ship "
    "often, learn from our customers and are not afraid to change our minds when the data "
    "tells us to.",
    "Our interview process is short and respectful of your time: a conversation with the "
    "hiring manager, a practical exercise that reflects the real work, and a final "
    "conversation with the team. We give feedback at every step.",
    "You will join a team that values kindness as much as craft. We pair often, celebrate "
    "wins together and treat mistakes as a chance to improve our systems rather than to "
    "blame people.",
    "In your first month you will meet the team, ship a first change and learn how "
    "{customers} use {product}. By your third month you will own a meaningful part of the "
    "{team} roadmap and help shape what comes next.",
    "We hire for potential as much as for experience. If this role excites you but you do "
    "not meet every requirement, we would still love to hear from you.",
)
_BENEFITS = {
    "US": (
        "Medical, dental and vision insurance with premiums fully covered for you",
        "401(k) plan with a 4% company match",
        "Flexible paid time off and 11 company holidays",
        "16 weeks of paid parental leave",
        "An annual learning and development budget",
        "A home office stipend to set up your workspace",
        "Equity in a fast-growing company",
        "A monthly wellness stipend",
        "Commuter benefits",
    ),
    "CA": (
        "Extended health and dental coverage from your first day",
        "RRSP matching",
        "Four weeks of vacation plus company holidays",
        "Top-up of parental leave benefits",
        "An annual learning budget",
        "Stock options",
        "A home office stipend",
    ),
    "UK": (
        "25 days of holiday plus bank holidays",
        "Private medical insurance",
        "Pension with a 5% employer contribution",
        "Cycle to work scheme",
        "Enhanced parental leave",
        "An annual learning budget",
        "Share options",
        "Flexible working hours",
    ),
    "EU": (
        "30 days of paid vacation",
        "A public transport ticket",
        "Company pension scheme",
        "Flexible working hours and home office days",
        "Language classes",
        "An annual learning budget",
        "Gym membership subsidy",
        "Virtual stock options",
    ),
    "IN": (
        "Comprehensive health insurance for you and your family",
        "An annual learning allowance",
        "Flexible working hours",
        "Meal allowance",
        "Employee stock options",
        "Generous paid leave",
    ),
    "APAC": (
        "Private health insurance",
        "Superannuation or retirement contributions above the statutory minimum",
        "Flexible working arrangements",
        "An annual learning budget",
        "Employee share options",
        "Paid parental leave",
    ),
}
_CLOSING_US = (
    "{company} is an equal opportunity employer. We welcome applicants of every background and "
    "do not discriminate on the basis of race, religion, color, national origin, gender, "
    "sexual orientation, age, marital status, veteran status or disability status."
)
_CLOSING_OTHER = (
    "We value diversity and welcome applications from people of every background, "
    "regardless of gender, ethnicity, religion, age, sexual orientation or disability. If you "
    "need any adjustments during the hiring process, just let us know."
)


# --- Companies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Industry:
    """What a company's name suggests it does, and for whom."""

    word: str
    label: str
    products: tuple[str, ...]
    customers: tuple[str, ...]


_INDUSTRIES = (
    _Industry(
        "Analytics",
        "Data & Analytics",
        ("a self-serve analytics platform", "real-time dashboards for operations teams"),
        ("product and data teams", "mid-sized retailers"),
    ),
    _Industry(
        "Robotics",
        "Robotics",
        ("autonomous mobile robots for warehouses", "robotic arms for light manufacturing"),
        ("logistics operators", "manufacturers"),
    ),
    _Industry(
        "Health",
        "Healthcare",
        ("virtual primary care", "practice management software for independent clinics"),
        ("patients and clinicians", "clinics and care teams"),
    ),
    _Industry(
        "Labs",
        "Software",
        ("developer tools for testing APIs", "a collaborative documentation platform"),
        ("engineering teams", "software companies"),
    ),
    _Industry(
        "Systems",
        "Enterprise Software",
        ("workflow automation software", "an operations platform for field service"),
        ("operations teams", "enterprise customers"),
    ),
    _Industry(
        "Logistics",
        "Logistics",
        ("a freight booking platform", "last-mile delivery software"),
        ("shippers and carriers", "e-commerce brands"),
    ),
    _Industry(
        "Bio",
        "Biotechnology",
        ("a protein design platform", "lab automation software"),
        ("research scientists", "pharmaceutical partners"),
    ),
    _Industry(
        "Energy",
        "Clean Energy",
        ("software for managing home batteries", "a marketplace for renewable power"),
        ("homeowners", "utilities and installers"),
    ),
    _Industry(
        "Payments",
        "Fintech",
        ("payment infrastructure", "cross-border payouts"),
        ("online businesses", "marketplaces"),
    ),
    _Industry(
        "Security",
        "Cybersecurity",
        ("identity security", "cloud security posture management"),
        ("security teams", "IT teams"),
    ),
    _Industry(
        "Learning",
        "Education Technology",
        ("online courses for working adults", "tutoring software"),
        ("learners", "schools and teachers"),
    ),
    _Industry(
        "Foods",
        "Food & Beverage",
        ("meal kits made from local produce", "software for restaurant kitchens"),
        ("home cooks", "restaurants"),
    ),
    _Industry(
        "Games",
        "Gaming",
        ("cooperative mobile games", "tools for independent game studios"),
        ("players", "game studios"),
    ),
    _Industry(
        "Cloud",
        "Cloud Infrastructure",
        ("managed databases", "a serverless application platform"),
        ("developers", "platform teams"),
    ),
    _Industry(
        "Mobility",
        "Mobility",
        ("electric bike subscriptions", "fleet management software"),
        ("commuters", "fleet operators"),
    ),
    _Industry(
        "Insurance",
        "Insurance",
        ("embedded insurance", "insurance for small businesses"),
        ("small businesses", "renters"),
    ),
    _Industry(
        "Commerce",
        "E-commerce",
        ("headless commerce", "a checkout platform"),
        ("online brands", "retailers"),
    ),
    _Industry(
        "Media",
        "Media",
        ("podcast hosting and analytics", "a newsletter platform"),
        ("creators", "publishers"),
    ),
    _Industry(
        "Networks",
        "Telecommunications",
        ("private 5G networks", "network monitoring"),
        ("enterprises", "network operators"),
    ),
    _Industry(
        "Therapeutics",
        "Biotechnology",
        ("RNA therapeutics", "precision medicines for rare diseases"),
        ("patients", "clinicians"),
    ),
    _Industry(
        "Capital",
        "Financial Services",
        ("investing tools", "lending for small businesses"),
        ("retail investors", "small businesses"),
    ),
    _Industry(
        "Materials",
        "Materials Science",
        ("low-carbon cement", "recyclable packaging materials"),
        ("construction companies", "consumer brands"),
    ),
    _Industry(
        "Devices",
        "Hardware",
        ("connected home devices", "wearable health sensors"),
        ("households", "health researchers"),
    ),
    _Industry(
        "Finance",
        "Fintech",
        ("spend management", "accounting automation"),
        ("finance teams", "startups"),
    ),
    _Industry(
        "Travel",
        "Travel",
        ("corporate travel booking", "vacation rental software"),
        ("business travellers", "property managers"),
    ),
    _Industry(
        "Legal",
        "Legal Technology",
        ("contract management software", "e-discovery tools"),
        ("legal teams", "law firms"),
    ),
    _Industry(
        "Climate",
        "Climate Tech",
        ("carbon accounting software", "verified carbon removal"),
        ("sustainability teams", "corporate buyers"),
    ),
    _Industry(
        "Homes",
        "Real Estate",
        ("a home buying platform", "property management software"),
        ("home buyers", "landlords"),
    ),
    _Industry(
        "Data",
        "Data Infrastructure",
        ("a streaming data platform", "data observability"),
        ("data teams", "analytics engineers"),
    ),
    _Industry(
        "AI",
        "Artificial Intelligence",
        ("AI assistants for customer service", "document understanding"),
        ("support teams", "insurers and banks"),
    ),
    _Industry(
        "Software",
        "Software",
        ("scheduling software", "a low-code app builder"),
        ("small businesses", "operations teams"),
    ),
    _Industry(
        "Studio",
        "Design & Creative",
        ("a design collaboration tool", "video editing in the browser"),
        ("designers", "creative agencies"),
    ),
    _Industry(
        "Works",
        "Manufacturing",
        ("industrial IoT sensors", "on-demand 3D printing"),
        ("factories", "hardware engineers"),
    ),
    _Industry(
        "Freight",
        "Logistics",
        ("digital freight forwarding", "cold-chain tracking"),
        ("importers and exporters", "grocery chains"),
    ),
)
_FIRST_WORDS = _words(
    "Northwind, Quillbrook, Tidewell, Larkspur, Emberline, Copperleaf, Saltmarsh, Fernhollow, "
    "Brightwater, Glasswing, Ironbark, Kestrelwood, Moonrake, Driftpine, Oakhurst, Palisade, "
    "Quartzline, Riverstone, Silverbirch, Thistledown, Umberfield, Wrenfield, Yarrowby, "
    "Zephyrine, Amberlane, Birchmont, Cinderpeak, Duskwater, Elmstead, Foxglove, Granitefall, "
    "Hollowbrook, Kiteline, Lanternfish, Marigold, Nettlebank, Pebblestone, Quaymark, Rookwood, "
    "Sablecrest, Tamarind, Vesperline, Willowmere, Alderpoint, Bramblecove, Evenfall, Fjordline, "
    "Heronsgate, Juniperhill, Kelpline, Lowmoor, Nightjar, Orchardway, Quietwater, Redfern, "
    "Waymark, Bluebeck, Coralroot, Drumlin, Eastbrook, Fallowmere, Greywater, Hawkridge, "
    "Jadeport, Longmeadow, Mossgrove, Northgale, Oxbow, Rushwick, Stonechat, Thornbury, "
    "Valecrest, Westerly, Brackenridge, Cloudberry, Deepwell, Harborline, Lumenfield, "
    "Pinewhistle, Saffronway"
)
_NAME_SUFFIXES = ("Group", "Collective", "Partners", "Company", "Holdings")
_LEGAL_FORMS = {"DE": "GmbH", "NL": "B.V.", "FR": "SAS", "ES": "S.L.", "SE": "AB", "DK": "ApS"}
_PEOPLE_FIRST = _words(
    "Maya, Jonas, Priya, Tom, Amara, Lukas, Sofia, Daniel, Mei, Olivia, Ravi, Elena, Marcus, "
    "Hana, Diego, Freya"
)
_PEOPLE_LAST = _words(
    "Okafor, Lindqvist, Sharma, Brennan, Novak, Fischer, Moreau, Tanaka, Alvarez, Whitfield, "
    "Kowalski, Haddad, Bauer, Costa, Nakamura, Ellison"
)
_ABOUT = (
    "{company} builds {product} for {customers}. Founded in {year} and headquartered in {hq}, "
    "we are a team of about {size} people working from {offices}. {growth}",
    "At {company}, we make {product} that {customers} rely on every day. Since {year} we have "
    "grown to about {size} people, with our headquarters in {hq}. {growth}",
    "{company} helps {customers} with {product}. We started in {year} in {hq}, and today we "
    "are about {size} people across {offices}. {growth}",
)
_GROWTH = (
    "We are backed by long-term investors and have been profitable since {profit_year}.",
    "Earlier this year we raised our Series {series} to expand into new markets.",
    "More than {customers_k},000 customers use our platform today, and we are growing fast.",
    "We care about sustainable growth, honest communication and work that matters.",
)


@dataclass
class _Company:
    """A company and everything its postings share."""

    name: str
    slug: str
    industry: _Industry
    hq: _Place
    offices: list[_Place]
    remote_share: float
    hybrid_share: float
    product: str
    customers: str
    about: str
    about_alt: str
    benefits: dict[str, tuple[str, ...]]
    headings: int
    legal_name: str
    recruiters: tuple[str, ...]
    # Greenhouse boards embedded on the company's own site link postings with `?gh_jid=`.
    embeds_board: bool
    pay_rate: float
    department_ids: dict[str, int] = field(default_factory=dict)
    office_ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _CompanyPlan:
    """What is decided for a company before its jobs are made."""

    name: str
    industry: _Industry
    hq_country: str
    count: int
    ats: str
    second_ats: str | None
    copies: int
    reposts: int
    seed: int
    # Share of this company's jobs that state their pay.
    pay_rate: float


# --- Jobs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """The parts of one job ad, before an ATS lays them out."""

    about: str
    intro: str
    headings: tuple[str, str, str, str]
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    nice: tuple[str, ...]
    benefits: tuple[str, ...]
    extra: str
    closing: str

    def sections(self) -> list[tuple[str, tuple[str, ...]]]:
        """The bulleted sections in order, leaving out empty ones."""
        parts = [
            (self.headings[0], self.duties),
            (self.headings[1], self.requirements),
            (self.headings[2], self.nice),
            (self.headings[3], self.benefits),
        ]
        return [(heading, items) for heading, items in parts if items]


@dataclass(frozen=True)
class _Job:
    """One job: what it is, where, for whom, for how much, and its ad."""

    title: str
    discipline: _Discipline
    level: str
    years: int
    team: str
    department: str
    place: _Place
    extra_place: _Place | None
    workplace: Literal["onsite", "hybrid", "remote"]
    remote_label: str
    hybrid_style: int
    employment: Literal["full_time", "part_time", "contract", "temporary", "intern"]
    pay: _Pay | None
    posted: datetime
    text: _Text
    skills: tuple[str, ...]

    def location_text(self) -> str:
        """Where the job is, as an employer types it into a free-text location box."""
        if self.workplace == "remote":
            return self.remote_label
        if self.workplace == "hybrid":
            if self.hybrid_style:
                return f"{self.place.display} (Hybrid)"
            return f"Hybrid - {self.place.display}"
        return self.place.display


@dataclass
class _Entry:
    """One listing on a board: a job, its source id there, and the listing it repeats."""

    job: _Job
    source_id: str = ""
    original: _Entry | None = None
    kind: Literal["cross_board", "repost"] | None = None
    board_ats: str = ""
    board_tenant: str = ""

    def key(self) -> PostingKey:
        """The listing's identity."""
        return PostingKey(self.board_ats, self.board_tenant, self.source_id)


# --- Generation -----------------------------------------------------------------------------


def generate(
    *, companies: int, postings: int, seed: int = 7, now: datetime
) -> Iterator[SyntheticBoard]:
    """Stream the boards of `companies` made-up companies holding `postings` listings in all.

    Every company has one board, some a second one on another ATS; the `posting_count`s of all
    boards add up to `postings` (duplicate listings included). Postings are spread unevenly: a
    few big boards, many small ones. Boards are built one company at a time, so memory stays
    flat however many postings are asked for. Naive `now` is taken as UTC.
    """
    if companies < 0 or postings < 0:
        msg = "companies and postings must not be negative"
        raise ValueError(msg)
    if postings and not companies:
        msg = "postings need at least one company"
        raise ValueError(msg)
    moment = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    return _stream(companies, postings, seed, moment)


def _stream(companies: int, postings: int, seed: int, now: datetime) -> Iterator[SyntheticBoard]:
    """The boards, company by company."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    plans = _plan(rng, companies, postings)
    ids = _Ids(random.Random(rng.getrandbits(64)))  # noqa: S311
    tenants: dict[str, set[str]] = {}
    for plan in plans:
        yield from _company_boards(plan, ids, tenants, now)


def _chance(rng: random.Random, value: float) -> int:
    """`value` rounded down or up at random, so that it is right on average."""
    whole = int(value)
    return whole + (rng.random() < value - whole)


def _pick(rng: random.Random, cumulative: Sequence[float]) -> int:
    """An index drawn with the weights whose running totals are `cumulative`."""
    return min(bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


_HQ_KEYS = tuple(_HQ_WEIGHTS)
_HQ_CUM = list(accumulate(_HQ_WEIGHTS.values()))


def _plan(rng: random.Random, companies: int, postings: int) -> list[_CompanyPlan]:
    """Who the companies are, how many listings each has and on which ATSs."""
    names = _company_names(rng, companies)
    hq = [_HQ_KEYS[_pick(rng, _HQ_CUM)] for _ in range(companies)]
    counts = _allocate(rng, companies, postings)
    boards = _assign_ats(rng, counts, hq)
    seconds = _second_boards(rng, counts, boards)
    copies = _spread_copies(rng, counts, seconds, postings)
    # Boards that cannot show pay carry none; the others carry more, so that about PAY_RATE of
    # all listings state their pay.
    shown = sum(count for count, ats in zip(counts, boards, strict=True) if ats not in _NO_PAY)
    pay_rate = min(0.9, PAY_RATE * postings / shown) if shown else 0.0
    plans = []
    for index, ((name, industry), count) in enumerate(zip(names, counts, strict=True)):
        reposts = min(_chance(rng, count * REPOST_RATE), count // 2)
        copy_count = min(copies[index], (count - reposts) // 2)
        plans.append(
            _CompanyPlan(
                name=name,
                industry=industry,
                hq_country=hq[index],
                count=count,
                ats=boards[index],
                second_ats=seconds[index],
                copies=copy_count,
                reposts=reposts,
                seed=rng.getrandbits(64),
                pay_rate=0.0 if boards[index] in _NO_PAY else pay_rate,
            )
        )
    return plans


def _company_names(rng: random.Random, companies: int) -> list[tuple[str, _Industry]]:
    """Distinct made-up names ("Quillbrook Robotics"), each with the industry it suggests."""
    pairs = len(_FIRST_WORDS) * len(_INDUSTRIES)
    if companies <= len(_FIRST_WORDS):
        # Few companies: no two share a first word, so none looks like another's sibling.
        picked = [
            first * len(_INDUSTRIES) + rng.randrange(len(_INDUSTRIES))
            for first in rng.sample(range(len(_FIRST_WORDS)), companies)
        ]
    else:
        picked = rng.sample(range(pairs), min(companies, pairs))
    names = []
    for number in picked:
        first, industry = divmod(number, len(_INDUSTRIES))
        names.append((f"{_FIRST_WORDS[first]} {_INDUSTRIES[industry].word}", _INDUSTRIES[industry]))
    extra = 0
    while len(names) < companies:
        first, industry = divmod(extra % pairs, len(_INDUSTRIES))
        suffix = _NAME_SUFFIXES[(extra // pairs) % len(_NAME_SUFFIXES)]
        rounds = extra // (pairs * len(_NAME_SUFFIXES))
        label = f" {rounds + 1}" if rounds else ""
        name = f"{_FIRST_WORDS[first]} {_INDUSTRIES[industry].word} {suffix}{label}"
        names.append((name, _INDUSTRIES[industry]))
        extra += 1
    return names


def _allocate(rng: random.Random, companies: int, postings: int) -> list[int]:
    """Listings per company: heavy-tailed (log-normal weights), at least one each if possible."""
    if companies == 0:
        return []
    weights = [rng.lognormvariate(0.0, 1.15) for _ in range(companies)]
    floor = 1 if postings >= companies else 0
    rest = postings - floor * companies
    total = sum(weights)
    shares = [weight / total * rest for weight in weights]
    counts = [floor + int(share) for share in shares]
    missing = postings - sum(counts)
    by_remainder = sorted(range(companies), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[:missing]:
        counts[index] += 1
    return counts


def _fits(ats: str, count: int) -> bool:
    """Whether a board of `count` postings stays within what the ATS serves in full."""
    return count <= _BOARD_CAP.get(ats, count)


def _assign_ats(rng: random.Random, counts: list[int], hq: list[str]) -> list[str]:
    """Each company's main ATS: every ATS at least once (when there are enough companies with
    postings), then by market share, with SMB systems on small boards and Workday on big ones."""
    chosen = [""] * len(counts)
    eligible = [i for i, count in enumerate(counts) if count >= 3]
    rng.shuffle(eligible)
    order = list(ATS_NAMES)
    rng.shuffle(order)
    for ats, index in zip(order, eligible, strict=False):
        chosen[index] = ats if _fits(ats, counts[index]) else "greenhouse"
    for index, count in enumerate(counts):
        if chosen[index]:
            continue
        market = _COUNTRIES[hq[index]].market
        weights = []
        for ats in ATS_NAMES:
            weight = _ATS_WEIGHTS[ats]
            if ats in ("personio", "teamtailor", "recruitee"):
                weight *= 3.0 if market in ("EU", "UK") else 0.3
            if ats == "workday":
                weight *= 3.0 if count >= 60 else 0.2
            if ats in ("breezy", "bamboohr"):
                weight *= 1.5 if count <= 30 else 0.15
            weights.append(weight if _fits(ats, count) else 0.0)
        chosen[index] = rng.choices(ATS_NAMES, weights=weights)[0]
    return chosen


def _second_boards(rng: random.Random, counts: list[int], boards: list[str]) -> list[str | None]:
    """A second board on another ATS for about a quarter of the companies with 8+ listings."""
    seconds: list[str | None] = [None] * len(counts)
    candidates = [i for i, count in enumerate(counts) if count >= 8]
    if not candidates:
        return seconds
    for index in rng.sample(candidates, max(1, round(len(candidates) * 0.25))):
        options = [
            ats for ats in _SECOND_BOARD_ATS if ats != boards[index] and _fits(ats, counts[index])
        ]
        seconds[index] = rng.choice(options)
    return seconds


def _spread_copies(
    rng: random.Random, counts: list[int], seconds: list[str | None], postings: int
) -> list[int]:
    """How many jobs each two-board company lists on both boards (about 4% of all listings)."""
    mass = sum(count for count, second in zip(counts, seconds, strict=True) if second)
    if not mass:
        return [0] * len(counts)
    target = postings * CROSS_BOARD_RATE
    return [
        min(_chance(rng, target * count / mass), int(count * 0.45)) if second else 0
        for count, second in zip(counts, seconds, strict=True)
    ]


# --- One company ----------------------------------------------------------------------------


def _company_boards(
    plan: _CompanyPlan, ids: _Ids, tenants: dict[str, set[str]], now: datetime
) -> Iterator[SyntheticBoard]:
    """A company's board(s): its jobs, the copies on its second board, its reposts."""
    rng = random.Random(plan.seed)  # noqa: S311 - reproducible test data, not secrets
    company = _build_company(rng, plan)
    unique_jobs = plan.count - plan.copies - plan.reposts
    jobs = [_make_job(rng, company, now) for _ in range(unique_jobs)]
    on_second = 0
    if plan.second_ats is not None:
        on_second = min(_chance(rng, unique_jobs * 0.25), unique_jobs - plan.copies)
    first = [_Entry(job) for job in jobs[: unique_jobs - on_second]]
    second = [_Entry(job) for job in jobs[unique_jobs - on_second :]]
    for original in rng.sample(first, plan.copies):
        copy = _edited_copy(rng, original.job, company, now)
        second.append(_Entry(copy, original=original, kind="cross_board"))
    singles = [(entry, first) for entry in first] + [
        (entry, second) for entry in second[:on_second]
    ]
    for original, board in rng.sample(singles, min(plan.reposts, len(singles))):
        repost = _Entry(_reposted(rng, original.job, now), original=original, kind="repost")
        board.append(repost)
    boards = [(plan.ats, first)]
    if plan.second_ats is not None:
        boards.append((plan.second_ats, second))
    contexts = []
    for ats, entries in boards:
        entries.sort(key=lambda entry: entry.job.posted, reverse=True)
        context = _context(rng, ats, company, tenants, ids, now)
        _assign_ids(context, entries)
        contexts.append((context, entries))
    for context, entries in contexts:
        yield _board(context, entries)


def _build_company(rng: random.Random, plan: _CompanyPlan) -> _Company:
    """A company with offices, remote policy, blurbs, benefits and recruiters."""
    country = _COUNTRIES[plan.hq_country]
    hq = rng.choice(_PLACES[country.iso])
    offices = [hq]
    for _ in range(min(3, int(rng.expovariate(1.0) * (1 + plan.count / 150)))):
        place = rng.choice(_PLACES[rng.choice(_EXPANSION[country.market])])
        if place not in offices:
            offices.append(place)
    remote_first = rng.random() < 0.15
    industry = plan.industry
    size = max(15, int(max(plan.count, 3) * rng.uniform(4.0, 12.0)))
    context = {
        "company": plan.name,
        "product": rng.choice(industry.products),
        "customers": rng.choice(industry.customers),
        "year": rng.randint(2008, 2021),
        "hq": hq.display,
        "size": size if size < 100 else round(size, -1),
        "offices": _offices_phrase(offices),
        "profit_year": rng.randint(2018, 2023),
        "series": rng.choice("ABCD"),
        "customers_k": rng.choice((2, 3, 5, 8, 10, 12, 20)),
    }
    first_about, second_about = rng.sample(range(len(_ABOUT)), 2)
    first_growth, second_growth = rng.sample(range(len(_GROWTH)), 2)
    legal = _LEGAL_FORMS.get(country.iso) or {"US": "Inc.", "CA": "Inc.", "IN": "Pvt. Ltd."}.get(
        country.iso, "Ltd"
    )
    return _Company(
        name=plan.name,
        slug=_slug(plan.name),
        industry=industry,
        hq=hq,
        offices=offices,
        remote_share=rng.uniform(0.45, 0.8) if remote_first else rng.uniform(0.05, 0.25),
        hybrid_share=rng.uniform(0.1, 0.35),
        product=str(context["product"]),
        customers=str(context["customers"]),
        about=_ABOUT[first_about].format(**context, growth=_GROWTH[first_growth].format(**context)),
        about_alt=_ABOUT[second_about].format(
            **context, growth=_GROWTH[second_growth].format(**context)
        ),
        benefits={
            market: tuple(rng.sample(items, min(len(items), rng.randint(5, 7))))
            for market, items in _BENEFITS.items()
        },
        headings=rng.randrange(len(_HEADINGS)),
        legal_name=f"{plan.name} {legal}",
        recruiters=tuple(
            f"{rng.choice(_PEOPLE_FIRST)} {rng.choice(_PEOPLE_LAST)}" for _ in range(3)
        ),
        embeds_board=rng.random() < 0.15,
        pay_rate=plan.pay_rate,
    )


def _offices_phrase(offices: list[_Place]) -> str:
    """ "Austin and remote locations" or "London, Berlin and Toronto"."""
    cities = list(dict.fromkeys(place.city for place in offices))
    if len(cities) == 1:
        return f"{cities[0]} and remote locations"
    return ", ".join(cities[:-1]) + f" and {cities[-1]}"


def _slug(text: str) -> str:
    """`text` in lower case with dashes: "Northwind Analytics" -> "northwind-analytics"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _article(title: str) -> str:
    """ "a" or "an" before a job title ("an iOS Engineer", "an SRE", "a UX Designer")."""
    first = title.split(maxsplit=1)[0]
    if first[:2].isupper() or "&" in first:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[0] in "AEIOUaeiou" else "a"


# --- Jobs -----------------------------------------------------------------------------------


def _make_job(rng: random.Random, company: _Company, now: datetime) -> _Job:
    """A new job at `company`, posted during the 60 days before `now`."""
    discipline = _DISCIPLINES[_pick(rng, _DISCIPLINE_CUM)]
    if discipline.family == "eng":
        level, _, pay_factor, years = _ENG_LEVELS[_pick(rng, _ENG_LEVEL_CUM)]
    else:
        level, _, pay_factor, years = _BIZ_LEVELS[_pick(rng, _BIZ_LEVEL_CUM)]
    base_title, lead_skill = rng.choice(discipline.titles)
    team = rng.choice(discipline.teams)
    title = _title(rng, discipline, level, base_title, team, now)
    place, extra_place, workplace = _where(rng, company)
    if level == "Intern":
        employment: Literal["full_time", "part_time", "contract", "temporary", "intern"] = "intern"
    else:
        draw = rng.random()
        employment = (
            "full_time"
            if draw < 0.88
            else "contract"
            if draw < 0.95
            else "part_time"
            if draw < 0.98
            else "temporary"
        )
    if place.country.iso == "DE" and company.hq.country.iso == "DE" and rng.random() < 0.5:
        title = f"{title} (m/w/d)"
    elif workplace == "remote" and rng.random() < 0.08:
        title = f"{title} - Remote"
    pay = None
    if rng.random() < company.pay_rate:
        pay = _pay(rng, discipline, pay_factor, place, employment)
    age = 120.0 + (POSTING_WINDOW.total_seconds() - 120.0) * rng.random() ** 1.3
    text, skills = _text(rng, company, discipline, level, years, title, team, lead_skill, place)
    return _Job(
        title=title,
        discipline=discipline,
        level=level,
        years=years,
        team=team,
        department=discipline.department,
        place=place,
        extra_place=extra_place,
        workplace=workplace,
        remote_label=rng.choice(place.country.remote_labels),
        hybrid_style=rng.randrange(2),
        employment=employment,
        pay=pay,
        posted=now - timedelta(seconds=age),
        text=text,
        skills=skills,
    )


def _title(
    rng: random.Random, discipline: _Discipline, level: str, base: str, team: str, now: datetime
) -> str:
    """The job title for a discipline, seniority word and base title."""
    if level == "Intern":
        if rng.random() < 0.3:
            return f"{discipline.intern_title} (Summer {now.year + 1})"
        return discipline.intern_title
    if level == "Manager":
        return rng.choice(discipline.manager_titles)
    if level == "Director":
        return rng.choice(discipline.director_titles)
    title = f"{level} {base}" if level else base
    if "," not in title and team.lower() not in title.lower() and rng.random() < 0.12:
        title = f"{title}, {team}"
    return title


def _where(
    rng: random.Random, company: _Company
) -> tuple[_Place, _Place | None, Literal["onsite", "hybrid", "remote"]]:
    """Where the job is: an office, maybe a second one, and onsite/hybrid/remote."""
    draw = rng.random()
    offices = company.offices
    place = offices[0] if len(offices) == 1 or rng.random() < 0.55 else rng.choice(offices[1:])
    if draw < company.remote_share:
        return place, None, "remote"
    extra = None
    if len(offices) > 1 and rng.random() < 0.08:
        extra = rng.choice([office for office in offices if office != place])
    if draw < company.remote_share + company.hybrid_share:
        return place, extra, "hybrid"
    return place, extra, "onsite"


def _pay(
    rng: random.Random, discipline: _Discipline, factor: float, place: _Place, employment: str
) -> _Pay:
    """A local pay range for the role, yearly or (interns, some contracts) hourly."""
    local = place.country.pay_factor * place.pay_factor
    period: Literal["year", "hour"] = "year"
    if employment == "intern":
        middle = rng.uniform(26.0, 48.0) * local
        period = "hour"
    elif employment in ("contract", "part_time") and factor < 1.4 and rng.random() < 0.6:
        middle = discipline.base_pay * factor * 1.15 / 2080 * local
        period = "hour"
    else:
        middle = discipline.base_pay * factor * local * rng.uniform(0.92, 1.08)
    low, high = middle * rng.uniform(0.85, 0.95), middle * rng.uniform(1.08, 1.25)
    if period == "hour":
        rounded_low, rounded_high = round(low), max(round(high), round(low) + 1)
    else:
        step = 10_000 if middle > 1_000_000 else 1_000
        rounded_low, rounded_high = round(low / step) * step, round(high / step) * step
    return _Pay(
        low=rounded_low,
        high=rounded_high,
        currency=place.country.currency,
        period=period,
        equity=rng.random() < 0.35,
        style=rng.randrange(4),
    )


def _text(
    rng: random.Random,
    company: _Company,
    discipline: _Discipline,
    level: str,
    years: int,
    title: str,
    team: str,
    lead_skill: str | None,
    place: _Place,
) -> tuple[_Text, tuple[str, ...]]:
    """The words of one job ad, drawn from the discipline's and the company's banks."""
    lead = lead_skill or rng.choice(discipline.core)
    companions = _COMPANIONS.get(f"{discipline.key}:{lead}") or _COMPANIONS.get(lead, ())
    picked = [lead, rng.choice(companions)] if companions else [lead]
    pool = [skill for skill in discipline.skills if skill not in picked]
    skills = [*picked, *rng.sample(pool, 5 - len(picked))]
    values = {
        "company": company.name,
        "team": team,
        "product": company.product,
        "customers": company.customers,
        "a_title": f"{_article(title)} {title}",
        "industry": company.industry.label.lower(),
        "skill": skills[0],
        "skill2": skills[1],
        "skill3": skills[2],
        "skill4": skills[3],
    }
    intro = (
        rng.choice(_OPENERS).format_map(values)
        + " "
        + rng.choice(discipline.intros).format_map(values)
    )
    count = rng.randint(4, len(discipline.duties))
    duties = [item.format_map(values) for item in rng.sample(discipline.duties, count)]
    if level == "Manager":
        duties.insert(0, f"Hire, coach and grow a team of {discipline.reports}")
    elif level == "Director":
        duties.insert(0, "Lead and grow an organisation of several teams and their managers")
    elif level == "Lead":
        duties.insert(0, "Set direction for the team and mentor its members")
    requirements = [_experience(discipline, level, years + rng.randint(0, 2))]
    requirements += [
        item.format_map(values) for item in rng.sample(discipline.requirements, rng.randint(2, 4))
    ]
    requirements += rng.sample(_GENERIC_REQUIREMENTS, rng.randint(0, 3))
    nice = [item.format_map(values) for item in rng.sample(_NICE_TO_HAVE, rng.choice((0, 1, 2, 3)))]
    offered = company.benefits[place.country.market]
    if place.country.iso == "US":
        closing = _CLOSING_US.format(company=company.name)
    else:
        closing = _CLOSING_OTHER if rng.random() < 0.75 else ""
    text = _Text(
        about=company.about,
        intro=intro,
        headings=_HEADINGS[company.headings],
        duties=tuple(duties),
        requirements=tuple(requirements),
        nice=tuple(nice),
        benefits=offered[: rng.randint(3, len(offered))],
        extra="\n\n".join(
            item.format_map(values)
            for item in rng.sample(_EXTRA_PARAGRAPHS, rng.choice((0, 0, 0, 1, 1, 2, 3)))
        ),
        closing=closing,
    )
    return text, tuple(skills)


def _experience(discipline: _Discipline, level: str, years: int) -> str:
    """The requirement line about years of experience."""
    if level == "Intern":
        return "Currently studying towards a degree in a relevant field"
    if level == "Junior":
        return f"Up to 2 years of experience as a {discipline.noun}, or a relevant internship"
    if level == "Manager":
        return (
            f"{years}+ years of experience as a {discipline.noun}, including at least two years "
            "leading a team"
        )
    if level == "Director":
        return f"{years}+ years of experience, including several years leading managers"
    return f"{max(years, 2)}+ years of experience as a {discipline.noun}"


def _edited_copy(rng: random.Random, job: _Job, company: _Company, now: datetime) -> _Job:
    """The same job as listed on the company's other board: same title and place, the text
    lightly edited (another company blurb and headings, a benefit and a paragraph fewer)."""
    text = job.text
    edited = replace(
        text,
        about=company.about_alt,
        headings=_HEADINGS[(company.headings + 1) % len(_HEADINGS)],
        benefits=text.benefits[:-1] if len(text.benefits) > 3 else text.benefits,
        extra=text.extra.rsplit("\n\n", 1)[0] if "\n\n" in text.extra else text.extra,
    )
    shift = timedelta(hours=rng.uniform(-48.0, 72.0))
    posted = min(max(job.posted + shift, now - POSTING_WINDOW), now - timedelta(minutes=1))
    return replace(job, text=edited, posted=posted)


def _reposted(rng: random.Random, job: _Job, now: datetime) -> _Job:
    """The same job posted again later under a new id, its text all but unchanged."""
    duties = list(job.text.duties)
    if len(duties) >= 3:
        duties[-1], duties[-2] = duties[-2], duties[-1]
    posted = job.posted + (now - job.posted) * rng.uniform(0.4, 0.95)
    return replace(job, text=replace(job.text, duties=tuple(duties)), posted=posted)


# --- Ids ------------------------------------------------------------------------------------


class _Ids:
    """Source ids as each ATS mints them, drawn from one random stream so they repeat exactly."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counters = {
            "greenhouse": 4_100_000,
            "greenhouse_internal": 3_900_000,
            "greenhouse_meta": 4_000_000,
            "recruitee": 1_300_000,
            "recruitee_location": 90_000,
            "smartrecruiters": 5_000_000,
            "teamtailor": 4_000_000,
            "personio": 1_200_000,
        }

    def next(self, name: str, step: int = 40) -> int:
        """The next number of a growing sequence, with gaps like real ids have."""
        self.counters[name] += self.rng.randint(1, step)
        return self.counters[name]

    def uuid(self) -> str:
        """A version-4 UUID."""
        digits = f"{self.rng.getrandbits(128):032x}"
        variant = "89ab"[int(digits[16], 16) & 3]
        return (
            f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"
        )

    def hex(self, length: int) -> str:
        """`length` random lower-case hex digits."""
        return f"{self.rng.getrandbits(4 * length):0{length}x}"


@dataclass
class _Context:
    """One board being rendered."""

    ats: str
    company: _Company
    tenant: str
    host: str | None
    site: str | None
    careers_url: str
    website: str
    rng: random.Random
    ids: _Ids
    now: datetime


def _context(
    rng: random.Random,
    ats: str,
    company: _Company,
    tenants: dict[str, set[str]],
    ids: _Ids,
    now: datetime,
) -> _Context:
    """Tenant, careers URL and hosts of a company's board on `ats`."""
    words = company.name.split()
    lower, camel = "".join(words).lower(), "".join(words)
    dashed = company.slug
    style = {
        "greenhouse": lower,
        "lever": rng.choice((lower, camel, dashed)),
        "ashby": rng.choice((lower, camel, dashed)),
        "recruitee": lower,
        "smartrecruiters": camel + rng.choice(("", "", "1", "2")),
        "workable": rng.choice((lower, dashed)),
        "breezy": dashed,
        "bamboohr": lower,
        "workday": lower,
        "teamtailor": dashed,
        "personio": dashed,
    }[ats]
    taken = tenants.setdefault(ats, set())
    tenant, number = style, 1
    while tenant.lower() in taken:
        number += 1
        tenant = f"{style}{number}"
    taken.add(tenant.lower())
    host = site = None
    market = company.hq.country.market
    if ats == "greenhouse":
        url = f"https://job-boards.greenhouse.io/{tenant}"
    elif ats == "lever":
        url = f"https://jobs.lever.co/{tenant}"
    elif ats == "ashby":
        url = f"https://jobs.ashbyhq.com/{tenant}"
    elif ats == "smartrecruiters":
        url = f"https://careers.smartrecruiters.com/{tenant}"
    elif ats == "workable":
        url = f"https://apply.workable.com/{tenant}/"
    elif ats == "workday":
        host = f"{tenant}.{rng.choice(('wd1', 'wd3', 'wd5', 'wd12'))}.myworkdayjobs.com"
        site = rng.choice(("External", "Careers", f"{camel}_Careers", "ExternalCareerSite"))
        url = f"https://{host}/en-US/{site}"
    elif ats == "teamtailor":
        region = ".na" if market in ("US", "CA") and rng.random() < 0.6 else ""
        host = f"{tenant}{region}.teamtailor.com"
        url = f"https://{host}/jobs"
    elif ats == "personio":
        host = f"{tenant}.jobs.personio.{'de' if market == 'EU' else 'com'}"
        url = f"https://{host}/"
    elif ats == "bamboohr":
        url = f"https://{tenant}.bamboohr.com/careers"
    else:
        url = f"https://{tenant}.{'recruitee.com' if ats == 'recruitee' else 'breezy.hr'}/"
    return _Context(
        ats=ats,
        company=company,
        tenant=tenant,
        host=host,
        site=site,
        careers_url=url,
        website=f"https://{company.slug}.example",
        rng=rng,
        ids=ids,
        now=now,
    )


def _assign_ids(context: _Context, entries: list[_Entry]) -> None:
    """Give every listing of a board its source id (reposts after the jobs they repeat)."""
    ats, ids, rng = context.ats, context.ids, context.rng
    taken: set[str] = set()
    counter = rng.randint(5, 400) if ats == "bamboohr" else rng.randint(20_000, 60_000)
    for entry in sorted(entries, key=lambda e: e.kind == "repost"):
        entry.board_ats, entry.board_tenant = ats, context.tenant
        if ats == "workday" and entry.kind == "repost" and entry.original is not None:
            entry.source_id = f"{entry.original.source_id}-1"
            continue
        while True:
            if ats in ("lever", "ashby"):
                value = ids.uuid()
            elif ats == "greenhouse":
                value = str(ids.next("greenhouse") * 1000 + 7)
            elif ats in ("recruitee", "smartrecruiters", "teamtailor", "personio"):
                number = ids.next(ats, 500 if ats == "smartrecruiters" else 40)
                value = f"744000{number:09d}" if ats == "smartrecruiters" else str(number)
            elif ats == "workable":
                value = ids.hex(10).upper()
            elif ats == "breezy":
                value = ids.hex(12)
            else:
                counter += rng.randint(1, 4 if ats == "bamboohr" else 60)
                value = f"R{counter}" if ats == "workday" else str(counter)
            if value not in taken:
                break
        taken.add(value)
        entry.source_id = value


def _board(context: _Context, entries: list[_Entry]) -> SyntheticBoard:
    """The board with its payloads and the duplicates it lists."""
    payloads = _RENDERERS[context.ats](context, entries)
    duplicates = tuple(
        Duplicate(entry.kind, entry.original.key(), entry.key())
        for entry in entries
        if entry.kind is not None and entry.original is not None
    )
    return SyntheticBoard(
        ats=context.ats,
        tenant=context.tenant,
        company_name=context.company.name,
        website=context.website,
        careers_url=context.careers_url,
        payloads=payloads,
        posting_count=len(entries),
        industry=context.company.industry.label,
        host=context.host,
        site=context.site,
        source_ids=tuple(entry.source_id for entry in entries),
        duplicates=duplicates,
    )


# --- Rendering helpers ----------------------------------------------------------------------


def _dump(value: Any) -> str:
    """Compact JSON, as the ATS APIs send it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _e(text: str) -> str:
    """`text` escaped for HTML."""
    return html.escape(text, quote=False)


def _paragraphs(text: str, wrap: str = "<p>{}</p>") -> str:
    """Blank-line separated paragraphs of `text`, each escaped and wrapped."""
    return "".join(wrap.format(_e(part)) for part in text.split("\n\n") if part)


def _items(items: Iterable[str]) -> str:
    """`<li>` elements for `items`."""
    return "".join(f"<li>{_e(item)}</li>" for item in items)


def _ms_z(moment: datetime) -> str:
    """ "2024-08-08T07:51:55.575Z"."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _local(moment: datetime, place: _Place) -> str:
    """ISO 8601 in the place's (standard) time, e.g. "2024-07-08T20:45:00-05:00"."""
    zone = timezone(timedelta(hours=place.utc_offset))
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _updated(context: _Context, job: _Job) -> datetime:
    """When the posting was last edited: some time after it was posted."""
    return job.posted + (context.now - job.posted) * context.rng.random() * 0.5


def _plain(job: _Job, *, pay_line: bool, upper_headings: bool = False) -> str:
    """The ad as plain text, as the ATSs that ship a text twin of the HTML write it."""
    text = job.text
    blocks = [text.about, text.intro]
    if text.extra:
        blocks.append(text.extra)
    for heading, items in text.sections():
        title = heading.upper() if upper_headings else heading
        blocks.append(title + "\n" + "\n".join(f"- {item}" for item in items))
    if pay_line and job.pay is not None:
        blocks.append(job.pay.line())
    blocks.append(text.closing)
    return "\n\n".join(block for block in blocks if block)


def _simple_html(job: _Job, *, pay_line: bool, company: str | None = None) -> str:
    """The ad as plain HTML: paragraphs, bold headings and bullet lists."""
    text = job.text
    parts = []
    if company is not None:
        parts.append(f"<p><strong>About {_e(company)}</strong></p>")
    parts.append(f"<p>{_e(text.about)}</p><p>{_e(text.intro)}</p>")
    parts.append(_paragraphs(text.extra))
    for heading, items in text.sections():
        parts.append(f"<p><strong>{_e(heading)}</strong></p><ul>{_items(items)}</ul>")
    if pay_line and job.pay is not None:
        parts.append(f"<p>{_e(job.pay.line())}</p>")
    parts.append(_paragraphs(text.closing))
    return "".join(parts)


def _department_id(context: _Context, name: str) -> int:
    """The company's stable numeric id for a department."""
    known = context.company.department_ids
    if name not in known:
        known[name] = context.ids.next("greenhouse_meta") * 1000 + 7
    return known[name]


def _office_id(context: _Context, name: str) -> int:
    """The company's stable numeric id for an office."""
    known = context.company.office_ids
    if name not in known:
        known[name] = context.ids.next("greenhouse_meta") * 1000 + 7
    return known[name]


def _currency_text(pay: _Pay, amount: int) -> str:
    """An amount as Greenhouse's pay range shows it (`$` for every dollar)."""
    symbol = _SYMBOLS.get(pay.currency)
    if pay.currency in ("CAD", "AUD", "SGD"):
        symbol = "$"
    return f"{symbol}{amount:,}" if symbol else f"{pay.currency} {amount:,}"


# --- Greenhouse: GET boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true -----------

_GDPR = {
    "type": "gdpr",
    "requires_consent": False,
    "requires_processing_consent": False,
    "requires_retention_consent": False,
    "retention_period": None,
}


def _greenhouse_content(job: _Job) -> str:
    """The HTML of a Greenhouse post, with its pay-transparency block."""
    text = job.text
    parts = [
        f'<div class="content-intro"><p>{_e(text.about)}</p></div>',
        f"<p><strong>About the role</strong></p><p>{_e(text.intro)}</p>",
    ]
    parts.append(_paragraphs(text.extra))
    for heading, items in text.sections():
        parts.append(f"<p><strong>{_e(heading)}</strong></p><ul>{_items(items)}</ul>")
    pay = job.pay
    if pay is not None:
        label = "Hourly pay range" if pay.period == "hour" else f"{job.place.city} pay range"
        parts.append(
            '<div class="content-pay-transparency"><div class="pay-input">'
            '<div class="description"><p>The range below is the base salary for this role. '
            "Final pay depends on experience, skills and location.</p></div>"
            f'<div class="title">{_e(label)}</div><div class="pay-range">'
            f"<span>{_currency_text(pay, pay.low)}</span>"
            '<span class="divider">&mdash;</span>'
            f"<span>{_currency_text(pay, pay.high)} {pay.currency}</span></div></div></div>"
        )
    if text.closing:
        parts.append(f'<div class="content-conclusion"><p>{_e(text.closing)}</p></div>')
    return "".join(parts)


def _greenhouse(context: _Context, entries: list[_Entry]) -> list[str]:
    """The Job Board API list with `content=true`, one body for the whole board."""
    company, rng = context.company, context.rng
    jobs = []
    for entry in entries:
        job = entry.job
        if company.embeds_board:
            url = f"{context.website}/careers?gh_jid={entry.source_id}"
        else:
            url = f"https://job-boards.greenhouse.io/{context.tenant}/jobs/{entry.source_id}"
        office = "Remote" if job.workplace == "remote" else job.place.city
        office_location = job.remote_label if job.workplace == "remote" else job.place.display
        hq = company.hq
        jobs.append(
            {
                "absolute_url": url,
                "data_compliance": [_GDPR],
                "internal_job_id": context.ids.next("greenhouse_internal") * 1000 + 7,
                "location": {"name": job.location_text()},
                "metadata": None,
                "id": int(entry.source_id),
                "updated_at": _local(_updated(context, job), hq),
                "requisition_id": str(rng.randint(100, 9999)),
                "title": job.title,
                "company_name": company.name,
                "first_published": _local(job.posted, hq),
                "language": "en",
                "content": html.escape(_greenhouse_content(job)),
                "departments": [
                    {
                        "id": _department_id(context, job.department),
                        "name": job.department,
                        "child_ids": [],
                        "parent_id": None,
                    }
                ],
                "offices": [
                    {
                        "id": _office_id(context, office),
                        "name": office,
                        "location": office_location,
                        "child_ids": [],
                        "parent_id": None,
                    }
                ],
            }
        )
    return [_dump({"jobs": jobs, "meta": {"total": len(jobs)}})]


# --- Lever: GET api.lever.co/v0/postings/{site}?mode=json&skip=&limit=100 -------------------

_LEVER_COMMITMENT = {
    "full_time": ("Full-time", "Permanent"),
    "part_time": ("Part-time",),
    "contract": ("Contract", "Contractor"),
    "temporary": ("Temporary", "Fixed Term"),
    "intern": ("Internship", "Intern"),
}


def _lever(context: _Context, entries: list[_Entry]) -> list[str]:
    """Postings API pages: JSON arrays of 100, and an empty one after a full page."""
    rng, site = context.rng, context.tenant
    items = []
    for entry in entries:
        job = entry.job
        text = job.text
        location = job.remote_label if job.workplace == "remote" else job.place.display
        locations = [location]
        if job.extra_place is not None:
            locations.append(job.extra_place.display)
        body_plain = f"{text.intro}\n\n{text.extra}" if text.extra else text.intro
        body = f"<div>{_e(text.intro)}</div>" + _paragraphs(text.extra, "<div>{}</div>")
        opening = f"<div>{_e(text.about)}</div>"
        hosted = f"https://jobs.lever.co/{site}/{entry.source_id}"
        item: dict[str, Any] = {
            "additional": _paragraphs(text.closing, "<div>{}</div>"),
            "additionalPlain": text.closing,
            "categories": {
                "commitment": rng.choice(_LEVER_COMMITMENT[job.employment]),
                "department": job.department,
                "location": location,
                "team": job.team,
                "allLocations": locations,
            },
            "createdAt": int(job.posted.timestamp() * 1000),
            "descriptionPlain": f"{text.about}\n\n{body_plain}",
            "description": opening + body,
            "id": entry.source_id,
            "lists": [
                {"text": heading, "content": _items(items)} for heading, items in text.sections()
            ],
            "text": job.title,
            "country": job.place.country.iso,
            "workplaceType": job.workplace,
            "opening": opening,
            "openingPlain": text.about,
            "descriptionBody": body,
            "descriptionBodyPlain": body_plain,
            "hostedUrl": hosted,
            "applyUrl": f"{hosted}/apply",
        }
        if job.pay is not None:
            pay = job.pay
            item["salaryRange"] = {
                "currency": pay.currency,
                "interval": "per-year-salary" if pay.period == "year" else "per-hour-wage",
                "min": pay.low,
                "max": pay.high,
            }
            item["salaryDescription"] = f"<div>{_e(pay.line())}</div>"
            item["salaryDescriptionPlain"] = pay.line()
        items.append(item)
    size = _PAGE_SIZE["lever"]
    pages = [_dump(items[start : start + size]) for start in range(0, len(items), size)]
    if len(items) % size == 0:
        # The adapter asks for one more page after a full one; Lever answers an empty list.
        pages.append("[]")
    return pages


# --- Ashby: GET api.ashbyhq.com/posting-api/job-board/{org}?includeCompensation=true --------

_ASHBY_TYPES = {
    "full_time": "FullTime",
    "part_time": "PartTime",
    "contract": "Contract",
    "temporary": "Temporary",
    "intern": "Intern",
}
_ASHBY_WORKPLACE = {"onsite": "OnSite", "hybrid": "Hybrid", "remote": "Remote"}


def _ashby_html(job: _Job, company: str) -> str:
    """The `descriptionHtml` of an Ashby posting."""
    text = job.text
    para = '<p style="min-height:1.5em">{}</p>'
    parts = [
        f"<h2>About {_e(company)}</h2>",
        para.format(_e(text.about)),
        "<h2>About the role</h2>",
        para.format(_e(text.intro)),
    ]
    parts.append(_paragraphs(text.extra, para))
    for heading, items in text.sections():
        bullets = "".join(f"<li>{para.format(_e(item))}</li>" for item in items)
        parts.append(f"<h2>{_e(heading)}</h2><ul>{bullets}</ul>")
    parts.append(_paragraphs(text.closing, para))
    return "".join(parts)


def _ashby_compensation(context: _Context, pay: _Pay | None) -> dict[str, Any]:
    """The `compensation` object (empty when the posting shows no pay)."""
    if pay is None:
        return {
            "compensationTierSummary": None,
            "scrapeableCompensationSalarySummary": None,
            "compensationTiers": [],
            "summaryComponents": [],
        }
    components: list[dict[str, Any]] = [
        {
            "compensationType": "Salary",
            "interval": "1 YEAR" if pay.period == "year" else "1 HOUR",
            "currencyCode": pay.currency,
            "minValue": pay.low,
            "maxValue": pay.high,
        }
    ]
    summaries = [pay.short("\u2013")]
    if pay.equity and pay.period == "year":
        components.append(
            {
                "compensationType": "EquityPercentage",
                "interval": "NONE",
                "currencyCode": None,
                "minValue": 0.05,
                "maxValue": 0.25,
            }
        )
        summaries.append("0.05% \u2013 0.25%")
    tier_summary = " \u2022 ".join(summaries)
    tier = {
        "id": context.ids.uuid(),
        "tierSummary": tier_summary,
        "title": None,
        "additionalInformation": None,
        "components": [
            {"id": context.ids.uuid(), "summary": summary, **component}
            for summary, component in zip(summaries, components, strict=True)
        ],
    }
    return {
        "compensationTierSummary": tier_summary,
        "scrapeableCompensationSalarySummary": pay.short("-"),
        "compensationTiers": [tier],
        "summaryComponents": components,
    }


def _ashby(context: _Context, entries: list[_Entry]) -> list[str]:
    """The posting API's job board, compensation included, one body."""
    company = context.company
    jobs = []
    for entry in entries:
        job = entry.job
        place = job.place
        if job.workplace == "remote":
            location = job.remote_label
            address: dict[str, Any] = {"addressCountry": place.country.name}
        else:
            location = place.display
            address = {
                "addressLocality": place.city,
                "addressRegion": place.region_name,
                "addressCountry": place.country.name,
            }
        secondary = []
        if job.extra_place is not None:
            extra = job.extra_place
            secondary.append(
                {
                    "location": extra.display,
                    "address": {
                        "addressLocality": extra.city,
                        "addressRegion": extra.region_name,
                        "addressCountry": extra.country.name,
                    },
                }
            )
        job_url = f"https://jobs.ashbyhq.com/{context.tenant}/{entry.source_id}"
        jobs.append(
            {
                "id": entry.source_id,
                "title": job.title,
                "department": job.department,
                "team": job.team,
                "employmentType": _ASHBY_TYPES[job.employment],
                "location": location,
                "shouldDisplayCompensationOnJobPostings": job.pay is not None,
                "secondaryLocations": secondary,
                "publishedAt": job.posted.isoformat(timespec="milliseconds"),
                "isListed": True,
                "isRemote": job.workplace == "remote",
                "workplaceType": _ASHBY_WORKPLACE[job.workplace],
                "address": {"postalAddress": address},
                "jobUrl": job_url,
                "applyUrl": f"{job_url}/application",
                "descriptionHtml": _ashby_html(job, company.name),
                "descriptionPlain": _plain(job, pay_line=False, upper_headings=True),
                "compensation": _ashby_compensation(context, job.pay),
            }
        )
    return [_dump({"jobs": jobs, "apiVersion": "1"})]


# --- Recruitee: GET {company}.recruitee.com/api/offers/ -------------------------------------

_RECRUITEE_TYPES = {
    "full_time": ("fulltime", "fulltime_permanent"),
    "part_time": ("parttime", "parttime_permanent"),
    "contract": ("contract", "freelance"),
    "temporary": ("fulltime_fixed_term",),
    "intern": ("internship",),
}
_RECRUITEE_CATEGORIES = {
    "backend": "engineering",
    "frontend": "engineering",
    "fullstack": "engineering",
    "data": "data_science",
    "ml": "data_science",
    "devops": "it",
    "sre": "it",
    "security": "it",
    "mobile": "engineering",
    "qa": "engineering",
    "product": "product_management",
    "design": "design",
    "sales": "sales",
    "marketing": "marketing",
    "support": "customer_support",
    "finance": "finance",
    "people": "hr",
}


def _experience_code(level: str) -> str:
    """Recruitee's `experience_code` for a seniority word."""
    if level in ("Intern", "Junior"):
        return "entry_level"
    if level in ("", "Lead"):
        return "mid_level"
    if level == "Director":
        return "executive"
    return "manager" if level == "Manager" else "experienced"


def _recruitee(context: _Context, entries: list[_Entry]) -> list[str]:
    """The Careers Site API's offers, one body."""
    company, rng, tenant = context.company, context.rng, context.tenant
    slugs: set[str] = set()
    offers = []
    for position, entry in enumerate(entries, start=1):
        job = entry.job
        place, text = job.place, job.text
        slug = base = _slug(job.title)
        number = 1
        while slug in slugs:
            number += 1
            slug = f"{base}-{number}"
        slugs.add(slug)
        guid = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(5))
        if job.workplace == "remote":
            location = "Remote job"
        else:
            location = f"{place.city}, {place.region_name}, {place.country.name}"
        description = f"<p>{_e(text.about)}</p><p>{_e(text.intro)}</p>"
        description += _paragraphs(text.extra)
        description += f"<h3>{_e(text.headings[0])}</h3><ul>{_items(text.duties)}</ul>"
        description += f"<h3>{_e(text.headings[3])}</h3><ul>{_items(text.benefits)}</ul>"
        description += _paragraphs(text.closing)
        requirements = f"<ul>{_items(text.requirements)}</ul>"
        if text.nice:
            requirements += f"<p><strong>{_e(text.headings[2])}</strong></p>"
            requirements += f"<ul>{_items(text.nice)}</ul>"
        pay = job.pay
        salary = {
            "max": str(pay.high) if pay else None,
            "min": str(pay.low) if pay else None,
            "period": pay.period if pay else None,
            "currency": pay.currency if pay else None,
        }
        published = job.posted.strftime("%Y-%m-%d %H:%M:%S UTC")
        created = (job.posted - timedelta(hours=rng.uniform(1.0, 72.0))).strftime(
            "%Y-%m-%d %H:%M:%S UTC"
        )
        careers_url = f"https://{tenant}.recruitee.com/o/{slug}"
        offers.append(
            {
                "slug": slug,
                "company_name": company.name,
                "id": int(entry.source_id),
                "sharing_description": text.intro[:200],
                "title": job.title,
                "remote": job.workplace == "remote",
                "options_photo": "optional",
                "state_name": place.region_name,
                "locations_question_required": False,
                "position": position,
                "state_code": place.region if place.country.iso in ("US", "CA") else None,
                "min_hours": None,
                "country_code": place.country.iso,
                "country": place.country.name,
                "department": job.department,
                "careers_url": careers_url,
                "employment_type_code": rng.choice(_RECRUITEE_TYPES[job.employment]),
                "experience_code": _experience_code(job.level),
                "max_hours_per_week": "40.0",
                "published_at": published,
                "location_question_visible": False,
                "careers_apply_url": f"{careers_url}/c/new",
                "options_phone": rng.choice(("optional", "required")),
                "location": location,
                "category_code": _RECRUITEE_CATEGORIES[job.discipline.key],
                "updated_at": _updated(context, job).strftime("%Y-%m-%d %H:%M:%S UTC"),
                "close_at": None,
                "hybrid": job.workplace == "hybrid",
                "open_questions": [],
                "tags": [],
                "locations": [
                    {
                        "id": context.ids.next("recruitee_location", 5),
                        "name": place.city,
                        "state": place.region_name,
                        "country": place.country.name,
                        "city": place.city,
                        "country_code": place.country.iso,
                        "postal_code": place.postal_code,
                        "state_code": place.region if place.country.iso in ("US", "CA") else None,
                        "street": None,
                        "note": None,
                    }
                ],
                "postal_code": place.postal_code,
                "sharing_title": job.title,
                "status": "published",
                "guid": guid,
                "max_hours": None,
                "min_hours_per_week": "32.0" if job.employment != "part_time" else "16.0",
                "salary": salary,
                "on_site": job.workplace == "onsite",
                "sharing_image": None,
                "city": place.city,
                "cover_image": None,
                "requirements": requirements,
                "created_at": created,
                "options_cover_letter": "optional",
                "education_code": "bachelor_degree",
                "locations_question_type": "multiple_choice",
                "mailbox_email": f"job.{guid}@{tenant}.recruitee.com",
                "options_cv": "required",
                "locations_question": None,
                "description": description,
            }
        )
    return [_dump({"offers": offers})]


# --- SmartRecruiters: GET api.smartrecruiters.com/v1/companies/{c}/postings?limit=100 ------

_SR_TYPES = {
    "full_time": ("permanent", "Full-time"),
    "part_time": ("part_time", "Part-time"),
    "contract": ("contract", "Contract"),
    "temporary": ("temporary", "Temporary"),
    "intern": ("intern", "Internship"),
}
_SR_LEVELS = {
    "Intern": ("internship", "Internship"),
    "Junior": ("entry_level", "Entry Level"),
    "": ("associate", "Associate"),
    "Director": ("director", "Director"),
}


def _smartrecruiters(context: _Context, entries: list[_Entry]) -> list[str]:
    """Posting API pages of 100, each with `totalFound`."""
    company, rng, tenant = context.company, context.rng, context.tenant
    industry_id = _slug(company.industry.label).replace("-", "_")
    # Some companies fill in SmartRecruiters' region and department fields, others never do.
    with_region, with_department = rng.random() < 0.7, rng.random() < 0.6
    content = []
    for entry in entries:
        job = entry.job
        place = job.place
        location: dict[str, Any] = {"city": place.city}
        if with_region:
            location["region"] = place.region
        location["country"] = place.country.iso.lower()
        location["remote"] = job.workplace == "remote"
        location["hybrid"] = job.workplace == "hybrid"
        type_id, type_label = _SR_TYPES[job.employment]
        level_id, level_label = _SR_LEVELS.get(job.level, ("mid_senior_level", "Mid-Senior Level"))
        department: dict[str, str] = {}
        if with_department:
            department = {
                "id": str(_department_id(context, job.department)),
                "label": job.department,
            }
        function_id, function_label = job.discipline.function
        content.append(
            {
                "id": entry.source_id,
                "name": job.title,
                "uuid": context.ids.uuid(),
                "jobAdId": context.ids.uuid(),
                "defaultJobAd": True,
                "refNumber": f"{rng.randint(1, 99_999):012d}",
                "company": {"identifier": tenant, "name": company.name},
                "releasedDate": _ms_z(job.posted),
                "location": location,
                "industry": {"id": industry_id, "label": company.industry.label},
                "department": department,
                "function": {"id": function_id, "label": function_label},
                "typeOfEmployment": {"id": type_id, "label": type_label},
                "experienceLevel": {"id": level_id, "label": level_label},
                "customField": [
                    {
                        "fieldId": "COUNTRY",
                        "fieldLabel": "Country",
                        "valueId": place.country.iso.lower(),
                        "valueLabel": place.country.name,
                    }
                ],
                "visibility": "PUBLIC",
                "ref": f"https://api.smartrecruiters.com/v1/companies/{tenant}/postings/"
                f"{entry.source_id}",
                "creator": {"name": rng.choice(company.recruiters)},
                "language": {"code": "en", "label": "English", "labelNative": "English (US)"},
            }
        )
    size = _PAGE_SIZE["smartrecruiters"]
    return [
        _dump(
            {
                "offset": start,
                "limit": size,
                "totalFound": len(content),
                "content": content[start : start + size],
            }
        )
        for start in range(0, max(len(content), 1), size)
    ]


# --- Workable: GET apply.workable.com/api/v1/widget/accounts/{account}?details=true --------

_WORKABLE_TYPES = {
    "full_time": "Full-time",
    "part_time": "Part-time",
    "contract": "Contract",
    "temporary": "Temporary",
    "intern": "Internship",
}


def _workable_experience(level: str) -> str:
    """Workable's `experience` for a seniority word."""
    return {
        "Intern": "Internship",
        "Junior": "Entry level",
        "": "Associate",
        "Director": "Director",
    }.get(level, "Mid-Senior level")


def _workable(context: _Context, entries: list[_Entry]) -> list[str]:
    """The widget account with `details=true`: one row per job and location."""
    company, rng = context.company, context.rng
    rows = []
    for entry in entries:
        job = entry.job
        code = entry.source_id
        published = job.posted.date()
        created = (job.posted - timedelta(days=rng.randint(0, 5))).date()
        places = [job.place] if job.extra_place is None else [job.place, job.extra_place]
        locations = [
            {
                "country": place.country.name,
                "countryCode": place.country.iso,
                "city": place.city,
                "region": place.region_name,
                "hidden": False,
            }
            for place in places
        ]
        description = _simple_html(job, pay_line=True)
        for place in places:
            # The widget lists a job once per location, under the same shortcode.
            rows.append(
                {
                    "title": job.title,
                    "shortcode": code,
                    "code": f"{job.discipline.key[:2].upper()}{rng.randint(1, 250)}",
                    "employment_type": _WORKABLE_TYPES[job.employment],
                    "telecommuting": job.workplace == "remote",
                    "department": job.department,
                    "url": f"https://apply.workable.com/j/{code}",
                    "shortlink": f"https://apply.workable.com/j/{code}",
                    "application_url": f"https://apply.workable.com/j/{code}/apply",
                    "published_on": published.isoformat(),
                    "created_at": created.isoformat(),
                    "country": place.country.name,
                    "city": place.city,
                    "state": place.region_name,
                    "education": "",
                    "experience": _workable_experience(job.level),
                    "function": job.discipline.function[1],
                    "industry": company.industry.label,
                    "locations": locations,
                    "description": description,
                }
            )
    body = {"name": company.name, "description": f"<p>{_e(company.about)}</p>", "jobs": rows}
    return [_dump(body)]


# --- Teamtailor: GET {site}/jobs.json (JSON Feed 1.1) ---------------------------------------

_SCHEMA_TYPES = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "contract": "CONTRACTOR",
    "temporary": "TEMPORARY",
    "intern": "INTERN",
}


def _schema_place(place: _Place, *, country_only: bool = False) -> dict[str, Any]:
    """A schema.org Place (only the country for a remote job)."""
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if not country_only:
        address |= {
            "addressLocality": place.city,
            "postalCode": place.postal_code,
            "addressRegion": place.region_name,
        }
    address["addressCountry"] = place.country.iso
    return {"@type": "Place", "address": address}


def _teamtailor(context: _Context, entries: list[_Entry]) -> list[str]:
    """The career site's JSON Feed 1.1 with schema.org `_jobposting`s, one body."""
    company = context.company
    host = context.host or f"{context.tenant}.teamtailor.com"
    items = []
    for entry in entries:
        job = entry.job
        number = int(entry.source_id)
        page = f"https://{host}/jobs/{number}-{_slug(job.title)}"
        description = _simple_html(job, pay_line=False)
        published = _local(job.posted, job.place)
        remote = job.workplace == "remote"
        places = [_schema_place(job.place, country_only=remote)]
        if job.extra_place is not None:
            places.append(_schema_place(job.extra_place))
        posting: dict[str, Any] = {
            "@context": "http://schema.org/",
            "@type": "JobPosting",
            "title": job.title,
            "description": description,
            "identifier": {"@type": "PropertyValue", "name": company.name, "value": number},
            "datePosted": published,
            "employmentType": _SCHEMA_TYPES[job.employment],
            "hiringOrganization": {
                "@type": "Organization",
                "name": company.name,
                "sameAs": context.website,
            },
            "jobLocation": places,
        }
        if remote:
            posting["jobLocationType"] = "TELECOMMUTE"
            posting["applicantLocationRequirements"] = {
                "@type": "Country",
                "name": job.place.country.name,
            }
        if job.pay is not None:
            posting["baseSalary"] = {
                "@type": "MonetaryAmount",
                "currency": job.pay.currency,
                "value": {
                    "@type": "QuantitativeValue",
                    "minValue": job.pay.low,
                    "maxValue": job.pay.high,
                    "unitText": job.pay.period.upper(),
                },
            }
        items.append(
            {
                "id": context.ids.uuid(),
                "title": job.title,
                "url": page,
                "content_html": description,
                "date_published": published,
                "date_modified": _local(_updated(context, job), job.place),
                "_jobposting": posting,
            }
        )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": company.name,
        "home_page_url": f"https://{host}/jobs",
        "feed_url": f"https://{host}/jobs.json",
        "items": items,
    }
    return [_dump(feed)]


# --- Personio: GET {company}.jobs.personio.de/xml -------------------------------------------

_PERSONIO_TYPES = {
    "full_time": ("permanent", "full-time"),
    "part_time": ("permanent", "part-time"),
    "contract": ("freelance", "full-time"),
    "temporary": ("temporary", "full-time"),
    "intern": ("intern", "full-time"),
}


def _cdata(text: str) -> str:
    """`text` as a CDATA section (safe even if it contains the end marker)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _years_band(years: int) -> str:
    """Personio's `yearsOfExperience` band for a number of years."""
    for limit, band in ((1, "lt-1"), (2, "1-2"), (5, "2-5"), (7, "5-7"), (10, "7-10")):
        if years < limit or (years <= limit and limit > 2):
            return band
    return "10-15"


def _personio(context: _Context, entries: list[_Entry]) -> list[str]:
    """The `<workzag-jobs>` XML feed, one body."""
    company = context.company
    out = ["<?xml version='1.0' encoding='UTF-8'?>\n<workzag-jobs>\n"]
    for entry in entries:
        job = entry.job
        text = job.text
        office = "Remote" if job.workplace == "remote" else job.place.city
        sections = [
            ("About us", f"<p>{_e(text.about)}</p>"),
            (text.headings[0], f"<p>{_e(text.intro)}</p><ul>{_items(text.duties)}</ul>"),
            (text.headings[1], f"<ul>{_items((*text.requirements, *text.nice))}</ul>"),
        ]
        closing = f"<ul>{_items(text.benefits)}</ul>"
        if job.pay is not None:
            closing += f"<p>{_e(job.pay.line())}</p>"
        sections.append((text.headings[3], closing + _paragraphs(text.closing)))
        employment, schedule = _PERSONIO_TYPES[job.employment]
        seniority = (
            "entry-level"
            if job.level in ("Intern", "Junior")
            else "executive"
            if job.level == "Director"
            else "experienced"
        )
        parts = [
            "<position>\n",
            f"    <id>{entry.source_id}</id>\n",
            f"    <subcompany>{xml_escape(company.legal_name)}</subcompany>\n",
            f"    <office>{xml_escape(office)}</office>\n",
        ]
        if job.extra_place is not None:
            parts.append(
                "    <additionalOffices>\n"
                f"        <office>{xml_escape(job.extra_place.city)}</office>\n"
                "    </additionalOffices>\n"
            )
        parts += [
            f"    <department>{xml_escape(job.department)}</department>\n",
            f"    <recruitingCategory>{xml_escape(job.discipline.job_family)}"
            "</recruitingCategory>\n",
            f"    <name>{xml_escape(job.title)}</name>\n",
            "    <jobDescriptions>\n",
        ]
        for name, value in sections:
            parts.append(
                "        <jobDescription>\n"
                f"            <name>{xml_escape(name)}</name>\n"
                f"            <value>{_cdata(value)}</value>\n"
                "        </jobDescription>\n"
            )
        parts += [
            "    </jobDescriptions>\n",
            f"    <employmentType>{employment}</employmentType>\n",
            f"    <seniority>{seniority}</seniority>\n",
            f"    <schedule>{schedule}</schedule>\n",
            f"    <yearsOfExperience>{_years_band(job.years)}</yearsOfExperience>\n",
            f"    <keywords>{xml_escape(','.join(job.skills[:3]))}</keywords>\n",
        ]
        if job.discipline.family == "eng":
            parts.append("    <occupation>software_and_web_development</occupation>\n")
            parts.append("    <occupationCategory>it_software</occupationCategory>\n")
        parts.append(
            f"    <createdAt>{job.posted.isoformat(timespec='seconds')}</createdAt>\n</position>\n"
        )
        out.append("".join(parts))
    out.append("</workzag-jobs>\n")
    return ["".join(out)]


# --- Workday: POST {host}/wday/cxs/{tenant}/{site}/jobs (20 a page) -------------------------


def _posted_on(now: datetime, posted: datetime) -> str:
    """Workday's relative posting date ("Posted 3 Days Ago")."""
    days = (now.date() - posted.date()).days
    if days <= 0:
        return "Posted Today"
    if days == 1:
        return "Posted Yesterday"
    if days < 30:
        return f"Posted {days} Days Ago"
    return "Posted 30+ Days Ago"


def _path_part(text: str) -> str:
    """A title as Workday writes it into a posting path: every other character a dash."""
    return re.sub(r"[^A-Za-z0-9]", "-", text)


def _location_part(text: str) -> str:
    """A location as Workday writes it into a posting path: punctuation dropped."""
    return re.sub(r"[^A-Za-z0-9 -]", "", text).replace(" ", "-")


def _workday(context: _Context, entries: list[_Entry]) -> list[str]:
    """CXS search pages of 20; the first states the total and the facets."""
    postings = []
    families: dict[str, int] = {}
    places: dict[str, int] = {}
    for entry in entries:
        job = entry.job
        location = job.remote_label if job.workplace == "remote" else job.place.display
        shown = "2 Locations" if job.extra_place is not None else location
        path = f"/job/{_location_part(location)}/{_path_part(job.title)}_{entry.source_id}"
        postings.append(
            {
                "title": job.title,
                "externalPath": path,
                "locationsText": shown,
                "postedOn": _posted_on(context.now, job.posted),
                "bulletFields": [entry.source_id.split("-")[0], location],
            }
        )
        families[job.discipline.job_family] = families.get(job.discipline.job_family, 0) + 1
        places[location] = places.get(location, 0) + 1
    facets = [
        {
            "facetParameter": "jobFamilyGroup",
            "descriptor": "Job Category",
            "values": [
                {"descriptor": name, "id": context.ids.hex(32), "count": count}
                for name, count in sorted(families.items(), key=lambda kv: -kv[1])
            ],
        },
        {
            "facetParameter": "locations",
            "descriptor": "Locations",
            "values": [
                {"descriptor": name, "id": context.ids.hex(32), "count": count}
                for name, count in sorted(places.items(), key=lambda kv: -kv[1])
            ],
        },
    ]
    size = _PAGE_SIZE["workday"]
    pages = []
    for start in range(0, max(len(postings), 1), size):
        first = start == 0
        # Workday states the total (and the facets) on the first page only.
        page = {
            "total": len(postings) if first else 0,
            "jobPostings": postings[start : start + size],
            "facets": facets if first else [],
            "userAuthenticated": False,
        }
        pages.append(_dump(page))
    return pages


# --- Breezy HR: GET {company}.breezy.hr/json ------------------------------------------------

_BREEZY_TYPES = {
    "full_time": ("fullTime", "Full-Time"),
    "part_time": ("partTime", "Part-Time"),
    "contract": ("contract", "Contract"),
    "temporary": ("temporary", "Temporary"),
    "intern": ("internship", "Internship"),
}


def _breezy_salary(pay: _Pay) -> str:
    """Breezy's salary display text ("$120,000 - $150,000 / year", with an en dash)."""
    unit = "year" if pay.period == "year" else "hour"
    symbol = _SYMBOLS.get(pay.currency)
    if symbol:
        return f"{symbol}{pay.low:,} \u2013 {symbol}{pay.high:,} / {unit}"
    return f"{pay.currency} {pay.low:,} \u2013 {pay.currency} {pay.high:,} / {unit}"


def _breezy(context: _Context, entries: list[_Entry]) -> list[str]:
    """The board's `/json` positions (no descriptions), one body."""
    company, tenant = context.company, context.tenant
    multiple = len(company.offices) > 1
    positions = []
    for entry in entries:
        job = entry.job
        place = job.place
        friendly = f"{entry.source_id}-{_slug(job.title)}"
        location = {
            "country": {"name": place.country.name, "id": place.country.iso},
            "state": {"id": place.region, "name": place.region_name},
            "city": place.city,
            "primary": True,
            "is_remote": job.workplace == "remote",
            "name": place.display,
        }
        item: dict[str, Any] = {
            "id": entry.source_id,
            "friendly_id": friendly,
            "name": job.title,
            "url": f"https://{tenant}.breezy.hr/p/{friendly}",
            "published_date": _ms_z(job.posted),
            "type": dict(zip(("id", "name"), _BREEZY_TYPES[job.employment], strict=True)),
            "location": location,
            "department": job.department,
        }
        if job.pay is not None:
            item["salary"] = _breezy_salary(job.pay)
        item["company"] = {
            "name": company.name,
            "logo_url": None,
            "friendly_id": tenant,
            "isMultipleLocationsEnabled": multiple,
        }
        item["locations"] = [location | {"id": context.ids.hex(12)}] if multiple else []
        positions.append(item)
    return [_dump(positions)]


# --- BambooHR: GET {company}.bamboohr.com/careers/list --------------------------------------

_BAMBOO_TYPES = {
    "full_time": "Full-Time",
    "part_time": "Part-Time",
    "contract": "Contract - Full-Time",
    "temporary": "Temporary",
    "intern": "Intern",
}


def _bamboohr(context: _Context, entries: list[_Entry]) -> list[str]:
    """The careers list (no descriptions, no dates), one body."""
    rng = context.rng
    result = []
    for entry in entries:
        job = entry.job
        place = job.place
        empty = {"country": None, "state": None, "province": None, "city": None}
        if rng.random() < 0.8 or job.workplace == "remote":
            location: dict[str, Any] = {"city": None, "state": None}
            ats_location: dict[str, Any] = {
                "country": place.country.name,
                "state": place.region_name,
                "province": None,
                "city": place.city,
            }
            location_type = "1"
        else:
            location = {"city": place.city, "state": place.region_name}
            ats_location, location_type = empty, "2"
        result.append(
            {
                "id": entry.source_id,
                "jobOpeningName": job.title,
                "departmentId": str(_department_id(context, job.department) // 1000 % 100_000),
                "departmentLabel": job.department,
                "employmentStatusLabel": _BAMBOO_TYPES[job.employment],
                "location": location,
                "atsLocation": ats_location,
                "isRemote": True if job.workplace == "remote" else None,
                "locationType": location_type,
            }
        )
    return [_dump({"meta": {"totalCount": len(result)}, "result": result})]


_RENDERERS: dict[str, Callable[[_Context, list[_Entry]], list[str]]] = {
    "greenhouse": _greenhouse,
    "lever": _lever,
    "ashby": _ashby,
    "recruitee": _recruitee,
    "smartrecruiters": _smartrecruiters,
    "workable": _workable,
    "teamtailor": _teamtailor,
    "personio": _personio,
    "workday": _workday,
    "breezy": _breezy,
    "bamboohr": _bamboohr,
}

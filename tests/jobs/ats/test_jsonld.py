"""schema.org JobPosting extraction from whole pages: JSON-LD in its shapes, and microdata."""

from __future__ import annotations

from datetime import UTC, datetime

from jobpilot.jobs.ats.jsonld import extract_job_postings
from support import require_shared

PAGE_URL = "https://careers.example-bakery.com/jobs/1042-shift-supervisor"

SINGLE = """<!doctype html>
<html><head><title>Shift Supervisor - Example Bakery</title>
<script type="application/ld+json">
{
  "@context": "https://schema.org/",
  "@type": "JobPosting",
  "title": "Shift Supervisor",
  "description": "<p>Lead the early shift.</p><ul><li>Open the store at 5am</li></ul>",
  "identifier": {"@type": "PropertyValue", "name": "Example Bakery", "value": "REQ-1042"},
  "datePosted": "2026-03-02",
  "validThrough": "2099-04-30T23:59",
  "employmentType": ["FULL_TIME", "PART_TIME"],
  "hiringOrganization": {"@type": "Organization", "name": "Example Bakery",
                         "sameAs": "https://example-bakery.com"},
  "jobLocation": [
    {"@type": "Place", "address": {"@type": "PostalAddress", "streetAddress": "12 Mill Rd",
      "addressLocality": "Portland", "addressRegion": "OR", "postalCode": "97201",
      "addressCountry": "US"}},
    {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Salem",
      "addressRegion": "OR", "addressCountry": {"@type": "Country", "name": "US"}}}
  ],
  "baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
    "value": {"@type": "QuantitativeValue", "minValue": 19.5, "maxValue": 23,
              "unitText": "HOUR"}}
}
</script>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BreadcrumbList",
  "itemListElement": []}</script>
</head><body><h1>Shift Supervisor</h1></body></html>
"""


def test_single_object_carries_every_documented_field() -> None:
    [posting] = extract_job_postings(SINGLE, PAGE_URL)
    assert posting.ats == "jsonld"
    assert posting.tenant == "careers.example-bakery.com"
    assert posting.source_id == "REQ-1042"
    assert posting.title == "Shift Supervisor"
    assert posting.company_name == "Example Bakery"
    assert posting.url == PAGE_URL
    assert posting.locations == ["Portland, OR, US", "Salem, OR, US"]
    assert posting.employment_type == "FULL_TIME, PART_TIME"
    assert posting.posted_at == datetime(2026, 3, 2, tzinfo=UTC)
    assert posting.description_html is not None
    assert posting.description_html.startswith("<p>Lead the early shift.</p>")
    assert (posting.salary_min, posting.salary_max) == (19.5, 23.0)
    assert (posting.salary_currency, posting.salary_period) == ("USD", "hour")
    assert posting.workplace is None
    assert posting.closed is False
    assert posting.raw["validThrough"] == "2099-04-30T23:59"


GRAPH_AND_BROKEN = """<html><head>
<script type="application/ld+json">{ "@type": "JobPosting", "title": "Broken", </script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Acme Careers"},
  {"@type": "JobPosting", "title": "Remote Support Engineer",
   "description": "&lt;p&gt;Help customers&lt;/p&gt;",
   "identifier": 5531,
   "datePosted": "2025-07-28 00:00:00.0",
   "validThrough": "2020-01-31",
   "employmentType": "CONTRACTOR",
   "jobLocationType": "TELECOMMUTE",
   "applicantLocationRequirements": {"@type": "Country", "name": "Canada"},
   "hiringOrganization": "Acme Ltd",
   "baseSalary": {"@type": "MonetaryAmount", "currency": "CAD",
     "value": {"@type": "QuantitativeValue", "value": 70000, "unitText": "YEAR"}}}
]}
</script>
<script type="application/ld+json">
[{"@type": "JobPosting", "title": "Warehouse Associate",
  "url": "https://acme.example/jobs/wa-7",
  "jobLocation": {"@type": "Place", "address": {"addressLocality": "Leeds",
    "addressCountry": "GB"}}}]
</script>
</head><body></body></html>"""


def test_graph_list_broken_script_and_remote() -> None:
    postings = extract_job_postings(GRAPH_AND_BROKEN, "https://acme.example/careers")
    assert [p.title for p in postings] == ["Remote Support Engineer", "Warehouse Associate"]
    remote, warehouse = postings
    assert remote.source_id == "5531"
    assert remote.workplace == "remote"
    assert remote.locations == ["Canada"]
    assert remote.company_name == "Acme Ltd"
    assert remote.description_html == "<p>Help customers</p>"
    assert remote.posted_at == datetime(2025, 7, 28, tzinfo=UTC)
    assert remote.closed is True
    assert (remote.salary_min, remote.salary_max, remote.salary_period) == (
        70000.0,
        70000.0,
        "year",
    )
    # Without an identifier, the posting's own URL is its id.
    assert warehouse.source_id == "https://acme.example/jobs/wa-7"
    assert warehouse.url == "https://acme.example/jobs/wa-7"
    assert warehouse.locations == ["Leeds, GB"]
    assert warehouse.tenant == "acme.example"


def test_posting_nested_under_another_node() -> None:
    page = """<script type="application/ld+json">{"@type": "WebPage",
      "mainEntity": {"@type": ["JobPosting"], "title": "Line Cook",
      "identifier": [{"@type": "PropertyValue", "value": "LC-9"}]}}</script>"""
    [posting] = extract_job_postings(page, "https://diner.example/jobs/line-cook")
    assert (posting.title, posting.source_id) == ("Line Cook", "LC-9")


MICRODATA = """<!doctype html><html><body>
<div itemscope itemtype="http://schema.org/JobPosting">
  <h1 itemprop="title">Delivery Driver</h1>
  <span itemprop="hiringOrganization" itemscope itemtype="http://schema.org/Organization">
    <span itemprop="name">Green Grocer Co</span></span>
  <meta itemprop="datePosted" content="2026-01-15">
  <span itemprop="employmentType">PART_TIME</span>
  <div itemprop="jobLocation" itemscope itemtype="http://schema.org/Place">
    <div itemprop="address" itemscope itemtype="http://schema.org/PostalAddress">
      <span itemprop="addressLocality">Austin</span>,
      <span itemprop="addressRegion">TX</span>
      <meta itemprop="addressCountry" content="US">
    </div>
  </div>
  <div itemprop="baseSalary" itemscope itemtype="http://schema.org/MonetaryAmount">
    <meta itemprop="currency" content="USD">
    <div itemprop="value" itemscope itemtype="http://schema.org/QuantitativeValue">
      <meta itemprop="minValue" content="17"><meta itemprop="maxValue" content="21">
      <meta itemprop="unitText" content="HOUR">
    </div>
  </div>
  <div itemprop="description"><p>Deliver orders <b>safely</b>.</p></div>
  <time itemprop="validThrough" datetime="2099-12-31">Dec 31</time>
</div>
</body></html>"""


def test_microdata_posting() -> None:
    [posting] = extract_job_postings(MICRODATA, "https://jobs.greengrocer.example/driver")
    assert posting.title == "Delivery Driver"
    assert posting.company_name == "Green Grocer Co"
    assert posting.posted_at == datetime(2026, 1, 15, tzinfo=UTC)
    assert posting.employment_type == "PART_TIME"
    assert posting.locations == ["Austin, TX, US"]
    assert (posting.salary_min, posting.salary_max, posting.salary_currency) == (17.0, 21.0, "USD")
    assert posting.description_html == "<p>Deliver orders <b>safely</b>.</p>"
    assert posting.source_id == "https://jobs.greengrocer.example/driver"
    assert posting.closed is False


def test_pages_without_postings() -> None:
    assert extract_job_postings("<html><body><p>No jobs</p></body></html>", PAGE_URL) == []
    assert extract_job_postings("", PAGE_URL) == []
    only_broken = '<script type="application/ld+json">{"@type": "JobPosting",</script>'
    assert extract_job_postings(only_broken, PAGE_URL) == []


def test_captured_search_pages_carry_no_jsonld() -> None:
    # The saved iCIMS and Jobvite samples are trimmed search lists: no posting descriptions.
    for ats, name in [
        ("icims", "wipfli_jobs_search_trimmed.html"),
        ("jobvite", "feedingamerica_search_trimmed.html"),
    ]:
        page = require_shared("fixtures", "ats", ats, name).read_text(encoding="utf-8")
        assert extract_job_postings(page, "https://example.com/") == []

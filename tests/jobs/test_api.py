"""The jobs API end to end, on SQLite and PostgreSQL: search, postings, imports, companies,
saved searches. ATS hosts are the local stand-in serving captured payloads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from fakes.local_server import Canned, FakeHosts
from jobpilot import registry, wiring
from jobpilot.jobs.ats.base import AtsPosting, BoardRef
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.ingest import Ingester
from jobpilot.jobs.models import SavedSearch
from jobpilot.kit.clock import utcnow
from jobpilot.kit.tasks import Task
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, require_shared, sign_in

NOW = utcnow()
BACKEND = (
    "<p>We run payments for small shops.</p><ul><li>Build Python and FastAPI services</li>"
    "<li>Operate PostgreSQL and Kubernetes</li><li>Mentor engineers on the platform team</li>"
    "</ul><script>alert(1)</script><p onclick='x()'>Salary: $140,000 - $170,000 per year</p>"
)
DESIGN = "<p>Shape the checkout experience in Figma with researchers and engineers.</p>"
CODEPATH_LIST = "https://boards-api.greenhouse.io/v1/boards/codepath/jobs?content=true"
CODEPATH_JOB = (
    "https://boards-api.greenhouse.io/v1/boards/codepath/jobs/4426096007"
    "?compliance=true&demographic_questions=true&location_questions=true"
    "&pay_transparency=true&questions=true"
)


def posting(ats: str, tenant: str, source_id: str, title: str, **extra: Any) -> AtsPosting:
    base = AtsPosting(
        ats=ats,
        tenant=tenant,
        source_id=source_id,
        title=title,
        url=f"https://{tenant}.example/jobs/{source_id}",
        company_name=None,
        employment_type="Full-time",
        locations=["Remote - US"],
        description_html=BACKEND,
        posted_at=NOW - timedelta(days=2),
    )
    return replace(base, **extra)


# The catalogue every test searches: Acme lists its backend job on two boards.
CATALOGUE: dict[tuple[str, str, str], list[AtsPosting]] = {
    ("Acme Payments", "greenhouse", "acme"): [
        posting("greenhouse", "acme", "1", "Senior Backend Engineer"),
        posting(
            "greenhouse", "acme", "2", "Product Designer", description_html=DESIGN,
            locations=["London, United Kingdom"], posted_at=NOW - timedelta(days=20),
        ),
        posting(
            "greenhouse", "acme", "3", "Engineering Manager", locations=["Berlin, Germany"],
            description_html="<p>Lead the payments engineering team in Berlin, hybrid.</p>",
            workplace="hybrid", posted_at=NOW - timedelta(days=1),
        ),
    ],
    ("Acme Payments", "lever", "acme"): [
        posting(
            "lever", "acme", "aaaa-1", "Senior Backend Engineer",
            description_html=BACKEND.replace("small shops", "small shops and cafés"),
        ),
    ],
    ("Bluefin Robotics", "ashby", "bluefin"): [
        posting(
            "ashby", "bluefin", "b1", "Junior Data Engineer", locations=["Austin, TX"],
            description_html="<p>Pipelines in Python and SQL for our robot fleet data.</p>",
            employment_type="Contract", posted_at=NOW - timedelta(days=40),
        ),
        posting(
            "ashby", "bluefin", "b2", "Staff Software Engineer, Remote",
            description_html="<p>Rust and Go services controlling warehouse robots.</p>",
            salary_min=200000, salary_max=240000, salary_currency="USD", salary_period="year",
        ),
    ],
}  # fmt: skip


@dataclass
class Platform:
    app: Any
    client: httpx.AsyncClient
    user: dict[str, str]
    admin: dict[str, str]

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(path, params=params, headers=self.user)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def drain(self) -> None:
        await wiring.build_worker(self.app.state.container, registry.domains()).drain()


@pytest.fixture
async def platform(
    settings: Settings, migrated_url: str, fake: FakeHosts
) -> AsyncIterator[Platform]:
    fake.reset()
    settings.database.url = migrated_url
    settings.jobs = JobsSettings(ats_proxy_url=fake.base_url, request_attempts=1)
    app = create_app(settings)
    async for client in client_for(app):
        async with app.state.container.db.unit_of_work() as session:
            ingester = Ingester(session, settings.jobs)
            for (name, ats, tenant), items in CATALOGUE.items():
                company = await ingester.company(name)
                ref = BoardRef(ats=ats, tenant=tenant)
                board, _ = await ingester.ensure_board(company, ref)
                await ingester.apply(board, items)
        user = await sign_in(client, app, "ada@example.com")
        admin = await sign_in(client, app, "root@example.com", admin=True)
        yield Platform(app, client, user, admin)


def titles(page: dict[str, Any]) -> list[str]:
    return [item["title"] for item in page["items"]]


async def test_search_needs_a_signed_in_caller(platform: Platform) -> None:
    assert_error(await platform.client.get("/api/v1/jobs"), 401, "invalid_token")


async def test_engineer_remote_is_ranked_and_deduplicated(platform: Platform) -> None:
    page = await platform.get("/api/v1/jobs", q="engineer", remote="remote")
    # The backend job is listed on Greenhouse and Lever: it is one result.
    assert sorted(titles(page)) == ["Senior Backend Engineer", "Staff Software Engineer, Remote"]
    assert (page["total"], page["total_exact"]) == (2, True)
    assert page["items"][0]["score"] >= page["items"][1]["score"] > 0
    page = await platform.get("/api/v1/jobs", q="backend engineer", remote="remote")
    first = page["items"][0]
    assert first["company"]["name"] == "Acme Payments"
    assert first["workplace"] == "remote"
    assert first["salary"] == {"min": 140000, "max": 170000, "currency": "USD", "period": "year"}
    assert "alert" not in first["snippet"]


async def test_every_filter_narrows_the_results(platform: Platform) -> None:
    get = platform.get
    assert titles(await get("/api/v1/jobs", country="GB")) == ["Product Designer"]
    assert titles(await get("/api/v1/jobs", country="de,gb", sort="date")) == [
        "Engineering Manager",
        "Product Designer",
    ]
    assert titles(await get("/api/v1/jobs", location="austin")) == ["Junior Data Engineer"]
    assert titles(await get("/api/v1/jobs", salary_min=180000)) == [
        "Staff Software Engineer, Remote"
    ]
    assert "Junior Data Engineer" not in titles(await get("/api/v1/jobs", posted_within="30d"))
    assert sorted(titles(await get("/api/v1/jobs", company="bluefin-robotics"))) == [
        "Junior Data Engineer",
        "Staff Software Engineer, Remote",
    ]
    assert titles(await get("/api/v1/jobs", company="nobody")) == []
    assert titles(await get("/api/v1/jobs", ats="ashby", employment_type="contract")) == [
        "Junior Data Engineer"
    ]
    assert titles(await get("/api/v1/jobs", seniority="manager")) == ["Engineering Manager"]
    assert titles(await get("/api/v1/jobs", remote="hybrid")) == ["Engineering Manager"]
    newest = await get("/api/v1/jobs", sort="date")
    assert titles(newest)[0] == "Engineering Manager"  # listed a day ago


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"remote": "moon"}, "remote"),
        ({"posted_within": "soon"}, "posted_within"),
        ({"ats": "myspace"}, "ats"),
        ({"seniority": "wizard"}, "seniority"),
        ({"salary_min": "-5"}, "salary_min"),
        ({"sort": "random"}, "sort"),
        ({"limit": "1000"}, "limit"),
    ],
)
async def test_bad_filters_are_refused_naming_the_parameter(
    platform: Platform, params: dict[str, str], field: str
) -> None:
    response = await platform.client.get("/api/v1/jobs", params=params, headers=platform.user)
    error = assert_error(response, 422, "validation_error")
    assert [
        d["loc"][-1] if not isinstance(d["loc"][-1], int) else d["loc"][-2]
        for d in error["details"]
    ] == [field]


async def test_cursor_pages_cover_everything_once(platform: Platform) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "date"}
        if cursor:
            params["cursor"] = cursor
        page = await platform.get("/api/v1/jobs", **params)
        assert page["total"] == 5
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    other = await platform.client.get(
        "/api/v1/jobs",
        params={
            "q": "designer",
            "cursor": (await platform.get("/api/v1/jobs", limit=1))["next_cursor"],
        },
        headers=platform.user,
    )
    assert_error(other, 400, "invalid_cursor")


async def test_facets_count_each_filter_value(platform: Platform) -> None:
    page = await platform.get("/api/v1/jobs", facets="true", remote="remote")
    facets = page["facets"]
    workplace = {f["value"]: f["count"] for f in facets["workplace"]}
    # The workplace facet ignores its own filter: hybrid is still counted.
    assert workplace == {"remote": 2, "hybrid": 1}
    companies = {f["label"]: f["count"] for f in facets["company"]}
    assert companies == {"Acme Payments": 1, "Bluefin Robotics": 1}
    countries = {f["value"]: f["label"] for f in facets["country"]}
    assert countries["US"] == "United States"


async def test_a_posting_shows_its_sanitised_description_and_both_sources(
    platform: Platform,
) -> None:
    page = await platform.get("/api/v1/jobs", q="backend")
    job = await platform.get(f"/api/v1/jobs/{page['items'][0]['id']}")
    assert "<script" not in job["description_html"]
    assert "onclick" not in job["description_html"]
    assert "<li>Build Python and FastAPI services</li>" in job["description_html"]
    assert {(s["ats"], s["source_id"]) for s in job["sources"]} == {
        ("greenhouse", "1"),
        ("lever", "aaaa-1"),
    }
    assert job["locations"] == [
        {
            "text": "Remote - US",
            "city": None,
            "region": None,
            "country": "US",
            "workplace": "remote",
        }
    ]
    missing = await platform.client.get(
        "/api/v1/jobs/00000000-0000-0000-0000-000000000000", headers=platform.user
    )
    assert_error(missing, 404, "job_not_found")


async def test_an_admin_registers_a_board_and_the_worker_reads_it(
    platform: Platform, fake: FakeHosts
) -> None:
    sample = require_shared("fixtures", "ats", "greenhouse", "codepath_jobs.json")
    fake.add("GET", CODEPATH_LIST, Canned.file(sample))
    url = "https://job-boards.greenhouse.io/codepath/jobs/4426096007"
    refused = await platform.client.post(
        "/api/v1/companies", json={"url": url}, headers=platform.user
    )
    assert_error(refused, 403, "forbidden")

    created = await platform.client.post(
        "/api/v1/companies", json={"url": url, "name": "CodePath"}, headers=platform.admin
    )
    assert created.status_code == 201, created.text
    company = created.json()
    assert (company["name"], company["open_postings"]) == ("CodePath", 0)
    assert [(b["key"], b["last_status"]) for b in company["boards"]] == [
        ("greenhouse:codepath", "never")
    ]
    await platform.drain()
    company = await platform.get(f"/api/v1/companies/{company['id']}")
    assert company["open_postings"] == 15
    assert company["boards"][0]["last_status"] == "ok"
    page = await platform.get("/api/v1/jobs", q="data engineer", company="codepath")
    assert titles(page)[0] == "Data Engineer"

    again = await platform.client.post(
        "/api/v1/companies", json={"url": url}, headers=platform.admin
    )
    assert_error(again, 409, "board_already_registered")
    unknown = await platform.client.post(
        "/api/v1/companies", json={"url": "https://example.org/careers"}, headers=platform.admin
    )
    assert_error(unknown, 422, "unsupported_url")
    listed = await platform.get("/api/v1/companies", q="code")
    assert [c["name"] for c in listed["items"]] == ["CodePath"]


async def test_a_failing_board_shows_why_on_its_company(platform: Platform) -> None:
    created = await platform.client.post(
        "/api/v1/companies", json={"url": "https://jobs.lever.co/vanished"}, headers=platform.admin
    )
    await platform.drain()
    company = await platform.get(f"/api/v1/companies/{created.json()['id']}")
    board = company["boards"][0]
    assert (board["last_status"], board["last_error_code"]) == ("error", "board_not_found")


async def test_importing_an_ats_posting_url_stores_it_once(
    platform: Platform, fake: FakeHosts
) -> None:
    sample = require_shared(
        "fixtures", "ats", "greenhouse", "codepath_job_4426096007_with_questions.json"
    )
    fake.add("GET", CODEPATH_JOB, Canned.file(sample))
    url = "https://job-boards.greenhouse.io/codepath/jobs/4426096007"
    first = await platform.client.post(
        "/api/v1/jobs/import", json={"url": url}, headers=platform.user
    )
    assert first.status_code == 201, first.text
    assert first.json()["title"] == "Associate Instructor - Part Time, Fall Contract"
    again = await platform.client.post(
        "/api/v1/jobs/import", json={"url": url}, headers=platform.user
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


async def test_importing_any_page_with_job_posting_data(
    platform: Platform, fake: FakeHosts
) -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Night Shift Baker",
        "identifier": {"@type": "PropertyValue", "value": "BK-7"},
        "hiringOrganization": {"@type": "Organization", "name": "Crumb & Co"},
        "jobLocation": {
            "@type": "Place",
            "address": {"addressLocality": "Leeds", "addressCountry": "GB"},
        },
        "description": "<p>Bake sourdough from 2am.</p><img src=x onerror=alert(1)>",
        "datePosted": "2026-11-20",
        "employmentType": "PART_TIME",
    }
    page = f'<html><script type="application/ld+json">{json.dumps(data)}</script></html>'
    fake.add(
        "GET",
        "https://crumb.example/careers/baker",
        Canned(200, page.encode(), {"content-type": "text/html"}),
    )
    fake.add(
        "GET",
        "https://crumb.example/about",
        Canned(200, b"<html>No jobs here</html>", {"content-type": "text/html"}),
    )
    created = await platform.client.post(
        "/api/v1/jobs/import",
        json={"url": "https://crumb.example/careers/baker"},
        headers=platform.user,
    )
    assert created.status_code == 201, created.text
    job = created.json()
    assert (job["title"], job["company"]["name"], job["country"]) == (
        "Night Shift Baker",
        "Crumb & Co",
        "GB",
    )
    assert (job["ats"], job["employment_type"]) == ("jsonld", "part_time")
    assert "onerror" not in job["description_html"]
    none = await platform.client.post(
        "/api/v1/jobs/import", json={"url": "https://crumb.example/about"}, headers=platform.user
    )
    assert_error(none, 422, "no_job_posting")
    bad = await platform.client.post(
        "/api/v1/jobs/import", json={"url": "file:///etc/passwd"}, headers=platform.user
    )
    assert_error(bad, 422, "validation_error")


async def test_saved_searches_are_private_and_limited_by_the_plan(platform: Platform) -> None:
    client, user = platform.client, platform.user
    body = {"name": "Remote backend", "filters": {"q": "backend", "remote": ["remote"]}}
    created = await client.post("/api/v1/jobs/saved-searches", json=body, headers=user)
    assert created.status_code == 201, created.text
    saved = created.json()
    assert saved["filters"]["q"] == "backend"
    results = await platform.get(f"/api/v1/jobs/saved-searches/{saved['id']}/results")
    assert titles(results) == ["Senior Backend Engineer"]
    assert_error(
        await client.post("/api/v1/jobs/saved-searches", json=body, headers=user),
        409,
        "saved_search_name_taken",
    )
    bad = {"name": "x", "filters": {"country": ["Narnia"]}}
    assert_error(
        await client.post("/api/v1/jobs/saved-searches", json=bad, headers=user),
        422,
        "validation_error",
    )

    for n in (2, 3):
        ok = await client.post(
            "/api/v1/jobs/saved-searches", json={"name": f"s{n}", "filters": {}}, headers=user
        )
        assert ok.status_code == 201
    over = await client.post(
        "/api/v1/jobs/saved-searches", json={"name": "s4", "filters": {}}, headers=user
    )
    assert_error(over, 402, "quota_exceeded")

    other = await sign_in(client, platform.app, "eve@example.com")
    assert (await client.get("/api/v1/jobs/saved-searches", headers=other)).json() == []
    assert_error(
        await client.get(f"/api/v1/jobs/saved-searches/{saved['id']}", headers=other),
        404,
        "saved_search_not_found",
    )
    assert_error(
        await client.delete(f"/api/v1/jobs/saved-searches/{saved['id']}", headers=other),
        404,
        "saved_search_not_found",
    )

    renamed = await client.put(
        f"/api/v1/jobs/saved-searches/{saved['id']}",
        json={"name": "Backend anywhere", "filters": {"q": "backend"}},
        headers=user,
    )
    assert renamed.json()["name"] == "Backend anywhere"
    deleted = await client.delete(f"/api/v1/jobs/saved-searches/{saved['id']}", headers=user)
    assert deleted.status_code == 204
    again = await client.post(
        "/api/v1/jobs/saved-searches", json={"name": "s4", "filters": {}}, headers=user
    )
    assert again.status_code == 201  # the deleted one's quota came back
    names = [
        s["name"] for s in (await client.get("/api/v1/jobs/saved-searches", headers=user)).json()
    ]
    assert names == ["s2", "s3", "s4"]


async def test_saved_searches_are_exported_and_erased_with_the_account(platform: Platform) -> None:
    client, user = platform.client, platform.user
    await client.post(
        "/api/v1/jobs/saved-searches", json={"name": "Mine", "filters": {"q": "rust"}}, headers=user
    )
    export = (await client.get("/api/v1/users/me/export", headers=user)).json()
    assert [s["name"] for s in export["jobs"]["saved_searches"]] == ["Mine"]
    erased = await client.request(
        "DELETE", "/api/v1/users/me", json={"confirm": "DELETE"}, headers=user
    )
    assert erased.status_code == 204
    await platform.drain()
    async with platform.app.state.container.db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(SavedSearch)) == 0
        dead = await session.scalar(
            select(func.count()).select_from(Task).where(Task.status == "dead")
        )
        assert dead == 0

"""Auto-apply against the ATS sandbox: applications per minute, success per ATS, time per
application, and memory per browser context, on this machine (2 cores).

The replay set is the sandbox's local copies of each ATS's application form (built from the
captured definitions and apply pages in ../shared/fixtures/ats; built-in forms without them):
BENCH_PER_ATS postings per ATS (default 8), each prepared from the user's stored facts,
approved (required answers the facts do not give are filled as a user would), and sent by one
worker running two at a time, as in production (one Chromium, a fresh context per
application). Workday, iCIMS and Taleo need a candidate account: for them the figure is how
many were parked at the wall (`login_required`), which is what auto-apply must do there.

Printed: per ATS the outcomes, success rate, p50/p95 seconds per application (from opening
the form to the outcome); overall applications per minute; and the memory (PSS) one more
browser context with a loaded form adds.

    .venv/bin/python bench/bench_auto_apply.py
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from asgi_lifespan import LifespanManager
from sqlalchemy import select, update

from jobpilot import registry, wiring
from jobpilot.adapters.browser_playwright import PlaywrightBrowserPool
from jobpilot.applications.models import Application, Submission
from jobpilot.auth.public import AuthFacade
from jobpilot.jobs.ats.base import AtsPosting, BoardRef
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.jobs.ingest import Ingester
from jobpilot.jobs.models import Source
from jobpilot.kit import migrate
from jobpilot.main import create_app
from jobpilot.sandbox import create_sandbox_app
from jobpilot.settings import Settings

PER_ATS = int(os.environ.get("BENCH_PER_ATS", "8"))
# A comma-separated subset of ATSs (default: all of them).
ONLY = {a for a in os.environ.get("BENCH_ATS", "").split(",") if a}
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "ats"
WALLS = {"workday", "icims", "taleo"}


def _uuid(i: int) -> str:
    return str(uuid.UUID(int=0xB3C4_0000_0000_4000_8000_0000_0000_0000 + i))


# Each ATS's posting URL shapes, as its boards publish them: (source id, apply URL).
SHAPES: dict[str, Any] = {
    "greenhouse": lambda i: (
        f"41000{i:05d}",
        f"https://job-boards.greenhouse.io/benchco/jobs/41000{i:05d}",
    ),
    "lever": lambda i: (_uuid(i), f"https://jobs.lever.co/benchco/{_uuid(i)}/apply"),
    "ashby": lambda i: (
        _uuid(1000 + i),
        f"https://jobs.ashbyhq.com/BenchCo/{_uuid(1000 + i)}/application",
    ),
    "workable": lambda i: (f"B{i:09X}", f"https://apply.workable.com/j/B{i:09X}/apply"),
    "bamboohr": lambda i: (f"{200 + i}", f"https://benchco.bamboohr.com/careers/{200 + i}"),
    "smartrecruiters": lambda i: (
        f"7440000{i:08d}",
        f"https://jobs.smartrecruiters.com/BenchCo/7440000{i:08d}",
    ),
    "jazzhr": lambda i: (
        f"job_2026112{i:04d}ABCDEF",
        f"https://benchco.applytojob.com/apply/job_2026112{i:04d}ABCDEF/engineer-{i}",
    ),
    "breezy": lambda i: (
        f"{i:04x}cfe7170e",
        f"https://benchco.breezy.hr/p/{i:04x}cfe7170e-engineer-{i}/apply",
    ),
    "recruitee": lambda i: (f"13{i:05d}", f"https://benchco.recruitee.com/o/engineer-{i}/c/new"),
    "teamtailor": lambda i: (
        f"40{i:05d}",
        f"https://benchco.teamtailor.com/jobs/40{i:05d}-engineer-{i}/applications/new",
    ),
    "paylocity": lambda i: (
        f"{900000 + i}",
        f"https://recruiting.paylocity.com/Recruiting/Jobs/Details/{900000 + i}",
    ),
    "workday": lambda i: (
        f"R{50000 + i}",
        f"https://benchco.wd5.myworkdayjobs.com/External/job/Remote/Engineer_R{50000 + i}/apply",
    ),
    "icims": lambda i: (
        f"{7000 + i}",
        f"https://careers-benchco.icims.com/jobs/{7000 + i}/engineer/job",
    ),
    "taleo": lambda i: (
        f"{2600000 + i}",
        f"https://benchco.taleo.net/careersection/2/jobdetail.ftl?job={2600000 + i}",
    ),
}
PROFILE: dict[str, Any] = {
    "name": "Ada Lovelace",
    "contact": {"email": "ada@example.com", "phone": "+14155550100"},
    "links": {"linkedin": "https://www.linkedin.com/in/ada-lovelace"},
    "location": {"city": "London", "country_code": "GB"},
    "work_authorization": [{"country_code": "GB", "authorized": True, "needs_sponsorship": False}],
}
RESUME: dict[str, Any] = {
    "basics": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "work": [{"name": "Engines Ltd", "position": "Engineer", "startDate": "2019-01-01"}],
    "skills": [{"name": "Python"}],
}


class Served:
    """An ASGI app on a free port of 127.0.0.1, in a thread."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        while not self.server.started:
            time.sleep(0.01)


def _typed(label: str) -> str:
    """What a user types into a required box the stored facts left empty."""
    if re.search(r"where|locat|based|city|address", label, re.I):
        return "London"
    if re.search(r"zip|postal|post code", label, re.I):
        return "SW1A 1AA"
    return "Yes"


def _pss_kib(name: str = "chromium") -> int:
    """The summed proportional memory of every process whose command line names `name`."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if name.encode() not in cmdline.split(b"\0")[0]:
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


async def _postings(container: wiring.Container) -> dict[str, str]:
    now = datetime.now(UTC)
    for ats, shape in SHAPES.items():
        if ONLY and ats not in ONLY:
            continue
        postings = []
        for i in range(PER_ATS):
            source_id, url = shape(i)
            postings.append(
                AtsPosting(
                    ats=ats, tenant="benchco", source_id=source_id,
                    title=f"{ats.title()} Engineer {i}", company_name=f"Bench {ats}",
                    locations=["London, United Kingdom"], description_html="<p>Python.</p>",
                    posted_at=now, url=url, apply_url=url,
                )
            )  # fmt: skip
        async with container.db.writer_sessionmaker() as session, session.begin():
            ingester = Ingester(session, container.settings.jobs, now)
            company = await ingester.company(f"Bench {ats}", f"https://{ats}.bench.example")
            board, _ = await ingester.ensure_board(company, BoardRef(ats, "benchco"), active=False)
            await ingester.apply(board, postings)
    async with container.db.unit_of_work() as session:
        rows = await session.execute(select(Source.ats, Source.posting_id))
        return {str(row.posting_id): row.ats for row in rows}


async def _queue(http: httpx.AsyncClient, container: wiring.Container) -> dict[str, str]:
    """Every posting prepared, reviewed and approved; application id -> ATS."""
    await AuthFacade(container.auth).create_user(
        "ada@example.com", "a bench passphrase that is long", "Ada", admin=False
    )
    login = await http.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "a bench passphrase that is long"},
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    await http.put("/api/v1/profiles/me", json=PROFILE, headers=headers)
    resume = await http.post(
        "/api/v1/resumes", json={"name": "Main", "resume": RESUME}, headers=headers
    )
    version_id = resume.json()["version"]["id"]
    jobs = await _postings(container)
    queued: dict[str, str] = {}
    problems: Counter[str] = Counter()
    for job_id, ats in jobs.items():
        created = await http.post(
            "/api/v1/applications",
            json={"job_id": job_id, "resume_version_id": version_id},
            headers=headers,
        )
        application_id = created.json()["id"]
        form = await http.get(f"/api/v1/applications/{application_id}/form", headers=headers)
        fields = form.json().get("fields", []) if form.status_code == 200 else []
        fill: dict[str, Any] = {}
        for field in fields:
            if field["required"] and field["status"] == "needs_user_input":
                if field["type"] == "file":
                    continue
                value = field["options"][0] if field["options"] else _typed(field["label"])
                fill[field["key"]] = [value] if field["type"] == "multi_select" else value
        async with container.db.unit_of_work(write=True) as session:
            await session.execute(
                update(Application)
                .where(Application.id == uuid.UUID(application_id))
                .values(status="awaiting_review", source="auto_apply", prepared=fields)
            )
        approved = await http.post(
            f"/api/v1/applications/{application_id}/approve",
            json={"fields": fill},
            headers=headers,
        )
        if approved.status_code != 200:
            problems[f"{ats}: {approved.json()['error']['code']}"] += 1
            continue
        queued[application_id] = ats
    if problems:
        print(f"not approved: {dict(problems)}")
    return queued


async def _memory_per_context(sandbox_url: str) -> tuple[float, int]:
    """PSS added by one more context holding a loaded form, and the contexts measured."""
    pool = PlaywrightBrowserPool(max_contexts=8, allowed_hosts={"127.0.0.1"})
    rewrite = proxy_rewrite(sandbox_url)
    try:
        async with pool.context() as page:  # launch, then measure from an idle browser
            await page.goto(rewrite("https://job-boards.greenhouse.io/benchco/jobs/4100000001"))
        await asyncio.sleep(1)
        idle = _pss_kib()
        contexts = 4
        opened = asyncio.Event()
        done = asyncio.Event()
        ready = 0

        async def hold(i: int) -> None:
            nonlocal ready
            async with pool.context() as page:
                await page.goto(rewrite(f"https://job-boards.greenhouse.io/benchco/jobs/41{i:08d}"))
                ready += 1
                if ready == contexts:
                    opened.set()
                await done.wait()

        holders = [asyncio.create_task(hold(i)) for i in range(contexts)]
        await opened.wait()
        await asyncio.sleep(1)
        busy = _pss_kib()
        done.set()
        await asyncio.gather(*holders)
        return (busy - idle) / contexts / 1024, contexts
    finally:
        await pool.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    fixtures = FIXTURES if FIXTURES.is_dir() else None
    sandbox = Served(create_sandbox_app(fixtures, slow_seconds=5.0))
    print(f"sandbox at {sandbox.url} (fixtures: {fixtures or 'built-in forms'})")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await asyncio.to_thread(migrate.upgrade, url)
        settings = Settings(
            _env_file=None,
            profile="test",
            data_dir=Path(tmp) / "var",
            database={"url": url},
            tasks={"embedded_worker": False},
            observability={"log_level": "ERROR"},
            jobs={"ats_proxy_url": sandbox.url, "request_attempts": 1},
            applications={
                "delay_min_seconds": 0,
                "delay_max_seconds": 0,
                "browser_allowed_hosts": ["127.0.0.1"],
                "browser_contexts": 2,
                "per_host_concurrency": 2,
            },
        )
        app = create_app(settings)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                container: wiring.Container = app.state.container
                queued = await _queue(http, container)
                worker = wiring.build_worker(
                    container, registry.select(["auto-apply"]), concurrency=2
                )
                started = time.perf_counter()
                await worker.drain(max_seconds=3600)
                elapsed = time.perf_counter() - started
                async with container.db.unit_of_work() as session:
                    rows = (
                        await session.execute(
                            select(
                                Application.id,
                                Application.status,
                                Application.reason,
                                Application.reason_detail,
                            )
                        )
                    ).all()
                    attempts = (
                        await session.execute(
                            select(Submission.application_id, Submission.duration_seconds)
                        )
                    ).all()
    seconds: dict[str, list[float]] = defaultdict(list)
    for application_id, duration in attempts:
        ats = queued.get(str(application_id))
        if ats is not None and duration is not None:
            seconds[ats].append(duration)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    why: dict[str, str] = {}
    for application_id, status, reason, detail in rows:
        ats = queued.get(str(application_id))
        if ats is not None:
            outcomes[ats][f"{status}/{reason}" if reason else status] += 1
            if status != "submitted" and ats not in WALLS and detail:
                why.setdefault(ats, detail)
    print(f"\n{len(queued)} applications, {PER_ATS} per ATS, worker concurrency 2\n")
    print(f"{'ats':16} {'done right':>10} {'p50 s':>7} {'p95 s':>7}  outcomes")
    everything: list[float] = []
    for ats in SHAPES:
        if ONLY and ats not in ONLY:
            continue
        counts = outcomes.get(ats, Counter())
        total = sum(counts.values())
        good = counts["needs_user_input/login_required"] if ats in WALLS else counts["submitted"]
        rate = good / total if total else 0.0
        everything += seconds[ats]
        print(
            f"{ats:16} {rate:>10.0%} {_pct(seconds[ats], 0.5):>7.1f} "
            f"{_pct(seconds[ats], 0.95):>7.1f}  {dict(counts)}"
        )
    for ats, detail in why.items():
        print(f"  {ats}: {detail[:300]}")
    print(
        f"\nthroughput: {len(queued) / elapsed * 60:.1f} applications/min "
        f"({elapsed:.0f} s for {len(queued)})"
    )
    print(
        f"time per application: p50 {_pct(everything, 0.5):.1f} s, "
        f"p95 {_pct(everything, 0.95):.1f} s, mean {statistics.fmean(everything):.1f} s"
    )
    per_context, contexts = await _memory_per_context(sandbox.url)
    print(
        f"memory per browser context (PSS, {contexts} contexts with a form): {per_context:.0f} MiB"
    )
    sandbox.server.should_exit = True


if __name__ == "__main__":
    asyncio.run(main())

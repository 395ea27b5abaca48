"""Ingesting many boards over real HTTP: one board's failure never stops the others."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fakes.local_server import Canned, FakeHosts
from jobpilot import registry, wiring
from jobpilot.jobs.ats.base import AtsHttp
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.fetch import build_ats_http
from jobpilot.jobs.models import Board, BoardRun, Posting
from jobpilot.jobs.pipeline import (
    BadBoardSpec,
    UnknownBoard,
    boards_for,
    ingest_boards,
    parse_board_spec,
    register_boards,
)
from jobpilot.jobs.tasks import REFRESH_BOARDS
from jobpilot.kit.db import Database
from jobpilot.kit.tasks import Task, enqueue
from support import make_settings, require_shared

CODEPATH = "https://boards-api.greenhouse.io/v1/boards/codepath/jobs?content=true"
BUSY = "https://api.ashbyhq.com/posting-api/job-board/busy?includeCompensation=true"
BROKEN = "https://broken.recruitee.com/api/offers/"


@pytest.fixture
def settings(fake: FakeHosts) -> JobsSettings:
    return JobsSettings(ats_proxy_url=fake.base_url, request_attempts=2, backoff_base_seconds=0.01)


@pytest.fixture
async def http(settings: JobsSettings) -> AsyncIterator[AtsHttp]:
    http = build_ats_http(settings)
    try:
        yield http
    finally:
        await http.client.aclose()


def serve_boards(fake: FakeHosts) -> None:
    fake.reset()
    sample = require_shared("fixtures", "ats", "greenhouse", "codepath_jobs.json")
    fake.add("GET", CODEPATH, Canned.file(sample))
    fake.add("GET", BUSY, Canned(429, b"", {"retry-after": "9999"}))
    fake.add("GET", BROKEN, Canned(200, b'{"offers": [', {"content-type": "application/json"}))


async def test_every_board_is_read_or_recorded_with_its_reason(
    db: Database, fake: FakeHosts, settings: JobsSettings, http: AtsHttp
) -> None:
    serve_boards(fake)
    specs = ["greenhouse:codepath", "lever:gone", "ashby:busy", "recruitee:broken"]
    boards = await register_boards(db, settings, specs)
    seen: list[str] = []

    results = await ingest_boards(db, http, settings, boards, lambda r: seen.append(r.board_key))

    by_key = {r.board_key: r for r in results}
    assert sorted(seen) == sorted(specs)
    assert (by_key["greenhouse:codepath"].status, by_key["greenhouse:codepath"].new) == ("ok", 15)
    assert by_key["lever:gone"].error_code == "board_not_found"
    assert by_key["ashby:busy"].error_code == "rate_limited"
    assert by_key["recruitee:broken"].error_code == "ats_error"
    async with db.unit_of_work() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Posting).where(Posting.status == "open")
            )
            == 15
        )
        stored = {b.key: b for b in await session.scalars(select(Board))}
        assert stored["greenhouse:codepath"].last_status == "ok"
        assert stored["greenhouse:codepath"].company_id is not None
        assert stored["ashby:busy"].last_status == "error"
        assert stored["ashby:busy"].last_error is not None
        assert "Retry-After: 9999" in stored["ashby:busy"].last_error
        assert await session.scalar(select(func.count()).select_from(BoardRun)) == 4

    # Read again: nothing new, nothing closed, and the failing boards count their failures.
    again = {r.board_key: r for r in await ingest_boards(db, http, settings, boards)}
    assert (again["greenhouse:codepath"].new, again["greenhouse:codepath"].unchanged) == (0, 15)
    async with db.unit_of_work() as session:
        busy = await session.scalar(select(Board).where(Board.key == "ashby:busy"))
        assert busy is not None
        assert busy.consecutive_failures == 2


async def test_board_specs_are_keys_or_careers_urls(db: Database, settings: JobsSettings) -> None:
    ref, url = parse_board_spec("https://job-boards.greenhouse.io/codepath/jobs/4426096007")
    assert (ref.ats, ref.tenant, url is not None) == ("greenhouse", "codepath", True)
    ref, _ = parse_board_spec("workday:acme/External")
    assert (ref.ats, ref.tenant, ref.site) == ("workday", "acme", "External")
    for bad in ("codepath", "nosuchats:x", "https://example.org/careers"):
        with pytest.raises(BadBoardSpec):
            parse_board_spec(bad)
    with pytest.raises(UnknownBoard, match="greenhouse:nobody"):
        await boards_for(db, ["greenhouse:nobody"])
    first = await register_boards(db, settings, ["greenhouse:codepath"])
    second = await register_boards(db, settings, ["greenhouse:codepath"])
    assert first == second  # registered once


async def test_the_periodic_refresh_reads_due_boards_in_the_worker(
    fake: FakeHosts, sqlite_url: str, tmp_path: Path
) -> None:
    serve_boards(fake)
    app_settings = make_settings(tmp_path / "var")
    app_settings.database.url = sqlite_url
    app_settings.jobs = JobsSettings(ats_proxy_url=fake.base_url, request_attempts=1)
    container = wiring.build_container(app_settings)
    try:
        await register_boards(
            container.db, app_settings.jobs, ["greenhouse:codepath", "lever:gone"]
        )
        async with container.db.unit_of_work() as session:
            await enqueue(session, REFRESH_BOARDS)
        await wiring.build_worker(container, registry.domains()).drain()
        async with container.db.unit_of_work() as session:
            boards = {b.key: b.last_status for b in await session.scalars(select(Board))}
            assert boards == {"greenhouse:codepath": "ok", "lever:gone": "error"}
            assert (
                await session.scalar(
                    select(func.count()).select_from(Posting).where(Posting.status == "open")
                )
                == 15
            )
            failed = await session.scalar(
                select(func.count()).select_from(Task).where(Task.status == "dead")
            )
            assert failed == 0  # a board's failure is recorded, not a failed task
            # Boards read just now are not due: a second refresh queues nothing.
            await enqueue(session, REFRESH_BOARDS)
        requests_before = len(fake.requests)
        await wiring.build_worker(container, registry.domains()).drain()
        assert len(fake.requests) == requests_before
    finally:
        await container.aclose()

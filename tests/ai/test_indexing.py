"""Postings get vectors when they are ingested or change, and lose them when they close."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, select

from jobpilot import registry, wiring
from jobpilot.ai.service import POSTING, AiService
from jobpilot.ai.service import RESUME as RESUME_KIND
from jobpilot.ai.tasks import REINDEX
from jobpilot.ai.vectors import VectorItem
from jobpilot.jobs import synthetic
from jobpilot.jobs.ats.base import AtsPosting
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.ingest import Ingester
from jobpilot.jobs.models import Posting
from jobpilot.kit import migrate
from jobpilot.kit.events import OutboxEvent
from jobpilot.kit.tasks import enqueue
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import client_for, make_settings, sign_in

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _board() -> tuple[synthetic.SyntheticBoard, list[AtsPosting]]:
    board = next(
        b for b in synthetic.generate(companies=3, postings=30, now=NOW) if b.posting_count >= 6
    )
    ats = adapter(board.ats)
    assert ats is not None
    ref = board.board_ref()
    return board, [p for body in board.payloads for p in ats.parse_payload(ref, body)]


@pytest.fixture
async def container(migrated_url: str, tmp_path: Path) -> AsyncIterator[wiring.Container]:
    settings = make_settings(tmp_path / "var", database={"url": migrated_url})
    built = wiring.build_container(settings)
    try:
        yield built
    finally:
        await built.aclose()


async def _ingest(
    container: wiring.Container, board: synthetic.SyntheticBoard, postings: list[AtsPosting]
) -> None:
    async with container.db.writer_sessionmaker() as session, session.begin():
        ingester = Ingester(session, container.settings.jobs, NOW)
        company = await ingester.company(board.company_name, board.website)
        stored, _ = await ingester.ensure_board(company, board.board_ref(), active=False)
        await ingester.apply(stored, postings)


async def _open_ids(container: wiring.Container) -> set[uuid.UUID]:
    async with container.db.unit_of_work() as session:
        return set(await session.scalars(select(Posting.id).where(Posting.status == "open")))


async def test_ingested_postings_are_embedded_and_closed_ones_forgotten(
    container: wiring.Container,
) -> None:
    board, postings = _board()
    await _ingest(container, board, postings)
    await wiring.build_worker(container, registry.domains()).drain()
    ai = container.ai
    model = ai.embedder.model_id
    opened = await _open_ids(container)
    assert len(opened) >= 6
    assert await ai.vectors.count(POSTING, model) == len(opened)

    # The board stops listing two postings: they close, and their vectors go.
    await _ingest(container, board, postings[2:])
    await wiring.build_worker(container, registry.domains()).drain()
    still_open = await _open_ids(container)
    closed = opened - still_open
    assert len(closed) == 2
    assert await ai.vectors.count(POSTING, model) == len(still_open)
    for posting_id in closed:
        assert await ai.vectors.get(POSTING, model, posting_id) is None

    # A posting's own words find it.
    async with container.db.unit_of_work() as session:
        posting = await session.scalar(select(Posting).where(Posting.id.in_(still_open)).limit(1))
        assert posting is not None
        query = (await ai.embedder.embed([f"{posting.title} at {posting.company_name}"]))[0]
        stored = await ai.vectors.get(POSTING, model, posting.id)
    assert stored is not None
    assert stored.attrs["listed"] == posting.listed_at.timestamp()
    hits = await ai.vectors.search(POSTING, model, query, 3)
    assert posting.id in [hit.id for hit in hits]


RESUME = {
    "basics": {"name": "Grace Hopper", "label": "Compiler engineer"},
    "work": [
        {
            "name": "Remington Rand",
            "position": "Senior Programmer",
            "highlights": ["Wrote the first compiler", "Led the COBOL design"],
        }
    ],
    "skills": [{"name": "Languages", "keywords": ["COBOL", "Assembly"]}],
}


async def test_each_saved_resume_version_is_embedded_and_a_deleted_resume_forgotten(
    settings: Settings, migrated_url: str
) -> None:
    settings.database.url = migrated_url
    app = create_app(settings)
    async for http in client_for(app):
        headers = await sign_in(http, app, "grace@example.com")
        container: wiring.Container = app.state.container
        ai = container.ai
        model = ai.embedder.model_id

        async def drain(container: wiring.Container = container) -> None:
            await wiring.build_worker(container, registry.domains()).drain()

        created = await http.post(
            "/api/v1/resumes", json={"name": "Main", "resume": RESUME}, headers=headers
        )
        assert created.status_code == 201, created.text
        resume_id = uuid.UUID(created.json()["id"])
        await drain()
        first = await ai.vectors.get(RESUME_KIND, model, resume_id)
        assert first is not None
        assert first.attrs["version"] == 1
        me = (await http.get("/api/v1/auth/me", headers=headers)).json()
        assert first.attrs["user"] == me["id"]

        changed = json.loads(json.dumps(RESUME))
        changed["work"][0]["highlights"] = ["Ran a bakery", "Baked sourdough every morning"]
        saved = await http.put(
            f"/api/v1/resumes/{resume_id}", json={"resume": changed}, headers=headers
        )
        assert saved.status_code == 200, saved.text
        await drain()
        second = await ai.vectors.get(RESUME_KIND, model, resume_id)
        assert second is not None
        assert second.attrs["version"] == 2
        assert float(second.vector @ first.vector) < 0.999  # the new words moved it

        deleted = await http.delete(f"/api/v1/resumes/{resume_id}", headers=headers)
        assert deleted.status_code == 204, deleted.text
        await drain()
        assert await ai.vectors.get(RESUME_KIND, model, resume_id) is None


async def test_reindexing_embeds_what_events_missed_and_retires_old_models(
    container: wiring.Container,
) -> None:
    board, postings = _board()
    await _ingest(container, board, postings)
    # Postings stored before vectors existed: their events never reach the ai domain.
    async with container.db.unit_of_work(write=True) as session:
        await session.execute(delete(OutboxEvent))
    ai = container.ai
    model = ai.embedder.model_id
    opened = await _open_ids(container)
    old = [VectorItem(posting_id, np.ones(8, np.float32)) for posting_id in sorted(opened)[:3]]
    await ai.vectors.upsert(POSTING, "old-model", old)

    service = AiService(ai)
    first = await service.reindex(limit=2)
    assert (first.postings, first.remaining) == (2, len(opened) - 2)
    assert await ai.vectors.ids(POSTING, "old-model")  # kept while the new model catches up
    # The task goes on step by step until nothing is left.
    async with container.db.unit_of_work() as session:
        await enqueue(session, REINDEX)
    await wiring.build_worker(container, registry.domains()).drain()
    assert await ai.vectors.ids(POSTING, model) == opened
    assert await ai.vectors.ids(POSTING, "old-model") == set()
    again = await service.reindex()
    assert (again.postings, again.resumes, again.removed, again.remaining) == (0, 0, 0, 0)


@pytest.mark.slow
def test_jobpilot_ai_reindex(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)

    async def ingest() -> None:
        settings = make_settings(tmp_path / "var", database={"url": url})
        built = wiring.build_container(settings)
        try:
            board, postings = _board()
            await _ingest(built, board, postings[:4])
        finally:
            await built.aclose()

    asyncio.run(ingest())
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPILOT_")}
    env.update(JOBPILOT_DATABASE__URL=url, JOBPILOT_DATA_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "-m", "jobpilot", "ai", "reindex", "--step", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "model: all-MiniLM-L6-v2-onnx-int8" in done.stdout
    assert "embedded 3 postings and 0 resumes, removed 0 stale vectors; 1 to go" in done.stdout
    assert done.stdout.rstrip().endswith("0 to go")

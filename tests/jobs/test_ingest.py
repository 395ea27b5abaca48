"""Ingestion on SQLite and PostgreSQL: new, changed, vanished, reposted and cross-listed jobs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from jobpilot.jobs.ats.base import AtsPosting, BoardRef
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.ingest import Ingester, RunResult
from jobpilot.jobs.models import Board, BoardRun, Posting, PostingCountry, Source
from jobpilot.kit.db import Database

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DESCRIPTION = (
    "<p>Acme builds payment rails for small businesses.</p><ul><li>Design and run Python "
    "services on PostgreSQL</li><li>Own reliability of the ledger and its on-call rota</li>"
    "<li>Mentor two engineers and review designs across the platform team</li></ul>"
    "<p>Salary: $150,000 - $180,000 per year.</p>"
)


def listing(
    source_id: str, title: str = "Senior Backend Engineer", **changes: object
) -> AtsPosting:
    """A posting as the Greenhouse adapter would hand it over."""
    base = AtsPosting(
        ats="greenhouse",
        tenant="acme",
        source_id=source_id,
        title=title,
        url=f"https://job-boards.greenhouse.io/acme/jobs/{source_id}",
        company_name="Acme Payments",
        department="Platform",
        employment_type="Full-time",
        locations=["Austin, TX"],
        description_html=DESCRIPTION,
        posted_at=T0 - timedelta(days=3),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def board_of(ingester: Ingester, ats: str = "greenhouse", tenant: str = "acme") -> Board:
    company = await ingester.company("Acme Payments")
    board, _ = await ingester.ensure_board(company, BoardRef(ats=ats, tenant=tenant))
    return board


async def run(db: Database, postings: list[AtsPosting], now: datetime, **board: str) -> RunResult:
    async with db.unit_of_work() as session:
        ingester = Ingester(session, JobsSettings(), now)
        return await ingester.apply(await board_of(ingester, **board), postings)


async def open_titles(db: Database) -> list[str]:
    async with db.unit_of_work() as session:
        rows = await session.scalars(
            select(Posting.title).where(Posting.status == "open").order_by(Posting.title)
        )
        return list(rows)


async def test_a_first_run_stores_normalised_postings(db: Database) -> None:
    result = await run(
        db, [listing("1"), listing("2", "Data Analyst", locations=["Remote - US"])], T0
    )
    assert (result.new, result.updated, result.closed, result.refused) == (2, 0, 0, 0)
    async with db.unit_of_work() as session:
        backend = await session.scalar(
            select(Posting).where(Posting.title == "Senior Backend Engineer")
        )
        assert backend is not None
        assert (backend.city, backend.region, backend.country) == ("Austin", "TX", "US")
        assert backend.seniority == "senior"
        assert backend.employment_type == "full_time"
        assert (backend.salary_min, backend.salary_max, backend.salary_currency) == (
            150_000,
            180_000,
            "USD",
        )
        assert backend.salary_yearly_max == 180_000
        assert backend.listed_at == T0 - timedelta(days=3)
        assert "Python services" in backend.description_text
        assert backend.company_name == "Acme Payments"
        analyst = await session.scalar(select(Posting).where(Posting.title == "Data Analyst"))
        assert analyst is not None
        assert (analyst.workplace, analyst.country) == ("remote", "US")
        countries = await session.scalars(
            select(PostingCountry.country).where(PostingCountry.posting_id == analyst.id)
        )
        assert list(countries) == ["US"]
        board = await session.scalar(select(Board))
        assert board is not None
        assert (board.last_status, board.last_success_at) == ("ok", T0)
        assert await session.scalar(select(func.count()).select_from(BoardRun)) == 1


async def test_a_second_run_updates_changes_and_closes_what_vanished(db: Database) -> None:
    await run(db, [listing("1"), listing("2", "Data Analyst"), listing("3", "Designer")], T0)
    later = T0 + timedelta(hours=6)
    result = await run(db, [listing("1"), listing("2", "Senior Data Analyst")], later)
    assert (result.new, result.updated, result.unchanged, result.closed) == (0, 1, 1, 1)
    assert await open_titles(db) == ["Senior Backend Engineer", "Senior Data Analyst"]
    async with db.unit_of_work() as session:
        designer = await session.scalar(select(Posting).where(Posting.title == "Designer"))
        assert designer is not None
        assert (designer.status, designer.closed_at) == ("closed", later)
        unchanged = await session.scalar(
            select(Posting).where(Posting.title == "Senior Backend Engineer")
        )
        assert unchanged is not None
        assert unchanged.last_seen_at == later  # seen again, though nothing changed
        assert unchanged.updated_at == T0


async def test_a_closed_posting_reopens_when_listed_again(db: Database) -> None:
    await run(db, [listing("1")], T0)
    await run(db, [], T0 + timedelta(days=1))
    assert await open_titles(db) == []
    result = await run(db, [listing("1")], T0 + timedelta(days=2))
    assert (result.new, result.updated) == (0, 1)
    assert await open_titles(db) == ["Senior Backend Engineer"]


async def test_a_repost_under_a_new_id_is_the_same_posting(db: Database) -> None:
    await run(db, [listing("1")], T0)
    reposted = listing(
        "99", description_html=DESCRIPTION.replace("two engineers", "three engineers")
    )
    result = await run(db, [reposted], T0 + timedelta(days=1))
    assert (result.new, result.merged, result.closed) == (0, 1, 1)
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Posting)) == 1
        sources = {s.source_id: s.status for s in await session.scalars(select(Source))}
        assert sources == {"1": "closed", "99": "open"}
    assert await open_titles(db) == ["Senior Backend Engineer"]


async def test_a_job_listed_on_two_boards_is_one_posting_with_two_sources(db: Database) -> None:
    await run(db, [listing("1")], T0)
    elsewhere = listing("abc-123", ats="lever", tenant="acme")
    result = await run(db, [elsewhere], T0, ats="lever", tenant="acme")
    assert result.merged == 1
    # Closing it on one board leaves it open: the other board still lists it.
    await run(db, [], T0 + timedelta(days=1))
    assert await open_titles(db) == ["Senior Backend Engineer"]
    await run(db, [], T0 + timedelta(days=1), ats="lever", tenant="acme")
    assert await open_titles(db) == []


async def test_same_title_and_place_with_another_description_stays_two_jobs(db: Database) -> None:
    other = listing(
        "2",
        description_html="<p>Join the fraud team: build real-time risk scoring in Go and Kafka, "
        "tune detection models with analysts, and run the streaming pipeline.</p>",
    )
    result = await run(db, [listing("1"), other], T0)
    assert (result.new, result.merged) == (2, 0)


async def test_one_bad_record_is_refused_with_its_reason_and_the_rest_is_stored(
    db: Database,
) -> None:
    result = await run(db, [listing("1"), listing("2", title="   "), listing("3", "QA Lead")], T0)
    assert (result.new, result.refused, result.status) == (2, 1, "partial")
    assert result.problems == [{"source_id": "2", "reason": "the posting has no title"}]
    async with db.unit_of_work() as session:
        stored = await session.scalar(select(BoardRun))
        assert stored is not None
        assert stored.problems == result.problems


async def test_a_failed_board_keeps_its_postings_and_records_the_reason(db: Database) -> None:
    await run(db, [listing("1")], T0)
    async with db.unit_of_work() as session:
        ingester = Ingester(session, JobsSettings(), T0 + timedelta(hours=1))
        board = await board_of(ingester)
        await ingester.fail(board, "rate_limited", "The job board answered 429. Retry-After: 3600.")
    assert await open_titles(db) == ["Senior Backend Engineer"]
    async with db.unit_of_work() as session:
        board = await session.scalar(select(Board))
        assert board is not None
        assert (board.last_status, board.last_error_code, board.consecutive_failures) == (
            "error",
            "rate_limited",
            1,
        )
        assert board.last_success_at == T0


async def test_importing_a_known_posting_updates_it_instead_of_adding(db: Database) -> None:
    async with db.unit_of_work() as session:
        ingester = Ingester(session, JobsSettings(), T0)
        first, created = await ingester.import_posting(
            listing("7", ats="jsonld", tenant="acme.example")
        )
        again, created_again = await ingester.import_posting(
            listing("7", "Staff Backend Engineer", ats="jsonld", tenant="acme.example")
        )
    assert (created, created_again, first.id == again.id) == (True, False, True)
    assert await open_titles(db) == ["Staff Backend Engineer"]


async def test_the_company_placeholder_name_is_replaced_by_the_boards_name(db: Database) -> None:
    async with db.unit_of_work() as session:
        ingester = Ingester(session, JobsSettings(), T0)
        company = await ingester.company("acme")
        board, _ = await ingester.ensure_board(company, BoardRef(ats="greenhouse", tenant="acme"))
        await ingester.apply(board, [listing("1")])
        assert company.name == "Acme Payments"
        posting = await session.scalar(select(Posting))
        assert posting is not None
        assert posting.company_name == "Acme Payments"
        assert isinstance(posting.id, uuid.UUID)


async def test_two_open_requisitions_without_descriptions_stay_two_jobs(db: Database) -> None:
    bare = {"description_html": None, "locations": ["Chicago, IL"]}
    result = await run(
        db,
        [listing("R1", "Financial Analyst", **bare), listing("R2", "Financial Analyst", **bare)],
        T0,
    )
    assert (result.new, result.merged) == (2, 0)
    # …but the same title reposted under a new id after the old one vanished is the same job.
    result = await run(db, [listing("R3", "Financial Analyst", **bare)], T0 + timedelta(days=1))
    assert (result.new, result.merged, result.closed) == (0, 1, 2)

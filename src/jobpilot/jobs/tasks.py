"""Background work of the jobs domain: reading boards on schedule, erasing users' searches."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select

from jobpilot.jobs.ats.base import BoardRef
from jobpilot.jobs.ingest import Ingester, fetch_board
from jobpilot.jobs.models import Board
from jobpilot.jobs.runtime import INGESTION_PAUSED, REFRESH_MINUTES
from jobpilot.jobs.service import INGEST_BOARD, JobsComponents, JobsService
from jobpilot.kit.clock import utcnow
from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.schedule import Periodic
from jobpilot.kit.tasks import TaskContext, TaskRegistry
from jobpilot.users.events import UserDeleted

tasks = TaskRegistry()
subscriptions = Subscriptions()
REFRESH_BOARDS = "jobs.refresh_boards"
# Every hour, boards whose last run is older than the runtime setting `jobs.refresh_minutes`
# (JOBPILOT_JOBS__REFRESH_MINUTES by default) are queued, unless ingestion is paused.
periodic = (Periodic(REFRESH_BOARDS, timedelta(hours=1)),)


def _components(ctx: TaskContext) -> JobsComponents:
    components: JobsComponents = ctx.resources.jobs
    return components


@tasks.task(INGEST_BOARD)
async def ingest_board(
    ctx: TaskContext,
    board_id: str,
    ats: str,
    tenant: str,
    host: str | None = None,
    site: str | None = None,
) -> None:
    """Read one board and store what it lists; a board's failure is recorded, not raised."""
    components = _components(ctx)
    # The network first: no query (and so no write lock on SQLite) until the board answered.
    fetched = await fetch_board(
        components.http, BoardRef(ats=ats, tenant=tenant, host=host, site=site)
    )
    board = await ctx.session.get(Board, uuid.UUID(board_id))
    if board is None or not board.active:
        return
    ingester = Ingester(ctx.session, components.settings)
    if fetched.postings is None:
        await ingester.fail(board, fetched.error_code or "ats_error", fetched.error or "")
    else:
        await ingester.apply(board, fetched.postings)


@tasks.task(REFRESH_BOARDS)
async def refresh_boards(ctx: TaskContext) -> None:
    """Queue a read of every active board not read for the runtime setting
    `jobs.refresh_minutes`; nothing while `jobs.ingestion_paused` is on."""
    components = _components(ctx)
    if await components.runtime.get(INGESTION_PAUSED):
        return
    minutes = await components.runtime.get(REFRESH_MINUTES)
    due = utcnow() - timedelta(minutes=minutes)
    boards = await ctx.session.scalars(
        select(Board).where(
            Board.active.is_(True), or_(Board.last_run_at.is_(None), Board.last_run_at < due)
        )
    )
    service = JobsService(ctx.session, components)
    for board in boards:
        await service.queue_ingest(board)


@subscribe(tasks, subscriptions, UserDeleted, "jobs.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Erase the deleted account's saved searches."""
    await JobsService(ctx.session, _components(ctx)).delete_user_data(event.user_id)

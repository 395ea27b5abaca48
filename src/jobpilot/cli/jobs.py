"""`jobpilot jobs`: ingest job boards and see how their last runs went."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jobpilot.cli.common import console, err, settings_or_exit

if TYPE_CHECKING:
    from jobpilot.jobs.ingest import RunResult

jobs_app = typer.Typer(help="Job boards: ingest their postings, list them.", no_args_is_help=True)


def _summary(results: list[RunResult]) -> Table:
    table = Table(
        "board", "status", "seen", "new", "updated", "closed", "merged", "refused", "note"
    )
    for r in sorted(results, key=lambda r: r.board_key):
        note = r.error or "; ".join(f"{p['source_id']}: {p['reason']}" for p in r.problems[:2])
        colour = {"ok": "green", "partial": "yellow"}.get(r.status, "red")
        table.add_row(
            r.board_key,
            f"[{colour}]{r.status}[/{colour}]",
            *(str(n) for n in (r.seen, r.new, r.updated, r.closed, r.merged, r.refused)),
            note,
        )
    return table


@jobs_app.command("ingest")
def ingest(
    board: Annotated[
        list[str] | None,
        typer.Option(
            "--board",
            "-b",
            help="A board as ats:tenant (greenhouse:codepath, workday:acme/External) or its "
            "careers URL; repeatable. Unknown boards are registered.",
        ),
    ] = None,
    all_boards: Annotated[
        bool, typer.Option("--all", help="Every active registered board.")
    ] = False,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from-dir",
            help="Read captured payloads instead of the network: DIR/<ats>/<tenant>_<any>.",
        ),
    ] = None,
) -> None:
    """Fetch boards' postings and store them: new, changed, closed and duplicate postings."""
    chosen = sum([bool(board), all_boards, from_dir is not None])
    if chosen != 1:
        err.print("[red]choose one of --board, --all or --from-dir[/red]")
        raise typer.Exit(2)
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.jobs import pipeline
    from jobpilot.jobs.fetch import build_ats_http

    async def run(progress: Progress) -> list[RunResult]:
        db = wiring.build_database(settings)
        try:
            if from_dir is not None:
                task = progress.add_task("reading payloads", total=None)
                snapshots = list(pipeline.read_payload_dir(from_dir))
                for snapshot in snapshots:
                    for name, reason in snapshot.skipped:
                        progress.console.print(
                            f"[dim]skipped {snapshot.ref.ats}/{name}: {reason}[/dim]"
                        )
                boards = [s for s in snapshots if s.files]
                progress.update(task, description="storing", total=len(boards))
                return await pipeline.ingest_snapshots(
                    db, settings.jobs, boards, lambda r: progress.advance(task)
                )
            if board:
                targets = await pipeline.register_boards(db, settings.jobs, board)
            else:
                targets = await pipeline.boards_for(db, None)
            task = progress.add_task("ingesting", total=len(targets))
            http = build_ats_http(settings.jobs)
            try:
                return await pipeline.ingest_boards(
                    db,
                    http,
                    settings.jobs,
                    targets,
                    lambda r: progress.update(task, advance=1, description=r.board_key),
                )
            finally:
                await http.client.aclose()
        finally:
            await db.dispose()

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    try:
        with progress:
            results = asyncio.run(run(progress))
    except (pipeline.BadBoardSpec, pipeline.UnknownBoard, NotADirectoryError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if not results:
        console.print("no boards to ingest")
        return
    console.print(_summary(results))
    totals = {
        k: sum(getattr(r, k) for r in results)
        for k in ("new", "updated", "unchanged", "closed", "merged")
    }
    console.print(
        f"{len(results)} board(s): {totals['new']} new, {totals['updated']} updated, "
        f"{totals['unchanged']} unchanged, {totals['closed']} closed, "
        f"{totals['merged']} merged into existing postings"
    )
    if any(r.status == "error" for r in results):
        raise typer.Exit(1)


@jobs_app.command("boards")
def boards() -> None:
    """Every registered board and how its last run went."""
    settings = settings_or_exit()
    from sqlalchemy import select

    from jobpilot import wiring
    from jobpilot.jobs.models import Board

    async def run() -> list[Board]:
        db = wiring.build_database(settings)
        try:
            async with db.unit_of_work() as session:
                return list(await session.scalars(select(Board).order_by(Board.key)))
        finally:
            await db.dispose()

    table = Table("board", "active", "last run", "status")
    table.add_column("error", overflow="fold")
    table.columns[0].no_wrap = True
    for b in asyncio.run(run()):
        when = b.last_run_at.strftime("%Y-%m-%d %H:%M") if b.last_run_at else "never"
        table.add_row(b.key, "yes" if b.active else "no", when, b.last_status, b.last_error or "")
    console.print(table)

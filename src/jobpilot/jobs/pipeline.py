"""Running ingestion over many boards: from the network, or from a directory of payloads.

Boards are fetched concurrently (each host still sees at most a few requests at once, see
fetch.py) and applied one at a time, each in its own transaction, so a board that fails (to
answer, or to be stored) is recorded and the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from jobpilot.jobs.ats.base import AtsError, AtsHttp, AtsPosting, BoardRef
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.ingest import Fetched, Ingester, RunResult, board_key, board_ref, fetch_board
from jobpilot.jobs.models import Board
from jobpilot.kit.db import Database

log = logging.getLogger("jobpilot.jobs.ingest")

OnResult = Callable[[RunResult], None]
# Payload files larger than this are not read (captured listings are far smaller).
MAX_PAYLOAD_BYTES = 50 * 1024 * 1024


class UnknownBoard(LookupError):
    """A board key that is not registered."""


async def _apply(
    db: Database, settings: JobsSettings, board_id: object, fetched: Fetched
) -> RunResult:
    """Store one board's fetch result in its own transaction; a storage failure is recorded."""
    try:
        async with db.writer_sessionmaker() as session, session.begin():
            board = await session.get(Board, board_id)
            assert board is not None
            ingester = Ingester(session, settings)
            if fetched.postings is None:
                return await ingester.fail(
                    board, fetched.error_code or "ats_error", fetched.error or ""
                )
            return await ingester.apply(board, fetched.postings)
    except Exception as exc:
        log.exception("storing a board's postings failed", extra={"board_id": str(board_id)})
        async with db.writer_sessionmaker() as session, session.begin():
            board = await session.get(Board, board_id)
            assert board is not None
            return await Ingester(session, settings).fail(
                board, "store_failed", f"Storing the postings failed: {type(exc).__name__}."
            )


async def boards_for(db: Database, keys: Sequence[str] | None) -> list[tuple[object, BoardRef]]:
    """The (id, ref) of the boards with `keys`, or of every active board when None."""
    async with db.unit_of_work() as session:
        stmt = select(Board).order_by(Board.key)
        if keys is None:
            stmt = stmt.where(Board.active.is_(True))
        else:
            stmt = stmt.where(Board.key.in_(keys))
        boards = list(await session.scalars(stmt))
    if keys is not None:
        missing = set(keys) - {b.key for b in boards}
        if missing:
            msg = f"no such board: {', '.join(sorted(missing))}"
            raise UnknownBoard(msg)
    return [(b.id, board_ref(b)) for b in boards]


async def ingest_boards(
    db: Database,
    http: AtsHttp,
    settings: JobsSettings,
    boards: Sequence[tuple[object, BoardRef]],
    on_result: OnResult | None = None,
) -> list[RunResult]:
    """Fetch and store each board; results in the order the boards finish."""
    limit = asyncio.Semaphore(settings.board_concurrency)
    store = asyncio.Lock()
    results: list[RunResult] = []

    async def one(board_id: object, ref: BoardRef) -> None:
        async with limit:
            fetched = await fetch_board(http, ref)
        async with store:
            result = await _apply(db, settings, board_id, fetched)
        results.append(result)
        if on_result is not None:
            on_result(result)

    await asyncio.gather(*(one(board_id, ref) for board_id, ref in boards))
    return results


@dataclass
class Snapshot:
    """A board's postings read from payload files, and the files that were not listings."""

    ref: BoardRef
    postings: list[AtsPosting] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def company_name(self) -> str:
        """The name the payloads give the company, else the tenant."""
        return next((p.company_name for p in self.postings if p.company_name), self.ref.tenant)


def _tenant_of(path: Path) -> str:
    stem = path.name.split(".", 1)[0]
    return re.split(r"[_\s]", stem, maxsplit=1)[0].lower() or stem.lower()


def _ats_dirs(root: Path) -> list[Path]:
    if adapter(root.name) is not None:
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and adapter(p.name) is not None)


def read_payload_dir(root: Path) -> Iterator[Snapshot]:
    """One snapshot per board found under `root`.

    `root` holds one folder per ATS (named as the adapter: greenhouse, lever, …), or is one
    such folder. Each file in it is a response body of that ATS's listing or posting endpoint,
    named `<tenant>_<anything>`; files of one tenant make up one board. Files that are not
    listings (application forms, notes) are reported as skipped.
    """
    if not root.is_dir():
        msg = f"not a directory: {root}"
        raise NotADirectoryError(msg)
    for ats_dir in _ats_dirs(root):
        ats = adapter(ats_dir.name)
        assert ats is not None
        snapshots: dict[str, Snapshot] = {}
        for path in sorted(ats_dir.iterdir()):
            if not path.is_file() or path.suffix.lower() in {".md", ".txt"}:
                continue
            tenant = _tenant_of(path)
            snapshot = snapshots.setdefault(tenant, Snapshot(BoardRef(ats.name, tenant)))
            if path.stat().st_size > MAX_PAYLOAD_BYTES:
                snapshot.skipped.append((path.name, "larger than 50 MB"))
                continue
            body = path.read_text(encoding="utf-8", errors="replace")
            try:
                postings = ats.parse_payload(snapshot.ref, body)
            except AtsError as exc:
                snapshot.skipped.append((path.name, exc.message))
                continue
            snapshot.files.append(path.name)
            snapshot.postings.extend(postings)
        for snapshot in snapshots.values():
            snapshot.postings = _merge_by_id(snapshot.postings)
            yield snapshot


def _merge_by_id(postings: list[AtsPosting]) -> list[AtsPosting]:
    """One posting per source id: the one with the longest description, its gaps filled from
    the other files' views of the same posting (a board page names departments, an API dates)."""
    groups: dict[str, list[AtsPosting]] = {}
    for posting in postings:
        groups.setdefault(posting.source_id, []).append(posting)
    merged = []
    for group in groups.values():
        group.sort(key=lambda p: len(p.description_html or ""), reverse=True)
        best, others = group[0], group[1:]
        gaps = {
            name: next(value for o in others if (value := getattr(o, name)))
            for name in best.__dataclass_fields__
            if name != "raw" and not getattr(best, name) and any(getattr(o, name) for o in others)
        }
        merged.append(replace(best, **gaps) if gaps else best)
    return merged


async def ingest_snapshots(
    db: Database,
    settings: JobsSettings,
    snapshots: Sequence[Snapshot],
    on_result: OnResult | None = None,
) -> list[RunResult]:
    """Register each snapshot's board (and company) if new, then store its postings."""
    results: list[RunResult] = []
    for snapshot in snapshots:
        if not snapshot.files:
            continue  # only forms or notes for this tenant: no board to speak of
        async with db.writer_sessionmaker() as session, session.begin():
            ingester = Ingester(session, settings)
            board = await ingester.board(board_key(snapshot.ref.ats, snapshot.ref.tenant))
            if board is None:
                company = await ingester.company(snapshot.company_name)
                # Captured payloads are a snapshot: the board is not read from the network.
                board, _ = await ingester.ensure_board(company, snapshot.ref, active=False)
            board_id = board.id
        result = await _apply(db, settings, board_id, Fetched(postings=snapshot.postings))
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


class BadBoardSpec(ValueError):
    """A --board value that names no ATS board."""


def parse_board_spec(spec: str) -> tuple[BoardRef, str | None]:
    """The board a key ("greenhouse:codepath", "workday:acme/External") or careers URL names."""
    from jobpilot.jobs.ats.registry import detect

    spec = spec.strip()
    if spec.startswith(("http://", "https://")):
        found = detect(spec)
        if found is None or not found[1].tenant:
            msg = f"no supported job board recognised in {spec}"
            raise BadBoardSpec(msg)
        ref = found[1]
        return BoardRef(ats=ref.ats, tenant=ref.tenant, host=ref.host, site=ref.site), spec
    ats, sep, rest = spec.partition(":")
    tenant, _, site = rest.partition("/")
    if not sep or not tenant or adapter(ats) is None:
        msg = (
            f"not a board: {spec!r} (use ats:tenant such as greenhouse:codepath, or a careers URL)"
        )
        raise BadBoardSpec(msg)
    return BoardRef(ats=ats, tenant=tenant, site=site or None), None


async def register_boards(
    db: Database, settings: JobsSettings, specs: Sequence[str]
) -> list[tuple[object, BoardRef]]:
    """The boards `specs` name, registering the ones not known yet (BadBoardSpec if invalid)."""
    parsed = [parse_board_spec(spec) for spec in specs]
    found: list[tuple[object, BoardRef]] = []
    async with db.writer_sessionmaker() as session, session.begin():
        ingester = Ingester(session, settings)
        for ref, url in parsed:
            board = await ingester.board(board_key(ref.ats, ref.tenant, ref.site))
            if board is None:
                company = await ingester.company(ref.tenant)
                board, _ = await ingester.ensure_board(company, ref, url)
            found.append((board.id, board_ref(board)))
    return found

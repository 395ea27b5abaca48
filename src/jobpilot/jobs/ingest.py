"""Ingestion: what a board lists now, merged into what we stored before.

A board's listing is a snapshot. Applying it inserts new postings, updates changed ones (their
content hash differs), marks vanished ones closed, and attaches a listing that is the same job
as a stored posting (same company, title and place, alike description) to that posting as one
more source instead of storing it twice. A record that cannot be normalised is refused with its
reason and the rest of the board goes on; a board that cannot be read is recorded with its
reason and the other boards go on.

Fetching (network) and applying (database) are separate steps, so no transaction is held open
while a job board answers.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.ats.base import AtsError, AtsHttp, AtsPosting, BoardNotFound, BoardRef
from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.dedup import content_hash, dedup_key, similarity
from jobpilot.jobs.events import MAX_IDS, PostingsChanged
from jobpilot.jobs.models import Board, BoardRun, Company, Posting, PostingCountry, Source
from jobpilot.jobs.normalise import NormalisedPosting, normalise_posting
from jobpilot.kit.clock import utcnow
from jobpilot.kit.events import publish

log = logging.getLogger("jobpilot.jobs.ingest")

# Refused records kept per run, and runs kept per board.
MAX_PROBLEMS = 50
RUNS_KEPT = 50
_CHUNK = 500


def board_key(ats: str, tenant: str, site: str | None = None) -> str:
    """The key a board is known by: "greenhouse:codepath", "workday:acme/External"."""
    return f"{ats}:{tenant}" + (f"/{site}" if site else "")


def slugify(text: str) -> str:
    """A URL-safe lowercase slug ("Acme, Inc." → "acme-inc")."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:120] or "company"


def board_ref(board: Board) -> BoardRef:
    """The adapter's view of a stored board."""
    return BoardRef(ats=board.ats, tenant=board.tenant, host=board.host, site=board.site)


@dataclass(frozen=True)
class Fetched:
    """What reading a board gave: its postings, or why there are none."""

    postings: list[AtsPosting] | None = None
    error_code: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the board was read."""
        return self.postings is not None


async def fetch_board(http: AtsHttp, ref: BoardRef) -> Fetched:
    """Every posting the board lists now; never raises for a board's failure."""
    ats = adapter(ref.ats)
    if ats is None:
        return Fetched(error_code="unknown_ats", error=f"No adapter for ATS {ref.ats!r}.")
    try:
        return Fetched(postings=await ats.list_postings(http, ref))
    except BoardNotFound:
        return Fetched(error_code="board_not_found", error="The ATS has no such board (404).")
    except AtsError as exc:
        details = exc.details or {}
        if details.get("status") == 429:
            wait = details.get("retry_after")
            suffix = f" Retry-After: {wait}." if wait else ""
            return Fetched(error_code="rate_limited", error=f"{exc.message}{suffix}")
        return Fetched(error_code="ats_error", error=exc.message)
    except Exception as exc:
        log.exception("reading a board failed", extra={"board": board_key(ref.ats, ref.tenant)})
        return Fetched(error_code="internal_error", error=f"Unexpected {type(exc).__name__}.")


@dataclass
class RunResult:
    """The counts of one board's run."""

    board_key: str
    status: str = "ok"
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    merged: int = 0
    refused: int = 0
    error_code: str | None = None
    error: str | None = None
    problems: list[dict[str, str]] = field(default_factory=list)

    def refuse(self, source_id: str, reason: str) -> None:
        """Count a record that could not be stored, keeping the first reasons."""
        self.refused += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"source_id": source_id[:300], "reason": reason[:300]})


class Ingester:
    """Stores boards' snapshots in one session (the caller commits)."""

    def __init__(
        self, session: AsyncSession, settings: JobsSettings, now: datetime | None = None
    ) -> None:
        self.session = session
        self.settings = settings
        self.now = now or utcnow()
        self._seen_sources: set[uuid.UUID] = set()
        self._seen_postings: set[uuid.UUID] = set()
        # Postings whose content or state this ingester changed, announced once per run.
        self._changed: set[uuid.UUID] = set()

    # Companies and boards

    async def company(self, name: str, website: str | None = None) -> Company:
        """The company called `name`, created when new."""
        slug = slugify(name)
        company = await self.session.scalar(select(Company).where(Company.slug == slug))
        if company is None:
            company = Company(
                id=uuid.uuid4(),
                slug=slug,
                name=name.strip()[:200],
                website=website,
                created_at=self.now,
                updated_at=self.now,
            )
            self.session.add(company)
            await self.session.flush()
        elif website and not company.website:
            company.website = website
        return company

    async def board(self, key: str) -> Board | None:
        """The board with `key`."""
        return await self.session.scalar(select(Board).where(Board.key == key))

    async def ensure_board(
        self, company: Company, ref: BoardRef, url: str | None = None, *, active: bool = True
    ) -> tuple[Board, bool]:
        """The board of `ref`, registered to `company` when new; True when it was created.

        Inactive boards (demo data, captured payloads) are never read from the network.
        """
        key = board_key(ref.ats, ref.tenant, ref.site)
        board = await self.board(key)
        if board is not None:
            return board, False
        board = Board(
            id=uuid.uuid4(),
            company_id=company.id,
            key=key,
            ats=ref.ats,
            tenant=ref.tenant,
            host=ref.host,
            site=ref.site,
            url=url,
            active=active,
            created_at=self.now,
            last_status="never",
            consecutive_failures=0,
        )
        self.session.add(board)
        await self.session.flush()
        return board, True

    # Runs

    async def fail(self, board: Board, code: str, message: str) -> RunResult:
        """Record that `board` could not be read; its postings stay as they were."""
        result = RunResult(board.key, status="error", error_code=code, error=message[:1000])
        board.last_status = "error"
        board.last_run_at = self.now
        board.last_error_code = code
        board.last_error = message[:1000]
        board.consecutive_failures += 1
        await self._record(board, result)
        return result

    async def apply(self, board: Board, postings: Sequence[AtsPosting]) -> RunResult:
        """Merge the board's current listing into the stored postings."""
        result = RunResult(board.key)
        company = await self.session.get(Company, board.company_id)
        assert company is not None
        sources = {
            s.source_id: s
            for s in await self.session.scalars(
                select(Source).where(Source.ats == board.ats, Source.tenant == board.tenant)
            )
        }
        listed: dict[str, NormalisedPosting] = {}
        for raw in postings:
            result.seen += 1
            try:
                item = normalise_posting(raw, self.now)
            except ValueError as exc:
                result.refuse(raw.source_id or "?", str(exc))
                continue
            if not item.closed:
                listed.setdefault(item.source_id, item)
        name = _company_name(company, listed.values())
        if company.name != name:
            company.name, company.updated_at = name, self.now
            await self.session.execute(
                update(Posting)
                .where(Posting.company_id == company.id)
                .values(company_name=name)
                .execution_options(synchronize_session=False)
            )
        candidates = await self._candidates(
            company.id,
            {dedup_key(company.id, item) for k, item in listed.items() if k not in sources},
        )
        touched: set[uuid.UUID] = set()
        # Postings this board lists now: a listing without a description is not merged into
        # one of them (two open requisitions with one title are two jobs).
        listed_here = {sources[k].posting_id for k in listed if k in sources}
        for source_id, item in listed.items():
            digest = content_hash(item)
            source = sources.get(source_id)
            if source is None:
                posting = await self._add_source(
                    board.id, company, item, digest, candidates, result, listed_here
                )
                listed_here.add(posting.id)
            else:
                await self._refresh_source(source, company, item, digest, result)
        for source in sources.values():
            if source.source_id not in listed and source.status == "open":
                source.status, source.closed_at = "closed", self.now
                touched.add(source.posting_id)
                result.closed += 1
        await self.session.flush()
        await self._close_orphans(touched)
        await self._touch()
        await self._announce()
        board.last_status = "ok"
        board.last_run_at = board.last_success_at = self.now
        board.last_error_code = board.last_error = None
        board.consecutive_failures = 0
        if result.refused:
            result.status = "partial"
        await self._record(board, result)
        return result

    async def _candidates(self, company_id: uuid.UUID, keys: set[str]) -> dict[str, list[Posting]]:
        found: dict[str, list[Posting]] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), _CHUNK):
            rows = await self.session.scalars(
                select(Posting).where(
                    Posting.company_id == company_id,
                    Posting.dedup_key.in_(ordered[start : start + _CHUNK]),
                )
            )
            for posting in rows:
                found.setdefault(posting.dedup_key, []).append(posting)
        return found

    async def import_posting(self, raw: AtsPosting) -> tuple[Posting, bool]:
        """Store one posting read from its own page (no board); True when it is a new job.

        ValueError when it cannot be normalised.
        """
        item = normalise_posting(raw, self.now)
        digest = content_hash(item)
        result = RunResult(f"{item.ats}:{item.tenant}")
        source = await self.session.scalar(
            select(Source).where(
                Source.ats == item.ats,
                Source.tenant == item.tenant,
                Source.source_id == item.source_id,
            )
        )
        if source is not None:
            posting = await self._posting(source)
            company = await self.session.get(Company, posting.company_id)
            assert company is not None
            await self._refresh_source(source, company, item, digest, result)
            await self.session.flush()
            await self._announce()
            return posting, False
        company = await self.company(item.company_name or item.tenant)
        key = dedup_key(company.id, item)
        candidates = await self._candidates(company.id, {key})
        posting = await self._add_source(None, company, item, digest, candidates, result, set())
        await self.session.flush()
        await self._announce()
        return posting, result.new == 1

    async def _posting(self, source: Source) -> Posting:
        posting = await self.session.get(Posting, source.posting_id)
        assert posting is not None
        return posting

    async def _add_source(
        self,
        board_id: uuid.UUID | None,
        company: Company,
        item: NormalisedPosting,
        digest: str,
        candidates: dict[str, list[Posting]],
        result: RunResult,
        listed_here: set[uuid.UUID],
    ) -> Posting:
        key = dedup_key(company.id, item)
        same = next(
            (p for p in candidates.get(key, []) if self._same_job(p, item, listed_here)),
            None,
        )
        if same is not None:
            result.merged += 1
            self._fill(same, company, item, digest, relist=False)
            posting = same
        else:
            result.new += 1
            posting = Posting(
                id=uuid.uuid4(),
                company_id=company.id,
                ats=item.ats,
                dedup_key=key,
                first_seen_at=self.now,
                created_at=self.now,
            )
            self._fill(posting, company, item, digest, relist=True, new=True)
            self.session.add(posting)
            self.session.add_all(
                PostingCountry(posting_id=posting.id, country=c) for c in item.countries
            )
            candidates.setdefault(key, []).append(posting)
        self.session.add(
            Source(
                id=uuid.uuid4(),
                posting_id=posting.id,
                board_id=board_id,
                ats=item.ats,
                tenant=item.tenant,
                source_id=item.source_id,
                url=item.url,
                apply_url=item.apply_url,
                content_hash=digest,
                status="open",
                first_seen_at=self.now,
                last_seen_at=self.now,
            )
        )
        return posting

    def _same_job(
        self, posting: Posting, item: NormalisedPosting, listed_here: set[uuid.UUID]
    ) -> bool:
        """Whether a listing with the posting's company, title and place is that job."""
        if posting.description_text.strip() and item.description_text.strip():
            score = similarity(posting.description_text, item.description_text)
            return score >= self.settings.duplicate_similarity
        return posting.id not in listed_here

    async def _refresh_source(
        self,
        source: Source,
        company: Company,
        item: NormalisedPosting,
        digest: str,
        result: RunResult,
    ) -> Posting | None:
        reopened = source.status != "open"
        if source.content_hash == digest and not reopened:
            result.unchanged += 1
            self._seen_sources.add(source.id)
            self._seen_postings.add(source.posting_id)
            return None
        posting = await self._posting(source)
        countries_before = {row["country"] for row in posting.locations if row.get("country")}
        source.status, source.closed_at = "open", None
        source.content_hash, source.url, source.apply_url = digest, item.url, item.apply_url
        self._fill(posting, company, item, digest, relist=not reopened)
        if set(item.countries) != countries_before:
            await self.session.execute(
                delete(PostingCountry).where(PostingCountry.posting_id == posting.id)
            )
            self.session.add_all(
                PostingCountry(posting_id=posting.id, country=c) for c in item.countries
            )
        result.updated += 1
        return posting

    def _fill(
        self,
        posting: Posting,
        company: Company,
        item: NormalisedPosting,
        digest: str,
        *,
        relist: bool,
        new: bool = False,
    ) -> None:
        location = item.location
        salary = item.salary
        self._changed.add(posting.id)
        posting.company_name = company.name
        posting.title = item.title
        posting.title_normalised = item.title_normalised
        posting.seniority = item.seniority
        posting.department = item.department
        posting.employment_type = item.employment_type
        posting.workplace = item.workplace
        posting.location = location.text[:300] if location else None
        posting.city = location.city[:120] if location and location.city else None
        posting.region = location.region[:120] if location and location.region else None
        posting.country = location.country if location else None
        posting.locations = [asdict(loc) for loc in item.locations]
        posting.salary_min = salary.min if salary else None
        posting.salary_max = salary.max if salary else None
        posting.salary_currency = salary.currency if salary else None
        posting.salary_period = salary.period if salary else None
        posting.salary_yearly_max = item.salary_yearly_max
        posting.description_html = item.description_html
        posting.description_text = item.description_text
        posting.url = item.url
        posting.apply_url = item.apply_url
        if item.posted_at is not None and not (item.posted_estimated and posting.posted_at):
            posting.posted_at = item.posted_at
        posting.source_updated_at = item.updated_at
        if new:
            posting.listed_at = posting.posted_at or self.now
        elif relist and posting.posted_at is not None:
            posting.listed_at = posting.posted_at
        posting.status, posting.closed_at = "open", None
        posting.last_seen_at = self.now
        posting.content_hash = digest
        posting.updated_at = self.now

    async def _close_orphans(self, posting_ids: Iterable[uuid.UUID]) -> None:
        """Close the postings among `posting_ids` that no open source lists any more."""
        ids = sorted(posting_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            still_open = select(Source.posting_id).where(
                Source.posting_id.in_(chunk), Source.status == "open"
            )
            closed = await self.session.scalars(
                update(Posting)
                .where(
                    Posting.id.in_(chunk),
                    Posting.status == "open",
                    Posting.id.not_in(still_open),
                )
                .values(status="closed", closed_at=self.now, updated_at=self.now)
                .returning(Posting.id)
                .execution_options(synchronize_session=False)
            )
            self._changed.update(closed)

    async def _announce(self) -> None:
        """Publish the postings this run changed (with the change, in its transaction)."""
        changed, self._changed = sorted(self._changed), set()
        for start in range(0, len(changed), MAX_IDS):
            await publish(
                self.session, PostingsChanged(posting_ids=changed[start : start + MAX_IDS])
            )

    async def _touch(self) -> None:
        """Mark the listings that came back unchanged as seen now (rows written in this run
        already say so; rewriting them would only leave dead row versions behind)."""
        sources, postings = sorted(self._seen_sources), sorted(self._seen_postings)
        for start in range(0, len(sources), _CHUNK):
            await self.session.execute(
                update(Source)
                .where(Source.id.in_(sources[start : start + _CHUNK]))
                .values(last_seen_at=self.now)
                .execution_options(synchronize_session=False)
            )
        for start in range(0, len(postings), _CHUNK):
            await self.session.execute(
                update(Posting)
                .where(
                    Posting.id.in_(postings[start : start + _CHUNK]),
                    Posting.last_seen_at < self.now,
                )
                .values(last_seen_at=self.now)
                .execution_options(synchronize_session=False)
            )
        self._seen_sources.clear()
        self._seen_postings.clear()

    async def _record(self, board: Board, result: RunResult) -> None:
        self.session.add(
            BoardRun(
                id=uuid.uuid4(),
                board_id=board.id,
                started_at=self.now,
                finished_at=utcnow(),
                status=result.status,
                seen=result.seen,
                new=result.new,
                updated=result.updated,
                unchanged=result.unchanged,
                closed=result.closed,
                merged=result.merged,
                refused=result.refused,
                error_code=result.error_code,
                error=result.error,
                problems=result.problems,
            )
        )
        await self.session.flush()
        kept = (
            select(BoardRun.id)
            .where(BoardRun.board_id == board.id)
            .order_by(BoardRun.started_at.desc())
            .limit(RUNS_KEPT)
        )
        await self.session.execute(
            delete(BoardRun).where(BoardRun.board_id == board.id, BoardRun.id.not_in(kept))
        )


def _company_name(company: Company, items: Iterable[NormalisedPosting]) -> str:
    """The company's name: kept, unless it is still a placeholder and the board names it."""
    if company.name != company.slug:
        return company.name
    named = next((i.company_name for i in items if i.company_name), None)
    return named[:200] if named else company.name

"""Demo companies and postings for `jobpilot seed`, made by the synthetic board generator.

The boards are generated in the payload shapes of real ATSs and go through the real adapters,
normaliser and ingestion, duplicates included. They are registered inactive: nothing ever
fetches them from the network. Seeding again the same day changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.ats.registry import adapter
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.ingest import Ingester
from jobpilot.kit.clock import utcnow

DEMO_COMPANIES = 40
DEMO_POSTINGS = 800


async def seed_demo(
    session: AsyncSession, *, companies: int = DEMO_COMPANIES, postings: int = DEMO_POSTINGS
) -> str:
    """Load the demo boards; running it again updates instead of duplicating."""
    from jobpilot.jobs import synthetic

    now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    ingester = Ingester(session, JobsSettings(), now)
    boards = new = merged = updated = 0
    for generated in synthetic.generate(companies=companies, postings=postings, now=now):
        ats = adapter(generated.ats)
        assert ats is not None
        ref = generated.board_ref()
        listed = [p for body in generated.payloads for p in ats.parse_payload(ref, body)]
        company = await ingester.company(generated.company_name, generated.website)
        board, _ = await ingester.ensure_board(company, ref, generated.careers_url, active=False)
        result = await ingester.apply(board, listed)
        boards += 1
        new, merged, updated = new + result.new, merged + result.merged, updated + result.updated
    return (
        f"{boards} demo boards: {new} new postings, {merged} listings merged into existing "
        f"postings, {updated} updated"
    )

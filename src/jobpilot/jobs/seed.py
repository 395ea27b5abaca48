"""Demo companies and postings for `jobpilot seed`."""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.jobs.repository import JobRepository
from jobpilot.jobs.service import JobService


async def seed_demo(session: AsyncSession) -> str:
    """Load the demo board; running it again updates instead of duplicating."""
    data = json.loads(resources.files("jobpilot.jobs").joinpath("demo_data.json").read_text())
    service = JobService(JobRepository(session))
    new_companies = new_postings = 0
    for entry in data["companies"]:
        company, created = await service.upsert_company(entry)
        new_companies += created
        for posting in entry["postings"]:
            new_postings += await service.upsert_posting(company, {"source": "demo", **posting})
    return f"{new_companies} new companies, {new_postings} new postings"

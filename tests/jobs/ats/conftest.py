"""Adapters talk real HTTP to the local stand-in for the ATS hosts (`fake`, one per module)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from fakes.local_server import FakeHosts
from jobpilot.jobs.ats.base import AtsHttp


@pytest.fixture
async def http(fake: FakeHosts) -> AsyncIterator[AtsHttp]:
    """Adapter HTTP aimed at the stand-in, with no routes left from earlier tests."""
    fake.reset()
    async with httpx.AsyncClient(trust_env=False) as client:
        yield AtsHttp(client, rewrite=fake.rewrite)

"""Adapters talk real HTTP to one local server per module that answers as the real hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from fakes.local_server import FakeHosts
from jobpilot.jobs.ats.base import AtsHttp


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    """The local stand-in for every ATS host."""
    with FakeHosts() as fake:
        yield fake


@pytest.fixture
async def http(fake: FakeHosts) -> AsyncIterator[AtsHttp]:
    """Adapter HTTP aimed at the stand-in, with no routes left from earlier tests."""
    fake.reset()
    async with httpx.AsyncClient(trust_env=False) as client:
        yield AtsHttp(client, rewrite=fake.rewrite)

"""Fixtures of the gateway tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.redis_process import RedisProcess, private_redis


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of this test's own, which the test may stop and restart."""
    with private_redis(tmp_path) as server:
        yield server

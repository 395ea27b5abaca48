"""Jobs tests talk real HTTP to one local server per module that answers as the real hosts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.local_server import FakeHosts


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHosts]:
    """The local stand-in for every ATS host."""
    with FakeHosts() as fake:
        yield fake

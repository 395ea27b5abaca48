"""Helpers for tests: settings, required servers and fixtures, in-process HTTP clients."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from jobpilot.settings import Settings

PG_URL_ENV = "JOBPILOT_TEST_PG_URL"
REDIS_URL_ENV = "JOBPILOT_TEST_REDIS_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


def require_env(name: str, what: str) -> str:
    """The value of `name`; skip without it, or fail under CI=true."""
    value = os.environ.get(name)
    if value:
        return value
    reason = f"{what} tests need {name} (set by .ci/run)"
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true they must run")
    pytest.skip(reason)


def require_shared(*parts: str) -> Path:
    """A path under ../shared; skip when absent, or fail under CI=true."""
    path = SHARED_DIR.joinpath(*parts)
    if path.exists():
        return path
    reason = f"{path} is absent (../shared holds the captured fixtures)"
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true it must be present")
    pytest.skip(reason)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Test-profile settings rooted at `data_dir`."""
    base: dict[str, object] = {
        "profile": "test",
        "data_dir": data_dir,
        "observability": {"log_json": True, "log_level": "WARNING"},
        "tasks": {"embedded_worker": False},
    }
    base.update(overrides)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


async def client_for(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to `app` in-process, with its lifespan running."""
    async with LifespanManager(app) as manager:  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check that `response` is the one JSON error shape with `status` and `code`; return it."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


async def sign_in(
    client: httpx.AsyncClient, app: Any, email: str = "tester@example.com", *, admin: bool = False
) -> dict[str, str]:
    """Create a verified account in `app` and return its Authorization header."""
    from jobpilot.auth.public import AuthFacade

    password = "a test passphrase that is long"
    await AuthFacade(app.state.container.auth).create_user(email, password, "Tester", admin=admin)
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@dataclass
class SignedIn:
    """A client of the platform signed in as one user."""

    app: Any
    client: httpx.AsyncClient
    headers: dict[str, str]


async def ingest_board(
    container: Any, company: str, website: str, postings: list[Any], now: datetime
) -> None:
    """Store `postings` (AtsPostings of one board) through the real ingestion, on an inactive
    board of `company` (nothing ever fetches it)."""
    from jobpilot.jobs.ats.base import BoardRef
    from jobpilot.jobs.ingest import Ingester

    ref = BoardRef(postings[0].ats, postings[0].tenant)
    async with container.db.writer_sessionmaker() as session, session.begin():
        ingester = Ingester(session, container.settings.jobs, now)
        stored = await ingester.company(company, website)
        board, _ = await ingester.ensure_board(stored, ref, active=False)
        await ingester.apply(board, postings)

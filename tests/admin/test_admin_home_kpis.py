"""The admin home's further figures: active users (sessions seen in the last 7 days), AI
requests and spend this month at the configured prices, and how fresh the job boards are."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from jobpilot.ai.models import AiUsage
from jobpilot.auth.models import Session, User
from jobpilot.auth.public import AuthFacade
from jobpilot.jobs.models import Board, Company
from jobpilot.kit.clock import utcnow
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import client_for
from web_harness import PASSWORD, Site, create_account, web_sign_in


def figure(page: httpx.Response, name: str) -> str:
    """The text of the figure marked `data-kpi="name"`, tags left out."""
    match = re.search(rf'data-kpi="{name}">(.*?)</p>', page.text, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
async def priced(settings: Settings, sqlite_url: str) -> AsyncIterator[Site]:
    """The platform with a priced model: $0.50 per 1,000 prompt tokens, $1.50 per 1,000
    completion tokens."""
    settings.database.url = sqlite_url
    settings.ai.llm.prompt_price_per_1k = 0.5
    settings.ai.llm.completion_price_per_1k = 1.5
    app = create_app(settings)
    async for client in client_for(app):
        yield app, client


async def seen(app: Any, email: str, days_ago: float) -> None:
    """Sign `email` in (a session), last seen `days_ago` days ago."""
    accounts = AuthFacade(app.state.container.auth)
    await accounts.sign_in(email, PASSWORD, ip=None, user_agent="pytest")
    async with app.state.container.db.unit_of_work(write=True) as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        await session.execute(
            update(Session)
            .where(Session.user_id == user_id)
            .values(last_seen_at=utcnow() - timedelta(days=days_ago))
        )


async def usage(
    app: Any, provider: str, requests: int, prompt: int, completion: int, *, months_ago: int = 0
) -> None:
    month = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if months_ago:
        month = (month - timedelta(days=1)).replace(day=1)
    async with app.state.container.db.unit_of_work(write=True) as session:
        session.add(
            AiUsage(
                user_id=uuid.uuid4(),
                month=month,
                task="tailor",
                provider=provider,
                requests=requests,
                cached=0,
                prompt_tokens=prompt,
                completion_tokens=completion,
            )
        )


async def boards(app: Any) -> None:
    """Five boards: read an hour ago; read 3 days ago (stale); failed, last read 2 days ago;
    never read; and an inactive one (not counted)."""
    now = utcnow()
    async with app.state.container.db.unit_of_work(write=True) as session:
        company = Company(
            id=uuid.uuid4(), slug="acme", name="Acme", website=None, created_at=now, updated_at=now
        )
        session.add(company)
        await session.flush()
        rows = [
            ("fresh", True, "ok", now - timedelta(hours=1)),
            ("stale", True, "ok", now - timedelta(days=3)),
            ("failing", True, "error", now - timedelta(days=2)),
            ("never", True, "never", None),
            ("off", False, "ok", now - timedelta(days=30)),
        ]
        for tenant, active, status, success in rows:
            session.add(
                Board(
                    company_id=company.id,
                    key=f"greenhouse:{tenant}",
                    ats="greenhouse",
                    tenant=tenant,
                    active=active,
                    created_at=now - timedelta(days=40),
                    last_status=status,
                    last_run_at=success if status != "error" else now - timedelta(minutes=5),
                    last_success_at=success,
                )
            )


async def test_the_home_shows_active_users_ai_spend_and_board_freshness(priced: Site) -> None:
    app, client = priced
    await create_account(app, "root@example.com", admin=True)
    for email in ("ada@example.com", "bob@example.com", "cy@example.com"):
        await create_account(app, email)
    await seen(app, "ada@example.com", 8)  # not active: seen 8 days ago
    await seen(app, "bob@example.com", 6)
    await usage(app, "openai-compatible", 10, 100_000, 20_000)
    await usage(app, "local-rules", 5, 0, 0)
    await usage(app, "openai-compatible", 99, 900_000, 900_000, months_ago=1)
    await boards(app)

    await web_sign_in(client, "root@example.com")  # the admin's session: seen now
    page = await client.get("/admin")
    assert page.status_code == 200, page.text
    # The admin and bob; ada was last seen 8 days ago, cy never signed in.
    assert figure(page, "users-active") == "2"
    # 100k prompt tokens at $0.50 and 20k completion tokens at $1.50 per 1,000; last month's
    # usage and local rules cost nothing here.
    assert figure(page, "ai-spend") == "$80.00"
    assert figure(page, "ai-requests").startswith("15 requests, 120,000 tokens since ")
    assert "at the prices set in" in figure(page, "ai-provider")
    assert figure(page, "boards-fresh") == "1 of 4"
    assert figure(page, "boards-detail") == (
        "read in the last 6 h 0 min; the stalest 3 d 0 h ago; 1 never read"
    )
    assert figure(page, "boards-failing") == "1 failed its last run"
    assert 'class="kpi kpi--alert" aria-labelledby="kpi-boards"' in page.text
    # The figures still refresh in place.
    fragment = await client.get("/admin", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="figures"')
    assert 'data-kpi="boards-fresh">1 of 4<' in fragment.text


async def test_local_rules_cost_nothing_and_no_boards_is_a_dash(site: Site) -> None:
    app, client = site
    await create_account(app, "root@example.com", admin=True)
    await usage(app, "local-rules", 3, 0, 0)
    await web_sign_in(client, "root@example.com")
    page = await client.get("/admin")
    assert figure(page, "users-active") == "1"
    assert figure(page, "ai-spend") == "$0.00"
    assert figure(page, "ai-provider") == "drafted by local rules: no model, no cost"
    assert figure(page, "boards-fresh") == "\u2013"
    assert "no active job board yet" in page.text

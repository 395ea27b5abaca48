"""Expired OAuth authorizations and used one-time tokens are purged by a periodic task."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from auth_harness import AuthHarness
from jobpilot.auth.models import OAuthState, UsedToken, User
from jobpilot.kit.clock import utcnow
from jobpilot.kit.tasks import enqueue


async def test_expired_rows_are_purged(auth: AuthHarness) -> None:
    await auth.register_verified("ada@example.com")
    now = utcnow()
    async with auth.container.db.unit_of_work() as session:
        user_id = (await session.scalars(select(User.id))).one()
        for expires, name in [(now - timedelta(hours=1), "old"), (now + timedelta(hours=1), "new")]:
            session.add(
                OAuthState(
                    state_hash=name,
                    provider="github",
                    code_verifier="v",
                    nonce=None,
                    expires_at=expires,
                )
            )
            session.add(
                UsedToken(
                    jti=f"{name}-{uuid.uuid4().hex}",
                    purpose="mfa",
                    user_id=user_id,
                    used_at=now,
                    expires_at=expires,
                )
            )
        # This hour's purge already ran (registration drained the queue); queue one more.
        await enqueue(session, "auth.purge_expired")
    await auth.run_tasks()
    async with auth.container.db.sessionmaker() as session:
        states = (await session.scalars(select(OAuthState.state_hash))).all()
        tokens = (await session.scalars(select(UsedToken.jti))).all()
    assert states == ["new"]
    assert all(not t.startswith("old-") for t in tokens)
    assert any(t.startswith("new-") for t in tokens)

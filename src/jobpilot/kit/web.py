"""FastAPI glue shared by every domain's API: the request's unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from jobpilot.kit.db import Database

# Requests that may change something get a writer's session: on SQLite a transaction that read
# and then writes fails at once if another process wrote in between, whereas a writer waits its
# turn (busy timeout). Reads keep the cheaper deferred transaction.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.unit_of_work(write=request.method not in _SAFE_METHODS) as session:
        yield session


# scope="function" commits before the response is sent, so a failed commit is a failed
# request rather than a 200 for work that was lost.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]

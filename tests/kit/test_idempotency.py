"""Side effects guarded by a key stored before they run: at most once, never guessed."""

from __future__ import annotations

import asyncio

import pytest

from jobpilot.kit.db import Database
from jobpilot.kit.idempotency import NotPerformed, OutcomeUnknown, once


async def test_a_done_effect_is_not_repeated(db: Database) -> None:
    sent: list[str] = []

    async def send() -> dict[str, str]:
        sent.append("mail")
        return {"message_id": "m-1"}

    assert await once(db, "welcome:42", send) == {"message_id": "m-1"}
    assert await once(db, "welcome:42", send) == {"message_id": "m-1"}
    assert sent == ["mail"]
    assert await once(db, "welcome:43", send) == {"message_id": "m-1"}
    assert sent == ["mail", "mail"]


async def test_an_effect_that_surely_failed_may_be_tried_again(db: Database) -> None:
    tries: list[int] = []

    async def refused() -> None:
        tries.append(1)
        raise NotPerformed("SMTP server refused the connection")

    with pytest.raises(NotPerformed):
        await once(db, "mail:1", refused)

    async def accepted() -> str:
        tries.append(2)
        return "ok"

    assert await once(db, "mail:1", accepted) == "ok"
    assert tries == [1, 2]


async def test_an_effect_with_an_unknown_outcome_is_never_retried(db: Database) -> None:
    async def timed_out() -> None:
        raise TimeoutError("no answer after submitting the form")

    with pytest.raises(TimeoutError):
        await once(db, "apply:job-7", timed_out)

    ran: list[int] = []

    async def again() -> None:
        ran.append(1)

    with pytest.raises(OutcomeUnknown) as caught:
        await once(db, "apply:job-7", again)
    assert ran == []
    assert caught.value.status == 409
    assert caught.value.details == {"key": "apply:job-7"}


async def test_racing_callers_run_the_effect_once(db: Database) -> None:
    runs: list[int] = []

    async def slow() -> str:
        runs.append(1)
        await asyncio.sleep(0.1)
        return "submitted"

    results = await asyncio.gather(
        *(once(db, "apply:job-9", slow) for _ in range(5)), return_exceptions=True
    )
    assert runs == [1]
    assert results.count("submitted") == 1
    assert all(isinstance(r, OutcomeUnknown) for r in results if r != "submitted")

"""Polite fetching over real HTTP: Retry-After, backoff, timeouts, per-host limits, SSRF guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest

from fakes.local_server import Canned, FakeHosts
from jobpilot.jobs.ats.base import AtsHttp, BoardRef
from jobpilot.jobs.config import JobsSettings
from jobpilot.jobs.fetch import (
    UnsafeUrl,
    build_ats_http,
    check_public_host,
    fetch_page,
)
from jobpilot.jobs.ingest import fetch_board
from jobpilot.kit.clock import utcnow
from jobpilot.kit.retry import retry_after

BOARD_URL = "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true"
EMPTY_BOARD = Canned(
    200, b'{"jobs": [], "meta": {"total": 0}}', {"content-type": "application/json"}
)
ACME = BoardRef(ats="greenhouse", tenant="acme")


class Sleeps:
    """Records the waits asked for, and waits only a moment."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def polite(fake: FakeHosts, sleeps: Sleeps) -> AsyncIterator[AtsHttp]:
    """Adapter HTTP with JobPilot's manners, aimed at the local stand-in."""
    fake.reset()
    settings = JobsSettings(
        ats_proxy_url=fake.base_url,
        request_attempts=3,
        backoff_base_seconds=0.5,
        max_retry_after_seconds=60,
        request_timeout_seconds=0.5,
        per_host_concurrency=2,
    )
    http = build_ats_http(settings)
    http.client._transport.sleep = sleeps  # type: ignore[attr-defined]
    try:
        yield http
    finally:
        await http.client.aclose()


async def test_a_429_waits_for_retry_after_then_reads_the_board(
    fake: FakeHosts, polite: AtsHttp, sleeps: Sleeps
) -> None:
    fake.add("GET", BOARD_URL, Canned(429, b"slow down", {"retry-after": "7"}), EMPTY_BOARD)
    fetched = await fetch_board(polite, ACME)
    assert fetched.ok
    assert fetched.postings == []
    assert sleeps.waits == [7.0]
    assert len(fake.requests) == 2


async def test_a_retry_after_too_long_to_wait_is_recorded_as_rate_limited(
    fake: FakeHosts, polite: AtsHttp, sleeps: Sleeps
) -> None:
    fake.add("GET", BOARD_URL, Canned(429, b"", {"retry-after": "3600"}))
    fetched = await fetch_board(polite, ACME)
    assert fetched.error_code == "rate_limited"
    assert fetched.error is not None
    assert "Retry-After: 3600" in fetched.error
    assert sleeps.waits == []
    assert len(fake.requests) == 1


async def test_server_errors_are_retried_with_growing_backoff(
    fake: FakeHosts, polite: AtsHttp, sleeps: Sleeps
) -> None:
    fake.add("GET", BOARD_URL, Canned(503), Canned(502), EMPTY_BOARD)
    assert (await fetch_board(polite, ACME)).ok
    assert len(sleeps.waits) == 2
    assert 0.5 <= sleeps.waits[0] <= 0.75
    assert 1.0 <= sleeps.waits[1] <= 1.5


async def test_a_board_that_keeps_failing_is_an_error_after_the_last_try(
    fake: FakeHosts, polite: AtsHttp
) -> None:
    fake.add("GET", BOARD_URL, Canned(500))
    fetched = await fetch_board(polite, ACME)
    assert (fetched.error_code, fetched.error) == ("ats_error", "The job board answered 500.")
    assert len(fake.requests) == 3


async def test_a_host_that_never_answers_times_out_and_is_retried(
    fake: FakeHosts, polite: AtsHttp
) -> None:
    fake.add("GET", BOARD_URL, Canned(200, b"{}", delay=2.0))
    fetched = await fetch_board(polite, ACME)
    assert fetched.error_code == "ats_error"
    assert fetched.error is not None
    assert "did not answer" in fetched.error
    assert len(fake.requests) == 3


async def test_a_missing_board_is_not_retried(fake: FakeHosts, polite: AtsHttp) -> None:
    fetched = await fetch_board(polite, BoardRef(ats="greenhouse", tenant="gone"))
    assert fetched.error_code == "board_not_found"
    assert len(fake.requests) == 1


async def test_at_most_two_requests_per_host_are_in_flight(
    fake: FakeHosts, polite: AtsHttp
) -> None:
    slow = Canned(200, b'{"jobs": []}', {"content-type": "application/json"}, delay=0.15)
    slow_lever = Canned(200, b"[]", {"content-type": "application/json"}, delay=0.15)
    for tenant in ("a", "b", "c", "d", "e", "f"):
        fake.add(
            "GET", f"https://boards-api.greenhouse.io/v1/boards/{tenant}/jobs?content=true", slow
        )
        fake.add(
            "GET",
            f"https://api.lever.co/v0/postings/{tenant}?mode=json&skip=0&limit=100",
            slow_lever,
        )
    boards = [BoardRef(ats="greenhouse", tenant=t) for t in "abcdef"]
    boards += [BoardRef(ats="lever", tenant=t) for t in "abcdef"]
    results = await asyncio.gather(*(fetch_board(polite, b) for b in boards))
    assert all(r.ok for r in results), [r.error for r in results]
    assert fake.max_in_flight["boards-api.greenhouse.io"] == 2
    assert fake.max_in_flight["api.lever.co"] == 2


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    assert retry_after(httpx.Headers({"Retry-After": "120"})) == 120.0
    assert retry_after(httpx.Headers({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5
    later = format_datetime(utcnow() + timedelta(seconds=90), usegmt=True)
    seconds = retry_after(httpx.Headers({"Retry-After": later}))
    assert seconds is not None
    assert 85 <= seconds <= 90
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers({"Retry-After": "-5"})) == 0.0
    assert retry_after(httpx.Headers()) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/admin",
        "http://localhost/",
        "http://10.0.0.7/careers",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "ftp://example.org/job",
        "https://user:secret@93.184.216.34/job",
    ],
)
async def test_pages_inside_the_network_are_never_read(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_public_host(url)


async def test_a_public_address_is_allowed() -> None:
    await check_public_host("https://93.184.216.34/careers/123")


async def test_a_redirect_into_the_network_is_refused(fake: FakeHosts) -> None:
    fake.reset()
    fake.add(
        "GET",
        "https://93.184.216.34/jobs/1",
        Canned(302, b"", {"location": "http://127.0.0.1:9/secret"}),
    )
    async with httpx.AsyncClient(trust_env=False) as client:
        http = AtsHttp(client, rewrite=fake.rewrite)
        with pytest.raises(UnsafeUrl, match=r"127\.0\.0\.1 is not on the public internet"):
            await fetch_page(http, "https://93.184.216.34/jobs/1", proxied=False)
    assert len(fake.requests) == 1  # the public page was read, the internal one never

"""Polite HTTP for job boards: a per-host concurrency limit, retries, and Retry-After.

`PoliteTransport` wraps any httpx transport, so every adapter gets the same manners without
knowing: at most N requests in flight per host; a timeout, connection error or 5xx is retried
with exponential backoff and jitter; a 429/503 waits for its `Retry-After` (seconds or an HTTP
date) when that is short enough, and otherwise comes back to the caller to be recorded.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from jobpilot import __version__
from jobpilot.jobs.ats.base import AtsHttp
from jobpilot.jobs.config import JobsSettings
from jobpilot.kit.retry import backoff
from jobpilot.kit.retry import retry_after as retry_after_header
from jobpilot.kit.tracing import TracedTransport

Sleep = Callable[[float], Awaitable[None]]
USER_AGENT = f"JobPilot/{__version__} (job board reader)"
_RETRY_STATUSES = {429, 500, 502, 503, 504}


class PoliteTransport(httpx.AsyncBaseTransport):
    """Limits, retries and waits around another transport."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        per_host: int = 2,
        attempts: int = 3,
        backoff_base: float = 1.0,
        max_retry_after: float = 120.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.per_host = per_host
        self.attempts = attempts
        self.backoff_base = backoff_base
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self._limits: dict[str, asyncio.Semaphore] = {}

    def _limit(self, request: httpx.Request) -> asyncio.Semaphore:
        host = _target_host(request)
        if host not in self._limits:
            self._limits[host] = asyncio.Semaphore(self.per_host)
        return self._limits[host]

    def _backoff(self, attempt: int) -> float:
        return backoff(self.backoff_base, attempt - 1)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`, retrying what is worth retrying."""
        limit = self._limit(request)
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            async with limit:
                try:
                    response = await self.inner.handle_async_request(request)
                except (httpx.TimeoutException, httpx.NetworkError):
                    if last:
                        raise
                    wait = self._backoff(attempt)
                else:
                    if response.status_code not in _RETRY_STATUSES or last:
                        return response
                    retry_after = retry_after_header(response.headers)
                    if retry_after is not None and retry_after > self.max_retry_after:
                        return response
                    await response.aclose()
                    wait = retry_after if retry_after is not None else self._backoff(attempt)
            await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()


def _target_host(request: httpx.Request) -> str:
    # Behind a replay proxy every request goes to one host; its first path part is the real one.
    path_host = request.url.path.lstrip("/").partition("/")[0]
    if request.url.host in {"127.0.0.1", "localhost"} and "." in path_host:
        return path_host
    return request.url.host


def proxy_rewrite(proxy_url: str) -> Callable[[str], str]:
    """A rewrite sending `https://host/path?q` to `<proxy_url>/host/path?q`."""
    base = proxy_url.rstrip("/")

    def rewrite(url: str) -> str:
        parts = urlsplit(url)
        return f"{base}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    return rewrite


def build_ats_http(
    settings: JobsSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> AtsHttp:
    """The HTTP client adapters use, with the settings' politeness (close its `.client`)."""
    polite = PoliteTransport(
        # Inside the politeness layer: each attempt is its own span.
        TracedTransport(transport or httpx.AsyncHTTPTransport()),
        per_host=settings.per_host_concurrency,
        attempts=settings.request_attempts,
        backoff_base=settings.backoff_base_seconds,
        max_retry_after=settings.max_retry_after_seconds,
    )
    client = httpx.AsyncClient(
        transport=polite,
        timeout=settings.request_timeout_seconds,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )
    rewrite = proxy_rewrite(settings.ats_proxy_url) if settings.ats_proxy_url else None
    return AtsHttp(client, rewrite=rewrite)


class UnsafeUrl(ValueError):
    """A URL that points inside the network JobPilot runs in."""


MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5


async def check_public_host(url: str) -> None:
    """UnsafeUrl unless every address of the URL's host is a public one (no SSRF)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = "only http and https URLs can be read"
        raise UnsafeUrl(msg)
    if parts.username or parts.password:
        msg = "URLs with credentials are not read"
        raise UnsafeUrl(msg)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        )
    except OSError as exc:
        msg = f"the host {parts.hostname} could not be resolved"
        raise UnsafeUrl(msg) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            msg = f"the host {parts.hostname} is not on the public internet"
            raise UnsafeUrl(msg)


async def fetch_page(http: AtsHttp, url: str, *, proxied: bool) -> tuple[str, str]:
    """The text of a public web page and its final URL, following redirects one by one.

    Every hop's host is checked to be public (unless requests go to the configured replay
    proxy, which never reaches the URL's host); pages over 5 MB are refused.
    """
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        if not proxied:
            await check_public_host(current)
        response = await http.request("GET", current, follow_redirects=False)
        if response.is_redirect and "location" in response.headers:
            current = str(httpx.URL(current).join(response.headers["location"]))
            continue
        if len(response.content) > MAX_PAGE_BYTES:
            msg = "the page is larger than 5 MB"
            raise UnsafeUrl(msg)
        return response.text, current
    msg = "the page redirects too many times"
    raise UnsafeUrl(msg)

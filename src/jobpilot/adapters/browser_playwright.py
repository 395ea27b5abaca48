"""The browser pool on Playwright and the system's Chromium: one browser, a context per use.

Chromium starts on first use and is shared; every `context()` gets its own `BrowserContext`
(cookies, storage and cache of its own), so one application never sees another's session.
Every request a page makes passes a network guard: hosts outside `allowed_hosts` are aborted
before Chromium sends anything, which keeps tests on 127.0.0.1 and keeps a hostile form from
reaching the internal network.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shutil
from collections.abc import AsyncIterator, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from jobpilot.kit.errors import ServiceUnavailable

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright, Request, Route

# DEPENDENCIES.md: Debian's Chromium runs as root in containers only without the sandbox, and
# the other flags stop background traffic (updates, sync, safe-browsing lists, DNS prefetch).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--dns-prefetch-disable",
    "--no-pings",
)
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Schemes that never leave the machine; the guard only judges network URLs.
_LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension"})


class BrowserUnavailable(ServiceUnavailable):
    """No usable browser: Chromium or Playwright is not installed, or it cannot start."""

    code = "browser_unavailable"
    default_message = "The headless browser is not available."


def find_chromium(executable_path: str | None = None) -> str:
    """The Chromium binary to launch; BrowserUnavailable when there is none."""
    candidate = executable_path or shutil.which("chromium") or DEFAULT_CHROMIUM
    if not Path(candidate).is_file():
        msg = (
            f"Chromium was not found at {candidate}: install it (Debian: apt-get install -y "
            "chromium) or set the browser executable path."
        )
        raise BrowserUnavailable(msg)
    return candidate


_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _internal(host: str) -> bool:
    """Whether `host` names this machine or a private network, by its literal address or an
    internal-only name."""
    if not host or host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "." not in host  # a bare name resolves inside the local network
    return not address.is_global


class PlaywrightBrowserPool:
    """A shared headless Chromium handing out isolated contexts, at most `max_contexts` at once."""

    def __init__(
        self,
        *,
        max_contexts: int = 2,
        allowed_hosts: Collection[str] | None = None,
        executable_path: str | None = None,
        headless: bool = True,
        launch_timeout: float = 30.0,
        viewport: tuple[int, int] = (1280, 900),
        locale: str = "en-US",
    ) -> None:
        if max_contexts < 1:
            msg = "max_contexts must be at least 1"
            raise ValueError(msg)
        self.max_contexts = max_contexts
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts) if allowed_hosts else None
        self.executable_path = executable_path
        self.headless = headless
        self.launch_timeout = launch_timeout
        self.viewport = viewport
        self.locale = locale
        # URLs the guard refused, newest last (bounded: it is for diagnosis, not an archive).
        self.blocked: list[str] = []
        self.launches = 0
        self._slots = asyncio.Semaphore(max_contexts)
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def allows(self, url: str) -> bool:
        """Whether the guard lets a page request `url`."""
        parts = urlsplit(url)
        if parts.scheme in _LOCAL_SCHEMES:
            return True
        host = (parts.hostname or "").lower()
        if self.allowed_hosts is None:
            # Any public host; a posting's page must never reach into the network JobPilot
            # runs in (metadata endpoints, internal services) by an address or internal name.
            return not _internal(host)
        return host in self.allowed_hosts

    async def _ensure_browser(self) -> Browser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            # A crashed or closed browser is dropped and a new one launched.
            self._browser = None
            executable = find_chromium(self.executable_path)
            if self._playwright is None:
                try:
                    from playwright.async_api import async_playwright
                except ImportError as exc:
                    msg = "Playwright is not installed (pip install playwright)."
                    raise BrowserUnavailable(msg) from exc
                self._playwright = await async_playwright().start()
            try:
                browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    headless=self.headless,
                    args=list(CHROMIUM_ARGS),
                    timeout=self.launch_timeout * 1000,
                )
            except Exception as exc:
                msg = f"Chromium at {executable} did not start: {exc}"
                raise BrowserUnavailable(msg) from exc
            self.launches += 1
            self._browser = browser
            return browser

    async def _guard(self, route: Route, request: Request) -> None:
        if self.allows(request.url):
            await route.continue_()
            return
        self.blocked.append(request.url)
        del self.blocked[:-200]
        await route.abort("blockedbyclient")

    @contextlib.asynccontextmanager
    async def context(self, *, storage_state: dict[str, Any] | None = None) -> AsyncIterator[Page]:
        """A fresh context and page; the context is closed afterwards, even on error."""
        async with self._slots:
            browser = await self._ensure_browser()
            context = await browser.new_context(
                storage_state=cast("Any", storage_state),
                viewport={"width": self.viewport[0], "height": self.viewport[1]},
                locale=self.locale,
                # Service workers could fetch around the route handler.
                service_workers="block",
                accept_downloads=False,
            )
            try:
                await context.route("**/*", self._guard)
                page = await context.new_page()
                yield page
            finally:
                # Closing fails when the browser crashed meanwhile; the next use relaunches.
                with contextlib.suppress(Exception):
                    await context.close()

    async def close(self) -> None:
        """Close the browser and stop Playwright."""
        async with self._lock:
            browser, self._browser = self._browser, None
            playwright, self._playwright = self._playwright, None
            if browser is not None:
                with contextlib.suppress(Exception):
                    await browser.close()
            if playwright is not None:
                await playwright.stop()

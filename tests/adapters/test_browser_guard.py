"""The browser's network guard decides per request, before Chromium sends anything."""

from __future__ import annotations

import pytest

from jobpilot.adapters.browser_playwright import PlaywrightBrowserPool


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/admin",
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://metadata.google.internal/",
        "http://printer.local/",
        "http://intranet/",
    ],
)
def test_without_an_allow_list_internal_addresses_are_refused(url: str) -> None:
    assert not PlaywrightBrowserPool().allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://job-boards.greenhouse.io/acme/jobs/1",
        "https://jobs.lever.co/acme/x/apply",
        "https://8.8.8.8/",
        "data:text/html,<p>hi</p>",
        "about:blank",
    ],
)
def test_without_an_allow_list_public_hosts_are_allowed(url: str) -> None:
    assert PlaywrightBrowserPool().allows(url)


def test_an_allow_list_admits_only_its_hosts() -> None:
    pool = PlaywrightBrowserPool(allowed_hosts={"127.0.0.1"})
    assert pool.allows("http://127.0.0.1:5000/x")
    assert not pool.allows("https://job-boards.greenhouse.io/acme/jobs/1")

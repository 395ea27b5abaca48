"""The foundation's pages: error pages for browsers (JSON for the API), static files, htmx."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from jobpilot.web.static import HTMX, STATIC_DIR
from support import assert_error
from web_harness import Site, create_account, web_sign_in, web_sign_in_admin

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_an_unknown_page_is_a_friendly_html_404_and_the_api_stays_json(
    site: Site,
) -> None:
    _, client = site
    page = await client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in page.text
    assert 'href="/"' in page.text
    # The API's error shape does not change, whatever the client accepts.
    assert_error(await client.get("/api/v1/nope", headers=HTML), 404, "not_found")
    assert_error(await client.get("/api/v1/jobs"), 401, "invalid_token")
    # Clients that do not ask for HTML keep getting JSON everywhere.
    assert_error(await client.get("/no/such/page"), 404, "not_found")
    assert_error(await client.delete("/api/v1/auth/me"), 405, "method_not_allowed")


async def test_the_wrong_method_on_a_page_is_an_html_page(site: Site) -> None:
    _, client = site
    response = await client.get("/logout", headers=HTML)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert "cannot be used that way" in response.text


async def test_the_404_page_shows_who_is_signed_in(site: Site) -> None:
    app, client = site
    await create_account(app, "ada@example.com", name="Ada Lovelace")
    await web_sign_in(client, "ada@example.com")
    page = await client.get("/missing", headers=HTML)
    assert page.status_code == 404
    assert "Signed in as <strong>Ada Lovelace</strong>" in page.text


async def test_static_files_are_versioned_and_cached_for_a_year(site: Site) -> None:
    _, client = site
    page = await client.get("/login")
    for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        digest = hashlib.sha256(response.content).hexdigest()
        assert path.endswith(f"?v={digest[:12]}"), path
    css = await client.get("/static/app.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "@import" not in css.text
    assert "url(" not in css.text  # no web fonts, no CDN


def test_the_vendored_htmx_is_the_recorded_release() -> None:
    vendored = STATIC_DIR / HTMX
    digest = hashlib.sha256(vendored.read_bytes()).hexdigest()
    assert digest.startswith("d6fdc75f")
    notice = (STATIC_DIR / "vendor" / "NOTICE.md").read_text()
    assert digest in notice
    assert f"{vendored.stat().st_size:,} bytes" in notice
    assert "htmx.org@2.0.11" in notice
    assert "0BSD" in notice
    assert Path(HTMX).name == "htmx-2.0.11.min.js"


async def test_the_home_page_links_only_to_pages_that_exist(site: Site) -> None:
    app, client = site
    anonymous = await client.get("/")
    assert 'href="/login"' in anonymous.text
    assert 'href="/admin"' not in anonymous.text
    await web_sign_in_admin(app, client)
    signed_in = await client.get("/")
    for link in set(re.findall(r'href="(/[^"?]*)', signed_in.text)):
        if link.startswith("/static/"):
            continue
        assert (await client.get(link)).status_code == 200, link


async def test_an_unexpected_error_on_a_page_is_a_500_page_without_details(
    site: Site, caplog: Any
) -> None:
    from jobpilot.web.routing import page_router

    app, client = site
    probe = page_router()

    @probe.get("/_probe/crash")
    async def crash() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(probe)
    page = await client.get("/_probe/crash", headers={"X-Request-ID": "req-page-1"})
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in page.text
    assert "req-page-1" in page.text
    assert "secret internal detail" not in page.text
    assert "Traceback" not in page.text
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)


async def test_pages_are_served_with_their_service_and_sign_in_with_them(
    settings: Any, sqlite_url: str
) -> None:
    from jobpilot.main import create_app
    from support import client_for

    settings.database.url = sqlite_url
    async for client in client_for(create_app(settings, services=["admin"])):
        assert (await client.get("/login")).status_code == 200
        assert (await client.get("/admin")).headers["location"] == "/login?next=/admin"
    # A service without pages serves none: no sign-in form, no static files.
    async for client in client_for(create_app(settings, services=["jobs"])):
        assert_error(await client.get("/login"), 404, "not_found")
        assert_error(await client.get("/static/app.css"), 404, "not_found")

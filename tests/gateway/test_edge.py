"""The embedded edge: `jobpilot serve` applies the route table in-process, with no network hop."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.token_free_edge import TokenFreeComponents, auth_only_table
from jobpilot import wiring
from jobpilot.gateway.edge import EdgeMiddleware
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import assert_error, client_for, make_settings, sign_in
from web_harness import create_account, set_cookies, web_sign_in

ORIGIN = "http://127.0.0.1:8080"


@pytest.fixture
async def edge(settings: Settings, sqlite_url: str) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The whole platform with its embedded edge on."""
    settings.database.url = sqlite_url
    settings.gateway.embedded_edge = True
    app = create_app(settings)
    async for client in client_for(app):
        yield app, client


async def test_a_token_is_demanded_at_the_edge_and_a_valid_one_passes(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = edge
    refused = await client.get("/api/v1/jobs")
    assert_error(refused, 401, "invalid_token")
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert refused.headers["X-Request-ID"]
    # Refused before the service: no upstream answered, nothing was counted.
    assert "X-Upstream-Service" not in refused.headers
    assert "RateLimit-Limit" not in refused.headers

    # A service's status is open to uptime checks (ADR 0003).
    status = await client.get("/api/v1/jobs/status")
    assert status.status_code == 200, status.text
    assert status.headers["X-Upstream-Service"] == "jobs"

    headers = await sign_in(client, app)
    jobs = await client.get("/api/v1/jobs", headers=headers)
    assert jobs.status_code == 200, jobs.text
    assert jobs.headers["X-Upstream-Service"] == "jobs"
    assert jobs.headers["RateLimit-Limit"] == "300"
    assert jobs.headers["RateLimit-Policy"] == "300;w=60"
    assert int(jobs.headers["RateLimit-Remaining"]) == 299
    assert 0 <= int(jobs.headers["RateLimit-Reset"]) <= 60

    # Each service has its own limit, from the table.
    me = await client.get("/api/v1/users/me/usage", headers=headers)
    assert me.headers["X-Upstream-Service"] == "users"
    assert me.headers["RateLimit-Limit"] == "200"


async def test_expired_and_revoked_tokens_are_refused_at_the_edge(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = edge
    headers = await sign_in(client, app)
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})

    from jobpilot.auth.repository import AuthRepository
    from jobpilot.auth.service import AuthService
    from jobpilot.kit.clock import utcnow

    container = app.state.container
    async with container.db.unit_of_work() as session:
        kid, key = await AuthService(AuthRepository(session), container.auth)._signing_key(utcnow())
    now = int(time.time())
    expired = jwt.encode(
        {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 1},
        key,
        algorithm="ES256",
        headers={"kid": kid},
    )
    refused = await client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {expired}"})
    assert_error(refused, 401, "invalid_token")
    assert "X-Upstream-Service" not in refused.headers

    assert (await client.get("/api/v1/jobs", headers=headers)).status_code == 200
    logout = await client.post("/api/v1/auth/logout", headers=headers)
    assert logout.status_code in {200, 204}, logout.text
    revoked = await client.get("/api/v1/jobs", headers=headers)
    error = assert_error(revoked, 401, "invalid_token")
    assert "signed out" in error["message"]
    assert "X-Upstream-Service" not in revoked.headers


async def test_the_101st_auth_request_in_a_minute_is_refused_with_the_headers(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = edge
    headers = await sign_in(client, app)  # one login: the first request counted
    for n in range(2, 101):
        response = await client.get("/api/v1/auth/methods")
        assert response.status_code == 200, (n, response.text)
        assert response.headers["X-Upstream-Service"] == "auth"
    assert response.headers["RateLimit-Remaining"] == "0"
    limited = await client.get("/api/v1/auth/methods")
    error = assert_error(limited, 429, "rate_limited")
    assert error["details"] == {"limit": 100, "window_seconds": 60}
    assert limited.headers["RateLimit-Limit"] == "100"
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert limited.headers["RateLimit-Policy"] == "100;w=60"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-Request-ID"]

    # The address is spent; a signed-in user counts on their own, and other services are apart.
    mine = await client.get("/api/v1/auth/methods", headers=headers)
    assert mine.status_code == 200
    assert mine.headers["RateLimit-Remaining"] == "99"
    assert (await client.get("/api/v1/jobs", headers=headers)).status_code == 200


async def test_cors_preflight_needs_no_token_and_refusals_carry_cors(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    _, client = edge
    preflight = await client.options(
        "/api/v1/jobs",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PUT", "DELETE", "PATCH"} <= allowed
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert preflight.headers["Access-Control-Max-Age"] == "3600"

    stranger = await client.options(
        "/api/v1/jobs",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert stranger.status_code == 400
    assert "Access-Control-Allow-Origin" not in stranger.headers

    refused = await client.get("/api/v1/jobs", headers={"Origin": ORIGIN})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = refused.headers["Access-Control-Expose-Headers"]
    assert "RateLimit-Remaining" in exposed
    assert "X-Request-ID" in exposed


async def test_gateway_metrics_are_on_the_metrics_page(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = edge
    headers = await sign_in(client, app, email="metrics@example.com")
    await client.get("/api/v1/jobs", headers=headers)
    await client.get("/api/v1/jobs")
    page = (await client.get("/metrics")).text
    assert (
        'gateway_requests_total{method="GET",route="/api/v1/jobs",service="jobs",status="200"}'
        in (page)
    )
    assert (
        'gateway_requests_total{method="GET",route="/api/v1/jobs",service="jobs",status="401"}'
        in (page)
    )
    assert 'gateway_upstream_duration_seconds_count{route="/api/v1/jobs",service="jobs"}' in page
    assert 'gateway_request_duration_seconds_bucket{le="0.005",route="/api/v1/jobs"' in page
    assert (
        'gateway_bandwidth_bytes_total{direction="egress",route="/api/v1/jobs",service="jobs"}'
        in page
    )
    assert 'gateway_rate_limit_decisions_total{decision="allowed",service="jobs"}' in page


async def test_pages_pass_without_a_token_with_their_cookies_and_count_per_address(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = edge
    await create_account(app, "boss@example.com", admin=True)
    signed_in = await web_sign_in(client, "boss@example.com", next_path="/admin")
    # The sign-in page's Set-Cookie headers reach the browser through the edge, untouched.
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/admin"
    cookies = set_cookies(signed_in)
    assert cookies, signed_in.headers
    assert all("httponly" in attributes for attributes in cookies.values())
    assert signed_in.headers["X-Upstream-Service"] == "admin"

    # No Authorization header: the page signs in by the cookies the client sends back.
    page = await client.get("/admin")
    assert page.status_code == 200, page.text
    assert "text/html" in page.headers["content-type"]
    assert page.headers["X-Upstream-Service"] == "admin"
    # Counted per client address, against the pages' own limit.
    assert page.headers["RateLimit-Limit"] == "600"
    before = int(page.headers["RateLimit-Remaining"])
    home = await client.get("/")
    assert home.status_code == 200
    assert int(home.headers["RateLimit-Remaining"]) == before - 1
    # A bearer header, even a forged one, is not the edge's business on a page.
    forged = await client.get("/admin", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 200, forged.text

    # Without the cookies the page itself sends the browser to sign in (not an edge 401).
    client.cookies.clear()
    anonymous = await client.get("/admin")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


async def test_the_admin_api_needs_a_token_at_the_edge(
    edge: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = edge
    refused = await client.get("/api/admin/users")
    assert_error(refused, 401, "invalid_token")
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "X-Upstream-Service" not in refused.headers
    # Its status is open like every service's.
    status = await client.get("/api/admin/status")
    assert status.status_code == 200, status.text
    assert status.headers["X-Upstream-Service"] == "admin"

    admin = await sign_in(client, app, email="root@example.com", admin=True)
    users = await client.get("/api/admin/users", headers=admin)
    assert users.status_code == 200, users.text
    assert users.headers["X-Upstream-Service"] == "admin"
    assert users.headers["RateLimit-Limit"] == "100"
    # The role is the service's to check: a plain user's valid token passes the edge only.
    plain = await sign_in(client, app, email="plain@example.com")
    assert_error(await client.get("/api/admin/users", headers=plain), 403, "forbidden")


def test_the_edge_is_on_when_one_process_serves_everything(tmp_path: Any) -> None:
    embedded = make_settings(tmp_path, profile="embedded")
    assert wiring.embedded_edge(embedded, None)
    # A single service sits behind `jobpilot gateway`, which applies the table once.
    assert not wiring.embedded_edge(embedded, ["jobs"])
    embedded.gateway.embedded_edge = True
    assert wiring.embedded_edge(embedded, ["jobs"])
    assert not wiring.embedded_edge(make_settings(tmp_path), None)  # tests opt in


async def _echo(request: Request) -> JSONResponse:
    headers = dict(request.headers.items())
    return JSONResponse({"headers": headers}, headers={"X-JobPilot-Shard": "7", "X-Kept": "yes"})


async def test_internal_headers_cannot_be_sent_in_or_leak_out() -> None:
    table = auth_only_table(limit_per_minute=5)
    components = TokenFreeComponents()
    inner = Starlette(routes=[Route("/api/v1/auth/echo", _echo), Route("/other", _echo)])
    app = EdgeMiddleware(inner, table=table, components=lambda _scope: components)
    async for client in client_for(app):
        response = await client.get(
            "/api/v1/auth/echo",
            headers={"X-Upstream-Service": "admin", "X-JobPilot-User": "someone", "X-Mine": "1"},
        )
        seen = response.json()["headers"]
        assert "x-upstream-service" not in seen
        assert "x-jobpilot-user" not in seen
        assert seen["x-mine"] == "1"
        assert "X-JobPilot-Shard" not in response.headers
        assert response.headers["X-Kept"] == "yes"
        assert response.headers["X-Upstream-Service"] == "auth"
        # Paths no service owns pass through untouched.
        other = await client.get("/other", headers={"X-Upstream-Service": "admin"})
        assert other.json()["headers"]["x-upstream-service"] == "admin"
        assert "RateLimit-Limit" not in other.headers
    await components.aclose()

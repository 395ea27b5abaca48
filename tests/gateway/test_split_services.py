"""Services in their own processes behind two `jobpilot gateway` processes sharing one Redis.

Everything here is real: `jobpilot serve --service X` per service on one SQLite file, the auth
service's published keys, logouts through Redis, limits counted in Redis, HTTP over loopback.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest

from fakes.redis_process import RedisProcess
from jobpilot import wiring
from jobpilot.adapters.mail_devbox import DevMailbox
from jobpilot.settings import Settings
from support import assert_error

PASSWORD = "a gateway passphrase that is long"
SECRET = "k" * 48
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Platform:
    """The processes of one split deployment and where they listen."""

    env: dict[str, str]
    ports: dict[str, int]
    procs: dict[str, subprocess.Popen[bytes]]
    logs: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str, *args: str) -> None:
        # The child keeps its own descriptor of the log; ours closes at once.
        with (self.logs / f"{name}.log").open("wb") as log:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "jobpilot", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, name: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs[name]
            if proc.poll() is not None:
                pytest.fail(f"{name} exited: {(self.logs / f'{name}.log').read_text()[-3000:]}")
            try:
                if httpx.get(self.url(name) + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"{name} did not start: {(self.logs / f'{name}.log').read_text()[-3000:]}")

    def wait_upstreams(self, gateway: str, services: tuple[str, ...]) -> None:
        deadline = time.monotonic() + 30
        while True:
            upstreams = httpx.get(self.url(gateway) + "/readyz", timeout=5).json()["upstreams"]
            if all(upstreams[s]["healthy"] for s in services):
                return
            assert time.monotonic() < deadline, upstreams
            time.sleep(0.2)

    def settings(self) -> Settings:
        from jobpilot.settings import load_settings

        saved = dict(os.environ)
        try:
            os.environ.update(self.env)
            return load_settings()
        finally:
            os.environ.clear()
            os.environ.update(saved)


@pytest.fixture
def platform(tmp_path: Path, redis_server: RedisProcess) -> Iterator[Platform]:
    """auth, users, jobs and admin (the web pages) each in a process, two gateways in front
    (resumes is not started)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPILOT_")}
    env.update(
        JOBPILOT_DATA_DIR=str(tmp_path / "var"),
        JOBPILOT_REDIS__URL=redis_server.url,
        JOBPILOT_AUTH__SECRET_KEY=SECRET,
        JOBPILOT_MAIL__BACKEND="devbox",
        JOBPILOT_OBSERVABILITY__LOG_LEVEL="WARNING",
        JOBPILOT_GATEWAY__HEALTH_INTERVAL_SECONDS="0.5",
    )
    names = ("auth", "users", "jobs", "resumes", "admin", "gateway", "gateway2")
    ports = {name: _free_port() for name in names}
    for service in ("auth", "users", "jobs", "resumes", "admin"):
        env[f"JOBPILOT_GATEWAY__UPSTREAMS__{service.upper()}"] = (
            f"http://127.0.0.1:{ports[service]}"
        )
    logs = tmp_path / "logs"
    logs.mkdir()
    deployment = Platform(env, ports, {}, logs)
    migrated = subprocess.run(
        [sys.executable, "-m", "jobpilot", "migrate"], env=env, capture_output=True, check=False
    )
    assert migrated.returncode == 0, migrated.stderr.decode()
    try:
        for service in ("auth", "users", "jobs"):
            deployment.start(service, "serve", "--service", service, "--port", str(ports[service]))
        # The admin domain has no tasks; one less worker polling the shared SQLite file.
        deployment.start(
            "admin", "serve", "--service", "admin", "--port", str(ports["admin"]), "--no-worker"
        )
        for gateway in ("gateway", "gateway2"):
            deployment.start(gateway, "gateway", "--port", str(ports[gateway]))
        for name in ("auth", "users", "jobs", "admin", "gateway", "gateway2"):
            deployment.wait_ready(name)
        for gateway in ("gateway", "gateway2"):
            # A service that came up after the gateway is taken back at the next probe.
            deployment.wait_upstreams(gateway, ("auth", "users", "jobs", "admin"))
        yield deployment
    finally:
        for proc in deployment.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in deployment.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _verification_token(settings: Settings, email: str) -> str:
    container = wiring.build_container(settings)
    try:
        mailbox = container.mailer
        assert isinstance(mailbox, DevMailbox)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # The auth service's own worker sends the mail.
            messages = await mailbox.messages(to=email)
            if messages:
                match = re.search(r"token=([\w.\-]+)", messages[0].text)
                assert match, messages[0].text
                return match.group(1)
            await asyncio.sleep(0.2)
        pytest.fail(f"no verification mail reached {email}")
    finally:
        await container.aclose()


async def _expired_copy(settings: Settings, token: str) -> str:
    """`token`'s claims, properly signed by the auth service's key, but expired."""
    from jobpilot.auth.repository import AuthRepository
    from jobpilot.auth.service import AuthService
    from jobpilot.kit.clock import utcnow

    container = wiring.build_container(settings)
    try:
        async with container.db.unit_of_work() as session:
            service = AuthService(AuthRepository(session), container.auth)
            kid, key = await service._signing_key(utcnow())
    finally:
        await container.aclose()
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    expired = {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 5}
    return jwt.encode(expired, key, algorithm="ES256", headers={"kid": kid})


async def _metric(client: httpx.AsyncClient, line_start: str) -> str:
    page = (await client.get("/metrics")).text
    found = [line for line in page.splitlines() if line.startswith(line_start)]
    assert found, f"{line_start} is not on the metrics page"
    return found[0].rsplit(" ", 1)[1]


async def _signed_up(client: httpx.AsyncClient, settings: Settings, email: str) -> dict[str, str]:
    """Register, verify and sign in through the gateway (three requests from this address)."""
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Sam"}
    )
    assert registered.status_code == 202, registered.text
    assert registered.headers["X-Upstream-Service"] == "auth"
    assert registered.headers["RateLimit-Limit"] == "100"
    token = await _verification_token(settings, email)
    verified = await client.get("/api/v1/auth/verify-email", params={"token": token})
    assert verified.status_code == 200, verified.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _create_admin(settings: Settings, email: str) -> None:
    from jobpilot.auth.public import AuthFacade

    container = wiring.build_container(settings)
    try:
        await AuthFacade(container.auth).create_user(email, PASSWORD, "Ada", admin=True)
    finally:
        await container.aclose()


async def _browse_the_admin_pages(gateway_url: str, settings: Settings) -> None:
    """Sign in at /login through the gateway and open /admin by the cookies alone."""
    await _create_admin(settings, "ada@example.com")
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as browser:
        form = await browser.get("/login")
        assert form.status_code == 200, form.text
        assert form.headers["X-Upstream-Service"] == "admin"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf, form.text
        data = {"email": "ada@example.com", "password": PASSWORD, "csrf_token": csrf[1]}
        signed_in = await browser.post("/login", data={**data, "next": "/admin"})
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == "/admin"
        assert signed_in.headers.get_list("set-cookie"), signed_in.headers
        admin = await browser.get("/admin")  # no Authorization header: cookies only
        assert admin.status_code == 200, admin.text
        assert "text/html" in admin.headers["content-type"]
        home = await browser.get("/")
        assert home.status_code == 200, home.text
        # The admin API still wants a bearer token at the gateway.
        assert_error(await browser.get("/api/admin/users"), 401, "invalid_token")


async def test_sign_up_and_use_the_services_through_the_gateway(platform: Platform) -> None:
    settings = platform.settings()
    async with (
        httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as gateway,
        httpx.AsyncClient(base_url=platform.url("gateway2"), timeout=30) as gateway2,
    ):
        headers = await _signed_up(gateway, settings, "split@example.com")
        access = headers["Authorization"].removeprefix("Bearer ")

        me = await gateway.get("/api/v1/users/me/usage", headers=headers)
        assert me.status_code == 200, me.text
        assert me.headers["X-Upstream-Service"] == "users"
        jobs = await gateway.get("/api/v1/jobs", headers=headers)
        assert jobs.status_code == 200, jobs.text
        assert jobs.headers["X-Upstream-Service"] == "jobs"
        assert jobs.headers["RateLimit-Limit"] == "300"
        # The request id the client chose travels to the service and back.
        traced = await gateway.get(
            "/api/v1/jobs", headers={**headers, "X-Request-ID": "trace-me-42"}
        )
        assert traced.headers["X-Request-ID"] == "trace-me-42"

        # A body over the limit is refused at the gateway, before it reaches a service.
        huge = await gateway.post(
            "/api/v1/jobs/saved-searches",
            headers={**headers, "Content-Type": "application/json"},
            content=b"x" * (settings.http.max_body_bytes + 1),
        )
        assert_error(huge, 413, "payload_too_large")
        assert "X-Upstream-Service" not in huge.headers

        # Refused at the gateway: no token, an expired one.
        anonymous = await gateway.get("/api/v1/jobs")
        assert_error(anonymous, 401, "invalid_token")
        assert "X-Upstream-Service" not in anonymous.headers
        expired = await _expired_copy(settings, access)
        stale = await gateway.get("/api/v1/jobs", headers={"Authorization": f"Bearer {expired}"})
        assert_error(stale, 401, "invalid_token")
        assert "X-Upstream-Service" not in stale.headers

        # A sign-out at the auth service reaches both gateways through Redis at once.
        other = await _signed_up(gateway2, settings, "other@example.com")
        assert (await gateway.get("/api/v1/jobs", headers=other)).status_code == 200
        out = await gateway2.post("/api/v1/auth/logout", headers=other)
        assert out.status_code == 204, out.text
        for client in (gateway, gateway2):
            revoked = await client.get("/api/v1/jobs", headers=other)
            error = assert_error(revoked, 401, "invalid_token")
            assert "signed out" in error["message"]
        assert (await gateway.get("/api/v1/jobs", headers=headers)).status_code == 200

        # The web pages, served by the admin service's process, through the gateway.
        await _browse_the_admin_pages(platform.url("gateway"), settings)

        # A service that is not running: the health checks fence it off, answers come fast.
        deadline = time.monotonic() + 10
        while True:
            down = await gateway.get("/api/v1/resumes", headers=headers)
            if down.json()["error"]["code"] == "upstream_unavailable":
                break
            assert time.monotonic() < deadline, down.text
            await asyncio.sleep(0.2)
        assert_error(down, 503, "upstream_unavailable")
        assert down.headers["Retry-After"]
        assert await _metric(gateway, 'gateway_upstream_healthy{service="resumes"}') == "0.0"
        assert await _metric(gateway, 'gateway_upstream_healthy{service="jobs"}') == "1.0"
        ready = await gateway.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert ready.json()["upstreams"]["resumes"]["healthy"] is False

        # Two gateways share one count in Redis: exactly 100 of 150 requests pass in a minute.
        async def hit(client: httpx.AsyncClient) -> httpx.Response:
            return await client.get("/api/v1/auth/me", headers=headers)

        responses = await asyncio.gather(*(hit(gateway if n % 2 else gateway2) for n in range(150)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == 100, statuses
        assert statuses.count(429) == 50, statuses
        limited = next(r for r in responses if r.status_code == 429)
        assert_error(limited, 429, "rate_limited")
        assert limited.headers["RateLimit-Limit"] == "100"
        assert limited.headers["RateLimit-Remaining"] == "0"
        assert limited.headers["RateLimit-Policy"] == "100;w=60"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60

        # Anonymous requests count per address, on both gateways: the 101st is refused.
        used = 6  # two sign-ups of three requests each
        for n in range(100 - used):
            ok = await (gateway2 if n % 2 else gateway).get("/api/v1/auth/methods")
            assert ok.status_code == 200, (n, ok.text)
        assert ok.headers["RateLimit-Remaining"] == "0"
        refused = await gateway.get("/api/v1/auth/methods")
        assert_error(refused, 429, "rate_limited")
        assert refused.headers["Retry-After"]

    # SIGTERM: the gateway finishes what is in flight, closes its connections and exits cleanly.
    proc = platform.procs["gateway2"]
    proc.send_signal(signal.SIGTERM)
    # Uvicorn re-raises the signal once it has shut down cleanly, so the status says SIGTERM.
    assert proc.wait(timeout=40) in {0, -signal.SIGTERM}
    log = (platform.logs / "gateway2.log").read_text()
    assert "Traceback" not in log

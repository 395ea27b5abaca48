"""The `jobpilot` command, run as a user runs it: real processes on real ports."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPILOT_")}
    env.update(
        JOBPILOT_DATA_DIR=str(data_dir),
        JOBPILOT_OBSERVABILITY__LOG_LEVEL="WARNING",
        COLUMNS="200",
        **extra,
    )
    return env


def jobpilot(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobpilot", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PASSWORD = "a long enough passphrase"


def create_account(env: dict[str, str], email: str, *extra: str) -> str:
    """`jobpilot admin create-user` with the password on standard input."""
    result = jobpilot(
        "admin", "create-user", "--email", email, *extra, env=env, stdin=PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def bearer(base: str, email: str) -> dict[str, str]:
    login = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@contextmanager
def serving(*args: str, env: dict[str, str], port: int) -> Iterator[str]:
    log_path = Path(env["JOBPILOT_DATA_DIR"]).parent / f"serve-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobpilot", "serve", "--port", str(port), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"jobpilot serve exited with {proc.returncode}:\n{log_path.read_text()}"
                )
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_help_explains_every_command(tmp_path: Path) -> None:
    result = jobpilot("--help", env=cli_env(tmp_path))
    assert result.returncode == 0
    for command in ("serve", "worker", "migrate", "seed", "tasks"):
        assert command in result.stdout
    serve_help = jobpilot("serve", "--help", env=cli_env(tmp_path)).stdout
    assert "--service" in serve_help
    assert "--port" in serve_help


def test_misconfiguration_stops_start_up_naming_the_setting(tmp_path: Path) -> None:
    env = cli_env(tmp_path, JOBPILOT_DATABASE__URL="mysql://root:hunter2@db/jobpilot")
    result = jobpilot("migrate", env=env)
    assert result.returncode == 2
    assert "JOBPILOT_DATABASE__URL" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    unknown = jobpilot("serve", "--service", "billing", env=cli_env(tmp_path))
    assert unknown.returncode == 2
    assert "billing" in unknown.stderr
    assert "jobs" in unknown.stderr


def test_the_platform_serves_demo_data_and_instances_stay_apart(tmp_path: Path) -> None:
    env_a, env_b = cli_env(tmp_path / "a"), cli_env(tmp_path / "b")
    for env in (env_a, env_b):
        assert jobpilot("migrate", env=env).returncode == 0
    seeded = jobpilot("seed", env=env_a)
    assert seeded.returncode == 0, seeded.stderr
    demo = re.search(r"jobs: \d+ demo boards: (\d+) new postings", seeded.stdout)
    assert demo is not None, seeded.stdout
    postings = int(demo[1])
    assert "(user, admin)" in create_account(env_a, "root@example.com", "--admin")
    create_account(env_b, "someone@example.com")

    with (
        serving(env=env_a, port=free_port()) as a,
        serving(env=env_b, port=free_port()) as b,
    ):
        auth_a, auth_b = bearer(a, "root@example.com"), bearer(b, "someone@example.com")
        assert httpx.get(f"{a}/api/v1/jobs").status_code == 401
        assert httpx.get(f"{a}/api/v1/jobs", headers=auth_a).json()["total"] == postings
        assert httpx.get(f"{b}/api/v1/jobs", headers=auth_b).json()["total"] == 0
        # Each instance signs with its own keys: a token of one means nothing to the other.
        assert httpx.get(f"{b}/api/v1/jobs", headers=auth_a).status_code == 401
        assert httpx.get(f"{a}/readyz").status_code == 200
        assert "swagger" in httpx.get(f"{a}/docs").text.lower()
        first = httpx.get(f"{a}/api/v1/jobs", headers=auth_a).json()["items"][0]["id"]
        assert httpx.get(f"{a}/api/v1/jobs/{first}", headers=auth_a).status_code == 200
        metrics = httpx.get(f"{a}/metrics").text
        assert 'route="/api/v1/jobs/{job_id}"' in metrics
        assert first not in metrics
    assert (tmp_path / "a" / "jobpilot.sqlite3").exists()
    assert (tmp_path / "b" / "jobpilot.sqlite3").exists()


def test_one_service_on_its_own_port(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert jobpilot("migrate", env=env).returncode == 0
    with serving("--service", "auth", env=env, port=free_port()) as base:
        assert httpx.get(f"{base}/api/v1/auth/status").json()["service"] == "auth"
        missing = httpx.get(f"{base}/api/v1/jobs")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"


def test_metrics_add_up_across_worker_processes(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert jobpilot("migrate", env=env).returncode == 0
    create_account(env, "ada@example.com")
    with serving("--workers", "2", env=env, port=free_port()) as base:
        headers = bearer(base, "ada@example.com")
        with httpx.Client(headers=headers) as client:  # fresh connections reach both processes
            for _ in range(30):
                assert client.get(f"{base}/api/v1/companies").status_code == 200
                client.headers["Connection"] = "close"
        text = httpx.get(f"{base}/metrics").text
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_requests_total{") and 'route="/api/v1/companies"' in line
    )
    assert counted == 30


def test_dead_letters_can_be_listed_and_retried(tmp_path: Path) -> None:
    import asyncio

    from jobpilot.kit.db import Database
    from jobpilot.kit.tasks import Task, TaskRegistry, Worker, WorkerConfig, enqueue

    env = cli_env(tmp_path)
    assert jobpilot("migrate", env=env).returncode == 0
    url = f"sqlite+aiosqlite:///{tmp_path / 'jobpilot.sqlite3'}"

    async def make_dead_task() -> None:
        db = Database(url)
        registry = TaskRegistry()

        @registry.task("test.doomed", max_attempts=1)
        async def doomed(ctx: object) -> None:
            raise LookupError("no such board")

        async with db.unit_of_work() as session:
            await enqueue(session, "test.doomed")
        await Worker(db, registry, WorkerConfig()).drain()
        await db.dispose()

    asyncio.run(make_dead_task())
    stats = jobpilot("tasks", "stats", env=env).stdout
    assert "dead       1" in stats
    dead = jobpilot("tasks", "dead", env=env)
    assert "test.doomed" in dead.stdout
    assert "LookupError: no such board" in dead.stdout
    retried = jobpilot("tasks", "retry", "--all", env=env)
    assert retried.returncode == 0
    assert "1 task(s) queued again" in retried.stdout
    assert "ready      1" in jobpilot("tasks", "stats", env=env).stdout
    assert Task.__tablename__ == "kit_tasks"


def test_flags_are_switched_and_listed_with_their_rollout(tmp_path: Path) -> None:
    import asyncio

    from jobpilot.kit.db import Database
    from jobpilot.kit.flags import FeatureFlags

    env = cli_env(tmp_path)
    assert jobpilot("migrate", env=env).returncode == 0
    assert "no flag has been set" in jobpilot("flags", "list", env=env).stdout
    switched = jobpilot("flags", "set", "auto_apply.paused", "on", env=env)
    assert switched.returncode == 0, switched.stderr
    assert "auto_apply.paused is now on" in switched.stdout
    bad = jobpilot("flags", "set", "Auto Apply", "on", env=env)
    assert bad.returncode == 2
    assert "lower-case" in bad.stderr

    async def roll_out() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'jobpilot.sqlite3'}")
        await FeatureFlags(db).create("beta.board", rollout=30, target_tiers=["pro"])
        await db.dispose()

    asyncio.run(roll_out())
    listed = jobpilot("flags", "list", env=env).stdout
    assert re.search(r"auto_apply\.paused\s+│\s+on\s+│\s+100%", listed), listed
    assert re.search(r"beta\.board\s+│\s+off\s+│\s+30%\s+│\s+tiers: pro", listed), listed


@pytest.mark.redis
def test_split_services_verify_tokens_locally_and_honour_logout_at_once(
    tmp_path: Path, redis_url: str
) -> None:
    auth_port, jobs_port = free_port(), free_port()
    env = cli_env(
        tmp_path,
        JOBPILOT_REDIS__URL=redis_url,
        JOBPILOT_AUTH__JWKS_URL=f"http://127.0.0.1:{auth_port}/api/v1/auth/.well-known/jwks.json",
    )
    assert jobpilot("migrate", env=env).returncode == 0
    seeded = jobpilot("seed", env=env)
    assert seeded.returncode == 0
    demo = re.search(r"jobs: \d+ demo boards: (\d+) new postings", seeded.stdout)
    assert demo is not None, seeded.stdout
    create_account(env, "ada@example.com")
    with (
        serving("--service", "auth", env=env, port=auth_port) as auth,
        serving("--service", "jobs", env=env, port=jobs_port) as jobs,
    ):
        headers = bearer(auth, "ada@example.com")
        assert httpx.get(f"{jobs}/api/v1/jobs", headers=headers).json()["total"] == int(demo[1])
        assert httpx.get(f"{auth}/api/v1/jobs", headers=headers).status_code == 404
        logout = httpx.post(f"{auth}/api/v1/auth/logout", headers=headers)
        assert logout.status_code == 204
        refused = httpx.get(f"{jobs}/api/v1/jobs", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_token"


def test_jobs_ingest_reads_captured_payloads_and_live_boards(tmp_path: Path) -> None:
    from fakes.local_server import Canned, FakeHosts
    from support import require_shared

    samples = require_shared("fixtures", "ats")
    with FakeHosts() as fake:
        fake.add(
            "GET",
            "https://boards-api.greenhouse.io/v1/boards/codepath/jobs?content=true",
            Canned.file(samples / "greenhouse" / "codepath_jobs.json"),
        )
        env = cli_env(tmp_path, JOBPILOT_JOBS__ATS_PROXY_URL=fake.base_url)
        assert jobpilot("migrate", env=env).returncode == 0

        offline = jobpilot("jobs", "ingest", "--from-dir", str(samples), env=env)
        assert offline.returncode == 0, offline.stderr
        assert "skipped lever/palantir_apply_form_trimmed.html" in offline.stderr
        assert "workday:motorolasolutions" in offline.stdout
        assert re.search(r"16 board\(s\): 99 new", offline.stdout), offline.stdout
        again = jobpilot("jobs", "ingest", "--from-dir", str(samples), env=env)
        assert "0 new, 0 updated, 99 unchanged, 0 closed" in again.stdout

        # The captured Greenhouse board is now also read "live"; a missing one is reported.
        live = jobpilot(
            "jobs", "ingest", "--board", "greenhouse:codepath", "--board", "lever:gone", env=env
        )
        assert live.returncode == 1  # one board failed
        assert "The ATS has no such board (404)." in live.stdout
        # The live API lists no departments (the captured board page did): one update, then none.
        assert "0 new, 15 updated" in live.stdout
        live = jobpilot("jobs", "ingest", "--board", "greenhouse:codepath", env=env)
        assert live.returncode == 0
        assert "0 new, 0 updated, 15 unchanged" in live.stdout
        listed = jobpilot("jobs", "boards", env=env)
        assert re.search(r"lever:gone\s+│ yes\s+│ [\d-]+ [\d:]+\s+│ error", listed.stdout), (
            listed.stdout
        )

        bad = jobpilot("jobs", "ingest", "--board", "nonsense", env=env)
        assert bad.returncode == 2
        assert "not a board" in bad.stderr
        assert jobpilot("jobs", "ingest", env=env).returncode == 2

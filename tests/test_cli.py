"""The `jobpilot` command, run as a user runs it: real processes on real ports."""

from __future__ import annotations

import os
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


def jobpilot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobpilot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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
    assert "jobs: 3 new companies, 8 new postings" in seeded.stdout

    with (
        serving(env=env_a, port=free_port()) as a,
        serving(env=env_b, port=free_port()) as b,
    ):
        assert httpx.get(f"{a}/api/v1/jobs").json()["total"] == 8
        assert httpx.get(f"{b}/api/v1/jobs").json()["total"] == 0
        assert httpx.get(f"{a}/readyz").status_code == 200
        assert "swagger" in httpx.get(f"{a}/docs").text.lower()
        first = httpx.get(f"{a}/api/v1/jobs").json()["items"][0]["id"]
        assert httpx.get(f"{a}/api/v1/jobs/{first}").status_code == 200
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
    with serving("--workers", "2", env=env, port=free_port()) as base:
        with httpx.Client() as client:  # fresh connections spread over both processes
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

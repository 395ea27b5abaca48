"""Never twice: real `jobpilot worker` processes are killed with SIGKILL at random points while
they send applications, again and again, and the ATS (the sandbox) must never receive one
application twice. An attempt interrupted after it may have gone out ends `unknown`; one
interrupted before is sent by the next worker.

The kills land where it matters: at random times, the moment the ATS receives the application
(before it answers), and right after it answered (before the worker records the outcome). The
sandbox holds each submission for a random moment so the window is wide.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from autoapply import (
    ServedSandbox,
    approve,
    posting,
    prepared_for_review,
    require_chromium,
    seeker,
    store_postings,
)
from jobpilot.jobs.config import JobsSettings
from jobpilot.kit import migrate
from jobpilot.main import create_app
from support import client_for, make_settings, require_shared

TERMINAL = {"submitted", "unknown", "failed", "needs_user_input"}
# Kill rounds per channel (a browser round takes longer); a soak sets JOBPILOT_TEST_KILL_ROUNDS.
KILL_ROUNDS = {"recruitee": 10, "greenhouse": 6}
SOAK_ROUNDS = int(os.environ.get("JOBPILOT_TEST_KILL_ROUNDS", "0"))
JOBPILOT = Path(sys.executable).with_name("jobpilot")


class Hooked:
    """The sandbox, holding each application a random moment, and telling the test when one
    arrives and when it was answered."""

    def __init__(self, app: Any, submit_path: str) -> None:
        self.app = app
        self.submit_path = submit_path
        self.arrived = threading.Event()
        self.answered = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if self.submit_path not in scope["path"]:
            await self.app(scope, receive, send)
            return
        self.arrived.set()
        await asyncio.sleep(random.uniform(0.1, 0.6))
        await self.app(scope, receive, send)
        self.answered.set()


def _statuses(db_file: Path) -> Counter[str]:
    with sqlite3.connect(db_file, timeout=30) as conn:
        return Counter(status for (status,) in conn.execute("SELECT status FROM applications"))


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(JOBPILOT), "worker", "--service", "auto-apply"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _kill(worker: subprocess.Popen[bytes]) -> None:
    # The whole process group: the worker, Playwright's driver and Chromium die at once, as
    # they would when the machine or the pod goes away.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


CHANNELS = {
    # ats: (submit path in the sandbox, postings as (source id, apply URL, title))
    "recruitee": (
        "/candidates",
        [
            (f"77{i:02d}", f"https://acme.recruitee.com/o/role-{i}/c/new", f"Recruitee Role {i}")
            for i in range(16)
        ],
    ),
    "greenhouse": (
        "/job-boards.greenhouse.io/acme/jobs/",
        [
            (f"55{i:02d}", f"https://job-boards.greenhouse.io/acme/jobs/55{i:02d}", f"GH Role {i}")
            for i in range(5)
        ],
    ),
}


async def _queue_applications(
    ats: str, url: str, data_dir: Path, sandbox_url: str, postings: list[tuple[str, str, str]]
) -> None:
    """A user whose applications to `postings` are approved and queued for the workers."""
    settings = make_settings(data_dir, database={"url": url})
    settings.jobs = JobsSettings(ats_proxy_url=sandbox_url, request_attempts=1)
    app = create_app(settings)
    async for http in client_for(app):
        container = app.state.container
        who = await seeker(http, app)
        jobs = await store_postings(
            container, [posting(ats, "acme", s, u, t) for s, u, t in postings]
        )
        for source_id, _, _ in postings:
            application_id = await prepared_for_review(http, container, who, jobs[source_id])
            await approve(http, who, application_id)


@pytest.mark.parametrize("ats", ["recruitee", "greenhouse"])
def test_workers_killed_at_random_points_never_send_an_application_twice(
    ats: str, tmp_path: Path
) -> None:
    if ats == "greenhouse":
        require_chromium()
    submit_path, postings = CHANNELS[ats]
    rng = random.Random()
    db_file = tmp_path / "jobpilot.sqlite3"
    url = f"sqlite+aiosqlite:///{db_file}"
    migrate.upgrade(url)
    served = ServedSandbox(require_shared("fixtures", "ats"), slow_seconds=0.5)
    hooked = Hooked(served.app, submit_path)
    served.app = hooked
    with served:
        asyncio.run(_queue_applications(ats, url, tmp_path / "var", served.base_url, postings))

        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("JOBPILOT_")},
            "JOBPILOT_PROFILE": "test",
            "JOBPILOT_DATA_DIR": str(tmp_path / "var"),
            "JOBPILOT_DATABASE__URL": url,
            "JOBPILOT_JOBS__ATS_PROXY_URL": served.base_url,
            "JOBPILOT_APPLICATIONS__DELAY_MIN_SECONDS": "0",
            "JOBPILOT_APPLICATIONS__DELAY_MAX_SECONDS": "0",
            "JOBPILOT_APPLICATIONS__BROWSER_ALLOWED_HOSTS": '["127.0.0.1"]',
            "JOBPILOT_APPLICATIONS__CONFIRMATION_TIMEOUT_SECONDS": "10",
            "JOBPILOT_TASKS__LEASE_SECONDS": "2",
            "JOBPILOT_TASKS__POLL_INTERVAL_SECONDS": "0.2",
            "JOBPILOT_TASKS__BACKOFF_BASE_SECONDS": "0.2",
            "JOBPILOT_TASKS__BACKOFF_MAX_SECONDS": "1",
            "JOBPILOT_TASKS__CONCURRENCY": "2",
            "JOBPILOT_OBSERVABILITY__LOG_LEVEL": "WARNING",
        }
        log = tmp_path / "workers.log"
        kills: Counter[str] = Counter()
        for _ in range(SOAK_ROUNDS or KILL_ROUNDS[ats]):
            if not _statuses(db_file).keys() - TERMINAL:
                break
            hooked.arrived.clear()
            hooked.answered.clear()
            worker = _start_worker(env, log)
            mode = rng.choice(["timer", "on_arrival", "after_answer"])
            if mode == "timer":
                time.sleep(rng.uniform(0.5, 4.0))
            elif mode == "on_arrival":
                hooked.arrived.wait(timeout=15)
                time.sleep(rng.uniform(0.0, 0.25))
            else:
                hooked.answered.wait(timeout=15)
                time.sleep(rng.uniform(0.0, 0.05))
            _kill(worker)
            kills[mode] += 1

        # One worker left alone finishes what the killed ones left.
        worker = _start_worker(env, log)
        try:
            deadline = time.monotonic() + 120
            while _statuses(db_file).keys() - TERMINAL and time.monotonic() < deadline:
                time.sleep(0.3)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _kill(worker)

        statuses = _statuses(db_file)
        received = Counter(r["posting_id"] for r in served.submissions())
        print(f"\n{ats}: kills {dict(kills)}, outcomes {dict(statuses)}, received {len(received)}")
        assert not statuses.keys() - TERMINAL, (statuses, log.read_text()[-3000:])
        assert served.duplicates() == [], served.duplicates()
        assert all(count == 1 for count in received.values()), received
        with sqlite3.connect(db_file) as conn:
            rows = conn.execute(
                "SELECT a.status, s.source_id FROM applications a "
                "JOIN jobs_sources s ON s.posting_id = a.job_id"
            ).fetchall()
        for status, source_id in rows:
            if status == "submitted":
                # A submitted application arrived exactly once.
                assert received[source_id] == 1, (source_id, received)
            if status == "failed":
                pytest.fail(f"{source_id} failed: {log.read_text()[-3000:]}")
        submitted = statuses["submitted"]
        assert submitted + statuses["unknown"] == len(postings)
        # Every application the ATS holds is accounted for as submitted or unknown.
        assert len(received) <= len(postings)
        assert len(received) >= submitted

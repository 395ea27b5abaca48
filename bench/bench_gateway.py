"""What the gateway costs: the standalone gateway over a direct call, the embedded edge over the
bare app, measured in one run on this machine (2 cores) with wrk as the load generator.

Four servers, each its own process, on one migrated SQLite file:

- `direct`:   `jobpilot serve --service jobs` (the service alone; its routes still check the token)
- `gateway`:  `jobpilot gateway` in front of `direct` (token, rate limit, proxy, metrics)
- `bare`:     `jobpilot serve` with the embedded edge off
- `edge`:     `jobpilot serve` with the embedded edge on

Two workloads: `GET /api/v1/auth/methods` (a static answer: what the edge and the proxy cost
by themselves) and `GET /api/v1/jobs?limit=1` with a valid access token (a typical call: token
check and a database query). "direct" is the owning service alone (auth or jobs). Limits are
raised by a route table of the bench's own (`JOBPILOT_GATEWAY__ROUTES_FILE`) so every request is
counted but none is refused. Latency is measured with one connection (what a request pays, no
queueing), throughput with BENCH_CONNECTIONS connections (default 16).

    .venv/bin/python bench/bench_gateway.py        # needs wrk (scripts/system-deps.sh installs it)
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
# A static answer (what the gateway itself costs) and a search with a token (a typical call).
WORKLOADS = {
    "light": ("/api/v1/auth/methods", "auth"),
    "typical": ("/api/v1/jobs?limit=1", "jobs"),
}
EMAIL = "bench@example.com"
PASSWORD = "a bench passphrase that is long"
ROUTES = Path(__file__).resolve().parents[1] / "src" / "jobpilot" / "gateway" / "routes.toml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Run:
    """One wrk run: requests per second and latency percentiles in milliseconds."""

    rps: float
    p50: float
    p90: float
    p99: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, token: str, *, connections: int, seconds: int) -> Run:
    """Load `url` with wrk and read its summary."""
    out = subprocess.run(
        [
            "wrk",
            *("-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency"),
            *("-H", f"Authorization: Bearer {token}", url),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p90 = _ms(re.search(r"\s90%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Run(rps, p50, p90, p99, errors)


class Servers:
    """The processes under test, stopped together."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, port: int, *args: str, **extra: str) -> str:
        with (self.logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "jobpilot", *args],
                env={**self.env, **extra},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                sys.exit(f"{name} exited:\n{(self.logs / f'{name}.log').read_text()[-2000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.2)
        sys.exit(f"{name} did not start")

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: bash scripts/system-deps.sh (or apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        routes = root / "routes.toml"
        # The same table with limits no benchmark reaches: each request is still counted.
        routes.write_text(
            re.sub(
                r"rate_limit_per_minute = \d+",
                "rate_limit_per_minute = 100000000",
                ROUTES.read_text(encoding="utf-8"),
            ),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPILOT_")}
        ports = {name: _free_port() for name in ("auth", "jobs", "gateway", "bare", "edge")}
        env.update(
            JOBPILOT_DATA_DIR=str(root / "var"),
            JOBPILOT_OBSERVABILITY__LOG_LEVEL="WARNING",
            JOBPILOT_GATEWAY__ROUTES_FILE=str(routes),
            JOBPILOT_GATEWAY__UPSTREAMS__AUTH=f"http://127.0.0.1:{ports['auth']}",
            JOBPILOT_GATEWAY__UPSTREAMS__JOBS=f"http://127.0.0.1:{ports['jobs']}",
            JOBPILOT_TASKS__EMBEDDED_WORKER="false",
        )
        logs = root / "logs"
        logs.mkdir()
        for step in (["migrate"], ["seed"]):
            subprocess.run(
                [sys.executable, "-m", "jobpilot", *step], env=env, check=True, capture_output=True
            )
        subprocess.run(
            [sys.executable, "-m", "jobpilot", "admin", "create-user", "--email", EMAIL],
            env=env,
            input=PASSWORD.encode(),
            check=True,
            capture_output=True,
        )
        servers = Servers(env, logs)
        try:
            auth = servers.start(
                "auth", ports["auth"], "serve", "--service", "auth", "--port", str(ports["auth"])
            )
            urls = {
                "direct": servers.start(
                    "jobs",
                    ports["jobs"],
                    "serve",
                    "--service",
                    "jobs",
                    "--port",
                    str(ports["jobs"]),
                ),
                "gateway": servers.start(
                    "gateway", ports["gateway"], "gateway", "--port", str(ports["gateway"])
                ),
                "bare": servers.start(
                    "bare",
                    ports["bare"],
                    "serve",
                    "--port",
                    str(ports["bare"]),
                    JOBPILOT_GATEWAY__EMBEDDED_EDGE="false",
                ),
                "edge": servers.start(
                    "edge",
                    ports["edge"],
                    "serve",
                    "--port",
                    str(ports["edge"]),
                    JOBPILOT_GATEWAY__EMBEDDED_EDGE="true",
                ),
            }
            login = httpx.post(
                auth + "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
            )
            login.raise_for_status()
            token = login.json()["access_token"]
            results: dict[str, dict[str, tuple[Run, Run]]] = {}
            for workload, (path, direct) in WORKLOADS.items():
                targets = {**urls, "direct": auth if direct == "auth" else urls["direct"]}
                results[workload] = {}
                for name, url in targets.items():
                    check = httpx.get(url + path, headers={"Authorization": f"Bearer {token}"})
                    assert check.status_code == 200, (name, check.text)
                    wrk(url + path, token, connections=2, seconds=2)  # warm up
                    one = wrk(url + path, token, connections=1, seconds=SECONDS)
                    many = wrk(url + path, token, connections=CONNECTIONS, seconds=SECONDS)
                    results[workload][name] = (one, many)
        finally:
            servers.stop()
    _report(results)


def _report(results: dict[str, dict[str, tuple[Run, Run]]]) -> None:
    print(
        f"{SECONDS} s per run; wrk, 1 thread, 1 and {CONNECTIONS} connections; "
        f"{os.cpu_count()} cores"
    )
    for workload, runs in results.items():
        path, direct = WORKLOADS[workload]
        print(f"\n{workload}: GET {path} (direct = the {direct} service alone)")
        print(
            f"  {'server':<9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}   {'req/s @1':>9} "
            f"{f'req/s @{CONNECTIONS}':>10} {'errors':>7}"
        )
        for name in ("direct", "gateway", "bare", "edge"):
            one, many = runs[name]
            print(
                f"  {name:<9} {one.p50:8.2f} {one.p90:8.2f} {one.p99:8.2f}   {one.rps:9.0f} "
                f"{many.rps:10.0f} {one.errors + many.errors:7d}"
            )
        gateway, direct_run = runs["gateway"], runs["direct"]
        edge, bare = runs["edge"], runs["bare"]
        print(
            f"  standalone gateway adds {gateway[0].p50 - direct_run[0].p50:.2f} ms p50, "
            f"{gateway[0].p99 - direct_run[0].p99:.2f} ms p99 (target < 3 ms); keeps "
            f"{gateway[1].rps / direct_run[1].rps:.0%} of the direct throughput "
            "(target >= 50%)"
        )
        print(
            f"  embedded edge costs {1 - edge[1].rps / bare[1].rps:.1%} of the bare app's "
            f"throughput (target < 10%); adds {edge[0].p50 - bare[0].p50:.2f} ms p50"
        )


if __name__ == "__main__":
    main()

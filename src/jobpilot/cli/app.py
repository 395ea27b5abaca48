"""`jobpilot`: serve the platform, run workers, migrate and seed the database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jobpilot import __version__
from jobpilot.cli.ai import ai_app
from jobpilot.cli.common import settings_or_exit
from jobpilot.cli.flags import flags_app
from jobpilot.cli.gateway import gateway_app
from jobpilot.cli.jobs import jobs_app
from jobpilot.cli.mailbox import mailbox_app

app = typer.Typer(
    name="jobpilot",
    help="JobPilot: find the right jobs and apply to them. Settings come from JOBPILOT_* "
    "variables and .env (see README).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
tasks_app = typer.Typer(help="Inspect the task queue and its dead letters.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
admin_app = typer.Typer(help="Operate accounts.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
auth_app = typer.Typer(help="Token signing keys.", no_args_is_help=True)
app.add_typer(auth_app, name="auth")
app.add_typer(mailbox_app, name="mailbox")
app.add_typer(jobs_app, name="jobs")
app.add_typer(ai_app, name="ai")
app.add_typer(flags_app, name="flags")
app.add_typer(gateway_app, name="gateway")

console = Console()
err = Console(stderr=True)

ServiceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--service",
        "-s",
        help="Serve only this service (repeatable): auth, users, resumes, jobs, auto-apply, "
        "analytics, notifications, ai, admin. Default: every service.",
    ),
]


def _check_services(services: list[str] | None) -> list[str] | None:
    from jobpilot import registry

    try:
        return [d.service for d in registry.select(services)] if services else None
    except registry.UnknownService as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _version(value: bool) -> None:
    if value:
        console.print(f"jobpilot {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """JobPilot: find the right jobs and apply to them."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: settings).")] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port (default: 8080, or the service's own port with one --service)."),
    ] = None,
    service: ServiceOption = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="HTTP worker processes.")] = 1,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Run the task worker in-process (default: settings tasks.embedded_worker).",
        ),
    ] = None,
) -> None:
    """Serve the platform (every service in one process) or the chosen services over HTTP."""
    settings = settings_or_exit()
    if workers > 1:
        # Before anything imports prometheus_client (the registry does), so that every
        # process writes its metrics where /metrics can add them up.
        from jobpilot.kit.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir(settings.data_dir / "metrics" / str(port or "default"))
    services = _check_services(service)
    from jobpilot import registry

    if port is None:
        port = registry.select(services)[0].port if services and len(services) == 1 else None
    host = host or settings.http.host
    port = port or settings.http.port
    os.environ["JOBPILOT_SERVICES"] = ",".join(services or [])
    if worker is not None:
        os.environ["JOBPILOT_TASKS__EMBEDDED_WORKER"] = "true" if worker else "false"
    import uvicorn

    if workers > 1 and not settings.redis.url:
        err.print(
            "[yellow]warning: without JOBPILOT_REDIS__URL each process keeps its own list of "
            "signed-out sessions, so a sign-out reaches the other processes only when its access "
            "tokens expire (at most 15 minutes)[/yellow]"
        )
    what = ", ".join(services) if services else "every service"
    url = f"http://{host}:{port}"
    console.print(f"[bold green]JobPilot {__version__}[/bold green] serving {what} at {url}")
    console.print(f"  API docs: {url}/docs   health: {url}/readyz   metrics: {url}/metrics")
    uvicorn.run(
        "jobpilot.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
    )


@app.command(name="worker")
def worker_command(
    service: ServiceOption = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=64, help="Tasks run at once (default: settings).")
    ] = None,
    drain: Annotated[
        bool, typer.Option(help="Run what is due, then exit instead of waiting for more.")
    ] = False,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on 127.0.0.1:PORT.")
    ] = None,
) -> None:
    """Run tasks from the queue until stopped (SIGTERM/SIGINT finish running tasks first)."""
    settings = settings_or_exit()
    services = _check_services(service)
    from jobpilot import registry, wiring
    from jobpilot.kit.logging import configure_logging

    configure_logging(
        settings.observability.log_level, settings.observability.log_json, service="worker"
    )
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1")

    async def run() -> None:
        from jobpilot.kit.tracing import bind_provider, shutdown_tracing

        provider = wiring.build_tracer_provider(settings, "worker")
        bind_provider(provider)  # this whole run: tasks continue their requests' traces
        container = wiring.build_container(settings)
        worker = wiring.build_worker(container, registry.select(services), concurrency=concurrency)
        try:
            if drain:
                await worker.drain(max_seconds=3600)
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            err.print(f"worker {worker.worker_id} running {len(worker.registry.tasks)} task kinds")
            await worker.run(stop)
        finally:
            await container.aclose()
            shutdown_tracing(provider)

    asyncio.run(run())


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema to the newest revision (or the one given)."""
    settings = settings_or_exit()
    from jobpilot.kit import migrate as migrations

    url = settings.database_url
    migrations.upgrade(url, revision)
    console.print(f"database at revision {revision}: {_safe_url(url)}")


@app.command()
def makemigration(
    message: Annotated[str, typer.Argument(help="What the migration changes.")],
) -> None:
    """Write a new migration from the difference between the models and the database."""
    settings = settings_or_exit()
    from jobpilot.kit import migrate as migrations

    migrations.revision(settings.database_url, message)


@app.command()
def seed(service: ServiceOption = None) -> None:
    """Load demo data, the demo user and the demo admin, printing their new random passwords
    (nothing duplicated)."""
    settings = settings_or_exit()
    services = _check_services(service)
    from jobpilot import demo, registry, wiring
    from jobpilot.kit.errors import JobPilotError

    selected = registry.select(services)

    async def run() -> tuple[list[tuple[str, str]], demo.DemoUser | None, demo.DemoAdmin | None]:
        container = wiring.build_container(settings)
        results = []
        chosen = {domain.service for domain in selected}
        try:
            async with container.db.unit_of_work() as session:
                for domain in selected:
                    if domain.seed is not None:
                        results.append((domain.name, await domain.seed(session)))
            user = None
            if demo.DEMO_SERVICES.issubset(chosen):
                user = await demo.seed_demo_user(container)
            admin = await demo.seed_demo_admin(container) if "auth" in chosen else None
        finally:
            await container.aclose()
        return results, user, admin

    try:
        results, user, admin = asyncio.run(run())
    except JobPilotError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    for name, summary in results:
        console.print(f"{name}: {summary}")
    if user is not None:
        # The password is shown here only, never logged; the next seed replaces it.
        console.print(
            f"demo user: {user.email} / password: {user.password}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        console.print(
            f"demo resume: {user.resume_id} (matches: /api/v1/ai/resumes/{user.resume_id}/matches)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if admin is not None:
        console.print(
            f"demo admin: {admin.email} / password: {admin.password} (sign in at /admin)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@tasks_app.command("stats")
def tasks_stats() -> None:
    """How many tasks are ready, scheduled, running and dead."""
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.kit.tasks import queue_depth

    async def run() -> dict[str, int]:
        db = wiring.build_database(settings)
        try:
            return await queue_depth(db)
        finally:
            await db.dispose()

    for state, count in asyncio.run(run()).items():
        console.print(f"{state:10} {count}")


@tasks_app.command("dead")
def tasks_dead(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows to show.")] = 50,
) -> None:
    """List dead-lettered tasks, newest first, with their last error."""
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.kit.tasks import dead_tasks

    async def run() -> list[dict[str, str]]:
        db = wiring.build_database(settings)
        try:
            return await dead_tasks(db, limit)
        finally:
            await db.dispose()

    rows = asyncio.run(run())
    table = Table("id", "task", "attempts", "failed at", "last error")
    for row in rows:
        table.add_row(row["id"], row["name"], row["attempts"], row["finished_at"], row["error"])
    console.print(table if rows else "no dead tasks")


@tasks_app.command("retry")
def tasks_retry(
    task_id: Annotated[str | None, typer.Argument(help="A dead task's id.")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="Retry every dead task.")] = False,
) -> None:
    """Queue dead-lettered tasks again with a fresh retry budget."""
    if (task_id is None) == (not all_dead):
        err.print("[red]give a task id or --all[/red]")
        raise typer.Exit(2)
    try:
        parsed = uuid.UUID(task_id) if task_id else None
    except ValueError:
        err.print(f"[red]not a task id: {task_id}[/red]")
        raise typer.Exit(2) from None
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.kit.tasks import retry_dead

    async def run() -> int:
        db = wiring.build_database(settings)
        try:
            return await retry_dead(db, parsed)
        finally:
            await db.dispose()

    count = asyncio.run(run())
    console.print(f"{count} task(s) queued again")
    if task_id and count == 0:
        raise typer.Exit(1)


@admin_app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="The account's email address.")],
    password: Annotated[
        str | None,
        typer.Option(help="The password; omit it (or pass -) to read it from standard input."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: from the email).")
    ] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Give the account the admin role.")
    ] = False,
) -> None:
    """Create a verified account (an admin with --admin)."""
    if password in (None, "-"):
        if sys.stdin.isatty():
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
    assert password is not None
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.auth.public import AuthFacade
    from jobpilot.kit.errors import JobPilotError

    async def run() -> str:
        container = wiring.build_container(settings)
        try:
            user = await AuthFacade(container.auth).create_user(
                email, password, name or email.split("@", 1)[0], admin=admin
            )
            return f"created {user.email} ({', '.join(user.roles)}) id {user.id}"
        finally:
            await container.aclose()

    try:
        console.print(asyncio.run(run()))
    except JobPilotError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


@auth_app.command("rotate-keys")
def rotate_keys() -> None:
    """Sign new access tokens with a new key; old keys stay published until their tokens expire."""
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.auth.public import AuthFacade

    async def run() -> str:
        container = wiring.build_container(settings)
        try:
            return await AuthFacade(container.auth).rotate_keys()
        finally:
            await container.aclose()

    console.print(f"now signing with key {asyncio.run(run())}")


def _safe_url(url: str) -> str:
    """`url` without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"
    return url


def main() -> None:
    """Entry point of the `jobpilot` script."""
    app(prog_name="jobpilot")
    sys.exit(0)

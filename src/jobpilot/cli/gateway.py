"""`jobpilot gateway`: the standalone API gateway, and the Kong config from the same route table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from jobpilot.cli.common import settings_or_exit

if TYPE_CHECKING:
    from jobpilot.gateway.app import GatewayApp

gateway_app = typer.Typer(
    help="The API gateway in front of services run with `jobpilot serve --service X`; "
    "`jobpilot gateway kong-config` writes Kong's config from the same route table.",
    invoke_without_command=True,
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
# Uvicorn's grace for requests in flight when the gateway is told to stop (SIGTERM, Ctrl-C).
SHUTDOWN_GRACE_SECONDS = 30


def gateway_app_from_env() -> GatewayApp:
    """Factory for uvicorn: the gateway the settings describe."""
    from jobpilot import wiring
    from jobpilot.gateway.app import GatewayApp
    from jobpilot.kit.logging import configure_logging

    settings = settings_or_exit()
    observability = settings.observability
    configure_logging(observability.log_level, observability.log_json, service="gateway")
    return GatewayApp(
        settings.gateway.routes(),
        settings.gateway,
        wiring.build_gateway(settings),
        cors_origins=settings.gateway.origins(settings.http.cors_origins),
        max_body_bytes=settings.http.max_body_bytes,
        tracer_provider=wiring.build_tracer_provider(settings, "gateway"),
    )


@gateway_app.callback()
def run_gateway(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind (default: settings).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default: settings, 8080).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="HTTP worker processes.")] = 1,
) -> None:
    """Serve the gateway: tokens, rate limits, CORS and metrics in front of each service."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_or_exit()
    port = port or settings.gateway.port
    if workers > 1:
        from jobpilot.kit.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir(settings.data_dir / "metrics" / f"gateway-{port}")
    from jobpilot.gateway.routes import RouteTableError

    try:
        table = settings.gateway.routes()
    except RouteTableError as exc:
        err.print(str(exc), markup=False, highlight=False, style="red")
        raise typer.Exit(2) from None
    if not (settings.gateway.rate_limit_storage or settings.redis.url):
        err.print(
            "[yellow]warning: without JOBPILOT_REDIS__URL the gateway cannot see sign-outs made "
            "at the auth service, and each gateway process counts rate limits on its own[/yellow]"
        )
    import uvicorn

    host = host or settings.http.host
    console.print(f"[bold]JobPilot gateway[/bold] at http://{host}:{port}", highlight=False)
    for service in table.services:
        upstream = settings.gateway.upstreams[service.name]
        prefixes = " ".join((*service.prefixes, *service.pages))
        console.print(f"  {service.name:<14} {upstream:<26} {prefixes}", highlight=False)
    uvicorn.run(
        "jobpilot.cli.gateway:gateway_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        # The services' Date and Server headers pass through; the gateway adds none of its own.
        server_header=False,
        date_header=False,
        proxy_headers=bool(settings.gateway.trusted_proxies),
        forwarded_allow_ips=",".join(settings.gateway.trusted_proxies) or None,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


@gateway_app.command("kong-config")
def kong_config(
    output: Annotated[
        Path,
        typer.Option(help="Where kong.yml goes (the Kubernetes files go under --root)."),
    ] = Path("deploy/kong/kong.yml"),
    root: Annotated[
        Path, typer.Option(help="The repository root the deploy/ paths are relative to.")
    ] = Path(),
    kubernetes: Annotated[
        bool,
        typer.Option(
            "--kubernetes/--no-kubernetes",
            help="Also write the ConfigMap, Deployment and Service in "
            "deploy/kubernetes/api-gateway/.",
        ),
    ] = True,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin", help="An allowed CORS origin (repeatable; default: the table's)."
        ),
    ] = None,
) -> None:
    """Write Kong's declarative config (and its Kubernetes deployment) from the route table."""
    from jobpilot.gateway.kong import KONG_FILE, generated_files
    from jobpilot.gateway.routes import RouteTableError, load_routes

    try:
        table = load_routes()
    except RouteTableError as exc:
        err.print(str(exc), markup=False, highlight=False, style="red")
        raise typer.Exit(2) from None
    files = generated_files(table, origins=cors_origin or None)
    for relative, text in files.items():
        if relative == KONG_FILE:
            target = output if output.is_absolute() else root / output
        elif kubernetes:
            target = root / relative
        else:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        console.print(f"wrote {target}", markup=False, highlight=False)

"""The application factory: one FastAPI app for the enabled services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from opentelemetry.sdk.trace import TracerProvider

from jobpilot import __version__, registry, wiring
from jobpilot.gateway.edge import EdgeMiddleware, cors_options
from jobpilot.kit.health import health_router, service_status_router
from jobpilot.kit.http import (
    BodySizeLimitMiddleware,
    ObservabilityMiddleware,
    install_error_handlers,
)
from jobpilot.kit.logging import configure_logging
from jobpilot.kit.metrics import metrics_router
from jobpilot.kit.tracing import (
    TracingContextMiddleware,
    bind_provider,
    fastapi_telemetry,
    shutdown_tracing,
    unbind_provider,
)
from jobpilot.settings import Profile, Settings, load_settings
from jobpilot.web.cookies import PageCookiesMiddleware
from jobpilot.web.mount import install_web

log = logging.getLogger("jobpilot")


def process_name(services: Sequence[str] | None) -> str:
    """The `service` label of this process: one service's name, or "jobpilot" for several."""
    if services and len(services) == 1:
        return services[0]
    return "jobpilot"


def create_app(
    settings: Settings | None = None,
    *,
    services: Sequence[str] | None = None,
    run_worker: bool | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build the app serving `services` (all of them when None).

    `tracer_provider` replaces the one the settings describe (tests pass an in-memory one).
    """
    settings = settings or load_settings()
    selected = registry.select(services or settings.service_list or None)
    chosen = [d.service for d in selected] if (services or settings.service_list) else None
    name = process_name(chosen)
    configure_logging(
        settings.observability.log_level, settings.observability.log_json, service=name
    )
    if run_worker is None:
        run_worker = settings.tasks.embedded_worker and settings.profile is not Profile.TEST
    if tracer_provider is None:
        tracer_provider = wiring.build_tracer_provider(settings, name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = wiring.build_container(settings)
        app.state.container = container
        app.state.db = container.db
        app.state.health_checks = container.health_checks
        app.state.verifier = container.verifier
        stop = asyncio.Event()
        worker_task: asyncio.Task[None] | None = None
        if run_worker:
            worker = wiring.build_worker(container, selected)
            # The worker task copies this context: its tasks' spans use the app's provider.
            token = bind_provider(tracer_provider)
            worker_task = asyncio.create_task(worker.run(stop), name="jobpilot-worker")
            unbind_provider(token)
        try:
            yield
        finally:
            stop.set()
            if worker_task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
            await container.aclose()
            shutdown_tracing(tracer_provider)

    app = FastAPI(
        title="JobPilot",
        version=__version__,
        summary="Find the right jobs and apply to them.",
        openapi_tags=[{"name": d.service, "description": d.description} for d in selected],
        lifespan=lifespan,
        telemetry=fastapi_telemetry(tracer_provider),
    )
    app.state.settings = settings
    app.state.services = tuple(d.service for d in selected)
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(metrics_router)
    if settings.sandbox.enabled:
        from jobpilot.sandbox import create_sandbox_app

        app.mount(settings.sandbox.path, create_sandbox_app(settings.sandbox.fixtures_dir))
    for domain in selected:
        # Status first: `/api/v1/jobs/status` must not be taken for a job id.
        app.include_router(service_status_router(domain.service, domain.prefixes[0]))
        app.include_router(domain.router)
    pages = [domain.pages for domain in selected if domain.pages is not None]
    if pages:
        install_web(app, pages)
    _add_middleware(app, settings, chosen, tracer_provider, name, pages=bool(pages))
    return app


def _add_middleware(
    app: FastAPI,
    settings: Settings,
    chosen: Sequence[str] | None,
    tracer_provider: TracerProvider | None,
    name: str,
    *,
    pages: bool,
) -> None:
    """The middleware of every app, in one place because their order matters."""
    routes = settings.gateway.routes(check_registry=True)
    if pages:
        # Innermost: the cookies pages decide on reach every response, error pages included.
        app.add_middleware(PageCookiesMiddleware)
    # Outermost last: request id and metrics, then CORS (so refusals carry it), body size, edge.
    if wiring.embedded_edge(settings, chosen):
        app.add_middleware(
            EdgeMiddleware,
            table=routes,
            components=lambda scope: scope["app"].state.container,
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.http.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        **cors_options(routes.cors, settings.gateway.origins(settings.http.cors_origins)),
    )
    app.add_middleware(TracingContextMiddleware, provider=tracer_provider)
    app.add_middleware(
        ObservabilityMiddleware,
        default_service=name,
        service_for_path=registry.service_for_path,
    )


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with several worker processes."""
    return create_app()

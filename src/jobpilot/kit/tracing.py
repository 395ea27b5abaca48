"""OpenTelemetry tracing: an explicit tracer provider per app, exported over OTLP/HTTP.

Requests are traced by FastAPI's own OpenTelemetry support (`FastAPI(telemetry=...)`), so no
separate instrumentation package is needed; the provider is never installed globally, which lets
several apps (or tests) in one process each keep their own. Code that makes spans of its own
(database statements, tasks, outgoing HTTP) finds the provider of the app or worker it runs in
through a context variable (`bind_provider`, `TracingContextMiddleware`); without one, `span()`
does nothing.

A trace crosses process boundaries as a W3C `traceparent`: in HTTP headers (`TracedTransport`
adds it to outgoing requests) and inside each queued task's payload (`carrier()` at enqueue,
`context_from()` in the worker), so work a request causes joins the request's trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

import httpx
from fastapi.telemetry import TelemetryConfig
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNTRACED_PATHS = frozenset({"/metrics", "/healthz", "/readyz"})
_TRACES_SUFFIX = "/v1/traces"
TRACER_NAME = "jobpilot"

_provider: ContextVar[TracerProvider | None] = ContextVar("jobpilot_tracer_provider", default=None)
# W3C trace context only: what OTEL_PROPAGATORS says must not change what crosses processes.
_propagator = TraceContextTextMapPropagator()


def bind_provider(provider: TracerProvider | None) -> Token[TracerProvider | None]:
    """Make `provider` the one `span()` uses in this context (and in tasks started from it)."""
    return _provider.set(provider)


def current_provider() -> TracerProvider | None:
    """The provider bound in this context, if any."""
    return _provider.get()


def unbind_provider(token: Token[TracerProvider | None]) -> None:
    """Restore the provider in force before `bind_provider`."""
    _provider.reset(token)


@contextmanager
def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    context: Context | None = None,
    attributes: Mapping[str, str | int | float | bool] | None = None,
) -> Iterator[Span | None]:
    """A span of the provider in force, current inside the block; nothing without a provider."""
    provider = _provider.get()
    if provider is None:
        yield None
        return
    tracer = provider.get_tracer(TRACER_NAME)
    with tracer.start_as_current_span(
        name, context=context, kind=kind, attributes=dict(attributes or {})
    ) as current:
        yield current


def carrier() -> dict[str, str]:
    """The current trace context as `traceparent` (empty when no span is being recorded)."""
    fields: dict[str, str] = {}
    _propagator.inject(fields)
    return fields


def context_from(fields: Mapping[str, str] | None) -> Context | None:
    """The trace context `carrier()` wrote (None when there is none)."""
    if not fields:
        return None
    return _propagator.extract(dict(fields))


class TracingContextMiddleware:
    """Binds the app's tracer provider for each request, so the request's code can make spans."""

    def __init__(self, app: ASGIApp, provider: TracerProvider | None) -> None:
        self.app = app
        self.provider = provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _provider.set(self.provider)
        try:
            await self.app(scope, receive, send)
        finally:
            _provider.reset(token)


class ServerSpanMiddleware:
    """A SERVER span per request for an app without FastAPI's tracing (the gateway).

    It continues the caller's trace (`traceparent`), names the span by `route_of(path)`, binds
    the provider for the code inside, and records the response status.
    """

    def __init__(
        self, app: ASGIApp, provider: TracerProvider | None, route_of: Callable[[str], str]
    ) -> None:
        self.app = app
        self.provider = provider
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.provider is None or scope["type"] != "http" or _untraced(scope):
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in (b"traceparent", b"tracestate")
        }
        method: str = scope.get("method", "GET")
        route = self.route_of(scope["path"])
        attributes = {"http.request.method": method, "http.route": route}
        token = _provider.set(self.provider)
        try:
            with span(
                f"{method} {route}",
                kind=SpanKind.SERVER,
                context=context_from(headers),
                attributes=attributes,
            ) as current:

                async def recording_send(message: Message) -> None:
                    if message["type"] == "http.response.start" and current is not None:
                        status = int(message["status"])
                        current.set_attribute("http.response.status_code", status)
                        if status >= 500:
                            current.set_status(Status(StatusCode.ERROR))
                    await send(message)

                await self.app(scope, receive, recording_send)
        finally:
            _provider.reset(token)


class TracedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that makes a client span per request and sends its `traceparent`."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` inside a span of kind CLIENT (no span without a provider)."""
        if _provider.get() is None:
            return await self.inner.handle_async_request(request)
        attributes = {
            "http.request.method": request.method,
            "server.address": request.url.host,
            "url.full": str(request.url.copy_with(query=None)),
        }
        with span(f"{request.method}", kind=SpanKind.CLIENT, attributes=attributes) as current:
            request.headers.update(carrier())
            try:
                response = await self.inner.handle_async_request(request)
            except Exception as exc:
                if current is not None:
                    current.record_exception(exc)
                    current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise
            if current is not None:
                current.set_attribute("http.response.status_code", response.status_code)
                if response.status_code >= 500:
                    current.set_status(Status(StatusCode.ERROR))
            return response

    async def aclose(self) -> None:
        """Close the transport underneath."""
        await self.inner.aclose()


def _traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(_TRACES_SUFFIX) else endpoint + _TRACES_SUFFIX


def setup_tracing(
    service_name: str,
    otlp_endpoint: str | None,
    sample_ratio: float = 1.0,
    exporter: SpanExporter | None = None,
) -> TracerProvider | None:
    """A tracer provider exporting to `exporter`, else to the OTLP endpoint; None if neither."""
    if exporter is None and not otlp_endpoint:
        return None
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service_name}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        assert otlp_endpoint is not None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(otlp_endpoint)))
        )
    return provider


def _untraced(scope: MutableMapping[str, Any]) -> bool:
    path: str = scope.get("path", "")
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    return path in UNTRACED_PATHS


def fastapi_telemetry(provider: TracerProvider | None) -> TelemetryConfig:
    """The `FastAPI(telemetry=...)` settings that trace requests with `provider` (or nothing)."""
    # Prometheus carries the metrics and stdlib logging the logs; FastAPI only makes spans, and
    # never configures exporters from OTEL_* variables behind the settings' back.
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}
    return {
        "tracing": True,
        "tracer_provider": provider,
        "exclude": _untraced,
        "metrics": False,
        "logs": False,
        "auto_configure": False,
    }


def shutdown_tracing(provider: TracerProvider | None) -> None:
    """Flush pending spans and stop the exporter."""
    if provider is not None:
        provider.shutdown()

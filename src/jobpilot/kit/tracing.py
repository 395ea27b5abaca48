"""OpenTelemetry tracing: an explicit tracer provider per app, exported over OTLP/HTTP."""

from __future__ import annotations

import re

from fastapi import FastAPI
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

UNTRACED_PATHS = ("/metrics", "/healthz", "/readyz")
_TRACES_SUFFIX = "/v1/traces"


def _traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(_TRACES_SUFFIX) else endpoint + _TRACES_SUFFIX


def setup_tracing(
    service_name: str,
    otlp_endpoint: str | None,
    sample_ratio: float = 1.0,
    exporter: SpanExporter | None = None,
) -> TracerProvider | None:
    """A tracer provider exporting to `exporter` or the OTLP endpoint; None when neither is set.

    The provider is not installed globally, so several apps (or tests) in one process each keep
    their own; hand it to `instrument_app` and `shutdown_tracing`.
    """
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


def instrument_app(app: FastAPI, provider: TracerProvider | None) -> None:
    """Trace every request to `app` (except probes and scrapes); call before the first request."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # The instrumentation matches these regexes against the full URL; anchor them to the path.
    excluded = ",".join(rf"^[a-z]+://[^/]+{re.escape(path)}$" for path in UNTRACED_PATHS)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=excluded)


def shutdown_tracing(provider: TracerProvider | None) -> None:
    """Flush pending spans and stop the exporter."""
    if provider is not None:
        provider.shutdown()

"""OpenTelemetry tracing: an explicit tracer provider per app, exported over OTLP/HTTP.

Requests are traced by FastAPI's own OpenTelemetry support (`FastAPI(telemetry=...)`), so no
separate instrumentation package is needed; the provider is never installed globally, which lets
several apps (or tests) in one process each keep their own.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

UNTRACED_PATHS = frozenset({"/metrics", "/healthz", "/readyz"})
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

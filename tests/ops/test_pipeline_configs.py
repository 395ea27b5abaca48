"""The log and trace pipeline configs (Loki, Promtail, OpenTelemetry Collector), checked without
their binaries: the files load, reference only what they define, and fit what the app writes.

A real JobPilot log line (the app's own logging set-up, inside a span, during a request) is run
through a small model of the Promtail pipeline, so the field names the config extracts are the
ones the app writes, and through Grafana's Loki-to-Jaeger link.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from opentelemetry.exporter.otlp.proto.http import trace_exporter as otlp_http
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from jobpilot.kit.logging import configure_logging, request_id_var
from jobpilot.kit.tracing import setup_tracing, shutdown_tracing
from ops.promql import REPO
from support import make_settings

DEPLOY = REPO / "deploy"
LOKI = DEPLOY / "loki" / "loki.yaml"
PROMTAIL = DEPLOY / "promtail" / "promtail.yaml"
COLLECTOR = DEPLOY / "otel-collector" / "otel-collector.yaml"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml"

# Different on every request: as stream labels they would make one stream per request.
PER_REQUEST = {"trace_id", "span_id", "request_id"}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout"}


def _load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), path
    return document


@pytest.fixture
def app_log_line() -> tuple[str, dict[str, str]]:
    """One line as a JobPilot process writes it (JSON logging of the app), in a request and a
    span, and the ids it should carry."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    access = logging.getLogger("uvicorn.access")
    saved_access = (list(access.handlers), access.propagate, access.disabled)
    stream = io.StringIO()
    configure_logging(level="INFO", json_output=True, service="jobs", stream=stream)
    # A provider of the test's own, with no exporter: the span goes nowhere.
    tracer = TracerProvider().get_tracer("tests.ops")
    token = request_id_var.set("req-7f3a")
    try:
        with tracer.start_as_current_span("search") as span:
            logging.getLogger("jobpilot.jobs").warning("search index is stale")
            context = span.get_span_context()
    finally:
        request_id_var.reset(token)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        access.handlers[:], access.propagate, access.disabled = saved_access
    [line] = [line for line in stream.getvalue().splitlines() if line.strip()]
    return (
        line,
        {
            "trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x"),
            "request_id": "req-7f3a",
        },
    )


# ---------------------------------------------------------------------------------------------
# Promtail


def _scrape_config() -> dict[str, Any]:
    (scrape,) = _load(PROMTAIL)["scrape_configs"]
    assert isinstance(scrape, dict)
    return scrape


def _stages() -> list[tuple[str, Any]]:
    stages = []
    for stage in _scrape_config()["pipeline_stages"]:
        ((name, body),) = stage.items()
        stages.append((name, body))
    return stages


_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def run_pipeline(container_line: str) -> tuple[dict[str, str], dict[str, str], datetime | None]:
    """A model of the promtail stages this config uses, applied to one container log line:
    the stream labels it adds, the structured metadata, the timestamp."""
    line = container_line
    extracted: dict[str, str] = {}
    labels: dict[str, str] = {}
    metadata: dict[str, str] = {}
    timestamp: datetime | None = None
    for name, body in _stages():
        if name == "cri":
            # <time> <stream> <P|F> <content>
            _time, _stream, _flag, line = line.split(" ", 3)
        elif name == "json":
            payload = json.loads(line)
            for key, source in body["expressions"].items():
                # A plain field name (a JMESPath expression that reads one top-level key).
                assert _FIELD.fullmatch(source or key), source
                value = payload.get(source or key)
                if value is not None:
                    extracted[key] = str(value)
        elif name == "template":
            assert body["template"] == "{{ ToLower .Value }}", "model only knows ToLower"
            if body["source"] in extracted:
                extracted[body["source"]] = extracted[body["source"]].lower()
        elif name in {"labels", "structured_metadata"}:
            target = labels if name == "labels" else metadata
            for key, source in body.items():
                if (source or key) in extracted:
                    target[key] = extracted[source or key]
        elif name == "timestamp":
            assert body["format"] == "RFC3339Nano"
            if body["source"] in extracted:
                timestamp = datetime.fromisoformat(extracted[body["source"]])
        else:
            pytest.fail(f"the pipeline model does not know the {name!r} stage")
    return labels, metadata, timestamp


def test_promtail_reads_the_pods_json_logs_into_level_and_service_streams(
    app_log_line: tuple[str, dict[str, str]],
) -> None:
    line, ids = app_log_line
    written = json.loads(line)
    cri_line = f"2025-01-01T00:00:00.000000000Z stderr F {line}"
    labels, metadata, timestamp = run_pipeline(cri_line)
    assert labels == {"level": "warning", "service": "jobs"}
    # The per-request ids travel with the line, not as labels.
    assert metadata == ids
    assert timestamp is not None
    assert timestamp == datetime.fromisoformat(written["ts"])


def test_every_field_promtail_extracts_is_one_the_app_writes(
    app_log_line: tuple[str, dict[str, str]],
) -> None:
    line, _ids = app_log_line
    written = set(json.loads(line))
    [(_name, body)] = [(n, b) for n, b in _stages() if n == "json"]
    sources = {source or key for key, source in body["expressions"].items()}
    assert sources >= {"level", "service", "trace_id", "span_id", "request_id"}
    assert sources <= written, sources - written


def test_promtail_never_makes_a_per_request_id_a_label() -> None:
    scrape = _scrape_config()
    relabelled = {
        rule["target_label"]
        for rule in scrape["relabel_configs"]
        if "target_label" in rule and not rule["target_label"].startswith("__")
    }
    assert relabelled == {"namespace", "pod", "container"}
    staged: set[str] = set()
    for name, body in _stages():
        if name in {"labels", "static_labels"}:
            staged |= set(body)
    assert staged == {"level", "service"}
    assert not (relabelled | staged) & PER_REQUEST


def test_the_json_stage_comes_before_the_stages_that_use_its_fields() -> None:
    names = [name for name, _body in _stages()]
    assert names[0] == "cri"
    first_use = min(names.index(n) for n in ("template", "labels", "structured_metadata"))
    assert names.index("json") < first_use
    assert names.index("timestamp") > names.index("json")


def test_promtail_tails_the_jobpilot_pods_on_its_node_and_pushes_to_loki() -> None:
    config = _load(PROMTAIL)
    scrape = _scrape_config()
    assert scrape["kubernetes_sd_configs"] == [{"role": "pod"}]
    rules = scrape["relabel_configs"]
    keep = [r for r in rules if r.get("action") == "keep"]
    assert keep == [
        {
            "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_part_of"],
            "action": "keep",
            "regex": "jobpilot",
        }
    ]
    [path] = [r for r in rules if r.get("target_label") == "__path__"]
    assert path["replacement"].startswith("/var/log/pods/")
    assert any(r.get("target_label") == "__host__" for r in rules)
    (client,) = config["clients"]
    loki_port = _load(LOKI)["server"]["http_listen_port"]
    assert client["url"] == f"http://loki:{loki_port}/loki/api/v1/push"
    assert config["positions"]["filename"].startswith("/")


def test_jobpilot_workloads_label_their_pods_as_promtail_selects_them() -> None:
    # Promtail keeps pods labelled app.kubernetes.io/part-of=jobpilot: a JobPilot workload whose
    # pod template lacks the label would log into the void.
    workloads = 0
    for path in sorted((DEPLOY / "kubernetes").rglob("*.y*ml")):
        for document in yaml.safe_load_all(path.read_text()):
            if not isinstance(document, dict) or document.get("kind") not in WORKLOADS:
                continue
            labels = document["metadata"].get("labels") or {}
            if labels.get("app.kubernetes.io/part-of") != "jobpilot":
                continue
            workloads += 1
            spec = document["spec"]
            if document["kind"] == "CronJob":
                spec = spec["jobTemplate"]["spec"]
            pod_labels = spec["template"]["metadata"].get("labels") or {}
            assert pod_labels.get("app.kubernetes.io/part-of") == "jobpilot", path
    assert workloads


def test_grafana_finds_the_trace_id_in_a_log_line(
    app_log_line: tuple[str, dict[str, str]],
) -> None:
    line, ids = app_log_line
    sources = _load(DATASOURCES)["datasources"]
    [loki] = [s for s in sources if s["type"] == "loki"]
    (field,) = loki["jsonData"]["derivedFields"]
    match = re.search(field["matcherRegex"], line)
    assert match is not None
    assert match.group(1) == ids["trace_id"]


# ---------------------------------------------------------------------------------------------
# Loki


def test_loki_has_the_required_sections_and_a_schema_for_structured_metadata() -> None:
    config = _load(LOKI)
    assert {
        "auth_enabled",
        "server",
        "common",
        "schema_config",
        "limits_config",
        "compactor",
    } <= set(config)
    assert config["auth_enabled"] is False
    assert config["server"]["http_listen_port"] == 3100
    common = config["common"]
    assert common["replication_factor"] == 1
    assert "filesystem" in common["storage"]
    schema = config["schema_config"]["configs"][-1]
    # Structured metadata needs schema v13 on the tsdb index.
    assert schema["store"] == "tsdb"
    assert schema["schema"] == "v13"
    assert schema["object_store"] in common["storage"]
    datetime.fromisoformat(str(schema["from"]))
    assert config["limits_config"]["allow_structured_metadata"] is True


def _hours(duration: str) -> int:
    match = re.fullmatch(r"(\d+)([hd])", duration)
    assert match, duration
    return int(match.group(1)) * (24 if match.group(2) == "d" else 1)


def test_loki_retention_is_enforced_and_fits_the_index_period() -> None:
    config = _load(LOKI)
    compactor = config["compactor"]
    assert compactor["retention_enabled"] is True
    # Loki 3 refuses retention without a store for delete requests.
    assert compactor["delete_request_store"] in config["common"]["storage"]
    period = _hours(config["schema_config"]["configs"][-1]["index"]["period"])
    assert period == 24
    retention = _hours(config["limits_config"]["retention_period"])
    assert retention > 0
    assert retention % period == 0


def test_grafana_reads_loki_where_it_listens() -> None:
    sources = _load(DATASOURCES)["datasources"]
    [loki] = [s for s in sources if s["type"] == "loki"]
    port = _load(LOKI)["server"]["http_listen_port"]
    assert loki["url"] == f"http://loki:{port}"


# ---------------------------------------------------------------------------------------------
# OpenTelemetry Collector


def _defined(config: dict[str, Any], kind: str) -> set[str]:
    return set(config.get(kind) or {})


def test_the_collector_pipelines_reference_only_defined_components() -> None:
    config = _load(COLLECTOR)
    pipelines = config["service"]["pipelines"]
    assert set(pipelines) == {"traces"}
    used: dict[str, set[str]] = {"receivers": set(), "processors": set(), "exporters": set()}
    for name, pipeline in pipelines.items():
        # A pipeline id is `<signal>[/<name>]`.
        assert name.split("/")[0] in {"traces", "metrics", "logs"}
        assert pipeline["receivers"]
        assert pipeline["exporters"]
        for kind, components in used.items():
            for component in pipeline.get(kind) or []:
                assert component in _defined(config, kind), f"{name}: undefined {kind} {component}"
                components.add(component)
    for kind, components in used.items():
        assert _defined(config, kind) == components, f"{kind} defined but unused"
    for extension in config["service"].get("extensions") or []:
        assert extension in _defined(config, "extensions")


def test_the_collector_receives_otlp_limits_memory_first_and_batches_last() -> None:
    config = _load(COLLECTOR)
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"
    processors = config["service"]["pipelines"]["traces"]["processors"]
    assert processors[0] == "memory_limiter"
    assert processors[-1] == "batch"
    limiter = config["processors"]["memory_limiter"]
    assert limiter["check_interval"]
    assert 0 < limiter["spike_limit_percentage"] < limiter["limit_percentage"] <= 100


def test_the_collector_sends_traces_to_jaeger_over_otlp_without_tls() -> None:
    config = _load(COLLECTOR)
    assert config["service"]["pipelines"]["traces"]["exporters"] == ["otlp/jaeger"]
    exporter = config["exporters"]["otlp/jaeger"]
    assert exporter["endpoint"] == "jaeger-collector:4317"
    assert exporter["tls"] == {"insecure": True}


class _RecordingExporter(SpanExporter):
    """Stands in for the OTLP/HTTP exporter: records where it would send, sends nothing."""

    endpoints: ClassVar[list[str]] = []

    def __init__(self, endpoint: str) -> None:
        self.endpoints.append(endpoint)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def test_the_app_exports_otlp_http_to_the_collectors_http_receiver(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = COLLECTOR.read_text()
    http = _load(COLLECTOR)["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    endpoint = f"http://otel-collector:{http.rsplit(':', 1)[1]}"
    # The variable the collector's file tells the services to set is the one settings read.
    variable = f"JOBPILOT_OBSERVABILITY__OTLP_ENDPOINT={endpoint}"
    assert variable in text
    name, value = variable.split("=", 1)
    monkeypatch.setenv(name, value)
    settings = make_settings(tmp_path)
    assert settings.observability.otlp_endpoint == endpoint
    # The app's exporter is OTLP/HTTP, posting to <endpoint>/v1/traces on that receiver.
    monkeypatch.setattr(otlp_http, "OTLPSpanExporter", _RecordingExporter)
    _RecordingExporter.endpoints.clear()
    provider = setup_tracing("jobs", settings.observability.otlp_endpoint)
    assert provider is not None
    shutdown_tracing(provider)
    assert _RecordingExporter.endpoints == [f"{endpoint}/v1/traces"]


def test_grafana_reads_traces_from_jaeger() -> None:
    sources = _load(DATASOURCES)["datasources"]
    [jaeger] = [s for s in sources if s["type"] == "jaeger"]
    assert jaeger["url"] == "http://jaeger-query:16686"

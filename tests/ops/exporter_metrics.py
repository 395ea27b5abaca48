"""Metrics that come from exporters beside the platform, not from its code.

The metrics contract (test_metrics_contract.py) accepts a name the alert rules or dashboards use
when the running app exports it, a recording rule records it, or it is listed here with the
exporter that provides it. The list holds only names the rules and dashboards use (a test keeps
it that way), each with the label names the exporter gives it; the scrape adds SCRAPE_LABELS to
every series on top, the app's included.

Versions the labels were read from: kube-state-metrics v2.x, the kubelet's embedded cAdvisor,
node_exporter 1.x, prometheus-community/postgres_exporter 0.15+ (metrics of its built-in
queries carry a `server` label, those of its collectors do not), oliver006/redis_exporter 1.x
(single-target mode, so no `addr` label).
"""

from __future__ import annotations

from dataclasses import dataclass

KUBE_STATE_METRICS = "kube-state-metrics"
CADVISOR = "cAdvisor (kubelet)"
NODE_EXPORTER = "node_exporter"
POSTGRES_EXPORTER = "postgres_exporter"
REDIS_EXPORTER = "redis_exporter"
PROMETHEUS = "Prometheus (every scrape target)"

# Labels the scrape adds to every series: Prometheus's own `job` and `instance`, and the target
# labels the Prometheus operator's ServiceMonitor relabelling gives each endpoint (`namespace`,
# `service`, `pod`, `container`, `endpoint`). The app's own `service` label keeps its name only
# when its ServiceMonitor sets `honorLabels: true`; otherwise Prometheus renames it to
# `exported_service` and `service` becomes the Kubernetes Service's name.
SCRAPE_LABELS = frozenset(
    {"job", "instance", "namespace", "service", "pod", "container", "endpoint"}
)

EXPORTERS = frozenset(
    {KUBE_STATE_METRICS, CADVISOR, NODE_EXPORTER, POSTGRES_EXPORTER, REDIS_EXPORTER, PROMETHEUS}
)


@dataclass(frozen=True)
class ExporterMetric:
    """One series name an exporter provides, with its label names (target labels aside)."""

    name: str
    labels: frozenset[str]
    exporter: str


def _m(name: str, exporter: str, *labels: str) -> ExporterMetric:
    return ExporterMetric(name, frozenset(labels), exporter)


_POD = ("namespace", "pod", "uid")
_CONTAINER = ("namespace", "pod", "container", "id", "image", "name")

EXPORTER_METRICS: tuple[ExporterMetric, ...] = (
    # Prometheus writes `up` for every target it scrapes: 1 when the scrape worked.
    _m("up", PROMETHEUS),
    # kube-state-metrics: the Kubernetes objects' state.
    _m("kube_pod_container_status_restarts_total", KUBE_STATE_METRICS, *_POD, "container"),
    _m("kube_deployment_spec_replicas", KUBE_STATE_METRICS, "namespace", "deployment"),
    _m("kube_deployment_status_replicas_available", KUBE_STATE_METRICS, "namespace", "deployment"),
    # cAdvisor, through the kubelet's /metrics/cadvisor: what containers use.
    _m("container_cpu_usage_seconds_total", CADVISOR, *_CONTAINER, "cpu"),
    _m("container_memory_working_set_bytes", CADVISOR, *_CONTAINER),
    _m("container_spec_memory_limit_bytes", CADVISOR, *_CONTAINER),
    _m("container_spec_cpu_quota", CADVISOR, *_CONTAINER),
    _m("container_spec_cpu_period", CADVISOR, *_CONTAINER),
    # postgres_exporter.
    _m("pg_up", POSTGRES_EXPORTER),
    _m("pg_stat_activity_count", POSTGRES_EXPORTER, "datname", "state", "server"),
    _m("pg_stat_activity_max_tx_duration", POSTGRES_EXPORTER, "datname", "state", "server"),
    _m("pg_settings_max_connections", POSTGRES_EXPORTER, "server"),
    _m("pg_stat_database_xact_commit", POSTGRES_EXPORTER, "datid", "datname"),
    _m("pg_stat_database_xact_rollback", POSTGRES_EXPORTER, "datid", "datname"),
    _m("pg_stat_database_deadlocks", POSTGRES_EXPORTER, "datid", "datname"),
    _m("pg_stat_database_blks_hit", POSTGRES_EXPORTER, "datid", "datname"),
    _m("pg_stat_database_blks_read", POSTGRES_EXPORTER, "datid", "datname"),
    _m("pg_database_size_bytes", POSTGRES_EXPORTER, "datname"),
    # redis_exporter.
    _m("redis_up", REDIS_EXPORTER),
    _m("redis_connected_clients", REDIS_EXPORTER),
    _m("redis_blocked_clients", REDIS_EXPORTER),
    _m("redis_rejected_connections_total", REDIS_EXPORTER),
    _m("redis_memory_used_bytes", REDIS_EXPORTER),
    _m("redis_memory_max_bytes", REDIS_EXPORTER),
    _m("redis_commands_processed_total", REDIS_EXPORTER),
    _m("redis_keyspace_hits_total", REDIS_EXPORTER),
    _m("redis_keyspace_misses_total", REDIS_EXPORTER),
    _m("redis_evicted_keys_total", REDIS_EXPORTER),
    _m("redis_db_keys", REDIS_EXPORTER, "db"),
)

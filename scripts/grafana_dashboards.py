#!/usr/bin/env python3
"""Write JobPilot's Grafana dashboards (deploy/grafana/dashboards/*.json) from this file.

    .venv/bin/python scripts/grafana_dashboards.py          # write the JSON
    .venv/bin/python scripts/grafana_dashboards.py --check  # exit 1 when the JSON is stale

Edit the dashboards here, not in the JSON: tests/ops/test_dashboards.py fails when the committed
files differ from what this writes, and tests/ops/test_metrics_contract.py checks every query
against the metrics the platform and its exporters provide. The JSON is Grafana's dashboard
model (schemaVersion 39); every panel reads the `${datasource}` variable, so one import works
with any Prometheus data source, and the uids stay fixed so links to a dashboard keep working.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "dashboards"
SCHEMA_VERSION = 39
TAG = "jobpilot"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Grafana's rate window: at least four scrape intervals, whatever the zoom.
RATE = "$__rate_interval"
GRID_WIDTH = 24


@dataclass(frozen=True)
class Query:
    """One target of a panel."""

    expr: str
    legend: str = ""


def _query_variable(
    name: str, label: str, query: str, *, multi: bool = True, regex: str = ""
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "refresh": 2,
        "regex": regex,
        "sort": 1,
        "multi": multi,
        "includeAll": multi,
        **({"allValue": ".*"} if multi else {}),
        "current": {},
        "options": [],
        "hide": 0,
    }


def _datasource_variable() -> dict[str, Any]:
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "regex": "",
        "current": {},
        "options": [],
        "refresh": 1,
        "multi": False,
        "includeAll": False,
        "hide": 0,
    }


def _thresholds(*steps: tuple[float, str], base: str = "green") -> dict[str, Any]:
    return {
        "mode": "absolute",
        "steps": [{"color": base, "value": None}]
        + [{"color": color, "value": value} for value, color in steps],
    }


UP_DOWN = [
    {
        "type": "value",
        "options": {
            "0": {"text": "down", "color": "red", "index": 0},
            "1": {"text": "up", "color": "green", "index": 1},
        },
    }
]


@dataclass
class Board:
    """A dashboard being laid out: panels fill rows of the 24-column grid, left to right."""

    uid: str
    title: str
    description: str
    variables: list[dict[str, Any]] = field(default_factory=list)
    panels: list[dict[str, Any]] = field(default_factory=list)
    _x: int = 0
    _y: int = 0
    _row_height: int = 0

    def _place(self, width: int, height: int) -> dict[str, int]:
        if self._x + width > GRID_WIDTH:
            self._newline()
        position = {"h": height, "w": width, "x": self._x, "y": self._y}
        self._x += width
        self._row_height = max(self._row_height, height)
        return position

    def _newline(self) -> None:
        self._y += self._row_height
        self._x = 0
        self._row_height = 0

    def _targets(self, queries: list[Query]) -> list[dict[str, Any]]:
        return [
            {
                "datasource": DATASOURCE,
                "expr": q.expr,
                "legendFormat": q.legend or "__auto",
                "range": True,
                "refId": chr(ord("A") + i),
            }
            for i, q in enumerate(queries)
        ]

    def row(self, title: str) -> None:
        """Start a new row of panels under a heading."""
        if self._x:
            self._newline()
        self.panels.append(
            {
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": self._place(GRID_WIDTH, 1),
                "id": len(self.panels) + 1,
                "panels": [],
            }
        )
        self._newline()

    def stat(
        self,
        title: str,
        query: Query,
        *,
        description: str,
        unit: str = "short",
        thresholds: dict[str, Any] | None = None,
        mappings: list[dict[str, Any]] | None = None,
        width: int = 4,
        decimals: int | None = None,
    ) -> None:
        """A single number: the latest value of one query."""
        defaults: dict[str, Any] = {
            "unit": unit,
            "color": {"mode": "thresholds"},
            "thresholds": thresholds or _thresholds(),
            "mappings": mappings or [],
        }
        if decimals is not None:
            defaults["decimals"] = decimals
        self.panels.append(
            {
                "type": "stat",
                "title": title,
                "description": description,
                "datasource": DATASOURCE,
                "gridPos": self._place(width, 4),
                "id": len(self.panels) + 1,
                "fieldConfig": {"defaults": defaults, "overrides": []},
                "options": {
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "value",
                    "graphMode": "area",
                    "justifyMode": "auto",
                    "orientation": "auto",
                    "textMode": "auto",
                    "wideLayout": True,
                    "showPercentChange": False,
                },
                "targets": self._targets([query]),
            }
        )

    def timeseries(
        self,
        title: str,
        *queries: Query,
        description: str,
        unit: str = "short",
        width: int = 12,
        height: int = 8,
        minimum: float | None = 0,
        maximum: float | None = None,
        stacked: bool = False,
        bars: bool = False,
    ) -> None:
        """A graph over time of one or more queries."""
        custom: dict[str, Any] = {
            "drawStyle": "bars" if bars else "line",
            "lineWidth": 1,
            "fillOpacity": 60 if bars else 10,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if stacked else "none", "group": "A"},
            "axisPlacement": "auto",
        }
        defaults: dict[str, Any] = {
            "unit": unit,
            "custom": custom,
            "color": {"mode": "palette-classic"},
        }
        if minimum is not None:
            defaults["min"] = minimum
        if maximum is not None:
            defaults["max"] = maximum
        self.panels.append(
            {
                "type": "timeseries",
                "title": title,
                "description": description,
                "datasource": DATASOURCE,
                "gridPos": self._place(width, height),
                "id": len(self.panels) + 1,
                "fieldConfig": {"defaults": defaults, "overrides": []},
                "options": {
                    "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "desc"},
                },
                "targets": self._targets(list(queries)),
            }
        )

    def render(self) -> dict[str, Any]:
        """The dashboard in Grafana's JSON model."""
        return {
            "annotations": {
                "list": [
                    {
                        "builtIn": 1,
                        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                        "enable": True,
                        "hide": True,
                        "iconColor": "rgba(0, 211, 255, 1)",
                        "name": "Annotations & Alerts",
                        "type": "dashboard",
                    }
                ]
            },
            "description": self.description,
            "editable": True,
            "fiscalYearStartMonth": 0,
            "graphTooltip": 1,
            "id": None,
            "links": [
                {
                    "asDropdown": True,
                    "icon": "external link",
                    "includeVars": False,
                    "keepTime": True,
                    "tags": [TAG],
                    "targetBlank": False,
                    "title": "JobPilot dashboards",
                    "type": "dashboards",
                }
            ],
            "panels": self.panels,
            "refresh": "1m",
            "schemaVersion": SCHEMA_VERSION,
            "tags": [TAG],
            "templating": {"list": [_datasource_variable(), *self.variables]},
            "time": {"from": "now-6h", "to": "now"},
            "timepicker": {},
            "timezone": "utc",
            "title": self.title,
            "uid": self.uid,
            "version": 1,
            "weekStart": "",
        }


def _rate(metric: str, selector: str, window: str = RATE) -> str:
    return f"rate({metric}{{{selector}}}[{window}])"


def _p(quantile: float, bucket: str, selector: str, by: str) -> str:
    group = f"{by}, le" if by else "le"
    return (
        f"histogram_quantile({quantile}, sum by ({group}) (rate({bucket}{{{selector}}}[{RATE}])))"
    )


# ---------------------------------------------------------------------------------------------


def overview() -> Board:
    """Requests, errors and latency per service; the gateway; the pods."""
    board = Board(
        uid="jobpilot-overview",
        title="JobPilot / Platform overview",
        description=(
            "Requests, errors and latency (RED) per service, the gateway's view of its "
            "upstreams, and the pods behind them."
        ),
        variables=[
            _query_variable("service", "Service", "label_values(http_requests_total, service)"),
            _query_variable(
                "namespace",
                "Namespace",
                "label_values(kube_pod_container_status_restarts_total, namespace)",
                multi=False,
            ),
        ],
    )
    svc = 'service=~"$service"'
    five = f'{svc}, status=~"5.."'
    four = f'{svc}, status=~"4.."'
    board.row("Services: rate, errors, duration")
    board.stat(
        "Requests per second",
        Query(f"sum({_rate('http_requests_total', svc)})"),
        description="HTTP requests the selected services answered, per second.",
        unit="reqps",
        width=6,
    )
    board.stat(
        "Server errors (5xx)",
        Query(
            f"sum({_rate('http_requests_total', five)}) / sum({_rate('http_requests_total', svc)})"
        ),
        description="Share of requests answered with a 5xx status.",
        unit="percentunit",
        thresholds=_thresholds((0.01, "orange"), (0.05, "red")),
        width=6,
        decimals=2,
    )
    board.stat(
        "Latency p95",
        Query(_p(0.95, "http_request_duration_seconds_bucket", svc, "")),
        description="95th percentile of the time to answer, over the selected services.",
        unit="s",
        thresholds=_thresholds((0.5, "orange"), (1, "red")),
        width=6,
    )
    board.stat(
        "Upstreams fenced off",
        Query("count(gateway_upstream_healthy == 0) or vector(0)"),
        description=("Services the gateway stopped sending traffic to after failed health checks."),
        thresholds=_thresholds((1, "red")),
        width=6,
    )
    board.timeseries(
        "Requests per service",
        Query(f"sum by (service) ({_rate('http_requests_total', svc)})", "{{service}}"),
        description="Requests answered per second, by service.",
        unit="reqps",
    )
    board.timeseries(
        "Server error ratio per service",
        Query(
            f"sum by (service) ({_rate('http_requests_total', five)}) / "
            f"sum by (service) ({_rate('http_requests_total', svc)})",
            "{{service}}",
        ),
        description="Share of each service's requests answered with a 5xx status.",
        unit="percentunit",
    )
    board.timeseries(
        "Latency p95 per service",
        Query(_p(0.95, "http_request_duration_seconds_bucket", svc, "service"), "{{service}}"),
        description="95th percentile of the time to answer, by service.",
        unit="s",
    )
    board.timeseries(
        "Latency p50 / p95 / p99",
        *(
            Query(_p(q, "http_request_duration_seconds_bucket", svc, ""), f"p{round(q * 100)}")
            for q in (0.5, 0.95, 0.99)
        ),
        description="Percentiles of the time to answer, over the selected services.",
        unit="s",
    )
    board.timeseries(
        "Client errors (4xx) per service",
        Query(
            f"sum by (service, status) ({_rate('http_requests_total', four)})",
            "{{service}} {{status}}",
        ),
        description="Requests refused as the client's error, by service and status.",
        unit="reqps",
    )
    board.timeseries(
        "Slowest routes (p95)",
        Query(
            "topk(10, "
            + _p(0.95, "http_request_duration_seconds_bucket", svc, "service, route")
            + ")",
            "{{service}} {{route}}",
        ),
        description="The ten route templates with the highest 95th percentile latency.",
        unit="s",
    )

    board.row("Gateway")
    board.timeseries(
        "Gateway requests by status",
        Query(
            f"sum by (service, status) ({_rate('gateway_requests_total', svc)})",
            "{{service}} {{status}}",
        ),
        description="Requests through the gateway per second, by service and status.",
        unit="reqps",
    )
    board.timeseries(
        "Gateway latency p95: total and upstream",
        Query(
            _p(0.95, "gateway_request_duration_seconds_bucket", svc, "service"),
            "{{service}} total",
        ),
        Query(
            _p(0.95, "gateway_upstream_duration_seconds_bucket", svc, "service"),
            "{{service}} upstream",
        ),
        description=(
            "Time at the gateway (total) and the upstream's share of it, 95th percentile."
        ),
        unit="s",
    )
    board.timeseries(
        "Upstream health",
        Query(f"min by (service) (gateway_upstream_healthy{{{svc}}})", "{{service}}"),
        description="1 while the gateway sends a service traffic, 0 while it is fenced off.",
        maximum=1,
        width=8,
    )
    board.timeseries(
        "Upstream errors",
        Query(
            f"sum by (service, reason) ({_rate('gateway_upstream_errors_total', svc)})",
            "{{service}} {{reason}}",
        ),
        description="Failed upstream attempts per second: connect, timeout, protocol, unhealthy.",
        unit="ops",
        width=8,
    )
    board.timeseries(
        "Rate-limit decisions",
        Query(
            f"sum by (service, decision) ({_rate('gateway_rate_limit_decisions_total', svc)})",
            "{{service}} {{decision}}",
        ),
        description=(
            "Requests allowed, limited (429), or allowed by the process's own count while "
            "the shared store was down (fallback)."
        ),
        unit="reqps",
        width=8,
    )
    board.timeseries(
        "Gateway bandwidth",
        Query(
            f"sum by (direction) ({_rate('gateway_bandwidth_bytes_total', svc)})",
            "{{direction}}",
        ),
        description="Body bytes per second from clients (ingress) and to them (egress).",
        unit="Bps",
        width=24,
        height=6,
    )

    ns = 'namespace="$namespace"'
    containers = f'{ns}, container!=""'
    board.row("Pods")
    board.timeseries(
        "Available replicas",
        Query(
            f"sum by (deployment) (kube_deployment_status_replicas_available{{{ns}}})",
            "{{deployment}} available",
        ),
        Query(
            f"sum by (deployment) (kube_deployment_spec_replicas{{{ns}}})",
            "{{deployment}} desired",
        ),
        description="Replicas ready to serve, against those each deployment asks for.",
    )
    board.timeseries(
        "Container restarts (1h)",
        Query(
            f"sum by (pod) (increase(kube_pod_container_status_restarts_total{{{ns}}}[1h]))",
            "{{pod}}",
        ),
        description="Restarts of each pod's containers over the last hour.",
    )
    board.timeseries(
        "CPU per pod",
        Query(
            f"sum by (pod) ({_rate('container_cpu_usage_seconds_total', containers)})",
            "{{pod}}",
        ),
        description="CPU cores used by each pod's containers.",
    )
    board.timeseries(
        "Memory per pod",
        Query(
            f'sum by (pod) (container_memory_working_set_bytes{{{ns}, container!=""}})',
            "{{pod}}",
        ),
        description="Working set of each pod's containers (what the OOM killer looks at).",
        unit="bytes",
    )
    return board


def task_queue() -> Board:
    """The durable task queue: depth, throughput, failures, duration."""
    board = Board(
        uid="jobpilot-task-queue",
        title="JobPilot / Task queue",
        description=(
            "The database task queue: depth by state, runs by outcome, dead letters and "
            "retries, and how long tasks take."
        ),
        variables=[
            _query_variable(
                "task", "Task", "label_values(jobpilot_task_duration_seconds_count, task)"
            )
        ],
    )
    task = 'task=~"$task"'
    retried = f'{task}, status="retried"'
    lease_lost = f'{task}, status="lease_lost"'
    # Every worker reads the depth of the one queue table: take the largest report, not a sum.
    for state, title, colour_at in (
        ("ready", "Ready now", 100),
        ("scheduled", "Scheduled", None),
        ("running", "Running", None),
        ("dead", "Dead letters", 1),
    ):
        board.stat(
            title,
            Query(f'max(jobpilot_task_queue_depth{{state="{state}"}})'),
            description=f"Tasks in the queue table in state {state!r}.",
            thresholds=_thresholds((colour_at, "red")) if colour_at else None,
        )
    board.stat(
        "Dead-lettered (24h)",
        Query(f'sum(increase(jobpilot_tasks_total{{{task}, status="dead"}}[24h]))'),
        description="Tasks that ran out of attempts over the last day.",
        thresholds=_thresholds((1, "red")),
        decimals=0,
    )
    board.stat(
        "Runs per second",
        Query(f"sum({_rate('jobpilot_tasks_total', task)})"),
        description="Task runs finished per second, whatever their outcome.",
        unit="ops",
    )
    board.timeseries(
        "Queue depth by state",
        Query("max by (state) (jobpilot_task_queue_depth)", "{{state}}"),
        description="ready: due now; scheduled: due later; running: leased; dead: given up.",
    )
    board.timeseries(
        "Runs by outcome",
        Query(f"sum by (status) ({_rate('jobpilot_tasks_total', task)})", "{{status}}"),
        description="Finished runs per second: succeeded, retried, dead, lease_lost.",
        unit="ops",
        stacked=True,
    )
    board.timeseries(
        "Dead letters by task",
        Query(
            f'sum by (task) (increase(jobpilot_tasks_total{{{task}, status="dead"}}[{RATE}]))',
            "{{task}}",
        ),
        description="Tasks moved to the dead letters, by task name.",
        bars=True,
    )
    board.timeseries(
        "Retries and lost leases by task",
        Query(
            f"sum by (task) ({_rate('jobpilot_tasks_total', retried)})",
            "{{task}} retried",
        ),
        Query(
            f"sum by (task) ({_rate('jobpilot_tasks_total', lease_lost)})",
            "{{task}} lease lost",
        ),
        description=(
            "Runs that failed and will retry, and runs whose lease another worker took over."
        ),
        unit="ops",
    )
    board.timeseries(
        "Duration p95 by task",
        Query(_p(0.95, "jobpilot_task_duration_seconds_bucket", task, "task"), "{{task}}"),
        description="95th percentile of one run's wall time, by task.",
        unit="s",
    )
    board.timeseries(
        "Mean duration by task",
        Query(
            f"sum by (task) ({_rate('jobpilot_task_duration_seconds_sum', task)}) / "
            f"sum by (task) ({_rate('jobpilot_task_duration_seconds_count', task)})",
            "{{task}}",
        ),
        description="Average wall time of one run, by task.",
        unit="s",
    )
    return board


def auto_apply() -> Board:
    """The auto-apply funnel and each ATS's success."""
    board = Board(
        uid="jobpilot-auto-apply",
        title="JobPilot / Auto-apply",
        description=(
            "Submissions from start to outcome, success per applicant tracking system, and "
            "how long a submission takes."
        ),
        variables=[
            _query_variable(
                "ats", "ATS", "label_values(job_application_submissions_started_total, ats)"
            )
        ],
    )
    ats = 'ats=~"$ats"'
    success = f'{ats}, status="success"'
    apps = "job_applications_total"
    started = "job_application_submissions_started_total"
    board.stat(
        "Started (24h)",
        Query(f"sum(increase({started}{{{ats}}}[24h]))"),
        description="Submission attempts started over the last day.",
        decimals=0,
    )
    for status, title, colour in (
        ("success", "Submitted (24h)", None),
        ("needs_user_input", "Needs user input (24h)", "orange"),
        ("failed", "Failed (24h)", "red"),
        ("unknown", "Outcome unknown (24h)", "orange"),
    ):
        board.stat(
            title,
            Query(f'sum(increase({apps}{{{ats}, status="{status}"}}[24h]))'),
            description=f"Attempts that finished with status {status!r} over the last day.",
            thresholds=_thresholds((1, colour)) if colour else None,
            decimals=0,
        )
    board.stat(
        "Success rate (24h)",
        Query(
            f'sum(increase({apps}{{{ats}, status="success"}}[24h])) / '
            f"sum(increase({apps}{{{ats}}}[24h]))"
        ),
        description="Share of finished attempts that were submitted, over the last day.",
        unit="percentunit",
        thresholds=_thresholds((0.8, "orange"), (0.9, "green"), base="red"),
        decimals=1,
    )
    board.timeseries(
        "Funnel: started, finished, submitted",
        Query(f"sum({_rate(started, ats)})", "started"),
        Query(f"sum({_rate(apps, ats)})", "finished"),
        Query(f"sum({_rate(apps, success)})", "submitted"),
        description="Attempts per second at each step of a submission.",
        unit="ops",
    )
    board.timeseries(
        "Outcomes",
        Query(f"sum by (status) ({_rate(apps, ats)})", "{{status}}"),
        description="Finished attempts per second by outcome.",
        unit="ops",
        stacked=True,
    )
    board.timeseries(
        "Success rate per ATS (1h)",
        Query(
            f'sum by (ats) (rate({apps}{{{ats}, status="success"}}[1h])) / '
            f"sum by (ats) (rate({apps}{{{ats}}}[1h]))",
            "{{ats}}",
        ),
        description="Share of each ATS's finished attempts that were submitted, hourly window.",
        unit="percentunit",
        maximum=1,
    )
    board.timeseries(
        "Started but not finished (1h)",
        Query(
            f"sum by (ats) (increase({started}{{{ats}}}[1h])) - "
            f"sum by (ats) (increase({apps}{{{ats}}}[1h]))",
            "{{ats}}",
        ),
        description=(
            "Attempts started in the last hour without an outcome yet: a growing gap means "
            "submissions hang."
        ),
        minimum=None,
    )
    board.timeseries(
        "Submit duration p95 per ATS",
        Query(_p(0.95, "job_application_submit_duration_seconds_bucket", ats, "ats"), "{{ats}}"),
        description="95th percentile of the time from opening the form to the outcome.",
        unit="s",
    )
    board.timeseries(
        "Submit duration p95 by outcome",
        Query(
            _p(0.95, "job_application_submit_duration_seconds_bucket", ats, "status"),
            "{{status}}",
        ),
        description="95th percentile of the submission time, by outcome.",
        unit="s",
    )
    return board


def ai_usage() -> Board:
    """The ai service: requests by outcome, tokens, cache, rate limiting."""
    board = Board(
        uid="jobpilot-ai",
        title="JobPilot / AI usage and rate limiting",
        description=(
            "Writing requests by provider, task and outcome; tokens spent; answers served from "
            "the cache; provider rate limits and the gateway's limits on the ai service."
        ),
        variables=[
            _query_variable("provider", "Provider", "label_values(ai_requests_total, provider)")
        ],
    )
    prov = 'provider=~"$provider"'
    limited = f'{prov}, status="rate_limited"'
    failed = f'{prov}, status="error"'
    req = "ai_requests_total"
    ai = 'service="ai"'
    board.stat(
        "Requests per minute",
        Query(f"sum({_rate(req, prov)}) * 60"),
        description="Writing requests per minute (extract, tailor, cover_letter, answers).",
    )
    board.stat(
        "Provider rate limited",
        Query(f"sum({_rate(req, limited)}) / sum({_rate(req, prov)})"),
        description="Share of requests the language-model provider refused for its rate limit.",
        unit="percentunit",
        thresholds=_thresholds((0.01, "orange"), (0.1, "red")),
        decimals=1,
    )
    board.stat(
        "Errors",
        Query(f"sum({_rate(req, failed)}) / sum({_rate(req, prov)})"),
        description="Share of requests that failed for another reason.",
        unit="percentunit",
        thresholds=_thresholds((0.01, "orange"), (0.05, "red")),
        decimals=1,
    )
    board.stat(
        "Tokens (24h)",
        Query(f"sum(increase(ai_tokens_total{{{prov}}}[24h]))"),
        description="Prompt and completion tokens spent over the last day.",
        decimals=0,
    )
    board.stat(
        "Cache hits (24h)",
        Query("sum(increase(ai_cache_hits_total[24h]))"),
        description="Model answers served from the cache instead of a model call, last day.",
        decimals=0,
    )
    board.stat(
        "Refused at the gateway (1h)",
        Query(
            "sum(increase(gateway_rate_limit_decisions_total"
            '{service="ai", decision="limited"}[1h]))'
        ),
        description="Requests to the ai service the gateway's rate limit refused (429).",
        thresholds=_thresholds((1, "orange")),
        decimals=0,
    )
    board.timeseries(
        "Requests by task and outcome",
        Query(f"sum by (task, status) ({_rate(req, prov)})", "{{task}} {{status}}"),
        description="Writing requests per second by task and outcome.",
        unit="reqps",
    )
    board.timeseries(
        "Provider rate limits and errors",
        Query(
            f"sum by (provider) ({_rate(req, limited)})",
            "{{provider}} rate limited",
        ),
        Query(
            f"sum by (provider) ({_rate(req, failed)})",
            "{{provider}} error",
        ),
        description="Requests per second the provider refused for its rate limit, or that failed.",
        unit="reqps",
    )
    board.timeseries(
        "Tokens by provider and kind",
        Query(
            f"sum by (provider, kind) ({_rate('ai_tokens_total', prov)})",
            "{{provider}} {{kind}}",
        ),
        description="Tokens per second, prompt and completion.",
        unit="short",
    )
    board.timeseries(
        "Tokens per task (1h)",
        Query(f"sum by (task) (increase(ai_tokens_total{{{prov}}}[1h]))", "{{task}}"),
        description="Tokens each task spent over the trailing hour.",
    )
    board.timeseries(
        "Cache hits by task",
        Query(f"sum by (task) (rate(ai_cache_hits_total[{RATE}]))", "{{task}}"),
        description="Answers served from the cache per second, by task.",
        unit="ops",
    )
    board.timeseries(
        "Gateway rate-limit decisions for ai",
        Query(
            f"sum by (decision) ({_rate('gateway_rate_limit_decisions_total', ai)})",
            "{{decision}}",
        ),
        description="The gateway's per-user limit on the ai service: allowed, limited, fallback.",
        unit="reqps",
    )
    board.timeseries(
        "ai service latency p95 by route",
        Query(
            _p(0.95, "http_request_duration_seconds_bucket", 'service="ai"', "route"),
            "{{route}}",
        ),
        description="95th percentile of the ai service's time to answer, by route.",
        unit="s",
        width=24,
    )
    return board


def data_stores() -> Board:
    """PostgreSQL (postgres_exporter) and Redis (redis_exporter)."""
    board = Board(
        uid="jobpilot-data-stores",
        title="JobPilot / Database and Redis",
        description=(
            "PostgreSQL through postgres_exporter and Redis through redis_exporter: up, "
            "connections, throughput, cache efficiency, size."
        ),
    )
    db = 'datname!~"template0|template1"'
    board.row("PostgreSQL")
    board.stat(
        "PostgreSQL",
        Query("min(pg_up)"),
        description="Whether postgres_exporter reaches the database.",
        mappings=UP_DOWN,
        thresholds=_thresholds((1, "green"), base="red"),
    )
    board.stat(
        "Connections used",
        Query(
            "max(sum by (instance) (pg_stat_activity_count) / "
            "sum by (instance) (pg_settings_max_connections))"
        ),
        description="Connections open against max_connections (the fullest server).",
        unit="percentunit",
        thresholds=_thresholds((0.7, "orange"), (0.9, "red")),
        decimals=0,
    )
    board.stat(
        "Longest transaction",
        Query("max(pg_stat_activity_max_tx_duration)"),
        description="Age of the oldest open transaction: long ones hold back vacuum.",
        unit="s",
        thresholds=_thresholds((60, "orange"), (300, "red")),
    )
    board.stat(
        "Deadlocks (24h)",
        Query(f"sum(increase(pg_stat_database_deadlocks{{{db}}}[24h]))"),
        description="Deadlocks PostgreSQL detected over the last day.",
        thresholds=_thresholds((1, "orange")),
        decimals=0,
    )
    board.stat(
        "Database size",
        Query(f"sum(pg_database_size_bytes{{{db}}})"),
        description="Size on disk of every database.",
        unit="bytes",
        width=8,
    )
    board.timeseries(
        "Connections by state",
        Query("sum by (state) (pg_stat_activity_count)", "{{state}}"),
        Query("sum(pg_settings_max_connections)", "max_connections"),
        description="Open connections by state, against max_connections.",
    )
    board.timeseries(
        "Transactions",
        Query(
            f"sum by (datname) ({_rate('pg_stat_database_xact_commit', db)})",
            "{{datname}} commit",
        ),
        Query(
            f"sum by (datname) ({_rate('pg_stat_database_xact_rollback', db)})",
            "{{datname}} rollback",
        ),
        description="Transactions committed and rolled back per second.",
        unit="ops",
    )
    board.timeseries(
        "Buffer cache hit ratio",
        Query(
            f"sum by (datname) ({_rate('pg_stat_database_blks_hit', db)}) / "
            f"(sum by (datname) ({_rate('pg_stat_database_blks_hit', db)}) + "
            f"sum by (datname) ({_rate('pg_stat_database_blks_read', db)}))",
            "{{datname}}",
        ),
        description="Share of block reads served from shared buffers.",
        unit="percentunit",
        maximum=1,
    )
    board.timeseries(
        "Database size",
        Query(f"sum by (datname) (pg_database_size_bytes{{{db}}})", "{{datname}}"),
        description="Size on disk of each database.",
        unit="bytes",
    )

    board.row("Redis")
    board.stat(
        "Redis",
        Query("min(redis_up)"),
        description="Whether redis_exporter reaches Redis.",
        mappings=UP_DOWN,
        thresholds=_thresholds((1, "green"), base="red"),
    )
    board.stat(
        "Clients",
        Query("sum(redis_connected_clients)"),
        description="Client connections open.",
    )
    board.stat(
        "Memory used",
        Query("sum(redis_memory_used_bytes)"),
        description="Memory Redis has allocated.",
        unit="bytes",
    )
    board.stat(
        "Keyspace hit ratio",
        Query(
            f"sum(rate(redis_keyspace_hits_total[{RATE}])) / "
            f"(sum(rate(redis_keyspace_hits_total[{RATE}])) + "
            f"sum(rate(redis_keyspace_misses_total[{RATE}])))"
        ),
        description="Share of key lookups that found their key.",
        unit="percentunit",
        decimals=1,
    )
    board.stat(
        "Evicted keys (1h)",
        Query("sum(increase(redis_evicted_keys_total[1h]))"),
        description="Keys evicted for lack of memory over the last hour.",
        thresholds=_thresholds((1, "orange")),
        decimals=0,
    )
    board.stat(
        "Rejected connections (1h)",
        Query("sum(increase(redis_rejected_connections_total[1h]))"),
        description="Connections refused for reaching maxclients over the last hour.",
        thresholds=_thresholds((1, "red")),
        decimals=0,
    )
    board.timeseries(
        "Clients",
        Query("sum(redis_connected_clients)", "connected"),
        Query("sum(redis_blocked_clients)", "blocked"),
        description="Connected clients, and those blocked in a blocking command.",
    )
    board.timeseries(
        "Memory",
        Query("sum(redis_memory_used_bytes)", "used"),
        Query("sum(redis_memory_max_bytes)", "maxmemory"),
        description="Memory used against maxmemory (0 when no limit is set).",
        unit="bytes",
    )
    board.timeseries(
        "Commands per second",
        Query(f"sum(rate(redis_commands_processed_total[{RATE}]))", "commands"),
        description="Commands Redis processed per second.",
        unit="ops",
    )
    board.timeseries(
        "Keys per database",
        Query("sum by (db) (redis_db_keys)", "{{db}}"),
        description="Keys held in each logical database.",
    )
    return board


BOARDS = (overview, task_queue, auto_apply, ai_usage, data_stores)


def render_all() -> dict[str, str]:
    """File name -> JSON text of every dashboard."""
    files: dict[str, str] = {}
    for build in BOARDS:
        board = build()
        files[f"{board.uid.removeprefix(TAG + '-')}.json"] = (
            json.dumps(board.render(), indent=2, ensure_ascii=False) + "\n"
        )
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the JSON is stale")
    args = parser.parse_args(argv)
    files = render_all()
    stale = sorted(
        name
        for name, text in files.items()
        if not (OUT_DIR / name).is_file() or (OUT_DIR / name).read_text() != text
    )
    extra = sorted(p.name for p in OUT_DIR.glob("*.json") if p.name not in files)
    if args.check:
        for name in stale:
            sys.stderr.write(f"stale: {OUT_DIR / name}\n")
        for name in extra:
            sys.stderr.write(f"not generated: {OUT_DIR / name}\n")
        return 1 if stale or extra else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (OUT_DIR / name).write_text(files[name])
        sys.stdout.write(f"wrote {OUT_DIR / name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

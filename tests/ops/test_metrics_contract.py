"""The metrics contract: every metric and label the alert rules and dashboards use is provided.

Provided means: the running app exports it (the whole platform is built in-process with its
embedded gateway, serves a few requests, and is read through GET /metrics), a listed exporter
exports it (ops/exporter_metrics.py), or a recording rule records it. Metrics registered without
samples yet show only HELP and TYPE on /metrics, so their label names come from the collectors
registered in this process. Every rule expression (deploy/prometheus/rules/*.yml), every panel
query and variable of every dashboard (deploy/grafana/dashboards/*.json) goes through the
checker of ops/promql.py, which follows labels through the expression the way Prometheus does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from jobpilot.kit import migrate
from ops.exporter_metrics import EXPORTER_METRICS, EXPORTERS, SCRAPE_LABELS
from ops.promql import (
    Checker,
    PromQLSyntaxError,
    Rule,
    check_variable_query,
    dashboard_files,
    legend_labels,
    load_rules,
    metric_names,
    panel_queries,
    recorded_series,
    rule_files,
    template_labels,
    variable_expression,
    variable_queries,
)
from support import client_for, make_settings

# The series names each family type exposes, and the label each suffix adds.
_SUFFIXES: Mapping[str, tuple[str, ...]] = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}
_SUFFIX_LABEL = {"_bucket": "le"}


@dataclass(frozen=True)
class AppMetrics:
    """What the running app exports."""

    # Series name -> label names (scrape labels aside).
    series: Mapping[str, frozenset[str]]
    # Series name -> the label-name sets its samples carried after the requests.
    sampled: Mapping[str, frozenset[frozenset[str]]]


def declared_labels() -> dict[str, tuple[str, ...]]:
    """Family name -> label names, from the collectors registered in this process.

    A labelled metric with no child yet has no sample on /metrics, so its label names are read
    from the metric object itself (prometheus_client keeps them in `_labelnames`).
    """
    declared: dict[str, tuple[str, ...]] = {}
    for collector in list(REGISTRY._collector_to_names):
        names = getattr(collector, "_labelnames", None)
        if names is None:
            continue
        # Metric objects describe themselves without collecting (no samples needed).
        for family in collector.describe():  # type: ignore[attr-defined]
            declared[family.name] = tuple(names)
    return declared


def read_exposition(text: str) -> AppMetrics:
    """The series of a /metrics page, each with its label names."""
    declared = declared_labels()
    series: dict[str, frozenset[str]] = {}
    sampled: dict[str, set[frozenset[str]]] = {}
    for family in text_string_to_metric_families(text):
        labels = set(declared.get(family.name, ()))
        for sample in family.samples:
            names = frozenset(sample.labels) - {"le", "quantile"}
            labels |= names
            sampled.setdefault(sample.name, set()).add(names)
        for suffix in _SUFFIXES.get(family.type, ("",)):
            extra = {_SUFFIX_LABEL[suffix]} if suffix in _SUFFIX_LABEL else set()
            if family.type == "summary" and suffix == "":
                extra = {"quantile"}
            series[family.name + suffix] = frozenset(labels | extra)
    return AppMetrics(series, {name: frozenset(sets) for name, sets in sampled.items()})


@pytest.fixture(scope="module")
async def app_metrics(tmp_path_factory: pytest.TempPathFactory) -> AppMetrics:
    """The /metrics page of the whole platform, embedded gateway on, after a few requests."""
    from jobpilot.main import create_app

    root = tmp_path_factory.mktemp("contract")
    with pytest.MonkeyPatch.context() as env:
        for key in list(os.environ):
            # Settings from the developer's environment, and a multi-process metrics directory
            # (the page would then come from its files, not from this process).
            if key.startswith("JOBPILOT_") or key == "PROMETHEUS_MULTIPROC_DIR":
                env.delenv(key)
        env.chdir(root)
        settings = make_settings(root / "var")
        url = f"sqlite+aiosqlite:///{root / 'app.sqlite3'}"
        await asyncio.to_thread(migrate.upgrade, url)
        settings.database.url = url
        settings.gateway.embedded_edge = True
        app = create_app(settings)
        async for client in client_for(app):
            assert (await client.get("/healthz")).status_code == 200
            # Through the edge to the jobs service (open route), and refused at the edge.
            assert (await client.get("/api/v1/jobs/status")).status_code == 200
            assert (await client.get("/api/v1/jobs")).status_code == 401
            page = await client.get("/metrics")
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/plain")
            text = page.text
    return read_exposition(text)


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    """Every rule of deploy/prometheus/rules/*.yml."""
    return load_rules(rule_files())


@pytest.fixture(scope="module")
def catalogue(app_metrics: AppMetrics, rules: list[Rule]) -> dict[str, frozenset[str]]:
    """Every series name something provides, with its label names."""
    provided = {name: labels | SCRAPE_LABELS for name, labels in app_metrics.series.items()}
    for metric in EXPORTER_METRICS:
        provided[metric.name] = metric.labels | SCRAPE_LABELS
    provided.update(recorded_series(rules, provided))
    return provided


def _report(problems: list[str]) -> str:
    return "\n".join(["the metrics contract is broken:", *problems])


# ---------------------------------------------------------------------------------------------
# What the app provides


# The metrics the dashboards and alert rules are written against, with their labels.
APP_CONTRACT = {
    "http_requests_total": {"service", "method", "route", "status"},
    "http_request_duration_seconds_bucket": {"service", "route", "le"},
    "gateway_requests_total": {"service", "route", "method", "status"},
    "gateway_request_duration_seconds_bucket": {"service", "route", "le"},
    "gateway_upstream_duration_seconds_bucket": {"service", "route", "le"},
    "gateway_upstream_healthy": {"service"},
    "gateway_upstream_errors_total": {"service", "reason"},
    "gateway_rate_limit_decisions_total": {"service", "decision"},
    "gateway_bandwidth_bytes_total": {"service", "route", "direction"},
    "jobpilot_task_queue_depth": {"state"},
    "jobpilot_task_duration_seconds_bucket": {"task", "le"},
    "jobpilot_tasks_total": {"task", "status"},
    "job_applications_total": {"ats", "status"},
    "job_application_submissions_started_total": {"ats"},
    "job_application_submit_duration_seconds_bucket": {"ats", "status", "le"},
    "ai_requests_total": {"provider", "task", "status"},
    "ai_tokens_total": {"provider", "task", "kind"},
    "ai_cache_hits_total": {"task"},
}


def test_the_running_app_exports_the_metrics_dashboards_and_alerts_are_written_against(
    app_metrics: AppMetrics,
) -> None:
    found = {name: set(app_metrics.series.get(name, ())) for name in APP_CONTRACT}
    assert found == APP_CONTRACT


def test_the_requests_were_counted_with_the_labels_the_collectors_declare(
    app_metrics: AppMetrics,
) -> None:
    # The requests left samples: the labels the contract reads from the metric objects are the
    # ones the app really writes.
    for name in (
        "http_requests_total",
        "gateway_requests_total",
        "http_request_duration_seconds_bucket",
    ):
        assert app_metrics.sampled.get(name), f"{name} has no sample after the requests"
    for name, label_sets in app_metrics.sampled.items():
        declared = app_metrics.series[name] - {"le", "quantile"}
        assert label_sets == {declared}, name


# ---------------------------------------------------------------------------------------------
# Rules and dashboards against what is provided


def test_there_are_rules_and_dashboards_to_check(rules: list[Rule]) -> None:
    assert rules, "no rules in deploy/prometheus/rules/*.yml"
    assert [q for path in dashboard_files() for q in panel_queries(path)]


def test_every_rule_reads_only_provided_metrics_and_labels(
    rules: list[Rule], catalogue: dict[str, frozenset[str]]
) -> None:
    checker = Checker(catalogue)
    problems = [
        f"{rule.file} / {rule.group} / {rule.name}: {problem}"
        for rule in rules
        for problem in checker.check(rule.expr)
    ]
    assert not problems, _report(problems)


def test_alert_annotations_read_only_labels_the_alert_carries(
    rules: list[Rule], catalogue: dict[str, frozenset[str]]
) -> None:
    checker = Checker(catalogue)
    problems = []
    for rule in rules:
        if rule.kind != "alert" or checker.check(rule.expr):
            continue
        carried = checker.output_labels(rule.expr)
        if carried is None:
            continue
        carried = carried | set(rule.labels)
        for key, text in {**rule.labels, **rule.annotations}.items():
            for label in sorted(template_labels(str(text)) - carried):
                problems.append(
                    f"{rule.file} / {rule.name}: {key} reads $labels.{label}, but the alert "
                    f"carries only {', '.join(sorted(carried - {'__name__'}))}"
                )
    assert not problems, _report(problems)


def test_every_dashboard_query_reads_only_provided_metrics_and_labels(
    catalogue: dict[str, frozenset[str]],
) -> None:
    checker = Checker(catalogue)
    problems = [
        f"{query.where}: {problem}"
        for path in dashboard_files()
        for query in panel_queries(path)
        for problem in checker.check(query.expr)
    ]
    assert not problems, _report(problems)


def test_panel_legends_name_labels_their_query_keeps(
    catalogue: dict[str, frozenset[str]],
) -> None:
    checker = Checker(catalogue)
    problems = []
    for path in dashboard_files():
        for query in panel_queries(path):
            if checker.check(query.expr):
                continue  # reported by the test above
            kept = checker.output_labels(query.expr) or frozenset()
            for label in sorted(legend_labels(query.legend) - kept):
                problems.append(f"{query.where}: legend {{{{{label}}}}} is not on the result")
    assert not problems, _report(problems)


def test_dashboard_variables_read_provided_metrics_and_labels(
    catalogue: dict[str, frozenset[str]],
) -> None:
    checker = Checker(catalogue)
    problems = [
        f"{variable.dashboard} / ${variable.name}: {problem}"
        for path in dashboard_files()
        for variable in variable_queries(path)
        for problem in check_variable_query(checker, variable.query)
    ]
    assert not problems, _report(problems)


def test_the_exporter_list_holds_what_the_rules_and_dashboards_use_and_no_app_metric(
    rules: list[Rule], app_metrics: AppMetrics
) -> None:
    expressions = [rule.expr for rule in rules]
    for path in dashboard_files():
        expressions += [query.expr for query in panel_queries(path)]
        expressions += [variable_expression(v.query) or "" for v in variable_queries(path)]
    used: set[str] = set()
    for expr in expressions:
        with contextlib.suppress(PromQLSyntaxError):  # reported by the tests above
            used |= metric_names(expr)
    names = [m.name for m in EXPORTER_METRICS]
    assert len(names) == len(set(names)), "a metric is listed twice"
    assert sorted(set(names) - used) == [], "listed, but no rule or dashboard uses it"
    assert sorted(set(names) & set(app_metrics.series)) == [], "the app exports these itself"
    assert {m.exporter for m in EXPORTER_METRICS} <= EXPORTERS


# ---------------------------------------------------------------------------------------------
# The checker finds what nothing provides


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            "rate(jobpilot_made_up_total[5m]) > 0",
            "metric 'jobpilot_made_up_total': nothing provides",
        ),
        (
            'sum(rate(http_requests_total{servce="jobs"}[5m]))',
            "metric 'http_requests_total' has no label 'servce'",
        ),
        (
            "sum by (tenant) (rate(ai_requests_total[5m]))",
            "sum by (tenant): label 'tenant' is not on ai_requests_total",
        ),
        (
            "sum without (region) (jobpilot_task_queue_depth)",
            "sum without (region): label 'region' is not on jobpilot_task_queue_depth",
        ),
        (
            "histogram_quantile(0.95, "
            "sum by (service) (rate(http_request_duration_seconds_bucket[5m])))",
            "histogram_quantile(): label 'le' is not on",
        ),
        (
            "sum by (service) (rate(http_requests_total[5m])) / on (service, route) "
            "sum by (service) (rate(gateway_requests_total[5m]))",
            "label 'route' is not on http_requests_total",
        ),
        (
            "sum by (service) (rate(http_requests_total[5m])) * on (service) group_left (owner) "
            "max by (service) (gateway_upstream_healthy)",
            "group_left: label 'owner' is not on gateway_upstream_healthy",
        ),
        (
            "sum by (service) (rate(http_requests_total[5m])) / sum(rate(http_requests_total[5m]))",
            "no series can match",
        ),
        ("rate(ai_tokens_total{kind='prompt'}[5m]) / made_up:recorded:ratio", "nothing provides"),
        ("smooth(rate(ai_tokens_total[5m]))", "unknown function smooth()"),
        ("sum(rate(ai_tokens_total[5m])", "cannot read the expression"),
    ],
)
def test_the_checker_reports_what_nothing_provides(
    catalogue: dict[str, frozenset[str]], expr: str, expected: str
) -> None:
    problems = Checker(catalogue).check(expr)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "expr",
    [
        'sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"$service"}'
        "[$__rate_interval]))",
        'sum(rate(ai_requests_total{provider=~"${provider}"}[$__range])) offset 1h',
        "max by (state) (jobpilot_task_queue_depth) > bool 10",
        'label_replace(up{service=""} == 0, "service", "$1", "job", "(.*)")',
        "topk(5, sum by (task) (rate(jobpilot_tasks_total[1h:5m])))",
        "sum(increase(job_applications_total[1h])) or vector(0)",
    ],
)
def test_the_checker_accepts_what_is_provided(
    catalogue: dict[str, frozenset[str]], expr: str
) -> None:
    assert Checker(catalogue).check(expr) == []


_SMALL = {
    "a_total": frozenset({"service", "route", "job"}),
    "b": frozenset({"service", "owner"}),
    "h_bucket": frozenset({"service", "le"}),
}


@pytest.mark.parametrize(
    ("expr", "labels"),
    [
        ("sum by (service) (rate(a_total[5m]))", {"service"}),
        ("sum without (route) (rate(a_total[5m]))", {"service", "job"}),
        ("topk(3, sum by (service, route) (rate(a_total[5m])))", {"service", "route"}),
        ("histogram_quantile(0.9, sum by (service, le) (rate(h_bucket[5m])))", {"service"}),
        ("sum by (service) (a_total) / on (service) group_left (owner) b", {"service", "owner"}),
        (
            "sum by (service, route) (a_total) / on (service) sum by (service) (a_total)",
            {"service"},
        ),
        (
            'label_replace(sum by (route) (a_total), "path", "$1", "route", "(.*)")',
            {"route", "path"},
        ),
        ('absent(a_total{service="jobs", route=~"/x.*"})', {"service"}),
        ('count_values("value", sum by (service) (a_total))', {"value"}),
        ("sum(a_total) > 3", set()),
    ],
)
def test_the_checker_follows_labels_through_an_expression(expr: str, labels: set[str]) -> None:
    checker = Checker(_SMALL)
    assert checker.check(expr) == []
    assert checker.output_labels(expr) == frozenset(labels)


def test_recording_rules_provide_what_their_expressions_keep_in_any_order() -> None:
    def record(name: str, expr: str, **labels: str) -> Rule:
        return Rule("r.yml", "g", name, "record", expr, labels, {})

    rules = [
        # Reads the next rule's output, defined after it.
        record("service:a:ratio", "service_route:a:rate5m / on (service) group_left b"),
        record("service_route:a:rate5m", "sum by (service, route) (rate(a_total[5m]))", tier="1"),
    ]
    assert recorded_series(rules, _SMALL) == {
        "service_route:a:rate5m": frozenset({"service", "route", "tier"}),
        "service:a:ratio": frozenset({"service", "route", "tier"}),
    }


def test_exposition_pages_map_suffixes_to_their_family() -> None:
    page = "\n".join(
        [
            "# HELP t_seconds Time.",
            "# TYPE t_seconds histogram",
            't_seconds_bucket{le="1.0",task="x"} 1.0',
            't_seconds_bucket{le="+Inf",task="x"} 1.0',
            't_seconds_count{task="x"} 1.0',
            't_seconds_sum{task="x"} 0.5',
            "# HELP n_total Things.",
            "# TYPE n_total counter",
            "# HELP g A gauge.",
            "# TYPE g gauge",
            "g 1.0",
            "",
        ]
    )
    found = read_exposition(page)
    assert found.series["t_seconds_bucket"] == {"task", "le"}
    assert found.series["t_seconds_sum"] == found.series["t_seconds_count"] == {"task"}
    assert "n_total" in found.series
    assert found.series["g"] == frozenset()


def test_rule_files_are_read_from_the_standard_format(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text(
        "groups:\n"
        "  - name: g\n"
        "    rules:\n"
        "      - record: job:up:sum\n"
        "        expr: sum by (job) (up)\n"
        "      - alert: Down\n"
        "        expr: job:up:sum == 0\n"
        "        labels: {severity: critical}\n"
        "        annotations: {summary: '{{ $labels.job }} is down'}\n"
    )
    (tmp_path / "y.yaml").write_text(
        "groups:\n"
        "  - name: h\n"
        "    rules:\n"
        "      - alert: Made\n"
        "        expr: sum by (service) (rate(made_up_total[5m])) > 0\n"
    )
    loaded = load_rules(rule_files(tmp_path))
    assert [(r.kind, r.name) for r in loaded] == [
        ("record", "job:up:sum"),
        ("alert", "Down"),
        ("alert", "Made"),
    ]
    assert template_labels(loaded[1].annotations["summary"]) == {"job"}
    provided = {"up": frozenset({"job", "instance"})}
    provided |= recorded_series(loaded, provided)
    assert provided["job:up:sum"] == {"job"}
    checker = Checker(provided)
    assert [checker.check(r.expr) for r in loaded] == [
        [],
        [],
        ["metric 'made_up_total': nothing provides it"],
    ]

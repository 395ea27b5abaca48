"""Alerting: Prometheus rules, their promtool unit tests, Alertmanager routing, runbooks.

promtool (Debian `prometheus` 2.42) checks and unit-tests the rules; amtool and Alertmanager
(Debian `prometheus-alertmanager` 0.25) check the configuration, resolve each row of the routing
table, and show inhibition on a real Alertmanager listening on 127.0.0.1 with its receivers
emptied (nothing is ever sent). Without the binaries these tests skip, and fail under CI=true.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from support import IN_CI

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RULES_FILE = PROMETHEUS_DIR / "rules" / "jobpilot-alerts.yml"
PROMETHEUSRULE_FILE = PROMETHEUS_DIR / "prometheusrule.yaml"
GENERATOR = PROMETHEUS_DIR.parents[1] / "scripts" / "prometheus_rule.py"
PROMTOOL_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
ALERTMANAGER_DIR = ROOT / "deploy" / "alertmanager"
ALERTMANAGER_CONFIG = ALERTMANAGER_DIR / "alertmanager.yml"
ROUTES_TABLE = ALERTMANAGER_DIR / "routes-test.tsv"
RUNBOOKS_DIR = ROOT / "docs" / "runbooks"
RUNBOOK_BASE = "https://github.com/jobpilot/jobpilot/blob/main/docs/runbooks/"

SEVERITIES = {"critical", "warning", "ticket"}
RUNBOOK_SECTIONS = ("Meaning", "Confirm", "Likely causes", "Mitigation", "Escalation")
SECRETS_DIR = "/etc/alertmanager/secrets/"
CRITICAL = ["slack-platform-critical", "email-oncall", "pagerduty-oncall"]
DEBIAN_PACKAGE = {
    "promtool": "prometheus",
    "amtool": "prometheus-alertmanager",
    "prometheus-alertmanager": "prometheus-alertmanager",
}


def require_binary(name: str) -> str:
    """The path of `name`; skip without it, or fail under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} is not installed (Debian {DEBIAN_PACKAGE[name]}; `make install` adds it)"
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true it must be present")
    pytest.skip(reason)


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def squash(expr: str) -> str:
    """`expr` with every run of whitespace made one space, to compare expressions."""
    return " ".join(expr.split())


def rule_groups() -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = load_yaml(RULES_FILE)["groups"]
    return groups


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in rule_groups() for rule in group["rules"] if "alert" in rule]


def alert_names() -> list[str]:
    return sorted({rule["alert"] for rule in alert_rules()})


def runbook_path(url: str) -> Path:
    """The file under docs/runbooks/ that a runbook_url shows on GitHub."""
    assert url.startswith(RUNBOOK_BASE), url
    return RUNBOOKS_DIR / url.removeprefix(RUNBOOK_BASE)


def runbook_promql(text: str) -> list[str]:
    return re.findall(r"```promql\n(.*?)```", text, flags=re.DOTALL)


def runbook_sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)


# --- Prometheus rules ---------------------------------------------------------------------


def test_promtool_accepts_the_rule_file() -> None:
    promtool = require_binary("promtool")
    result = run(promtool, "check", "rules", RULES_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("test_file", PROMTOOL_TESTS, ids=lambda p: p.name)
def test_promtool_unit_tests_pass(test_file: Path) -> None:
    promtool = require_binary("promtool")
    result = run(promtool, "test", "rules", test_file.name, cwd=test_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_firing_and_a_silent_case_with_its_labels() -> None:
    firing: dict[str, int] = {}
    silent: dict[str, int] = {}
    for test_file in PROMTOOL_TESTS:
        for group in load_yaml(test_file)["tests"]:
            for case in group.get("alert_rule_test", []):
                name = case["alertname"]
                expected = case.get("exp_alerts") or []
                if not expected:
                    silent[name] = silent.get(name, 0) + 1
                    continue
                firing[name] = firing.get(name, 0) + 1
                for alert in expected:
                    # promtool compares the full label set, so these prove the rule emits them.
                    labels = alert["exp_labels"]
                    assert labels["severity"] in SEVERITIES, (name, labels)
                    assert labels.get("service"), (name, labels)
    names = set(alert_names())
    assert names <= set(firing), f"no firing case for {sorted(names - set(firing))}"
    assert names <= set(silent), f"no silent case for {sorted(names - set(silent))}"
    assert set(firing) | set(silent) <= names, "a promtool test names an alert that is gone"


def test_promtool_tests_evaluate_recording_rules_before_alerts() -> None:
    # Without group_eval_order promtool evaluates groups in random order, and an alert reading a
    # recorded ratio sometimes sees the previous step's value.
    order = [group["name"] for group in rule_groups()]
    assert order[0] == "jobpilot-slo-recording"
    for test_file in PROMTOOL_TESTS:
        document = load_yaml(test_file)
        assert document["group_eval_order"] == order, test_file.name
        assert document["rule_files"] == ["../rules/jobpilot-alerts.yml"], test_file.name


def test_the_plans_cpu_expression_is_kept_and_shown_silent_where_the_fix_fires() -> None:
    text = RULES_FILE.read_text(encoding="utf-8")
    pattern = r"# The plan's expression was\n(.*?)\n\s*# which can never fire"
    comment = re.search(pattern, text, flags=re.DOTALL)
    assert comment, "HighCPUUsage lost the comment with the plan's expression"
    plan = squash(" ".join(line.strip().lstrip("#") for line in comment[1].splitlines()))
    assert "> 85" in plan

    cases = load_yaml(PROMETHEUS_DIR / "tests" / "kubernetes.yml")["tests"]
    proof = next(group for group in cases if "plan's expression stays silent" in group["name"])
    silent = [test for test in proof["promql_expr_test"] if squash(test["expr"]) == plan]
    assert silent, "kubernetes.yml no longer evaluates the plan's expression"
    assert silent[0]["exp_samples"] == []
    fired = [case for case in proof["alert_rule_test"] if case["alertname"] == "HighCPUUsage"]
    assert any(case["exp_alerts"] for case in fired)
    assert silent[0]["eval_time"] in {case["eval_time"] for case in fired if case["exp_alerts"]}

    # And the container of that case does run at 90% of its quota.
    def values(name: str) -> str:
        series = proof["input_series"]
        return str(next(s["values"] for s in series if s["series"].startswith(name + "{")))

    cores = float(values("container_spec_cpu_quota").split("x")[0]) / float(
        values("container_spec_cpu_period").split("x")[0]
    )
    per_minute = float(values("container_cpu_usage_seconds_total").split("+")[1].split("x")[0])
    assert per_minute / 60 / cores == pytest.approx(0.9)


def test_every_alert_is_labelled_and_annotated() -> None:
    for rule in alert_rules():
        name = rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, name
        annotations = rule["annotations"]
        assert annotations["summary"].strip(), name
        assert annotations["description"].strip(), name
        assert annotations["runbook_url"] == f"{RUNBOOK_BASE}{name}.md", name


def test_the_prometheusrule_is_generated_from_the_rule_file() -> None:
    spec = importlib.util.spec_from_file_location("generate_prometheusrule", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    rendered = generator.render(RULES_FILE.read_text(encoding="utf-8"))
    assert PROMETHEUSRULE_FILE.read_text(encoding="utf-8") == rendered, (
        "prometheusrule.yaml is stale: run python3 scripts/prometheus_rule.py"
    )
    resource = load_yaml(PROMETHEUSRULE_FILE)
    assert resource["apiVersion"] == "monitoring.coreos.com/v1"
    assert resource["kind"] == "PrometheusRule"
    assert resource["metadata"]["name"] == "jobpilot-alerts"
    assert set(resource["spec"]) == {"groups"}
    assert resource["spec"]["groups"] == rule_groups()


# --- Runbooks -----------------------------------------------------------------------------


def test_every_alert_has_its_runbook_and_every_runbook_an_alert() -> None:
    pages = {path.stem for path in RUNBOOKS_DIR.glob("*.md")} - {"README"}
    for rule in alert_rules():
        page = runbook_path(rule["annotations"]["runbook_url"])
        assert page.is_file(), f"{rule['alert']}: no runbook at {page.relative_to(ROOT)}"
    assert pages == set(alert_names()), "a runbook page without an alert"
    index = (RUNBOOKS_DIR / "README.md").read_text(encoding="utf-8")
    for name in alert_names():
        assert f"]({name}.md)" in index, f"docs/runbooks/README.md does not link {name}"


@pytest.mark.parametrize("name", alert_names())
def test_a_runbook_has_every_section_and_the_alerts_exact_expression(name: str) -> None:
    text = (RUNBOOKS_DIR / f"{name}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {name}\n")
    assert tuple(runbook_sections(text)) == RUNBOOK_SECTIONS
    severities = {rule["labels"]["severity"] for rule in alert_rules() if rule["alert"] == name}
    header = text.split("\n\n", 2)[1]
    assert all(severity in header for severity in severities), header
    blocks = {squash(block) for block in runbook_promql(text)}
    for rule in alert_rules():
        if rule["alert"] == name:
            assert squash(rule["expr"]) in blocks, f"{name}.md lacks the expression {rule['expr']}"


def test_the_runbooks_promql_is_valid(tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    rules = []
    for page in sorted(RUNBOOKS_DIR.glob("*.md")):
        for number, block in enumerate(runbook_promql(page.read_text(encoding="utf-8"))):
            rules.append({"record": f"runbook:{page.stem}:{number}", "expr": block})
    assert len(rules) > len(alert_names())
    check = tmp_path / "runbook-queries.yml"
    check.write_text(yaml.safe_dump({"groups": [{"name": "runbooks", "rules": rules}]}))
    result = run(promtool, "check", "rules", check)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Alertmanager -------------------------------------------------------------------------


def routes_table() -> list[tuple[list[str], list[str]]]:
    rows = []
    lines = ROUTES_TABLE.read_text(encoding="utf-8").splitlines()
    data = [line for line in lines if line.strip() and not line.startswith("#")]
    assert data[0] == "labels\treceivers"
    for line in data[1:]:
        labels, receivers = line.split("\t")
        rows.append((labels.split(), receivers.split(",")))
    return rows


def test_amtool_accepts_the_configuration() -> None:
    amtool = require_binary("amtool")
    result = run(amtool, "check-config", ALERTMANAGER_CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "1 templates" in result.stdout


@pytest.mark.parametrize(
    ("labels", "receivers"), routes_table(), ids=lambda value: " ".join(value).replace(",", "+")
)
def test_an_alert_reaches_the_receivers_of_the_routing_table(
    labels: list[str], receivers: list[str]
) -> None:
    amtool = require_binary("amtool")
    result = run(
        amtool,
        "config",
        "routes",
        "test",
        f"--config.file={ALERTMANAGER_CONFIG}",
        f"--verify.receivers={','.join(receivers)}",
        *labels,
    )
    assert result.stdout.splitlines()[0].split(",") == receivers, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_routing_table_covers_every_severity_and_service_of_the_rules() -> None:
    table = [dict(label.split("=", 1) for label in labels) for labels, _ in routes_table()]
    severities = {rule["labels"]["severity"] for rule in alert_rules()}
    services = {rule["labels"]["service"] for rule in alert_rules() if "service" in rule["labels"]}
    http = {"auth", "users", "jobs", "resumes", "ai", "auto-apply", "notifications", "analytics"}
    for severity in severities:
        covered = {row.get("service") for row in table if row.get("severity") == severity}
        assert services | http | {"gateway", None} <= covered, severity
    for name in alert_names():
        assert any(row.get("alertname") == name for row in table), name


def test_the_route_groups_and_repeats_as_planned() -> None:
    config = load_yaml(ALERTMANAGER_CONFIG)
    route = config["route"]
    assert route["group_by"] == ["alertname", "severity"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == (
        "30s",
        "5m",
        "4h",
    )
    critical = [r for r in route["routes"] if r["matchers"] == ['severity="critical"']]
    assert [r["receiver"] for r in critical] == CRITICAL
    assert [r.get("continue", False) for r in critical] == [True, True, False]
    channels = {
        receiver["name"]: receiver["slack_configs"][0]["channel"]
        for receiver in config["receivers"]
        if "slack_configs" in receiver
    }
    assert channels == {
        "slack-platform-critical": "#platform-critical",
        "slack-platform-warnings": "#platform-warnings",
        "slack-platform-alerts": "#platform-alerts",
    }


def test_no_secret_is_written_in_the_configuration() -> None:
    config = load_yaml(ALERTMANAGER_CONFIG)
    secret_keys = {"api_url", "routing_key", "service_key", "auth_password", "auth_secret"}
    global_keys = {"slack_api_url", "smtp_auth_password", "smtp_auth_secret", "opsgenie_api_key"}
    assert not global_keys & set(config["global"])
    assert config["global"]["smtp_auth_password_file"].startswith(SECRETS_DIR)
    files = [config["global"]["smtp_auth_password_file"]]
    for receiver in config["receivers"]:
        for key, integrations in receiver.items():
            if key == "name":
                continue
            for integration in integrations:
                assert not secret_keys & set(integration), (receiver["name"], integration)
                files += [v for k, v in integration.items() if k.endswith("_file")]
    assert all(path.startswith(SECRETS_DIR) for path in files), files
    assert len(set(files)) == 5
    readme = (ALERTMANAGER_DIR / "README.md").read_text(encoding="utf-8")
    for path in files:
        assert f"`{path.removeprefix(SECRETS_DIR)}`" in readme, f"{path} is not documented"


def test_the_notification_templates_render_an_alert_with_its_runbook(tmp_path: Path) -> None:
    amtool = require_binary("amtool")
    url = f"{RUNBOOK_BASE}HighErrorRate.md"

    def alert(service: str, share: str) -> dict[str, Any]:
        return {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "severity": "critical", "service": service},
            "annotations": {
                "summary": f"{service}: {share} of requests fail with 5xx",
                "description": "More than 5% of the HTTP requests ...",
                "runbook_url": url,
            },
            "startsAt": "2025-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://127.0.0.1:9090/graph",
            "fingerprint": service,
        }

    data = {
        "receiver": "slack-platform-critical",
        "status": "firing",
        "alerts": [alert("auth", "10%"), alert("jobs", "7%")],
        "groupLabels": {"alertname": "HighErrorRate", "severity": "critical"},
        "commonLabels": {"alertname": "HighErrorRate", "severity": "critical"},
        "commonAnnotations": {"runbook_url": url},
        "externalURL": "http://127.0.0.1:9093",
    }
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(data))

    def render(template: str) -> str:
        result = run(
            amtool,
            "template",
            "render",
            f"--template.glob={ALERTMANAGER_DIR / 'templates' / '*.tmpl'}",
            f"--template.data={data_file}",
            f'--template.text={{{{ template "{template}" . }}}}',
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert render("jobpilot.title") == "[FIRING:2] HighErrorRate (critical): auth, jobs"
    assert render("jobpilot.runbook") == url
    assert render("jobpilot.slack.color") == "danger"
    text = render("jobpilot.text")
    assert "auth: 10% of requests fail with 5xx" in text
    assert "Labels: service=jobs severity=critical" in text
    assert text.count(f"Runbook: {url}") == 2


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[httpx.Client]:
    """A real Alertmanager on 127.0.0.1 with this route and these inhibit rules, and receivers
    that have no integrations, so that it can never send anything."""
    binary = require_binary("prometheus-alertmanager")
    config = load_yaml(ALERTMANAGER_CONFIG)
    config["receivers"] = [{"name": receiver["name"]} for receiver in config["receivers"]]
    config.pop("templates")
    config_file = tmp_path / "alertmanager.yml"
    config_file.write_text(yaml.safe_dump(config))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config_file}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=5)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if client.get("/-/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Alertmanager did not become ready"
            time.sleep(0.1)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


@pytest.mark.slow
def test_a_critical_alert_inhibits_the_warning_and_ticket_of_its_alertname_and_service(
    alertmanager: httpx.Client,
) -> None:
    now = datetime.now(UTC)
    burn = "AvailabilityErrorBudgetBurn"
    sent = [
        # case, alertname, severity, service, inhibited
        ("page", burn, "critical", "jobs", False),
        ("ticket, same service", burn, "ticket", "jobs", True),
        ("ticket, other service", burn, "ticket", "users", False),
        ("critical", "QueueBacklog", "critical", "jobs", False),
        ("warning, same service", "QueueBacklog", "warning", "jobs", True),
        ("warning, other service", "QueueBacklog", "warning", "auth", False),
        ("warning, other alertname", "HighLatency", "warning", "jobs", False),
    ]
    payload = [
        {
            "labels": {"alertname": name, "severity": severity, "service": service, "case": case},
            "annotations": {"summary": case},
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(hours=1)).isoformat(),
        }
        for case, name, severity, service, _ in sent
    ]
    assert alertmanager.post("/api/v2/alerts", json=payload).status_code == 200

    expected = {case: inhibited for case, *_, inhibited in sent}
    deadline = time.monotonic() + 15
    while True:
        alerts = alertmanager.get("/api/v2/alerts").json()
        seen = {alert["labels"]["case"]: bool(alert["status"]["inhibitedBy"]) for alert in alerts}
        if seen == expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert seen == expected
    states = {alert["labels"]["case"]: alert["status"]["state"] for alert in alerts}
    assert states == {
        case: "suppressed" if inhibited else "active" for case, inhibited in expected.items()
    }

"""Write prometheusrule.yaml: the groups of rules/jobpilot-alerts.yml in a PrometheusRule.

The plain rule file is the source (promtool checks and unit-tests it; Grafana dashboards and a
bare Prometheus load it). The Prometheus operator needs the same groups wrapped in its
PrometheusRule resource; this copies them textually, comments included, under `spec:`.

    python3 scripts/prometheus_rule.py          # rewrite the file
    python3 scripts/prometheus_rule.py --check  # exit 1 when it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "deploy" / "prometheus"
RULES_FILE = HERE / "rules" / "jobpilot-alerts.yml"
OUTPUT_FILE = HERE / "prometheusrule.yaml"

HEADER = """\
# Generated from deploy/prometheus/rules/jobpilot-alerts.yml by
# `python3 scripts/prometheus_rule.py`: do not edit.
#
# For the Prometheus operator: its Prometheus resource loads this when its ruleSelector matches
# these labels (e.g. `ruleSelector: {matchLabels: {app.kubernetes.io/part-of: jobpilot}}`; with
# kube-prometheus-stack, add the chart's `release` label or set
# `ruleSelectorNilUsesHelmValues: false`) and its ruleNamespaceSelector this namespace.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: jobpilot-alerts
  labels:
    app.kubernetes.io/name: jobpilot-alerts
    app.kubernetes.io/part-of: jobpilot
    role: alert-rules
spec:
"""


def render(rules_text: str) -> str:
    """The PrometheusRule document for the rule file `rules_text`."""
    lines = rules_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("groups:"))
    body = "".join(f"  {line}\n" if line.strip() else "\n" for line in lines[start:])
    return HEADER + body


def main(argv: list[str]) -> int:
    expected = render(RULES_FILE.read_text(encoding="utf-8"))
    if "--check" in argv:
        current = OUTPUT_FILE.read_text(encoding="utf-8") if OUTPUT_FILE.exists() else ""
        if current != expected:
            sys.stderr.write(f"{OUTPUT_FILE} is stale: run python3 {Path(__file__).as_posix()}\n")
            return 1
        return 0
    OUTPUT_FILE.write_text(expected, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

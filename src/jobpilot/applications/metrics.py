"""Prometheus metrics of auto-apply (the alert rules and dashboards use these names)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# One per finished submission attempt: status is success, failed, needs_user_input or unknown.
# LowApplicationSuccessRate divides status="success" by the total.
JOB_APPLICATIONS = Counter(
    "job_applications_total",
    "Submission attempts by ATS and outcome (success, failed, needs_user_input, unknown).",
    ["ats", "status"],
)
SUBMIT_DURATION = Histogram(
    "job_application_submit_duration_seconds",
    "Time from opening the form (or the API call) to the outcome, by ATS and outcome.",
    ["ats", "status"],
    buckets=(0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300),
)
SUBMISSIONS_IN_FLIGHT = Counter(
    "job_application_submissions_started_total",
    "Submission attempts started, by ATS (compare with job_applications_total).",
    ["ats"],
)

# The metric's status for each outcome status.
METRIC_STATUS = {
    "submitted": "success",
    "failed": "failed",
    "needs_user_input": "needs_user_input",
    "unknown": "unknown",
}

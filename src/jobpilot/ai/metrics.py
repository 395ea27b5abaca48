"""Prometheus metrics of the ai service (the alert rules and dashboards use these names)."""

from __future__ import annotations

from prometheus_client import Counter

# One per writing request: status is success, error or rate_limited (the provider's limit).
AI_REQUESTS = Counter(
    "ai_requests_total",
    "Writing requests (extract, tailor, cover_letter, answers) by provider and outcome.",
    ["provider", "task", "status"],
)
AI_TOKENS = Counter(
    "ai_tokens_total",
    "Language-model tokens spent, by provider, task and kind (prompt or completion).",
    ["provider", "task", "kind"],
)
AI_CACHE_HITS = Counter(
    "ai_cache_hits_total",
    "Language-model answers served from the cache instead of a model call.",
    ["task"],
)

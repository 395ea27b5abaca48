"""What a server asks an outbound client to wait before trying again."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from jobpilot.kit.clock import utcnow


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); None
    when the headers ask for nothing readable. `headers` looks names up case-insensitively
    (httpx's and Starlette's headers do)."""
    millis = _seconds(headers.get("retry-after-ms", ""))
    if millis is not None:
        return millis / 1000
    value = (headers.get("retry-after") or "").strip()
    seconds = _seconds(value)
    if seconds is not None or not value:
        return seconds
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - utcnow()).total_seconds())


def _seconds(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return max(0.0, number) if math.isfinite(number) else None


def backoff(base: float, attempt: int) -> float:
    """Seconds to wait before retry `attempt` (0-based): `base` doubled per attempt, plus up to
    half as much again of random jitter so that clients do not retry in step."""
    delay: float = base * 2**attempt
    return delay + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret

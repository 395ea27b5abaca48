"""Structured logging: one JSON object per line, carrying the request id and trace ids."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any, TypeVar

from opentelemetry import trace

request_id_var: ContextVar[str | None] = ContextVar("jobpilot_request_id", default=None)

REDACTED = "[redacted]"
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)

# Everything a LogRecord carries by itself; anything else on a record came from `extra=`.
# uvicorn adds `color_message`, an ANSI-coloured duplicate of the message.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
_CONTEXT_ATTRS = ("request_id", "trace_id", "span_id")
_BASE_KEYS = frozenset({"ts", "level", "logger", "message", "service", *_CONTEXT_ATTRS})
_OWNED = "_jobpilot_owned"

# uvicorn's own loggers propagate to ours; its access logger is replaced by jobpilot.access.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi")
_UVICORN_ACCESS = "uvicorn.access"

_V = TypeVar("_V")


def current_request_id() -> str | None:
    """The id of the request being handled in this context, if any."""
    return request_id_var.get()


def redact(mapping: Mapping[str, _V]) -> dict[str, _V | str]:
    """A copy of `mapping` (e.g. headers) with credential-bearing entries replaced."""
    return {
        key: REDACTED if key.lower() in SENSITIVE_HEADERS else value
        for key, value in mapping.items()
    }


class ContextFilter(logging.Filter):
    """Stamps records with the service, request id and active trace/span ids."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        # Runs in the emitting thread/task, so the contextvars and span are the caller's.
        if not hasattr(record, "service"):
            record.service = self.service
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "trace_id", None) is None:
            context = trace.get_current_span().get_span_context()
            if context.is_valid:
                record.trace_id = format(context.trace_id, "032x")
                record.span_id = format(context.span_id, "016x")
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _RECORD_ATTRS and key not in _BASE_KEYS and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": getattr(record, "service", None),
        }
        for key in _CONTEXT_ATTRS:
            value = getattr(record, key, None)
            if value is not None:
                payload[key] = value
        payload.update(_extras(record))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        try:
            return json.dumps(payload, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            # Non-string keys or cycles in an extra value: degrade that value, keep the line.
            return json.dumps({k: _safe(v) for k, v in payload.items()}, ensure_ascii=False)


def _safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class TextFormatter(logging.Formatter):
    """A readable single-line format for a developer's terminal."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [_timestamp(record), f"{record.levelname:<7}", record.name]
        request_id = getattr(record, "request_id", None)
        if request_id:
            parts.append(f"[{request_id}]")
        parts.append(record.getMessage())
        parts.extend(f"{key}={value}" for key, value in _extras(record).items())
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _StderrHandler(logging.StreamHandler[IO[str]]):
    """Writes to whatever sys.stderr is at emit time (so test capture and redirects work)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> IO[str]:  # type: ignore[override]
        return sys.stderr


def configure_logging(
    level: str = "INFO",
    json_output: bool = True,
    service: str = "jobpilot",
    stream: IO[str] | None = None,
) -> None:
    """Route stdlib (and uvicorn) logging to one handler; safe to call again to reconfigure."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _OWNED, False):
            root.removeHandler(existing)
    handler: logging.Handler = _StderrHandler() if stream is None else logging.StreamHandler(stream)
    setattr(handler, _OWNED, True)
    handler.addFilter(ContextFilter(service))
    handler.setFormatter(JsonFormatter() if json_output else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())

    for name in _UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
    access = logging.getLogger(_UVICORN_ACCESS)
    access.handlers.clear()
    access.propagate = False
    access.disabled = True

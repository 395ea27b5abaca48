"""Request ids, metrics, access logs, tracing and the JSON error shape, seen from a client."""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.telemetry import TelemetryConfig
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from jobpilot.kit.errors import NotFound
from jobpilot.kit.http import (
    BodySizeLimitMiddleware,
    ObservabilityMiddleware,
    install_error_handlers,
)
from jobpilot.kit.logging import configure_logging, redact
from jobpilot.kit.metrics import metrics_router, render_metrics
from jobpilot.kit.tracing import (
    fastapi_telemetry,
    setup_tracing,
    shutdown_tracing,
)
from support import assert_error

SRC = Path(__file__).resolve().parents[2] / "src"
SECRET_INPUT = "hunter2-do-not-echo"


class ItemMissing(NotFound):
    code = "item_not_found"
    default_message = "No such item."


class ItemIn(BaseModel):
    name: str
    quantity: int


def service_for(path: str) -> str | None:
    return "items" if path.startswith("/items") else None


def build_app(
    *, max_body_bytes: int | None = None, telemetry: TelemetryConfig | None = None
) -> FastAPI:
    app = FastAPI(telemetry=telemetry)
    install_error_handlers(app)
    app.include_router(metrics_router)
    log = logging.getLogger("tests.observability")

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, Any]:
        log.info("reading item", extra={"item_id": item_id})
        return {"id": item_id}

    @app.post("/items")
    async def create_item(item: ItemIn) -> dict[str, Any]:
        return {"name": item.name, "quantity": item.quantity}

    @app.get("/missing/{item_id}")
    async def missing(item_id: int) -> None:
        raise ItemMissing(details={"item_id": item_id})

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals at /srv/app.py line 3")

    @app.get("/busy")
    async def busy() -> None:
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for index in range(3):
                yield f"chunk{index};".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    if max_body_bytes is not None:
        app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(
        ObservabilityMiddleware, default_service="test", service_for_path=service_for
    )
    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return build_app(max_body_bytes=1024)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Our JSON logs go to a buffer for the test; the previous logging setup comes back after."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    uvicorn_access = logging.getLogger("uvicorn.access")
    saved_access = (
        list(uvicorn_access.handlers),
        uvicorn_access.propagate,
        uvicorn_access.disabled,
    )
    stream = io.StringIO()
    configure_logging(level="INFO", json_output=True, service="jobpilot-test", stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    uvicorn_access.handlers[:], uvicorn_access.propagate, uvicorn_access.disabled = saved_access


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


# --- error shape -----------------------------------------------------------------------------


async def test_malformed_json_is_a_400_invalid_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/items", content=b'{"name": "x", ', headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 400, "invalid_json")
    assert error["details"][0]["type"] == "json_invalid"


async def test_validation_error_lists_fields_without_echoing_input(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/items", json={"name": "widget", "quantity": SECRET_INPUT})
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == [
        {
            "loc": ["body", "quantity"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]
    assert SECRET_INPUT not in response.text


async def test_unknown_route_is_404_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")
    assert_error(response, 404, "not_found")


async def test_wrong_method_is_405_with_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.delete("/items/3")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_domain_error_keeps_its_status_code_and_details(client: httpx.AsyncClient) -> None:
    response = await client.get("/missing/7")
    error = assert_error(response, 404, "item_not_found")
    assert error["message"] == "No such item."
    assert error["details"] == {"item_id": 7}


async def test_unexpected_exception_is_a_generic_500_with_request_id(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/boom", headers={"X-Request-ID": "boom-req-1"})
    error = assert_error(response, 500, "internal_error")
    assert error["details"] == {"request_id": "boom-req-1"}
    assert response.headers["x-request-id"] == "boom-req-1"
    for leak in ("Traceback", "RuntimeError", "secret internals", "app.py"):
        assert leak not in response.text
    # ...while the server log has the whole story, tied to the request id.
    [logged] = [line for line in log_lines(log_stream) if line["level"] == "ERROR"]
    assert logged["request_id"] == "boom-req-1"
    assert "RuntimeError: secret internals" in logged["exception"]


async def test_locked_database_is_a_503_to_retry(client: httpx.AsyncClient) -> None:
    response = await client.get("/busy")
    assert_error(response, 503, "database_busy")
    assert response.headers["retry-after"] == "1"


async def test_oversized_body_is_413_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "x" * 2000, "quantity": 1})
    assert_error(response, 413, "payload_too_large")

    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 400

    response = await client.post(
        "/items", content=chunked(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "payload_too_large")


async def test_streaming_responses_pass_through(client: httpx.AsyncClient) -> None:
    response = await client.get("/stream")
    assert response.status_code == 200
    assert response.text == "chunk0;chunk1;chunk2;"
    assert response.headers["x-request-id"]


# --- request ids ------------------------------------------------------------------------------


async def test_request_id_is_echoed_when_sane(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/1", headers={"X-Request-ID": "abc-123.x:y_z"})
    assert response.headers["x-request-id"] == "abc-123.x:y_z"


@pytest.mark.parametrize(
    "incoming",
    [b"", b"has space", b"back\\slash", b"x" * 129, b"<script>", "\u00fcn\u00efcode".encode()],
)
async def test_insane_request_ids_are_replaced(client: httpx.AsyncClient, incoming: bytes) -> None:
    response = await client.get("/items/1", headers={b"X-Request-ID": incoming})
    generated = response.headers["x-request-id"]
    assert generated.encode() != incoming
    assert len(generated) == 32
    assert all(char in "0123456789abcdef" for char in generated)


async def test_each_request_gets_its_own_generated_id(client: httpx.AsyncClient) -> None:
    first = (await client.get("/items/1")).headers["x-request-id"]
    second = (await client.get("/items/1")).headers["x-request-id"]
    assert first != second


# --- metrics ----------------------------------------------------------------------------------


async def test_metrics_use_route_templates_not_raw_paths(client: httpx.AsyncClient) -> None:
    await client.get("/items/424242")
    await client.get("/no/such/path/987654")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'http_requests_total{method="GET",route="/items/{item_id}",service="items",status="200"}'
        in text
    )
    assert 'route="<unmatched>",service="test",status="404"' in text
    assert "424242" not in text
    assert "987654" not in text
    assert 'http_request_duration_seconds_bucket{le="0.005",route="/items/{item_id}"' in text
    assert 'http_request_duration_seconds_bucket{le="10.0",route="/items/{item_id}"' in text
    assert 'http_response_size_bytes_count{route="/items/{item_id}",service="items"}' in text
    assert 'http_request_size_bytes_sum{route="/items",service="items"}' in text


async def test_failures_are_counted_as_500(client: httpx.AsyncClient) -> None:
    await client.get("/boom")
    text = render_metrics()[0].decode()
    assert 'route="/boom",service="test",status="500"' in text


async def test_access_log_line_per_request(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    await client.get("/items/5?token=abc", headers={"X-Request-ID": "access-1"})
    [access] = [line for line in log_lines(log_stream) if line["logger"] == "jobpilot.access"]
    assert access["request_id"] == "access-1"
    assert access["method"] == "GET"
    assert access["route"] == "/items/{item_id}"
    assert access["path"] == "/items/5"
    assert access["status"] == 200
    assert isinstance(access["duration_ms"], float)
    assert "client" in access
    assert "token=abc" not in json.dumps(access)


def run_python(code: str, **env: str) -> str:
    """Run `code` in a fresh interpreter, which has not imported prometheus_client yet."""
    child_env = {
        key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"
    }
    child_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SRC), os.environ.get("PYTHONPATH")])
    )
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**child_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_multiprocess_metrics_sum_across_processes(tmp_path: Path) -> None:
    metrics_dir = str(tmp_path / "prom")
    first_worker = """
        import os, sys
        from pathlib import Path
        from jobpilot.kit.metrics import http_metrics, prepare_multiprocess_dir
        # Importing the module must not pull in prometheus_client, or preparing would be too late.
        assert "prometheus_client" not in sys.modules
        prepare_multiprocess_dir(Path(os.environ["TEST_METRICS_DIR"]))
        http_metrics().requests.labels("jobs", "GET", "/jobs/{job_id}", "200").inc(3)
        from prometheus_client import Gauge
        Gauge("queue_depth_test", "depth", multiprocess_mode="mostrecent").set(11)
    """
    run_python(first_worker, TEST_METRICS_DIR=metrics_dir)
    second_worker = """
        from jobpilot.kit.metrics import http_metrics
        http_metrics().requests.labels("jobs", "GET", "/jobs/{job_id}", "200").inc(4)
    """
    run_python(second_worker, PROMETHEUS_MULTIPROC_DIR=metrics_dir)
    scraper = """
        from jobpilot.kit.metrics import render_metrics
        body, content_type = render_metrics()
        print(content_type)
        print(body.decode())
    """
    output = run_python(scraper, PROMETHEUS_MULTIPROC_DIR=metrics_dir)
    assert output.startswith("text/plain")
    assert (
        'http_requests_total{method="GET",route="/jobs/{job_id}",service="jobs",status="200"} 7.0'
        in output
    )
    assert "queue_depth_test 11.0" in output


def test_preparing_multiprocess_too_late_fails_loudly(tmp_path: Path) -> None:
    from jobpilot.kit.metrics import prepare_multiprocess_dir

    # Once prometheus_client is imported, metrics made in this process could never be shared.
    importlib.import_module("prometheus_client")
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    with pytest.raises(RuntimeError, match="before prometheus_client is imported"):
        prepare_multiprocess_dir(tmp_path / "late")
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR") == before
    assert not (tmp_path / "late").exists()


# --- tracing and logging ----------------------------------------------------------------------


def test_tracing_is_off_without_endpoint_or_exporter() -> None:
    assert setup_tracing("jobpilot-test", None) is None
    assert setup_tracing("jobpilot-test", "") is None


async def test_request_produces_a_span_and_logs_carry_its_trace_id(
    log_stream: io.StringIO,
) -> None:
    exporter = InMemorySpanExporter()
    provider = setup_tracing("jobpilot-test", None, exporter=exporter)
    assert provider is not None
    app = build_app(telemetry=fastapi_telemetry(provider))
    try:
        async with client_for(app) as http:
            response = await http.get("/items/9", headers={"X-Request-ID": "traced-1"})
            assert response.status_code == 200
            await http.get("/metrics")
    finally:
        shutdown_tracing(provider)

    spans = exporter.get_finished_spans()
    server_spans = [span for span in spans if span.kind.name == "SERVER"]
    assert len(server_spans) == 1, [span.name for span in spans]
    [span] = server_spans  # and none for the /metrics scrape
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/items/{item_id}"
    assert span.resource.attributes["service.name"] == "jobpilot-test"
    trace_id = format(span.context.trace_id, "032x")

    lines = log_lines(log_stream)
    [in_request] = [line for line in lines if line["message"] == "reading item"]
    assert in_request["trace_id"] == trace_id
    assert in_request["request_id"] == "traced-1"
    assert in_request["item_id"] == 9
    [access] = [
        line
        for line in lines
        if line["logger"] == "jobpilot.access" and line["request_id"] == "traced-1"
    ]
    assert access["trace_id"] == trace_id


def test_tracing_can_be_set_up_twice_in_one_process() -> None:
    providers = [
        setup_tracing("a", None, exporter=InMemorySpanExporter()),
        setup_tracing("b", None, exporter=InMemorySpanExporter()),
    ]
    assert providers[0] is not providers[1]
    for provider in providers:
        shutdown_tracing(provider)


def test_json_logs_are_one_parseable_object_per_line(log_stream: io.StringIO) -> None:
    log = logging.getLogger("tests.json")

    class Opaque:
        def __str__(self) -> str:
            return "opaque-thing"

    log.info("first\nwith newline", extra={"user_id": 5, "thing": Opaque()})
    try:
        raise ValueError("bad value")
    except ValueError:
        log.exception("it failed")
    lines = log_stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "first\nwith newline"
    assert first["level"] == "INFO"
    assert first["logger"] == "tests.json"
    assert first["service"] == "jobpilot-test"
    assert first["ts"].endswith("Z")
    assert first["user_id"] == 5
    assert first["thing"] == "opaque-thing"
    assert "request_id" not in first
    assert second["level"] == "ERROR"
    assert "ValueError: bad value" in second["exception"]


def test_reconfiguring_does_not_duplicate_lines(log_stream: io.StringIO) -> None:
    second_stream = io.StringIO()
    configure_logging(level="WARNING", json_output=False, stream=second_stream)
    log = logging.getLogger("tests.reconfigure")
    log.info("hidden")
    log.warning("shown once", extra={"order_id": 3})
    assert log_stream.getvalue() == ""
    [line] = second_stream.getvalue().splitlines()
    assert "WARNING" in line
    assert "shown once" in line
    assert "order_id=3" in line


def test_redact_hides_credentials_in_headers() -> None:
    headers = {
        "Authorization": "Bearer abc",
        "cookie": "session=1",
        "Set-Cookie": "session=2",
        "X-Api-Key": "k",
        "Accept": "application/json",
    }
    assert redact(headers) == {
        "Authorization": "[redacted]",
        "cookie": "[redacted]",
        "Set-Cookie": "[redacted]",
        "X-Api-Key": "[redacted]",
        "Accept": "application/json",
    }

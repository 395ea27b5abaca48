"""One trace from a request through the database and the task queue to outgoing HTTP."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.local_server import ServedApp
from jobpilot.kit.tasks import TRACE_KEY, Task
from jobpilot.kit.tracing import (
    TracedTransport,
    bind_provider,
    carrier,
    context_from,
    setup_tracing,
    span,
    unbind_provider,
)
from jobpilot.main import create_app
from jobpilot.settings import Settings
from support import client_for


def _hex(trace_id: int) -> str:
    return format(trace_id, "032x")


async def _spans_until(exporter: InMemorySpanExporter, done: Any) -> list[ReadableSpan]:
    deadline = time.monotonic() + 20
    while True:
        spans = list(exporter.get_finished_spans())
        if done(spans) or time.monotonic() > deadline:
            return spans
        await asyncio.sleep(0.05)


async def test_a_request_and_the_task_it_queues_make_one_trace(
    settings: Settings, sqlite_url: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = setup_tracing("jobpilot", None, exporter=exporter)
    settings.database.url = sqlite_url
    settings.tasks.poll_interval_seconds = 0.1
    app = create_app(settings, run_worker=True, tracer_provider=provider)
    async for client in client_for(app):
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": "traced@example.com", "password": "a traced passphrase", "name": "T"},
        )
        assert response.status_code == 202, response.text
        spans = await _spans_until(exporter, _request_task_done)

    [server] = [s for s in spans if s.kind.name == "SERVER"]
    trace_id = server.context.trace_id
    by_id = {s.context.span_id: s for s in spans}
    in_trace = [s for s in spans if s.context.trace_id == trace_id]

    # The request's own statements are children of its server span.
    request_sql = [s for s in in_trace if s.name.endswith(" sqlite") and _under(s, server, by_id)]
    assert any(s.name.startswith("INSERT") for s in request_sql), [s.name for s in in_trace]
    assert all(s.attributes and s.attributes["db.system"] == "sqlite" for s in request_sql)

    # The task runs in the worker, later, yet joins the same trace under the request.
    [task] = [s for s in in_trace if s.name.startswith("task ")]
    assert task.kind.name == "CONSUMER"
    assert _under(task, server, by_id)
    assert task.attributes is not None
    assert task.attributes["jobpilot.task.attempt"] == 1
    task_sql = [s for s in in_trace if s.name.endswith(" sqlite") and _under(s, task, by_id)]
    assert task_sql, "the task's statements belong to its span"
    assert task.name == "task auth.send_verification"


def _request_task_done(spans: list[ReadableSpan]) -> bool:
    # The worker also runs periodic tasks of its own, each a trace of its own.
    requests = {s.context.trace_id for s in spans if s.kind.name == "SERVER"}
    return any(s.name.startswith("task ") and s.context.trace_id in requests for s in spans)


def _under(span_: ReadableSpan, ancestor: ReadableSpan, by_id: dict[int, ReadableSpan]) -> bool:
    parent = span_.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        above = by_id.get(parent.span_id)
        parent = above.parent if above else None
    return False


async def test_the_trace_context_is_stored_with_the_task_but_never_reaches_the_handler(
    settings: Settings, sqlite_url: str
) -> None:
    from sqlalchemy import select

    from jobpilot.kit.tasks import enqueue

    exporter = InMemorySpanExporter()
    provider = setup_tracing("jobpilot", None, exporter=exporter)
    settings.database.url = sqlite_url
    app = create_app(settings, tracer_provider=provider)
    async for _ in client_for(app):
        db = app.state.container.db
        token = bind_provider(provider)
        try:
            with span("caller") as caller:
                assert caller is not None
                async with db.unit_of_work() as session:
                    await enqueue(session, "kit.purge_history", retention_days=7)
        finally:
            unbind_provider(token)
        async with db.unit_of_work() as session:
            payload = (await session.scalars(select(Task.payload))).one()
    assert payload["retention_days"] == 7
    traceparent = payload[TRACE_KEY]["traceparent"]
    assert traceparent.split("-")[1] == _hex(caller.get_span_context().trace_id)


async def test_outgoing_http_carries_the_trace_and_makes_a_client_span() -> None:
    seen: dict[str, str] = {}

    async def echo(request: Request) -> JSONResponse:
        seen.update(request.headers)
        return JSONResponse({"ok": True}, status_code=503 if "fail" in request.url.path else 200)

    class Echo(ServedApp):
        app = Starlette(routes=[Route("/{path:path}", echo)])

    exporter = InMemorySpanExporter()
    provider = setup_tracing("jobpilot", None, exporter=exporter)
    with Echo() as served:
        async with httpx.AsyncClient(transport=TracedTransport()) as http:
            # Without a bound provider nothing is added.
            await http.get(served.base_url + "/plain")
            assert "traceparent" not in seen
            token = bind_provider(provider)
            try:
                with span("caller") as caller:
                    assert caller is not None
                    ok = await http.get(served.base_url + "/ats/apply?secret=1")
                    failed = await http.get(served.base_url + "/fail")
            finally:
                unbind_provider(token)
    assert ok.status_code == 200
    assert failed.status_code == 503
    trace_id = _hex(caller.get_span_context().trace_id)
    assert seen["traceparent"].split("-")[1] == trace_id
    clients = [s for s in exporter.get_finished_spans() if s.kind.name == "CLIENT"]
    assert [s.name for s in clients] == ["GET", "GET"]
    first, second = clients
    assert first.attributes is not None
    assert first.attributes["http.response.status_code"] == 200
    assert "secret" not in str(first.attributes["url.full"])  # no query strings in spans
    assert second.status.status_code.name == "ERROR"
    assert context_from(carrier()) is None  # nothing current out here


async def test_a_service_continues_the_trace_its_caller_sends(
    settings: Settings, sqlite_url: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = setup_tracing("jobs", None, exporter=exporter)
    settings.database.url = sqlite_url
    app = create_app(settings, tracer_provider=provider)
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    async for client in client_for(app):
        response = await client.get(
            "/api/v1/jobs/status", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"}
        )
        assert response.status_code == 200
    [server] = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    assert _hex(server.context.trace_id) == trace_id
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == parent_id

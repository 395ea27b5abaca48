"""The standalone gateway continues the caller's trace and hands it to the service."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.local_server import ServedApp
from fakes.token_free_edge import TokenFreeComponents, auth_only_table
from jobpilot.gateway.app import GatewayApp
from jobpilot.gateway.config import GatewaySettings
from jobpilot.kit.tracing import setup_tracing
from support import client_for

TRACE_ID, CALLER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


class Service(ServedApp):
    """An upstream that remembers the trace headers it was sent."""

    thread_name = "traced-upstream"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, str]] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._echo)])

    async def _echo(self, request: Request) -> JSONResponse:
        if request.url.path.startswith("/api/"):  # not the gateway's health probes
            self.seen.append(dict(request.headers))
        return JSONResponse({"ok": True})


async def test_the_gateway_span_sits_between_the_caller_and_the_service() -> None:
    exporter = InMemorySpanExporter()
    provider = setup_tracing("gateway", None, exporter=exporter)
    with Service() as service:
        gateway = GatewayApp(
            auth_only_table(),
            GatewaySettings(upstreams={"auth": service.base_url}),
            TokenFreeComponents(),
            cors_origins=[],
            max_body_bytes=1024,
            tracer_provider=provider,
        )
        async for client in client_for(gateway):
            response = await client.get(
                "/api/v1/auth/methods",
                headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"},
            )
            assert response.status_code == 200, response.text
            untraced = await client.get("/healthz")
            assert untraced.status_code == 200

    [server] = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    assert server.name == "GET /api/v1/auth"
    assert format(server.context.trace_id, "032x") == TRACE_ID
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == CALLER_SPAN
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    # The service is told the gateway's span is its parent, in the caller's trace.
    [sent] = service.seen
    _, trace_id, parent, _ = sent["traceparent"].split("-")
    assert trace_id == TRACE_ID
    assert parent == format(server.context.span_id, "016x")


async def test_an_untraced_gateway_passes_the_callers_trace_through() -> None:
    with Service() as service:
        gateway = GatewayApp(
            auth_only_table(),
            GatewaySettings(upstreams={"auth": service.base_url}),
            TokenFreeComponents(),
            cors_origins=[],
            max_body_bytes=1024,
        )
        async for client in client_for(gateway):
            traceparent = f"00-{TRACE_ID}-{CALLER_SPAN}-01"
            await client.get("/api/v1/auth/methods", headers={"traceparent": traceparent})
    assert service.seen[0]["traceparent"] == traceparent

"""The gateway's settings section (`JOBPILOT_GATEWAY__*`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from jobpilot.gateway.routes import RouteTable, load_routes

_STORAGE_SCHEMES = ("redis://", "rediss://", "redis+unix://")


def default_upstreams() -> dict[str, str]:
    """Each service of the route table on its own local port."""
    # Settings are read before anything heavy is imported, so the registry is not consulted
    # here; the test suite holds the table's ports equal to the registry's.
    table = load_routes(check_registry=False)
    return {s.name: f"http://127.0.0.1:{s.port}" for s in table.services}


class GatewaySettings(BaseModel):
    """Where a standalone gateway sends each service, its CORS origins and rate-limit store."""

    # A route table of one's own (other limits, origins, timeouts); None: the packaged one.
    routes_file: Path | None = None
    # Service name -> base URL. Services not named keep their local default, so
    # `JOBPILOT_GATEWAY__UPSTREAMS='{"jobs": "http://10.0.0.5:3004"}'` moves one service.
    upstreams: dict[str, str] = Field(default_factory=default_upstreams)
    # None: the http section's origins.
    cors_origins: list[str] | None = None
    # "memory" counts in each process; a redis:// URL shares the counts between processes.
    # None: the redis section's URL when one is set, else memory.
    rate_limit_storage: str | None = None
    # When the rate-limit store fails, let requests through rather than refuse them all.
    fault_tolerant: bool = True
    # Apply the route table (tokens, limits, headers, metrics) inside `jobpilot serve`. None: on
    # when one process serves every service, off for `serve --service X`, which sits behind
    # `jobpilot gateway` (the services still check tokens themselves).
    embedded_edge: bool | None = None
    # Addresses of load balancers in front of the gateway whose X-Forwarded-For is believed.
    # Empty: the client is the peer address, so no one can pick the address limits count by.
    trusted_proxies: list[str] = Field(default_factory=list)
    # The standalone gateway's port.
    port: int = Field(default=8080, ge=1, le=65535)
    # Seconds between active health checks of each upstream; None: the route table's.
    health_interval_seconds: float | None = Field(default=None, gt=0, le=300)

    @field_validator("upstreams")
    @classmethod
    def _upstreams(cls, value: dict[str, str]) -> dict[str, str]:
        defaults = default_upstreams()
        # An environment variable cannot hold "-": JOBPILOT_GATEWAY__UPSTREAMS__AUTO_APPLY.
        value = {k.lower().replace("_", "-"): v for k, v in value.items()}
        unknown = sorted(set(value) - set(defaults))
        if unknown:
            msg = f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(defaults)}"
            raise ValueError(msg)
        for name, url in value.items():
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                msg = f"{name}: {url!r} is not an http:// or https:// URL"
                raise ValueError(msg)
        return {**defaults, **{k: v.rstrip("/") for k, v in value.items()}}

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage(cls, value: str | None) -> str | None:
        if value is None or value in {"memory", "memory://"} or value.startswith(_STORAGE_SCHEMES):
            return value
        msg = "must be 'memory' or a redis://, rediss:// or redis+unix:// URL"
        raise ValueError(msg)

    def routes(self, *, check_registry: bool = False) -> RouteTable:
        """The route table in force (RouteTableError names each problem of a bad file)."""
        return load_routes(self.routes_file, check_registry=check_registry)

    def origins(self, http_origins: list[str]) -> list[str]:
        """The CORS origins in force: this section's, else the http section's."""
        return list(self.cors_origins) if self.cors_origins is not None else list(http_origins)

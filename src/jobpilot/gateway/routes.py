"""The gateway's route table: which service serves a path, its upstream, token rule and limits.

The table is data (`routes.toml` beside this module) so that the embedded edge, a standalone
gateway and the generated Kong config read one file; this module validates it on load.
Importing this module is cheap: it reaches `jobpilot.registry` (every domain's code) only
when `load_routes(check_registry=True)` compares the table with it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ROUTES_FILE = Path(__file__).with_name("routes.toml")
API_ROOT = "/api/v1/"

_PREFIX = re.compile(r"^/api/v1(/[a-z0-9][a-z0-9._-]*)+$")
# API prefixes outside /api/v1 that the registry mounts, and the one service each belongs to:
# nothing else outside /api/v1 may be routed as an API.
OUTSIDE_API_ROOT = {"/api/admin": "admin"}
# A page prefix is one path segment (`/admin` covers `/admin/users`); `/` is the home page only.
HOME = "/"
_PAGE = re.compile(r"^/[a-z][a-z0-9._-]*$")
# Paths a page prefix may not take: the APIs and the gateway's and services' own endpoints.
_NOT_PAGES = ("/api", "/healthz", "/readyz", "/metrics")
# Public paths may hold `{name}` segments (FastAPI's path parameters).
_PUBLIC_PATH = re.compile(r"^/api/v1(/([a-z0-9._-]+|\{[a-z_][a-z0-9_]*\}))+$")
_UPSTREAM = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:[0-9]{1,5}$")
_ORIGIN = re.compile(r"^(\*|https?://[^/\s]+)$")

Method = Literal["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
Milliseconds = Annotated[int, Field(gt=0, le=2_147_483_646)]
# Kong's upper bound for a service's retries.
Retries = Annotated[int, Field(ge=0, le=32767)]


class RouteTableError(ValueError):
    """A route table that cannot be used, with every problem named."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cors(_Strict):
    """CORS for every route: the origins baked into generated configs, methods and headers."""

    origins: tuple[str, ...] = Field(min_length=1)
    methods: tuple[Method, ...] = Field(min_length=1)
    headers: tuple[str, ...] = Field(min_length=1)
    max_age_seconds: int = Field(default=3600, ge=0, le=86400)

    @field_validator("origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if not _ORIGIN.match(origin):
                msg = f"{origin!r} is not an origin (scheme://host[:port], or *)"
                raise ValueError(msg)
        return value


class Defaults(_Strict):
    """Timeouts and retries of a service that sets none of its own."""

    connect_timeout_ms: Milliseconds = 5000
    read_timeout_ms: Milliseconds = 30000
    write_timeout_ms: Milliseconds = 30000
    retries: Retries = 2


class Health(_Strict):
    """How the gateway probes each upstream and when it fences one off."""

    path: str = Field(default="/healthz", pattern=r"^/[A-Za-z0-9._/-]*$")
    interval_seconds: int = Field(default=5, ge=1, le=300)
    timeout_seconds: int = Field(default=2, ge=1, le=60)
    unhealthy_after: int = Field(default=3, ge=1, le=255)


class ServiceRoute(_Strict):
    """One service behind the gateway."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    upstream: str
    port: int = Field(ge=1, le=65535)
    prefixes: tuple[str, ...] = Field(min_length=1)
    jwt: bool
    public_paths: tuple[str, ...] = ()
    rate_limit_per_minute: int = Field(gt=0)
    # Server-rendered pages: path prefixes, and `/` for the home page alone. They take no token
    # (a page signs in by its cookies and checks CSRF itself) and count per client address.
    pages: tuple[str, ...] = ()
    # The pages' limit per client address; None: `rate_limit_per_minute`.
    page_rate_limit_per_minute: int | None = Field(default=None, gt=0)
    connect_timeout_ms: Milliseconds | None = None
    read_timeout_ms: Milliseconds | None = None
    write_timeout_ms: Milliseconds | None = None
    retries: Retries | None = None

    @field_validator("upstream")
    @classmethod
    def _upstream(cls, value: str) -> str:
        if not _UPSTREAM.match(value):
            msg = f"{value!r} is not a Kubernetes host:port such as job-service:3004"
            raise ValueError(msg)
        return value

    @field_validator("prefixes")
    @classmethod
    def _prefixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for prefix in value:
            if not _PREFIX.match(prefix) and prefix not in OUTSIDE_API_ROOT:
                msg = (
                    f"{prefix!r} is not a path under {API_ROOT} (lower case, no trailing /) "
                    f"nor one of {', '.join(OUTSIDE_API_ROOT)}"
                )
                raise ValueError(msg)
        return value

    @field_validator("pages")
    @classmethod
    def _pages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for page in value:
            if page != HOME and not _PAGE.match(page):
                msg = f"page {page!r} is not `/` nor one path segment such as /admin"
                raise ValueError(msg)
            if any(_under(page, taken) for taken in _NOT_PAGES):
                msg = f"page {page!r} is not a page path: {', '.join(_NOT_PAGES)} are not pages"
                raise ValueError(msg)
        if dupes := sorted({p for p in value if value.count(p) > 1}):
            msg = f"page listed twice: {', '.join(dupes)}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _outside_api_root_is_the_owners(self) -> ServiceRoute:
        for prefix in self.prefixes:
            owner = OUTSIDE_API_ROOT.get(prefix)
            if owner is not None and owner != self.name:
                msg = f"prefix {prefix!r} belongs to the {owner} service only"
                raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _public_paths_are_ours(self) -> ServiceRoute:
        for path in self.public_paths:
            if not _PUBLIC_PATH.match(path):
                msg = f"public path {path!r} is not a path under {API_ROOT}"
                raise ValueError(msg)
            if not any(_under(path, prefix) for prefix in self.prefixes):
                msg = f"public path {path!r} is not under the service's prefixes"
                raise ValueError(msg)
        return self

    def matches(self, path: str) -> str | None:
        """The longest of this service's prefixes that `path` falls under."""
        hits = [p for p in self.prefixes if _under(path, p)]
        return max(hits, key=len) if hits else None

    def page_for(self, path: str) -> str | None:
        """The page prefix `path` falls under (`/` only for the home page itself)."""
        for page in self.pages:
            if path == page if page == HOME else _under(path, page):
                return page
        return None

    def route_of(self, path: str) -> str | None:
        """The prefix or page of this service that `path` falls under."""
        return self.matches(path) or self.page_for(path)

    @property
    def page_limit(self) -> int:
        """Page requests a client address may make in a minute."""
        return self.page_rate_limit_per_minute or self.rate_limit_per_minute

    @property
    def open_paths(self) -> tuple[str, ...]:
        """Paths taking no token: the listed ones and `<first prefix>/status` (ADR 0003), so an
        uptime check through the gateway can tell which service is down."""
        return (*self.public_paths, f"{self.prefixes[0]}/status")

    def is_public(self, path: str) -> bool:
        """Whether `path` is one of this service's open paths."""
        return any(_template_matches(t, path) for t in self.open_paths)


class RouteTable(_Strict):
    """Every service the gateway fronts, and the CORS policy they share."""

    cors: Cors
    defaults: Defaults = Field(default_factory=Defaults)
    health: Health = Field(default_factory=Health)
    services: tuple[ServiceRoute, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> RouteTable:
        names = [s.name for s in self.services]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            msg = f"service listed twice: {', '.join(dupes)}"
            raise ValueError(msg)
        owned = [(p, s.name) for s in self.services for p in (*s.prefixes, *s.pages)]
        for i, (prefix, owner) in enumerate(owned):
            for other, other_owner in owned[i + 1 :]:
                # `/` is the home page alone, so it overlaps only itself.
                if prefix == other or (
                    HOME not in (prefix, other) and (_under(prefix, other) or _under(other, prefix))
                ):
                    msg = (
                        f"prefix {prefix!r} of {owner} overlaps {other!r} of {other_owner}: "
                        "a path must belong to one service"
                    )
                    raise ValueError(msg)
        return self

    def service(self, name: str) -> ServiceRoute:
        """The service called `name` (KeyError when there is none)."""
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def route_for(self, path: str) -> ServiceRoute | None:
        """The service owning `path` by its longest matching prefix, or by its pages."""
        best: tuple[int, ServiceRoute] | None = None
        for service in self.services:
            prefix = service.matches(path)
            if prefix is not None and (best is None or len(prefix) > best[0]):
                best = (len(prefix), service)
        if best:
            return best[1]
        # Pages never overlap a prefix (validated), so at most one service has the path.
        return next((s for s in self.services if s.page_for(path) is not None), None)

    def is_page(self, path: str) -> bool:
        """Whether `path` is a server-rendered page of some service."""
        service = self.route_for(path)
        return service is not None and service.matches(path) is None

    def is_public(self, path: str) -> bool:
        """Whether the gateway lets `path` through without a token."""
        service = self.route_for(path)
        if service is None:
            return False
        return not service.jwt or service.is_public(path) or service.matches(path) is None

    def timeouts(self, service: ServiceRoute) -> tuple[int, int, int, int]:
        """Connect, read and write timeouts (ms) and retries of `service`, defaults filled in."""
        d = self.defaults
        return (
            service.connect_timeout_ms or d.connect_timeout_ms,
            service.read_timeout_ms or d.read_timeout_ms,
            service.write_timeout_ms or d.write_timeout_ms,
            d.retries if service.retries is None else service.retries,
        )


class KnownService(Protocol):
    """What the table is checked against: a registry domain's service, port and prefixes."""

    @property
    def service(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def prefixes(self) -> tuple[str, ...]: ...


def check_against(
    table: RouteTable,
    known: Iterable[KnownService],
    pages: Mapping[str, tuple[str, ...]] | None = None,
) -> None:
    """Fail unless each service of the table exists in `known` with the same port and prefixes,
    and (when `pages` maps each service to the page prefixes it serves) the same pages."""
    by_service: dict[str, list[KnownService]] = {}
    for domain in known:
        by_service.setdefault(domain.service, []).append(domain)
    problems = []
    for service in table.services:
        domains = by_service.get(service.name)
        if not domains:
            problems.append(
                f"services.{service.name}: not a service of the registry "
                f"(it has {', '.join(sorted(by_service))})"
            )
            continue
        ports = {d.port for d in domains}
        if ports != {service.port}:
            problems.append(
                f"services.{service.name}.port: {service.port}, but the registry serves it "
                f"on {', '.join(map(str, sorted(ports)))}"
            )
        prefixes = sorted(p for d in domains for p in d.prefixes)
        if sorted(service.prefixes) != prefixes:
            problems.append(
                f"services.{service.name}.prefixes: {sorted(service.prefixes)}, but the "
                f"registry mounts {prefixes}"
            )
        served = sorted(pages.get(service.name, ())) if pages is not None else None
        if served is not None and sorted(service.pages) != served:
            problems.append(
                f"services.{service.name}.pages: {sorted(service.pages)}, but the service "
                f"serves pages under {served}"
            )
    if pages is not None:
        for name, served_pages in sorted(pages.items()):
            if served_pages and not any(s.name == name for s in table.services):
                problems.append(
                    f"services: {name} serves pages under {sorted(served_pages)} but the table "
                    "does not route it"
                )
    if problems:
        raise RouteTableError("Invalid route table:\n  " + "\n  ".join(problems))


def parse_routes(data: object, *, source: str = "route table") -> RouteTable:
    """Validate `data` (the parsed TOML) as a route table; RouteTableError names each problem."""
    try:
        return RouteTable.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{loc}: {message}" if loc else message)
        raise RouteTableError(f"Invalid {source}:\n  " + "\n  ".join(lines)) from None


def load_routes(path: Path | None = None, *, check_registry: bool = True) -> RouteTable:
    """Read and validate the route table (the packaged one by default).

    With `check_registry` every service must be a registry service with the same port and
    prefixes; that imports every domain, so a process that only proxies may skip it.
    """
    if path is None and check_registry:
        return _default_checked()
    if path is None:
        return _default_unchecked()
    return _load(path, check_registry=check_registry)


def _load(path: Path, *, check_registry: bool) -> RouteTable:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RouteTableError(f"Invalid route table {path}: {exc}") from None
    table = parse_routes(data, source=f"route table {path}")
    if check_registry:
        from jobpilot import registry

        served = {name: registry.page_prefixes(name) for name in registry.service_names()}
        check_against(table, registry.domains(), served)
    return table


@cache
def _default_checked() -> RouteTable:
    return _load(ROUTES_FILE, check_registry=True)


@cache
def _default_unchecked() -> RouteTable:
    return _load(ROUTES_FILE, check_registry=False)


def route_for(path: str) -> ServiceRoute | None:
    """The service of the packaged table that owns `path` (longest prefix wins)."""
    return load_routes(check_registry=False).route_for(path)


def is_public(path: str) -> bool:
    """Whether the packaged table lets `path` through without a token."""
    return load_routes(check_registry=False).is_public(path)


def template_regex(template: str) -> str:
    """A regex matching exactly the paths of `template` (`{name}` is one segment)."""
    parts = re.split(r"(\{[^}/]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return f"^{body}$"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _template_matches(template: str, path: str) -> bool:
    want = template.split("/")
    have = path.rstrip("/").split("/") if path != "/" else [""]
    if len(want) != len(have):
        return False
    return all((w.startswith("{") and h != "") or w == h for w, h in zip(want, have, strict=True))

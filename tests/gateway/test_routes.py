"""The route table: what it accepts, what it refuses, and that it agrees with the registry."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from jobpilot import registry
from jobpilot.gateway.config import GatewaySettings
from jobpilot.gateway.routes import (
    ROUTES_FILE,
    RouteTableError,
    check_against,
    is_public,
    load_routes,
    parse_routes,
    route_for,
)
from jobpilot.kit.authn import current_principal
from jobpilot.settings import SettingsError, load_settings

RAW: dict[str, Any] = tomllib.loads(ROUTES_FILE.read_text(encoding="utf-8"))


def raw() -> dict[str, Any]:
    return copy.deepcopy(RAW)


def service(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in data["services"] if s["name"] == name)


def test_the_packaged_table_loads_and_matches_the_plan() -> None:
    table = load_routes()
    assert [(s.name, s.upstream, s.jwt, s.rate_limit_per_minute) for s in table.services] == [
        ("auth", "auth-service:3001", False, 100),
        ("users", "user-service:3002", True, 200),
        ("jobs", "job-service:3004", True, 300),
        ("resumes", "resume-service:3003", True, 100),
        ("ai", "ai-service:8000", True, 50),
        ("auto-apply", "auto-apply-service:3005", True, 100),
        ("notifications", "notification-service:3007", True, 200),
        ("analytics", "analytics-service:3006", True, 100),
        ("admin", "admin-service:3008", True, 100),
    ]
    admin = table.service("admin")
    assert admin.prefixes == ("/api/admin",)
    assert admin.pages == ("/", "/admin", "/login", "/logout", "/static")
    assert admin.page_limit == 600
    assert table.cors.methods == ("GET", "POST", "PUT", "DELETE", "PATCH")
    assert table.cors.headers == ("Authorization", "Content-Type")


def test_prefixes_and_ports_equal_the_registry() -> None:
    """One source of truth: the gateway routes exactly what each service mounts."""
    table = load_routes(check_registry=False)
    for route in table.services:
        domains = [d for d in registry.domains() if d.service == route.name]
        assert domains, f"{route.name} is not a registry service"
        assert sorted(route.prefixes) == sorted(p for d in domains for p in d.prefixes), route.name
        assert {d.port for d in domains} == {route.port}, route.name
    # Every service is fronted, the admin one (outside /api/v1/) included.
    assert {s.name for s in table.services} == set(registry.service_names())


def test_pages_equal_what_the_web_mount_serves() -> None:
    """The admin service's pages are the web foundation's and the admin area's, and no other
    service serves any."""
    table = load_routes()
    assert registry.page_prefixes("admin") == ("/", "/admin", "/login", "/logout", "/static")
    for route in table.services:
        assert sorted(route.pages) == list(registry.page_prefixes(route.name)), route.name


def test_pages_that_differ_from_the_web_mount_are_refused() -> None:
    data = raw()
    service(data, "admin")["pages"] = ["/", "/admin", "/login", "/static"]
    table = parse_routes(data)
    served = {"admin": registry.page_prefixes("admin")}
    with pytest.raises(RouteTableError, match=r"services\.admin\.pages: .* under \["):
        check_against(table, registry.domains(), served)
    # A service serving pages the table leaves out entirely is caught too.
    data = raw()
    data["services"] = [s for s in data["services"] if s["name"] != "admin"]
    with pytest.raises(RouteTableError, match="admin serves pages under"):
        check_against(parse_routes(data), registry.domains(), served)


def _routes_without_token() -> dict[str, set[str]]:
    def needs_token(dep: Any) -> bool:
        return dep.call is current_principal or any(needs_token(d) for d in dep.dependencies)

    found: dict[str, set[str]] = {}
    for domain in registry.domains():
        for r in domain.router.routes:
            if isinstance(r, APIRoute) and not needs_token(r.dependant):
                found.setdefault(domain.service, set()).add(r.path)
    return found


def test_public_paths_are_exactly_the_routes_that_take_no_token() -> None:
    """A route without CurrentUser must be listed, and a listed path must be such a route."""
    table = load_routes()
    open_routes = _routes_without_token()
    for route in table.services:
        assert set(route.public_paths) == open_routes.get(route.name, set()), route.name
    # As of this table only auth has any: job search, for one, needs a token.
    assert set(open_routes) <= {"auth", "admin"}
    assert not is_public("/api/v1/jobs")


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("/api/v1/jobs", "jobs"),
        ("/api/v1/jobs/8c1d/saved-searches", "jobs"),
        ("/api/v1/companies/x", "jobs"),
        ("/api/v1/profiles/me", "users"),
        ("/api/v1/auto-apply/rules", "auto-apply"),
        ("/api/v1/applications", "auto-apply"),
        ("/api/v1/ai/resumes/1/matches", "ai"),
        ("/api/v1/jobsearch", None),
        ("/api/v1/", None),
        ("/api/admin", "admin"),
        ("/api/admin/users", "admin"),
        ("/api/administrators", None),
        ("/", "admin"),
        ("/admin", "admin"),
        ("/admin/users/42", "admin"),
        ("/login", "admin"),
        ("/login/code", "admin"),
        ("/logout", "admin"),
        ("/static/app.css", "admin"),
        ("/administrators", None),
        ("/index.html", None),
        ("/healthz", None),
        ("/metrics", None),
    ],
)
def test_route_for_picks_the_owner(path: str, owner: str | None) -> None:
    found = route_for(path)
    assert (found.name if found else None) == owner


def test_longest_prefix_wins() -> None:
    data = raw()
    # A narrower prefix inside another service's would be refused as an overlap, so the
    # longest-prefix rule is checked between two prefixes of one service.
    service(data, "jobs")["prefixes"] = ["/api/v1/jobs", "/api/v1/jobs-archive"]
    table = parse_routes(data)
    found = table.route_for("/api/v1/jobs-archive/1")
    assert found is not None
    assert found.matches("/api/v1/jobs-archive/1") == "/api/v1/jobs-archive"


@pytest.mark.parametrize(
    ("path", "public"),
    [
        ("/api/v1/auth/login", True),
        ("/api/v1/auth/.well-known/jwks.json", True),
        ("/api/v1/auth/oauth/google/callback", True),
        ("/api/v1/auth/me", True),  # the auth service as a whole takes no token at the edge
        ("/api/v1/users/me", False),
        ("/api/v1/jobs", False),
        # Each service's status (ADR 0003) is open, so uptime checks need no account.
        ("/api/v1/jobs/status", True),
        ("/api/v1/users/status", True),
        ("/api/v1/companies/status", False),  # only under the first prefix, where it is served
        ("/api/v1/jobs/status/x", False),
        ("/api/v1/jobs/statusx", False),
        ("/api/v1/unknown", False),
        # Pages take no token at the edge (their cookies are checked by the pages)...
        ("/", True),
        ("/admin/users", True),
        ("/login/code", True),
        # ...but the admin API does, except its status.
        ("/api/admin/users", False),
        ("/api/admin/status", True),
    ],
)
def test_is_public(path: str, public: bool) -> None:
    assert is_public(path) is public


def test_public_paths_inside_a_jwt_service_are_exempt_exactly() -> None:
    data = raw()
    service(data, "jobs")["public_paths"] = ["/api/v1/jobs/{job_id}/share"]
    table = parse_routes(data)
    assert table.is_public("/api/v1/jobs/42/share")
    assert table.is_public("/api/v1/jobs/42/share/")
    assert not table.is_public("/api/v1/jobs/42")
    assert not table.is_public("/api/v1/jobs//share")
    assert not table.is_public("/api/v1/jobs/42/share/more")


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(RouteTableError) as caught:
        parse_routes(data)
    return str(caught.value)


def test_unknown_keys_are_refused() -> None:
    data = raw()
    service(data, "jobs")["rate_limit"] = 10
    assert "services.2.rate_limit: Extra inputs are not permitted" in _refused(data)
    data = raw()
    data["cors"]["allow"] = ["*"]
    assert "cors.allow" in _refused(data)


def test_overlapping_prefixes_between_services_are_refused() -> None:
    data = raw()
    service(data, "ai")["prefixes"] = ["/api/v1/ai", "/api/v1/jobs/match"]
    message = _refused(data)
    assert "'/api/v1/jobs' of jobs overlaps '/api/v1/jobs/match' of ai" in message


def test_the_same_prefix_twice_is_refused() -> None:
    data = raw()
    service(data, "analytics")["prefixes"] = ["/api/v1/notifications"]
    assert "overlaps" in _refused(data)


@pytest.mark.parametrize(
    "prefix",
    [
        "/api/v2/jobs",
        "/jobs",
        "/api/v1",
        "/api/v1/",
        "/api/v1/jobs/",
        "/api/v1/Jobs",
        "/api/admin/",
        "/api/admin/users",
        "/api",
        "/admin",
    ],
)
def test_prefixes_outside_api_v1_are_refused(prefix: str) -> None:
    data = raw()
    service(data, "jobs")["prefixes"] = [prefix, "/api/v1/companies"]
    assert "is not a path under /api/v1/" in _refused(data)


def test_api_admin_belongs_to_the_admin_service_only() -> None:
    data = raw()
    service(data, "analytics")["prefixes"] = ["/api/v1/analytics", "/api/admin"]
    message = _refused(data)
    assert "'/api/admin' belongs to the admin service only" in message


@pytest.mark.parametrize(
    ("page", "why"),
    [
        ("/admin/", "one path segment"),
        ("/admin/users", "one path segment"),
        ("admin", "one path segment"),
        ("/Admin", "one path segment"),
        ("", "one path segment"),
        ("/api", "not a page path"),
        ("/healthz", "not a page path"),
        ("/metrics", "not a page path"),
        ("/readyz", "not a page path"),
    ],
)
def test_bad_pages_are_refused(page: str, why: str) -> None:
    data = raw()
    service(data, "admin")["pages"] = ["/", page]
    assert why in _refused(data)


def test_pages_must_not_overlap() -> None:
    data = raw()
    service(data, "admin")["pages"] = ["/", "/admin", "/admin"]
    assert "page listed twice: /admin" in _refused(data)
    # Another service claiming a page of the admin service's, or the home page.
    for page in ("/login", "/"):
        data = raw()
        service(data, "jobs")["pages"] = [page]
        assert f"{page!r} of jobs overlaps {page!r} of admin" in _refused(data)


def test_the_home_page_is_exact_and_other_pages_are_prefixes() -> None:
    table = load_routes(check_registry=False)
    admin = table.service("admin")
    assert admin.page_for("/") == "/"
    assert admin.page_for("/login/code") == "/login"
    assert admin.page_for("/loginx") is None
    # `/` owns the home page alone: it overlaps no other page or prefix.
    assert table.route_for("/nowhere") is None
    assert table.is_page("/")
    assert table.is_page("/static/htmx.js")
    assert not table.is_page("/api/admin/users")


@pytest.mark.parametrize("limit", [0, -5])
def test_a_limit_of_zero_or_less_is_refused(limit: int) -> None:
    data = raw()
    service(data, "ai")["rate_limit_per_minute"] = limit
    assert "services.4.rate_limit_per_minute: Input should be greater than 0" in _refused(data)


def test_a_public_path_outside_the_service_is_refused() -> None:
    data = raw()
    service(data, "jobs")["public_paths"] = ["/api/v1/users/open"]
    assert "not under the service's prefixes" in _refused(data)


def test_a_bad_upstream_is_refused() -> None:
    data = raw()
    service(data, "jobs")["upstream"] = "http://job-service:3004"
    assert "not a Kubernetes host:port" in _refused(data)


def test_a_service_not_in_the_registry_is_refused(tmp_path: Path) -> None:
    data = ROUTES_FILE.read_text(encoding="utf-8").replace('name = "analytics"', 'name = "billing"')
    path = tmp_path / "routes.toml"
    path.write_text(data, encoding="utf-8")
    load_routes(path, check_registry=False)  # well-formed on its own
    with pytest.raises(RouteTableError, match=r"services\.billing: not a service of the registry"):
        load_routes(path)


def test_prefixes_or_ports_that_differ_from_the_registry_are_refused() -> None:
    data = raw()
    service(data, "jobs")["prefixes"] = ["/api/v1/jobs"]
    service(data, "ai")["port"] = 8001
    table = parse_routes(data)
    with pytest.raises(RouteTableError) as caught:
        check_against(table, registry.domains())
    message = str(caught.value)
    assert "services.jobs.prefixes" in message
    assert "services.ai.port: 8001, but the registry serves it on 8000" in message


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "routes.toml"
    path.write_text("[[services]\nname=", encoding="utf-8")
    with pytest.raises(RouteTableError, match=r"routes\.toml"):
        load_routes(path, check_registry=False)


def test_gateway_settings_default_to_local_ports_and_the_http_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings()
    assert settings.gateway.upstreams["jobs"] == "http://127.0.0.1:3004"
    assert settings.gateway.upstreams["ai"] == "http://127.0.0.1:8000"
    assert settings.gateway.origins(settings.http.cors_origins) == settings.http.cors_origins
    assert settings.gateway.rate_limit_storage is None  # Redis when configured, else memory
    assert settings.gateway.fault_tolerant is True

    monkeypatch.setenv("JOBPILOT_GATEWAY__UPSTREAMS", '{"jobs": "http://10.0.0.5:3004/"}')
    monkeypatch.setenv("JOBPILOT_GATEWAY__CORS_ORIGINS", '["https://jobpilot.example"]')
    monkeypatch.setenv("JOBPILOT_GATEWAY__RATE_LIMIT_STORAGE", "redis://127.0.0.1:6379/2")
    settings = load_settings()
    assert settings.gateway.upstreams["jobs"] == "http://10.0.0.5:3004"
    assert settings.gateway.upstreams["users"] == "http://127.0.0.1:3002"  # the rest kept
    assert settings.gateway.origins(settings.http.cors_origins) == ["https://jobpilot.example"]

    # One variable per service, "_" standing for the "-" a variable name cannot hold.
    monkeypatch.delenv("JOBPILOT_GATEWAY__UPSTREAMS")
    monkeypatch.setenv("JOBPILOT_GATEWAY__UPSTREAMS__AUTO_APPLY", "http://10.0.0.6:3005")
    monkeypatch.setenv("JOBPILOT_GATEWAY__UPSTREAMS__AUTH", "http://10.0.0.7:3001")
    settings = load_settings()
    assert settings.gateway.upstreams["auto-apply"] == "http://10.0.0.6:3005"
    assert settings.gateway.upstreams["auth"] == "http://10.0.0.7:3001"
    assert settings.gateway.upstreams["jobs"] == "http://127.0.0.1:3004"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("JOBPILOT_GATEWAY__UPSTREAMS", '{"billing": "http://127.0.0.1:1"}', "unknown service"),
        ("JOBPILOT_GATEWAY__UPSTREAMS", '{"jobs": "job-service:3004"}', "http:// or https://"),
        ("JOBPILOT_GATEWAY__RATE_LIMIT_STORAGE", "memcached://x", "'memory' or a redis://"),
    ],
)
def test_bad_gateway_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert variable in str(caught.value)
    assert says in str(caught.value)


def test_gateway_settings_without_the_environment() -> None:
    assert GatewaySettings(upstreams={}).upstreams == GatewaySettings().upstreams


def test_the_gateway_refuses_to_start_on_a_bad_route_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from jobpilot.cli.app import app

    bad = tmp_path / "routes.toml"
    text = ROUTES_FILE.read_text(encoding="utf-8")
    bad.write_text(text.replace("rate_limit_per_minute = 50", "rate_limit_per_minute = 0"))
    monkeypatch.setenv("JOBPILOT_GATEWAY__ROUTES_FILE", str(bad))
    result = CliRunner().invoke(app, ["gateway", "--port", "1"])
    assert result.exit_code == 2
    assert "rate_limit_per_minute" in result.output

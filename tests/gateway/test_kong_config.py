"""Kong's config and the Kubernetes files: generated from the table, committed, and well-formed.

Kong itself cannot run here, so its declarative format is checked against a model of the parts
we emit, written from Kong 3.x's documented schemas (entities: services, routes, plugins;
plugins: cors, jwt, rate-limiting, prometheus). The Kubernetes manifests are checked against the
official OpenAPI schemas that `kubernetes-validate` ships (offline).
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import kubernetes_validate
import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from typer.testing import CliRunner

from jobpilot.cli.app import app
from jobpilot.gateway.kong import (
    K8S_DIR,
    KONG_FILE,
    REGENERATE,
    generated_files,
    kong_config,
    render_kong,
)
from jobpilot.gateway.routes import ROUTES_FILE, load_routes, parse_routes

ROOT = Path(__file__).resolve().parents[2]

# Plugins bundled with Kong Gateway 3.x (open source), from kong/constants.lua's list.
KONG_BUNDLED_PLUGINS = frozenset(
    {
        "jwt", "acl", "correlation-id", "cors", "oauth2", "tcp-log", "udp-log", "file-log",
        "http-log", "key-auth", "hmac-auth", "basic-auth", "ip-restriction",
        "request-transformer", "response-transformer", "request-size-limiting",
        "rate-limiting", "response-ratelimiting", "syslog", "loggly", "datadog", "ldap-auth",
        "statsd", "bot-detection", "aws-lambda", "request-termination", "prometheus",
        "proxy-cache", "session", "acme", "grpc-gateway", "grpc-web", "pre-function",
        "post-function", "azure-functions", "zipkin", "opentelemetry", "ai-proxy",
        "ai-prompt-decorator", "ai-prompt-template", "ai-prompt-guard", "ai-request-transformer",
        "ai-response-transformer", "standard-webhooks", "redirect",
    }
)  # fmt: skip


class _Kong(BaseModel):
    model_config = ConfigDict(extra="forbid")


Ms = Annotated[int, Field(ge=1, le=2_147_483_646)]
HttpMethod = Literal["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"]


class CorsConfig(_Kong):
    origins: list[str] = Field(min_length=1)
    methods: list[HttpMethod] = Field(min_length=1)
    headers: list[str] = Field(min_length=1)
    max_age: float = Field(ge=0)
    credentials: bool


class CorsPlugin(_Kong):
    name: Literal["cors"]
    config: CorsConfig


class JwtConfig(_Kong):
    claims_to_verify: list[Literal["exp", "nbf"]]
    run_on_preflight: bool


class JwtPlugin(_Kong):
    name: Literal["jwt"]
    config: JwtConfig


class RateLimitingConfig(_Kong):
    minute: float = Field(gt=0)
    limit_by: Literal["consumer", "consumer-group", "credential", "header", "ip", "path", "service"]
    header_name: str | None = None
    policy: Literal["local", "cluster", "redis"]
    fault_tolerant: bool


class RateLimitingPlugin(_Kong):
    name: Literal["rate-limiting"]
    config: RateLimitingConfig


class PrometheusConfig(_Kong):
    status_code_metrics: bool
    latency_metrics: bool
    bandwidth_metrics: bool
    upstream_health_metrics: bool


class PrometheusPlugin(_Kong):
    name: Literal["prometheus"]
    config: PrometheusConfig


RoutePlugin = Annotated[JwtPlugin | RateLimitingPlugin, Field(discriminator="name")]


class Route(_Kong):
    name: str = Field(pattern=r"^[A-Za-z0-9._~-]+$")
    paths: list[str] = Field(min_length=1)
    strip_path: Literal[False]
    protocols: list[Literal["http", "https"]]
    regex_priority: int | None = None
    plugins: list[RoutePlugin]


class Service(_Kong):
    name: str = Field(pattern=r"^[A-Za-z0-9._~-]+$")
    url: str = Field(pattern=r"^http://[a-z0-9.-]+:\d+$")
    connect_timeout: Ms
    read_timeout: Ms
    write_timeout: Ms
    retries: int = Field(ge=0, le=32767)
    tags: list[str]
    routes: list[Route] = Field(min_length=1)
    plugins: list[CorsPlugin]


class Target(_Kong):
    target: str = Field(pattern=r"^[a-z0-9.-]+:\d+$")
    weight: int = Field(ge=0, le=65535)


class ActiveHealthy(_Kong):
    interval: int = Field(ge=0, le=65535)
    successes: int = Field(ge=0, le=255)


class ActiveUnhealthy(_Kong):
    interval: int = Field(ge=0, le=65535)
    http_failures: int = Field(ge=0, le=255)
    tcp_failures: int = Field(ge=0, le=255)
    timeouts: int = Field(ge=0, le=255)


class PassiveUnhealthy(_Kong):
    http_failures: int = Field(ge=0, le=255)
    tcp_failures: int = Field(ge=0, le=255)
    timeouts: int = Field(ge=0, le=255)


class ActiveCheck(_Kong):
    type: Literal["http", "https", "tcp"]
    http_path: str = Field(pattern=r"^/")
    timeout: int = Field(ge=0)
    healthy: ActiveHealthy
    unhealthy: ActiveUnhealthy


class PassiveCheck(_Kong):
    type: Literal["http", "https", "tcp"]
    unhealthy: PassiveUnhealthy


class HealthChecks(_Kong):
    active: ActiveCheck
    passive: PassiveCheck


class Upstream(_Kong):
    name: str = Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)*$")
    tags: list[str]
    targets: list[Target] = Field(min_length=1)
    healthchecks: HealthChecks


class KongConfig(_Kong):
    format_version: Literal["3.0"] = Field(alias="_format_version")
    services: list[Service]
    upstreams: list[Upstream]
    plugins: list[PrometheusPlugin]


def _kong() -> dict[str, Any]:
    loaded = yaml.safe_load(render_kong(load_routes()))
    assert isinstance(loaded, dict)
    return loaded


def _plugins(config: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(config["plugins"])
    for service in config["services"]:
        found += service["plugins"]
        for route in service["routes"]:
            found += route["plugins"]
    return found


def test_committed_files_are_what_the_table_generates() -> None:
    """Drift: edit routes.toml (or the generator), then regenerate; never edit the output."""
    stale = []
    for relative, text in generated_files(load_routes()).items():
        committed = ROOT / relative
        if not committed.exists() or committed.read_text(encoding="utf-8") != text:
            stale.append(str(relative))
    assert not stale, (
        f"out of date with src/jobpilot/gateway/routes.toml: {', '.join(stale)}; "
        f"regenerate with `{REGENERATE}` at the repository root"
    )


def test_kong_config_follows_kongs_declarative_format() -> None:
    config = _kong()
    KongConfig.model_validate(config)
    names = {p["name"] for p in _plugins(config)}
    assert names <= KONG_BUNDLED_PLUGINS
    assert names == {"cors", "jwt", "rate-limiting", "prometheus"}
    routes = [r["name"] for s in config["services"] for r in s["routes"]]
    assert len(routes) == len(set(routes)), "Kong needs unique route names"


def test_the_model_refuses_what_kong_would() -> None:
    config = _kong()
    config["services"][1]["routes"][0]["plugins"][1]["config"]["limit_by"] = "user"
    with pytest.raises(ValidationError):
        KongConfig.model_validate(config)
    config = _kong()
    config["plugins"][0]["config"]["status_codes"] = True
    with pytest.raises(ValidationError):
        KongConfig.model_validate(config)


def test_every_table_service_becomes_a_kong_service() -> None:
    table = load_routes()
    services = {s["name"]: s for s in _kong()["services"]}
    upstreams = {u["name"]: u for u in _kong()["upstreams"]}
    assert len(upstreams) == len(services)
    assert list(services) == [s.name for s in table.services]
    for route in table.services:
        kong = services[route.name]
        connect, read, write, retries = table.timeouts(route)
        port = route.upstream.rsplit(":", 1)[1]
        assert kong["url"] == f"http://{route.name}.upstream:{port}"
        upstream = upstreams[f"{route.name}.upstream"]
        assert upstream["targets"] == [{"target": route.upstream, "weight": 100}]
        active = upstream["healthchecks"]["active"]
        assert active["http_path"] == table.health.path == "/healthz"
        assert active["unhealthy"]["tcp_failures"] == table.health.unhealthy_after
        # A 5xx answer is passed on, not counted against the upstream's health.
        assert upstream["healthchecks"]["passive"]["unhealthy"]["http_failures"] == 0
        assert (kong["connect_timeout"], kong["read_timeout"], kong["write_timeout"]) == (
            connect,
            read,
            write,
        )
        assert kong["retries"] == retries
        main = kong["routes"][0]
        assert main["paths"] == list(route.prefixes)
        assert main["strip_path"] is False
        plugins = {p["name"]: p["config"] for p in main["plugins"]}
        assert plugins["rate-limiting"]["minute"] == route.rate_limit_per_minute
        assert ("jwt" in plugins) is route.jwt
        if route.jwt:
            assert plugins["jwt"]["claims_to_verify"] == ["exp"]
            assert plugins["rate-limiting"]["limit_by"] == "header"
            assert plugins["rate-limiting"]["header_name"] == "Authorization"
        else:
            # Without token verification a client could pick a fresh counter per request.
            assert plugins["rate-limiting"]["limit_by"] == "ip"
        cors = kong["plugins"][0]["config"]
        assert cors["origins"] == list(table.cors.origins)
        assert cors["methods"] == ["GET", "POST", "PUT", "DELETE", "PATCH"]
        assert cors["headers"] == ["Authorization", "Content-Type"]
    assert _kong()["plugins"] == [
        {
            "name": "prometheus",
            "config": {
                "status_code_metrics": True,
                "latency_metrics": True,
                "bandwidth_metrics": True,
                "upstream_health_metrics": True,
            },
        }
    ]


def test_public_paths_of_a_jwt_service_get_their_own_route_without_jwt() -> None:
    data = tomllib.loads(ROUTES_FILE.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    jobs = next(s for s in data["services"] if s["name"] == "jobs")
    jobs["public_paths"] = ["/api/v1/jobs/{job_id}/share", "/api/v1/companies/logos.json"]
    config = kong_config(parse_routes(data))
    KongConfig.model_validate(config)
    service = next(s for s in config["services"] if s["name"] == "jobs")
    public = service["routes"][1]
    assert public["name"] == "jobs-public"
    assert [p["name"] for p in public["plugins"]] == ["rate-limiting"]
    assert public["plugins"][0]["config"]["limit_by"] == "ip"
    assert public["paths"][0].startswith("~")
    share, logos, status = (re.compile(p[1:]) for p in public["paths"])
    assert status.match("/api/v1/jobs/status")
    assert share.match("/api/v1/jobs/42/share")
    assert not share.match("/api/v1/jobs/42/share/more")
    assert not share.match("/api/v1/jobs/42")
    assert logos.match("/api/v1/companies/logos.json")
    assert not logos.match("/api/v1/companies/logosXjson")


def test_pages_get_routes_without_jwt_and_the_admin_api_keeps_it() -> None:
    config = _kong()
    admin = next(s for s in config["services"] if s["name"] == "admin")
    routes = {r["name"]: r for r in admin["routes"]}
    assert list(routes) == ["admin", "admin-public", "admin-pages", "admin-home"]
    assert routes["admin"]["paths"] == ["/api/admin"]
    assert [p["name"] for p in routes["admin"]["plugins"]] == ["jwt", "rate-limiting"]
    pages, home = routes["admin-pages"], routes["admin-home"]
    assert pages["paths"] == ["/admin", "/login", "/logout", "/static"]
    # `/` as a prefix would take every path: the home page is a regex matching `/` alone.
    assert home["paths"] == ["~/$"]
    home_regex = re.compile("^" + home["paths"][0][1:])
    assert home_regex.match("/")
    assert not home_regex.match("/anything")
    for route in (pages, home):
        # No token at Kong: pages sign in by their cookies; counted per client IP.
        assert [p["name"] for p in route["plugins"]] == ["rate-limiting"]
        limit = route["plugins"][0]["config"]
        assert limit["limit_by"] == "ip"
        assert limit["minute"] == load_routes().service("admin").page_limit
        assert route["strip_path"] is False


def test_cors_origins_can_be_given_for_a_deployment() -> None:
    config = kong_config(load_routes(), origins=["https://jobpilot.example"])
    assert {s["plugins"][0]["config"]["origins"][0] for s in config["services"]} == {
        "https://jobpilot.example"
    }


def _manifests() -> dict[str, dict[str, Any]]:
    files = generated_files(load_routes())
    return {
        str(path.name): yaml.safe_load(text)
        for path, text in files.items()
        if path.parent == K8S_DIR
    }


@pytest.mark.parametrize("version", ["1.28.0", kubernetes_validate.utils.latest_version()])
def test_kubernetes_manifests_follow_the_official_schemas(version: str) -> None:
    manifests = _manifests()
    assert set(manifests) == {"configmap.yaml", "deployment.yaml", "service.yaml"}
    for name, manifest in manifests.items():
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as exc:  # pragma: no cover - the message
            pytest.fail(f"{name} against Kubernetes {version}: {exc}")


def test_the_schemas_catch_a_wrong_field() -> None:
    deployment = _manifests()["deployment.yaml"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = (
        "/status"
    )
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.28.0", strict=True)


def test_kong_runs_db_less_from_the_configmap_as_a_non_root_user() -> None:
    manifests = _manifests()
    config_map, deployment, service = (
        manifests["configmap.yaml"],
        manifests["deployment.yaml"],
        manifests["service.yaml"],
    )
    assert yaml.safe_load(config_map["data"]["kong.yml"]) == _kong()
    pod = deployment["spec"]["template"]["spec"]
    (kong,) = pod["containers"]
    env = {e["name"]: e["value"] for e in kong["env"]}
    assert env["KONG_DATABASE"] == "off"
    assert env["KONG_DECLARATIVE_CONFIG"] == "/kong/kong.yml"
    assert env["KONG_ADMIN_LISTEN"] == "off"
    assert env["KONG_PROXY_LISTEN"].endswith(":8000")
    mount = next(m for m in kong["volumeMounts"] if m["mountPath"] == "/kong")
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    status_port = next(p["containerPort"] for p in kong["ports"] if p["name"] == "status")
    assert env["KONG_STATUS_LISTEN"].endswith(f":{status_port}")
    assert kong["readinessProbe"]["httpGet"] == {"path": "/status/ready", "port": "status"}
    assert kong["livenessProbe"]["httpGet"] == {"path": "/status", "port": "status"}
    assert kong["resources"]["requests"]
    assert kong["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert kong["securityContext"]["allowPrivilegeEscalation"] is False
    assert kong["securityContext"]["capabilities"]["drop"] == ["ALL"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["selector"] == selector
    assert {p["port"] for p in service["spec"]["ports"]} == {8000, status_port}


def test_a_new_config_rolls_the_pods() -> None:
    table = load_routes()
    before = generated_files(table)[K8S_DIR / "deployment.yaml"]
    after = generated_files(table, origins=["https://jobpilot.example"])[
        K8S_DIR / "deployment.yaml"
    ]
    assert before != after  # the pod template carries the config's checksum


def test_the_command_writes_the_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["gateway", "kong-config", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for relative, text in generated_files(load_routes()).items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == text
    assert "deploy/kong/kong.yml" in result.output

    other = tmp_path / "elsewhere" / "kong.yml"
    result = CliRunner().invoke(
        app,
        [
            *("gateway", "kong-config", "--output", str(other), "--no-kubernetes"),
            *("--cors-origin", "https://jobpilot.example"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "https://jobpilot.example" in other.read_text(encoding="utf-8")
    assert KONG_FILE.name == other.name

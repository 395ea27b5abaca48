"""Kong's declarative config and its Kubernetes deployment, generated from the route table.

Kong 3.x DB-less reads `kong.yml`; field names follow Kong's plugin schemas (cors, jwt,
rate-limiting, prometheus). `jobpilot gateway kong-config` writes these files and the test
suite fails when the committed ones differ from what the table generates.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

import yaml

from jobpilot.gateway.routes import HOME, RouteTable, ServiceRoute, template_regex

FORMAT_VERSION = "3.0"
# Pinned so that a rollout never changes Kong's behaviour by itself.
KONG_IMAGE = "kong:3.9.1"
PROXY_PORT = 8000
STATUS_PORT = 8100
CONFIG_DIR = "/kong"
CONFIG_NAME = "kong.yml"
APP = "api-gateway"
TAG = "jobpilot"

KONG_FILE = PurePosixPath("deploy/kong/kong.yml")
K8S_DIR = PurePosixPath("deploy/kubernetes/api-gateway")
REGENERATE = "jobpilot gateway kong-config"

KONG_HEADER = f"""\
# Generated from src/jobpilot/gateway/routes.toml by `{REGENERATE}`: do not edit.
# Kong 3.x, DB-less (KONG_DATABASE=off, KONG_DECLARATIVE_CONFIG={CONFIG_DIR}/{CONFIG_NAME}).
#
# Rate limits count per user, else per client IP. Kong's `limit_by: consumer` would not do
# that: every JobPilot token is signed by one issuer, so the jwt plugin maps all users to the
# same Kong consumer and they would share one counter. Routes that demand a token therefore
# count by `limit_by: header` on Authorization, which the jwt plugin (it runs before
# rate-limiting) has already verified, so each signed-in session has its own counter; Kong
# falls back to the client IP when the header is absent. Routes without the jwt plugin count by
# `limit_by: ip`, since there an unverified Authorization header would let a client pick a
# fresh counter per request. `policy: local` keeps counters in each Kong node (DB-less has no
# `cluster` policy), so N replicas allow up to N times the limit; the services' own limiter
# counts per user id in Redis behind it. The web pages (the admin service's `*-pages` and
# `*-home` routes) carry no jwt plugin: they sign in by their HttpOnly cookies, which Kong
# passes through untouched, and count per IP.
#
# The jwt plugin accepts only tokens whose `iss` matches a consumer's jwt_secrets entry with
# the auth service's public key (ES256); key material is not part of this file: add the
# consumer where the deployment keeps secrets.
"""


def _upstream_name(service: ServiceRoute) -> str:
    return f"{service.name}.upstream"


def _url(service: ServiceRoute) -> str:
    # The host names a Kong upstream, whose target is the Kubernetes service: Kong balances
    # and health-checks targets only behind an upstream (and only then reports their health).
    port = service.upstream.rsplit(":", 1)[1]
    return f"http://{_upstream_name(service)}:{port}"


def _upstream(table: RouteTable, service: ServiceRoute) -> dict[str, Any]:
    health = table.health
    return {
        "name": _upstream_name(service),
        "tags": [TAG],
        "targets": [{"target": service.upstream, "weight": 100}],
        "healthchecks": {
            "active": {
                "type": "http",
                "http_path": health.path,
                "timeout": health.timeout_seconds,
                "healthy": {"interval": health.interval_seconds, "successes": 1},
                "unhealthy": {
                    "interval": health.interval_seconds,
                    "http_failures": health.unhealthy_after,
                    "tcp_failures": health.unhealthy_after,
                    "timeouts": health.unhealthy_after,
                },
            },
            # On real traffic only failed connections and timeouts count: a 5xx is the
            # service's answer, passed to the client, not a sign that it is gone.
            "passive": {
                "type": "http",
                "unhealthy": {
                    "http_failures": 0,
                    "tcp_failures": health.unhealthy_after,
                    "timeouts": health.unhealthy_after,
                },
            },
        },
    }


def _rate_limit(service: ServiceRoute, *, by_token: bool, fault_tolerant: bool) -> dict[str, Any]:
    config: dict[str, Any] = {"minute": service.rate_limit_per_minute}
    if by_token:
        config |= {"limit_by": "header", "header_name": "Authorization"}
    else:
        config["limit_by"] = "ip"
    config |= {"policy": "local", "fault_tolerant": fault_tolerant}
    return {"name": "rate-limiting", "config": config}


def _jwt() -> dict[str, Any]:
    # Preflights carry no token; the cors plugin answers them first, and this keeps them
    # allowed should the order ever change.
    return {"name": "jwt", "config": {"claims_to_verify": ["exp"], "run_on_preflight": False}}


def _cors(table: RouteTable, origins: list[str]) -> dict[str, Any]:
    return {
        "name": "cors",
        "config": {
            "origins": list(origins),
            "methods": list(table.cors.methods),
            "headers": list(table.cors.headers),
            "max_age": table.cors.max_age_seconds,
            "credentials": False,
        },
    }


def _service(
    table: RouteTable, service: ServiceRoute, origins: list[str], fault_tolerant: bool
) -> dict[str, Any]:
    connect, read, write, retries = table.timeouts(service)
    main: dict[str, Any] = {
        "name": service.name,
        "paths": list(service.prefixes),
        "strip_path": False,
        "protocols": ["http", "https"],
        "plugins": [
            *([_jwt()] if service.jwt else []),
            _rate_limit(service, by_token=service.jwt, fault_tolerant=fault_tolerant),
        ],
    }
    routes = [main]
    if service.jwt:
        # Regex paths (`~` prefix, Kong 3.x) are matched exactly and before prefix paths, so
        # these few paths skip the jwt plugin that guards the rest of the service.
        routes.append(
            {
                "name": f"{service.name}-public",
                "paths": ["~" + template_regex(p) for p in service.open_paths],
                "strip_path": False,
                "regex_priority": 100,
                "protocols": ["http", "https"],
                "plugins": [_rate_limit(service, by_token=False, fault_tolerant=fault_tolerant)],
            }
        )
    pages = [p for p in service.pages if p != HOME]
    if pages:
        # Pages sign in by their cookies, never by a token: no jwt plugin, counted per IP.
        routes.append(_pages_route(service, f"{service.name}-pages", pages, fault_tolerant))
    if HOME in service.pages:
        # A prefix path of `/` would match every path; the regex matches the home page alone.
        routes.append(_pages_route(service, f"{service.name}-home", ["~/$"], fault_tolerant))
    return {
        "name": service.name,
        "url": _url(service),
        "connect_timeout": connect,
        "read_timeout": read,
        "write_timeout": write,
        "retries": retries,
        "tags": [TAG],
        "routes": routes,
        "plugins": [_cors(table, origins)],
    }


def _pages_route(
    service: ServiceRoute, name: str, paths: list[str], fault_tolerant: bool
) -> dict[str, Any]:
    limit = _rate_limit(service, by_token=False, fault_tolerant=fault_tolerant)
    limit["config"]["minute"] = service.page_limit
    return {
        "name": name,
        "paths": paths,
        "strip_path": False,
        "protocols": ["http", "https"],
        "plugins": [limit],
    }


def kong_config(
    table: RouteTable, *, origins: list[str] | None = None, fault_tolerant: bool = True
) -> dict[str, Any]:
    """Kong's declarative config for `table` (CORS origins from the table unless given)."""
    chosen = list(origins) if origins else list(table.cors.origins)
    return {
        "_format_version": FORMAT_VERSION,
        "services": [_service(table, s, chosen, fault_tolerant) for s in table.services],
        "upstreams": [_upstream(table, s) for s in table.services],
        "plugins": [
            {
                "name": "prometheus",
                "config": {
                    "status_code_metrics": True,
                    "latency_metrics": True,
                    "bandwidth_metrics": True,
                    "upstream_health_metrics": True,
                },
            }
        ],
    }


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (kong.yml inside the ConfigMap) as readable literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never `&id001` anchors: every value is written out where it is used."""
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)


def render_kong(
    table: RouteTable, *, origins: list[str] | None = None, fault_tolerant: bool = True
) -> str:
    """`kong.yml` as text: the explanatory header, then the config."""
    return KONG_HEADER + _dump(kong_config(table, origins=origins, fault_tolerant=fault_tolerant))


def _labels() -> dict[str, str]:
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "jobpilot"}


def _config_map(kong_yml: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{APP}-kong-config", "labels": _labels()},
        "data": {CONFIG_NAME: kong_yml},
    }


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "status"},
        "initialDelaySeconds": 5,
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }


def _deployment(kong_yml: str) -> dict[str, Any]:
    env = {
        "KONG_DATABASE": "off",
        "KONG_DECLARATIVE_CONFIG": f"{CONFIG_DIR}/{CONFIG_NAME}",
        "KONG_PROXY_LISTEN": f"0.0.0.0:{PROXY_PORT}",
        # The config is the file above; nothing may change it at run time.
        "KONG_ADMIN_LISTEN": "off",
        "KONG_STATUS_LISTEN": f"0.0.0.0:{STATUS_PORT}",
        # The root filesystem is read-only: nginx writes its prefix into an emptyDir.
        "KONG_PREFIX": "/kong_prefix",
        "KONG_PROXY_ACCESS_LOG": "/dev/stdout",
        "KONG_PROXY_ERROR_LOG": "/dev/stderr",
        "KONG_ADMIN_ERROR_LOG": "/dev/stderr",
        "KONG_STATUS_ERROR_LOG": "/dev/stderr",
        "KONG_NGINX_WORKER_PROCESSES": "2",
        "KONG_ANONYMOUS_REPORTS": "off",
    }
    checksum = hashlib.sha256(kong_yml.encode()).hexdigest()
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": APP, "labels": _labels()},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": APP}},
            "template": {
                "metadata": {
                    "labels": _labels(),
                    "annotations": {
                        # A new kong.yml changes the pod template, so the pods roll.
                        "checksum/kong-config": checksum,
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(STATUS_PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 1000,
                        "runAsGroup": 1000,
                        "fsGroup": 1000,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "kong",
                            "image": KONG_IMAGE,
                            "env": [{"name": k, "value": v} for k, v in env.items()],
                            "ports": [
                                {"name": "proxy", "containerPort": PROXY_PORT},
                                {"name": "status", "containerPort": STATUS_PORT},
                            ],
                            # /status/ready turns 200 once the declarative config is loaded.
                            "readinessProbe": _probe("/status/ready", 5, 3),
                            "livenessProbe": _probe("/status", 10, 3),
                            "resources": {
                                "requests": {"cpu": "250m", "memory": "256Mi"},
                                "limits": {"cpu": "1", "memory": "512Mi"},
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": [
                                {"name": "kong-config", "mountPath": CONFIG_DIR, "readOnly": True},
                                {"name": "kong-prefix", "mountPath": "/kong_prefix"},
                                {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "kong-config", "configMap": {"name": f"{APP}-kong-config"}},
                        {"name": "kong-prefix", "emptyDir": {}},
                        {"name": "tmp", "emptyDir": {}},
                    ],
                },
            },
        },
    }


def _service_manifest() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": APP, "labels": _labels()},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": APP},
            "ports": [
                {"name": "proxy", "port": PROXY_PORT, "targetPort": "proxy"},
                {"name": "status", "port": STATUS_PORT, "targetPort": "status"},
            ],
        },
    }


K8S_HEADER = f"# Generated from src/jobpilot/gateway/routes.toml by `{REGENERATE}`: do not edit.\n"


def generated_files(
    table: RouteTable, *, origins: list[str] | None = None, fault_tolerant: bool = True
) -> dict[PurePosixPath, str]:
    """Every file the command writes, by path relative to the repository root."""
    kong_yml = render_kong(table, origins=origins, fault_tolerant=fault_tolerant)
    return {
        KONG_FILE: kong_yml,
        K8S_DIR / "configmap.yaml": K8S_HEADER + _dump(_config_map(kong_yml)),
        K8S_DIR / "deployment.yaml": K8S_HEADER + _dump(_deployment(kong_yml)),
        K8S_DIR / "service.yaml": K8S_HEADER + _dump(_service_manifest()),
    }

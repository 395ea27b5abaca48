"""The sandbox's shared state: scenarios, captured fixtures, recorded applications, codes."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.routing import BaseRoute

SCENARIOS = ("captcha", "login", "emailcode", "changed", "slow", "closed", "steps")
_CODE_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class Site:
    """One ATS's stand-in: the routes it answers, per real host.

    `hosts` names exact hosts (`jobs.lever.co`); `host_patterns` covers ATSs with a host per
    tenant, by wildcard (`*.recruitee.com`, `*.wd*.myworkdayjobs.com`): handlers read the
    real host from `request.path_params["host"]`.
    """

    ats: str
    hosts: dict[str, list[BaseRoute]] = field(default_factory=dict)
    host_patterns: dict[str, list[BaseRoute]] = field(default_factory=dict)


@dataclass
class Pending:
    """An application waiting for its emailed security code."""

    record: dict[str, Any]
    code: str
    email: str


@dataclass
class Sandbox:
    """State every site module shares."""

    fixtures_dir: Path | None = None
    slow_seconds: float = 5.0
    submissions: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, Pending] = field(default_factory=dict)
    _counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _fixtures: dict[tuple[str, ...], bytes] = field(default_factory=dict)

    @staticmethod
    def scenarios(posting_id: str) -> frozenset[str]:
        """The scenario words a posting id contains."""
        lowered = posting_id.lower()
        return frozenset(word for word in SCENARIOS if word in lowered)

    def fixture(self, *parts: str) -> bytes | None:
        """A captured payload under `fixtures_dir`, or None without it."""
        if parts in self._fixtures:
            return self._fixtures[parts]
        if self.fixtures_dir is None:
            return None
        path = self.fixtures_dir.joinpath(*parts)
        if not path.is_file():
            return None
        self._fixtures[parts] = path.read_bytes()
        return self._fixtures[parts]

    def fixture_json(self, *parts: str) -> Any:
        """A captured JSON payload, freshly decoded (callers may change it)."""
        raw = self.fixture(*parts)
        return None if raw is None else json.loads(raw)

    @staticmethod
    def link(request: Request, host: str, path: str) -> str:
        """The sandbox path standing in for `https://{host}{path}` (mount-prefix aware)."""
        # Inside the host's Mount `root_path` ends with that host; what is before it is where
        # the sandbox itself is mounted ("" standalone, "/sandbox" inside JobPilot's server).
        root_path = str(request.scope.get("root_path", "")).rstrip("/")
        head, _, last = root_path.rpartition("/")
        root = head if "." in last else root_path
        return f"{root}/{host}{path}"

    async def record(
        self,
        *,
        ats: str,
        tenant: str,
        posting_id: str,
        form: FormData,
        status: str = "confirmed",
        email: str | None = None,
    ) -> dict[str, Any]:
        """Store one received application: every field, and each file's name, size and hash."""
        fields: dict[str, Any] = {}
        files: list[dict[str, Any]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if not value.filename and not data:
                    continue
                files.append(
                    {
                        "field": key,
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
                continue
            name = key.removesuffix("[]")
            if key.endswith("[]"):
                fields.setdefault(name, []).append(value)
            elif name in fields:
                existing = fields[name]
                fields[name] = (
                    [*existing, value] if isinstance(existing, list) else [existing, value]
                )
            else:
                fields[name] = value
        # Forms that name the field otherwise (`candidate[email]`) pass the address.
        email = (email or str(fields.get("email") or "")).strip().lower()
        count_key = (ats, posting_id, email)
        self._counts[count_key] += 1
        record = {
            "id": len(self.submissions) + 1,
            "ats": ats,
            "tenant": tenant,
            "posting_id": posting_id,
            "fields": fields,
            "files": files,
            "status": status,
            "received_at": datetime.now(UTC).isoformat(),
            "attempt": self._counts[count_key],
        }
        self.submissions.append(record)
        return record

    def park(self, record: dict[str, Any]) -> tuple[str, str]:
        """Hold `record` until its emailed code comes back; the session token and the code."""
        token = secrets.token_urlsafe(16)
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        email = str(record["fields"].get("email") or "")
        self.pending[token] = Pending(record, code, email)
        return token, code

    def duplicates(self) -> list[dict[str, Any]]:
        """(ats, posting, email) triples received more than once, with their counts."""
        return [
            {"ats": ats, "posting_id": posting, "email": email, "count": count}
            for (ats, posting, email), count in self._counts.items()
            if count > 1
        ]

    def codes(self) -> list[dict[str, str]]:
        """The security codes "emailed" for applications still waiting, newest last."""
        return [
            {"email": p.email, "posting_id": str(p.record["posting_id"]), "code": p.code}
            for p in self.pending.values()
        ]

    def clear(self) -> None:
        """Forget every submission, pending code and duplicate count."""
        self.submissions.clear()
        self.pending.clear()
        self._counts.clear()

"""Recruitee: the Careers Site API's key-less candidate endpoint, as a candidate applies.

`POST https://{company}.recruitee.com/api/offers/{offer_slug}/candidates`, multipart:
`candidate[name|email|phone|cover_letter]`, the CV file as `candidate[cv]`, and each screening
answer as `candidate[open_question_answers_attributes][i][open_question_id]` with `[content]`
(text), `[flag]` (yes/no) or `[multi_content][]` (choices). 201 means created; 422 lists the
fields Recruitee refused. The offer's slug comes from its apply URL (`/o/{slug}/c/new`), or
else from the offers list.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from jobpilot.applications.submitters.base import (
    Answer,
    Evidence,
    PointOfNoReturn,
    SubmissionOutcome,
    SubmissionRequest,
)

DOMAIN = "recruitee.com"
_SLUG = re.compile(r"/o/([^/?#]+)")
_QUESTION_KEY = re.compile(r"^open_question_(\d+)$")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}
# Bodies kept as evidence are cut at this many characters.
_EVIDENCE_CHARS = 20_000


class RecruiteeSubmitter:
    """Applies through Recruitee's candidate endpoint; no browser, no captcha."""

    ats = "recruitee"
    channel = "api"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        rewrite: Callable[[str], str] | None = None,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._client = client
        self._rewrite = rewrite or (lambda url: url)
        self._timeout = timeout_seconds

    async def submit(
        self, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        """Create the candidate on the offer, once."""
        base = f"https://{request.tenant}.{DOMAIN}"
        slug = await self._slug(base, request)
        if slug is None:
            return SubmissionOutcome(
                "failed", "form_closed", "The offer is no longer on the careers site."
            )
        url = f"{base}/api/offers/{slug}/candidates"
        data, sent = _form_data(request)
        files: list[tuple[str, tuple[str, bytes, str]]] = []
        names: list[str] = []
        for attachment in request.attachments:
            field = (
                "candidate[cv]" if attachment.kind == "resume" else "candidate[cover_letter_file]"
            )
            files.append((field, (attachment.filename, attachment.data, attachment.content_type)))
            names.append(attachment.filename)
            sent.append({"key": field, "label": attachment.kind, "value": attachment.filename})
        evidence = Evidence(sent=sent, files=names, confirmation_url=url)
        await point_of_no_return()
        started = time.monotonic()
        try:
            response = await self._client.post(
                self._rewrite(url), data=_grouped(data), files=files, timeout=self._timeout
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # No connection was made, so nothing was sent: safe to try again later.
            return SubmissionOutcome(
                "failed", "error", f"Recruitee could not be reached: {type(exc).__name__}.",
                evidence=evidence, sent=False,
            )  # fmt: skip
        except httpx.HTTPError as exc:
            return SubmissionOutcome(
                "unknown", "not_confirmed",
                f"The request was sent but no answer came back ({type(exc).__name__}).",
                evidence=evidence, sent=True,
            )  # fmt: skip
        evidence.response = {
            "status": response.status_code,
            "body": response.text[:_EVIDENCE_CHARS],
            "seconds": round(time.monotonic() - started, 3),
        }
        evidence.confirmation_html = response.text[:_EVIDENCE_CHARS]
        return _outcome(response, evidence)

    async def resume(
        self, request: SubmissionRequest, point_of_no_return: PointOfNoReturn
    ) -> SubmissionOutcome:
        """The API never parks an application, so there is nothing to resume."""
        return SubmissionOutcome("failed", "error", "Recruitee applications never wait for a code.")

    async def _slug(self, base: str, request: SubmissionRequest) -> str | None:
        """The offer's slug: from the offer itself (its id is the posting's id), else from the
        apply URL; None when the careers site no longer has the offer."""
        detail = await self._client.get(
            self._rewrite(f"{base}/api/offers/{quote(request.posting_id, safe='')}"),
            timeout=self._timeout,
        )
        if detail.status_code in (404, 410):
            return None
        if detail.status_code == 200:
            offer = detail.json().get("offer")
            if isinstance(offer, dict) and offer.get("slug"):
                return str(offer["slug"])
        found = _SLUG.search(urlsplit(request.apply_url).path)
        return found.group(1) if found else None


def _form_data(request: SubmissionRequest) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The multipart fields and, for the evidence, each as sent."""
    contact = request.contact
    by_key = {answer.key: answer for answer in request.answers}
    data: list[tuple[str, str]] = []
    sent: list[dict[str, Any]] = []

    def put(field: str, label: str, value: str) -> None:
        data.append((field, value))
        sent.append({"key": field, "label": label, "value": value})

    put("candidate[name]", "Full name", _text(by_key.get("name")) or contact.name)
    put("candidate[email]", "Email", _text(by_key.get("email")) or contact.email)
    phone = _text(by_key.get("phone")) or contact.phone
    if phone:
        put("candidate[phone]", "Phone", phone)
    if request.cover_letter_text:
        put("candidate[cover_letter]", "Cover letter", request.cover_letter_text)
    index = 0
    for answer in request.answers:
        matched = _QUESTION_KEY.match(answer.key)
        if matched is None or answer.value in (None, "", []):
            continue
        prefix = f"candidate[open_question_answers_attributes][{index}]"
        data.append((f"{prefix}[open_question_id]", matched.group(1)))
        if answer.type == "boolean":
            put(f"{prefix}[flag]", answer.label, _flag(answer))
        elif answer.type == "multi_select":
            values = answer.value if isinstance(answer.value, list) else [str(answer.value)]
            for value in values:
                put(f"{prefix}[multi_content][]", answer.label, value)
        else:
            put(f"{prefix}[content]", answer.label, _text(answer) or "")
        index += 1
    return data, sent


def _grouped(data: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Fields by name, repeated names (`multi_content[]`) keeping every value in order."""
    grouped: dict[str, list[str]] = {}
    for name, value in data:
        grouped.setdefault(name, []).append(value)
    return grouped


def _text(answer: Answer | None) -> str | None:
    if answer is None or answer.value is None:
        return None
    if isinstance(answer.value, list):
        return ", ".join(answer.value)
    return answer.value.strip() or None


def _flag(answer: Answer) -> str:
    value = (_text(answer) or "").lower()
    if value in _TRUE:
        return "true"
    if value in _FALSE:
        return "false"
    return value


def _outcome(response: httpx.Response, evidence: Evidence) -> SubmissionOutcome:
    status = response.status_code
    if status in (200, 201, 202):
        return SubmissionOutcome("submitted", evidence=evidence, sent=True)
    if status == 422:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        fields = body.get("error_fields")
        said = "; ".join(
            f"{name}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for name, v in (fields.items() if isinstance(fields, dict) else [])
        )
        detail = f"Recruitee refused the application: {said or body.get('error') or status}"
        return SubmissionOutcome("failed", "rejected", detail[:1000], evidence=evidence, sent=True)
    if status in (404, 410):
        return SubmissionOutcome(
            "failed", "form_closed", "The offer no longer takes applications.",
            evidence=evidence, sent=True,
        )  # fmt: skip
    if status == 429:
        # Refused before being processed: nothing was created.
        return SubmissionOutcome(
            "failed", "error", "Recruitee asked to slow down (429).", evidence=evidence, sent=False
        )
    return SubmissionOutcome(
        "unknown", "not_confirmed",
        f"Recruitee answered {status}; whether the application was created is unknown.",
        evidence=evidence, sent=True,
    )  # fmt: skip

"""Recruitee in the sandbox: the Careers Site API (offers, one offer, the candidates endpoint).

Offers are the captured `recruitee/radishlab_api_offers.json` when the fixtures are at hand,
else a built-in offer with the same fields and one question of each kind. Any offer id or slug
is answered (the demo's synthetic postings have ids no capture has): the offer keeps its
questions and takes the requested id and slug. The candidates endpoint checks what Recruitee
checks (name, email, the CV and phone when the offer requires them, required screening
answers) and answers 201, or 422 with `error_fields`.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from jobpilot.sandbox.core import Sandbox, Site

ATS = "recruitee"
HOST_SUFFIX = ".recruitee.com"
FIXTURE = ("recruitee", "radishlab_api_offers.json")

_BUILT_IN_OFFER: dict[str, Any] = {
    "id": 1,
    "slug": "offer",
    "title": "Software Engineer",
    "status": "published",
    "options_cv": "required",
    "options_phone": "optional",
    "options_cover_letter": "optional",
    "options_photo": "off",
    "open_questions": [
        {"id": 901, "position": 1, "required": True, "kind": "boolean",
         "body": "Are you authorized to work in the country of this job?",
         "open_question_options": []},
        {"id": 902, "position": 2, "required": True, "kind": "string",
         "body": "How many years of professional experience do you have?",
         "options": {"length": 120}, "open_question_options": []},
        {"id": 903, "position": 3, "required": False, "kind": "text",
         "body": "Anything else you would like us to know?", "open_question_options": []},
        {"id": 904, "position": 4, "required": False, "kind": "single_choice",
         "body": "How did you hear about us?",
         "open_question_options": [{"id": 1, "body": "Job board"}, {"id": 2, "body": "Friend"}]},
    ],
}  # fmt: skip


def build(sandbox: Sandbox) -> Site:
    """Recruitee's Careers Site API on every `*.recruitee.com` careers site."""
    raw = sandbox.fixture_json(*FIXTURE)
    offers: list[dict[str, Any]] = list(raw["offers"]) if raw else [_BUILT_IN_OFFER]

    def offer_for(tenant: str, wanted: str) -> dict[str, Any]:
        for offer in offers:
            if wanted in (str(offer.get("id")), offer.get("slug")):
                return {**offer, "company_name": tenant}
        # An offer no capture has (the demo's synthetic ones): a captured offer's questions
        # under the requested id and slug.
        # `offer-<id>` is the slug this sandbox gives offer <id>: the same offer either way.
        number = wanted.removeprefix("offer-")
        offer_id = int(number) if number.isdigit() else zlib.crc32(wanted.encode())
        slug = f"offer-{offer_id}" if number.isdigit() else wanted
        template = offers[offer_id % len(offers)]
        return {
            **template,
            "id": offer_id,
            "slug": slug,
            "company_name": tenant,
            "careers_url": f"https://{tenant}{HOST_SUFFIX}/o/{slug}",
            "careers_apply_url": f"https://{tenant}{HOST_SUFFIX}/o/{slug}/c/new",
        }

    def tenant_of(request: Request) -> str:
        return str(request.path_params["host"]).removesuffix(HOST_SUFFIX)

    async def list_offers(request: Request) -> Response:
        tenant = tenant_of(request)
        return JSONResponse({"offers": [offer_for(tenant, str(o["id"])) for o in offers]})

    async def one_offer(request: Request) -> Response:
        wanted = str(request.path_params["offer"])
        if "closed" in sandbox.scenarios(wanted):
            return JSONResponse({"error": "Not found"}, 404)
        return JSONResponse({"offer": offer_for(tenant_of(request), wanted)})

    async def candidates(request: Request) -> Response:
        tenant, slug = tenant_of(request), str(request.path_params["offer"])
        scenarios = sandbox.scenarios(slug)
        if "closed" in scenarios:
            return JSONResponse({"error": "Offer not found"}, 404)
        offer = offer_for(tenant, slug)
        try:
            form = await request.form()
        except ClientDisconnect:
            # The candidate's side went away mid-upload: nothing arrived.
            return Response(status_code=400)
        try:
            fields: dict[str, list[str]] = {}
            files: set[str] = set()
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files.add(name)
                else:
                    fields.setdefault(name, []).append(value)
            errors = _errors(offer, fields, files)
            if errors:
                return JSONResponse({"error": "Validation failed", "error_fields": errors}, 422)
            if "slow" in scenarios:
                await asyncio.sleep(sandbox.slow_seconds)
            email = (fields.get("candidate[email]") or [""])[0]
            record = await sandbox.record(
                ats=ATS, tenant=tenant, posting_id=str(offer["id"]), form=form, email=email
            )
        finally:
            await form.close()
        return JSONResponse({"candidate": {"id": record["id"], "email": email}}, 201)

    routes: list[BaseRoute] = [
        Route("/api/offers/", list_offers, methods=["GET"]),
        Route("/api/offers/{offer}", one_offer, methods=["GET"]),
        Route("/api/offers/{offer}/candidates", candidates, methods=["POST"]),
    ]
    return Site(ats=ATS, host_patterns={f"*{HOST_SUFFIX}": routes})


def _errors(offer: dict[str, Any], fields: dict[str, list[str]], files: set[str]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for name in ("name", "email"):
        if not (fields.get(f"candidate[{name}]") or [""])[0].strip():
            errors[name] = ["can't be blank"]
    if offer.get("options_cv") == "required" and "candidate[cv]" not in files:
        errors["cv"] = ["can't be blank"]
    if offer.get("options_phone") == "required" and not fields.get("candidate[phone]"):
        errors["phone"] = ["can't be blank"]
    answered: dict[str, bool] = {}
    index = 0
    while qid := fields.get(
        f"candidate[open_question_answers_attributes][{index}][open_question_id]"
    ):
        prefix = f"candidate[open_question_answers_attributes][{index}]"
        answered[qid[0]] = any(
            (fields.get(f"{prefix}[{kind}]") or [""])[0].strip()
            for kind in ("content", "flag", "multi_content][")
        )
        index += 1
    for question in offer.get("open_questions") or []:
        if question.get("required") and not answered.get(str(question.get("id"))):
            errors.setdefault("open_question_answers", []).append(
                f"{question.get('body')}: can't be blank"
            )
    return errors

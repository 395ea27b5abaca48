"""Ashby, Workable, BambooHR and SmartRecruiters in the sandbox over plain HTTP: the real jobs
adapters read each definition, the rendered form names its boxes by the same keys, and the
submit targets refuse incomplete posts and record complete ones."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobpilot.jobs.ats.ashby import AshbyAdapter
from jobpilot.jobs.ats.bamboohr import BambooHRAdapter
from jobpilot.jobs.ats.base import AtsHttp, BoardNotFound, BoardRef, FormQuestion
from jobpilot.jobs.ats.smartrecruiters import SmartRecruitersAdapter
from jobpilot.jobs.ats.workable import WorkableAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from jobpilot.sandbox.sites.smartrecruiters import publication
from support import require_shared

BASE = "http://sandbox"
PDF = b"%PDF-1.4 a resume"


def _shared() -> Path:
    return require_shared("fixtures", "ats")


async def _client(fixtures: Path | None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_sandbox_app(fixtures))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        yield c


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(_shared()):
        yield c


@pytest.fixture
async def bare() -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox without the captured fixtures."""
    async for c in _client(None):
        yield c


def _http(client: httpx.AsyncClient) -> AtsHttp:
    return AtsHttp(client, rewrite=proxy_rewrite(BASE))


def _keys_in_page(html: str) -> set[str]:
    """Every key a box of the page is named by (`name`, or `data-field` for unnamed files)."""
    return set(re.findall(r'\s(?:name|data-field)="([^"]+)"', html))


async def _submissions(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    body = (await client.get("/_sandbox/submissions")).json()
    result: list[dict[str, Any]] = body["submissions"]
    return result


# -- Ashby -----------------------------------------------------------------------------------

ASHBY_PAGE = "/jobs.ashbyhq.com/acme"
ASHBY_SUBMIT = "/jobs.ashbyhq.com/api/non-user-graphql"


async def _ashby_form(client: httpx.AsyncClient, posting: str) -> list[FormQuestion]:
    return list(
        await AshbyAdapter().get_application_form(_http(client), BoardRef("ashby", "acme"), posting)
    )


async def test_ashby_definition_of_any_posting_names_the_rendered_boxes(
    client: httpx.AsyncClient,
) -> None:
    captured = json.loads(
        (_shared() / "ashby" / "lightdash_graphql_ApiJobPosting_application_form.json").read_text()
    )
    sections = captured["data"]["jobPosting"]["applicationForm"]["sections"]
    paths = [entry["field"]["path"] for s in sections for entry in s["fieldEntries"]]

    questions = await _ashby_form(client, "5b6c1d2e-0000-4000-8000-000000000001")
    page = await client.get(f"{ASHBY_PAGE}/5b6c1d2e-0000-4000-8000-000000000001/application")

    assert [q.key for q in questions] == paths
    name = next(q for q in questions if q.key == "_systemfield_name")
    assert (name.label, name.type, name.required) == ("Name", "text", True)
    assert page.status_code == 200
    assert _keys_in_page(page.text) >= set(paths)
    for path in paths:
        assert f'data-field-path="{path}"' in page.text


async def test_ashby_closed_posting_has_no_definition_and_no_page(
    client: httpx.AsyncClient,
) -> None:
    with pytest.raises(BoardNotFound):
        await _ashby_form(client, "closed-1")
    assert (await client.get(f"{ASHBY_PAGE}/closed-1/application")).status_code == 404


async def test_ashby_submit_names_missing_fields_then_records_a_complete_post(
    client: httpx.AsyncClient,
) -> None:
    query = {"op": "ApiSubmitSingleApplicationFormAction", "org": "acme", "jobPostingId": "p1"}
    complete = {
        "_systemfield_name": "Ada Lovelace",
        "_systemfield_email": "ada@example.com",
        "00415714-75f3-49b9-b856-ac674fd5ce8b": "London, England, United Kingdom",
        "36913b1f-c34f-4693-919c-400304a2a11d": "https://linkedin.com/in/ada",
        "f93bff8c-2442-42b7-b040-3876fa160aba": "BI for everyone.",
    }
    partial = {k: v for k, v in complete.items() if k != "_systemfield_email"}

    refused = await client.post(ASHBY_SUBMIT, params=query, data=partial)
    accepted = await client.post(
        ASHBY_SUBMIT,
        params=query,
        data=complete,
        files={"_systemfield_resume": ("cv.pdf", PDF, "application/pdf")},
    )

    assert refused.json()["errors"]["_systemfield_email"] == (
        "Missing entry for required field: Email"
    )
    assert "Application submitted" in accepted.json()["html"]
    [received] = await _submissions(client)
    assert {k: received["fields"][k] for k in complete} == complete
    assert received["files"][0]["field"] == "_systemfield_resume"


async def test_ashby_changed_form_asks_what_the_definition_lacks(
    client: httpx.AsyncClient,
) -> None:
    keys = {q.key for q in await _ashby_form(client, "changed-1")}
    page = (await client.get(f"{ASHBY_PAGE}/changed-1/application")).text

    assert _keys_in_page(page) - keys == {"0e8f5c1a-9d1c-4b8e-9d6a-000000000099"}


async def test_ashby_without_fixtures_serves_a_built_in_form(bare: httpx.AsyncClient) -> None:
    questions = await _ashby_form(bare, "p2")
    page = (await bare.get(f"{ASHBY_PAGE}/p2/application")).text

    kinds = {q.type for q in questions}
    assert kinds >= {"text", "email", "phone", "file", "textarea", "boolean", "select"}
    assert _keys_in_page(page) == {q.key for q in questions}


# -- Workable --------------------------------------------------------------------------------

WORKABLE_FORM = "/apply.workable.com/api/v1/jobs"


async def _workable_form(client: httpx.AsyncClient, code: str) -> list[FormQuestion]:
    return list(
        await WorkableAdapter().get_application_form(_http(client), BoardRef("workable", ""), code)
    )


async def test_workable_definition_of_any_job_names_the_rendered_boxes(
    client: httpx.AsyncClient,
) -> None:
    captured = json.loads((_shared() / "workable" / "kroo_job_C4002EDABE_form.json").read_text())
    ids = [f["id"] for s in captured for f in s["fields"]]

    questions = await _workable_form(client, "ABCDEF1234")
    page = await client.get("/apply.workable.com/kroo/j/ABCDEF1234/apply/")
    short = await client.get("/apply.workable.com/j/ABCDEF1234/apply")

    assert [q.key for q in questions] == ids
    assert _keys_in_page(page.text) == set(ids)
    assert short.status_code == 200
    assert re.search(r'<input type="tel" id="input_phone" name="phone"', page.text)
    assert 'data-ui="resume"' in page.text


async def test_workable_closed_job_is_not_found(client: httpx.AsyncClient) -> None:
    with pytest.raises(BoardNotFound):
        await _workable_form(client, "CLOSED1234")
    page = await client.get("/apply.workable.com/j/CLOSED1234/apply/")
    assert "no longer available" in page.text


async def test_workable_apply_refuses_missing_fields_with_422(client: httpx.AsyncClient) -> None:
    refused = await client.post(f"{WORKABLE_FORM}/ABCDEF1234/apply", data={"firstname": "Ada"})

    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert "firstname" not in errors
    assert {"lastname", "email", "resume", "QA_5947083"} <= set(errors)
    assert await _submissions(client) == []


async def test_workable_without_fixtures_serves_a_built_in_form(bare: httpx.AsyncClient) -> None:
    questions = await _workable_form(bare, "ABCDEF1234")
    page = (await bare.get("/apply.workable.com/j/ABCDEF1234/apply/")).text

    assert {q.type for q in questions} >= {"text", "email", "file", "boolean", "select"}
    assert _keys_in_page(page) == {q.key for q in questions}


# -- BambooHR --------------------------------------------------------------------------------

BAMBOO = "/premise.bamboohr.com/careers"
# Boxes no definition names: the honeypot and the invisible reCAPTCHA's token.
BAMBOO_EXTRA = {"nickname_hpcsaf", "g-recaptcha-response"}


async def _bamboo_form(client: httpx.AsyncClient, opening: str) -> list[FormQuestion]:
    form = await BambooHRAdapter().get_application_form(
        _http(client), BoardRef("bamboohr", "premise"), opening
    )
    assert form is not None
    return list(form)


def _bamboo_names(keys: set[str]) -> set[str]:
    """How the page names each definition key (the file inputs are unnamed: `data-field`)."""
    dotted = {"streetAddress", "city", "state", "zip", "countryId"}
    return {f"{k}.value" if k in dotted else k for k in keys}


async def test_bamboohr_definition_of_any_opening_names_the_rendered_boxes(
    client: httpx.AsyncClient,
) -> None:
    captured = json.loads((_shared() / "bamboohr" / "premise_careers_45_detail.json").read_text())
    fields = captured["result"]["formFields"]
    enabled = {k for k, v in fields.items() if isinstance(v, dict)}
    custom = {f"customQuestionAnswers.{q['type']}_{q['id']}" for q in fields["customQuestions"]}

    questions = await _bamboo_form(client, "812")
    page = (await client.get(f"{BAMBOO}/812")).text
    posting = await BambooHRAdapter().get_posting(
        _http(client), BoardRef("bamboohr", "premise"), "812"
    )

    keys = {q.key for q in questions}
    assert keys == enabled | custom
    assert _keys_in_page(page) == _bamboo_names(keys) | BAMBOO_EXTRA
    assert 'id="firstName"' in page
    assert 'select id="' in page
    assert 'name="countryId.value"' in page
    assert "Apply for This Job" in page
    assert posting.url == "https://premise.bamboohr.com/careers/812"


async def test_bamboohr_closed_opening_is_not_found(client: httpx.AsyncClient) -> None:
    detail = await client.get(f"{BAMBOO}/closed9/detail")
    page = await client.get(f"{BAMBOO}/closed9", follow_redirects=True)

    assert (detail.status_code, detail.json()) == (404, {"type": "not_found"})
    assert "no longer available" in page.text


async def test_bamboohr_apply_refuses_missing_fields_and_flags_the_honeypot(
    client: httpx.AsyncClient,
) -> None:
    complete = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0100",
        "streetAddress.value": "1 Square",
        "city.value": "London",
        "state.value": "London",
        "zip.value": "SW1",
        "countryId.value": "222",
    }
    resume = {"resumeFileId": ("cv.pdf", PDF, "application/pdf")}

    refused = await client.post(f"{BAMBOO}/45/apply", data=complete)
    bot = await client.post(
        f"{BAMBOO}/45/apply", data={**complete, "nickname_hpcsaf": "x"}, files=resume
    )

    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"resumeFileId"}
    assert bot.status_code == 200
    [received] = await _submissions(client)
    assert received["status"] == "spam"


async def test_bamboohr_without_fixtures_serves_a_built_in_form(bare: httpx.AsyncClient) -> None:
    questions = await _bamboo_form(bare, "7")
    page = (await bare.get(f"{BAMBOO}/7")).text

    assert {q.type for q in questions} >= {"text", "email", "file", "select", "boolean"}
    assert _keys_in_page(page) == _bamboo_names({q.key for q in questions}) | BAMBOO_EXTRA


# -- SmartRecruiters -------------------------------------------------------------------------

SR_BOARD = BoardRef("smartrecruiters", "Gousto1", site="5f3c1e2d4b6a7980a1b2c3d4")


async def test_smartrecruiters_definition_labels_name_the_rendered_boxes(
    client: httpx.AsyncClient,
) -> None:
    adapter = SmartRecruitersAdapter()
    questions = await adapter.get_application_form(_http(client), SR_BOARD, "744000009")
    posting = await adapter.get_posting(_http(client), SR_BOARD, "744000009")
    opened = await client.get(
        "/jobs.smartrecruiters.com/Gousto1/744000009-sandbox-posting", params={"oga": "true"}
    )
    form = await client.get(opened.headers["location"])

    assert questions is not None
    pub = publication("Gousto1", "744000009")
    assert posting.raw["uuid"] == pub
    assert posting.apply_url == (
        "https://jobs.smartrecruiters.com/Gousto1/744000009-sandbox-posting?oga=true"
    )
    assert opened.status_code == 302
    assert f"/oneclick-ui/company/Gousto1/publication/{pub}" in opened.headers["location"]
    # The boxes' ids are not the config's keys: each is matched by its label, sent by its key.
    labels = set(re.findall(r'<label id="[^"]+" for="[^"]+">([^<*]+)', form.text))
    assert {q.label for q in questions} <= labels
    assert {q.key for q in questions} <= _keys_in_page(form.text)
    for element in ("first-name-input", "confirm-email-input", "hiring-manager-message-input"):
        assert f'id="{element}"' in form.text


async def test_smartrecruiters_closed_posting_has_no_definition(
    client: httpx.AsyncClient,
) -> None:
    adapter = SmartRecruitersAdapter()

    assert await adapter.get_application_form(_http(client), SR_BOARD, "closed7") is None
    page = await client.get("/jobs.smartrecruiters.com/Gousto1/closed7-x", params={"oga": "true"})
    assert "no longer available" in page.text


async def test_smartrecruiters_apply_refuses_missing_fields(client: httpx.AsyncClient) -> None:
    pub = publication("Gousto1", "744000009")
    await client.get("/api.smartrecruiters.com/v1/companies/Gousto1/postings/744000009")

    refused = await client.post(
        f"/jobs.smartrecruiters.com/oneclick-ui/api/publication/{pub}/apply",
        data={"firstName": "Ada", "email": "a@example.com", "confirmEmail": "b@example.com"},
    )

    assert refused.status_code == 400
    assert {"lastName", "resume", "placeOfResidence", "phoneNumber"} <= set(
        refused.json()["errors"]
    )
    assert await _submissions(client) == []


async def test_smartrecruiters_without_fixtures_serves_a_built_in_form(
    bare: httpx.AsyncClient,
) -> None:
    questions = await SmartRecruitersAdapter().get_application_form(_http(bare), SR_BOARD, "7")
    opened = await bare.get("/jobs.smartrecruiters.com/Gousto1/7", params={"oga": "true"})
    form = (await bare.get(opened.headers["location"])).text

    assert questions is not None
    assert {q.key for q in questions} == _keys_in_page(form) - {"phoneCountry"}

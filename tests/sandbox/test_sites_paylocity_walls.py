"""The Paylocity, Workday, iCIMS and Taleo stand-ins over plain HTTP, with the real adapters."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobpilot.applications.submitters.browser import key_forms, norm_label
from jobpilot.applications.submitters.sites import ICIMS, TALEO, WORKDAY
from jobpilot.jobs import synthetic
from jobpilot.jobs.ats.base import AtsHttp, BoardRef
from jobpilot.jobs.ats.paylocity import PaylocityAdapter
from jobpilot.jobs.ats.workday import WorkdayAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from jobpilot.sandbox.sites import paylocity
from support import require_shared

BASE = "http://sandbox"
APPLY = "/recruiting.paylocity.com/Recruiting/Jobs/Apply"
GUID = "211e692d-c45a-4e3a-ae01-3e497af97929"
PAGE_DATA = re.compile(r"window\.pageData = (\{.*?\});\n</script>", re.DOTALL)
REQUIRED = {
    "info.firstName": "Ada",
    "info.lastName": "Lovelace",
    "info.email": "ada@example.com",
    "info.smsOptedIn": "No",
    "workHistory.companyName.0": "Analytical Engines Ltd",
    "educationHistory.schoolName.0": "University of London",
    "screener.questions[0].answer": "Yes",
    "screener.questions[1].answer": "12",
    "acknowledgements.authorizedToWork": "Yes",
}


async def _client(fixtures: Path | None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_sandbox_app(fixtures)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        yield c


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(require_shared("fixtures", "ats")):
        yield c


@pytest.fixture
async def bare() -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(None):
        yield c


def _http(client: httpx.AsyncClient) -> AtsHttp:
    return AtsHttp(client, rewrite=proxy_rewrite(BASE))


def _page_data(page: str) -> dict[str, Any]:
    found = PAGE_DATA.search(page)
    assert found is not None
    data: dict[str, Any] = json.loads(found[1])
    return data


async def test_the_paylocity_board_is_the_captured_one_and_its_jobs_apply_in_the_wizard(
    client: httpx.AsyncClient,
) -> None:
    adapter = PaylocityAdapter()
    http = _http(client)

    postings = await adapter.list_postings(http, BoardRef("paylocity", GUID, site=GUID))
    posting = await adapter.get_posting(http, BoardRef("paylocity", ""), "4141169")
    page = (await client.get(f"{APPLY}/4141169")).text

    assert [p.source_id for p in postings] == ["4141169", "4401262"]
    assert postings[0].apply_url == "https://recruiting.paylocity.com/Recruiting/Jobs/Apply/4141169"
    assert posting.title == "Engineer/Associate Engineer, Power Systems"
    assert posting.company_name == "North Carolina Advanced Energy Corporation"
    assert "Step 1 of 4" in page
    assert _page_data(page)["jobTitle"] == posting.title


async def test_every_required_wizard_box_is_matched_by_a_question_the_adapter_reads(
    bare: httpx.AsyncClient,
) -> None:
    questions = await PaylocityAdapter().get_application_form(
        _http(bare), BoardRef("paylocity", "", "31337"), "31337"
    )
    page = (await bare.get(f"{APPLY}/31337")).text

    assert questions is not None
    keys = {form for q in questions for form in key_forms(q.key)}
    labels = {norm_label(q.label) for q in questions}
    steps = paylocity.wizard(_page_data(page))
    required = [box for step in steps for box in step.boxes if box.required]
    # First and last name are the contact's; every other required box is a question's.
    unmatched = [
        box.label
        for box in required
        if not (key_forms(box.name) & keys or norm_label(box.label) in labels)
        and box.name not in ("info.firstName", "info.lastName")
    ]
    assert [box.name for box in required][:3] == ["resume", "info.firstName", "info.lastName"]
    assert len(required) == 10
    assert unmatched == []
    # Sections and fields the definition leaves out are neither asked nor rendered.
    assert "references.referenceName" not in {q.key for q in questions}
    assert 'id="info.dateOfBirth"' not in page
    assert [len(step.boxes) > 0 for step in steps] == [True] * 4


async def test_a_paylocity_post_missing_a_required_answer_is_refused_then_recorded_complete(
    bare: httpx.AsyncClient,
) -> None:
    resume = b"%PDF-1.4 a resume"
    incomplete = {k: v for k, v in REQUIRED.items() if k != "info.smsOptedIn"}

    refused = await bare.post(
        f"{APPLY}/31337", data=incomplete, files={"resume": ("cv.pdf", resume, "application/pdf")}
    )
    nothing = (await bare.get("/_sandbox/submissions")).json()["submissions"]
    accepted = await bare.post(
        f"{APPLY}/31337", data=REQUIRED, files={"resume": ("cv.pdf", resume, "application/pdf")}
    )

    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "Do you give us permission to text you? is required." in refused.text
    assert nothing == []
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{APPLY}/31337/Confirmation"
    [received] = (await bare.get("/_sandbox/submissions")).json()["submissions"]
    assert {k: received["fields"][k] for k in REQUIRED} == REQUIRED
    assert received["files"][0]["sha256"] == hashlib.sha256(resume).hexdigest()
    confirmation = await bare.get(accepted.headers["location"])
    assert "Thank you for applying" in confirmation.text


async def test_a_closed_paylocity_job_is_gone_from_both_pages(client: httpx.AsyncClient) -> None:
    details = await client.get("/recruiting.paylocity.com/Recruiting/Jobs/Details/9closed")
    apply = await client.get(f"{APPLY}/9closed")
    posted = await client.post(f"{APPLY}/9closed", data=REQUIRED)

    assert (details.status_code, apply.status_code, posted.status_code) == (404, 404, 404)
    assert "no longer available" in apply.text
    assert (await client.get("/_sandbox/submissions")).json()["submissions"] == []


async def test_the_changed_paylocity_page_carries_its_new_question_in_both_halves(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get(f"{APPLY}/5changed")).text

    titles = [q["title"] for q in _page_data(page)["screener"]["questions"]]
    assert titles[-1] == "Are you willing to submit to a background check?"
    assert "Are you willing to submit to a background check?" in page.split("</script>", 1)[1]


async def test_synthetic_workday_postings_reach_the_apply_wall(client: httpx.AsyncClient) -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    board = next(
        b for b in synthetic.generate(companies=40, postings=400, now=now) if b.ats == "workday"
    )
    postings = WorkdayAdapter().parse_payload(board.board_ref(), board.payloads[0])
    apply_url = postings[0].apply_url
    assert apply_url is not None

    page = await client.get(proxy_rewrite(BASE)(WORKDAY.form_url(apply_url)))

    assert page.status_code == 200
    assert 'data-automation-id="applyManually"' in page.text
    assert 'data-automation-id="utilityButtonSignIn"' in page.text


async def test_icims_and_taleo_sign_ins_are_where_their_profiles_look(
    client: httpx.AsyncClient,
) -> None:
    rewrite = proxy_rewrite(BASE)
    icims_login = ICIMS.form_url("https://careers-acme.icims.com/jobs/8214/engineer/job")
    taleo_apply = TALEO.form_url(
        "https://acme.taleo.net/careersection/ex/jobdetail.ftl?job=250001&lang=en"
    )

    outer = (await client.get(rewrite(icims_login))).text
    inner = (await client.get(rewrite(icims_login + "?in_iframe=1"))).text
    taleo = (await client.get(rewrite(taleo_apply))).text

    assert icims_login == "https://careers-acme.icims.com/jobs/8214/engineer/login"
    assert 'id="icims_content_iframe"' in outer
    assert "css_loginName" not in outer
    assert 'name="css_loginName"' in inner
    assert 'id="enterEmailSubmitButton"' in inner
    assert taleo_apply.endswith("/careersection/ex/jobapply.ftl?job=250001&lang=en")
    assert 'id="dialogTemplate-dialogForm-login-name1"' in taleo
    assert 'type="password"' in taleo

"""Lever, JazzHR, Breezy and Teamtailor in the sandbox over plain HTTP: the definitions the real
adapters read, the demo's synthetic posting URLs, and form posts the way each ATS judges them."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobpilot.jobs.ats.base import AtsHttp, AtsPosting, BoardNotFound, BoardRef
from jobpilot.jobs.ats.breezy import BreezyAdapter
from jobpilot.jobs.ats.jazzhr import JazzHRAdapter
from jobpilot.jobs.ats.lever import LeverAdapter
from jobpilot.jobs.ats.teamtailor import TeamtailorAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.jobs.synthetic import generate
from jobpilot.sandbox import create_sandbox_app
from support import require_shared

BASE = "http://sandbox"
PDF = b"%PDF-1.4 a resume"
LEVER_ID = "6ed76ce8-4156-4b60-b120-403538bd66cd"


class _Boxes(HTMLParser):
    """The named boxes inside the page's forms, and every external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.external: list[str] = []
        self._forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._forms += 1
        for key in ("src", "href", "action"):
            if tag != "a" and attr.get(key, "").startswith(("http:", "https:", "//")):
                self.external.append(attr[key])
        kind = attr.get("type", "text")
        named = bool(attr.get("name")) and attr.get("name") not in self.names
        if self._forms and tag in {"input", "select", "textarea"} and kind != "hidden" and named:
            self.names.append(attr["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._forms -= 1


def boxes(page: str) -> _Boxes:
    reader = _Boxes()
    reader.feed(page)
    return reader


async def _client(fixtures: Path | None) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_sandbox_app(fixtures, slow_seconds=0.0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield app.state.sandbox, client


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    async for pair in _client(require_shared("fixtures", "ats")):
        yield pair


@pytest.fixture
async def bare() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The sandbox without the captured fixtures (the demo without ../shared)."""
    async for pair in _client(None):
        yield pair


def http_of(client: httpx.AsyncClient) -> AtsHttp:
    return AtsHttp(client, rewrite=proxy_rewrite(BASE))


def synthetic_postings(ats: str, adapter: Any, count: int = 3) -> list[AtsPosting]:
    """Postings of the demo's synthetic boards on `ats`, as the real adapter reads them."""
    boards = generate(companies=60, postings=600, seed=11, now=datetime(2026, 5, 1, tzinfo=UTC))
    postings: list[AtsPosting] = []
    for board in boards:
        if board.ats == ats:
            postings += adapter.parse_payload(board.board_ref(), board.payloads[0])
    assert postings, f"the synthetic data has no {ats} board"
    return postings[:count]


# -- Lever ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["jobs.lever.co", "jobs.eu.lever.co"])
async def test_lever_definition_is_the_served_apply_page(
    sandbox: tuple[Any, httpx.AsyncClient], host: str
) -> None:
    _, client = sandbox
    board = BoardRef("lever", "palantir", host=host if ".eu." in host else None)

    questions = await LeverAdapter().get_application_form(http_of(client), board, LEVER_ID)
    page = (await client.get(f"/{host}/palantir/{LEVER_ID}/apply")).text

    assert [(q.key, q.type, q.required) for q in questions] == [
        ("resume", "file", True),
        ("name", "text", True),
        ("email", "email", True),
        ("phone", "phone", False),
    ]
    # The captured page itself, wired to the sandbox, with nothing loaded from outside.
    assert "Administrative Business Partner" in page
    assert 'data-qa="btn-submit"' in page
    reader = boxes(page)
    assert reader.names == [q.key for q in questions]
    assert reader.external == []


async def test_lever_without_fixtures_serves_the_same_structure(
    bare: tuple[Any, httpx.AsyncClient], sandbox: tuple[Any, httpx.AsyncClient]
) -> None:
    board = BoardRef("lever", "acme")
    made = await LeverAdapter().get_application_form(http_of(bare[1]), board, LEVER_ID)
    captured = await LeverAdapter().get_application_form(http_of(sandbox[1]), board, LEVER_ID)

    assert made == captured


async def test_lever_synthetic_postings_are_answered(
    sandbox: tuple[Any, httpx.AsyncClient],
) -> None:
    _, client = sandbox
    for posting in synthetic_postings("lever", LeverAdapter()):
        assert posting.apply_url is not None
        page = await client.get(proxy_rewrite(BASE)(posting.apply_url))
        assert page.status_code == 200
        assert boxes(page.text).names == ["resume", "name", "email", "phone"]


async def test_lever_post_is_judged_like_lever(sandbox: tuple[Any, httpx.AsyncClient]) -> None:
    state, client = sandbox
    url = f"/jobs.lever.co/palantir/{LEVER_ID}/apply"

    incomplete = await client.post(url, data={"name": "Ada Lovelace"})
    response = await client.post(
        url,
        data={"name": "Ada Lovelace", "email": "ada@example.com", "accountId": "x"},
        files={"resume": ("cv.pdf", PDF, "application/pdf")},
    )
    thanks = await client.get(response.headers["location"])

    assert incomplete.status_code == 400
    assert "Please fill out the required fields: Resume/CV, Email" in incomplete.text
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/palantir/{LEVER_ID}/thanks")
    assert "Application submitted!" in thanks.text
    [received] = state.submissions
    assert received["fields"]["email"] == "ada@example.com"
    assert received["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()


async def test_lever_captcha_and_closed(sandbox: tuple[Any, httpx.AsyncClient]) -> None:
    state, client = sandbox
    captcha = await client.get("/jobs.lever.co/palantir/1captcha/apply")
    unsolved = await client.post(
        "/jobs.lever.co/palantir/1captcha/apply",
        data={"name": "Ada", "email": "ada@example.com"},
        files={"resume": ("cv.pdf", PDF, "application/pdf")},
    )

    assert "/newassets.hcaptcha.com/captcha/v1/" in captcha.text
    assert unsolved.status_code == 400
    assert "Please complete the captcha." in unsolved.text
    assert state.submissions == []
    with pytest.raises(BoardNotFound):
        await LeverAdapter().get_application_form(
            http_of(client), BoardRef("lever", "palantir"), "6closed"
        )


# -- JazzHR --------------------------------------------------------------------------------


async def test_jazzhr_definition_is_the_served_form(
    sandbox: tuple[Any, httpx.AsyncClient],
) -> None:
    _, client = sandbox
    questions = await JazzHRAdapter().get_application_form(
        http_of(client), BoardRef("jazzhr", "globex"), "Zz9Yy8Xx70"
    )
    page = await client.get("/globex.applytojob.com/apply/Zz9Yy8Xx70", follow_redirects=True)

    assert questions is not None
    assert str(page.url).endswith("/globex.applytojob.com/apply/Zz9Yy8Xx70/Sandbox-Posting")
    keys = [q.key for q in questions]
    assert keys[:4] == [
        "resumator-firstname-value",
        "resumator-lastname-value",
        "resumator-email-value",
        "resumator-phone-value",
    ]
    assert "resumator-questionnaire[2791419]" in keys
    reader = boxes(page.text)
    # Every box the page posts (bar JazzHR's unlabelled machinery) is in the definition.
    assert set(reader.names) - set(keys) == {"resumator-xml-value"}
    assert reader.external == []
    # The form posts back to this posting and names this tenant and posting.
    assert 'action="/globex.applytojob.com/apply/Zz9Yy8Xx70/Sandbox-Posting"' in page.text
    assert re.search(r'name="resumator-job-value"[^>]*value="Zz9Yy8Xx70"', page.text)
    assert re.search(r'name="resumator-subdomain-value"[^>]*value="globex"', page.text)
    # The real form's Human Check is left out unless the posting asks for a captcha.
    assert "g-recaptcha" not in page.text


async def test_jazzhr_without_fixtures_serves_the_same_structure(
    bare: tuple[Any, httpx.AsyncClient], sandbox: tuple[Any, httpx.AsyncClient]
) -> None:
    board = BoardRef("jazzhr", "acme")
    made = await JazzHRAdapter().get_application_form(http_of(bare[1]), board, "AbCdE00003")
    captured = await JazzHRAdapter().get_application_form(http_of(sandbox[1]), board, "AbCdE00003")

    assert made is not None
    assert captured is not None
    assert [(q.key, q.type, q.required) for q in made] == [
        (q.key, q.type, q.required) for q in captured
    ]


async def test_jazzhr_post_is_judged_like_jazzhr(sandbox: tuple[Any, httpx.AsyncClient]) -> None:
    state, client = sandbox
    url = "/acme.applytojob.com/apply/AbCdE00003/Test-Role"
    answers = {
        "resumator-firstname-value": "Ada",
        "resumator-lastname-value": "Lovelace",
        "resumator-email-value": "ada@example.com",
        "resumator-phone-value": "+1 555 0100",
        "resumator-address-value": "1 Main St",
        "resumator-salary-value": "100000",
        "resumator-questionnaire[2791419]": "Yes",
    }

    incomplete = await client.post(url, data={"resumator-firstname-value": "Ada"})
    # The pasted resume text answers the resume as well as a file does.
    pasted = await client.post(url, data=answers | {"resumator-resumetext-value": "My CV"})

    assert incomplete.status_code == 422
    assert "Last Name is required." in incomplete.text
    assert "Resume is required." in incomplete.text
    assert pasted.status_code == 303
    assert "Thank you for applying" in (await client.get(pasted.headers["location"])).text
    [received] = state.submissions
    assert received["fields"]["resumator-resumetext-value"] == "My CV"
    assert received["attempt"] == 1


async def test_jazzhr_captcha_and_closed(sandbox: tuple[Any, httpx.AsyncClient]) -> None:
    _, client = sandbox
    captcha = await client.get("/acme.applytojob.com/apply/Captcha0001/Role")
    closed = await client.get("/acme.applytojob.com/apply/Closed0001/Role")

    assert "Human Check" in captcha.text
    assert "/www.google.com/recaptcha/api2/anchor" in captcha.text
    assert closed.status_code == 410
    assert "This position is no longer available" in closed.text
    with pytest.raises(BoardNotFound):
        await JazzHRAdapter().get_application_form(
            http_of(client), BoardRef("jazzhr", "acme"), "Closed0001"
        )


# -- Breezy --------------------------------------------------------------------------------


async def test_breezy_synthetic_positions_and_apply_pages_are_answered(
    bare: tuple[Any, httpx.AsyncClient],
) -> None:
    _, client = bare
    for posting in synthetic_postings("breezy", BreezyAdapter()):
        assert posting.url is not None
        assert posting.apply_url is not None
        position = await client.get(proxy_rewrite(BASE)(posting.url))
        apply = await client.get(proxy_rewrite(BASE)(posting.apply_url))
        assert position.status_code == 200
        assert 'class="button apply"' in position.text
        assert apply.status_code == 200
        reader = boxes(apply.text)
        assert reader.names[:4] == ["hp_7f2b", "cName", "cEmail", "cPhoneNumber"]
        assert reader.external == []


async def test_breezy_page_carries_its_definition(bare: tuple[Any, httpx.AsyncClient]) -> None:
    _, client = bare
    page = (await client.get("/acme.breezy.hr/p/0a1b2c3d4e5f-engineer/apply")).text

    found = re.search(r'<input type="hidden" id="questions" value="([^"]*)"', page)
    assert found is not None
    [section] = json.loads(html.unescape(found[1]))
    names = [f"section_{section['_id']}_question_{q['_id'][1:]}" for q in section["questions"]]
    assert set(names) <= set(boxes(page).names)
    # Titles are h3 spans: Breezy has no <label> on its boxes.
    assert "<h3><span>Full Name</span>" in page


async def test_breezy_email_code_is_four_digits(bare: tuple[Any, httpx.AsyncClient]) -> None:
    state, client = bare
    url = "/acme.breezy.hr/p/3emailcode-engineer/apply"
    answers = {
        "cName": "Ada Lovelace",
        "cEmail": "ada@example.com",
        "cPhoneNumber": "+1 555 0100",
        "section_5f2a7c1e9b3d_question_0": "Two weeks",
        "section_5f2a7c1e9b3d_question_1": "3-5",
        "section_5f2a7c1e9b3d_question_2": "Yes",
    }
    headers = {"Accept": "application/json"}

    incomplete = await client.post(url, data={"cName": "Ada"}, headers=headers)
    parked = await client.post(
        url, data=answers, files={"cResume": ("cv.pdf", PDF, "application/pdf")}, headers=headers
    )
    [code] = (await client.get("/_sandbox/codes")).json()["codes"]
    verified = await client.post(
        parked.json()["redirect"], data={"verification_code": code["code"]}
    )

    assert incomplete.status_code == 422
    assert set(incomplete.json()["errors"]) == {
        "cEmail",
        "cPhoneNumber",
        "cResume",
        "section_5f2a7c1e9b3d_question_0",
        "section_5f2a7c1e9b3d_question_1",
        "section_5f2a7c1e9b3d_question_2",
    }
    assert re.fullmatch(r"\d{4}", code["code"])
    assert verified.status_code == 303
    assert verified.headers["location"].endswith("/3emailcode-engineer/apply/submitted")
    assert [s["status"] for s in state.submissions] == ["confirmed"]


async def test_breezy_closed_position_is_a_200_saying_so(
    bare: tuple[Any, httpx.AsyncClient],
) -> None:
    _, client = bare
    for path in ("/p/6closed-engineer", "/p/6closed-engineer/apply"):
        page = await client.get(f"/acme.breezy.hr{path}")
        assert page.status_code == 200
        assert "Position Closed" in page.text
        assert "<form" not in page.text


# -- Teamtailor ----------------------------------------------------------------------------


def _solve(challenge: str) -> str:
    for nonce in itertools.count():
        if hashlib.sha256(f"{challenge}{nonce}".encode()).hexdigest().startswith("00"):
            return str(nonce)
    raise AssertionError  # pragma: no cover


async def test_teamtailor_synthetic_jobs_are_answered(
    bare: tuple[Any, httpx.AsyncClient],
) -> None:
    _, client = bare
    for posting in synthetic_postings("teamtailor", TeamtailorAdapter()):
        assert posting.apply_url is not None
        assert posting.apply_url.endswith("/applications/new")
        page = await client.get(proxy_rewrite(BASE)(posting.apply_url))
        assert page.status_code == 200
        reader = boxes(page.text)
        assert reader.names[:4] == [
            "candidate[first_name]",
            "candidate[last_name]",
            "candidate[email]",
            "candidate[phone]",
        ]
        assert reader.external == []


async def test_teamtailor_post_needs_the_proof_of_work_and_consent(
    bare: tuple[Any, httpx.AsyncClient],
) -> None:
    state, client = bare
    page = (await client.get("/acme.teamtailor.com/jobs/77-engineer/applications/new")).text
    challenge = re.search(r'data-pow-challenge="([0-9a-f]+)"', page)
    assert challenge is not None
    answers = {
        "candidate[first_name]": "Ada",
        "candidate[last_name]": "Lovelace",
        "candidate[email]": "ada@example.com",
        "candidate[answers_attributes][0][boolean]": "true",
        "candidate[answers_attributes][1][text]": "A lot",
        "candidate[answers_attributes][2][choice]": "1",
        "pow[challenge]": challenge[1],
    }
    files = {"candidate[resume]": ("cv.pdf", PDF, "application/pdf")}
    url = "/acme.teamtailor.com/jobs/77-engineer/applications"

    unsolved = await client.post(url, data=answers | {"candidate[consent_given]": "1"}, files=files)
    solved = answers | {"pow[nonce]": _solve(challenge[1])}
    no_consent = await client.post(
        url, data=solved | {"candidate[consent_given]": "0"}, files=files
    )
    accepted = await client.post(url, data=solved | {"candidate[consent_given]": "1"}, files=files)

    assert unsolved.status_code == 422
    assert "Please reload the page" in unsolved.text
    assert no_consent.status_code == 422
    assert "You need to agree to the processing of your personal data" in no_consent.text
    assert accepted.status_code == 303
    assert accepted.headers["location"].endswith("/jobs/77-engineer/applications/thanks")
    [received] = state.submissions
    assert (received["tenant"], received["posting_id"]) == ("acme", "77")
    assert received["files"][0]["field"] == "candidate[resume]"


async def test_teamtailor_closed_job(bare: tuple[Any, httpx.AsyncClient]) -> None:
    _, client = bare
    job = await client.get("/acme.teamtailor.com/jobs/88-closed-role")
    form = await client.get("/acme.teamtailor.com/jobs/88-closed-role/applications/new")

    assert "This job is no longer available." in job.text
    assert form.status_code == 404

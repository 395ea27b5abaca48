"""The ATS sandbox over plain HTTP: the definition the real adapter reads, and form posts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from jobpilot.jobs.ats.base import AtsHttp, BoardNotFound, BoardRef
from jobpilot.jobs.ats.greenhouse import GreenhouseAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import require_shared

BOARD = BoardRef(ats="greenhouse", tenant="acme")
FORM = "http://sandbox/job-boards.greenhouse.io/acme/jobs"
REQUIRED = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "question_6752548007": "https://linkedin.com/in/ada",
    "question_6752549007": "Teaching.",
    "question_6752550007": "1",
    "question_6752551007": "0",
    "question_6752552007": "10044899007",
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_sandbox_app(require_shared("fixtures", "ats"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as c:
        yield c


async def test_the_greenhouse_adapter_reads_the_definition_of_any_posting(
    client: httpx.AsyncClient,
) -> None:
    http = AtsHttp(client, rewrite=proxy_rewrite("http://sandbox"))
    adapter = GreenhouseAdapter()
    captured = json.loads(
        require_shared(
            "fixtures", "ats", "greenhouse", "codepath_job_4426096007_with_questions.json"
        ).read_text()
    )

    questions = await adapter.get_application_form(http, BOARD, "555")
    posting = await adapter.get_posting(http, BOARD, "555")

    keys = [q.key for q in questions]
    assert keys[:4] == ["first_name", "last_name", "email", "phone"]
    expected_custom = [f["name"] for q in captured["questions"] for f in q["fields"]]
    assert keys[: len(expected_custom)] == expected_custom
    linkedin = next(q for q in questions if q.key == "question_6752548007")
    assert (linkedin.label, linkedin.required) == ("LinkedIn Profile", True)
    assert posting.source_id == "555"
    assert posting.title == "Sandbox posting 555"
    assert posting.url == "https://job-boards.greenhouse.io/acme/jobs/555"


async def test_a_closed_posting_has_no_definition(client: httpx.AsyncClient) -> None:
    http = AtsHttp(client, rewrite=proxy_rewrite("http://sandbox"))

    with pytest.raises(BoardNotFound):
        await GreenhouseAdapter().get_application_form(http, BOARD, "9closed")


async def test_a_plain_form_post_is_recorded_with_its_files(client: httpx.AsyncClient) -> None:
    resume = b"%PDF-1.4 a resume"

    response = await client.post(
        f"{FORM}/777", data=REQUIRED, files={"resume": ("cv.pdf", resume, "application/pdf")}
    )
    again = await client.post(f"{FORM}/777", data=REQUIRED)

    assert response.status_code == 303
    assert response.headers["location"] == "/job-boards.greenhouse.io/acme/jobs/777/confirmation"
    assert again.status_code == 303
    body = (await client.get("/_sandbox/submissions")).json()
    first = body["submissions"][0]
    assert (first["ats"], first["tenant"], first["posting_id"]) == ("greenhouse", "acme", "777")
    assert {k: first["fields"][k] for k in REQUIRED} == REQUIRED
    assert first["files"] == [
        {
            "field": "resume",
            "filename": "cv.pdf",
            "content_type": "application/pdf",
            "size": len(resume),
            "sha256": hashlib.sha256(resume).hexdigest(),
        }
    ]
    assert [s["attempt"] for s in body["submissions"]] == [1, 2]
    assert body["duplicates"] == [
        {"ats": "greenhouse", "posting_id": "777", "email": "ada@example.com", "count": 2}
    ]
    assert (await client.delete("/_sandbox/submissions")).status_code == 204
    assert (await client.get("/_sandbox/submissions")).json()["submissions"] == []


async def test_a_post_missing_a_required_answer_is_refused_and_not_recorded(
    client: httpx.AsyncClient,
) -> None:
    incomplete = {k: v for k, v in REQUIRED.items() if k != "question_6752550007"}

    response = await client.post(
        f"{FORM}/777", data=incomplete, headers={"Accept": "application/json"}
    )

    assert response.status_code == 422
    assert response.json() == {"errors": {"question_6752550007": "This field is required."}}
    assert (await client.get("/_sandbox/submissions")).json()["submissions"] == []


async def test_the_changed_form_requires_a_question_the_definition_lacks(
    client: httpx.AsyncClient,
) -> None:
    definition = (await client.get("/boards-api.greenhouse.io/v1/boards/acme/jobs/8changed")).json()
    page = (await client.get(f"{FORM}/8changed")).text

    response = await client.post(f"{FORM}/8changed", data=REQUIRED)

    assert "question_9999999007" not in json.dumps(definition)
    assert 'id="question_9999999007"' in page
    assert response.status_code == 422


async def test_an_email_code_confirms_only_with_the_code_that_was_sent(
    client: httpx.AsyncClient,
) -> None:
    posted = await client.post(f"{FORM}/3emailcode", data=REQUIRED)
    assert posted.status_code == 303
    assert posted.headers["location"].endswith("/3emailcode/security_code")
    code_page = await client.get(posted.headers["location"])
    assert 'autocomplete="one-time-code"' in code_page.text
    codes = (await client.get("/_sandbox/codes")).json()["codes"]
    assert [(c["email"], c["posting_id"]) for c in codes] == [("ada@example.com", "3emailcode")]

    wrong = await client.post(posted.headers["location"], data={"security_code": "WRONG000"})
    pending = (await client.get("/_sandbox/submissions")).json()["submissions"]
    right = await client.post(posted.headers["location"], data={"security_code": codes[0]["code"]})

    assert wrong.status_code == 200
    assert "Incorrect security code" in wrong.text
    assert [s["status"] for s in pending] == ["awaiting_code"]
    assert right.status_code == 303
    assert right.headers["location"].endswith("/3emailcode/confirmation")
    done = (await client.get("/_sandbox/submissions")).json()["submissions"]
    assert [s["status"] for s in done] == ["confirmed"]
    assert (await client.get("/_sandbox/codes")).json()["codes"] == []


async def test_pages_reference_only_the_sandbox(client: httpx.AsyncClient) -> None:
    page = (await client.get(f"{FORM}/1captcha")).text

    assert 'src="/www.google.com/recaptcha/api2/anchor?' in page
    assert "size=invisible" in page  # the badge every Greenhouse form carries
    assert "https://" not in page.replace("https://job-boards", "")
    anchor = await client.get("/www.google.com/recaptcha/api2/anchor?k=sandbox&size=normal")
    assert "I'm not a robot" in anchor.text

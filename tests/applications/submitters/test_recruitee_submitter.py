"""Recruitee's key-less candidate endpoint, against the sandbox's stand-in of the Careers Site
API: what the adapter reads as the form is what the submitter sends, once."""

from __future__ import annotations

import hashlib
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from jobpilot.applications.submitters.base import (
    Answer,
    Attachment,
    Contact,
    SubmissionRequest,
)
from jobpilot.applications.submitters.recruitee import RecruiteeSubmitter
from jobpilot.jobs.ats.base import AtsHttp, BoardRef
from jobpilot.jobs.ats.recruitee import RecruiteeAdapter
from jobpilot.jobs.fetch import proxy_rewrite
from jobpilot.sandbox import create_sandbox_app
from support import require_shared

BASE = "http://sandbox"
PDF = b"%PDF-1.7\n% a resume\n"
CONTACT = Contact("Ada", "Lovelace", "ada@example.com", phone="+14155550100")


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_sandbox_app(require_shared("fixtures", "ats"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield app.state.sandbox, client


async def _form(client: httpx.AsyncClient, offer: str) -> list[Any]:
    http = AtsHttp(client, rewrite=proxy_rewrite(BASE))
    return list(
        await RecruiteeAdapter().get_application_form(http, BoardRef("recruitee", "acme"), offer)
    )


def _request(offer: str, answers: list[Answer]) -> SubmissionRequest:
    return SubmissionRequest(
        application_id=uuid.uuid4(),
        ats="recruitee",
        tenant="acme",
        posting_id=offer,
        apply_url=f"https://acme.recruitee.com/o/{offer}/c/new",
        contact=CONTACT,
        answers=tuple(answers),
        attachments=(Attachment("resume", "ada.pdf", "application/pdf", PDF),),
        cover_letter_text="Dear team,\nI would like to join.",
    )


def _answers(form: list[Any], *, skip_required: bool = False) -> list[Answer]:
    answers = []
    for question in form:
        if not question.key.startswith("open_question_"):
            continue
        if skip_required and question.required:
            continue
        value: str | list[str] = {"boolean": "Yes", "multi_select": "x"}.get(
            question.type, "Five years."
        )
        if question.type == "multi_select":
            value = list(question.options[:1])
        elif question.type == "select":
            value = question.options[0]
        answers.append(
            Answer(question.key, question.label, question.type, value, question.required)
        )
    return answers


async def test_an_offer_is_applied_to_once_with_every_answer_and_the_cv(
    sandbox: tuple[Any, httpx.AsyncClient],
) -> None:
    state, client = sandbox
    form = await _form(client, "backend-engineer")
    keys = {q.key for q in form}
    assert {"name", "email", "cv"} <= keys
    questions = [q for q in form if q.key.startswith("open_question_")]
    assert questions
    assert any(q.required for q in questions)
    calls: list[int] = []

    async def point_of_no_return() -> None:
        # Called right before the POST: nothing has arrived yet.
        calls.append(len(state.submissions))

    submitter = RecruiteeSubmitter(client, rewrite=proxy_rewrite(BASE))
    outcome = await submitter.submit(
        _request("backend-engineer", _answers(form)), point_of_no_return
    )
    assert outcome.status == "submitted", outcome.detail
    assert outcome.sent is True
    assert calls == [0]
    [record] = state.submissions
    assert record["ats"] == "recruitee"
    assert record["fields"]["candidate[name]"] == "Ada Lovelace"
    assert record["fields"]["candidate[email]"] == "ada@example.com"
    assert record["fields"]["candidate[cover_letter]"].startswith("Dear team,")
    [cv] = record["files"]
    assert (cv["field"], cv["sha256"]) == ("candidate[cv]", hashlib.sha256(PDF).hexdigest())
    sent_ids = {
        value for key, value in record["fields"].items() if key.endswith("[open_question_id]")
    }
    assert sent_ids == {q.key.removeprefix("open_question_") for q in questions}
    assert outcome.evidence.response is not None
    assert outcome.evidence.response["status"] == 201
    assert any(s["key"] == "candidate[cv]" for s in outcome.evidence.sent)
    assert state.duplicates() == []


async def test_a_missing_required_answer_is_refused_and_nothing_is_created(
    sandbox: tuple[Any, httpx.AsyncClient],
) -> None:
    state, client = sandbox
    form = await _form(client, "designer")
    submitter = RecruiteeSubmitter(client, rewrite=proxy_rewrite(BASE))

    async def point_of_no_return() -> None:
        return None

    outcome = await submitter.submit(
        _request("designer", _answers(form, skip_required=True)), point_of_no_return
    )
    assert (outcome.status, outcome.reason) == ("failed", "rejected")
    assert "can't be blank" in (outcome.detail or "")
    assert state.submissions == []


async def test_a_closed_offer_fails_as_closed(sandbox: tuple[Any, httpx.AsyncClient]) -> None:
    state, client = sandbox
    submitter = RecruiteeSubmitter(client, rewrite=proxy_rewrite(BASE))

    async def point_of_no_return() -> None:
        return None

    outcome = await submitter.submit(_request("role-closed", []), point_of_no_return)
    assert (outcome.status, outcome.reason) == ("failed", "form_closed")
    assert state.submissions == []


async def test_an_unreachable_host_raises_before_the_point_of_no_return() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on `port` now: the connection is refused before any byte is sent, and
    # the submitter says so by raising before it reaches the point of no return.
    calls: list[str] = []

    async def point_of_no_return() -> None:
        calls.append("sent")

    async with httpx.AsyncClient() as client:
        submitter = RecruiteeSubmitter(client, rewrite=proxy_rewrite(f"http://127.0.0.1:{port}"))
        with pytest.raises(httpx.ConnectError):
            await submitter.submit(_request("backend-engineer", []), point_of_no_return)
    assert calls == []


def test_auto_apply_knows_which_ats_it_can_send_to() -> None:
    from jobpilot.applications.submitters import submittable

    # The candidate API, hosted forms, and the account walls it parks at.
    for ats in ("recruitee", "greenhouse", "lever", "paylocity", "workday", "icims", "taleo"):
        assert submittable(ats), ats
    # Personio publishes no application form a candidate can reach without the employer.
    assert not submittable("personio")

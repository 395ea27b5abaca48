"""What happens to an application a rule queued: the prepare task fills its form from stored
facts (the captured CodePath Greenhouse form, served by a local stand-in), then the user edits,
approves or discards it; on autopilot complete forms go to submission by themselves."""

from __future__ import annotations

from typing import Any

from support import assert_error

SUBMIT = "applications.submit_application"
# Questions of the CodePath form the stored facts do not answer: why CodePath (free text) and
# how you heard of it (a select).
WHY, HEARD = "question_6752549007", "question_6752552007"
UNANSWERED = {WHY, HEARD}
AUTHORISED = "question_6752550007"  # a Yes/No select


async def _queue_instructor(auto: Any, **rule: Any) -> str:
    """Run a rule that selects only CodePath's posting; the queued application's id."""
    created = await auto.rule(companies_include=["codepath"], **rule)
    result = await auto.run(created["id"])
    assert result["queued"] == 1, result
    return str(result["application_ids"][0])


async def test_review_fill_edit_and_approve(auto: Any) -> None:
    auto.serve_form()
    application_id = await _queue_instructor(auto)
    await auto.prepare()
    detail = await auto.application(application_id)
    assert detail["status"] == "awaiting_review"
    assert detail["applied_at"] is None
    fields = {f["key"]: f for f in detail["prepared"]}
    assert (fields["first_name"]["value"], fields["first_name"]["source"]) == (
        "Ada",
        "profile.first_name",
    )
    assert fields["email"]["value"] == "ada@example.com"
    assert fields["resume"]["value"] == f"resume:{auto.resume_id}:v1"
    assert (fields[AUTHORISED]["value"], fields[AUTHORISED]["status"]) == ("Yes", "filled")
    for key in UNANSWERED:
        assert (fields[key]["status"], fields[key]["value"]) == ("needs_user_input", None)
        assert fields[key]["reason"]
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[-2:] == ["prepared", "status_changed"]
    # Only the form definition was read from the ATS: nothing was sent.
    assert all(method == "GET" for method, *_ in auto.fake.requests)
    url = f"/api/v1/applications/{application_id}"

    unknown = await auto.http.patch(
        f"{url}/fields", json={"fields": {"no_such_field": "x"}}, headers=auto.headers
    )
    error = assert_error(unknown, 422, "validation_error")
    assert error["details"][0]["loc"] == ["body", "fields", "no_such_field"]
    wrong = await auto.http.patch(
        f"{url}/fields", json={"fields": {AUTHORISED: "Perhaps"}}, headers=auto.headers
    )
    assert_error(wrong, 422, "validation_error")
    edited = await auto.http.patch(
        f"{url}/fields", json={"fields": {AUTHORISED: "No"}}, headers=auto.headers
    )
    assert edited.status_code == 200, edited.text
    field = next(f for f in edited.json()["prepared"] if f["key"] == AUTHORISED)
    assert (field["value"], field["source"], field["status"]) == ("No", "user", "filled")

    incomplete = await auto.http.post(f"{url}/approve", headers=auto.headers)
    assert set(assert_error(incomplete, 422, "incomplete_application")["details"]["missing"]) == (
        UNANSWERED
    )
    assert await auto.tasks(SUBMIT) == []
    # Edits sent with a refused approval are kept.
    partly = await auto.http.post(
        f"{url}/approve", json={"fields": {WHY: "I love teaching."}}, headers=auto.headers
    )
    assert assert_error(partly, 422, "incomplete_application")["details"]["missing"] == [HEARD]
    heard = fields[HEARD]["options"][-1]
    approved = await auto.http.post(
        f"{url}/approve", json={"fields": {HEARD: heard}}, headers=auto.headers
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "queued"
    values = {f["key"]: f["value"] for f in body["prepared"]}
    assert (values[WHY], values[HEARD]) == ("I love teaching.", heard)
    assert "approved" in [e["kind"] for e in body["timeline"]]
    assert [t["application_id"] for t in await auto.tasks(SUBMIT)] == [application_id]
    # Once approved it is no longer waiting for review.
    assert_error(
        await auto.http.post(f"{url}/approve", headers=auto.headers),
        409,
        "application_not_in_review",
    )
    assert_error(
        await auto.http.patch(f"{url}/fields", json={"fields": {WHY: "x"}}, headers=auto.headers),
        409,
        "application_not_in_review",
    )
    assert_error(
        await auto.http.post(f"{url}/discard", headers=auto.headers),
        409,
        "application_not_discardable",
    )
    other = await auto.http.post(f"{url}/approve", headers=auto.other)
    assert_error(other, 404, "application_not_found")


async def test_autopilot_sends_a_complete_form_by_itself(auto: Any) -> None:
    auto.serve_form(all_optional=True)
    application_id = await _queue_instructor(auto, mode="autopilot")
    await auto.prepare()
    detail = await auto.application(application_id)
    assert detail["status"] == "queued"
    assert "auto_approved" in [e["kind"] for e in detail["timeline"]]
    assert all(f["status"] == "filled" for f in detail["prepared"] if f["required"])
    assert [t["application_id"] for t in await auto.tasks(SUBMIT)] == [application_id]


async def test_autopilot_parks_a_form_with_missing_answers(auto: Any) -> None:
    auto.serve_form()
    application_id = await _queue_instructor(auto, mode="autopilot")
    await auto.prepare()
    detail = await auto.application(application_id)
    assert (detail["status"], detail["reason"]) == ("needs_user_input", "missing_answer")
    assert all(key in detail["reason_detail"] for key in UNANSWERED)
    assert detail["handoff_url"] == detail["url"]
    assert await auto.tasks(SUBMIT) == []
    approved = await auto.http.post(
        f"/api/v1/applications/{application_id}/approve",
        json={"fields": {WHY: "An answer.", HEARD: "Other"}},
        headers=auto.headers,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "queued"
    assert [t["application_id"] for t in await auto.tasks(SUBMIT)] == [application_id]


async def test_autopilot_leaves_account_wall_forms_to_the_user(auto: Any) -> None:
    created = await auto.rule(companies_include=["Globex"], mode="autopilot")
    result = await auto.run(created["id"])
    [application_id] = result["application_ids"]
    await auto.prepare()
    detail = await auto.application(application_id)
    assert (detail["status"], detail["reason"]) == ("needs_user_input", "login_required")
    assert detail["prepared"] == []  # Workday publishes no form definition
    assert detail["handoff_url"] == "https://globex.wd1.myworkdayjobs.com/External/job/R100"
    assert await auto.tasks(SUBMIT) == []
    response = await auto.http.post(
        f"/api/v1/applications/{application_id}/approve", headers=auto.headers
    )
    assert_error(response, 409, "application_not_in_review")


async def test_discarding_gives_the_allowance_back_and_keeps_the_posting_out(auto: Any) -> None:
    auto.serve_form()
    created = await auto.rule(companies_include=["codepath"])
    [application_id] = (await auto.run(created["id"]))["application_ids"]
    await auto.prepare()
    assert await auto.used_today() == 1
    url = f"/api/v1/applications/{application_id}/discard"
    assert_error(await auto.http.post(url, headers=auto.other), 404, "application_not_found")
    discarded = await auto.http.post(url, headers=auto.headers)
    assert discarded.status_code == 200, discarded.text
    body = discarded.json()
    assert body["status"] == "withdrawn"
    assert body["applied_at"] is None
    discard = next(e for e in body["timeline"] if e["kind"] == "discarded")
    assert discard["detail"] == {"quota_released": True}
    assert await auto.used_today() == 0
    assert_error(
        await auto.http.post(url, headers=auto.headers), 409, "application_not_discardable"
    )
    assert await auto.used_today() == 0
    again = await auto.run(created["id"])
    assert (again["queued"], again["skipped"]["already_applied"]) == (0, 1)


async def test_a_posting_gone_from_its_ats_fails_and_gives_the_allowance_back(auto: Any) -> None:
    # No form is served: the ATS answers 404 for the posting.
    application_id = await _queue_instructor(auto)
    assert await auto.used_today() == 1
    await auto.prepare()
    detail = await auto.application(application_id)
    assert (detail["status"], detail["reason"]) == ("failed", "form_closed")
    assert await auto.used_today() == 0


async def test_a_tailoring_rule_sends_a_tailored_variant(auto: Any) -> None:
    auto.serve_form()
    application_id = await _queue_instructor(auto, tailor=True)
    await auto.prepare()
    detail = await auto.application(application_id)
    assert detail["status"] == "awaiting_review"
    resume = detail["resume"]
    assert resume["resume_id"] != auto.resume_id
    variant = await auto.http.get(f"/api/v1/resumes/{resume['resume_id']}", headers=auto.headers)
    assert variant.status_code == 200, variant.text
    resume_field = next(f for f in detail["prepared"] if f["key"] == "resume")
    assert resume_field["value"] == f"resume:{resume['resume_id']}:v{resume['version']}"


async def test_manual_applications_cannot_be_discarded_or_approved(auto: Any) -> None:
    created = await auto.http.post(
        "/api/v1/applications",
        json={"company": "Initech", "title": "Engineer"},
        headers=auto.headers,
    )
    url = f"/api/v1/applications/{created.json()['id']}"
    assert_error(
        await auto.http.post(f"{url}/discard", headers=auto.headers),
        409,
        "application_not_discardable",
    )
    assert_error(
        await auto.http.post(f"{url}/approve", headers=auto.headers),
        409,
        "application_not_in_review",
    )

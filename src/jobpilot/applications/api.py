"""The auto-apply service's JSON routes: application tracking, auto-apply rules and their runs,
and the review of the applications a rule prepared."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from jobpilot.applications.deps import ApplicationsServiceDep, FeatureFlagsDep, SubmissionReadsDep
from jobpilot.applications.schemas import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationSummary,
    ApplicationUpdate,
    Approval,
    AutoApplyStatus,
    Board,
    EmailCode,
    FieldsEdit,
    NoteRead,
    NoteWrite,
    PreparedForm,
    RuleCreate,
    RuleRead,
    RuleUpdate,
    RunResult,
    Status,
    SubmissionRead,
)
from jobpilot.applications.submission import auto_apply_status
from jobpilot.kit.authn import CurrentUser, current_principal
from jobpilot.kit.pagination import Page, PageParams, page_params

router = APIRouter(tags=["auto-apply"], dependencies=[Depends(current_principal)])


@router.post(
    "/api/v1/applications", status_code=status.HTTP_201_CREATED, summary="Track an application"
)
async def create_application(
    body: ApplicationCreate, service: ApplicationsServiceDep, principal: CurrentUser
) -> ApplicationDetail:
    """Track a posting (`job_id`) or a job you applied to elsewhere (`company`, `title`,
    `url`), with the exact resume version sent. 409 `application_exists` when you already have
    an application for the job or a repost of it."""
    return await service.create(principal.user_id, body)


@router.get("/api/v1/applications", summary="Your applications")
async def list_applications(
    service: ApplicationsServiceDep,
    principal: CurrentUser,
    page: Annotated[PageParams, Depends(page_params)],
    status_: Annotated[
        list[Status], Query(alias="status", description="Only these statuses.")
    ] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    q: Annotated[
        str | None, Query(max_length=200, description="Words in the company or title.")
    ] = None,
) -> Page[ApplicationSummary]:
    """Your applications, most recently changed first."""
    return await service.list(principal.user_id, status_, q, page)


@router.get("/api/v1/applications/board", summary="Your applications by status")
async def board(service: ApplicationsServiceDep, principal: CurrentUser) -> Board:
    """Every status in the order applications move through them, with how many are in each
    and the latest 50."""
    return await service.board(principal.user_id)


@router.get(
    "/api/v1/applications/export.csv",
    summary="Your applications as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(service: ApplicationsServiceDep, principal: CurrentUser) -> Response:
    """Every application with its notes, for a spreadsheet."""
    body = await service.export_csv(principal.user_id)
    return Response(
        content=body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="applications.csv"'},
    )


@router.get("/api/v1/applications/{application_id}", summary="One application")
async def get_application(
    application_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> ApplicationDetail:
    """An application with its cover letter, notes and timeline."""
    return await service.get(principal.user_id, application_id)


@router.get("/api/v1/applications/{application_id}/form", summary="The form, filled")
async def prepared_form(
    application_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> PreparedForm:
    """The posting's application form as its ATS defines it, each field filled from your
    profile, the application's resume version and cover letter, and your stored answers — or
    marked `needs_user_input` with the reason. Nothing is sent."""
    return await service.prepared_form(principal.user_id, principal.tier, application_id)


@router.patch("/api/v1/applications/{application_id}", summary="Change an application")
async def update_application(
    application_id: uuid.UUID,
    body: ApplicationUpdate,
    service: ApplicationsServiceDep,
    principal: CurrentUser,
) -> ApplicationDetail:
    """Move it to a status you set (saved, submitted, interviewing, offer, rejected,
    withdrawn), or change the resume version or cover letter; each change joins the
    timeline. 409 while it is being submitted."""
    return await service.update(principal.user_id, application_id, body)


@router.delete(
    "/api/v1/applications/{application_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forget an application",
)
async def delete_application(
    application_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> None:
    """Delete an application with its notes and timeline."""
    await service.delete(principal.user_id, application_id)


@router.post(
    "/api/v1/applications/{application_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Add a note",
)
async def add_note(
    application_id: uuid.UUID,
    body: NoteWrite,
    service: ApplicationsServiceDep,
    principal: CurrentUser,
) -> NoteRead:
    """A note on the application (it joins the timeline)."""
    return await service.add_note(principal.user_id, application_id, body)


@router.patch("/api/v1/applications/{application_id}/notes/{note_id}", summary="Edit a note")
async def edit_note(
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteWrite,
    service: ApplicationsServiceDep,
    principal: CurrentUser,
) -> NoteRead:
    """Change a note's text."""
    return await service.edit_note(principal.user_id, application_id, note_id, body)


@router.delete(
    "/api/v1/applications/{application_id}/notes/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a note",
)
async def delete_note(
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    service: ApplicationsServiceDep,
    principal: CurrentUser,
) -> None:
    """Delete a note."""
    await service.delete_note(principal.user_id, application_id, note_id)


@router.patch("/api/v1/applications/{application_id}/fields", summary="Edit a prepared application")
async def edit_fields(
    application_id: uuid.UUID,
    body: FieldsEdit,
    service: ApplicationsServiceDep,
    principal: CurrentUser,
) -> ApplicationDetail:
    """Set values of the prepared form (`{"fields": {"<key>": value}}`; null clears one) of an
    application waiting for your review: each becomes yours (`source` `user`). 422 for a key
    the form does not have or a value that is not among a choice's options; 409 when the
    application is not waiting for review."""
    return await service.edit_fields(principal.user_id, application_id, body)


@router.post("/api/v1/applications/{application_id}/approve", summary="Approve and send")
async def approve(
    application_id: uuid.UUID,
    service: ApplicationsServiceDep,
    principal: CurrentUser,
    body: Approval | None = None,
) -> ApplicationDetail:
    """Queue an application waiting for your review (`awaiting_review`, or `needs_user_input`
    for a missing answer) for submission, after the optional last `fields` edits. 422
    `incomplete_application` lists the required fields still empty (your edits are kept);
    409 when it is not waiting for review."""
    return await service.approve(principal.user_id, application_id, body or Approval())


@router.post("/api/v1/applications/{application_id}/discard", summary="Discard a prepared one")
async def discard(
    application_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> ApplicationDetail:
    """Withdraw an application auto-apply queued or prepared and has not sent: it moves to
    `withdrawn` (so no rule queues that posting again) and today's auto-apply allowance it
    used is given back. 409 once it is being sent or was sent."""
    return await service.discard(principal.user_id, application_id)


@router.post(
    "/api/v1/auto-apply/rules",
    status_code=status.HTTP_201_CREATED,
    summary="Create an auto-apply rule",
)
async def create_rule(
    body: RuleCreate, service: ApplicationsServiceDep, principal: CurrentUser
) -> RuleRead:
    """A rule that applies with one of your resumes to the postings matching it: those of a
    saved search or of match filters, at or above `min_score`, within the company lists.
    `daily_cap` is at most your plan's daily auto-apply allowance (its default); `mode`
    `review` waits for your approval, `autopilot` sends complete forms itself."""
    return await service.create_rule(principal.user_id, principal.tier, body)


@router.get("/api/v1/auto-apply/status", summary="Whether auto-apply is sending")
async def status_(flags: FeatureFlagsDep) -> AutoApplyStatus:
    """`paused: true` with the reason while an operator has paused auto-apply (the kill switch
    `auto_apply.paused`): nothing is sent, queued applications wait. Seen within a few seconds
    of the switch (the flags' cache)."""
    return await auto_apply_status(flags)


@router.get("/api/v1/auto-apply/rules", summary="Your auto-apply rules")
async def list_rules(
    service: ApplicationsServiceDep,
    principal: CurrentUser,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[RuleRead]:
    """Your rules, oldest first, each with how many applications it queued today."""
    return await service.rules(principal.user_id, page)


@router.get("/api/v1/auto-apply/rules/{rule_id}", summary="One auto-apply rule")
async def get_rule(
    rule_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> RuleRead:
    """One of your rules."""
    return await service.get_rule(principal.user_id, rule_id)


@router.patch("/api/v1/auto-apply/rules/{rule_id}", summary="Change an auto-apply rule")
async def update_rule(
    rule_id: uuid.UUID, body: RuleUpdate, service: ApplicationsServiceDep, principal: CurrentUser
) -> RuleRead:
    """Change any part of a rule; a saved search replaces its filters and filters replace its
    saved search."""
    return await service.update_rule(principal.user_id, principal.tier, rule_id, body)


@router.delete(
    "/api/v1/auto-apply/rules/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an auto-apply rule",
)
async def delete_rule(
    rule_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> None:
    """Delete a rule; the applications it queued stay."""
    await service.delete_rule(principal.user_id, rule_id)


@router.post(
    "/api/v1/auto-apply/rules/{rule_id}/run",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Run an auto-apply rule now",
)
async def run_rule(
    rule_id: uuid.UUID, service: ApplicationsServiceDep, principal: CurrentUser
) -> RunResult:
    """Queue the postings that match the rule's resume and criteria, best match first, skipping
    those you already have an application for (reposts included), up to what the rule's
    daily cap and your daily allowance leave. Each queued application is then prepared in the
    background. 409 `rule_disabled` for a disabled rule."""
    return await service.run_rule(principal.user_id, principal.tier, rule_id)


@router.get("/api/v1/applications/{application_id}/submissions", summary="Attempts to send it")
async def list_submissions(
    application_id: uuid.UUID, reads: SubmissionReadsDep, principal: CurrentUser
) -> list[SubmissionRead]:
    """Every attempt to send the application, newest first, each with the evidence it kept:
    `sent.json` (each field and value sent), the files, and the confirmation page
    (`confirmation.html`, `confirmation.png`)."""
    return await reads.attempts(principal.user_id, application_id)


@router.get(
    "/api/v1/applications/{application_id}/submissions/{submission_id}/evidence/{name:path}",
    summary="One piece of evidence",
    response_class=Response,
)
async def get_evidence(
    application_id: uuid.UUID,
    submission_id: uuid.UUID,
    name: str,
    reads: SubmissionReadsDep,
    principal: CurrentUser,
) -> Response:
    """What an attempt sent or saw, as stored. The ATS's confirmation page is served inert (a
    sandboxing Content-Security-Policy: none of its scripts run)."""
    blob = await reads.evidence(principal.user_id, application_id, submission_id, name)
    return Response(
        blob.data,
        media_type=blob.content_type,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; img-src data:; style-src "
            "'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.post(
    "/api/v1/applications/{application_id}/email-code",
    summary="Finish with the emailed code",
    status_code=status.HTTP_202_ACCEPTED,
)
async def send_email_code(
    application_id: uuid.UUID, body: EmailCode, reads: SubmissionReadsDep, principal: CurrentUser
) -> dict[str, str]:
    """Type the code the ATS emailed you: the application parked at that step (status
    `needs_user_input`, reason `email_code`) is finished in the background. 409
    `not_waiting_for_code` otherwise."""
    await reads.email_code(principal.user_id, application_id, body.code)
    return {"status": "accepted"}

"""The auto-apply service's JSON routes: application tracking (rules and submission come with
auto-apply)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from jobpilot.applications.deps import ApplicationsServiceDep
from jobpilot.applications.schemas import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationSummary,
    ApplicationUpdate,
    Board,
    NoteRead,
    NoteWrite,
    PreparedForm,
    Status,
)
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

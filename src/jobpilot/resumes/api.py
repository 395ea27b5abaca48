"""The resumes service's JSON routes: resumes and their versions, imports, variants, exports,
the ATS check and templates."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status
from fastapi.responses import HTMLResponse

from jobpilot.kit.authn import CurrentUser, Principal, current_principal, require_role
from jobpilot.resumes.deps import ResumesServiceDep
from jobpilot.resumes.schemas import (
    ExportFormat,
    ImportResult,
    RestoreRequest,
    ResumeCreate,
    ResumeDetail,
    ResumeSummary,
    ResumeUpdate,
    TemplateRead,
    TemplateWrite,
    VariantCreate,
    VersionDetail,
    VersionSummary,
)
from jobpilot.resumes.uploads import MAX_UPLOAD_BYTES, UploadTooLarge

router = APIRouter(tags=["resumes"], dependencies=[Depends(current_principal)])
Admin = Annotated[Principal, Depends(require_role("admin"))]
Version = Annotated[int | None, Query(ge=1, description="A version number (default: latest).")]


@router.get("/api/v1/resumes/templates", summary="List resume templates")
async def list_templates(service: ResumesServiceDep) -> list[TemplateRead]:
    """The templates exports can use."""
    return await service.templates()


@router.get(
    "/api/v1/resumes/templates/{key}/preview",
    response_class=HTMLResponse,
    summary="Preview a template",
)
async def preview_template(
    key: str,
    service: ResumesServiceDep,
    principal: CurrentUser,
    resume_id: Annotated[uuid.UUID | None, Query(description="One of your resumes.")] = None,
) -> HTMLResponse:
    """The template rendered with one of your resumes (or a sample one), as HTML."""
    html = await service.preview(key, principal.user_id, resume_id)
    # The preview is shown in a frame: nothing in it may run or load from elsewhere.
    return HTMLResponse(
        html,
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


@router.post(
    "/api/v1/resumes/templates",
    status_code=status.HTTP_201_CREATED,
    summary="Add a template (admins)",
)
async def add_template(
    body: TemplateWrite, service: ResumesServiceDep, admin: Admin
) -> TemplateRead:
    """A new template; refused with the render error if it cannot render a full resume."""
    return await service.save_template(admin.user_id, body, new=True)


@router.put("/api/v1/resumes/templates/{key}", summary="Update a template (admins)")
async def update_template(
    key: str, body: TemplateWrite, service: ResumesServiceDep, admin: Admin
) -> TemplateRead:
    """A new version of a template (earlier exports keep theirs)."""
    return await service.save_template(
        admin.user_id, body.model_copy(update={"key": key}), new=False
    )


@router.delete(
    "/api/v1/resumes/templates/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Retire a template (admins)",
)
async def retire_template(key: str, service: ResumesServiceDep, _admin: Admin) -> Response:
    """Stop offering a template."""
    await service.retire_template(key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/v1/resumes", summary="List your resumes")
async def list_resumes(service: ResumesServiceDep, principal: CurrentUser) -> list[ResumeSummary]:
    """Your resumes and variants by name."""
    return await service.resumes(principal.user_id)


@router.post(
    "/api/v1/resumes",
    status_code=status.HTTP_201_CREATED,
    summary="Create a resume",
    responses={402: {"description": "The resumes quota of your tier is used up."}},
)
async def create_resume(
    body: ResumeCreate, service: ResumesServiceDep, principal: CurrentUser
) -> ResumeDetail:
    """A resume from a JSON Resume document, or from your profile (`from_profile`)."""
    return await service.create(principal.user_id, principal.tier, body)


@router.post(
    "/api/v1/resumes/import",
    status_code=status.HTTP_201_CREATED,
    summary="Import a resume from a PDF or DOCX file",
    responses={
        413: {"description": "Larger than 10 MB."},
        415: {"description": "Not a PDF or DOCX."},
        422: {"description": "Encrypted, damaged, macro-enabled or without text."},
    },
)
async def import_resume(
    service: ResumesServiceDep,
    principal: CurrentUser,
    file: Annotated[UploadFile, File(description="A PDF or .docx resume, at most 10 MB.")],
    name: Annotated[str | None, Form(max_length=120)] = None,
) -> ImportResult:
    """Read the file into a resume; check the confidence per field and edit what is wrong."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge
    return await service.import_file(principal.user_id, principal.tier, data, file.filename, name)


@router.get("/api/v1/resumes/{resume_id}", summary="Read a resume")
async def get_resume(
    resume_id: uuid.UUID, service: ResumesServiceDep, principal: CurrentUser
) -> ResumeDetail:
    """A resume with its latest version."""
    return await service.get(principal.user_id, resume_id)


@router.put("/api/v1/resumes/{resume_id}", summary="Save a new version")
async def save_resume(
    resume_id: uuid.UUID, body: ResumeUpdate, service: ResumesServiceDep, principal: CurrentUser
) -> ResumeDetail:
    """Every save is a new version; give `base_version` to be told when another came first."""
    return await service.save(principal.user_id, resume_id, body)


@router.delete(
    "/api/v1/resumes/{resume_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a resume",
)
async def delete_resume(
    resume_id: uuid.UUID, service: ResumesServiceDep, principal: CurrentUser
) -> Response:
    """Delete a resume, its versions and exports (its quota is given back)."""
    await service.delete_and_forget(principal.user_id, resume_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/v1/resumes/{resume_id}/versions", summary="List versions")
async def list_versions(
    resume_id: uuid.UUID, service: ResumesServiceDep, principal: CurrentUser
) -> list[VersionSummary]:
    """Every version, newest first."""
    return await service.versions(principal.user_id, resume_id)


@router.get("/api/v1/resumes/{resume_id}/versions/{number}", summary="Read a version")
async def get_version(
    resume_id: uuid.UUID, number: int, service: ResumesServiceDep, principal: CurrentUser
) -> VersionDetail:
    """One version with its document."""
    return await service.version(principal.user_id, resume_id, number)


@router.post(
    "/api/v1/resumes/{resume_id}/versions/{number}/restore",
    status_code=status.HTTP_201_CREATED,
    summary="Restore a version",
)
async def restore_version(
    resume_id: uuid.UUID,
    number: int,
    service: ResumesServiceDep,
    principal: CurrentUser,
    body: RestoreRequest | None = None,
) -> ResumeDetail:
    """A new version equal to an old one (nothing is lost)."""
    note = body.note if body else None
    return await service.restore(principal.user_id, resume_id, number, note)


@router.get("/api/v1/resumes/{resume_id}/diff", summary="Compare two versions")
async def diff_versions(
    resume_id: uuid.UUID,
    service: ResumesServiceDep,
    principal: CurrentUser,
    from_: Annotated[int, Query(alias="from", ge=1)],
    to: Annotated[int, Query(ge=1)],
) -> dict[str, Any]:
    """Changes by section, entry and field, and a text diff of bullets."""
    return await service.diff(principal.user_id, resume_id, from_, to)


@router.post(
    "/api/v1/resumes/{resume_id}/variants",
    status_code=status.HTTP_201_CREATED,
    summary="Branch a named variant",
)
async def create_variant(
    resume_id: uuid.UUID, body: VariantCreate, service: ResumesServiceDep, principal: CurrentUser
) -> ResumeDetail:
    """A new resume from a version of this one (e.g. "Backend — tailored for Acme")."""
    return await service.variant(principal.user_id, principal.tier, resume_id, body)


@router.get("/api/v1/resumes/{resume_id}/export", summary="Export a resume")
async def export_resume(
    resume_id: uuid.UUID,
    service: ResumesServiceDep,
    principal: CurrentUser,
    format: Annotated[ExportFormat, Query(description="pdf, docx, json or txt.")] = "pdf",
    template: Annotated[str | None, Query(max_length=60)] = None,
    version: Version = None,
) -> Response:
    """The file, rendered from the same template as the preview (cached per version)."""
    export = await service.export(principal.user_id, resume_id, format, template, version)
    disposition = f"attachment; filename*=UTF-8''{quote(export.filename)}"
    return Response(
        export.data, media_type=export.media_type, headers={"Content-Disposition": disposition}
    )


@router.get("/api/v1/resumes/{resume_id}/check", summary="ATS check")
async def check_resume(
    resume_id: uuid.UUID,
    service: ResumesServiceDep,
    principal: CurrentUser,
    version: Version = None,
    template: Annotated[str | None, Query(max_length=60)] = None,
) -> dict[str, Any]:
    """What would make applicant-tracking software misread this resume, with fixes."""
    return await service.check(principal.user_id, resume_id, version, template)

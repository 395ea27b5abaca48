"""The users service's JSON routes (`/api/v1/users`, `/api/v1/profiles`)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Query, Request, Response, UploadFile, status
from pydantic import BaseModel

from jobpilot.kit.authn import CurrentUser, current_principal
from jobpilot.users import avatars
from jobpilot.users.deps import FeatureFlagsDep, UsersServiceDep
from jobpilot.users.schemas import (
    Profile,
    ProfileRead,
    SkillInput,
    SkillMatch,
    Usage,
    UserSkillRead,
)
from jobpilot.users.service import AVATAR_SIZES

# Every route needs a signed-in caller, and only ever touches the caller's own data.
router = APIRouter(tags=["users"], dependencies=[Depends(current_principal)])


@router.get("/api/v1/profiles/me", summary="Your profile and what it lacks for auto-apply")
async def get_profile(principal: CurrentUser, service: UsersServiceDep) -> ProfileRead:
    """The profile with a completeness score and the missing items."""
    return await service.profile(principal.user_id)


@router.put("/api/v1/profiles/me", summary="Replace your profile")
async def put_profile(
    body: Profile, principal: CurrentUser, service: UsersServiceDep
) -> ProfileRead:
    """Every field is validated; errors name the field."""
    return await service.replace_profile(principal.user_id, body)


@router.patch("/api/v1/profiles/me", summary="Change parts of your profile (JSON merge patch)")
async def patch_profile(
    principal: CurrentUser,
    service: UsersServiceDep,
    patch: Annotated[dict[str, Any], Body(description="RFC 7396: objects merge, null removes.")],
) -> ProfileRead:
    """The merged profile is validated as a whole."""
    return await service.patch_profile(principal.user_id, patch)


@router.get("/api/v1/users/skills/search", summary="Autocomplete skills")
async def search_skills(
    service: UsersServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SkillMatch]:
    """Skills of the taxonomy by name or alias, best matches first."""
    return service.search_skills(q, limit)


@router.get("/api/v1/users/me/skills", summary="Your skills")
async def get_skills(principal: CurrentUser, service: UsersServiceDep) -> list[UserSkillRead]:
    """Canonical skills with their place in the hierarchy, and custom ones."""
    return await service.skills(principal.user_id)


@router.put("/api/v1/users/me/skills", summary="Replace your skills")
async def put_skills(
    body: Annotated[list[SkillInput], Body(max_length=200)],
    principal: CurrentUser,
    service: UsersServiceDep,
) -> list[UserSkillRead]:
    """Names are matched to the taxonomy (aliases too); unknown ones are kept as custom."""
    return await service.replace_skills(principal.user_id, body)


@router.get("/api/v1/users/me/usage", summary="Your plan's limits and what you used")
async def usage(principal: CurrentUser, service: UsersServiceDep) -> Usage:
    """Every quota of your tier, with its period and reset time."""
    return await service.usage(principal.user_id, principal.tier)


@router.get("/api/v1/users/me/flags", summary="The feature flags as they apply to you")
async def my_flags(principal: CurrentUser, flags: FeatureFlagsDep) -> dict[str, bool]:
    """Every feature flag, by name, evaluated for you (your id and tier): whether it is on for
    you. A flag missing here is off. Changes show within a few seconds."""
    return await flags.evaluate_all(principal.user_id, principal.tier)


class AvatarAccepted(BaseModel):
    """The upload was checked and is being processed."""

    status: str = "processing"
    upload_id: str


@router.post(
    "/api/v1/users/me/avatar",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload an avatar (JPEG, PNG or WebP, up to 10 MB)",
)
async def upload_avatar(
    principal: CurrentUser,
    service: UsersServiceDep,
    file: Annotated[UploadFile, File(description="The image; its type is read from its bytes.")],
) -> AvatarAccepted:
    """Checked now (a bad image is refused and the old avatar stays); resized in the background."""
    data = await file.read(avatars.MAX_UPLOAD_BYTES + 1)
    await asyncio.to_thread(avatars.validate_upload, data)
    return AvatarAccepted(upload_id=await service.accept_avatar(principal.user_id, data))


@router.get(
    "/api/v1/users/me/avatar/{size}",
    summary="Your avatar (64, 256 or 512 px, WebP)",
    response_class=Response,
    responses={200: {"content": {"image/webp": {}}}, 304: {"description": "Not modified."}},
)
async def get_avatar(
    size: int, request: Request, principal: CurrentUser, service: UsersServiceDep
) -> Response:
    """Served with an ETag; revalidate with If-None-Match."""
    blob = await service.avatar_blob(principal.user_id, size if size in AVATAR_SIZES else -1)
    etag = f'"{blob.etag}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=3600"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(blob.data, media_type=blob.content_type, headers=headers)


@router.get("/api/v1/users/me/export", summary="Everything we hold about you")
async def export(principal: CurrentUser, service: UsersServiceDep) -> dict[str, Any]:
    """Your data from every service, as JSON."""
    return await service.export(principal.user_id, principal.tier)


class DeleteAccount(BaseModel):
    """Erasure must be confirmed."""

    confirm: str


@router.delete(
    "/api/v1/users/me", status_code=status.HTTP_204_NO_CONTENT, summary="Erase your account"
)
async def delete_me(body: DeleteAccount, principal: CurrentUser, service: UsersServiceDep) -> None:
    """Send `{"confirm": "DELETE"}`; every service removes your data."""
    await service.delete_account(principal.user_id, body.confirm)

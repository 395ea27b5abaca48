"""Feature flags as JSON: list, create, change, and what a given user gets."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from jobpilot.admin.api.common import actor_of
from jobpilot.admin.deps import FlagsServiceDep
from jobpilot.admin.schemas import FlagCreate, FlagEvaluationRead, FlagRead, FlagUpdate
from jobpilot.admin.service.flags import FlagChanges, FlagView
from jobpilot.kit.authn import CurrentUser
from jobpilot.kit.flags import UNSET

router = APIRouter(prefix="/flags")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "`flag_not_found`: no flag has this name."}
}


def flag_read(view: FlagView) -> FlagRead:
    """The API's shape of a flag."""
    flag = view.flag
    return FlagRead(
        name=flag.name,
        description=flag.description,
        enabled=flag.enabled,
        rollout=flag.rollout,
        target_users=list(flag.target_users),
        target_tiers=list(flag.target_tiers),
        stored=view.stored,
        kill_switch=view.kill_switch,
        created_at=flag.created_at if view.stored else None,
        created_by=view.created_by,
        updated_at=flag.updated_at if view.stored else None,
        updated_by=view.updated_by,
    )


def _changes(body: FlagUpdate | FlagCreate) -> FlagChanges:
    """The parts the body gives (a null is the same as leaving the part out)."""
    changes = FlagChanges()
    for key, value in body.model_dump(exclude_unset=True, exclude={"name"}).items():
        if value is not None:
            setattr(changes, key, value)
    return changes


@router.get("", summary="Every feature flag")
async def list_flags(service: FlagsServiceDep) -> list[FlagRead]:
    """Every flag by name, the auto-apply kill switch `auto_apply.paused` always among them
    (`stored: false` until someone sets it)."""
    return [flag_read(view) for view in await service.flags()]


@router.post(
    "",
    summary="Create a feature flag",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "`flag_exists`: the name is taken."}},
)
async def create_flag(
    body: FlagCreate, request: Request, principal: CurrentUser, service: FlagsServiceDep
) -> FlagRead:
    """A new flag, off at 100 % unless the body says otherwise (audited as `flag.create`).
    422 for a bad name, an unknown tier or a user that matches no account."""
    changes = _changes(body)
    changes.description = UNSET  # given on its own
    view = await service.create(actor_of(request, principal), body.name, body.description, changes)
    return flag_read(view)


@router.get("/{name}", summary="One feature flag", responses=_NOT_FOUND)
async def get_flag(name: str, service: FlagsServiceDep) -> FlagRead:
    """One flag."""
    return flag_read(await service.get(name))


@router.patch("/{name}", summary="Change a feature flag", responses=_NOT_FOUND)
async def update_flag(
    name: str,
    body: FlagUpdate,
    request: Request,
    principal: CurrentUser,
    service: FlagsServiceDep,
) -> FlagRead:
    """Change the switch, rollout, targets or description (audited as `flag.update` with the
    flag before and after). Target users are account ids or emails; the lists replace the old
    ones. This process sees the change at once, every other within 5 seconds."""
    view = await service.update(actor_of(request, principal), name, _changes(body))
    return flag_read(view)


@router.get("/{name}/evaluate", summary="What a user gets from a flag", responses=_NOT_FOUND)
async def evaluate_flag(
    name: str,
    service: FlagsServiceDep,
    user_id: Annotated[
        uuid.UUID | None, Query(description="The account; none: a caller without a user.")
    ] = None,
) -> FlagEvaluationRead:
    """Whether the flag is on for the user (read with their current tier) and why. 404
    `user_not_found` for an unknown account."""
    result = await service.evaluate(name, user_id)
    evaluation = result.evaluation
    return FlagEvaluationRead(
        name=evaluation.name,
        user_id=result.user_id,
        email=result.email,
        tier=result.tier,
        enabled=evaluation.enabled,
        reason=evaluation.reason,
        bucket=evaluation.bucket,
    )

"""Background work of the users domain: avatar processing and clean-up."""

from __future__ import annotations

import asyncio
import logging
import uuid

from jobpilot.kit.errors import JobPilotError
from jobpilot.kit.tasks import TaskContext, TaskRegistry
from jobpilot.users import avatars
from jobpilot.users.repository import UserRepository
from jobpilot.users.service import UsersService

log = logging.getLogger("jobpilot.users")
tasks = TaskRegistry()


def _service(ctx: TaskContext) -> UsersService:
    return UsersService(UserRepository(ctx.session), ctx.resources.users)


@tasks.task("users.process_avatar")
async def process_avatar(ctx: TaskContext, user_id: str, upload: str) -> None:
    """Resize a checked upload to every size and make it the avatar."""
    service, uid = _service(ctx), uuid.UUID(user_id)
    data = await service.upload_bytes(uid, upload)
    if data is None:
        return  # already installed by an earlier run
    try:
        images = await asyncio.to_thread(avatars.process_avatar, data)
    except JobPilotError:
        # Checked at upload, so this is not expected; the old avatar stays either way.
        log.warning("avatar upload could not be processed", extra={"user_id": user_id})
        await service.drop_upload(uid, upload)
        return
    await service.install_avatar(uid, upload, images)


@tasks.task("users.delete_avatar_files")
async def delete_avatar_files(ctx: TaskContext, user_id: str, version: str) -> None:
    """Remove an erased user's avatar files."""
    await _service(ctx).delete_avatar_files(uuid.UUID(user_id), version)

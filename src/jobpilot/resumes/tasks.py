"""Background work of the resumes domain: removing export files, erasing deleted accounts."""

from __future__ import annotations

from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.tasks import TaskContext, TaskRegistry
from jobpilot.resumes.service import DELETE_BLOBS, ResumesComponents, ResumesService
from jobpilot.users.events import UserDeleted

tasks = TaskRegistry()
subscriptions = Subscriptions()


def _components(ctx: TaskContext) -> ResumesComponents:
    components: ResumesComponents = ctx.resources.resumes
    return components


@tasks.task(DELETE_BLOBS)
async def delete_blobs(ctx: TaskContext, keys: list[str]) -> None:
    """Remove the files of deleted exports (deleting a missing file is fine)."""
    blobs = _components(ctx).blobs
    for key in keys:
        await blobs.delete(key)


@subscribe(tasks, subscriptions, UserDeleted, "resumes.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Erase the deleted account's resumes, versions and export files."""
    components = _components(ctx)
    keys = await ResumesService(ctx.session, components).delete_user_data(event.user_id)
    for key in keys:
        await components.blobs.delete(key)

"""Background work of the resumes domain: removing export files, erasing deleted accounts."""

from __future__ import annotations

import asyncio
import uuid

from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.tasks import TaskContext, TaskRegistry
from jobpilot.resumes.service import DELETE_BLOBS, PRERENDER, ResumesComponents, ResumesService
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


@tasks.task(PRERENDER)
async def prerender(ctx: TaskContext, version_id: str, template: str) -> None:
    """Render a new version's PDF and DOCX into the export cache.

    The rendering happens between a read and a write transaction, so no write lock is held
    while a PDF is laid out.
    """
    components = _components(ctx)
    async with ctx.resources.db.unit_of_work() as session:
        plan = await ResumesService(session, components).prerender_plan(
            uuid.UUID(version_id), template
        )
    if plan is None:
        return
    version, source, missing = plan
    rendered = {
        fmt: await asyncio.to_thread(ResumesService.render_bytes, version.data, source, fmt)
        for fmt in missing
    }
    service = ResumesService(ctx.session, components)
    for fmt, data in rendered.items():
        await service.store(version.resume_id, version.id, source, fmt, data)


@subscribe(tasks, subscriptions, UserDeleted, "resumes.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Erase the deleted account's resumes, versions and export files."""
    components = _components(ctx)
    keys = await ResumesService(ctx.session, components).delete_user_data(event.user_id)
    for key in keys:
        await components.blobs.delete(key)

"""Background work of the ai domain: embedding what other domains change."""

from __future__ import annotations

from datetime import timedelta

from jobpilot.ai.assist.service import WritingService
from jobpilot.ai.service import AiComponents, AiService
from jobpilot.jobs.events import PostingsChanged
from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.schedule import Periodic
from jobpilot.kit.tasks import TaskContext, TaskRegistry, enqueue
from jobpilot.resumes.events import ResumeDeleted, ResumeVersionSaved
from jobpilot.users.events import UserDeleted

REINDEX = "ai.reindex"
PURGE_CACHE = "ai.purge_cache"

tasks = TaskRegistry()
subscriptions = Subscriptions()
# Hourly, what ingestion events missed (postings stored before vectors existed, a new model) is
# embedded; a step that leaves work queues the next one.
# Daily, expired language-model answers leave the cache.
periodic = (Periodic(REINDEX, timedelta(hours=1)), Periodic(PURGE_CACHE, timedelta(days=1)))


def _components(ctx: TaskContext) -> AiComponents:
    components: AiComponents = ctx.resources.ai
    return components


@subscribe(tasks, subscriptions, PostingsChanged, "ai.on_postings_changed")
async def on_postings_changed(ctx: TaskContext, event: PostingsChanged) -> None:
    """Embed the changed postings that are open; drop the vectors of closed ones."""
    await AiService(_components(ctx)).index_postings(event.posting_ids)


@subscribe(tasks, subscriptions, ResumeVersionSaved, "ai.on_resume_version_saved")
async def on_resume_version_saved(ctx: TaskContext, event: ResumeVersionSaved) -> None:
    """Embed the resume's latest version (an older event re-reads the latest, harmlessly)."""
    await AiService(_components(ctx)).index_resume(event.resume_id)


@subscribe(tasks, subscriptions, ResumeDeleted, "ai.on_resume_deleted")
async def on_resume_deleted(ctx: TaskContext, event: ResumeDeleted) -> None:
    """Drop the deleted resume's vectors."""
    await AiService(_components(ctx)).forget_resume(event.resume_id)


@tasks.task(REINDEX)
async def reindex(ctx: TaskContext) -> None:
    """Embed a step of what has no vector of the current model; queue the next step if any."""
    done = await AiService(_components(ctx)).reindex()
    if done.remaining:
        await enqueue(ctx.session, REINDEX)


@subscribe(tasks, subscriptions, UserDeleted, "ai.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Erase the deleted user's cached answers and usage."""
    await WritingService(_components(ctx)).forget_user(event.user_id)


@tasks.task(PURGE_CACHE)
async def purge_cache(ctx: TaskContext) -> None:
    """Drop expired language-model answers."""
    await WritingService(_components(ctx)).purge_cache()

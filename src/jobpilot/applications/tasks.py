"""Background work of the applications domain."""

from __future__ import annotations

from jobpilot.applications.service import ApplicationsComponents, ApplicationsService
from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.tasks import TaskContext, TaskRegistry
from jobpilot.users.events import UserDeleted

tasks = TaskRegistry()
subscriptions = Subscriptions()


@subscribe(tasks, subscriptions, UserDeleted, "applications.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Erase the deleted account's applications, notes and timelines."""
    components: ApplicationsComponents = ctx.resources.applications
    await ApplicationsService(ctx.session, components).delete_user_data(event.user_id)

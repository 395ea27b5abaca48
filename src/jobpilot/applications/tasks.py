"""Background work of the applications domain."""

from __future__ import annotations

import uuid
from datetime import timedelta

from jobpilot.applications.service import ApplicationsComponents, ApplicationsService
from jobpilot.applications.submission import SubmissionComponents, SubmissionFlow
from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.schedule import Periodic
from jobpilot.kit.tasks import TaskContext, TaskRegistry, enqueue
from jobpilot.users.events import UserDeleted

tasks = TaskRegistry()
subscriptions = Subscriptions()


@subscribe(tasks, subscriptions, UserDeleted, "applications.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Erase the deleted account's applications, notes and timelines."""
    components: ApplicationsComponents = ctx.resources.applications
    await ApplicationsService(ctx.session, components).delete_user_data(event.user_id)


@tasks.task("applications.prepare_application")
async def prepare_application(ctx: TaskContext, application_id: str, tier: str) -> None:
    """Fill a queued auto-apply application's form and move it to review or submission."""
    components: ApplicationsComponents = ctx.resources.applications
    await ApplicationsService(ctx.session, components).prepare(uuid.UUID(application_id), tier)


SUBMIT_TASK = "applications.submit_application"
# Tries for failures before anything was sent (the browser crashed, the ATS was down).
SUBMIT_ATTEMPTS = 3


@tasks.task(SUBMIT_TASK, max_attempts=SUBMIT_ATTEMPTS)
async def submit_application(ctx: TaskContext, application_id: str) -> None:
    """Send a queued application once, or park it; while paused or capped, look again later."""
    components: SubmissionComponents = ctx.resources.submission
    flow = SubmissionFlow(components)
    final = ctx.attempt >= SUBMIT_ATTEMPTS
    recheck = await flow.submit(uuid.UUID(application_id), final_attempt=final)
    if recheck is not None:
        await enqueue(ctx.session, SUBMIT_TASK, delay=recheck.delay, application_id=application_id)


@tasks.task("applications.resume_application", max_attempts=1)
async def resume_application(ctx: TaskContext, application_id: str, code: str) -> None:
    """Continue an application parked at an email-code step with the code the user typed."""
    components: SubmissionComponents = ctx.resources.submission
    await SubmissionFlow(components).resume_with_code(uuid.UUID(application_id), code)


RUN_RULES = "applications.run_rules"
# Enabled rules run every hour: new postings are applied to as they arrive, within the rule's
# daily cap and the plan's daily quota.
periodic = (Periodic(RUN_RULES, timedelta(hours=1)),)


@tasks.task(RUN_RULES)
async def run_rules(ctx: TaskContext) -> None:
    """Queue a run of every enabled auto-apply rule."""
    components: ApplicationsComponents = ctx.resources.applications
    await ApplicationsService(ctx.session, components).schedule_rule_runs()


@tasks.task("applications.run_rule", max_attempts=2)
async def run_rule(ctx: TaskContext, rule_id: str) -> None:
    """Run one auto-apply rule for its owner."""
    components: ApplicationsComponents = ctx.resources.applications
    await ApplicationsService(ctx.session, components).run_scheduled(uuid.UUID(rule_id))

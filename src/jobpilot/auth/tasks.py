"""Background work of the auth domain: the emails it sends."""

from __future__ import annotations

import uuid
from datetime import timedelta

from jobpilot.auth.repository import AuthRepository
from jobpilot.auth.service import AuthService
from jobpilot.kit.events import Subscriptions, subscribe
from jobpilot.kit.schedule import Periodic
from jobpilot.kit.tasks import TaskContext, TaskRegistry
from jobpilot.users.events import UserDeleted

tasks = TaskRegistry()
PURGE_EXPIRED = "auth.purge_expired"
periodic = (Periodic(PURGE_EXPIRED, timedelta(hours=1)),)
subscriptions = Subscriptions()


def _service(ctx: TaskContext) -> AuthService:
    return AuthService(AuthRepository(ctx.session), ctx.resources.auth)


@tasks.task("auth.send_verification")
async def send_verification(ctx: TaskContext, user_id: str) -> None:
    """Email a verification link."""
    await _service(ctx).send_verification(uuid.UUID(user_id), str(ctx.task_id))


@tasks.task("auth.resend_verification")
async def resend_verification(ctx: TaskContext, email: str) -> None:
    """Email a new verification link if the address has an unverified account."""
    await _service(ctx).resend_verification(email, str(ctx.task_id))


@tasks.task("auth.send_account_exists")
async def send_account_exists(ctx: TaskContext, user_id: str) -> None:
    """Tell an account owner that someone tried to register their address."""
    await _service(ctx).send_account_exists(uuid.UUID(user_id), str(ctx.task_id))


@tasks.task("auth.send_password_reset")
async def send_password_reset(ctx: TaskContext, email: str) -> None:
    """Email a password reset code if the address has an account."""
    await _service(ctx).send_password_reset(email, str(ctx.task_id))


@subscribe(tasks, subscriptions, UserDeleted, "auth.on_user_deleted")
async def on_user_deleted(ctx: TaskContext, event: UserDeleted) -> None:
    """Sign the erased user out everywhere and delete the account."""
    await _service(ctx).erase_user(event.user_id)


@tasks.task(PURGE_EXPIRED)
async def purge_expired(ctx: TaskContext) -> None:
    """Delete expired OAuth authorizations and used one-time tokens past their expiry."""
    await _service(ctx).purge_expired()

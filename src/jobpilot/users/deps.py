"""FastAPI dependencies of the users API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.kit.flags import FeatureFlags
from jobpilot.kit.web import DbSession
from jobpilot.users.repository import UserRepository
from jobpilot.users.service import UsersComponents, UsersService


def users_service(request: Request, session: DbSession) -> UsersService:
    """The users service bound to the request's unit of work."""
    components: UsersComponents = request.app.state.container.users
    return UsersService(UserRepository(session), components)


UsersServiceDep = Annotated[UsersService, Depends(users_service)]


def feature_flags(request: Request) -> FeatureFlags:
    """The process's feature flags."""
    flags: FeatureFlags = request.app.state.container.flags
    return flags


FeatureFlagsDep = Annotated[FeatureFlags, Depends(feature_flags)]

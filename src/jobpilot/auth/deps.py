"""FastAPI dependencies of the auth API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobpilot.auth.repository import AuthRepository
from jobpilot.auth.service import AuthComponents, AuthService, ClientInfo
from jobpilot.kit.web import DbSession


def auth_service(request: Request, session: DbSession) -> AuthService:
    """The auth service bound to the request's unit of work."""
    components: AuthComponents = request.app.state.container.auth
    return AuthService(AuthRepository(session), components)


def client_info(request: Request) -> ClientInfo:
    """The caller's address and user agent, as recorded in sessions and the audit trail."""
    host = request.client.host if request.client else None
    return ClientInfo(ip=host, user_agent=request.headers.get("user-agent"))


AuthServiceDep = Annotated[AuthService, Depends(auth_service)]
Client = Annotated[ClientInfo, Depends(client_info)]

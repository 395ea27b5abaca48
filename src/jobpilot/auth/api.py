"""The auth service's JSON routes (`/api/v1/auth`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse, RedirectResponse

from jobpilot.auth.deps import AuthServiceDep, Client
from jobpilot.auth.errors import InvalidLink
from jobpilot.auth.oauth import OAuthFailed
from jobpilot.auth.schemas import (
    Accepted,
    AuditRead,
    ChangePasswordRequest,
    CodeRequest,
    DevMailRead,
    DisableMfaRequest,
    EmailRequest,
    LoginRequest,
    MfaChallenge,
    MfaVerifyRequest,
    RecoveryCodes,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionRead,
    SignInMethods,
    TokenPair,
    TokenRequest,
    TotpSetup,
    UserRead,
    VerifiedEmail,
)
from jobpilot.kit.authn import CurrentUser, require_role

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

NO_STORE = {"Cache-Control": "no-store"}


def _no_store(response: Response) -> None:
    # Tokens must not linger in caches (RFC 6749 §5.1).
    response.headers.update(NO_STORE)


@router.get("/methods", summary="How one can sign in here")
async def methods(service: AuthServiceDep) -> SignInMethods:
    """Password sign-in always; GitHub and LinkedIn when configured."""
    return service.methods()


@router.get("/.well-known/jwks.json", summary="Public keys of access tokens")
async def jwks(service: AuthServiceDep) -> JSONResponse:
    """The JSON Web Key Set every service verifies access tokens with."""
    return JSONResponse(await service.jwks(), headers={"Cache-Control": "public, max-age=300"})


@router.post("/register", status_code=status.HTTP_202_ACCEPTED, summary="Create an account")
async def register(body: RegisterRequest, service: AuthServiceDep, client: Client) -> Accepted:
    """Create an account and email a verification link (the answer is the same if it exists)."""
    await service.register(body.email, body.password, body.name, client)
    return Accepted(message="Check your inbox for a link to verify your email address.")


@router.get("/verify-email", summary="Verify an email address (the emailed link)")
async def verify_email_link(
    token: Annotated[str, Query(min_length=10, max_length=2000)],
    service: AuthServiceDep,
    client: Client,
) -> VerifiedEmail:
    """Mark the address verified."""
    return VerifiedEmail(email=await service.verify_email(token, client))


@router.post("/verify-email", summary="Verify an email address")
async def verify_email(
    body: TokenRequest, service: AuthServiceDep, client: Client
) -> VerifiedEmail:
    """Mark the address verified."""
    return VerifiedEmail(email=await service.verify_email(body.token, client))


@router.post(
    "/verify-email/resend", status_code=status.HTTP_202_ACCEPTED, summary="Send a new link"
)
async def resend_verification(body: EmailRequest, service: AuthServiceDep) -> Accepted:
    """Email a new verification link if the address has an unverified account."""
    await service.request_verification(body.email)
    return Accepted(message="If the address has an unverified account, a new link is on its way.")


@router.post(
    "/login",
    summary="Sign in with email and password",
    responses={200: {"model": TokenPair | MfaChallenge}},
)
async def login(
    body: LoginRequest, service: AuthServiceDep, client: Client, response: Response
) -> TokenPair | MfaChallenge:
    """Tokens, or `{"mfa_required": true, "mfa_token": ...}` when two-factor is on."""
    _no_store(response)
    return await service.login(body.email, body.password, client)


@router.post("/mfa/verify", summary="Complete a sign-in with a second factor")
async def mfa_verify(
    body: MfaVerifyRequest, service: AuthServiceDep, client: Client, response: Response
) -> TokenPair:
    """A TOTP code or a recovery code."""
    _no_store(response)
    return await service.verify_mfa(body.mfa_token, body.code, client)


@router.post("/refresh", summary="Exchange a refresh token")
async def refresh(
    body: RefreshRequest, service: AuthServiceDep, client: Client, response: Response
) -> TokenPair:
    """New tokens; the presented refresh token stops working (reusing it ends the session)."""
    _no_store(response)
    return await service.refresh(body.refresh_token, client)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out this session")
async def logout(principal: CurrentUser, service: AuthServiceDep, client: Client) -> None:
    """End the session of the presented access token, everywhere at once."""
    await service.revoke_session(principal, principal.session_id, client, "logout")


@router.post("/logout-all", summary="Sign out every session")
async def logout_all(
    principal: CurrentUser, service: AuthServiceDep, client: Client
) -> dict[str, int]:
    """End every session of the account, this one included."""
    return {"revoked": await service.logout_all(principal, client)}


@router.get("/sessions", summary="Signed-in devices")
async def sessions(principal: CurrentUser, service: AuthServiceDep) -> list[SessionRead]:
    """The account's live sessions (device, address, created, last seen)."""
    return await service.sessions(principal)


@router.delete(
    "/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, summary="End a session"
)
async def delete_session(
    session_id: uuid.UUID, principal: CurrentUser, service: AuthServiceDep, client: Client
) -> None:
    """Sign one of your devices out."""
    await service.revoke_session(principal, session_id, client, "revoked_by_user")


@router.get("/me", summary="Your account")
async def me(principal: CurrentUser, service: AuthServiceDep) -> UserRead:
    """Email, name, roles, tier, verification and two-factor state."""
    return await service.me(principal)


@router.get("/audit", summary="Your security events")
async def audit(
    principal: CurrentUser,
    service: AuthServiceDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[AuditRead]:
    """Sign-ins, failed attempts, password and two-factor changes, newest first."""
    return await service.audit_trail(principal, limit)


@router.get(
    "/dev/mailbox",
    summary="Mail sent by this server (dev mailbox, admins only)",
    dependencies=[Depends(require_role("admin"))],
)
async def dev_mailbox(
    service: AuthServiceDep,
    to: Annotated[str | None, Query(max_length=320)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[DevMailRead]:
    """Newest first; only when mail is kept in the database instead of sent over SMTP."""
    return await service.dev_mailbox(to.strip().lower() if to else None, limit)


@router.post(
    "/password/forgot", status_code=status.HTTP_202_ACCEPTED, summary="Ask for a reset code"
)
async def forgot_password(body: EmailRequest, service: AuthServiceDep) -> Accepted:
    """Always 202: the answer never tells whether the address has an account."""
    await service.request_password_reset(body.email)
    return Accepted(message="If the address has an account, a reset code is on its way.")


@router.post(
    "/password/reset", status_code=status.HTTP_204_NO_CONTENT, summary="Set a new password"
)
async def reset_password(
    body: ResetPasswordRequest, service: AuthServiceDep, client: Client
) -> None:
    """With the emailed code; every session is signed out."""
    await service.reset_password(body.token, body.new_password, client)


@router.post(
    "/password/change", status_code=status.HTTP_204_NO_CONTENT, summary="Change your password"
)
async def change_password(
    body: ChangePasswordRequest, principal: CurrentUser, service: AuthServiceDep, client: Client
) -> None:
    """Every other session is signed out."""
    await service.change_password(principal, body.current_password, body.new_password, client)


@router.post("/mfa/totp/setup", summary="Start setting up an authenticator app")
async def totp_setup(
    principal: CurrentUser, service: AuthServiceDep, response: Response
) -> TotpSetup:
    """A new secret, its `otpauth://` URI and a QR code (SVG) to scan."""
    _no_store(response)
    return await service.totp_setup(principal)


@router.post("/mfa/totp/enable", summary="Turn two-factor on")
async def totp_enable(
    body: CodeRequest,
    principal: CurrentUser,
    service: AuthServiceDep,
    client: Client,
    response: Response,
) -> RecoveryCodes:
    """Confirm with a code from the app; returns ten single-use recovery codes, once."""
    _no_store(response)
    return RecoveryCodes(recovery_codes=await service.totp_enable(principal, body.code, client))


@router.post(
    "/mfa/totp/disable", status_code=status.HTTP_204_NO_CONTENT, summary="Turn two-factor off"
)
async def totp_disable(
    body: DisableMfaRequest, principal: CurrentUser, service: AuthServiceDep, client: Client
) -> None:
    """Needs the password and a current code."""
    await service.totp_disable(principal, body.password, body.code, client)


@router.get(
    "/oauth/{provider}/authorize",
    status_code=status.HTTP_302_FOUND,
    summary="Sign in with GitHub or LinkedIn",
    response_class=RedirectResponse,
)
async def oauth_authorize(provider: str, service: AuthServiceDep) -> RedirectResponse:
    """Redirects to the provider (with state and PKCE)."""
    return RedirectResponse(await service.oauth_start(provider), status_code=302)


@router.get("/oauth/{provider}/callback", summary="Where the provider sends the browser back")
async def oauth_callback(
    provider: str,
    service: AuthServiceDep,
    client: Client,
    response: Response,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> TokenPair:
    """Creates or links the account and signs in."""
    _no_store(response)
    if error:
        raise OAuthFailed(f"The provider refused the sign-in ({error}).")
    if not code or not state:
        raise InvalidLink("The provider's answer lacks a code or state.")
    return await service.oauth_finish(provider, code, state, client)

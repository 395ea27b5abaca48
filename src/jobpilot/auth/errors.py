"""Errors of the auth domain. Messages never reveal whether an email has an account."""

from jobpilot.kit.errors import BadRequest, Conflict, Forbidden, RateLimited, Unauthorized


class InvalidCredentials(Unauthorized):
    """Wrong email or password (deliberately not saying which)."""

    code = "invalid_credentials"
    default_message = "The email or password is incorrect."


class TooManyAttempts(RateLimited):
    """Too many failed sign-ins for this account or address."""

    code = "too_many_attempts"
    default_message = "Too many failed attempts; try again later."


class EmailNotVerified(Forbidden):
    """The password was right but the email address is not verified yet."""

    code = "email_not_verified"
    default_message = "Verify your email address first: we sent you a link."


class AccountSuspended(Forbidden):
    """The account is suspended."""

    code = "account_suspended"
    default_message = "This account is suspended."


class InvalidLink(BadRequest):
    """An emailed link or token that is invalid, expired or already used."""

    code = "invalid_or_expired_token"
    default_message = "This link is invalid, has expired or was already used."


class WeakPassword(BadRequest):
    """The new password breaks the policy."""

    status = 422
    code = "weak_password"
    default_message = "The password does not meet the policy."


class InvalidRefreshToken(Unauthorized):
    """The refresh token is unknown, expired, reused or its session revoked."""

    code = "invalid_refresh_token"
    default_message = "Sign in again: this session is no longer valid."


class InvalidMfaCode(Unauthorized):
    """The two-factor code is wrong, expired or was already used."""

    code = "invalid_mfa_code"
    default_message = "The code is incorrect or was already used."


class MfaNotSetUp(Conflict):
    """Two-factor is not in the state this step needs."""

    code = "mfa_state"
    default_message = "Two-factor authentication is not set up for this step."


class SessionNotFound(BadRequest):
    """No session of the caller has this id."""

    status = 404
    code = "session_not_found"
    default_message = "No session of yours has this id."


class ProviderNotConfigured(BadRequest):
    """Sign-in with this provider is not set up on this server."""

    status = 404
    code = "provider_not_configured"
    default_message = "Sign-in with this provider is not available."


class OAuthEmailUnverified(Conflict):
    """The provider's email matches an account but the provider has not verified it."""

    code = "oauth_email_unverified"
    default_message = (
        "An account with this email exists, but the provider has not verified the address; "
        "sign in with your password and link the provider from your account."
    )


class DevMailboxOff(BadRequest):
    """Mail goes out over SMTP here; there is no dev mailbox to read."""

    status = 404
    code = "dev_mailbox_off"
    default_message = "The dev mailbox is only used with JOBPILOT_MAIL__BACKEND=devbox."

"""Sign-in with GitHub (OAuth 2.0 + PKCE) and LinkedIn (OpenID Connect + PKCE).

Every flow runs over real HTTP against the local fake provider: the test plays the browser
(follows the authorization URL, reads the code from the redirect) and the callback.
"""

from __future__ import annotations

import base64
import hashlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from fakes.oauth_provider import FakeOAuthProvider, FakeUser, IdTokenTamper
from jobpilot.auth.config import OAuthProviderSettings
from jobpilot.auth.oauth import (
    AuthorizationRequest,
    ExternalIdentity,
    OAuthFailed,
    complete_authorization,
    start_authorization,
)

REDIRECT_URI = "http://127.0.0.1:8080/api/v1/auth/oauth/callback"
GITHUB_SECRET = "gh-secret-do-not-leak"
LINKEDIN_SECRET = "li-secret-do-not-leak"


@pytest.fixture
def github(provider: FakeOAuthProvider) -> OAuthProviderSettings:
    return provider.github_settings("gh-client", GITHUB_SECRET)


@pytest.fixture
def linkedin(provider: FakeOAuthProvider) -> OAuthProviderSettings:
    return provider.linkedin_settings("li-client", LINKEDIN_SECRET)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _name(cfg: OAuthProviderSettings) -> str:
    return "github" if cfg.kind == "github" else "linkedin"


async def _approve(http: httpx.AsyncClient, request: AuthorizationRequest) -> str:
    """Play the browser: open the authorization URL and return the code it redirects with."""
    response = await http.get(request.url)
    assert response.status_code == 302, response.text
    location = httpx.URL(response.headers["location"])
    assert str(location.copy_with(query=None)) == REDIRECT_URI
    assert location.params["state"] == request.state
    assert "error" not in location.params, location.params
    return location.params["code"]


async def _finish(
    http: httpx.AsyncClient,
    cfg: OAuthProviderSettings,
    request: AuthorizationRequest,
    code: str,
    *,
    code_verifier: str | None = None,
    nonce: str | None = None,
    redirect_uri: str = REDIRECT_URI,
) -> ExternalIdentity:
    return await complete_authorization(
        _name(cfg),
        cfg,
        code=code,
        code_verifier=code_verifier or request.code_verifier,
        redirect_uri=redirect_uri,
        nonce=nonce or request.nonce,
        http=http,
    )


async def _sign_in(http: httpx.AsyncClient, cfg: OAuthProviderSettings) -> ExternalIdentity:
    request = start_authorization(_name(cfg), cfg, REDIRECT_URI)
    return await _finish(http, cfg, request, await _approve(http, request))


def _assert_safe(failure: pytest.ExceptionInfo[OAuthFailed], *leaks: str) -> None:
    """The error is the one users may see: no secret, token or code in its text."""
    error = failure.value
    assert error.status == 400
    assert error.code == "oauth_failed"
    shown = f"{error.message} {error.details!r} {error!r}"
    for secret in (GITHUB_SECRET, LINKEDIN_SECRET, *leaks):
        assert secret not in shown


# --- starting the flow --------------------------------------------------------------------


def test_authorization_url_carries_state_pkce_and_nonce(
    github: OAuthProviderSettings, linkedin: OAuthProviderSettings
) -> None:
    for cfg, scope in ((github, "read:user user:email"), (linkedin, "openid profile email")):
        request = start_authorization(_name(cfg), cfg, REDIRECT_URI)
        url = httpx.URL(request.url)
        assert str(url.copy_with(query=None)) == cfg.authorize_url
        params = url.params
        assert params["response_type"] == "code"
        assert params["client_id"] == cfg.client_id
        assert params["redirect_uri"] == REDIRECT_URI
        assert params["scope"] == scope
        assert "%20" in request.url  # scopes space-separated, percent-encoded
        assert params["state"] == request.state
        assert len(request.state) >= 43  # 32 random bytes
        assert 43 <= len(request.code_verifier) <= 128
        digest = hashlib.sha256(request.code_verifier.encode()).digest()
        assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert params["code_challenge_method"] == "S256"
        if cfg.kind == "oidc":
            assert request.nonce is not None
            assert params["nonce"] == request.nonce
        else:
            assert request.nonce is None
            assert "nonce" not in params
        again = start_authorization(_name(cfg), cfg, REDIRECT_URI)
        assert again.state != request.state
        assert again.code_verifier != request.code_verifier
        assert again.nonce != request.nonce or cfg.kind == "github"


def test_unconfigured_provider_refuses_to_start(github: OAuthProviderSettings) -> None:
    disabled = github.model_copy(update={"client_secret": SecretStr("")})
    with pytest.raises(OAuthFailed):
        start_authorization("github", disabled, REDIRECT_URI)


# --- GitHub -------------------------------------------------------------------------------


async def test_github_sign_in_returns_the_verified_primary_email(
    provider: FakeOAuthProvider, github: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.approve_as(
        FakeUser(
            subject="583231",
            name="Mona Lisa Octocat",
            login="octocat",
            emails=[
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": "mona@example.com", "primary": True, "verified": True},
            ],
        )
    )
    identity = await _sign_in(http, github)
    assert identity == ExternalIdentity(
        provider="github",
        subject="583231",
        email="mona@example.com",
        email_verified=True,
        name="Mona Lisa Octocat",
    )


async def test_github_unverified_primary_email_is_not_trusted(
    provider: FakeOAuthProvider, github: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.approve_as(
        FakeUser(subject="77", email="new@example.com", email_verified=False, name=None)
    )
    identity = await _sign_in(http, github)
    assert identity.email == "new@example.com"
    assert identity.email_verified is False
    assert identity.name == "ada"  # no display name: the login stands in


async def test_github_public_profile_email_alone_is_not_verified(
    provider: FakeOAuthProvider, github: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.approve_as(FakeUser(subject="78", emails=[], public_email="public@example.com"))
    identity = await _sign_in(http, github)
    assert (identity.email, identity.email_verified) == ("public@example.com", False)


async def test_github_form_encoded_token_answer_is_understood(
    provider: FakeOAuthProvider, github: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.github_ignores_accept = True
    identity = await _sign_in(http, github)
    assert identity.subject == FakeUser().subject
    assert identity.email_verified is True


# --- LinkedIn (OpenID Connect) ------------------------------------------------------------


async def test_linkedin_sign_in_trusts_the_verified_id_token(
    provider: FakeOAuthProvider, linkedin: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.approve_as(FakeUser(subject="782bbtaQ", email="grace@example.com", name="Grace H"))
    identity = await _sign_in(http, linkedin)
    assert identity == ExternalIdentity(
        provider="linkedin",
        subject="782bbtaQ",
        email="grace@example.com",
        email_verified=True,  # sent as the string "true"
        name="Grace H",
    )
    assert provider.hits["linkedin.userinfo"] == 0  # the ID token said everything


async def test_linkedin_unverified_email_is_reported(
    provider: FakeOAuthProvider, linkedin: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.approve_as(FakeUser(subject="abc", email="x@example.com", email_verified=False))
    identity = await _sign_in(http, linkedin)
    assert (identity.email, identity.email_verified) == ("x@example.com", False)


async def test_linkedin_missing_claims_come_from_userinfo(
    provider: FakeOAuthProvider, linkedin: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.approve_as(FakeUser(subject="s-1", email="ada@example.com", name="Ada Lovelace"))
    provider.omit_from_next_id_token("email", "name", "given_name", "family_name")
    identity = await _sign_in(http, linkedin)
    assert identity.email == "ada@example.com"
    assert identity.email_verified is True
    assert identity.name == "Ada Lovelace"
    assert provider.hits["linkedin.userinfo"] == 1


async def test_linkedin_userinfo_of_another_account_is_refused(
    provider: FakeOAuthProvider, linkedin: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    provider.omit_from_next_id_token("email")
    provider.next_userinfo_subject("someone-else")
    with pytest.raises(OAuthFailed) as failure:
        await _sign_in(http, linkedin)
    _assert_safe(failure)


async def test_signing_keys_are_cached_and_refetched_after_rotation(
    provider: FakeOAuthProvider, linkedin: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    await _sign_in(http, linkedin)
    await _sign_in(http, linkedin)
    assert provider.hits["linkedin.jwks"] == 1
    provider.rotate_signing_key()
    identity = await _sign_in(http, linkedin)
    assert identity.subject == FakeUser().subject
    assert provider.hits["linkedin.jwks"] == 2


@pytest.mark.parametrize(
    "tamper",
    [
        "foreign_key",
        "unknown_kid",
        "alg_none",
        "hs256",
        "expired",
        "wrong_aud",
        "wrong_iss",
        "wrong_nonce",
        "no_nonce",
    ],
)
async def test_forged_or_invalid_id_token_is_refused(
    tamper: IdTokenTamper,
    provider: FakeOAuthProvider,
    linkedin: OAuthProviderSettings,
    http: httpx.AsyncClient,
) -> None:
    provider.tamper_next_id_token(tamper)
    with pytest.raises(OAuthFailed) as failure:
        await _sign_in(http, linkedin)
    _assert_safe(failure)
    # The sign-in after it, with an honest token, works.
    assert (await _sign_in(http, linkedin)).subject == FakeUser().subject


async def test_id_token_for_another_sign_in_attempt_is_refused(
    linkedin: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    # The browser came back with a code from a different attempt than the one in the session.
    request = start_authorization("linkedin", linkedin, REDIRECT_URI)
    code = await _approve(http, request)
    other = start_authorization("linkedin", linkedin, REDIRECT_URI)
    with pytest.raises(OAuthFailed) as failure:
        await _finish(http, linkedin, request, code, nonce=other.nonce)
    _assert_safe(failure, code)


# --- failures common to both --------------------------------------------------------------


@pytest.fixture(params=["github", "linkedin"])
def any_provider(
    request: pytest.FixtureRequest,
    github: OAuthProviderSettings,
    linkedin: OAuthProviderSettings,
) -> OAuthProviderSettings:
    return github if request.param == "github" else linkedin


async def test_wrong_pkce_verifier_is_refused(
    any_provider: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    request = start_authorization(_name(any_provider), any_provider, REDIRECT_URI)
    code = await _approve(http, request)
    stolen = start_authorization(_name(any_provider), any_provider, REDIRECT_URI)
    with pytest.raises(OAuthFailed) as failure:
        await _finish(http, any_provider, request, code, code_verifier=stolen.code_verifier)
    _assert_safe(failure, code, request.code_verifier)


async def test_code_is_single_use(
    any_provider: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    request = start_authorization(_name(any_provider), any_provider, REDIRECT_URI)
    code = await _approve(http, request)
    await _finish(http, any_provider, request, code)
    with pytest.raises(OAuthFailed) as failure:
        await _finish(http, any_provider, request, code)
    _assert_safe(failure, code)


async def test_redirect_uri_must_match(
    any_provider: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    request = start_authorization(_name(any_provider), any_provider, REDIRECT_URI)
    code = await _approve(http, request)
    with pytest.raises(OAuthFailed):
        await _finish(http, any_provider, request, code, redirect_uri="https://evil.example/cb")


async def test_wrong_client_secret_is_refused(
    any_provider: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    wrong = any_provider.model_copy(update={"client_secret": SecretStr("guessed-secret")})
    request = start_authorization(_name(wrong), wrong, REDIRECT_URI)
    with pytest.raises(OAuthFailed) as failure:
        await _finish(http, wrong, request, await _approve(http, request))
    _assert_safe(failure, "guessed-secret")


@pytest.mark.parametrize(
    ("name", "error"), [("github", "bad_verification_code"), ("linkedin", "invalid_request")]
)
async def test_token_error_is_reported_by_code_only(
    name: str,
    error: str,
    provider: FakeOAuthProvider,
    github: OAuthProviderSettings,
    linkedin: OAuthProviderSettings,
    http: httpx.AsyncClient,
) -> None:
    cfg = github if name == "github" else linkedin
    provider.fail_next_token_exchange(error)
    with pytest.raises(OAuthFailed) as failure:
        await _sign_in(http, cfg)
    _assert_safe(failure, "incorrect or expired")  # the provider's description stays out
    assert failure.value.details["provider_error"] == error
    assert failure.value.details["provider"] == name


async def test_provider_errors_and_outages_are_oauth_failures(
    provider: FakeOAuthProvider, any_provider: OAuthProviderSettings, http: httpx.AsyncClient
) -> None:
    request = start_authorization(_name(any_provider), any_provider, REDIRECT_URI)
    code = await _approve(http, request)
    not_found = any_provider.model_copy(update={"token_url": f"{provider.base_url}/nowhere"})
    with pytest.raises(OAuthFailed):
        await _finish(http, not_found, request, code)

    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    down = any_provider.model_copy(update={"token_url": f"http://127.0.0.1:{closed_port}/token"})
    with pytest.raises(OAuthFailed) as failure:
        await _finish(http, down, request, code)
    _assert_safe(failure, code)
    assert isinstance(failure.value.__cause__, httpx.HTTPError)
